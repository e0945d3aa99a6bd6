"""The members desk: registration with a capacities profile, member numbers, consents, status."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING
from uuid import UUID, uuid4

from eventsourcing.persistence import IntegrityError

from services.antenne.application.base import AntenneBase, ConcurrentChangeError, id_for
from services.antenne.domain import (
    Capacities,
    Consents,
    Member,
    MemberNotFoundError,
    MemberRoll,
    MemberStatus,
    PersonalData,
    Profile,
)
from services.antenne.domain.roll import MEMBER_ROLL_ID

if TYPE_CHECKING:
    from datetime import date

REGISTRATION_ATTEMPTS = 5


@dataclass(frozen=True)
class MemberFilter:
    """Which members a list shows; None means any."""

    status: MemberStatus | None = None
    sector: str | None = None
    language: str | None = None
    name_contains: str | None = None


class MembersDesk(AntenneBase):
    """Registers members and keeps their profile, consents and status."""

    def register_member(
        self,
        display_name: str | Profile,
        registered_on: date | None = None,
        *,
        idempotency_key: str | None = None,
        member_id: UUID | None = None,
    ) -> UUID:
        """Register a neighbour (a name alone, or a whole profile) under the next member number."""
        profile = display_name if isinstance(display_name, Profile) else Profile(PersonalData(display_name))
        if idempotency_key:
            member_id = id_for(idempotency_key, "members")
        if member_id is not None and self._exists(member_id):
            return member_id
        for _ in range(REGISTRATION_ATTEMPTS):
            try:
                return self._register(profile, registered_on or self.today(), member_id)
            except IntegrityError:
                # Another desk took the same number at the same moment: take the next one.
                if member_id is not None and self._exists(member_id):
                    return member_id
        raise ConcurrentChangeError("the member roll")

    def _register(self, profile: Profile, registered_on: date, member_id: UUID | None) -> UUID:
        roll = self._roll()
        member_id = member_id or uuid4()
        member = Member.register(
            profile.personal,
            registered_on,
            number=roll.issue(member_id),
            capacities=profile.capacities,
            consents=profile.consents,
            member_id=member_id,
        )
        # The roll's version guards the number: a concurrent registration makes this save fail.
        self.save(member, roll)
        return member.id

    def _roll(self) -> MemberRoll:
        if self._exists(MEMBER_ROLL_ID):
            roll: MemberRoll = self.repository.get(MEMBER_ROLL_ID)
            return roll
        return MemberRoll.open(self.practice.member_prefix)

    def get_member(self, member_id: UUID) -> Member:
        """One member, as the aggregate (the API picks what to show)."""
        return self._load(member_id, Member, MemberNotFoundError)

    def member_by_number(self, number: str) -> Member:
        """The member who holds a member number such as `JET-0042`."""
        member_id = self._roll().member_id(number)
        if member_id is None:
            raise MemberNotFoundError(number)
        return self.get_member(member_id)

    def members(self, where: MemberFilter | None = None) -> list[Member]:
        """Members in registration order, filtered."""
        where = where or MemberFilter()
        found = [self.get_member(member_id) for member_id in self.catalogue.ids("Member")]
        return [member for member in found if _matches(member, where)]

    def update_profile(
        self,
        member_id: UUID,
        personal: PersonalData,
        capacities: Capacities,
        *,
        idempotency_key: str | None = None,
    ) -> None:
        """Replace a member's profile as they tell it now."""
        if self.already_recorded(idempotency_key):
            return
        member = self.get_member(member_id)
        member.update_profile(personal, capacities, self.today())
        self._save_together(f"member {member_id}", member, key=idempotency_key)

    def change_consents(
        self, member_id: UUID, consents: Consents, *, idempotency_key: str | None = None
    ) -> None:
        """Record what a member agrees to now."""
        if self.already_recorded(idempotency_key):
            return
        member = self.get_member(member_id)
        member.change_consents(consents)
        self._save_together(f"member {member_id}", member, key=idempotency_key)

    def register_insurance(
        self, member_id: UUID, insured_on: date, *, idempotency_key: str | None = None
    ) -> None:
        """Note when a member's volunteer insurance was registered."""
        if self.already_recorded(idempotency_key):
            return
        member = self.get_member(member_id)
        member.register_insurance(insured_on)
        self._save_together(f"member {member_id}", member, key=idempotency_key)

    def change_status(
        self, member_id: UUID, status: MemberStatus, *, idempotency_key: str | None = None
    ) -> None:
        """Pause, resume or end a member's participation."""
        if self.already_recorded(idempotency_key):
            return
        member = self.get_member(member_id)
        member.change_status(status, self.today())
        self._save_together(f"member {member_id}", member, key=idempotency_key)

    def balance(self, member_id: UUID) -> int:
        """A member's time credits at this antenne, in quarter hours."""
        return self.get_member(member_id).balance

    def _get_member(self, member_id: UUID) -> Member:
        return self.get_member(member_id)


def _matches(member: Member, where: MemberFilter) -> bool:
    name = where.name_contains
    return (
        (where.status is None or member.status is where.status)
        and (where.sector is None or member.capacities.sector == where.sector)
        and (where.language is None or where.language in member.capacities.languages)
        and (name is None or name.casefold() in member.display_name.casefold())
    )
