"""A member's own pages: their hours, confirming help received, asking or offering help, giving hours.

A member acts only for themself: every page uses the session's member id, never one from the form.
"""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import UUID, uuid4

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from starlette.responses import Response

from services.antenne.application.roles import NotAllowedError, authorise
from services.antenne.domain import AntenneError, Confirmation, ExchangeStatus
from services.antenne.web.context import AntenneDep, FormDep, MemberDep, render
from services.antenne.web.desk import names, post_page, see_other, take_posting
from services.antenne.web.forms import Errors, member_of, quarters_of
from services.antenne.web.labels import error_code, error_message, error_of_code
from services.antenne.web.sessions import WebSession
from services.antenne.web.transfers import answer, flash_of, last_known, read_transfer, send
from services.web import N_, gettext_for, language_of

router = APIRouter(prefix="/me", include_in_schema=False)


def _me(session: WebSession) -> UUID:
    return UUID(session.subject)


@router.get("", response_class=HTMLResponse)
def my_hours(request: Request, session: MemberDep, antenne: AntenneDep) -> HTMLResponse:
    """Balance and history in hours and minutes; help received that waits for my confirmation."""
    member_id = _me(session)
    authorise(session.actor, "get_balance", member_id)
    exchanges = list(reversed(antenne.exchanges(member_id)))
    transfers = list(reversed(antenne.transfers(member_id=member_id)))
    _, now = gettext_for(language_of(request)), datetime.now(UTC)
    return render(request, "me.html", {
        "title": N_("My hours"), "member": antenne.get_member(member_id), "members": names(antenne),
        "to_confirm": [e for e in exchanges
                       if e.recipient_id == member_id and e.status is ExchangeStatus.PENDING],
        "exchanges": exchanges, "statement": antenne.statement(member_id),
        "waiting": [t for t in transfers if t.waits_for_answer],
        "transfers": [t for t in transfers if not t.waits_for_answer][:10],
        "known": {t.transfer_id: last_known(t.as_of, now, _) for t in transfers},
        "error": error_of_code(request.query_params.get("error", "")),
        "flash": _flash(request.query_params.get("done", "")),
    }, session=session)  # fmt: skip


def _flash(done: str) -> str:
    return flash_of(done) or (N_("Thank you, it is saved.") if done else "")


@router.post("/exchanges/{exchange_id}/{answer}")
def answer_help(
    exchange_id: UUID, answer: str, session: MemberDep, antenne: AntenneDep, form: FormDep
) -> RedirectResponse:
    """I received this help (confirm) or it is not right (dispute)."""
    member_id = _me(session)
    if antenne.get_exchange(exchange_id).recipient_id != member_id:
        raise NotAllowedError(session.actor, "confirm help given to another member")
    try:
        if answer == "confirm":
            authorise(session.actor, "confirm_exchange", member_id)
            antenne.confirm_exchange(exchange_id, Confirmation.RECIPIENT)
        else:
            authorise(session.actor, "dispute_exchange", member_id)
            antenne.dispute_exchange(exchange_id, form.get("note"))
    except AntenneError as refused:
        return see_other(f"/me?error={error_code(refused)}")
    return see_other("/me?done=1")


@router.get("/post", response_class=HTMLResponse)
def post_form(request: Request, session: MemberDep, antenne: AntenneDep) -> HTMLResponse:
    return post_page(request, session, antenne.get_member(_me(session)), {}, {}, action="/me/post")


@router.post("/post", response_class=HTMLResponse)
def post(request: Request, session: MemberDep, antenne: AntenneDep, form: FormDep) -> Response:
    """I ask for help, or I offer it."""
    errors: Errors = {}
    if take_posting(antenne, _me(session), form, errors) is None:
        return post_page(
            request, session, antenne.get_member(_me(session)), form.values(), errors, action="/me/post"
        )
    return see_other("/me?done=1")


@router.get("/donate", response_class=HTMLResponse)
def donate_form(request: Request, session: MemberDep, antenne: AntenneDep) -> HTMLResponse:
    return _donate(request, session, antenne, {}, {})


def _donate(
    request: Request, session: WebSession, antenne: AntenneDep, values: dict[str, str], errors: Errors
) -> HTMLResponse:
    return render(request, "donate.html", {
        "title": N_("Give hours"), "member": antenne.get_member(_me(session)),
        "values": values, "errors": errors,
        "key": values.get("key") or uuid4(),
    }, session=session, status_code=400 if errors else 200)  # fmt: skip


@router.post("/donate", response_class=HTMLResponse)
def donate(request: Request, session: MemberDep, antenne: AntenneDep, form: FormDep) -> Response:
    """I give some of my saved hours to a person or to the solidarity pool."""
    errors: Errors = {}
    to_pool = form.get("to") != "member"
    receiver = None if to_pool else member_of(antenne, form.get("receiver"), "receiver", errors)
    quarters = quarters_of(form.get("hours"), form.get("minutes"), errors)
    if receiver is not None and receiver.id == _me(session):
        errors["receiver"] = N_("Choose another member than yourself.")
    if errors or quarters is None:
        return _donate(request, session, antenne, form.values(), errors)
    try:
        antenne.donate(_me(session), quarters, to_member_id=receiver.id if receiver else None,
                       idempotency_key=form.get("key") or None)  # fmt: skip
    except AntenneError as refused:
        return _donate(request, session, antenne, form.values(), {"hours": error_message(refused)})
    return see_other("/me?done=1")


@router.get("/transfer", response_class=HTMLResponse)
def transfer_form(request: Request, session: MemberDep, antenne: AntenneDep) -> HTMLResponse:
    return _transfer(request, session, antenne, {}, {})


def _transfer(
    request: Request, session: WebSession, antenne: AntenneDep, values: dict[str, str], errors: Errors
) -> HTMLResponse:
    return render(request, "me_transfer.html", {
        "title": N_("Send hours to another antenne"), "member": antenne.get_member(_me(session)),
        "free": antenne.free_balance(_me(session)), "values": values, "errors": errors,
        "key": values.get("key") or uuid4(),
    }, session=session, status_code=400 if errors else 200)  # fmt: skip


@router.post("/transfer", response_class=HTMLResponse)
def send_transfer(request: Request, session: MemberDep, antenne: AntenneDep, form: FormDep) -> Response:
    """I give or pay some of my hours to a member of another antenne; the centre decides."""
    authorise(session.actor, "ask_transfer", _me(session))
    errors: Errors = {}
    asked = read_transfer(antenne, form, errors)
    if asked is not None:
        errors = send(antenne, _me(session), asked, session.subject, form.get("key") or None)
    if errors or asked is None:
        return _transfer(request, session, antenne, form.values(), errors)
    return see_other("/me?done=asked")


@router.post("/transfers/{transfer_id}/{decision}")
def answer_transfer(
    transfer_id: UUID, decision: str, session: MemberDep, antenne: AntenneDep, form: FormDep
) -> RedirectResponse:
    """I take the hours another antenne's member sends me, or I decline them."""
    member_id = _me(session)
    if antenne.get_transfer(transfer_id).member_id != member_id:
        raise NotAllowedError(session.actor, "answer a transfer to another member")
    accept = decision == "accept"
    authorise(session.actor, "accept_transfer" if accept else "reject_transfer", member_id)
    try:
        done = answer(antenne, transfer_id, accept, session.subject)
    except AntenneError as refused:
        return see_other(f"/me?error={error_code(refused)}")
    return see_other(f"/me?done={done}")
