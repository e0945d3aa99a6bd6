"""What the relay and the chain consumer tell observability: counters, one log line per event, spans.

They are the `observer` of `Relay` and `ChainConsumer` (set by `instrument` once the service's lifespan
has built them); neither service knows about metrics.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

from services.observability.logs import event_context
from services.observability.tracing import HEADER, EventTraces, Trace, current_trace

if TYPE_CHECKING:
    from nats.aio.msg import Msg

    from contracts.base import Contract
    from contracts.envelope import Envelope
    from services.messaging.relay import Outgoing
    from services.observability.metrics import ServiceMetrics
    from services.observability.otlp import Spans

log = logging.getLogger("services.observability.metrics")

EXCHANGE_CONFIRMED = "exchange.confirmed"  # the event that makes the ledger post a debit and a credit
POSTINGS_PER_EXCHANGE = 2


@dataclass
class RelayMetrics:
    """The relay's observer: a publish span under the request that stored each event, and counters."""

    antenne_id: str
    metrics: ServiceMetrics
    spans: Spans
    traces: EventTraces

    def headers(self, message: Outgoing) -> dict[str, str]:
        """The message's `traceparent`, when the request that stored its event is remembered."""
        trace = self.traces.trace_of(message.position)
        if trace is None:
            return {}
        with self.spans.span(f"publish {message.subject}", trace, "PRODUCER") as here:
            return {HEADER: here.header()}

    def published(self, acked: list[Outgoing], attempted: int) -> None:
        """Count, and log each acknowledged event with its ids and trace."""
        self.metrics.published.labels(self.antenne_id).inc(len(acked))
        for message in acked:
            envelope = message.envelope
            token = current_trace.set(self.traces.trace_of(message.position))
            with event_context(self.antenne_id, envelope.correlationid, envelope.id, message.position):
                log.info("published %s at position %d", envelope.type, message.position)
            current_trace.reset(token)
        if len(acked) < attempted:
            self.metrics.publish_errors.labels(self.antenne_id).inc()


@dataclass
class ConsumerMetrics:
    """The chain consumer's observer: counts and logs each event (with its ids), under the message's trace."""

    metrics: ServiceMetrics
    spans: Spans

    def applied(self, message: Msg, envelope: Envelope, payload: Contract, *, new: bool) -> None:
        """After the event's run is committed and acknowledged."""
        parent = Trace.parse((message.headers or {}).get(HEADER))
        if parent is None:
            self._applied(envelope, payload, new=new)
            return
        with self.spans.span(f"apply {message.subject}", parent, "CONSUMER") as here:
            token = current_trace.set(here)
            try:
                self._applied(envelope, payload, new=new)
            finally:
                current_trace.reset(token)

    def _applied(self, envelope: Envelope, payload: Contract, *, new: bool) -> None:
        antenne, metrics = envelope.antenneid, self.metrics
        with event_context(antenne, envelope.correlationid, envelope.id, envelope.position):
            if not new:
                metrics.duplicates.labels(metrics.service, antenne).inc()
                log.info("dropped %s at position %d: already applied", envelope.type, envelope.position)
                return
            log.info("applied %s at position %d", envelope.type, envelope.position)
        metrics.applied.labels(metrics.service, antenne, envelope.type).inc()
        metrics.last_applied[antenne] = time.time()
        if metrics.service == "ledger" and envelope.type == EXCHANGE_CONFIRMED:
            metrics.postings.labels(antenne).inc(POSTINGS_PER_EXCHANGE)
            metrics.quarters_posted.labels(antenne).inc(int(getattr(payload, "quarters", 0)))
