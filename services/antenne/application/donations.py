"""The donations desk: saved hours given to a member or the solidarity pool, and grants from the pool."""

from __future__ import annotations

from typing import TYPE_CHECKING
from uuid import UUID, uuid4

from services.antenne.application.base import AntenneBase, id_for
from services.antenne.domain import Member, MemberNotFoundError, PostingKind
from services.antenne.domain.donations import (
    POOL_ID,
    Donation,
    DonationStatus,
    GrantReason,
    ReturnTo,
    SolidarityPool,
    check_savings,
)
from services.antenne.domain.errors import DonationNotFoundError, HelpRequestNotFoundError
from services.antenne.domain.requests import HelpRequest
from services.antenne.domain.rules import Gift, judge_gift

if TYPE_CHECKING:
    from datetime import date

    from eventsourcing.domain import Aggregate


class DonationsDesk(AntenneBase):
    """Moves saved quarters between members and the pool; every move is a pair of postings."""

    def donate(
        self,
        donor_id: UUID,
        quarters: int,
        *,
        to_member_id: UUID | None = None,
        earmarked_for_member: UUID | None = None,
        earmarked_for_request: UUID | None = None,
        expires_on: date | None = None,
        returns_to: ReturnTo = ReturnTo.DONOR,
        idempotency_key: str | None = None,
    ) -> UUID:
        """Give saved quarters to a member, to the pool, or earmarked until `expires_on`; returns its id."""
        donation_id = id_for(idempotency_key, "donations") if idempotency_key else uuid4()
        if self._exists(donation_id):
            return donation_id
        today = self.today()
        donor = self._member(donor_id)
        check_savings(donor.balance, quarters)
        for other in (to_member_id, earmarked_for_member):
            if other is not None:
                self._member(other).check_accepts_postings()
        if earmarked_for_request is not None:
            self._load(earmarked_for_request, HelpRequest, HelpRequestNotFoundError)
        flags = self._gift_flags(donor_id, to_member_id, quarters, today)
        donation = Donation.make(
            donor_id, quarters, today, to_member_id=to_member_id, earmarked_for_member=earmarked_for_member,
            earmarked_for_request=earmarked_for_request, expires_on=expires_on, returns_to=returns_to,
            donation_id=donation_id, flagged_by=flags,
        )  # fmt: skip
        if flags:
            self._save_together(f"donation {donation.id}", donation)
            return donation.id
        donor.debit(donation.id, quarters, today, PostingKind.DONATION)
        receivers: list[Aggregate] = []
        if to_member_id is not None:
            receiver = self._member(to_member_id)
            receiver.credit(donation.id, quarters, today, PostingKind.DONATION)
            receivers.append(receiver)
        elif donation.to_pool:
            pool = self.pool()
            pool.receive(donation.id, quarters)
            receivers.append(pool)
        self._save_together(f"donation {donation.id}", donation, donor, *receivers)
        return donation.id

    def _gift_flags(self, donor_id: UUID, to_member_id: UUID | None, quarters: int, today: date) -> list[str]:
        guard = self.practice.guard
        if guard is None or to_member_id is None:
            return []
        counted = (DonationStatus.GIVEN, DonationStatus.FLAGGED)
        past = tuple(
            Gift(d.donor_id, d.to_member_id, d.quarters, d.made_on)
            for d in self.donations()
            if d.to_member_id is not None and d.status in counted
        )
        return judge_gift(Gift(donor_id, to_member_id, quarters, today), past, guard)

    def approve_donation(
        self, donation_id: UUID, reviewer: str, *, idempotency_key: str | None = None
    ) -> None:
        """A coordinator lets a flagged gift go through: the quarters move now, if the donor has them."""
        if self.already_recorded(idempotency_key):
            return
        donation = self.get_donation(donation_id)
        today = self.today()
        donation.approve(reviewer, today)
        donor = self._member(donation.donor_id)
        check_savings(donor.balance, donation.quarters)
        receiver = self._member(donation.to_member_id or donation.donor_id)
        donor.debit(donation.id, donation.quarters, today, PostingKind.DONATION)
        receiver.credit(donation.id, donation.quarters, today, PostingKind.DONATION)
        self._save_together(f"donation {donation_id}", donation, donor, receiver, key=idempotency_key)

    def reject_donation(
        self, donation_id: UUID, reviewer: str, *, idempotency_key: str | None = None
    ) -> None:
        """A coordinator stops a flagged gift; nothing moves."""
        if self.already_recorded(idempotency_key):
            return
        donation = self.get_donation(donation_id)
        donation.reject(reviewer, self.today())
        self._save_together(f"donation {donation_id}", donation, key=idempotency_key)

    def use_donation(self, donation_id: UUID, *, idempotency_key: str | None = None) -> None:
        """Hand an earmarked donation to the member it names, or to the asker of the request it names."""
        if self.already_recorded(idempotency_key):
            return
        donation = self.get_donation(donation_id)
        beneficiary_id = donation.earmarked_for_member
        if beneficiary_id is None and donation.earmarked_for_request is not None:
            request = self._load(donation.earmarked_for_request, HelpRequest, HelpRequestNotFoundError)
            beneficiary_id = request.member_id
        today = self.today()
        donation.use(beneficiary_id or donation.donor_id, today)
        beneficiary = self._member(donation.beneficiary_id or donation.donor_id)
        beneficiary.credit(donation.id, donation.quarters, today, PostingKind.DONATION)
        self._save_together(f"donation {donation_id}", donation, beneficiary, key=idempotency_key)

    def return_expired_donations(self) -> list[UUID]:
        """Give every expired, unused earmarked donation back to its donor or to the pool."""
        today = self.today()
        expired = [d for d in self.donations() if d.is_expired(today)]
        for donation in expired:
            donation.give_back(today)
            receiver: Aggregate
            if donation.returns_to is ReturnTo.DONOR:
                receiver = self._member(donation.donor_id)
                receiver.credit(donation.id, donation.quarters, today, PostingKind.RETURN)
            else:
                receiver = self.pool()
                receiver.receive(donation.id, donation.quarters)
            self._save_together(f"donation {donation.id}", donation, receiver)
        return [d.id for d in expired]

    def grant_from_pool(
        self,
        member_id: UUID,
        quarters: int,
        reason: GrantReason,
        note: str = "",
        *,
        idempotency_key: str | None = None,
    ) -> UUID:
        """Grant pool quarters to a member who needs more support than they can give; returns the grant id."""
        grant_id = id_for(idempotency_key, "grants") if idempotency_key else uuid4()
        if self.already_recorded(idempotency_key):
            return grant_id
        today = self.today()
        member = self._member(member_id)
        pool = self.pool()
        pool.grant(grant_id, member_id, quarters, reason, today, note)
        member.credit(grant_id, quarters, today, PostingKind.GRANT)
        self._save_together("the solidarity pool", pool, member, key=idempotency_key)
        return grant_id

    def pool(self) -> SolidarityPool:
        """The antenne's solidarity pool (empty until the first gift)."""
        if self._exists(POOL_ID):
            pool: SolidarityPool = self.repository.get(POOL_ID)
            return pool
        return SolidarityPool.open()

    def get_donation(self, donation_id: UUID) -> Donation:
        """One donation."""
        return self._load(donation_id, Donation, DonationNotFoundError)

    def donations(
        self, member_id: UUID | None = None, status: DonationStatus | None = None
    ) -> list[Donation]:
        """Donations in the order made, by or to one member and in one status if given."""
        found = [self.get_donation(i) for i in self.catalogue.ids("Donation")]
        return [
            d
            for d in found
            if (member_id is None or _involves(d, member_id)) and (status is None or d.status is status)
        ]

    def _member(self, member_id: UUID) -> Member:
        return self._load(member_id, Member, MemberNotFoundError)


def _involves(donation: Donation, member_id: UUID) -> bool:
    parties = (
        donation.donor_id,
        donation.to_member_id,
        donation.earmarked_for_member,
        donation.beneficiary_id,
    )
    return member_id in parties
