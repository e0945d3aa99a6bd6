"""The home page, signing in (coordinators by password, members by desk code) and signing out."""

from __future__ import annotations

from uuid import UUID

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from starlette import status
from starlette.responses import Response

from services.antenne.application.roles import Role
from services.antenne.domain import MemberNotFoundError
from services.antenne.web.context import AntenneDep, DeskDep, FormDep, SessionDep, WebDesk, render
from services.antenne.web.forms import normalised_number
from services.antenne.web.sessions import SESSION_COOKIE, set_cookie
from services.web import N_

router = APIRouter(include_in_schema=False)

TOO_MANY = N_("Too many tries. Wait fifteen minutes, or ask at the desk.")


@router.get("/", response_class=HTMLResponse)
def home(request: Request, session: SessionDep) -> Response:
    """Where a visitor starts: their own page if signed in, else the choice of sign-in."""
    if session is not None:
        return _see_other("/desk" if session.is_coordinator else "/me")
    return render(request, "home.html", {"title": N_("Welcome")})


@router.get("/signin", response_class=HTMLResponse)
def coordinator_form(request: Request, next: str = "") -> HTMLResponse:
    return render(request, "signin.html", {"title": N_("Sign in"), "values": {"next": next}})


@router.post("/signin", response_class=HTMLResponse)
def coordinator_signs_in(request: Request, form: FormDep, desk: DeskDep) -> Response:
    """A coordinator's user name and password; five wrong tries lock the account for a while."""
    values = {"username": form.get("username"), "next": form.get("next")}
    errors: dict[str, str] = {}
    if not desk.limiter.allow(_client(request)):
        errors["form"] = TOO_MANY
    else:
        outcome = desk.accounts.sign_in_coordinator(form.get("username"), form.get("password"))
        if outcome.locked:
            errors["form"] = TOO_MANY
        elif outcome.who is None or isinstance(outcome.who, str):
            errors["password"] = N_("This user name and password do not match.")
        else:
            who = outcome.who
            token = desk.sessions.open("coordinator", who.username, who.role, who.display_name)
            return _signed_in(request, desk, token, _safe_next(form.get("next"), "/desk"))
    return render(request, "signin.html", {"title": N_("Sign in"), "values": values, "errors": errors},
                  status_code=status.HTTP_400_BAD_REQUEST)  # fmt: skip


@router.get("/signin/member", response_class=HTMLResponse)
def member_form(request: Request) -> HTMLResponse:
    return render(request, "signin_member.html", {"title": N_("Sign in")})


@router.post("/signin/member", response_class=HTMLResponse)
def member_signs_in(request: Request, form: FormDep, desk: DeskDep, antenne: AntenneDep) -> Response:
    """A member's number and the code handed out at the desk."""
    number = normalised_number(form.get("number"))
    errors: dict[str, str] = {}
    if not number:
        errors["number"] = N_("Enter a member number, such as ABC-0001.")
    elif not desk.limiter.allow(_client(request)):
        errors["form"] = TOO_MANY
    else:
        outcome = desk.accounts.sign_in_member(number, form.get("code"))
        if outcome.locked:
            errors["form"] = TOO_MANY
        elif not isinstance(outcome.who, str):
            errors["code"] = N_("This member number and code do not match.")
        else:
            try:
                name = antenne.get_member(UUID(outcome.who)).display_name
            except MemberNotFoundError:
                name = number
            token = desk.sessions.open("member", outcome.who, Role.MEMBER, name)
            return _signed_in(request, desk, token, "/me")
    return render(request, "signin_member.html",
                  {"title": N_("Sign in"), "values": {"number": form.get("number")}, "errors": errors},
                  status_code=status.HTTP_400_BAD_REQUEST)  # fmt: skip


@router.post("/signout")
def sign_out(request: Request, form: FormDep, desk: DeskDep) -> RedirectResponse:
    """End this browser's session."""
    desk.sessions.close(request.cookies.get(SESSION_COOKIE))
    response = _see_other("/")
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


def _signed_in(request: Request, desk: WebDesk, token: str, to: str) -> RedirectResponse:
    response = _see_other(to)
    set_cookie(response, request, SESSION_COOKIE, token, secure=desk.secure_cookies)
    return response


def _safe_next(wanted: str, default: str) -> str:
    # Only a path of this site: never an open redirect to another.
    return wanted if wanted.startswith("/") and not wanted.startswith(("//", "/\\")) else default


def _see_other(to: str) -> RedirectResponse:
    return RedirectResponse(to, status_code=status.HTTP_303_SEE_OTHER)


def _client(request: Request) -> str:
    return request.client.host if request.client else "unknown"
