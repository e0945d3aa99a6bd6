"""The coordinator's transfers page: send hours to a member of another antenne, answer those held for a
member here, and see every transfer with the ledger's last known word and its age (also offline)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING
from uuid import UUID, uuid4

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from starlette.responses import Response

from contracts.ledger.transfers import TransferKind
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
    from services.antenne.application import Antenne
    from services.antenne.web.context import Form
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
        "flash": flash_of(request.query_params.get("done", "")),
    }, session=session, status_code=400 if errors else 200)  # fmt: skip


def flash_of(done: str) -> str:
    """What to say after a transfer was sent or answered ("" for anything else)."""
    return {
        "asked": N_("Saved. The centre decides; the state below follows its answer."),
        "accepted": N_("Accepted. The hours count once the centre has committed them."),
        "declined": N_("Declined. The centre gives the hours back to the payer."),
        "absent": N_("Declined: this person is no active member of this antenne. The hours go back."),
    }.get(done, "")


@dataclass(frozen=True)
class Asked:
    """A transfer as the form asks for it, checked field by field."""

    payee_antenne: str
    payee_id: UUID
    quarters: int
    kind: TransferKind
    performed_on: date


def read_transfer(antenne: Antenne, form: Form, errors: Errors) -> Asked | None:
    """The form's other antenne, member code, kind, hours and day; an error by each field that is wrong."""
    payee_antenne = form.get("payee_antenne").lower()
    if not re.fullmatch(ANTENNE_ID_PATTERN, payee_antenne):
        errors["payee_antenne"] = N_("Enter the other antenne's short name, such as laken.")
    payee_id = uuid_or_none(form.get("payee_id"))
    if payee_id is None:
        errors["payee_id"] = N_("Enter the member's code at their antenne (36 letters, digits and dashes).")
    quarters = quarters_of(form.get("hours"), form.get("minutes"), errors)
    kind = next((k for k in TransferKind if k == form.get("kind")), None)
    if kind is None:
        errors["kind"] = N_("Choose a gift or a payment.")
    performed_on = day_of(form.get("performed_on"), "performed_on", errors, antenne.today())
    if errors or not (payee_id and quarters and kind and performed_on):
        return None
    return Asked(payee_antenne, payee_id, quarters, kind, performed_on)


def send(antenne: Antenne, payer_id: UUID, asked: Asked, by: str, key: str | None) -> Errors:
    """Ask the transfer; the refusal by the field it belongs to (none: asked)."""
    try:
        antenne.ask_transfer(payer_id, asked.payee_antenne, asked.payee_id, asked.quarters, asked.kind,
                             asked.performed_on, asked_by=by, idempotency_key=key)  # fmt: skip
    except AntenneError as refused:
        return {_field(refused): error_message(refused)}
    return {}


def answer(antenne: Antenne, transfer_id: UUID, accept: bool, by: str) -> str:
    """Accept or decline; what to say after (`accepted`, `declined`, `absent`: declined by the antenne)."""
    if not accept:
        antenne.reject_transfer(transfer_id, answered_by=by)
        return "declined"
    line = antenne.accept_transfer(transfer_id, answered_by=by)
    if line.answer:
        return "accepted"
    return "absent"


@router.post("/transfers", response_class=HTMLResponse)
def ask_transfer(request: Request, session: CoordinatorDep, antenne: AntenneDep, form: FormDep) -> Response:
    """Hours from a member here to a member of another antenne, in hours and minutes (quarter hours)."""
    authorise(session.actor, "ask_transfer")
    errors: Errors = {}
    payer = member_of(antenne, form.get("payer"), "payer", errors)
    asked = read_transfer(antenne, form, errors)
    if payer is not None and asked is not None:
        errors = send(antenne, payer.id, asked, session.subject, form.get("key") or None)
    if errors or payer is None or asked is None:
        return _page(request, session, antenne, form.values(), errors)
    return see_other("/desk/transfers?done=asked")


@router.post("/transfers/{transfer_id}/{decision}")
def answer_transfer(
    transfer_id: UUID, decision: str, session: CoordinatorDep, antenne: AntenneDep, form: FormDep
) -> RedirectResponse:
    """Accept or decline hours the centre holds for a member here."""
    accept = decision == "accept"
    authorise(session.actor, "accept_transfer" if accept else "reject_transfer")
    try:
        done = answer(antenne, transfer_id, accept, session.subject)
    except AntenneError as refused:
        return see_other(f"/desk/transfers?error={error_code(refused)}")
    return see_other(f"/desk/transfers?done={done}")
