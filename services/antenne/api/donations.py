"""Donations of saved hours and the solidarity pool."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from fastapi import APIRouter, status
from pydantic import BaseModel, ConfigDict, Field

from contracts.antenne.v1 import GrantReason, ReturnTo
from services.antenne.api.deps import API, PROTECTED, ActorDep, AntenneDep, KeyDep, Page, PageDep
from services.antenne.domain.donations import Donation, DonationStatus


class NewDonation(BaseModel):
    """Saved quarters given to a member, to the pool (no recipient, no earmark), or earmarked."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"donor_id": "0b6f2c1d-9a10-4a57-9d1f-6f1c0e558d4e", "quarters": 8},
                {
                    "donor_id": "0b6f2c1d-9a10-4a57-9d1f-6f1c0e558d4e",
                    "quarters": 4,
                    "earmarked_for_member": "6f1c0e55-8d4e-4a57-9d1f-0b6f2c1d9a10",
                    "expires_on": "2027-03-01",
                    "returns_to": "pool",
                },
            ]
        }
    )

    donor_id: UUID
    quarters: int = Field(strict=True, gt=0, description="Saved quarters given; at most the donor's balance.")
    to_member_id: UUID | None = Field(default=None, description="Given at once to this member.")
    earmarked_for_member: UUID | None = Field(default=None, description="Held until used for this member.")
    earmarked_for_request: UUID | None = Field(default=None, description="Held until used for this request.")
    expires_on: date | None = Field(default=None, description="Needed with an earmark: unused by then, back.")
    returns_to: ReturnTo = Field(default=ReturnTo.DONOR, description="Where an unused earmark goes back.")


class DonationView(BaseModel):
    """A donation and where it stands."""

    donation_id: UUID
    donor_id: UUID
    quarters: int
    made_on: date
    to_member_id: UUID | None
    earmarked_for_member: UUID | None
    earmarked_for_request: UUID | None
    expires_on: date | None
    returns_to: ReturnTo
    status: DonationStatus
    beneficiary_id: UUID | None
    flagged_by: list[str] = Field(default_factory=list, description="Rules that hold it for review.")

    @classmethod
    def of(cls, d: Donation) -> DonationView:
        """The view of a donation aggregate."""
        return cls(
            donation_id=d.id, donor_id=d.donor_id, quarters=d.quarters, made_on=d.made_on,
            to_member_id=d.to_member_id, earmarked_for_member=d.earmarked_for_member,
            earmarked_for_request=d.earmarked_for_request, expires_on=d.expires_on, returns_to=d.returns_to,
            status=d.status, beneficiary_id=d.beneficiary_id, flagged_by=d.flagged_by,
        )  # fmt: skip


class NewGrant(BaseModel):
    """Pool quarters granted to a member who needs more support than they can give."""

    member_id: UUID
    quarters: int = Field(strict=True, gt=0)
    reason: GrantReason
    note: str = Field(default="", max_length=2000, description="Free text: stays at this antenne.")


class Grant(BaseModel):
    """The grant just made and what is left in the pool."""

    grant_id: UUID
    pool_balance: int


class Pool(BaseModel):
    """The antenne's solidarity pool."""

    balance: int = Field(description="In quarter hours; never below zero.")


class Returned(BaseModel):
    """The donations given back."""

    donation_ids: list[UUID]


router = APIRouter(prefix=API, tags=["donations and pool"], dependencies=PROTECTED)


@router.post("/donations", status_code=status.HTTP_201_CREATED)
def donate(body: NewDonation, antenne: AntenneDep, key: KeyDep) -> DonationView:
    """Give saved quarters to a member, to the pool, or earmarked for a member or request until a date."""
    donation_id = antenne.donate(
        body.donor_id, body.quarters, to_member_id=body.to_member_id,
        earmarked_for_member=body.earmarked_for_member, earmarked_for_request=body.earmarked_for_request,
        expires_on=body.expires_on, returns_to=body.returns_to, idempotency_key=key,
    )  # fmt: skip
    return DonationView.of(antenne.get_donation(donation_id))


@router.get("/donations")
def list_donations(
    antenne: AntenneDep, page: PageDep, member_id: UUID | None = None, status: DonationStatus | None = None
) -> Page[DonationView]:
    """Donations in the order made, by or to one member, in one status, paginated."""
    return Page.of([DonationView.of(d) for d in antenne.donations(member_id, status)], page)


@router.post("/donations/return-expired")
def return_expired_donations(antenne: AntenneDep) -> Returned:
    """Give every expired, unused earmarked donation back to its donor or to the pool."""
    return Returned(donation_ids=antenne.return_expired_donations())


@router.get("/donations/{donation_id}")
def get_donation(donation_id: UUID, antenne: AntenneDep) -> DonationView:
    """One donation."""
    return DonationView.of(antenne.get_donation(donation_id))


@router.post("/donations/{donation_id}/use")
def use_donation(donation_id: UUID, antenne: AntenneDep, key: KeyDep) -> DonationView:
    """Hand a held, earmarked donation to the member it is meant for."""
    antenne.use_donation(donation_id, idempotency_key=key)
    return DonationView.of(antenne.get_donation(donation_id))


@router.post("/donations/{donation_id}/approve")
def approve_donation(donation_id: UUID, antenne: AntenneDep, key: KeyDep, actor: ActorDep) -> DonationView:
    """A coordinator lets a flagged gift go through."""
    antenne.approve_donation(donation_id, actor.actor_id, idempotency_key=key)
    return DonationView.of(antenne.get_donation(donation_id))


@router.post("/donations/{donation_id}/reject")
def reject_donation(donation_id: UUID, antenne: AntenneDep, key: KeyDep, actor: ActorDep) -> DonationView:
    """A coordinator stops a flagged gift; nothing moves."""
    antenne.reject_donation(donation_id, actor.actor_id, idempotency_key=key)
    return DonationView.of(antenne.get_donation(donation_id))


@router.get("/pool")
def get_pool(antenne: AntenneDep) -> Pool:
    """The solidarity pool's balance."""
    return Pool(balance=antenne.pool().balance)


@router.post("/pool/grants", status_code=status.HTTP_201_CREATED)
def grant_from_pool(body: NewGrant, antenne: AntenneDep, key: KeyDep) -> Grant:
    """Grant pool quarters to a member, with the reason; the pool never goes below zero."""
    grant_id = antenne.grant_from_pool(
        body.member_id, body.quarters, body.reason, body.note, idempotency_key=key
    )
    return Grant(grant_id=grant_id, pool_balance=antenne.pool().balance)
