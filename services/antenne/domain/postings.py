"""Postings: how a member's balance moves, in whole quarter hours (decision 0001)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from uuid import UUID

from services.antenne.domain.errors import InvalidAmountError


class PostingKind(StrEnum):
    """Why a balance moved."""

    HELP = "help"
    REVERSAL = "reversal"
    DONATION = "donation"
    GRANT = "grant"
    RETURN = "return"
    MOVE = "move"  # the balance a member brought from their previous antenne
    OPENING = "opening"  # the balance imported from the antenne's records from before the system


@dataclass(frozen=True)
class Posting:
    """One movement of a member's balance, booked on a date."""

    source_id: UUID
    quarters: int
    booked_on: date
    kind: PostingKind


def _is_whole(quarters: object) -> bool:
    # bool is an int subclass: True is a bug, not one quarter hour.
    return isinstance(quarters, int) and not isinstance(quarters, bool)


def check_positive(quarters: int) -> None:
    """Refuse anything but a whole, positive number of quarter hours."""
    if not _is_whole(quarters) or quarters < 1:
        raise InvalidAmountError(quarters)
