"""What every page of the antenne depends on: who is signed in, the checked form, rendering in language."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Annotated, Any

from fastapi import Depends, Request

from services.antenne.web import labels
from services.antenne.web.sessions import (
    CSRF_COOKIE,
    SESSION_COOKIE,
    WebSession,
    anonymous_csrf,
    csrf_matches,
    set_cookie,
)
from services.web import gettext_for, language_of

if TYPE_CHECKING:
    from starlette.responses import HTMLResponse

    from services.antenne.application import Antenne
    from services.antenne.web.accounts import Accounts
    from services.antenne.web.sessions import RateLimiter, Sessions
    from services.antenne.web.store import TableStore
    from services.web import WebPages

# Passed to every template: the words for the domain's values.
WORDS = {
    "categories": labels.CATEGORIES,
    "weekdays": labels.WEEKDAYS,
    "language_codes": labels.LANGUAGE_CODES,
    "exchange_statuses": labels.EXCHANGE_STATUSES,
    "request_statuses": labels.REQUEST_STATUSES,
    "member_statuses": labels.MEMBER_STATUSES,
    "donation_statuses": labels.DONATION_STATUSES,
    "postings": labels.POSTINGS,
    "grant_reasons": labels.GRANT_REASONS,
    "activities": labels.ACTIVITIES,
    "hold_rules": labels.HOLD_RULES,
    "transfer_states": labels.TRANSFER_STATES,
    "transfer_reasons": labels.TRANSFER_REASONS,
}


@dataclass
class WebDesk:
    """The antenne's pages: templates, accounts, sessions and the sign-in limiter (on `app.state.web`)."""

    pages: WebPages
    accounts: Accounts
    sessions: Sessions
    limiter: RateLimiter
    antenne_name: str
    store: TableStore
    reporting_url: str = ""
    secure_cookies: bool = False

    def close(self) -> None:
        """Close the accounts' database connection."""
        self.store.close()


class SignInRequiredError(Exception):
    """The page needs a signed-in coordinator (`kind` coordinator) or member."""

    def __init__(self, kind: str) -> None:
        super().__init__(f"sign in as a {kind}")
        self.kind = kind


class CsrfError(Exception):
    """The form's CSRF token is missing or not this session's."""


class Form:
    """A posted form's fields, stripped; missing fields read as empty."""

    def __init__(self, fields: dict[str, list[str]]) -> None:
        self._fields = fields

    def get(self, name: str, default: str = "") -> str:
        values = self._fields.get(name)
        return values[0].strip() if values else default

    def getlist(self, name: str) -> list[str]:
        return [value.strip() for value in self._fields.get(name, []) if value.strip()]

    def values(self) -> dict[str, str]:
        """The first value of every field, to fill the form again after an error."""
        return {name: self.get(name) for name in self._fields if name != "csrf"}


def get_desk(request: Request) -> WebDesk:
    desk: WebDesk = request.app.state.web
    return desk


def get_antenne(request: Request) -> Antenne:
    antenne: Antenne = request.app.state.antenne
    return antenne


def current_session(request: Request) -> WebSession | None:
    """The signed-in session of this browser, if any."""
    return get_desk(request).sessions.find(request.cookies.get(SESSION_COOKIE))


def coordinator_session(session: Annotated[WebSession | None, Depends(current_session)]) -> WebSession:
    if session is None or not session.is_coordinator:
        raise SignInRequiredError("coordinator")
    return session


def member_session(session: Annotated[WebSession | None, Depends(current_session)]) -> WebSession:
    if session is None or session.is_coordinator:
        raise SignInRequiredError("member")
    return session


async def _posted_fields(request: Request) -> dict[str, list[str]]:
    form = await request.form()
    fields: dict[str, list[str]] = {}
    for name, value in form.multi_items():
        if isinstance(value, str):
            fields.setdefault(name, []).append(value)
    return fields


def checked_form(
    request: Request,
    fields: Annotated[dict[str, list[str]], Depends(_posted_fields)],
    session: Annotated[WebSession | None, Depends(current_session)],
) -> Form:
    """The posted form, once its CSRF token is the session's (or, signed out, the cookie's)."""
    expected = session.csrf if session is not None else request.cookies.get(CSRF_COOKIE)
    given = fields.get("csrf", [""])[0]
    if not csrf_matches(expected, given):
        raise CsrfError
    return Form(fields)


SessionDep = Annotated[WebSession | None, Depends(current_session)]
CoordinatorDep = Annotated[WebSession, Depends(coordinator_session)]
MemberDep = Annotated[WebSession, Depends(member_session)]
FormDep = Annotated[Form, Depends(checked_form)]
AntenneDep = Annotated["Antenne", Depends(get_antenne)]
DeskDep = Annotated[WebDesk, Depends(get_desk)]


def relay_unreachable(request: Request) -> bool:
    """The relay tried and failed to reach the central service: work is kept locally meanwhile."""
    relay = getattr(request.app.state, "relay", None)
    return relay is not None and not relay.status.connected and relay.status.last_error is not None


def render(
    request: Request,
    template: str,
    context: dict[str, Any] | None = None,
    *,
    session: WebSession | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    """A page of the antenne in the reader's language, with the session's CSRF token and the notices."""
    desk = get_desk(request)
    csrf = session.csrf if session is not None else anonymous_csrf(request)
    relay = getattr(request.app.state, "relay", None)
    values = {
        **WORDS,
        "session": session,
        "csrf": csrf,
        "antenne_name": desk.antenne_name,
        "reporting_url": desk.reporting_url,
        "relay_unreachable": relay_unreachable(request),
        "backlog": relay.status.backlog if relay is not None else 0,
        "today": date.today(),
        "errors": {},
        "values": {},
        **(context or {}),
    }
    # Errors are msgids (see `labels`, `forms`): shown next to their field in the reader's language.
    _ = gettext_for(language_of(request))
    values["errors"] = {field: _(message) for field, message in values["errors"].items()}
    flash = values.get("flash")
    values["flash"] = _(flash) if flash else ""
    values["choices"] = lambda table: [(str(key), _(word)) for key, word in table.items()]
    response = desk.pages.render(request, template, values, status_code=status_code)
    if session is None:
        set_cookie(response, request, CSRF_COOKIE, csrf, secure=desk.secure_cookies)
    return response
