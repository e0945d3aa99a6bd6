"""The matching desk: help requests and offers, ranked suggestions, proposals and their answers."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from services.antenne.application.base import AntenneBase, id_for
from services.antenne.domain import (
    HelpOfferNotFoundError,
    HelpRequestNotFoundError,
    Member,
    MemberNotFoundError,
)
from services.antenne.domain.matching import Suggestion, suggest
from services.antenne.domain.requests import HelpOffer, HelpRequest, OfferStatus, RequestStatus

if TYPE_CHECKING:
    from datetime import date
    from uuid import UUID

    from contracts.antenne.v1 import Category


@dataclass(frozen=True)
class RequestFilter:
    """Which help requests a list shows; None means any."""

    status: RequestStatus | None = None
    category: Category | None = None
    member_id: UUID | None = None
    sector: str | None = None


class MatchingDesk(AntenneBase):
    """Takes requests and offers and helps a coordinator match them."""

    def take_request(
        self,
        member_id: UUID,
        category: Category,
        *,
        preferred_dates: list[date] | None = None,
        language: str | None = None,
        description: str = "",
        idempotency_key: str | None = None,
    ) -> UUID:
        """Take a member's request for help; its sector is the member's unless they live elsewhere."""
        request_id = id_for(idempotency_key, "requests") if idempotency_key else None
        if request_id is not None and self._exists(request_id):
            return request_id
        member = self._load(member_id, Member, MemberNotFoundError)
        member.check_active()
        languages = member.capacities.languages
        request = HelpRequest.take(
            member_id, category, self.today(),
            preferred_dates=preferred_dates,
            sector=member.capacities.sector,
            language=language or (languages[0] if languages else None),
            description=description,
            request_id=request_id,
        )  # fmt: skip
        self._save_together(f"help request {request.id}", request)
        return request.id

    def make_offer(
        self,
        member_id: UUID,
        category: Category,
        *,
        description: str = "",
        idempotency_key: str | None = None,
    ) -> UUID:
        """Record what a member offers to do for others."""
        offer_id = id_for(idempotency_key, "offers") if idempotency_key else None
        if offer_id is not None and self._exists(offer_id):
            return offer_id
        self._load(member_id, Member, MemberNotFoundError).check_active()
        offer = HelpOffer.make(member_id, category, self.today(), description=description, offer_id=offer_id)
        self._save_together(f"offer {offer.id}", offer)
        return offer.id

    def withdraw_offer(self, offer_id: UUID, *, idempotency_key: str | None = None) -> None:
        """The member no longer offers this."""
        if self.already_recorded(idempotency_key):
            return
        offer = self.get_offer(offer_id)
        offer.withdraw(self.today())
        self._save_together(f"offer {offer_id}", offer, key=idempotency_key)

    def get_request(self, request_id: UUID) -> HelpRequest:
        """One help request."""
        return self._load(request_id, HelpRequest, HelpRequestNotFoundError)

    def get_offer(self, offer_id: UUID) -> HelpOffer:
        """One offer."""
        return self._load(offer_id, HelpOffer, HelpOfferNotFoundError)

    def requests(self, where: RequestFilter | None = None) -> list[HelpRequest]:
        """Help requests in the order taken, filtered."""
        where = where or RequestFilter()
        found = [self.get_request(i) for i in self.catalogue.ids("HelpRequest")]
        return [
            r
            for r in found
            if (where.status is None or r.status is where.status)
            and (where.category is None or r.category is where.category)
            and (where.member_id is None or r.member_id == where.member_id)
            and (where.sector is None or r.sector == where.sector)
        ]

    def offers(self, category: Category | None = None, open_only: bool = True) -> list[HelpOffer]:
        """Offers in the order made, of one category if given."""
        found = [self.get_offer(i) for i in self.catalogue.ids("HelpOffer")]
        return [
            o
            for o in found
            if (category is None or o.category is category)
            and (not open_only or o.status is OfferStatus.OPEN)
        ]

    def suggestions(self, request_id: UUID, limit: int = 10) -> list[Suggestion]:
        """Candidate helpers for a request, best first, each with the reasons."""
        request = self.get_request(request_id)
        members = [self._load(i, Member, MemberNotFoundError) for i in self.catalogue.ids("Member")]
        offered = {o.member_id for o in self.offers(request.category)}
        return suggest(request, members, offered, limit)

    def propose_helper(
        self, request_id: UUID, helper_id: UUID, *, idempotency_key: str | None = None
    ) -> None:
        """A coordinator proposes a helper for an open request."""
        if self.already_recorded(idempotency_key):
            return
        request = self.get_request(request_id)
        self._load(helper_id, Member, MemberNotFoundError).check_active()
        request.propose(helper_id)
        self._save_together(f"help request {request_id}", request, key=idempotency_key)

    def accept_match(self, request_id: UUID, helper_id: UUID, *, idempotency_key: str | None = None) -> None:
        """The proposed helper accepts."""
        if self.already_recorded(idempotency_key):
            return
        request = self.get_request(request_id)
        request.accept(helper_id)
        self._save_together(f"help request {request_id}", request, key=idempotency_key)

    def decline_match(self, request_id: UUID, helper_id: UUID, *, idempotency_key: str | None = None) -> None:
        """The proposed helper declines; the request is open again."""
        if self.already_recorded(idempotency_key):
            return
        request = self.get_request(request_id)
        request.decline(helper_id)
        self._save_together(f"help request {request_id}", request, key=idempotency_key)

    def cancel_request(self, request_id: UUID, *, idempotency_key: str | None = None) -> None:
        """The member or a coordinator withdraws a request."""
        if self.already_recorded(idempotency_key):
            return
        request = self.get_request(request_id)
        request.cancel(self.today())
        self._save_together(f"help request {request_id}", request, key=idempotency_key)

    def expire_stale_requests(self) -> list[UUID]:
        """Expire waiting requests whose every preferred date has passed."""
        today = self.today()
        stale = [r for r in self.requests() if r.is_stale(today)]
        for request in stale:
            request.expire(today)
            self._save_together(f"help request {request.id}", request)
        return [r.id for r in stale]
