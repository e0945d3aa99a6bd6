"""Members of an antenne and the help they exchange, counted in int quarter hours (decision 0001)."""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from contracts.antenne.v1 import Category

DEFAULT_MAX_QUARTERS = 32  # 8 hours: a longer exchange is almost surely a typing error


class AntenneError(Exception):
    """Base class of the antenne's domain errors."""


class MemberNotFoundError(AntenneError):
    """No member with this id is registered at the antenne."""

    def __init__(self, member_id: UUID) -> None:
        super().__init__(f"no member {member_id} is registered at this antenne")
        self.member_id = member_id


class ExchangeNotFoundError(AntenneError):
    """No exchange with this id was recorded at the antenne."""

    def __init__(self, exchange_id: UUID) -> None:
        super().__init__(f"no exchange {exchange_id} was recorded at this antenne")
        self.exchange_id = exchange_id


class BlankDisplayNameError(AntenneError):
    """A member needs a name the coordinators can call them by."""

    def __init__(self) -> None:
        super().__init__("display_name must not be blank")


class SelfHelpError(AntenneError):
    """Help is given to someone else: a member cannot earn time credits from themself."""

    def __init__(self, member_id: UUID) -> None:
        super().__init__(f"member {member_id} cannot be both helper and recipient of an exchange")
        self.member_id = member_id


class QuartersOutOfRangeError(AntenneError):
    """An exchange lasts a whole number of quarter hours, from 1 to the antenne's maximum."""

    def __init__(self, quarters: object, maximum: int) -> None:
        super().__init__(f"quarters must be a whole number from 1 to {maximum}, got {quarters!r}")
        self.quarters = quarters
        self.maximum = maximum


class InvalidAmountError(AntenneError):
    """Balances move by whole, positive quarter hours."""

    def __init__(self, quarters: object) -> None:
        super().__init__(f"invalid amount {quarters!r}: use a positive whole number of quarter hours")
        self.quarters = quarters


class ExchangeAlreadyConfirmedError(AntenneError):
    """Only a pending exchange can be confirmed: confirming twice would pay twice."""

    def __init__(self, exchange_id: UUID) -> None:
        super().__init__(f"exchange {exchange_id} is already confirmed")
        self.exchange_id = exchange_id


def check_quarters(quarters: int, maximum: int) -> None:
    """Refuse anything but a whole number of quarter hours from 1 to `maximum`."""
    if not _is_whole(quarters) or not 1 <= quarters <= maximum:
        raise QuartersOutOfRangeError(quarters, maximum)


def _is_whole(quarters: object) -> bool:
    # bool is an int subclass: True is a bug, not one quarter hour.
    return isinstance(quarters, int) and not isinstance(quarters, bool)


def _check_positive(quarters: int) -> None:
    if not _is_whole(quarters) or quarters < 1:
        raise InvalidAmountError(quarters)


class Member(Aggregate):
    """A neighbour taking part in the timebank; the name is personal data and stays at the antenne."""

    class Registered(Aggregate.Created):
        display_name: str
        registered_on: date

    class Credited(Aggregate.Event):
        exchange_id: UUID
        quarters: int

    class Debited(Aggregate.Event):
        exchange_id: UUID
        quarters: int

    @classmethod
    def register(cls, display_name: str, registered_on: date) -> Member:
        """Register a neighbour under the name the coordinators call them by."""
        if not display_name.strip():
            raise BlankDisplayNameError
        return cls(display_name=display_name.strip(), registered_on=registered_on)

    @event(Registered)
    def __init__(self, display_name: str, registered_on: date) -> None:
        self.display_name = display_name
        self.registered_on = registered_on
        self.balance = 0

    def credit(self, exchange_id: UUID, quarters: int) -> None:
        """Save the quarters this member gave as help."""
        _check_positive(quarters)
        self._credited(exchange_id=exchange_id, quarters=quarters)

    def debit(self, exchange_id: UUID, quarters: int) -> None:
        """Spend the quarters this member received as help (mutual credit: no overdraft limit yet)."""
        _check_positive(quarters)
        self._debited(exchange_id=exchange_id, quarters=quarters)

    @event(Credited)
    def _credited(self, exchange_id: UUID, quarters: int) -> None:
        self.balance += quarters

    @event(Debited)
    def _debited(self, exchange_id: UUID, quarters: int) -> None:
        self.balance -= quarters


class ExchangeStatus(StrEnum):
    """Where an exchange is in its life: recorded by a coordinator, then confirmed."""

    PENDING = "pending"
    CONFIRMED = "confirmed"


class Exchange(Aggregate):
    """Help one member gave another, recorded by a coordinator; confirming it moves the time credits."""

    class Recorded(Aggregate.Created):
        helper_id: UUID
        recipient_id: UUID
        quarters: int
        category: Category
        performed_on: date

    class Confirmed(Aggregate.Event):
        # Every fact of the exchange rides along, so the relay maps this one event on its own.
        helper_id: UUID
        recipient_id: UUID
        quarters: int
        category: Category
        performed_on: date

    @classmethod
    def record(
        cls,
        helper_id: UUID,
        recipient_id: UUID,
        quarters: int,
        category: Category,
        performed_on: date,
        *,
        max_quarters: int = DEFAULT_MAX_QUARTERS,
    ) -> Exchange:
        """Record help given, refusing an amount out of range and help to oneself."""
        check_quarters(quarters, max_quarters)
        if helper_id == recipient_id:
            raise SelfHelpError(helper_id)
        return cls(
            helper_id=helper_id,
            recipient_id=recipient_id,
            quarters=quarters,
            category=Category(category),
            performed_on=performed_on,
        )

    @event(Recorded)
    def __init__(
        self, helper_id: UUID, recipient_id: UUID, quarters: int, category: Category, performed_on: date
    ) -> None:
        self.helper_id = helper_id
        self.recipient_id = recipient_id
        self.quarters = quarters
        self.category = Category(category)  # stored as its text value
        self.performed_on = performed_on
        self.status = ExchangeStatus.PENDING

    def confirm(self) -> None:
        """Confirm the help was given; only a pending exchange can be confirmed."""
        if self.status is not ExchangeStatus.PENDING:
            raise ExchangeAlreadyConfirmedError(self.id)
        self._confirmed(
            helper_id=self.helper_id,
            recipient_id=self.recipient_id,
            quarters=self.quarters,
            category=self.category,
            performed_on=self.performed_on,
        )

    @event(Confirmed)
    def _confirmed(
        self, helper_id: UUID, recipient_id: UUID, quarters: int, category: Category, performed_on: date
    ) -> None:
        self.status = ExchangeStatus.CONFIRMED
