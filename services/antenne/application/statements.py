"""Statements: a member's postings month by month with a running balance, as of any day."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from uuid import UUID

from services.antenne.application.base import AntenneBase
from services.antenne.domain import Member, MemberNotFoundError, PostingKind


@dataclass(frozen=True)
class StatementLine:
    """One posting on a statement, with the balance after it."""

    booked_on: date
    source_id: UUID
    kind: PostingKind
    quarters: int
    balance: int


@dataclass(frozen=True)
class StatementMonth:
    """A month of a statement: opening and closing balance and the postings between."""

    month: str  # YYYY-MM
    opening: int
    closing: int
    lines: tuple[StatementLine, ...]


@dataclass(frozen=True)
class Statement:
    """A member's postings with a running balance, month by month, as of a date."""

    member_id: UUID
    number: str
    as_of: date
    balance: int
    months: tuple[StatementMonth, ...]


class StatementsDesk(AntenneBase):
    """Prints members' statements."""

    def statement(self, member_id: UUID, as_of: date | None = None) -> Statement:
        """A member's postings booked up to `as_of` (default today), with a running balance by month."""
        member = self._load(member_id, Member, MemberNotFoundError)
        as_of = as_of or self.today()
        months: list[StatementMonth] = []
        balance = 0
        for posting in (p for p in member.postings if p.booked_on <= as_of):
            month = posting.booked_on.strftime("%Y-%m")
            if not months or months[-1].month != month:
                months.append(StatementMonth(month, balance, balance, ()))
            balance += posting.quarters
            line = StatementLine(
                posting.booked_on, posting.source_id, posting.kind, posting.quarters, balance
            )
            last = months[-1]
            months[-1] = StatementMonth(month, last.opening, balance, (*last.lines, line))
        return Statement(member_id, member.number, as_of, balance, tuple(months))
