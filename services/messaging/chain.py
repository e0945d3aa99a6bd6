"""Pure ordering rule for one antenne's events: apply in chain order, exactly once, never skip a gap.

Each message carries its antenne's notification `position` and the `previous` position it follows.
The consumer compares them with the last position it applied for that antenne.
"""

from __future__ import annotations

from enum import Enum


class Decision(Enum):
    """What a consumer does with a message."""

    APPLY = "apply"  # the next one in the chain
    DUPLICATE = "duplicate"  # already applied: acknowledge, change nothing
    GAP = "gap"  # an earlier message is missing: wait for it, never skip
    CONFLICT = "conflict"  # the chain disagrees with what was applied: park it for an operator


def decide(position: int, previous: int | None, last_applied: int | None) -> Decision:
    """Place a message in its antenne's chain, given the last position applied."""
    if last_applied is not None and position <= last_applied:
        return Decision.DUPLICATE
    if previous == last_applied:
        return Decision.APPLY
    if last_applied is None or (previous is not None and previous > last_applied):
        return Decision.GAP
    return Decision.CONFLICT
