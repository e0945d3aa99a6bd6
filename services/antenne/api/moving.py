"""Moving: the source antenne hands a member's profile over; the destination receives it."""

from __future__ import annotations

from uuid import UUID

from fastapi import APIRouter, status
from pydantic import BaseModel, Field

from contracts.subjects import ANTENNE_ID_PATTERN
from services.antenne.api.deps import API, PROTECTED, AntenneDep, RelayDep
from services.antenne.api.members import MemberRegistered
from services.antenne.api.profiles import ConsentsBody, ProfileBody
from services.antenne.application import Handover
from services.antenne.domain import Profile


class HandoverRequest(BaseModel):
    """Where the member moves, and their consent to hand their profile over."""

    to_antenne: str = Field(pattern=ANTENNE_ID_PATTERN, description="The destination antenne's id.")
    member_consents: bool = Field(description="The member agreed that their profile goes along.")


class HandoverPackage(BaseModel):
    """What the destination antenne receives: personal data, for that antenne only (invariant 8)."""

    member_id: UUID = Field(description="The global id: it stays.")
    from_antenne: str
    to_antenne: str
    balance: int = Field(description="In quarter hours: it stays, to the quarter hour.")
    profile: ProfileBody
    consents: ConsentsBody

    @classmethod
    def of(cls, handover: Handover) -> HandoverPackage:
        """Copy a handover."""
        profile = handover.profile
        return cls(
            member_id=handover.member_id,
            from_antenne=handover.from_antenne,
            to_antenne=handover.to_antenne,
            balance=handover.balance,
            profile=ProfileBody.of(profile.personal, profile.capacities),
            consents=ConsentsBody(**profile.consents.__dict__),
        )

    def handover(self) -> Handover:
        """The application's value."""
        profile = Profile(self.profile.personal(), self.profile.capacities(), self.consents.consents())
        return Handover(self.member_id, self.from_antenne, self.to_antenne, self.balance, profile)


router = APIRouter(prefix=f"{API}/members", tags=["moving"], dependencies=PROTECTED)


@router.post("/{member_id}/handover")
def hand_over_member(
    member_id: UUID, body: HandoverRequest, antenne: AntenneDep, relay: RelayDep
) -> HandoverPackage:
    """Hand a member over to another antenne (with consent); this antenne posts nothing more for them."""
    handover = antenne.hand_over_member(
        member_id, relay.antenne_id, body.to_antenne, member_consents=body.member_consents
    )
    return HandoverPackage.of(handover)


@router.post("/arrivals", status_code=status.HTTP_201_CREATED)
def receive_member(body: HandoverPackage, antenne: AntenneDep) -> MemberRegistered:
    """Receive a member who moved here: same global id and balance, a number of this antenne."""
    member_id = antenne.receive_member(body.handover())
    return MemberRegistered(member_id=member_id, number=antenne.get_member(member_id).number)
