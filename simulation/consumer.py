"""The chain consumer's handling of a fetched batch, without NATS: mirrors ChainConsumer._handle_batch in
services/messaging/consumer.py, with the real envelope decoding, the real `decide` and a real sink (its
`apply_all`, one transaction per run)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from pydantic import ValidationError

from contracts.envelope import Envelope
from contracts.registry import UnknownContractError
from services.messaging.chain import Decision, decide

if TYPE_CHECKING:
    from contracts.base import Contract
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
        return self.handle_batch([message])[0]

    def handle_batch(self, messages: list[Message]) -> list[bool]:
        """A fetched batch, as `ChainConsumer._handle_batch`: runs of messages that are each next in their
        chain go to the sink in one `apply_all`; any other message first commits the run before it, then
        is handled alone. Per message, whether it is acknowledged."""
        acked: dict[int, bool] = {}
        run: list[tuple[int, Envelope, Contract]] = []
        for index, message in enumerate(messages):
            decoded = self._decode(message)
            if decoded is None:
                acked[index] = True
                continue
            envelope, payload = decoded
            if self._decide(envelope) is Decision.APPLY:
                run.append((index, envelope, payload))
                self._last[envelope.antenneid] = envelope.position  # as if applied, for the next ones
                continue
            self._commit(run, acked)
            run = []
            acked[index] = self._handle(message, envelope, payload)
        self._commit(run, acked)
        return [acked[index] for index in range(len(messages))]

    def _decode(self, message: Message) -> tuple[Envelope, Contract] | None:
        try:
            envelope = Envelope.from_bytes(message.data)
            return envelope, envelope.payload()
        except (ValidationError, UnknownContractError):
            self.parked.append(message.data)
            return None

    def _decide(self, envelope: Envelope) -> Decision:
        return self.decide(
            envelope.position, envelope.previousposition, self._last_applied(envelope.antenneid)
        )

    def _handle(self, message: Message, envelope: Envelope, payload: Contract) -> bool:
        decision = self._decide(envelope)
        if decision is Decision.APPLY:
            acked: dict[int, bool] = {}
            self._commit([(0, envelope, payload)], acked)
            return acked[0]
        if decision is Decision.DUPLICATE:
            self.duplicates += 1
            return True
        if decision is Decision.GAP:
            return False  # nak: it comes back later
        self.parked.append(message.data)
        return True

    def _commit(self, run: list[tuple[int, Envelope, Contract]], acked: dict[int, bool]) -> None:
        if not run:
            return
        news = self.sink.apply_all([(envelope, payload) for _, envelope, payload in run])
        for (index, envelope, _), new in zip(run, news, strict=True):
            if new:
                self.applied.positions.setdefault(envelope.antenneid, []).append(envelope.position)
                self.applied.envelopes.append(envelope)
            else:
                self.duplicates += 1
            self._last[envelope.antenneid] = envelope.position
            acked[index] = True

    def _last_applied(self, antenne_id: str) -> int | None:
        if antenne_id not in self._last:
            self._last[antenne_id] = self.sink.last_position(antenne_id)
        return self._last[antenne_id]
