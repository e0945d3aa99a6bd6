"""After a move the old home posts nothing more for the member: what still arrives from it is flagged.

The antenne itself refuses once it handed the member over; a posting that arrives anyway was recorded
offline before it learnt of the move. The ledger books it (events are facts) and raises this flag, once
per transfer and moved member (both sides of one exchange may have moved), for the coordinators of both
antennes.
"""

from __future__ import annotations

from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate, event


def moved_away_flag_id(transfer_id: UUID, account_key: str) -> UUID:
    """One flag per transfer and account at most."""
    return uuid5(NAMESPACE_URL, f"/flags/moved-away/{transfer_id}/{account_key}")


class PostingAfterMoveFlag(Aggregate):
    """A posting caused by a member's former home after they moved away."""

    class Raised(Aggregate.Created):
        account_key: str
        transfer_id: UUID
        antenne_id: str  # the former home that caused the posting
        home_antenne: str  # where the member lives now

    @staticmethod
    def create_id(account_key: str, transfer_id: UUID) -> UUID:
        return moved_away_flag_id(transfer_id, account_key)

    @event(Raised)
    def __init__(self, account_key: str, transfer_id: UUID, antenne_id: str, home_antenne: str) -> None:
        self.account_key = account_key
        self.transfer_id = transfer_id
        self.antenne_id = antenne_id
        self.home_antenne = home_antenne
