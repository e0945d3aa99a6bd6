"""Alliance partners and clearing, pure: agreements, exchange rates, positions, netting and warnings.

A partner's net position is the balance of its `clearing:<partner>` account: positive when BuurtPensioen
members paid more to the partner's members than they received (the partner's side owes), negative the
other way. Its agreement bounds that position on both sides (the bilateral limit).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate, event

from contracts.ledger.transfers import LimitWarning, Position
from services.ledger.domain import LedgerError
from services.ledger.transfers import CrossTransfer, TransferState


class UnknownPartnerError(LedgerError):
    """No agreement with this partner."""

    def __init__(self, partner_id: str) -> None:
        super().__init__(f"no alliance agreement with partner {partner_id!r}")
        self.partner_id = partner_id


@dataclass(frozen=True)
class PartnerAgreement:
    """What the alliance agreed with one partner: its limit and how its hours count in ours."""

    partner_id: str
    name: str
    bilateral_limit: int = 400  # quarter hours (100 h) either way
    ours_per_theirs: tuple[int, int] = (1, 1)  # one partner hour counts as ours[0]/ours[1] of ours

    def to_ours(self, partner_quarters: int) -> int | None:
        """The partner's quarters in ours, or None when the rate gives a fraction of a quarter hour."""
        numerator, denominator = self.ours_per_theirs
        whole, rest = divmod(partner_quarters * numerator, denominator)
        return None if rest else whole

    def to_theirs(self, quarters: int) -> int | None:
        """Our quarters in the partner's, or None when not whole."""
        numerator, denominator = self.ours_per_theirs
        whole, rest = divmod(quarters * denominator, numerator)
        return None if rest else whole

    def within_limit(self, position: int) -> bool:
        """Whether a net position stays within the bilateral limit, either way."""
        return -self.bilateral_limit <= position <= self.bilateral_limit


@dataclass(frozen=True)
class Alliance:
    """Every partner agreement, by partner id; added by configuration."""

    agreements: tuple[PartnerAgreement, ...] = ()
    warn_ratio: float = 0.8  # warn when a position reaches 80% of its limit

    def agreement(self, partner_id: str) -> PartnerAgreement:
        """The agreement with a partner, or UnknownPartnerError."""
        for agreement in self.agreements:
            if agreement.partner_id == partner_id:
                return agreement
        raise UnknownPartnerError(partner_id)

    def warnings(self, positions: dict[str, int]) -> tuple[LimitWarning, ...]:
        """A warning for each partner whose position is at or past `warn_ratio` of its limit."""
        warnings = []
        for agreement in self.agreements:
            position = positions.get(agreement.partner_id, 0)
            if abs(position) >= agreement.bilateral_limit * self.warn_ratio:
                reached = abs(position) >= agreement.bilateral_limit
                warnings.append(LimitWarning(partner=agreement.partner_id, position=position,
                                             limit=agreement.bilateral_limit, reached=reached))  # fmt: skip
        return tuple(warnings)


@dataclass(frozen=True)
class Flow:
    """One committed transfer between two keepers (`antenne:<id>`, `partner:<id>`), for netting."""

    payer: str
    payee: str
    quarters: int


def net_positions(flows: Iterable[Flow]) -> tuple[Position, ...]:
    """Bilateral netting: per pair of keepers (in name order), what each paid the other and the net."""
    paid: dict[tuple[str, str], int] = defaultdict(int)
    for flow in flows:
        if flow.payer != flow.payee:
            paid[(flow.payer, flow.payee)] += flow.quarters
    pairs = sorted({tuple(sorted(pair)) for pair in paid})
    return tuple(
        Position(payer=a, payee=b, paid=paid[(a, b)], received=paid[(b, a)], net=paid[(a, b)] - paid[(b, a)])
        for a, b in pairs
    )


def flow_of(made: CrossTransfer) -> Flow:
    """A committed transfer as a flow between its keepers."""
    return Flow(made.payer.keeper, made.payee.keeper, made.quarters)


def statement_line(made: CrossTransfer, partner_id: str) -> StatementLine | None:
    """A committed transfer with this partner as a line of its settlement statement, else None."""
    if made.state is not TransferState.COMMITTED or made.decided_at is None:
        return None
    if made.payee.partner == partner_id:
        direction, ours, theirs, sign = "out", made.payer, made.payee, 1
        partner_quarters = made.payee_quarters
    elif made.payer.partner == partner_id:
        direction, ours, theirs, sign = "in", made.payee, made.payer, -1
        partner_quarters = made.payer_quarters
    else:
        return None
    return StatementLine(made.decided_at, made.id, direction, ours.member, theirs.member,
                         sign * made.quarters, partner_quarters)  # fmt: skip


def clearing_run_id(period_end: datetime) -> UUID:
    """One clearing run per period end, so a repeated run changes nothing."""
    return uuid5(NAMESPACE_URL, f"/clearing/{period_end.isoformat()}")


@dataclass(frozen=True)
class StatementLine:
    """One committed transfer with a partner in a settlement statement."""

    committed_at: datetime
    transfer_id: UUID
    direction: str  # "out": a BuurtPensioen member paid; "in": a partner member paid
    member: str  # the BuurtPensioen member's id
    partner_member: str
    quarters: int  # ours, signed like the position: + out, - in
    partner_quarters: int


@dataclass(frozen=True)
class SettlementStatement:
    """A partner's month: the opening position, every committed transfer, the closing position."""

    partner_id: str
    month: str  # YYYY-MM
    opening_position: int
    lines: tuple[StatementLine, ...]

    @property
    def closing_position(self) -> int:
        """The opening position plus the month's net."""
        return self.opening_position + sum(line.quarters for line in self.lines)

    @property
    def paid_out(self) -> int:
        """What BuurtPensioen members paid the partner's members in the month."""
        return sum(line.quarters for line in self.lines if line.quarters > 0)

    @property
    def received(self) -> int:
        """What the partner's members paid BuurtPensioen members in the month."""
        return -sum(line.quarters for line in self.lines if line.quarters < 0)


def month_bounds(month: str) -> tuple[date, date]:
    """The first day of a `YYYY-MM` month and the first day of the next."""
    year, number = (int(part) for part in month.split("-"))
    first = date(year, number, 1)
    following = date(year + number // 12, number % 12 + 1, 1)
    return first, following


def settlement_statement(partner_id: str, month: str, lines: Iterable[StatementLine]) -> SettlementStatement:
    """Order a partner's committed transfers and split them at the month's start."""
    first, following = month_bounds(month)
    ordered = sorted(lines, key=lambda line: (line.committed_at, str(line.transfer_id)))
    opening = sum(line.quarters for line in ordered if line.committed_at.date() < first)
    in_month = tuple(line for line in ordered if first <= line.committed_at.date() < following)
    return SettlementStatement(partner_id, month, opening, in_month)


def statement_csv(statement: SettlementStatement) -> str:
    """The settlement statement as CSV: one line per transfer, then the totals."""
    rows = ["committed_at,transfer_id,direction,member,partner_member,quarters,partner_quarters"]
    rows += [
        f"{line.committed_at.isoformat()},{line.transfer_id},{line.direction},{line.member},"
        f"{line.partner_member},{line.quarters},{line.partner_quarters}"
        for line in statement.lines
    ]
    rows.append(f"opening_position,,,,,{statement.opening_position},")
    rows.append(f"closing_position,,,,,{statement.closing_position},")
    return "\n".join(rows) + "\n"


class ClearingRun(Aggregate):
    """One netting of the bilateral positions over a period, recorded as settled; warnings included."""

    class Recorded(Aggregate.Created):
        period_end: datetime
        period_start: datetime | None
        positions: list[dict[str, Any]]
        partner_positions: dict[str, int]
        warnings: list[dict[str, Any]]
        transfer_ids: list[UUID]

    @staticmethod
    def create_id(period_end: datetime) -> UUID:
        return clearing_run_id(period_end)

    @event(Recorded)
    def __init__(
        self,
        period_end: datetime,
        period_start: datetime | None,
        positions: list[dict[str, Any]],
        partner_positions: dict[str, int],
        warnings: list[dict[str, Any]],
        transfer_ids: list[UUID],
    ) -> None:
        self.period_end = period_end
        self.period_start = period_start
        self.positions = tuple(Position.model_validate(p) for p in positions)
        self.partner_positions = dict(partner_positions)
        self.warnings = tuple(LimitWarning.model_validate(w) for w in warnings)
        self.transfer_ids = tuple(transfer_ids)  # what this run netted: the next run starts after them
