"""The timebank: help recorded in int quarter hours (decision 0001), confirmed, disputed or reversed.

An exchange keeps when the help was performed apart from when it was recorded; mistakes are corrected
by a reversal, never by editing or deleting an event.
"""

from __future__ import annotations

from datetime import date, timedelta
from enum import StrEnum
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from contracts.antenne.v1 import Category
from services.antenne.domain.errors import (
    BackdatedTooFarError,
    ExchangeAlreadyConfirmedError,
    ExchangeStateError,
    FourEyesError,
    QuartersOutOfRangeError,
    SelfHelpError,
)

DEFAULT_MAX_QUARTERS = 32  # 8 hours: a longer exchange is almost surely a typing error
DEFAULT_BACKDATING_DAYS = 90
DEFAULT_AUTO_ACCEPT_DAYS = 14


def _is_whole(quarters: object) -> bool:
    # bool is an int subclass: True is a bug, not one quarter hour.
    return isinstance(quarters, int) and not isinstance(quarters, bool)


def check_quarters(quarters: int, maximum: int) -> None:
    """Refuse anything but a whole number of quarter hours from 1 to `maximum`."""
    if not _is_whole(quarters) or not 1 <= quarters <= maximum:
        raise QuartersOutOfRangeError(quarters, maximum)


def check_backdating(performed_on: date, recorded_on: date, backdating_days: int) -> None:
    """Refuse help performed longer ago than the antenne's backdating limit."""
    earliest = recorded_on - timedelta(days=backdating_days)
    if performed_on < earliest:
        raise BackdatedTooFarError(performed_on, earliest)


class ExchangeStatus(StrEnum):
    """Where an exchange is in its life."""

    HELD = "held"  # waits for a coordinator's review (abuse guard)
    PENDING = "pending"
    DISPUTED = "disputed"
    CONFIRMED = "confirmed"
    REJECTED = "rejected"
    REVERSED = "reversed"


class Confirmation(StrEnum):
    """Who confirmed an exchange."""

    RECIPIENT = "recipient"
    COORDINATOR = "coordinator"
    AUTOMATIC = "automatic"


class Exchange(Aggregate):
    """Help one member gave another; confirming it moves the time credits, reversing it moves them back."""

    class Recorded(Aggregate.Created):
        helper_id: UUID
        recipient_id: UUID
        quarters: int
        category: Category
        performed_on: date
        recorded_on: date
        request_id: UUID | None
        recorded_by: str

    class Held(Aggregate.Event):
        rules: list[str]
        four_eyes: bool

    class Approved(Aggregate.Event):
        reviewer: str
        approved_on: date

    class Confirmed(Aggregate.Event):
        # Every fact of the exchange rides along, so the relay maps this one event on its own.
        helper_id: UUID
        recipient_id: UUID
        quarters: int
        category: Category
        performed_on: date
        confirmed_on: date
        confirmation: str

    class Disputed(Aggregate.Event):
        disputed_on: date
        note: str  # free text: stays at the antenne

    class Rejected(Aggregate.Event):
        rejected_on: date

    class Reversed(Aggregate.Event):
        helper_id: UUID
        recipient_id: UUID
        quarters: int
        reversed_on: date
        note: str  # free text: stays at the antenne

    @classmethod
    def record(
        cls,
        helper_id: UUID,
        recipient_id: UUID,
        quarters: int,
        category: Category,
        performed_on: date,
        *,
        recorded_on: date | None = None,
        max_quarters: int = DEFAULT_MAX_QUARTERS,
        backdating_days: int = DEFAULT_BACKDATING_DAYS,
        request_id: UUID | None = None,
        exchange_id: UUID | None = None,
        recorded_by: str = "",
    ) -> Exchange:
        """Record help given, refusing an amount out of range, help to oneself and help dated too far back."""
        recorded_on = recorded_on or date.today()
        check_quarters(quarters, max_quarters)
        if helper_id == recipient_id:
            raise SelfHelpError(helper_id)
        check_backdating(performed_on, recorded_on, backdating_days)
        return cls._create(
            cls.Recorded,
            helper_id=helper_id,
            recipient_id=recipient_id,
            quarters=quarters,
            category=Category(category),
            performed_on=performed_on,
            recorded_on=recorded_on,
            request_id=request_id,
            recorded_by=recorded_by,
            id=exchange_id,
        )

    @event(Recorded)
    def __init__(
        self,
        helper_id: UUID,
        recipient_id: UUID,
        quarters: int,
        category: Category,
        performed_on: date,
        recorded_on: date,
        request_id: UUID | None,
        recorded_by: str,
    ) -> None:
        self.helper_id = helper_id
        self.recipient_id = recipient_id
        self.quarters = quarters
        self.category = Category(category)  # stored as its text value
        self.performed_on = performed_on
        self.recorded_on = recorded_on
        self.request_id = request_id
        self.recorded_by = recorded_by
        self.status = ExchangeStatus.PENDING
        self.held_by: list[str] = []
        self.four_eyes = False
        self.approved_by: str | None = None

    def hold(self, rules: list[str], *, four_eyes: bool = False) -> None:
        """Hold a new exchange for a coordinator's review, naming the rules that flagged it."""
        self._check_status(ExchangeStatus.PENDING, "held")
        self._held(rules=rules, four_eyes=four_eyes)

    @event(Held)
    def _held(self, rules: list[str], four_eyes: bool) -> None:
        self.status = ExchangeStatus.HELD
        self.held_by = list(rules)
        self.four_eyes = four_eyes

    def approve(self, reviewer: str, on: date) -> None:
        """A coordinator reviewed the held exchange and lets it go on to confirmation."""
        self._check_status(ExchangeStatus.HELD, "approved")
        if self.four_eyes and reviewer == self.recorded_by:
            raise FourEyesError(self.id, reviewer)
        self._approved(reviewer=reviewer, approved_on=on)

    @event(Approved)
    def _approved(self, reviewer: str, approved_on: date) -> None:
        self.status = ExchangeStatus.PENDING
        self.approved_by = reviewer

    def confirm(self, on: date | None = None, by: Confirmation = Confirmation.COORDINATOR) -> None:
        """Confirm the help was given; only a pending or disputed exchange can be confirmed."""
        if self.status is ExchangeStatus.CONFIRMED:
            raise ExchangeAlreadyConfirmedError(self.id)
        if self.status not in (ExchangeStatus.PENDING, ExchangeStatus.DISPUTED):
            raise ExchangeStateError(self.id, self.status, "confirmed")
        if by is Confirmation.AUTOMATIC and self.status is not ExchangeStatus.PENDING:
            raise ExchangeStateError(self.id, self.status, "accepted automatically")
        self._confirmed(
            helper_id=self.helper_id,
            recipient_id=self.recipient_id,
            quarters=self.quarters,
            category=self.category,
            performed_on=self.performed_on,
            confirmed_on=on or date.today(),
            confirmation=str(by),
        )

    @event(Confirmed)
    def _confirmed(
        self,
        helper_id: UUID,
        recipient_id: UUID,
        quarters: int,
        category: Category,
        performed_on: date,
        confirmed_on: date,
        confirmation: str,
    ) -> None:
        self.status = ExchangeStatus.CONFIRMED

    def is_overdue(self, today: date, auto_accept_days: int) -> bool:
        """Pending, undisputed and older than the antenne's waiting time: accepted automatically."""
        return self.status is ExchangeStatus.PENDING and today >= self.recorded_on + timedelta(
            days=auto_accept_days
        )

    def dispute(self, on: date, note: str = "") -> None:
        """The recipient or a coordinator says the help was not (so) given: no automatic acceptance."""
        self._check_status(ExchangeStatus.PENDING, "disputed")
        self._disputed(disputed_on=on, note=note)

    @event(Disputed)
    def _disputed(self, disputed_on: date, note: str) -> None:
        self.status = ExchangeStatus.DISPUTED

    def reject(self, on: date) -> None:
        """A coordinator decides held or disputed help does not count."""
        if self.status not in (ExchangeStatus.DISPUTED, ExchangeStatus.HELD, ExchangeStatus.PENDING):
            raise ExchangeStateError(self.id, self.status, "rejected")
        self._rejected(rejected_on=on)

    @event(Rejected)
    def _rejected(self, rejected_on: date) -> None:
        self.status = ExchangeStatus.REJECTED

    def reverse(self, on: date, note: str = "") -> None:
        """Undo a confirmed exchange by an opposite entry; the original stays on record."""
        self._check_status(ExchangeStatus.CONFIRMED, "reversed")
        self._reversed(
            helper_id=self.helper_id,
            recipient_id=self.recipient_id,
            quarters=self.quarters,
            reversed_on=on,
            note=note,
        )

    @event(Reversed)
    def _reversed(
        self, helper_id: UUID, recipient_id: UUID, quarters: int, reversed_on: date, note: str
    ) -> None:
        self.status = ExchangeStatus.REVERSED

    def _check_status(self, needed: ExchangeStatus, step: str) -> None:
        if self.status is not needed:
            raise ExchangeStateError(self.id, self.status, step)
