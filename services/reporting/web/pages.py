"""The report pages: one per antenne for a funder, the federation side by side for the project coordinator.

Dutch and French (the shared catalogues), printable (print CSS), charts drawn on the server, and every
table downloadable as CSV or XLSX through reporting's API. Reading needs the reporting token: sent as a
Bearer header, or given once on the sign-in page, which sets an HttpOnly cookie.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from services.operations.snapshot import take_snapshot
from services.operations.status import age, delivery, ledger_position, problems, reporting_position
from services.operations.targets import Targets
from services.reporting.access import COOKIE, SESSION_SECONDS, may_read, session_value, token_matches
from services.reporting.api import ViewDep
from services.reporting.reports_api import FEDERATION, federation_reports, report_for
from services.reporting.web import labels
from services.reporting.web.charts import bar_chart
from services.reporting.web.figures import column_bars, headline, hours_bars
from services.web import N_, WebPages, format_duration, gettext_for, language_of

if TYPE_CHECKING:
    from services.operations.snapshot import Snapshot
    from services.operations.status import Delivery
    from services.reporting.tables import Report

TEMPLATES = Path(__file__).parent / "templates"
STATIC = Path(__file__).parent / "static"
STATIC_PATH = "/static/reporting"

router = APIRouter(prefix="/reports", include_in_schema=False)


@dataclass(frozen=True)
class PagesConfig:
    """What the pages need beyond the view: antenne names, sizes of target groups, where `up` wrote status."""

    pages: WebPages
    antenne_names: dict[str, str]
    target_groups: dict[str, int]
    status_file: Path | None
    secure_cookies: bool = False


def get_config(request: Request) -> PagesConfig:
    """The pages' configuration, built by `install_pages`."""
    config: PagesConfig = request.app.state.pages
    return config


ConfigDep = Annotated[PagesConfig, Depends(get_config)]


class SignInRequiredError(Exception):
    """The page needs the reporting token first."""


def _reader(request: Request) -> None:
    if not may_read(request):
        raise SignInRequiredError


ReaderDep = Annotated[None, Depends(_reader)]


def _render(
    request: Request, config: PagesConfig, template: str, context: dict[str, Any], status_code: int = 200
) -> HTMLResponse:
    lang = language_of(request)
    values = {
        "labels": labels,
        "names": config.antenne_names,
        "reports_static": STATIC_PATH,
        "hours": lambda quarters: format_duration(quarters, lang),
        **context,
    }
    return config.pages.render(request, template, values, status_code=status_code)


@router.get("/signin", response_class=HTMLResponse)
def sign_in_page(request: Request, config: ConfigDep, next: str = "/reports") -> HTMLResponse:
    """Ask for the reporting token."""
    return _render(request, config, "signin.html", {"title": "Sign in to the reports", "next": _local(next)})


@router.post("/signin", response_model=None)
def sign_in(
    request: Request,
    config: ConfigDep,
    token: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "/reports",
) -> Response:
    """Check the token; on success set the cookie and go on to the page asked for."""
    if not token_matches(request, token.strip()):
        context = {"title": "Sign in to the reports", "next": _local(next), "error": True}
        return _render(request, config, "signin.html", context, status_code=401)
    response = RedirectResponse(_local(next), status_code=303)
    value = session_value(request.app.state.token)
    response.set_cookie(
        COOKIE, value, max_age=SESSION_SECONDS, httponly=True, samesite="strict", secure=config.secure_cookies
    )
    return response


@router.post("/signout")
def sign_out() -> RedirectResponse:
    """Forget the cookie."""
    response = RedirectResponse("/reports/signin", status_code=303)
    response.delete_cookie(COOKIE, path="/")
    return response


@router.get("", response_class=HTMLResponse)
def index(request: Request, view: ViewDep, config: ConfigDep, _: ReaderDep) -> HTMLResponse:
    """Every antenne's report, and the federation page."""
    antennes = sorted(view.summary())
    return _render(request, config, "index.html", {"title": "Reports", "antennes": antennes})


@router.get("/antennes/{antenne_id}", response_class=HTMLResponse)
def antenne_report(
    antenne_id: str, request: Request, view: ViewDep, config: ConfigDep, _: ReaderDep
) -> HTMLResponse:
    """One antenne's report for a funder: headline figures, charts, every table and its downloads."""
    result = report_for(antenne_id, view, config.target_groups)
    name = config.antenne_names.get(antenne_id, antenne_id)
    context = {
        "title": "Report",
        "antenne_id": antenne_id,
        "name": name,
        **_report_context(request, result, antenne_id),
    }
    return _render(request, config, "report.html", context)


@router.get("/federation", response_class=HTMLResponse)
def federation(request: Request, view: ViewDep, config: ConfigDep, _: ReaderDep) -> HTMLResponse:
    """All antennes side by side for the project coordinator, each with its operational state."""
    whole, each = federation_reports(view, config.target_groups)
    rows = [_antenne_row(antenne_id, result) for antenne_id, result in sorted(each.items())]
    snapshot = _snapshot(config.status_file)
    context = {
        "title": "Federation overview",
        "rows": rows,
        "total": headline(whole),
        "operations": _operations(snapshot) if snapshot else None,
        "audit": _audit(snapshot) if snapshot else None,
        "problems": problems(snapshot) if snapshot else [],
        "read_at": snapshot.taken_at if snapshot else None,
        **_report_context(request, whole, FEDERATION),
    }
    return _render(request, config, "federation.html", context)


def _snapshot(status_file: Path | None) -> Snapshot | None:
    if status_file is None or not status_file.exists():
        return None
    return take_snapshot(Targets.from_up_file(status_file), datetime.now(UTC))


def _report_context(request: Request, result: Report, scope: str) -> dict[str, Any]:
    lang = language_of(request)
    _ = gettext_for(lang)

    def hours(quarters: int) -> str:
        return format_duration(quarters, lang)

    def percent(value: int) -> str:
        return f"{value}%"

    figures = headline(result)
    charts = [
        bar_chart(hours_bars(result, hours), title=_("Hours of help per month"),
                  description=_("Hours of help given each month, all categories together."),
                  axis_label=hours, chart_id=f"hours-{scope}"),
        bar_chart(column_bars(result, "reciprocity", "percent", percent), title=_("Reciprocity"),
                  description=_("Of members who gave or received help lately, the share who did both."),
                  axis_label=percent, chart_id=f"reciprocity-{scope}"),
        bar_chart(column_bars(result, "reach", "members", str), title=_("Reach"),
                  description=_("Members at the end of each month, and the goal: 15% of the target group."),
                  axis_label=str, goal=figures.goal,
                  goal_text=_("Goal: %(members)s members", members=figures.goal), chart_id=f"reach-{scope}"),
    ]  # fmt: skip
    return {"report": result, "headline": figures, "charts": charts, "scope": scope, "quote": quote}


@dataclass(frozen=True)
class AntenneRow:
    """One antenne beside the others."""

    antenne_id: str
    registered: int
    active: int
    quarters: int
    last_month_quarters: int
    reciprocity: int
    percent_of_goal: int | None


def _antenne_row(antenne_id: str, result: Report) -> AntenneRow:
    figures = headline(result)
    exchanges = result.table("exchanges")
    last_month = sum(
        int(q)
        for m, q in zip(exchanges.column("month"), exchanges.column("quarters"), strict=True)
        if m == figures.last_month
    )
    return AntenneRow(antenne_id, figures.registered, figures.active, figures.quarters, last_month,
                      figures.reciprocity, figures.percent_of_goal)  # fmt: skip


@dataclass(frozen=True)
class Operations:
    """An antenne's operational state, as `buurtpensioen status` reads it."""

    up: bool
    relay_connected: bool
    backlog: int
    last_publish: str
    reporting: str
    ledger: str


def _operations(snapshot: Snapshot) -> dict[str, Operations]:
    found = {}
    for antenne in snapshot.antennes:
        ledger = delivery(antenne, snapshot.ledger, ledger_position(snapshot, antenne.antenne_id))
        reporting = delivery(antenne, snapshot.reporting, reporting_position(snapshot, antenne.antenne_id))
        found[antenne.antenne_id] = Operations(
            up=antenne.up,
            relay_connected=antenne.relay_connected,
            backlog=antenne.backlog,
            last_publish=age(snapshot, antenne.last_publish_at),
            reporting=age(snapshot, reporting.last_applied_at) if reporting.last_applied_at else "",
            ledger=_ledger_state(ledger),
        )
    return found


def _ledger_state(ledger: Delivery) -> str:
    if ledger.caught_up:
        return N_("caught up")
    return N_("behind") if ledger.behind else N_("unknown")


def _audit(snapshot: Snapshot) -> str:
    if snapshot.audit is None:
        return N_("unavailable")
    return N_("balanced") if snapshot.audit.balanced else N_("not balanced")


def _local(path: str) -> str:
    # Only a path on this site: a sign-in link must not send anyone elsewhere.
    return path if path.startswith("/") and not path.startswith("//") else "/reports"


def sign_in_redirect(request: Request) -> RedirectResponse:
    """Where a page that needs the token sends the browser."""
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return RedirectResponse(f"/reports/signin?next={quote(target)}", status_code=303)
