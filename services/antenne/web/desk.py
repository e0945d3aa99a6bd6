"""The coordinator's pages: the permanence dashboard, search, intake, a member, requests and matches."""

from __future__ import annotations

from typing import TYPE_CHECKING
from uuid import UUID, uuid4

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from starlette import status
from starlette.responses import Response

from contracts.antenne.v1 import Category
from services.antenne.application import RequestFilter
from services.antenne.application.roles import authorise
from services.antenne.domain import AntenneError, Capacities, Consents, ExchangeStatus, PersonalData, Profile
from services.antenne.domain.donations import DonationStatus
from services.antenne.domain.profile import Weekday
from services.antenne.domain.requests import RequestStatus
from services.antenne.web.context import AntenneDep, CoordinatorDep, DeskDep, FormDep, render
from services.antenne.web.forms import Errors, category_of, day_of
from services.antenne.web.labels import LANGUAGE_CODES, error_code, error_message, error_of_code, reason
from services.web import N_, gettext_for, language_of

if TYPE_CHECKING:
    from services.antenne.application import Antenne
    from services.antenne.domain import Member
    from services.antenne.web.sessions import WebSession

router = APIRouter(prefix="/desk", include_in_schema=False)
SUGGESTIONS_SHOWN = 3


def names(antenne: Antenne) -> dict[UUID, Member]:
    """Every member by id, to show names and numbers beside ids."""
    return {member.id: member for member in antenne.members()}


def see_other(to: str) -> RedirectResponse:
    return RedirectResponse(to, status_code=status.HTTP_303_SEE_OTHER)


@router.get("", response_class=HTMLResponse)
def dashboard(request: Request, session: CoordinatorDep, antenne: AntenneDep) -> HTMLResponse:
    """The permanence at a glance: open requests with suggested helpers, what to review, today's visitors."""
    _ = gettext_for(language_of(request))
    members = names(antenne)
    open_requests = antenne.requests(RequestFilter(status=RequestStatus.OPEN))
    suggested = {
        r.id: [
            (s, [reason(text, _) for text in s.reasons]) for s in antenne.suggestions(r.id, SUGGESTIONS_SHOWN)
        ]
        for r in open_requests
    }
    exchanges = antenne.exchanges()
    today = antenne.today()
    visitors = {m for a in antenne.activities() if a.held_on == today for m in a.attendees}
    return render(request, "dashboard.html", {
        "title": N_("Permanence"),
        "members": members,
        "open_requests": open_requests,
        "proposed": antenne.requests(RequestFilter(status=RequestStatus.PROPOSED)),
        "suggested": suggested,
        "held": [e for e in exchanges if e.status in (ExchangeStatus.HELD, ExchangeStatus.DISPUTED)],
        "pending": [e for e in exchanges if e.status is ExchangeStatus.PENDING],
        "flagged": antenne.donations(status=DonationStatus.FLAGGED),
        "transfers_waiting": [t for t in antenne.transfers() if t.waits_for_answer],
        "visitors": [members[m] for m in visitors if m in members],
    }, session=session)  # fmt: skip


@router.get("/search", response_class=HTMLResponse)
def search(request: Request, session: CoordinatorDep, antenne: AntenneDep, q: str = "") -> HTMLResponse:
    """Members by name, number, sector or what they offer; requests by their words."""
    authorise(session.actor, "list_members")
    wanted = q.strip().casefold()
    found, requests = [], []
    if wanted:
        found = [m for m in antenne.members() if wanted in _searchable(m)]
        requests = [r for r in antenne.requests() if wanted in f"{r.description} {r.category}".casefold()]
    return render(request, "search.html", {
        "title": N_("Search"), "q": q, "found": found, "requests": requests, "members": names(antenne),
    }, session=session)  # fmt: skip


def _searchable(member: Member) -> str:
    personal = member.personal
    words = (member.number, personal.display_name, personal.phone, personal.email, member.capacities.sector,
             personal.talents, *member.capacities.gives)  # fmt: skip
    return " ".join(str(w) for w in words if w).casefold()


@router.get("/members/new", response_class=HTMLResponse)
def intake_form(request: Request, session: CoordinatorDep) -> HTMLResponse:
    return _intake(request, session, {}, {})


def _intake(request: Request, session: WebSession, values: dict[str, object], errors: Errors) -> HTMLResponse:
    return render(request, "intake.html", {
        "title": N_("New member"), "values": values, "errors": errors, "key": values.get("key") or uuid4(),
        "category_options": list(Category), "weekday_options": list(Weekday),
        "language_options": list(LANGUAGE_CODES),
    }, session=session, status_code=400 if errors else 200)  # fmt: skip


@router.post("/members/new", response_class=HTMLResponse)
def register(request: Request, session: CoordinatorDep, antenne: AntenneDep, form: FormDep) -> Response:
    """Intake, capacities first: talents, energy and what they would like to do, then needs."""
    authorise(session.actor, "register_member")
    errors: Errors = {}
    chosen = {
        k: form.getlist(k) for k in ("gives", "asks", "languages", "availability", "consents", "situation")
    }
    values: dict[str, object] = {**form.values(), **chosen}
    birth_year = form.get("birth_year")
    if birth_year and not (birth_year.isdecimal() and len(birth_year) == 4):
        errors["birth_year"] = N_("Enter a birth year such as 1948.")
    if not form.get("display_name"):
        errors["display_name"] = N_("Enter a name.")
    if errors:
        return _intake(request, session, values, errors)
    profile = Profile(_personal(form, birth_year), _capacities(form), _consents(form))
    try:
        member_id = antenne.register_member(profile, idempotency_key=form.get("key") or None)
    except AntenneError as refused:
        field = "birth_year" if "birth" in type(refused).__name__.lower() else "display_name"
        return _intake(request, session, values, {field: error_message(refused)})
    return see_other(f"/desk/members/{member_id}?registered=1")


def _personal(form: FormDep, birth_year: str) -> PersonalData:
    fields = ("phone", "email", "address", "heard_via", "life_story", "talents", "energy", "would_like_to_do",
              "needs")  # fmt: skip
    text = {name: form.get(name) or None for name in fields}
    return PersonalData(form.get("display_name"), birth_year=int(birth_year) if birth_year else None, **text)


def _capacities(form: FormDep) -> Capacities:
    return Capacities(
        sector=form.get("sector") or None,
        languages=tuple(code for code in form.getlist("languages") if code in LANGUAGE_CODES),
        gives=tuple(Category(c) for c in form.getlist("gives") if c in set(Category)),
        asks=tuple(Category(c) for c in form.getlist("asks") if c in set(Category)),
        availability=tuple(Weekday(d) for d in form.getlist("availability") if d in set(Weekday)),
        isolated="isolated" in form.getlist("situation"),
    )


def _consents(form: FormDep) -> Consents:
    chosen = set(form.getlist("consents"))
    return Consents(alliance_sharing="alliance_sharing" in chosen, newsletter="newsletter" in chosen,
                    photos="photos" in chosen)  # fmt: skip


@router.get("/members/{member_id}", response_class=HTMLResponse)
def member_page(
    request: Request, member_id: UUID, session: CoordinatorDep, antenne: AntenneDep, registered: bool = False
) -> HTMLResponse:
    """One member: what they give and ask, their hours, their requests, and what the desk can do for them."""
    authorise(session.actor, "get_member", member_id)
    member = antenne.get_member(member_id)
    return render(request, "member.html", {
        "title": N_("Member"), "member": member, "members": names(antenne),
        "exchanges": list(reversed(antenne.exchanges(member_id))),
        "requests": antenne.requests(RequestFilter(member_id=member_id)),
        "offers": [o for o in antenne.offers() if o.member_id == member_id],
        "flash": N_("The member is registered.") if registered else "",
    }, session=session)  # fmt: skip


@router.post("/members/{member_id}/code", response_class=HTMLResponse)
def issue_code(
    request: Request,
    member_id: UUID,
    session: CoordinatorDep,
    antenne: AntenneDep,
    form: FormDep,
    desk: DeskDep,
) -> HTMLResponse:
    """A new sign-in code for the member, shown once to hand over (on paper, or read aloud)."""
    authorise(session.actor, "get_member", member_id)
    member = antenne.get_member(member_id)
    one_time = form.get("one_time") == "1"
    code = desk.accounts.issue_code(member.number, str(member.id), one_time=one_time)
    return render(request, "code.html", {
        "title": N_("Sign-in code"), "member": member, "code": f"{code[:4]} {code[4:]}", "one_time": one_time,
    }, session=session)  # fmt: skip


@router.get("/members/{member_id}/post", response_class=HTMLResponse)
def post_form(
    request: Request, member_id: UUID, session: CoordinatorDep, antenne: AntenneDep
) -> HTMLResponse:
    return post_page(request, session, antenne.get_member(member_id), {}, {}, action=request.url.path)


def post_page(
    request: Request,
    session: WebSession,
    member: Member,
    values: dict[str, str],
    errors: Errors,
    *,
    action: str,
) -> HTMLResponse:
    """The form to post a request or an offer, for a coordinator or the member themself."""
    return render(request, "post.html", {
        "title": N_("Ask or offer help"), "member": member, "values": values, "errors": errors,
        "action": action, "key": values.get("key") or uuid4(), "category_options": list(Category),
    }, session=session, status_code=400 if errors else 200)  # fmt: skip


def take_posting(antenne: Antenne, member_id: UUID, form: FormDep, errors: Errors) -> str | None:
    """Record the posted request or offer; what was posted (`request` or `offer`), or None with errors."""
    kind = form.get("kind")
    if kind not in ("request", "offer"):
        errors["kind"] = N_("Choose whether this is a request or an offer.")
    category = category_of(form.get("category"), "category", errors)
    day = day_of(form.get("preferred_date"), "preferred_date", errors, antenne.today(), past_only=False)
    if form.get("preferred_date") and day is not None and day < antenne.today():
        errors["preferred_date"] = N_("Choose a day from today on.")
    if errors or category is None:
        return None
    key = form.get("key") or None
    try:
        if kind == "request":
            dates = [day] if form.get("preferred_date") and day else None
            antenne.take_request(member_id, category, preferred_dates=dates,
                                 description=form.get("description"), idempotency_key=key)  # fmt: skip
        else:
            antenne.make_offer(member_id, category, description=form.get("description"), idempotency_key=key)
    except AntenneError as refused:
        errors["form"] = error_message(refused)
        return None
    return kind


@router.post("/members/{member_id}/post", response_class=HTMLResponse)
def post(
    request: Request, member_id: UUID, session: CoordinatorDep, antenne: AntenneDep, form: FormDep
) -> Response:
    """A coordinator posts a request or an offer for a member."""
    authorise(session.actor, "take_request" if form.get("kind") == "request" else "make_offer")
    errors: Errors = {}
    if take_posting(antenne, member_id, form, errors) is None:
        return post_page(request, session, antenne.get_member(member_id), form.values(), errors,
                         action=request.url.path)  # fmt: skip
    return see_other(f"/desk/members/{member_id}")


@router.get("/requests/{request_id}", response_class=HTMLResponse)
def request_page(
    request: Request, request_id: UUID, session: CoordinatorDep, antenne: AntenneDep
) -> HTMLResponse:
    """One request: who asks, the suggested helpers with the reasons, proposing one."""
    authorise(session.actor, "suggest_helpers")
    _ = gettext_for(language_of(request))
    help_request = antenne.get_request(request_id)
    suggestions = []
    if help_request.status is RequestStatus.OPEN:
        suggestions = [(s, [reason(t, _) for t in s.reasons]) for s in antenne.suggestions(request_id)]
    return render(request, "request.html", {
        "title": N_("Request"), "help_request": help_request, "members": names(antenne),
        "suggestions": suggestions, "error": error_of_code(request.query_params.get("error", "")),
    }, session=session)  # fmt: skip


@router.post("/requests/{request_id}/propose")
def propose(
    request_id: UUID, session: CoordinatorDep, antenne: AntenneDep, form: FormDep
) -> RedirectResponse:
    """Propose a helper for an open request."""
    authorise(session.actor, "propose_helper")
    return _act(request_id, lambda: antenne.propose_helper(request_id, UUID(form.get("helper_id"))))


@router.post("/requests/{request_id}/answer")
def answer(request_id: UUID, session: CoordinatorDep, antenne: AntenneDep, form: FormDep) -> RedirectResponse:
    """The proposed helper said yes or no (told to the desk)."""
    helper = antenne.get_request(request_id).helper_id
    if form.get("answer") == "accept" and helper is not None:
        authorise(session.actor, "accept_match")
        return _act(request_id, lambda: antenne.accept_match(request_id, helper))
    authorise(session.actor, "decline_match")
    return _act(request_id, lambda: antenne.decline_match(request_id, helper) if helper else None)


def _act(request_id: UUID, action: object) -> RedirectResponse:
    try:
        action()  # type: ignore[operator]
    except (AntenneError, ValueError) as refused:
        return see_other(f"/desk/requests/{request_id}?error={error_code(refused)}")
    return see_other(f"/desk/requests/{request_id}")
