"""The templates of a service's pages, rendered in the request's language, with the shared layout and CSS."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from jinja2 import ChoiceLoader, Environment, FileSystemLoader, pass_context, select_autoescape
from starlette.responses import HTMLResponse
from starlette.staticfiles import StaticFiles

from services.web.durations import format_duration, format_month
from services.web.i18n import COOKIE, LANGUAGE_NAMES, LANGUAGES, gettext_for, language_of

if TYPE_CHECKING:
    from jinja2.runtime import Context
    from starlette.applications import Starlette
    from starlette.requests import Request

TEMPLATES = Path(__file__).parent / "templates"
STATIC = Path(__file__).parent / "static"
STATIC_PATH = "/static/web"
LANGUAGE_COOKIE_SECONDS = 365 * 24 * 3600


class WebPages:
    """A Jinja2 environment over a service's template folders, then the shared ones (`base.html`)."""

    def __init__(self, *template_dirs: Path, **globals_: object) -> None:
        loaders = [FileSystemLoader(str(folder)) for folder in (*template_dirs, TEMPLATES)]
        self.env = Environment(
            loader=ChoiceLoader(loaders),
            autoescape=select_autoescape(["html"]),
            trim_blocks=True,
            lstrip_blocks=True,
        )
        self.env.filters["duration"] = _duration
        self.env.filters["month"] = _month
        self.env.globals.update({"static": STATIC_PATH, "languages": LANGUAGES, **globals_})

    def mount_static(self, app: Starlette) -> None:
        """Serve the shared CSS (and vendored scripts) under /static/web."""
        app.mount(STATIC_PATH, StaticFiles(directory=STATIC), name="web-static")

    def render(
        self,
        request: Request,
        template: str,
        context: dict[str, Any] | None = None,
        *,
        status_code: int = 200,
    ) -> HTMLResponse:
        """The page in the request's language; a `?lang=` choice is remembered in a cookie."""
        lang = language_of(request)
        values = {
            "request": request,
            "lang": lang,
            "_": gettext_for(lang),
            "language_names": LANGUAGE_NAMES,
            "switch_to": lambda code: str(request.url.include_query_params(**{COOKIE: code})),
            **(context or {}),
        }
        response = HTMLResponse(self.env.get_template(template).render(values), status_code=status_code)
        if request.query_params.get(COOKIE) in LANGUAGES:
            response.set_cookie(
                COOKIE, lang, max_age=LANGUAGE_COOKIE_SECONDS, httponly=True, samesite="lax",
                secure=request.url.scheme == "https",
            )  # fmt: skip
        return response


@pass_context
def _month(context: Context, month: str) -> str:
    return format_month(month, context.get("lang", "nl"))


@pass_context
def _duration(context: Context, quarters: int) -> str:
    return format_duration(quarters, context.get("lang", "nl"))
