"""Pure: the report tables of one antenne, or of the whole federation, computed from the view's records.

Every table is a name, its columns and rows of integers and text, so that pages, CSV and XLSX show the
same thing. Time is in quarter hours (integers); pages turn them into hours. "Active" means gave or
received help in the month or the two before it; the goal is to reach 15% of the target group.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date
from functools import cache, cached_property
from itertools import chain
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


REPORT_KINDS = frozenset({"member", "request", "month"})  # the records the tables read (`_Merged`)


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

    @cached_property
    def statuses(self) -> dict[str, Counter[str]]:
        """Per month, how many members end it in each status (`_status_at_end_of`), from each member's
        few status changes rather than one walk over every member per month."""
        months = self.months()
        index = {month: i for i, month in enumerate(months)}
        steps: dict[str, list[int]] = {}  # status -> change in count at each month index (+1 start, -1 end)
        for member in self.members:
            changes = _status_steps(member)
            ends = [index[month] for month, _ in changes[1:]] + [len(months)]
            for (month, status), end in zip(changes, ends, strict=True):
                counts = steps.setdefault(status, [0] * (len(months) + 1))
                counts[index[month]] += 1
                counts[end] -= 1
        by_month: dict[str, Counter[str]] = {month: Counter() for month in months}
        for status, counts in steps.items():
            running = 0
            for month, change in zip(months, counts, strict=False):
                running += change
                if running:
                    by_month[month][status] = running
        return by_month

    @cached_property
    def joined(self) -> Counter[str]:
        """Members who joined, per month."""
        return Counter(member["joined"][:7] for member in self.members)

    @cached_property
    def left(self) -> Counter[str]:
        """Members who left or moved away, per month (once each, whatever the changes that month)."""
        return Counter(
            month
            for member in self.members
            for month in {day[:7] for day, status in member["status"] if status in ("left", "moved")}
        )

    @cached_property
    def recently(self) -> tuple[Counter[str], Counter[str]]:
        """Per month, the members who gave or received help in the last three months, and those who did
        both: each member's months worked out once, not one walk over their history per month."""
        either: Counter[str] = Counter()
        both: Counter[str] = Counter()
        for member in self.members:
            gave, received = _active_in(member["gave"]), _active_in(member["received"])
            either.update(gave | received)
            both.update(gave & received)
        return either, both

    @cached_property
    def requests_by_month(self) -> tuple[dict[str, list[Record]], dict[str, list[Record]]]:
        """The requests opened, and those matched, per month."""
        opened: dict[str, list[Record]] = {}
        matched: dict[str, list[Record]] = {}
        for request in self.requests:
            opened.setdefault(request["opened"][:7], []).append(request)
            if request["matched"]:
                matched.setdefault(request["matched"][:7], []).append(request)
        return opened, matched


def _month_range(first: str, last: str) -> list[str]:
    year, month = int(first[:4]), int(first[5:7])
    months = []
    while f"{year:04d}-{month:02d}" <= last:
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


@cache
def _counting_months(month: str) -> tuple[str, ...]:
    """The months whose window of the last three months includes this one: itself and the two after."""
    year, number = int(month[:4]), int(month[5:7])
    following = []
    for ahead in range(ACTIVE_MONTHS):
        y, m = divmod(year * 12 + number - 1 + ahead, 12)
        following.append(f"{y:04d}-{m + 1:02d}")
    return tuple(following)


def _active_in(counts: dict[str, int]) -> frozenset[str]:
    """The months in which these months of help make a member active (in the last three months)."""
    return frozenset(chain.from_iterable(_counting_months(month) for month in counts))


def _status_at_end_of(member: Record, month: str) -> str | None:
    """The member's status at the end of a month; None if not registered yet."""
    if member["joined"][:7] > month:
        return None
    status = "active"
    for day, new_status in member["status"]:
        if day[:7] <= month:
            status = new_status
    return status


def _members(merged: _Merged, months: list[str]) -> Table:
    rows = []
    for month in months:
        statuses = merged.statuses[month]
        rows.append((
            month,
            merged.joined[month],
            merged.recently[0][month],
            statuses["paused"],
            merged.left[month],
            statuses["active"] + statuses["paused"],
        ))  # fmt: skip
    return Table("members", ("month", "new", "active", "paused", "left", "registered"), tuple(rows))


def _status_steps(member: Record) -> list[tuple[str, str]]:
    """(month, status at the end of it and of the months after, until the next step), from the month the
    member joined: what `_status_at_end_of` gives, month by month, as its few changes."""
    joined = member["joined"][:7]
    steps = [(joined, "active")]
    latest = -1  # of two changes, the later in the list wins, whatever their days (as _status_at_end_of)
    for month, index, status in sorted(
        (day[:7], i, status) for i, (day, status) in enumerate(member["status"])
    ):
        if index < latest:
            continue
        latest, at = index, max(month, joined)
        if steps[-1][0] == at:
            steps[-1] = (at, status)
        elif steps[-1][1] != status:
            steps.append((at, status))
    return steps


def _requests(merged: _Merged, months: list[str]) -> Table:
    rows = []
    opened_in, matched_in = merged.requests_by_month
    for month in months:
        matched = matched_in.get(month, [])
        days = [(date.fromisoformat(r["matched"]) - date.fromisoformat(r["opened"])).days for r in matched]
        opened = opened_in.get(month, [])
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
    either, both_ways = merged.recently
    for month in months:
        involved, both = either[month], both_ways[month]
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
        registered = merged.statuses[month]["active"] + merged.statuses[month]["paused"]
        isolated = [m for m in merged.members if m["isolated"] and _status_at_end_of(m, month) is not None]
        reached = sum(month in m["received"] or month in m["attended"] for m in isolated)
        goal = target_group * GOAL_PER_MILLE // 1000 if target_group else 0
        progress = registered * 100 // goal if goal else ""
        rows.append((month, registered, len(isolated), reached, target_group or "", goal or "", progress))
    columns = ("month", "members", "isolated", "isolated_reached", "target_group", "goal", "percent_of_goal")
    return Table("reach", columns, tuple(rows))
