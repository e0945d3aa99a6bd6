"""Reporting's web pages: the funders' report per antenne and the coordinator's federation page.

`install_pages(app, settings)` adds them under `/reports`, with the shared layout, CSS and catalogues of
`services.web` and a small print-friendly stylesheet of their own under `/static/reporting`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from fastapi.staticfiles import StaticFiles

from services.reporting.web.pages import (
    STATIC,
    STATIC_PATH,
    TEMPLATES,
    PagesConfig,
    SignInRequiredError,
    router,
    sign_in_redirect,
)
from services.web import WebPages

if TYPE_CHECKING:
    from fastapi import FastAPI, Request
    from fastapi.responses import RedirectResponse

    from services.reporting.settings import Settings


def install_pages(app: FastAPI, settings: Settings) -> None:
    """Add the report pages and their static files."""
    pages = WebPages(TEMPLATES)
    app.state.pages = PagesConfig(
        pages=pages,
        antenne_names=settings.antenne_names,
        target_groups=settings.target_groups,
        status_file=settings.status_file,
        secure_cookies=settings.secure_cookies,
    )
    pages.mount_static(app)
    app.mount(STATIC_PATH, StaticFiles(directory=STATIC), name="reporting-static")
    app.include_router(router)

    async def to_sign_in(request: Request, error: Exception) -> RedirectResponse:
        return sign_in_redirect(request)

    app.add_exception_handler(SignInRequiredError, to_sign_in)
