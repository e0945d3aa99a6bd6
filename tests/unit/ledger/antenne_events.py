"""Envelopes as an antenne's relay publishes them: chained positions, with the gaps real logs have."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from uuid import UUID, uuid4

from contracts.antenne.v1 import (
    Category,
    ExchangeConfirmed,
    ExchangeRecorded,
    ExchangeReversed,
    MemberRegistered,
)
from contracts.base import Contract
from contracts.envelope import Envelope, wrap

PERFORMED_ON = date(2026, 11, 20)


@dataclass
class AntenneEvents:
    """One antenne's published events, in its log order."""

    antenne_id: str
    burnt_ids: frozenset[int] = frozenset()  # positions a rejected save used up: never published
    published: list[Envelope] = field(default_factory=list)
    _position: int = 0

    def register(self, member_id: UUID | None = None) -> Envelope:
        """A member registers; returns the envelope."""
        member_id = member_id or uuid4()
        return self._publish(MemberRegistered(member_id=member_id, registered_on=PERFORMED_ON), member_id, 1)

    def exchange(self, helper: UUID, recipient: UUID, quarters: int) -> tuple[Envelope, Envelope]:
        """An exchange is recorded, then confirmed; returns both envelopes."""
        exchange_id = uuid4()
        facts = {
            "exchange_id": exchange_id,
            "helper_id": helper,
            "recipient_id": recipient,
            "quarters": quarters,
            "category": Category.COMPANY,
            "performed_on": PERFORMED_ON,
        }
        recorded = self._publish(ExchangeRecorded.model_validate(facts), exchange_id, 1)
        confirmed = self._publish(ExchangeConfirmed.model_validate(facts), exchange_id, 2)
        return recorded, confirmed

    def emit(self, payload: Contract, aggregate_id: UUID, version: int = 1) -> Envelope:
        """Any other event of this antenne, next in its log."""
        return self._publish(payload, aggregate_id, version)

    def reverse(self, confirmed: Envelope) -> Envelope:
        """The confirmed exchange is undone by the opposite entry; returns its envelope."""
        exchange = confirmed.payload()
        assert isinstance(exchange, ExchangeConfirmed)
        reversal = ExchangeReversed(
            exchange_id=exchange.exchange_id,
            helper_id=exchange.helper_id,
            recipient_id=exchange.recipient_id,
            quarters=exchange.quarters,
            reversed_on=PERFORMED_ON,
        )
        return self._publish(reversal, exchange.exchange_id, confirmed.aggregateversion + 1)

    def _publish(self, payload: Contract, aggregate_id: UUID, version: int) -> Envelope:
        self._position += 1
        while self._position in self.burnt_ids:
            self._position += 1
        envelope = wrap(
            payload,
            antenne_id=self.antenne_id,
            aggregate_id=aggregate_id,
            aggregate_version=version,
            occurred_at=datetime.now(UTC),
            position=self._position,
            previous_position=self.published[-1].position if self.published else None,
        )
        self.published.append(envelope)
        return envelope
