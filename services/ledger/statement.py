"""A member's statement: every movement in the order it counts, with a running balance and month totals."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING
from uuid import UUID  # at run time: the API serves these dataclasses as they are

if TYPE_CHECKING:
    from collections.abc import Iterable


@dataclass(frozen=True)
class Movement:
    """One posting on a member's account, as booked."""

    on: date | None  # the day it counts from (help performed); None for movements booked before it was kept
    quarters: int  # positive when credited, negative when debited
    kind: str  # what caused it, e.g. `exchange.confirmed`
    transfer_id: UUID
    sequence: int  # booking order, which keeps movements of one day in order


@dataclass(frozen=True)
class StatementLine:
    """A movement with the balance after it."""

    on: date | None
    quarters: int
    balance: int
    kind: str
    transfer_id: UUID


@dataclass(frozen=True)
class MonthTotal:
    """What a month added and took, and the balance it closed on."""

    month: str  # YYYY-MM, or "undated"
    earned: int
    spent: int
    closing_balance: int


@dataclass(frozen=True)
class Statement:
    """Everything a member's hours went through, up to `as_of` (all of it when None)."""

    member_id: UUID
    home_antenne: str | None
    as_of: date | None
    balance: int
    earned: int
    spent: int
    lines: tuple[StatementLine, ...]
    months: tuple[MonthTotal, ...]


def build_statement(
    member_id: UUID, home_antenne: str | None, movements: Iterable[Movement], as_of: date | None = None
) -> Statement:
    """The statement of these movements, counting only those on or before `as_of`."""
    counted = sorted(
        (m for m in movements if as_of is None or m.on is None or m.on <= as_of),
        key=lambda m: (m.on or date.min, m.sequence),
    )
    lines, balance = [], 0
    for movement in counted:
        balance += movement.quarters
        lines.append(
            StatementLine(movement.on, movement.quarters, balance, movement.kind, movement.transfer_id)
        )
    return Statement(
        member_id=member_id,
        home_antenne=home_antenne,
        as_of=as_of,
        balance=balance,
        earned=sum(line.quarters for line in lines if line.quarters > 0),
        spent=-sum(line.quarters for line in lines if line.quarters < 0),
        lines=tuple(lines),
        months=_month_totals(lines),
    )


def _month_totals(lines: list[StatementLine]) -> tuple[MonthTotal, ...]:
    totals: dict[str, MonthTotal] = {}
    for line in lines:
        month = line.on.strftime("%Y-%m") if line.on else "undated"
        before = totals.get(month, MonthTotal(month, 0, 0, 0))
        totals[month] = MonthTotal(
            month=month,
            earned=before.earned + max(line.quarters, 0),
            spent=before.spent + max(-line.quarters, 0),
            closing_balance=line.balance,
        )
    return tuple(totals.values())
