"""Activities of an antenne: the weekly permanence and the monthly gathering, with who came."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from contracts.antenne.v1 import ActivityKind


class Activity(Aggregate):
    """One permanence session or gathering; attendance is added as people sign the list."""

    class Held(Aggregate.Created):
        kind: str
        held_on: date
        personal: dict[str, str]  # the topic or minutes: free text stays at the antenne

    class AttendanceRecorded(Aggregate.Event):
        member_ids: list[UUID]

    @classmethod
    def hold(
        cls, kind: ActivityKind, held_on: date, *, topic: str = "", activity_id: UUID | None = None
    ) -> Activity:
        """Record a session held on a day."""
        return cls._create(
            cls.Held, kind=str(kind), held_on=held_on, personal={"topic": topic}, id=activity_id
        )

    @event(Held)
    def __init__(self, kind: str, held_on: date, personal: dict[str, str]) -> None:
        self.kind = ActivityKind(kind)
        self.held_on = held_on
        self.topic = personal["topic"]
        self.attendees: list[UUID] = []

    def record_attendance(self, member_ids: list[UUID]) -> None:
        """Add who came; someone already on the list is not added twice."""
        new = [m for m in dict.fromkeys(member_ids) if m not in self.attendees]
        if new:
            self._attendance_recorded(member_ids=new)

    @event(AttendanceRecorded)
    def _attendance_recorded(self, member_ids: list[UUID]) -> None:
        self.attendees.extend(member_ids)


__all__ = ["Activity", "ActivityKind"]
