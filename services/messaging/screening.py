"""What a consumer checks before it trusts a message: its size, its shape, and that it is what it says.

NATS permissions let an antenne's user publish only on `bp.<its id>.>` (services/credentials): so a message
whose envelope names another antenne than its subject, or whose event id is not the one its antenne,
aggregate and version give, is forged (or mangled) and is parked, never applied. An event id seen before
at another position is a replay: parked too. A redelivery (same id, same position) is no replay.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from pydantic import ValidationError

from contracts.envelope import Envelope, antenne_source, event_id
from contracts.registry import UnknownContractError
from contracts.subjects import antenne_subject

if TYPE_CHECKING:
    from uuid import UUID

    from contracts.base import Contract

# An envelope is about 1 KiB. The streams refuse anything above 64 KiB at publication; between the two,
# a message is stored but parked here.
MAX_MESSAGE_BYTES = 16 * 1024
REMEMBERED_IDS = 200_000  # about 30 MB at most: recent ids, to recognise a replay


class RefusedMessageError(Exception):
    """A message that must not be applied; the text is the reason parked with it."""


def decode_checked(subject: str, data: bytes) -> tuple[Envelope, Contract]:
    """The message's envelope and payload if it is of a sane size and shape, else RefusedMessageError."""
    if len(data) > MAX_MESSAGE_BYTES:
        raise RefusedMessageError(f"oversized: {len(data)} bytes, more than {MAX_MESSAGE_BYTES}")
    try:
        envelope = Envelope.from_bytes(data)
        return envelope, envelope.payload()
    except (ValidationError, UnknownContractError) as error:
        raise RefusedMessageError(f"undecodable: {error}") from None


def screen(subject: str, data: bytes) -> tuple[Envelope, Contract]:
    """An antenne event's envelope and payload, or RefusedMessageError saying why it cannot be trusted."""
    envelope, payload = decode_checked(subject, data)
    expected_subject = antenne_subject(envelope.antenneid, envelope.type)
    if subject != expected_subject:
        raise RefusedMessageError(
            f"forged: antenne {envelope.antenneid!r}, type {envelope.type!r} arrived on {subject!r}"
        )
    if envelope.source != antenne_source(envelope.antenneid):
        raise RefusedMessageError(f"forged: source {envelope.source!r} is not antenne {envelope.antenneid!r}")
    if envelope.id != event_id(envelope.antenneid, envelope.aggregateid, envelope.aggregateversion):
        raise RefusedMessageError(
            f"forged: event id {envelope.id} is not the id of {envelope.aggregateid} "
            f"version {envelope.aggregateversion} at {envelope.antenneid}"
        )
    return envelope, payload


@dataclass
class ReplayGuard:
    """Remembers recent event ids with their position: the same id at another position is a replay."""

    capacity: int = REMEMBERED_IDS
    _seen: OrderedDict[UUID, tuple[str, int]] = field(default_factory=OrderedDict)

    def check(self, envelope: Envelope) -> None:
        """Raise RefusedMessageError when this id was seen at another place in the chain."""
        place = (envelope.antenneid, envelope.position)
        first = self._seen.get(envelope.id)
        if first is not None and first != place:
            raise RefusedMessageError(
                f"replayed: event id {envelope.id} was seen at position {first[1]} of {first[0]}, "
                f"now at position {envelope.position}"
            )

    def remember(self, envelope: Envelope) -> None:
        """Note an applied event's id and place."""
        self._seen[envelope.id] = (envelope.antenneid, envelope.position)
        self._seen.move_to_end(envelope.id)
        while len(self._seen) > self.capacity:
            self._seen.popitem(last=False)
