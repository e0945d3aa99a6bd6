"""Receipts of recordings already made, by `Idempotency-Key`: a retried request records nothing twice."""

from __future__ import annotations

from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate, event


def receipt_id(key: str) -> UUID:
    """The id of the receipt for an idempotency key."""
    return uuid5(NAMESPACE_URL, f"/antenne/receipts/{key}")


class Receipt(Aggregate):
    """A request with this key was recorded; saved in the same transaction as what it recorded."""

    class Issued(Aggregate.Created):
        key: str

    @classmethod
    def issue(cls, key: str) -> Receipt:
        """The receipt of the request carrying `key`."""
        return cls._create(cls.Issued, key=key, id=receipt_id(key))

    @event(Issued)
    def __init__(self, key: str) -> None:
        self.key = key
