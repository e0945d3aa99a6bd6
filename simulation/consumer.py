"""The chain consumer's handling of one message, without NATS: mirrors ChainConsumer._handle in
services/messaging/consumer.py, with the real envelope decoding, the real `decide` and a real sink."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from pydantic import ValidationError

from contracts.envelope import Envelope
from contracts.registry import UnknownContractError
from services.messaging.chain import Decision, decide

if TYPE_CHECKING:
    from services.messaging.consumer import EventSink
    from simulation.network import Message

Decide = Callable[[int, int | None, int | None], Decision]


@dataclass
class Applied:
    """What a consumer applied, per antenne, in order: the log the invariants are checked against."""

    positions: dict[str, list[int]] = field(default_factory=dict)
    envelopes: list[Envelope] = field(default_factory=list)


@dataclass
class SimConsumer:
    """A durable consumer feeding `sink`; `crash()` drops its cache of last positions."""

    name: str
    sink: EventSink
    decide: Decide = decide
    applied: Applied = field(default_factory=Applied)
    parked: list[bytes] = field(default_factory=list)
    duplicates: int = 0
    _last: dict[str, int | None] = field(default_factory=dict)

    def crash(self) -> None:
        """SIGKILL: the in-memory positions are gone; the sink's store keeps its own."""
        self._last.clear()

    def handle(self, message: Message) -> bool:
        """Handle one delivery; True when it is acknowledged (applied, duplicate or parked)."""
        try:
            envelope = Envelope.from_bytes(message.data)
            payload = envelope.payload()
        except (ValidationError, UnknownContractError):
            self.parked.append(message.data)
            return True
        decision = self.decide(
            envelope.position, envelope.previousposition, self._last_applied(envelope.antenneid)
        )
        if decision is Decision.APPLY:
            if self.sink.apply(envelope, payload):
                self.applied.positions.setdefault(envelope.antenneid, []).append(envelope.position)
                self.applied.envelopes.append(envelope)
            else:
                self.duplicates += 1
            self._last[envelope.antenneid] = envelope.position
            return True
        if decision is Decision.DUPLICATE:
            self.duplicates += 1
            return True
        if decision is Decision.GAP:
            return False  # nak: it comes back later
        self.parked.append(message.data)
        return True

    def _last_applied(self, antenne_id: str) -> int | None:
        if antenne_id not in self._last:
            self._last[antenne_id] = self.sink.last_position(antenne_id)
        return self._last[antenne_id]
