"""Pure: what the report pages show from a report: headline figures, chart bars, a row per antenne."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import TYPE_CHECKING

from services.reporting.web.charts import Bar

if TYPE_CHECKING:
    from collections.abc import Callable

    from services.reporting.tables import Report


@dataclass(frozen=True)
class Headline:
    """The few numbers a funder reads first; time in quarter hours, shares in whole percent."""

    last_month: str
    registered: int
    active: int
    quarters: int
    reciprocity: int
    isolated_reached: int
    goal: int | None
    percent_of_goal: int | None


def _int(value: object) -> int:
    return value if isinstance(value, int) else 0


def headline(report: Report) -> Headline:
    """The last month's members, reciprocity and reach, and all help given over the period."""
    members, reach = report.table("members"), report.table("reach")
    last = members.rows[-1] if members.rows else None
    last_reach = reach.rows[-1] if reach.rows else None
    goal = _int(last_reach[reach.columns.index("goal")]) if last_reach else 0
    return Headline(
        last_month=str(last[0]) if last else "",
        registered=_int(last[members.columns.index("registered")]) if last else 0,
        active=_int(last[members.columns.index("active")]) if last else 0,
        quarters=sum(_int(q) for q in report.table("exchanges").column("quarters")),
        reciprocity=_int(report.table("reciprocity").column("percent")[-1]) if members.rows else 0,
        isolated_reached=sum(_int(n) for n in reach.column("isolated_reached")),
        goal=goal or None,
        percent_of_goal=_int(last_reach[reach.columns.index("percent_of_goal")])
        if last_reach and goal
        else None,
    )


def quarters_per_month(report: Report) -> dict[str, int]:
    """Help given per month, all categories together, in quarter hours; every month of the report."""
    per_month: dict[str, int] = defaultdict(int)
    for month in report.table("members").column("month"):
        per_month[str(month)] = 0
    exchanges = report.table("exchanges")
    for month, quarters in zip(exchanges.column("month"), exchanges.column("quarters"), strict=True):
        per_month[str(month)] += _int(quarters)
    return dict(sorted(per_month.items()))


def hours_bars(report: Report, text: Callable[[int], str]) -> list[Bar]:
    """A bar per month: hours of help given."""
    return [Bar(month, quarters, text(quarters)) for month, quarters in quarters_per_month(report).items()]


def column_bars(report: Report, table: str, column: str, text: Callable[[int], str]) -> list[Bar]:
    """A bar per month of one column of a monthly table."""
    source = report.table(table)
    return [
        Bar(str(month), _int(value), text(_int(value)))
        for month, value in zip(source.column("month"), source.column(column), strict=True)
    ]
