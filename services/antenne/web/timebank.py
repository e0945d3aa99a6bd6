"""The coordinator's timebank pages: record and confirm hours, gifts and the pool, attendance, statements."""

from __future__ import annotations

from typing import TYPE_CHECKING
from uuid import UUID, uuid4

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from starlette.responses import Response

from contracts.antenne.v1 import ActivityKind, Category, GrantReason, MemberStatus
from services.antenne.application.roles import authorise
from services.antenne.domain import AntenneError
from services.antenne.domain.donations import DonationStatus
from services.antenne.domain.errors import (
    BackdatedTooFarError,
    InsufficientSavingsError,
    PoolExhaustedError,
    QuartersOutOfRangeError,
    SelfHelpError,
)
from services.antenne.web.context import AntenneDep, CoordinatorDep, FormDep, render
from services.antenne.web.desk import names, see_other
from services.antenne.web.forms import Errors, category_of, day_of, member_of, quarters_of, uuid_or_none
from services.antenne.web.labels import error_code, error_message, error_of_code
from services.web import N_

if TYPE_CHECKING:
    from collections.abc import Callable

    from services.antenne.web.sessions import WebSession

router = APIRouter(prefix="/desk", include_in_schema=False)

# Which field a refused recording's error belongs next to.
FIELD_OF = {QuartersOutOfRangeError: "hours", BackdatedTooFarError: "performed_on",
            SelfHelpError: "recipient", InsufficientSavingsError: "hours",
            PoolExhaustedError: "grant_hours"}  # fmt: skip


def _field(error: Exception, default: str = "form") -> str:
    return next((field for kind, field in FIELD_OF.items() if isinstance(error, kind)), default)


@router.get("/hours", response_class=HTMLResponse)
def hours_form(request: Request, session: CoordinatorDep) -> HTMLResponse:
    values = {k: request.query_params.get(k, "") for k in ("helper", "recipient", "request_id", "category")}
    return _hours_page(request, session, values, {})


def _hours_page(
    request: Request, session: WebSession, values: dict[str, str], errors: Errors
) -> HTMLResponse:
    return render(request, "hours.html", {
        "title": N_("Record hours"), "values": values, "errors": errors, "key": values.get("key") or uuid4(),
        "category_options": list(Category),
    }, session=session, status_code=400 if errors else 200)  # fmt: skip


@router.post("/hours", response_class=HTMLResponse)
def record_hours(request: Request, session: CoordinatorDep, antenne: AntenneDep, form: FormDep) -> Response:
    """Help given, in hours and minutes (quarter-hour steps); it counts once confirmed."""
    authorise(session.actor, "record_exchange")
    errors: Errors = {}
    helper = member_of(antenne, form.get("helper"), "helper", errors)
    recipient = member_of(antenne, form.get("recipient"), "recipient", errors)
    quarters = quarters_of(form.get("hours"), form.get("minutes"), errors)
    category = category_of(form.get("category"), "category", errors)
    performed_on = day_of(form.get("performed_on"), "performed_on", errors, antenne.today())
    request_id = uuid_or_none(form.get("request_id"))
    if errors or not (helper and recipient and quarters and category and performed_on):
        return _hours_page(request, session, form.values(), errors)
    try:
        exchange_id = antenne.record_exchange(
            helper.id, recipient.id, quarters, category, performed_on, request_id=request_id,
            recorded_by=session.subject, idempotency_key=form.get("key") or None,
        )  # fmt: skip
    except AntenneError as refused:
        return _hours_page(request, session, form.values(), {_field(refused): error_message(refused)})
    return see_other(f"/desk/exchanges/{exchange_id}")


@router.get("/exchanges/{exchange_id}", response_class=HTMLResponse)
def exchange_page(
    request: Request, exchange_id: UUID, session: CoordinatorDep, antenne: AntenneDep
) -> HTMLResponse:
    """One exchange: who helped whom, how long, where it stands, and what the desk can do now."""
    authorise(session.actor, "get_exchange")
    return render(request, "exchange.html", {
        "title": N_("Help recorded"), "exchange": antenne.get_exchange(exchange_id),
        "members": names(antenne),
        "error": error_of_code(request.query_params.get("error", "")),
    }, session=session)  # fmt: skip


@router.post("/exchanges/{exchange_id}/{action}")
def exchange_action(
    exchange_id: UUID, action: str, session: CoordinatorDep, antenne: AntenneDep, form: FormDep
) -> RedirectResponse:
    """Confirm (the recipient agrees, told at the desk), approve or reject held help, or dispute it."""
    steps: dict[str, tuple[str, Callable[[], None]]] = {
        "confirm": ("confirm_exchange", lambda: antenne.confirm_exchange(exchange_id)),
        "approve": ("approve_exchange", lambda: antenne.approve_exchange(exchange_id, session.subject)),
        "reject": ("reject_exchange", lambda: antenne.reject_exchange(exchange_id)),
        "dispute": ("dispute_exchange", lambda: antenne.dispute_exchange(exchange_id, form.get("note"))),
    }
    if action not in steps:
        return see_other(f"/desk/exchanges/{exchange_id}")
    use_case, step = steps[action]
    authorise(session.actor, use_case)
    try:
        step()
    except AntenneError as refused:
        return see_other(f"/desk/exchanges/{exchange_id}?error={error_code(refused)}")
    return see_other(
        form.get("back") if form.get("back").startswith("/desk") else f"/desk/exchanges/{exchange_id}"
    )


@router.get("/donations", response_class=HTMLResponse)
def donations_page(request: Request, session: CoordinatorDep, antenne: AntenneDep) -> HTMLResponse:
    values = {k: request.query_params.get(k, "") for k in ("donor", "grant_to")}
    return _donations(request, session, antenne, values, {})


def _donations(
    request: Request, session: WebSession, antenne: AntenneDep, values: dict[str, str], errors: Errors
) -> HTMLResponse:
    return render(request, "donations.html", {
        "title": N_("Gifts and pool"), "values": values, "errors": errors, "key": uuid4(),
        "pool": antenne.pool(), "members": names(antenne),
        "flagged": antenne.donations(status=DonationStatus.FLAGGED),
        "recent": list(reversed(antenne.donations()))[:10],
        "error": error_of_code(request.query_params.get("error", "")),
        "flash": request.query_params.get("done") and N_("Saved."),
    }, session=session, status_code=400 if errors else 200)  # fmt: skip


@router.post("/donations", response_class=HTMLResponse)
def donate(request: Request, session: CoordinatorDep, antenne: AntenneDep, form: FormDep) -> Response:
    """A member gives saved hours to another member or to the solidarity pool."""
    authorise(session.actor, "donate")
    errors: Errors = {}
    donor = member_of(antenne, form.get("donor"), "donor", errors)
    to_pool = form.get("to") != "member"
    receiver = None if to_pool else member_of(antenne, form.get("receiver"), "receiver", errors)
    quarters = quarters_of(form.get("hours"), form.get("minutes"), errors)
    if errors or donor is None or quarters is None:
        return _donations(request, session, antenne, form.values(), errors)
    try:
        antenne.donate(donor.id, quarters, to_member_id=receiver.id if receiver else None,
                       idempotency_key=form.get("key") or None)  # fmt: skip
    except AntenneError as refused:
        return _donations(request, session, antenne, form.values(), {_field(refused): error_message(refused)})
    return see_other("/desk/donations?done=1")


@router.post("/pool/grant", response_class=HTMLResponse)
def grant(request: Request, session: CoordinatorDep, antenne: AntenneDep, form: FormDep) -> Response:
    """Hours from the pool for a member who needs more support than they can give."""
    authorise(session.actor, "grant_from_pool")
    errors: Errors = {}
    member = member_of(antenne, form.get("grant_to"), "grant_to", errors)
    try:
        reason = GrantReason(form.get("reason"))
    except ValueError:
        errors["reason"] = N_("Choose a reason.")
    hours_errors: Errors = {}
    quarters = quarters_of(form.get("grant_hours"), form.get("grant_minutes"), hours_errors)
    errors.update({f"grant_{field}": message for field, message in hours_errors.items()})
    if errors or member is None or quarters is None:
        return _donations(request, session, antenne, form.values(), errors)
    try:
        antenne.grant_from_pool(
            member.id, quarters, reason, form.get("note"), idempotency_key=form.get("key") or None
        )
    except AntenneError as refused:
        return _donations(
            request, session, antenne, form.values(), {_field(refused, "grant_to"): error_message(refused)}
        )
    return see_other("/desk/donations?done=1")


@router.post("/donations/{donation_id}/{decision}")
def review_gift(
    donation_id: UUID, decision: str, session: CoordinatorDep, antenne: AntenneDep, form: FormDep
) -> RedirectResponse:
    """Let a gift held by the abuse guard go through, or stop it."""
    approve = decision == "approve"
    authorise(session.actor, "approve_donation" if approve else "reject_donation")
    try:
        if approve:
            antenne.approve_donation(donation_id, session.subject)
        else:
            antenne.reject_donation(donation_id, session.subject)
    except AntenneError as refused:
        return see_other(f"/desk/donations?error={error_code(refused)}")
    return see_other("/desk/donations?done=1")


@router.get("/gatherings", response_class=HTMLResponse)
def gatherings(request: Request, session: CoordinatorDep, antenne: AntenneDep) -> HTMLResponse:
    return _gatherings(request, session, antenne, {}, {})


def _gatherings(
    request: Request, session: WebSession, antenne: AntenneDep, values: dict[str, object], errors: Errors
) -> HTMLResponse:
    active = [m for m in antenne.members() if m.status is MemberStatus.ACTIVE]
    return render(request, "gatherings.html", {
        "title": N_("Attendance"), "values": values, "errors": errors, "key": uuid4(),
        "people": [(str(m.id), f"{m.display_name} ({m.number})") for m in active], "members": names(antenne),
        "recent": list(reversed(antenne.activities()))[:10],
        "flash": request.query_params.get("done") and N_("Saved."),
    }, session=session, status_code=400 if errors else 200)  # fmt: skip


@router.post("/gatherings", response_class=HTMLResponse)
def hold_session(request: Request, session: CoordinatorDep, antenne: AntenneDep, form: FormDep) -> Response:
    """Who came to a permanence or gathering (today's visitors come from here)."""
    authorise(session.actor, "hold_session")
    errors: Errors = {}
    try:
        kind = ActivityKind(form.get("kind"))
    except ValueError:
        errors["kind"] = N_("Choose the kind of get-together.")
    held_on = day_of(form.get("held_on"), "held_on", errors, antenne.today())
    attendees = [m for m in map(uuid_or_none, form.getlist("attendees")) if m is not None]
    if not attendees:
        errors["attendees"] = N_("Tick at least one person who came.")
    if errors or held_on is None:
        return _gatherings(
            request, session, antenne, {**form.values(), "attendees": form.getlist("attendees")}, errors
        )
    antenne.hold_session(
        kind, held_on, attendees, topic=form.get("topic"), idempotency_key=form.get("key") or None
    )
    return see_other("/desk/gatherings?done=1")


@router.get("/members/{member_id}/statement", response_class=HTMLResponse)
def statement(
    request: Request, member_id: UUID, session: CoordinatorDep, antenne: AntenneDep
) -> HTMLResponse:
    """A member's statement, month by month, to print and hand over."""
    authorise(session.actor, "get_statement", member_id)
    return render(request, "statement.html", {
        "title": N_("Statement"), "member": antenne.get_member(member_id),
        "statement": antenne.statement(member_id),
    }, session=session)  # fmt: skip
