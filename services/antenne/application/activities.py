"""The activities desk: permanence sessions and gatherings with attendance, notes on members."""

from __future__ import annotations

from typing import TYPE_CHECKING

from services.antenne.application.base import AntenneBase, id_for
from services.antenne.domain import Member, MemberNotFoundError
from services.antenne.domain.activities import Activity, ActivityKind
from services.antenne.domain.errors import ActivityNotFoundError

if TYPE_CHECKING:
    from datetime import date
    from uuid import UUID

    from services.antenne.domain.profile import Note


class ActivitiesDesk(AntenneBase):
    """Records who came to the antenne's get-togethers, and the coordinators' notes."""

    def hold_session(
        self,
        kind: ActivityKind,
        held_on: date | None = None,
        attendees: list[UUID] | None = None,
        *,
        topic: str = "",
        idempotency_key: str | None = None,
    ) -> UUID:
        """Record a permanence or gathering, with who came; returns its id."""
        activity_id = id_for(idempotency_key, "activities") if idempotency_key else None
        if activity_id is not None and self._exists(activity_id):
            return activity_id
        for member_id in attendees or []:
            self._load(member_id, Member, MemberNotFoundError)
        activity = Activity.hold(kind, held_on or self.today(), topic=topic, activity_id=activity_id)
        activity.record_attendance(attendees or [])
        self._save_together(f"activity {activity.id}", activity)
        return activity.id

    def record_attendance(
        self, activity_id: UUID, attendees: list[UUID], *, idempotency_key: str | None = None
    ) -> None:
        """Add people who signed the list later."""
        if self.already_recorded(idempotency_key):
            return
        for member_id in attendees:
            self._load(member_id, Member, MemberNotFoundError)
        activity = self.get_activity(activity_id)
        activity.record_attendance(attendees)
        self._save_together(f"activity {activity_id}", activity, key=idempotency_key)

    def get_activity(self, activity_id: UUID) -> Activity:
        """One session."""
        return self._load(activity_id, Activity, ActivityNotFoundError)

    def activities(self, kind: ActivityKind | None = None, member_id: UUID | None = None) -> list[Activity]:
        """Sessions in the order recorded, of one kind, or that one member came to."""
        found = [self.get_activity(i) for i in self.catalogue.ids("Activity")]
        return [
            a
            for a in found
            if (kind is None or a.kind is kind) and (member_id is None or member_id in a.attendees)
        ]

    def note_on_member(
        self, member_id: UUID, text: str, author: str, *, idempotency_key: str | None = None
    ) -> None:
        """A coordinator's internal note on a member."""
        if self.already_recorded(idempotency_key):
            return
        member = self._load(member_id, Member, MemberNotFoundError)
        member.add_note(text, author, self.today())
        self._save_together(f"member {member_id}", member, key=idempotency_key)

    def notes_on_member(self, member_id: UUID) -> list[Note]:
        """The coordinators' notes on a member, oldest first."""
        return list(self._load(member_id, Member, MemberNotFoundError).notes)
