"""Permanence sessions and gatherings with attendance; coordinators' notes on members."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from fastapi import APIRouter, status
from pydantic import BaseModel, Field

from contracts.antenne.v1 import ActivityKind
from services.antenne.api.deps import API, PROTECTED, ActorDep, AntenneDep, KeyDep, Page, PageDep
from services.antenne.domain.activities import Activity
from services.antenne.domain.profile import Note


class NewActivity(BaseModel):
    """A session held, with who came."""

    kind: ActivityKind
    held_on: date | None = Field(default=None, description="Default today.")
    attendees: list[UUID] = Field(default_factory=list, max_length=500)
    topic: str = Field(default="", max_length=2000, description="Free text: stays at this antenne.")


class Attendance(BaseModel):
    """People who signed the list."""

    member_ids: list[UUID] = Field(min_length=1, max_length=500)


class ActivityView(BaseModel):
    """A session and who came."""

    activity_id: UUID
    kind: ActivityKind
    held_on: date
    topic: str
    attendees: list[UUID]

    @classmethod
    def of(cls, a: Activity) -> ActivityView:
        """The view of an activity aggregate."""
        return cls(activity_id=a.id, kind=a.kind, held_on=a.held_on, topic=a.topic, attendees=a.attendees)


class NewNote(BaseModel):
    """A coordinator's internal note on a member."""

    text: str = Field(min_length=1, max_length=4000)


class NoteView(BaseModel):
    """One note."""

    noted_on: date
    author: str
    text: str

    @classmethod
    def of(cls, note: Note) -> NoteView:
        """Copy a note."""
        return cls(noted_on=note.noted_on, author=note.author, text=note.text)


router = APIRouter(prefix=API, tags=["activities"], dependencies=PROTECTED)


@router.post("/activities", status_code=status.HTTP_201_CREATED)
def hold_session(body: NewActivity, antenne: AntenneDep, key: KeyDep) -> ActivityView:
    """Record a permanence session or gathering with who came."""
    activity_id = antenne.hold_session(
        body.kind, body.held_on, body.attendees, topic=body.topic, idempotency_key=key
    )
    return ActivityView.of(antenne.get_activity(activity_id))


@router.get("/activities")
def list_activities(
    antenne: AntenneDep, page: PageDep, kind: ActivityKind | None = None, member_id: UUID | None = None
) -> Page[ActivityView]:
    """Sessions in the order recorded, of one kind or that one member came to, paginated."""
    return Page.of([ActivityView.of(a) for a in antenne.activities(kind, member_id)], page)


@router.get("/activities/{activity_id}")
def get_activity(activity_id: UUID, antenne: AntenneDep) -> ActivityView:
    """One session."""
    return ActivityView.of(antenne.get_activity(activity_id))


@router.post("/activities/{activity_id}/attendance")
def record_attendance(activity_id: UUID, body: Attendance, antenne: AntenneDep, key: KeyDep) -> ActivityView:
    """Add people who signed the list."""
    antenne.record_attendance(activity_id, body.member_ids, idempotency_key=key)
    return ActivityView.of(antenne.get_activity(activity_id))


@router.post("/members/{member_id}/notes", status_code=status.HTTP_201_CREATED)
def note_on_member(
    member_id: UUID, body: NewNote, antenne: AntenneDep, key: KeyDep, actor: ActorDep
) -> list[NoteView]:
    """A coordinator's internal note on a member (personal data: never published)."""
    antenne.note_on_member(member_id, body.text, actor.actor_id, idempotency_key=key)
    return [NoteView.of(n) for n in antenne.notes_on_member(member_id)]


@router.get("/members/{member_id}/notes")
def notes_on_member(member_id: UUID, antenne: AntenneDep) -> list[NoteView]:
    """The coordinators' notes on a member, oldest first."""
    return [NoteView.of(n) for n in antenne.notes_on_member(member_id)]
