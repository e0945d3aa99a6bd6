"""Donations of saved hours and the antenne's solidarity pool.

A member gives saved quarters to another member or to the pool. An earmarked donation (for a member or a
help request) is held apart until a coordinator uses it; unused by its expiry it returns to the donor or
to the pool, as the donor chose. Coordinators grant pool quarters to members who need more support than
they can give; the pool never goes below zero.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate, event

from contracts.antenne.v1 import GrantReason, ReturnTo
from services.antenne.domain.errors import (
    ConflictError,
    DonationStateError,
    InsufficientSavingsError,
    PoolExhaustedError,
)
from services.antenne.domain.postings import check_positive

POOL_ID = uuid5(NAMESPACE_URL, "/antenne/solidarity-pool")


class DonationStatus(StrEnum):
    """Whether a donation is given, held for its earmark, used, or returned."""

    FLAGGED = "flagged"  # waits for a coordinator's review (abuse guard): nothing moved yet
    REJECTED = "rejected"
    GIVEN = "given"
    HELD = "held"
    USED = "used"
    RETURNED = "returned"


def check_savings(balance: int, quarters: int) -> None:
    """Only saved hours can be given away: a member cannot donate beyond their balance."""
    check_positive(quarters)
    if quarters > balance:
        raise InsufficientSavingsError(quarters, balance)


class Donation(Aggregate):
    """Quarters a member gave: to a member, to the pool, or earmarked until a date."""

    class Made(Aggregate.Created):
        donor_id: UUID
        quarters: int
        made_on: date
        to_member_id: UUID | None  # None: to the pool
        earmarked_for_member: UUID | None
        earmarked_for_request: UUID | None
        expires_on: date | None
        returns_to: str
        flagged_by: list[str]

    # Amounts and parties ride along, so the relay maps each event on its own.
    class Approved(Aggregate.Event):
        donor_id: UUID
        to_member_id: UUID | None
        quarters: int
        reviewer: str
        approved_on: date

    class Rejected(Aggregate.Event):
        reviewer: str
        rejected_on: date

    class Used(Aggregate.Event):
        beneficiary_id: UUID
        quarters: int
        used_on: date

    class Returned(Aggregate.Event):
        donor_id: UUID
        quarters: int
        returned_to: str
        returned_on: date

    @classmethod
    def make(
        cls,
        donor_id: UUID,
        quarters: int,
        made_on: date,
        *,
        to_member_id: UUID | None = None,
        earmarked_for_member: UUID | None = None,
        earmarked_for_request: UUID | None = None,
        expires_on: date | None = None,
        returns_to: ReturnTo = ReturnTo.DONOR,
        donation_id: UUID | None = None,
        flagged_by: list[str] | None = None,
    ) -> Donation:
        """Give quarters; an earmark needs an expiry in the future, a direct gift has none."""
        check_positive(quarters)
        earmarked = earmarked_for_member is not None or earmarked_for_request is not None
        if earmarked and (expires_on is None or expires_on <= made_on):
            raise ConflictError("an earmarked donation needs expires_on after today")
        if earmarked and to_member_id is not None:
            raise ConflictError("a donation goes to a member, or is earmarked, not both")
        if flagged_by and to_member_id is None:
            raise ConflictError("only a gift to a member is held for review")
        if to_member_id == donor_id or earmarked_for_member == donor_id:
            raise ConflictError("a member cannot donate to themself")
        return cls._create(
            cls.Made,
            donor_id=donor_id, quarters=quarters, made_on=made_on, to_member_id=to_member_id,
            earmarked_for_member=earmarked_for_member, earmarked_for_request=earmarked_for_request,
            expires_on=expires_on if earmarked else None, returns_to=str(returns_to),
            flagged_by=flagged_by or [], id=donation_id,
        )  # fmt: skip

    @event(Made)
    def __init__(
        self,
        donor_id: UUID,
        quarters: int,
        made_on: date,
        to_member_id: UUID | None,
        earmarked_for_member: UUID | None,
        earmarked_for_request: UUID | None,
        expires_on: date | None,
        returns_to: str,
        flagged_by: list[str],
    ) -> None:
        self.donor_id = donor_id
        self.quarters = quarters
        self.made_on = made_on
        self.to_member_id = to_member_id
        self.earmarked_for_member = earmarked_for_member
        self.earmarked_for_request = earmarked_for_request
        self.expires_on = expires_on
        self.returns_to = ReturnTo(returns_to)
        earmarked = earmarked_for_member is not None or earmarked_for_request is not None
        self.status = DonationStatus.HELD if earmarked else DonationStatus.GIVEN
        if flagged_by:
            # Held for review from the start: nothing moves until a coordinator approves.
            self.status = DonationStatus.FLAGGED
        self.beneficiary_id: UUID | None = None
        self.flagged_by = list(flagged_by)

    def approve(self, reviewer: str, on: date) -> None:
        """A coordinator lets a flagged gift go through."""
        if self.status is not DonationStatus.FLAGGED:
            raise DonationStateError(self.id, self.status, "approved")
        self._approved(
            donor_id=self.donor_id, to_member_id=self.to_member_id, quarters=self.quarters, reviewer=reviewer,
            approved_on=on,
        )  # fmt: skip

    @event(Approved)
    def _approved(
        self, donor_id: UUID, to_member_id: UUID | None, quarters: int, reviewer: str, approved_on: date
    ) -> None:
        self.status = DonationStatus.GIVEN

    def reject(self, reviewer: str, on: date) -> None:
        """A coordinator stops a flagged gift: nothing moves."""
        if self.status is not DonationStatus.FLAGGED:
            raise DonationStateError(self.id, self.status, "rejected")
        self._rejected(reviewer=reviewer, rejected_on=on)

    @event(Rejected)
    def _rejected(self, reviewer: str, rejected_on: date) -> None:
        self.status = DonationStatus.REJECTED

    @property
    def to_pool(self) -> bool:
        """A gift to the solidarity pool."""
        return self.status is DonationStatus.GIVEN and self.to_member_id is None

    def use(self, beneficiary_id: UUID, on: date) -> None:
        """A coordinator hands the held quarters to the member the earmark names (or the request's asker)."""
        if self.status is not DonationStatus.HELD:
            raise DonationStateError(self.id, self.status, "used")
        if self.expires_on is not None and on > self.expires_on:
            raise DonationStateError(self.id, "expired", "used")
        if self.earmarked_for_member is not None and beneficiary_id != self.earmarked_for_member:
            raise DonationStateError(self.id, "earmarked for another member", "used for this one")
        self._used(beneficiary_id=beneficiary_id, quarters=self.quarters, used_on=on)

    @event(Used)
    def _used(self, beneficiary_id: UUID, quarters: int, used_on: date) -> None:
        self.status = DonationStatus.USED
        self.beneficiary_id = beneficiary_id

    def is_expired(self, today: date) -> bool:
        """Held past its expiry: it goes back."""
        return self.status is DonationStatus.HELD and self.expires_on is not None and today > self.expires_on

    def give_back(self, on: date) -> None:
        """Return an expired earmarked donation to the donor or the pool."""
        if not self.is_expired(on):
            raise DonationStateError(self.id, self.status, "returned before it expired")
        self._returned(
            donor_id=self.donor_id, quarters=self.quarters, returned_to=str(self.returns_to), returned_on=on
        )

    @event(Returned)
    def _returned(self, donor_id: UUID, quarters: int, returned_to: str, returned_on: date) -> None:
        self.status = DonationStatus.RETURNED


class SolidarityPool(Aggregate):
    """The antenne's pool of donated quarters; coordinators grant from it, never below zero."""

    class Opened(Aggregate.Created):
        pass

    class Received(Aggregate.Event):
        source_id: UUID
        quarters: int

    class Granted(Aggregate.Event):
        grant_id: UUID
        member_id: UUID
        quarters: int
        reason: str
        granted_on: date
        note: str  # free text: stays at the antenne

    @classmethod
    def open(cls) -> SolidarityPool:
        """The antenne's one pool."""
        return cls._create(cls.Opened, id=POOL_ID)

    @event(Opened)
    def __init__(self) -> None:
        self.balance = 0

    def receive(self, source_id: UUID, quarters: int) -> None:
        """Quarters given or returned to the pool."""
        check_positive(quarters)
        self._received(source_id=source_id, quarters=quarters)

    @event(Received)
    def _received(self, source_id: UUID, quarters: int) -> None:
        self.balance += quarters

    def grant(
        self, grant_id: UUID, member_id: UUID, quarters: int, reason: GrantReason, on: date, note: str = ""
    ) -> None:
        """Grant pool quarters to a member who needs more support than they can give."""
        check_positive(quarters)
        if quarters > self.balance:
            raise PoolExhaustedError(quarters, self.balance)
        self._granted(
            grant_id=grant_id,
            member_id=member_id,
            quarters=quarters,
            reason=str(reason),
            granted_on=on,
            note=note,
        )

    @event(Granted)
    def _granted(
        self, grant_id: UUID, member_id: UUID, quarters: int, reason: str, granted_on: date, note: str
    ) -> None:
        self.balance -= quarters


__all__ = [
    "POOL_ID",
    "Donation",
    "DonationStatus",
    "GrantReason",
    "ReturnTo",
    "SolidarityPool",
    "check_savings",
]
