"""Envelopes as an antenne's relay publishes them: chained positions, with a gap where a save was rejected."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from uuid import UUID, uuid4

from contracts.antenne.v1 import Category, ExchangeConfirmed, ExchangeRecorded, MemberRegistered
from contracts.base import Contract
from contracts.envelope import Envelope, wrap

PERFORMED_ON = date(2026, 11, 20)


@dataclass
class AntenneFeed:
    """One antenne's published events, in its log order; every third position is burnt, as real logs have."""

    antenne_id: str
    published: list[Envelope] = field(default_factory=list)
    _position: int = 0

    def register(self) -> Envelope:
        """A member registers."""
        member_id = uuid4()
        return self._publish(MemberRegistered(member_id=member_id, registered_on=PERFORMED_ON), member_id, 1)

    def record(self, quarters: int) -> Envelope:
        """A coordinator records an exchange between two new member ids."""
        exchange_id = uuid4()
        facts = _exchange_facts(exchange_id, quarters)
        return self._publish(ExchangeRecorded.model_validate(facts), exchange_id, 1)

    def confirm(self, recorded: Envelope) -> Envelope:
        """The recorded exchange is confirmed."""
        return self._publish(ExchangeConfirmed.model_validate(recorded.data), recorded.aggregateid, 2)

    def _publish(self, payload: Contract, aggregate_id: UUID, version: int) -> Envelope:
        self._position += 2 if self._position % 3 == 2 else 1
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


def _exchange_facts(exchange_id: UUID, quarters: int) -> dict[str, object]:
    return {
        "exchange_id": exchange_id,
        "helper_id": uuid4(),
        "recipient_id": uuid4(),
        "quarters": quarters,
        "category": Category.TRANSPORT,
        "performed_on": PERFORMED_ON,
    }
