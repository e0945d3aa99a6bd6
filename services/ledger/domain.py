"""Accounts, double-entry transfers and feeds of the ledger, in int quarter hours (decision 0001)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate, event


class LedgerError(Exception):
    """Base class of the ledger's domain errors."""


class AccountNotFoundError(LedgerError):
    """The ledger has no account for this member."""

    def __init__(self, member_id: UUID) -> None:
        super().__init__(f"no account for member {member_id}")
        self.member_id = member_id


class InvalidAmountError(LedgerError):
    """Amounts are whole, positive quarter hours."""

    def __init__(self, quarters: int) -> None:
        super().__init__(f"invalid amount {quarters!r}: use a positive number of quarter hours")
        self.quarters = quarters


class OutOfOrderError(LedgerError):
    """An antenne's event must follow the last one taken in from it, never skip one (invariant 3)."""

    def __init__(self, antenne_id: str, position: int, previous: int | None, last: int | None) -> None:
        super().__init__(
            f"{antenne_id} event at position {position} follows {previous}, but the last taken in is {last}"
        )
        self.antenne_id = antenne_id
        self.position = position


def member_key(member_id: UUID) -> str:
    """The account key of a member (pools and clearing accounts get their own prefixes later)."""
    return f"member:{member_id}"


def pool_key(antenne_id: str) -> str:
    """The account key of an antenne's solidarity pool."""
    return f"pool:{antenne_id}"


def opening_key(antenne_id: str) -> str:
    """The account key that balances the opening balances an antenne imported from before the system."""
    return f"opening:{antenne_id}"


def earmark_key(donation_id: UUID) -> str:
    """The account key holding an earmarked donation until it is used or returned."""
    return f"earmark:{donation_id}"


def account_id(key: str) -> UUID:
    """The id of the account with this key: the same at every antenne and partner."""
    return uuid5(NAMESPACE_URL, f"/accounts/{key}")


def transfer_id(cause_event_id: UUID) -> UUID:
    """The id of the transfer made for an event, so a redelivery can't add a twin."""
    return uuid5(NAMESPACE_URL, f"/transfers/{cause_event_id}")


def feed_id(antenne_id: str) -> UUID:
    """The id of what the ledger has taken in from one antenne."""
    return uuid5(NAMESPACE_URL, f"/feeds/{antenne_id}")


def _check_positive(quarters: int) -> None:
    # bool is an int subclass; a True amount is a bug, not one quarter hour.
    if not isinstance(quarters, int) or isinstance(quarters, bool) or quarters <= 0:
        raise InvalidAmountError(quarters)


class Account(Aggregate):
    """Time credits of one member (or pool, or clearing partner); may go below zero (mutual credit)."""

    class Opened(Aggregate.Created):
        key: str
        home_antenne: str | None

    class Credited(Aggregate.Event):
        transfer_id: UUID
        quarters: int

    class Debited(Aggregate.Event):
        transfer_id: UUID
        quarters: int

    class HomeAssigned(Aggregate.Event):
        antenne_id: str

    @staticmethod
    def create_id(key: str) -> UUID:
        return account_id(key)

    @event(Opened)
    def __init__(self, key: str, home_antenne: str | None) -> None:
        self.key = key
        self.home_antenne = home_antenne
        self.balance = 0

    def credit(self, transfer_id: UUID, quarters: int) -> None:
        """Add quarters received by a transfer."""
        _check_positive(quarters)
        self._credited(transfer_id, quarters)

    def debit(self, transfer_id: UUID, quarters: int) -> None:
        """Take quarters spent by a transfer (no overdraft limit yet)."""
        _check_positive(quarters)
        self._debited(transfer_id, quarters)

    def assign_home(self, antenne_id: str) -> None:
        """Record the antenne where the member registered, unless already known."""
        if self.home_antenne != antenne_id:
            self._home_assigned(antenne_id)

    @event(Credited)
    def _credited(self, transfer_id: UUID, quarters: int) -> None:
        self.balance += quarters

    @event(Debited)
    def _debited(self, transfer_id: UUID, quarters: int) -> None:
        self.balance -= quarters

    @event(HomeAssigned)
    def _home_assigned(self, antenne_id: str) -> None:
        if self.home_antenne is not None:
            self._former_homes = (*self.former_homes, self.home_antenne)
        self.home_antenne = antenne_id

    @property
    def former_homes(self) -> tuple[str, ...]:
        """The antennes the member moved away from (none for pools, or snapshots older than moves)."""
        homes: tuple[str, ...] = self.__dict__.get("_former_homes", ())
        return homes

    def moved_away_from(self, antenne_id: str) -> bool:
        """Whether the member left this antenne (and has not come back to it)."""
        return antenne_id != self.home_antenne and antenne_id in self.former_homes


@dataclass(frozen=True)
class Cause:
    """The antenne event a transfer was made for."""

    event_id: UUID
    antenne_id: str
    position: int
    event_type: str


@dataclass(frozen=True)
class Posting:
    """One side of a transfer: quarters added to (positive) or taken from (negative) an account."""

    account_id: UUID
    quarters: int


class Transfer(Aggregate):
    """Quarters moved from a debit account to a credit account, once, for one cause."""

    class Made(Aggregate.Created):
        class_version = 2

        cause_event_id: UUID
        cause_antenne_id: str
        cause_position: int
        cause_type: str
        debit_account_id: UUID
        credit_account_id: UUID
        quarters: int
        counts_from: date | None  # the day the movement counts from (help performed); None before v2

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            state["counts_from"] = None

    @staticmethod
    def create_id(cause_event_id: UUID) -> UUID:
        return transfer_id(cause_event_id)

    @event(Made)
    def __init__(
        self,
        cause_event_id: UUID,
        cause_antenne_id: str,
        cause_position: int,
        cause_type: str,
        debit_account_id: UUID,
        credit_account_id: UUID,
        quarters: int,
        counts_from: date | None,
    ) -> None:
        self.cause = Cause(cause_event_id, cause_antenne_id, cause_position, cause_type)
        self.debit_account_id = debit_account_id
        self.credit_account_id = credit_account_id
        self.quarters = quarters
        self.counts_from = counts_from

    @property
    def postings(self) -> tuple[Posting, Posting]:
        """The debit and the credit; they always sum to zero."""
        return (
            Posting(self.debit_account_id, -self.quarters),
            Posting(self.credit_account_id, self.quarters),
        )


def transfer(
    quarters: int, *, debit: Account, credit: Account, cause: Cause, counts_from: date | None
) -> Transfer:
    """Make a transfer and post both its sides, so every movement has its opposite (invariant 1)."""
    _check_positive(quarters)
    made = Transfer(
        cause_event_id=cause.event_id,
        cause_antenne_id=cause.antenne_id,
        cause_position=cause.position,
        cause_type=cause.event_type,
        debit_account_id=debit.id,
        credit_account_id=credit.id,
        quarters=quarters,
        counts_from=counts_from,
    )
    debit.debit(made.id, quarters)
    credit.credit(made.id, quarters)
    return made


class Feed(Aggregate):
    """What the ledger took in from one antenne: how many events, up to which position, what was confirmed."""

    class Started(Aggregate.Created):
        antenne_id: str

    class Took(Aggregate.Event):
        position: int
        event_type: str
        confirmed_quarters: int

    @staticmethod
    def create_id(antenne_id: str) -> UUID:
        return feed_id(antenne_id)

    @event(Started)
    def __init__(self, antenne_id: str) -> None:
        self.antenne_id = antenne_id
        self.events_taken = 0
        self.last_position: int | None = None
        self.confirmed_quarters = 0

    def has_taken(self, position: int) -> bool:
        """Whether the event at this position (or a later one) was already taken in."""
        return self.last_position is not None and position <= self.last_position

    def take(self, position: int, previous: int | None, event_type: str, confirmed_quarters: int = 0) -> None:
        """Take in the event that follows `previous`; `confirmed_quarters` is what it confirmed (negative
        for a reversal), if anything."""
        # Positions may have gaps (a burnt notification id), so the chain, not +1, says what is next.
        if previous != self.last_position or position <= (previous or 0):
            raise OutOfOrderError(self.antenne_id, position, previous, self.last_position)
        if confirmed_quarters:
            _check_positive(abs(confirmed_quarters))
        self._took(position, event_type, confirmed_quarters)

    @event(Took)
    def _took(self, position: int, event_type: str, confirmed_quarters: int) -> None:
        self.events_taken += 1
        self.last_position = position
        self.confirmed_quarters += confirmed_quarters


@dataclass(frozen=True)
class OverdraftPolicy:
    """How far below zero a member may go, per antenne (invariant 6); antennes refuse online beyond it."""

    default_limit: int = 80  # quarter hours: 20 hours, the antennes' default guard (min_balance -80)
    antenne_limits: tuple[tuple[str, int], ...] = ()
    # Offline, an antenne may let a member spend this much past the limit, against the last balance it
    # knew; spending beyond limit + allowance means the antenne itself went too far.
    default_offline_allowance: int = 0
    offline_allowances: tuple[tuple[str, int], ...] = ()

    def limit_for(self, account: Account, antenne_id: str) -> int:
        """The limit for spending recorded at this antenne; pools and earmarks never go below 0."""
        if not account.key.startswith("member:"):
            return 0
        return dict(self.antenne_limits).get(antenne_id, self.default_limit)

    def allowance_for(self, antenne_id: str) -> int:
        """How far past the limit this antenne may let spending go while it cannot reach the ledger."""
        return dict(self.offline_allowances).get(antenne_id, self.default_offline_allowance)

    def is_breached_by(self, account: Account, antenne_id: str) -> bool:
        """Whether the account is now below the limit of the antenne that recorded the spending."""
        if account.key.startswith("opening:"):
            return False  # the counterpart of hours saved before the system: negative by design
        return account.balance < -self.limit_for(account, antenne_id)

    def is_beyond_allowance(self, account: Account, antenne_id: str) -> bool:
        """Whether the account is below the limit plus the antenne's offline allowance."""
        return account.balance < -(self.limit_for(account, antenne_id) + self.allowance_for(antenne_id))

    def would_refuse(self, account: Account | None, antenne_id: str, quarters: int) -> bool:
        """Online: whether spending `quarters` now would take a member below the limit (refused)."""
        if account is None:  # a member the ledger has not seen yet: balance 0, a member's limit
            return quarters > dict(self.antenne_limits).get(antenne_id, self.default_limit)
        return account.balance - quarters < -self.limit_for(account, antenne_id)


def flag_id(transfer_id: UUID) -> UUID:
    """One flag per transfer at most, so a redelivery can't raise it twice."""
    return uuid5(NAMESPACE_URL, f"/flags/{transfer_id}")


class OverdraftFlag(Aggregate):
    """A transfer took an account below its limit: a fact kept for coordinators, never dropped."""

    class Raised(Aggregate.Created):
        class_version = 2

        account_key: str
        transfer_id: UUID
        antenne_id: str
        balance: int
        limit: int
        beyond_allowance: bool  # below the limit plus the antenne's offline allowance; False before v2

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            state["beyond_allowance"] = False

    @staticmethod
    def create_id(transfer_id: UUID) -> UUID:
        return flag_id(transfer_id)

    @event(Raised)
    def __init__(
        self,
        account_key: str,
        transfer_id: UUID,
        antenne_id: str,
        balance: int,
        limit: int,
        beyond_allowance: bool = False,
    ) -> None:
        self.account_key = account_key
        self.transfer_id = transfer_id
        self.antenne_id = antenne_id
        self.balance = balance
        self.limit = limit
        self.beyond_allowance = beyond_allowance
