"""The antenne's web pages for the permanence desk and for members, in Dutch and French.

`install_web(app, settings)` adds the pages under `/` beside the JSON API under `/api/v1`. Pages call the
application in-process; sign-in, sessions and CSRF are in `accounts` and `sessions`; the words for the
domain's values and errors in `labels`; shared layout, CSS and catalogues in `services.web`.
"""

from __future__ import annotations

import inspect
import logging
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.exception_handlers import http_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette import status
from starlette.exceptions import HTTPException as StarletteHTTPException

from services.antenne.application.roles import NotAllowedError
from services.antenne.domain import AntenneError, NotFoundError
from services.antenne.web import desk, me, signin, timebank, transfers
from services.antenne.web.accounts import Accounts
from services.antenne.web.context import CsrfError, SignInRequiredError, WebDesk, current_session, render
from services.antenne.web.labels import error_message
from services.antenne.web.sessions import RateLimiter, Sessions
from services.antenne.web.store import TableStore
from services.web import N_, WebPages

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable

    from services.antenne.settings import Settings

log = logging.getLogger(__name__)
TEMPLATES = Path(__file__).parent / "templates"
NOT_PAGES = ("/api/", "/healthz", "/metrics", "/docs", "/redoc", "/openapi.json", "/static/")


def open_desk(settings: Settings) -> WebDesk:
    """The pages' templates, accounts and sessions, in the antenne's own database."""
    store = TableStore(settings.database_url)
    return WebDesk(
        pages=WebPages(TEMPLATES),
        accounts=Accounts(store),
        sessions=Sessions(store),
        limiter=RateLimiter(),
        store=store,
        antenne_name=settings.name or settings.antenne_id,
        reporting_url=settings.reporting_url,
        secure_cookies=settings.secure_cookies,
    )


def install_web(app: FastAPI) -> None:
    """Add the pages, the shared static files, and HTML error pages for everything outside the API."""
    for router in (signin.router, desk.router, timebank.router, transfers.router, me.router):
        app.include_router(router)
    WebPages().mount_static(app)
    handlers = app.exception_handlers
    for kind in (AntenneError, NotAllowedError, NotFoundError):
        app.add_exception_handler(kind, _page_or(handlers.get(kind), _error_page))
    # A malformed path (an id that is no id) is, for a page, a page that does not exist.
    app.add_exception_handler(
        RequestValidationError, _page_or(handlers.get(RequestValidationError), _no_such_page)
    )
    api_http = handlers.get(StarletteHTTPException, http_exception_handler)
    app.add_exception_handler(StarletteHTTPException, _page_or(api_http, _error_page))
    app.add_exception_handler(SignInRequiredError, _sign_in_first)
    app.add_exception_handler(CsrfError, _form_expired)
    app.add_exception_handler(Exception, _page_or(handlers.get(Exception), _unexpected))


def is_page(request: Request) -> bool:
    """A page, not the JSON API or the health and metrics endpoints."""
    return not request.url.path.startswith(NOT_PAGES)


def _page_or(
    api_handler: Callable[..., Any] | None, page_handler: Callable[[Request, Exception], Response]
) -> Callable[[Request, Exception], Awaitable[Response]]:
    """A page's error as an HTML page; the API's as it was (JSON)."""

    async def handle(request: Request, error: Exception) -> Response:
        if is_page(request) or api_handler is None:
            return page_handler(request, error)
        answer = api_handler(request, error)
        if inspect.isawaitable(answer):
            answer = await answer
        return cast("Response", answer)

    return handle


def _error_page(request: Request, error: Exception) -> Response:
    if isinstance(error, StarletteHTTPException):
        code = error.status_code
        heading = (
            N_("This page does not exist.")
            if code == status.HTTP_404_NOT_FOUND
            else N_("This could not be done.")
        )
        return _page(request, code, heading, N_("Check the address, or go back to the start."))
    code = (
        status.HTTP_404_NOT_FOUND
        if isinstance(error, NotFoundError)
        else status.HTTP_403_FORBIDDEN
        if isinstance(error, NotAllowedError)
        else status.HTTP_409_CONFLICT
    )
    return _page(
        request,
        code,
        error_message(error),
        N_("Nothing was changed. Go back and try again, or ask a coordinator."),
    )


def _no_such_page(request: Request, error: Exception) -> Response:
    return _page(request, status.HTTP_404_NOT_FOUND, N_("This page does not exist."),
                 N_("Check the address, or go back to the start."))  # fmt: skip


def _unexpected(request: Request, error: Exception) -> Response:
    log.exception("page %s failed", request.url.path, exc_info=error)
    if not is_page(request):
        return JSONResponse({"detail": "internal error"}, status_code=500)
    heading = N_("Something went wrong on our side.")
    return _page(
        request, 500, heading, N_("Your last step may not be saved. Try again, or ask a coordinator.")
    )


def _form_expired(request: Request, error: Exception) -> Response:
    return _page(request, status.HTTP_403_FORBIDDEN, N_("This form has expired."),
                 N_("For your safety, open the page again and fill in the form once more."))  # fmt: skip


def _sign_in_first(request: Request, error: Exception) -> Response:
    assert isinstance(error, SignInRequiredError)
    target = "/signin" if error.kind == "coordinator" else "/signin/member"
    if request.method == "GET" and error.kind == "coordinator":
        target += f"?next={quote(request.url.path)}"
    return RedirectResponse(target, status_code=status.HTTP_303_SEE_OTHER)


def _page(request: Request, code: int, heading: str, message: str) -> HTMLResponse:
    try:
        session = current_session(request)
    except Exception:  # the error page must render even when the store is the problem
        session = None
    return render(request, "error.html", {"title": heading, "heading": heading, "message": message},
                  session=session, status_code=code)  # fmt: skip
