"""Pure: the report tables of one antenne, or of the whole federation, computed from the view's records.

Every table is a name, its columns and rows of integers and text, so that pages, CSV and XLSX show the
same thing. Time is in quarter hours (integers); pages turn them into hours. "Active" means gave or
received help in the month or the two before it; the goal is to reach 15% of the target group.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date
from statistics import median_low
from typing import TYPE_CHECKING

from contracts.antenne.v1 import ActivityKind, Category

if TYPE_CHECKING:
    from collections.abc import Iterable

    from services.reporting.records import Record, Records

GOAL_PER_MILLE = 150  # reach 15% of the target group
ACTIVE_MONTHS = 3
Cell = int | str


@dataclass(frozen=True)
class Table:
    """One table of a report: `rows` line up with `columns`."""

    name: str
    columns: tuple[str, ...]
    rows: tuple[tuple[Cell, ...], ...]

    def column(self, name: str) -> list[Cell]:
        """The values of one column, top to bottom."""
        index = self.columns.index(name)
        return [row[index] for row in self.rows]


@dataclass(frozen=True)
class Report:
    """Every table for one antenne (or the federation, `antenne_id` None), month by month."""

    antenne_id: str | None
    target_group: int | None
    tables: tuple[Table, ...]

    def table(self, name: str) -> Table:
        """The table of this name."""
        return next(table for table in self.tables if table.name == name)


def report(antenne_id: str | None, records: Iterable[Records], target_group: int | None) -> Report:
    """The report over the records of one antenne (or several: the federation), up to their last month."""
    merged = _Merged.of(records)
    months = merged.months()
    tables = (
        _members(merged, months),
        _requests(merged, months),
        _exchanges(merged, months),
        _reciprocity(merged, months),
        _solidarity(merged, months),
        _attendance(merged, months),
        _languages(merged, months),
        _reach(merged, months, target_group),
    )
    return Report(antenne_id, target_group, tables)


@dataclass(frozen=True)
class _Merged:
    members: tuple[Record, ...]
    requests: tuple[Record, ...]
    counters: dict[str, Counter[str]]

    @classmethod
    def of(cls, records: Iterable[Records]) -> _Merged:
        members: list[Record] = []
        requests: list[Record] = []
        counters: dict[str, Counter[str]] = {}
        for antenne in records:
            for key, record in antenne.items():
                kind, _, name = key.partition(":")
                if kind == "member":
                    members.append(record)
                elif kind == "request":
                    requests.append(record)
                elif kind == "month":
                    counters.setdefault(name, Counter()).update(record)
        return cls(tuple(members), tuple(requests), counters)

    def months(self) -> list[str]:
        seen = set(self.counters)
        seen |= {m["joined"][:7] for m in self.members}
        seen |= {day[:7] for m in self.members for day, _ in m["status"]}
        seen |= {r["opened"][:7] for r in self.requests}
        return _month_range(min(seen), max(seen)) if seen else []

    def month(self, month: str) -> Counter[str]:
        return self.counters.get(month, Counter())


def _month_range(first: str, last: str) -> list[str]:
    year, month = int(first[:4]), int(first[5:7])
    months = []
    while f"{year:04d}-{month:02d}" <= last:
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def _window(month: str) -> set[str]:
    """The month and the two before it."""
    year, number = int(month[:4]), int(month[5:7])
    window = set()
    for back in range(ACTIVE_MONTHS):
        y, m = divmod(year * 12 + number - 1 - back, 12)
        window.add(f"{y:04d}-{m + 1:02d}")
    return window


def _status_at_end_of(member: Record, month: str) -> str | None:
    """The member's status at the end of a month; None if not registered yet."""
    if member["joined"][:7] > month:
        return None
    status = "active"
    for day, new_status in member["status"]:
        if day[:7] <= month:
            status = new_status
    return status


def _in_window(counts: dict[str, int], window: set[str]) -> bool:
    return any(month in window for month in counts)


def _members(merged: _Merged, months: list[str]) -> Table:
    rows = []
    for month in months:
        window = _window(month)
        statuses = Counter(_status_at_end_of(m, month) for m in merged.members)
        rows.append((
            month,
            sum(m["joined"][:7] == month for m in merged.members),
            sum(_in_window(m["gave"], window) or _in_window(m["received"], window) for m in merged.members),
            statuses["paused"],
            sum(_left_in(m, month) for m in merged.members),
            statuses["active"] + statuses["paused"],
        ))  # fmt: skip
    return Table("members", ("month", "new", "active", "paused", "left", "registered"), tuple(rows))


def _left_in(member: Record, month: str) -> bool:
    return any(day[:7] == month and status in ("left", "moved") for day, status in member["status"])


def _requests(merged: _Merged, months: list[str]) -> Table:
    rows = []
    for month in months:
        matched = [r for r in merged.requests if r["matched"] and r["matched"][:7] == month]
        days = [(date.fromisoformat(r["matched"]) - date.fromisoformat(r["opened"])).days for r in matched]
        opened = [r for r in merged.requests if r["opened"][:7] == month]
        rows.append((
            month,
            len(opened),
            len(matched),
            median_low(days) if days else "",
            sum(r["matched"] is None for r in opened),
        ))  # fmt: skip
    columns = ("month", "opened", "matched", "median_days_to_match", "unmatched")
    return Table("requests", columns, tuple(rows))


def _exchanges(merged: _Merged, months: list[str]) -> Table:
    rows = []
    for month in months:
        counters = merged.month(month)
        for category in Category:
            if counters[f"exchanges:{category}"] or counters[f"quarters:{category}"]:
                rows.append(
                    (
                        month,
                        str(category),
                        counters[f"exchanges:{category}"],
                        counters[f"quarters:{category}"],
                    )
                )
    return Table("exchanges", ("month", "category", "exchanges", "quarters"), tuple(rows))


def _reciprocity(merged: _Merged, months: list[str]) -> Table:
    rows = []
    for month in months:
        window = _window(month)
        gave = [_in_window(m["gave"], window) for m in merged.members]
        received = [_in_window(m["received"], window) for m in merged.members]
        involved = sum(g or r for g, r in zip(gave, received, strict=True))
        both = sum(g and r for g, r in zip(gave, received, strict=True))
        rows.append((month, involved, both, both * 100 // involved if involved else 0))
    return Table("reciprocity", ("month", "gave_or_received", "gave_and_received", "percent"), tuple(rows))


def _solidarity(merged: _Merged, months: list[str]) -> Table:
    names = ("donations", "donated_quarters", "pool_grants", "pool_quarters")
    rows: list[tuple[Cell, ...]] = [
        (month, *(merged.month(month)[name] for name in names)) for month in months
    ]
    return Table("solidarity", ("month", *names), tuple(rows))


def _attendance(merged: _Merged, months: list[str]) -> Table:
    names = tuple(name for kind in ActivityKind for name in (f"{kind}s", f"{kind}_attendance"))
    rows: list[tuple[Cell, ...]] = [
        (month, *(merged.month(month)[name] for name in names)) for month in months
    ]
    return Table("attendance", ("month", *names), tuple(rows))


def _languages(merged: _Merged, months: list[str]) -> Table:
    # Members taking part at the end of the last month, by each language they speak.
    last = months[-1] if months else ""
    spoken: Counter[str] = Counter()
    for member in merged.members:
        if _status_at_end_of(member, last) in ("active", "paused"):
            spoken.update(member["languages"] or ["unknown"])
    rows = tuple(
        (language, count) for language, count in sorted(spoken.items(), key=lambda item: (-item[1], item[0]))
    )
    return Table("languages", ("language", "members"), rows)


def _reach(merged: _Merged, months: list[str], target_group: int | None) -> Table:
    rows = []
    for month in months:
        registered = sum(_status_at_end_of(m, month) in ("active", "paused") for m in merged.members)
        isolated = [m for m in merged.members if m["isolated"] and _status_at_end_of(m, month) is not None]
        reached = sum(month in m["received"] or month in m["attended"] for m in isolated)
        goal = target_group * GOAL_PER_MILLE // 1000 if target_group else 0
        progress = registered * 100 // goal if goal else ""
        rows.append((month, registered, len(isolated), reached, target_group or "", goal or "", progress))
    columns = ("month", "members", "isolated", "isolated_reached", "target_group", "goal", "percent_of_goal")
    return Table("reach", columns, tuple(rows))
