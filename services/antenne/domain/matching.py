"""Ranked suggestions of helpers for a help request, each with the reasons a coordinator reads.

Points, highest first: offers this category 4, speaks the request's language 3, same sector 2,
available on a preferred day 2; reciprocity: a member who mostly received is invited to give (+2),
one who gave much more than they received is spared (-1).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from contracts.antenne.v1 import MemberStatus
from services.antenne.domain.profile import Weekday

if TYPE_CHECKING:
    from uuid import UUID

    from services.antenne.domain.members import Member
    from services.antenne.domain.requests import HelpRequest

GENEROUS_BALANCE = 16  # four hours ahead: this member has given plenty lately


@dataclass(frozen=True)
class Suggestion:
    """A candidate helper, the score that ranks them and why."""

    member_id: UUID
    number: str
    score: int
    reasons: tuple[str, ...]


def suggest(
    request: HelpRequest, members: list[Member], offered: set[UUID], limit: int = 10
) -> list[Suggestion]:
    """Active members but the requester, best first; `offered` hold an open offer in its category."""
    candidates = [
        _score(request, member, member.id in offered)
        for member in members
        if member.status is MemberStatus.ACTIVE
        and member.id != request.member_id
        and member.id not in request.declined_by
    ]
    ranked = sorted(candidates, key=lambda s: (-s.score, s.number))
    return [s for s in ranked if s.score > 0][:limit]


def _score(request: HelpRequest, member: Member, has_offer: bool) -> Suggestion:
    points, reasons = 0, list[str]()
    capacities = member.capacities
    if has_offer or request.category in capacities.gives:
        points, reasons = points + 4, [*reasons, f"offers {request.category}"]
    if request.language and request.language in capacities.languages:
        points, reasons = points + 3, [*reasons, f"speaks {request.language}"]
    if request.sector and request.sector == capacities.sector:
        points, reasons = points + 2, [*reasons, f"lives in sector {request.sector}"]
    days = {Weekday.of(day) for day in request.preferred_dates}
    if days & set(capacities.availability):
        points, reasons = points + 2, [*reasons, "available on a preferred day"]
    if member.balance < 0:
        points, reasons = points + 2, [*reasons, f"received {-member.balance} quarters more than given"]
    elif member.balance > GENEROUS_BALANCE:
        points, reasons = points - 1, [*reasons, f"already gave {member.balance} quarters more than received"]
    return Suggestion(member.id, member.number, points, tuple(reasons))
