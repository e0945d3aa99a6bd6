"""A member's rights over their data: erasure (for a lead to carry out) and their own data export."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

from fastapi import APIRouter
from pydantic import BaseModel, Field

from services.antenne.api.deps import API, PROTECTED, ActorDep, AntenneDep

router = APIRouter(prefix=f"{API}/members", tags=["privacy"], dependencies=PROTECTED)


class Erasure(BaseModel):
    """The member's personal data is erased: their key is destroyed, their balance and history stay."""

    member_id: UUID
    erased_on: date
    erased_by: str = Field(description="Who carried out the erasure.")


@router.post("/{member_id}/erasure")
def erase_member(member_id: UUID, antenne: AntenneDep, actor: ActorDep) -> Erasure:
    """Erase a member's name, contact details and every free text about them, in every event, for good.

    Their balance, postings, exchanges and every figure stay, under their member id and number. Doing it
    again changes nothing.
    """
    member = antenne.erase_member(member_id, actor.actor_id)
    assert member.erased_on is not None
    assert member.erased_by is not None
    return Erasure(member_id=member_id, erased_on=member.erased_on, erased_by=member.erased_by)


@router.get("/{member_id}/export")
def export_member_data(member_id: UUID, antenne: AntenneDep) -> dict[str, Any]:
    """All this antenne keeps on a member, as JSON (the right of access): profile, postings, notes, help."""
    return antenne.export_member_data(member_id)
