"""Help requests and offers: what members ask and give, and the match a coordinator makes between them.

A request's life: open -> proposed (a coordinator names a helper) -> matched (the helper accepts)
-> done (help recorded); a declined proposal reopens it; it can be cancelled or expire while not done.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from contracts.antenne.v1 import Category
from services.antenne.domain.errors import HelpRequestStateError, NotTheProposedHelperError, SelfHelpError


class RequestStatus(StrEnum):
    """Where a help request stands."""

    OPEN = "open"
    PROPOSED = "proposed"
    MATCHED = "matched"
    DONE = "done"
    CANCELLED = "cancelled"
    EXPIRED = "expired"


class HelpRequest(Aggregate):
    """A member asks for help; the description is free text and stays at the antenne."""

    class Taken(Aggregate.Created):
        member_id: UUID
        category: Category
        preferred_dates: list[date]
        sector: str | None
        language: str | None
        taken_on: date
        personal: dict[str, str]

    class HelperProposed(Aggregate.Event):
        helper_id: UUID

    class HelperAccepted(Aggregate.Event):
        helper_id: UUID

    class HelperDeclined(Aggregate.Event):
        helper_id: UUID

    class Done(Aggregate.Event):
        exchange_id: UUID
        done_on: date

    class Cancelled(Aggregate.Event):
        cancelled_on: date

    class Expired(Aggregate.Event):
        expired_on: date

    @classmethod
    def take(
        cls,
        member_id: UUID,
        category: Category,
        taken_on: date,
        *,
        preferred_dates: list[date] | None = None,
        sector: str | None = None,
        language: str | None = None,
        description: str = "",
        request_id: UUID | None = None,
    ) -> HelpRequest:
        """Take a member's request for help at the desk."""
        return cls._create(
            cls.Taken,
            member_id=member_id,
            category=Category(category),
            preferred_dates=sorted(preferred_dates or []),
            sector=sector,
            language=language,
            taken_on=taken_on,
            personal={"description": description},
            id=request_id,
        )

    @event(Taken)
    def __init__(
        self,
        member_id: UUID,
        category: Category,
        preferred_dates: list[date],
        sector: str | None,
        language: str | None,
        taken_on: date,
        personal: dict[str, str],
    ) -> None:
        self.member_id = member_id
        self.category = Category(category)
        self.preferred_dates = list(preferred_dates)
        self.sector = sector
        self.language = language
        self.taken_on = taken_on
        self.description = personal["description"]
        self.status = RequestStatus.OPEN
        self.helper_id: UUID | None = None
        self.declined_by: list[UUID] = []
        self.exchange_id: UUID | None = None

    def propose(self, helper_id: UUID) -> None:
        """A coordinator proposes a helper for an open request."""
        self._check_status({RequestStatus.OPEN}, "given a proposed helper")
        if helper_id == self.member_id:
            raise SelfHelpError(helper_id)
        self._helper_proposed(helper_id=helper_id)

    @event(HelperProposed)
    def _helper_proposed(self, helper_id: UUID) -> None:
        self.status = RequestStatus.PROPOSED
        self.helper_id = helper_id

    def accept(self, helper_id: UUID) -> None:
        """The proposed helper accepts: the request is matched."""
        self._check_proposed(helper_id, "accepted")
        self._helper_accepted(helper_id=helper_id)

    @event(HelperAccepted)
    def _helper_accepted(self, helper_id: UUID) -> None:
        self.status = RequestStatus.MATCHED

    def decline(self, helper_id: UUID) -> None:
        """The proposed helper declines: the request is open again and they are not suggested again."""
        self._check_proposed(helper_id, "declined")
        self._helper_declined(helper_id=helper_id)

    @event(HelperDeclined)
    def _helper_declined(self, helper_id: UUID) -> None:
        self.status = RequestStatus.OPEN
        self.helper_id = None
        self.declined_by.append(helper_id)

    def close_with(self, exchange_id: UUID, on: date) -> None:
        """Help was recorded for this request: it is done."""
        self._check_status({RequestStatus.OPEN, RequestStatus.PROPOSED, RequestStatus.MATCHED}, "closed")
        self._done(exchange_id=exchange_id, done_on=on)

    @event(Done)
    def _done(self, exchange_id: UUID, done_on: date) -> None:
        self.status = RequestStatus.DONE
        self.exchange_id = exchange_id

    def cancel(self, on: date) -> None:
        """The member or a coordinator withdraws the request."""
        self._check_status({RequestStatus.OPEN, RequestStatus.PROPOSED, RequestStatus.MATCHED}, "cancelled")
        self._cancelled(cancelled_on=on)

    @event(Cancelled)
    def _cancelled(self, cancelled_on: date) -> None:
        self.status = RequestStatus.CANCELLED

    def expire(self, on: date) -> None:
        """An open request whose last preferred date has passed expires."""
        self._check_status({RequestStatus.OPEN, RequestStatus.PROPOSED}, "expired")
        self._expired(expired_on=on)

    @event(Expired)
    def _expired(self, expired_on: date) -> None:
        self.status = RequestStatus.EXPIRED

    def is_stale(self, today: date) -> bool:
        """Still waiting for a helper although every preferred date has passed."""
        waiting = self.status in (RequestStatus.OPEN, RequestStatus.PROPOSED)
        return waiting and bool(self.preferred_dates) and self.preferred_dates[-1] < today

    def _check_proposed(self, helper_id: UUID, step: str) -> None:
        self._check_status({RequestStatus.PROPOSED}, step)
        if helper_id != self.helper_id:
            raise NotTheProposedHelperError(self.id, helper_id)

    def _check_status(self, allowed: set[RequestStatus], step: str) -> None:
        if self.status not in allowed:
            raise HelpRequestStateError(self.id, self.status, step)


class OfferStatus(StrEnum):
    """Whether an offer still stands."""

    OPEN = "open"
    WITHDRAWN = "withdrawn"


class HelpOffer(Aggregate):
    """A member offers help in a category; matching reads it beside their capacities profile."""

    class Made(Aggregate.Created):
        member_id: UUID
        category: Category
        made_on: date
        personal: dict[str, str]

    class Withdrawn(Aggregate.Event):
        withdrawn_on: date

    @classmethod
    def make(
        cls, member_id: UUID, category: Category, made_on: date, *, description: str = "",
        offer_id: UUID | None = None,
    ) -> HelpOffer:  # fmt: skip
        """Record what a member offers to do for others."""
        return cls._create(
            cls.Made,
            member_id=member_id,
            category=Category(category),
            made_on=made_on,
            personal={"description": description},
            id=offer_id,
        )

    @event(Made)
    def __init__(self, member_id: UUID, category: Category, made_on: date, personal: dict[str, str]) -> None:
        self.member_id = member_id
        self.category = Category(category)
        self.made_on = made_on
        self.description = personal["description"]
        self.status = OfferStatus.OPEN

    def withdraw(self, on: date) -> None:
        """The member no longer offers this (withdrawing twice changes nothing)."""
        if self.status is OfferStatus.OPEN:
            self._withdrawn(withdrawn_on=on)

    @event(Withdrawn)
    def _withdrawn(self, withdrawn_on: date) -> None:
        self.status = OfferStatus.WITHDRAWN
