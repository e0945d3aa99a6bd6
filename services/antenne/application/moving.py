"""The antenne side of a move: the source hands the profile over, the destination receives it.

The member keeps their global id and balance; the source posts nothing more for them. The profile (with
personal data) goes from antenne to antenne only, with the member's consent; the public events carry the
facts of the move for the ledger (`member.moved_out`, `member.moved_in`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from services.antenne.application.members import MembersDesk
from services.antenne.domain import Member, MemberNotFoundError, Profile

if TYPE_CHECKING:
    from uuid import UUID


@dataclass(frozen=True)
class Handover:
    """What a source antenne gives the destination: the member's id, profile and balance."""

    member_id: UUID
    from_antenne: str
    to_antenne: str
    balance: int
    profile: Profile


class MovingDesk(MembersDesk):
    """Hands members over to other antennes and receives those who move here."""

    def hand_over_member(
        self, member_id: UUID, from_antenne: str, to_antenne: str, *, member_consents: bool
    ) -> Handover:
        """Hand a member over to `to_antenne`, with their consent; a repeat hands over the same again."""
        member = self._load(member_id, Member, MemberNotFoundError)
        if member.moved_to != to_antenne:
            member.hand_over(to_antenne, self.today(), member_consents=member_consents)
            self._save_together(f"member {member_id}", member)
        profile = Profile(member.personal, member.capacities, member.consents)
        return Handover(member.id, from_antenne, to_antenne, member.balance, profile)

    def receive_member(self, handover: Handover) -> UUID:
        """Register a member who moved here under their global id, with the balance they bring."""
        if self._exists(handover.member_id):
            return handover.member_id  # received before: a retried handover changes nothing
        member_id = self.register_member(handover.profile, member_id=handover.member_id)
        member = self._load(member_id, Member, MemberNotFoundError)
        member.arrive(handover.from_antenne, handover.balance, self.today())
        self._save_together(f"member {member_id}", member)
        return member_id
