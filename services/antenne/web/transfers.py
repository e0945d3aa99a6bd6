"""The coordinator's transfers page: send hours to a member of another antenne, answer those held for a
member here, and see every transfer with the ledger's last known word and its age (also offline)."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import TYPE_CHECKING
from uuid import UUID, uuid4

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from starlette.responses import Response

from contracts.ledger.transfers import RejectReason, TransferKind
from contracts.subjects import ANTENNE_ID_PATTERN
from services.antenne.application.roles import authorise
from services.antenne.domain import AntenneError
from services.antenne.domain.errors import (
    AntenneIdError,
    BackdatedTooFarError,
    OverdraftError,
    QuartersOutOfRangeError,
    TransferInFutureError,
    TransferToOwnAntenneError,
)
from services.antenne.web.context import AntenneDep, CoordinatorDep, FormDep, render
from services.antenne.web.desk import names, see_other
from services.antenne.web.forms import Errors, day_of, member_of, quarters_of, uuid_or_none
from services.antenne.web.labels import error_code, error_message, error_of_code
from services.web import N_, gettext_for, language_of

if TYPE_CHECKING:
    from services.antenne.application import TransferLine
    from services.antenne.web.sessions import WebSession
    from services.web.i18n import Gettext

router = APIRouter(prefix="/desk", include_in_schema=False)

# Which field a refused transfer's error belongs next to.
FIELD_OF = {QuartersOutOfRangeError: "hours", OverdraftError: "hours", BackdatedTooFarError: "performed_on",
            TransferInFutureError: "performed_on", TransferToOwnAntenneError: "payee_antenne",
            AntenneIdError: "payee_antenne"}  # fmt: skip


def _field(error: Exception) -> str:
    return next((field for kind, field in FIELD_OF.items() if isinstance(error, kind)), "form")


def last_known(as_of: datetime | None, now: datetime, _: Gettext) -> str:
    """`Last known on 23/11/2026 at 13:05 UTC (4 minutes ago)`, in the reader's language."""
    if as_of is None:
        return _("Not decided by the centre yet, or its answer has not arrived.")
    seconds = max(0, int((now - as_of).total_seconds()))
    if seconds < 2 * 3600:
        ago = _("%(count)s minutes ago", count=seconds // 60)
    elif seconds < 2 * 86400:
        ago = _("%(count)s hours ago", count=seconds // 3600)
    else:
        ago = _("%(count)s days ago", count=seconds // 86400)
    when = as_of.astimezone(UTC)
    return _("Last known on %(day)s at %(time)s UTC (%(ago)s)", day=f"{when:%d/%m/%Y}", time=f"{when:%H:%M}",
             ago=ago)  # fmt: skip


@router.get("/transfers", response_class=HTMLResponse)
def transfers_page(request: Request, session: CoordinatorDep, antenne: AntenneDep) -> HTMLResponse:
    """Send hours to another antenne; answer what other antennes send; every transfer as last known."""
    authorise(session.actor, "list_transfers")
    return _page(request, session, antenne, {"kind": str(TransferKind.DONATION)}, {})


def _page(
    request: Request, session: WebSession, antenne: AntenneDep, values: dict[str, str], errors: Errors
) -> HTMLResponse:
    _ = gettext_for(language_of(request))
    now = datetime.now(UTC)
    lines = list(reversed(antenne.transfers()))  # newest decisions first, undecided on top
    known: dict[UUID, str] = {line.transfer_id: last_known(line.as_of, now, _) for line in lines}
    return render(request, "transfers.html", {
        "title": N_("Hours with other antennes"), "values": values, "errors": errors,
        "key": values.get("key") or uuid4(), "members": names(antenne), "known": known,
        "waiting": [line for line in lines if line.waits_for_answer],
        "outgoing": [line for line in lines if line.direction == "outgoing"],
        "incoming": [line for line in lines if line.direction == "incoming" and not line.waits_for_answer],
        "kinds": [(str(TransferKind.DONATION), _("A gift of hours")),
                  (str(TransferKind.EXCHANGE), _("Payment for help given"))],
        "here": f"antenne:{antenne.antenne_id}",
        "error": error_of_code(request.query_params.get("error", "")),
        "flash": _flash(request.query_params.get("done", "")),
    }, session=session, status_code=400 if errors else 200)  # fmt: skip


def _flash(done: str) -> str:
    return {
        "asked": N_("Saved. The centre decides; the state below follows its answer."),
        "accepted": N_("Accepted. The hours count once the centre has committed them."),
        "declined": N_("Declined. The centre gives the hours back to the payer."),
        "absent": N_("Declined: this person is no active member of this antenne. The hours go back."),
    }.get(done, "")


@router.post("/transfers", response_class=HTMLResponse)
def ask_transfer(request: Request, session: CoordinatorDep, antenne: AntenneDep, form: FormDep) -> Response:
    """Hours from a member here to a member of another antenne, in hours and minutes (quarter hours)."""
    authorise(session.actor, "ask_transfer")
    errors: Errors = {}
    payer = member_of(antenne, form.get("payer"), "payer", errors)
    payee_antenne = form.get("payee_antenne").lower()
    if not _is_antenne_id(payee_antenne):
        errors["payee_antenne"] = N_("Enter the other antenne's short name, such as laken.")
    payee_id = uuid_or_none(form.get("payee_id"))
    if payee_id is None:
        errors["payee_id"] = N_("Enter the member's code at their antenne (36 letters, digits and dashes).")
    quarters = quarters_of(form.get("hours"), form.get("minutes"), errors)
    try:
        kind = TransferKind(form.get("kind"))
    except ValueError:
        errors["kind"] = N_("Choose a gift or a payment.")
    performed_on = day_of(form.get("performed_on"), "performed_on", errors, antenne.today())
    if errors or not (payer and payee_id and quarters and performed_on):
        return _page(request, session, antenne, form.values(), errors)
    try:
        antenne.ask_transfer(payer.id, payee_antenne, payee_id, quarters, kind, performed_on,
                             asked_by=session.subject, idempotency_key=form.get("key") or None)  # fmt: skip
    except AntenneError as refused:
        return _page(request, session, antenne, form.values(), {_field(refused): error_message(refused)})
    return see_other("/desk/transfers?done=asked")


def _is_antenne_id(text: str) -> bool:
    return re.fullmatch(ANTENNE_ID_PATTERN, text) is not None


@router.post("/transfers/{transfer_id}/{answer}")
def answer_transfer(
    transfer_id: UUID, answer: str, session: CoordinatorDep, antenne: AntenneDep, form: FormDep
) -> RedirectResponse:
    """Accept or decline hours the centre holds for a member here."""
    accept = answer == "accept"
    authorise(session.actor, "accept_transfer" if accept else "reject_transfer")
    try:
        if accept:
            line: TransferLine = antenne.accept_transfer(transfer_id, answered_by=session.subject)
        else:
            line = antenne.reject_transfer(transfer_id, answered_by=session.subject)
    except AntenneError as refused:
        return see_other(f"/desk/transfers?error={error_code(refused)}")
    if line.answer:
        return see_other("/desk/transfers?done=accepted")
    absent = line.answer_reason is not RejectReason.DECLINED
    return see_other(f"/desk/transfers?done={'absent' if absent else 'declined'}")
