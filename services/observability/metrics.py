"""Prometheus metrics for every service: `instrument(app, service=...)` is the one line a service adds.

Requests and latencies are counted by a middleware, per route template (never per member id). What the
relay and the consumer know is read from `app.state` at scrape time; their events are counted by
wrapping the consumer's sink and the relay's publish once the service's lifespan has built them, so the
services themselves stay unaware of metrics.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import nats
from fastapi import Request, Response
from nats.js.errors import NotFoundError
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from contracts.subjects import ANTENNE_STREAM
from services.observability.logs import configure_from_env, event_context, set_process_fields
from services.observability.otlp import Spans
from services.observability.tracing import (
    HEADER,
    EventTraces,
    Trace,
    TracingJetStream,
    current_trace,
)

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Awaitable, Callable, Iterator

    from fastapi import FastAPI
    from prometheus_client.core import Metric

    from contracts.base import Contract
    from contracts.envelope import Envelope
    from services.messaging.consumer import EventSink

log = logging.getLogger(__name__)

EXCHANGE_CONFIRMED = "exchange.confirmed"  # the event that makes the ledger post a debit and a credit
POSTINGS_PER_EXCHANGE = 2
JETSTREAM_TIMEOUT_SECONDS = 2.0
# The audit reads every account under the ledger's lock: scrapes reuse it for a while.
AUDIT_MAX_AGE_SECONDS = 30.0


@dataclass
class JetStreamCounters:
    """The service's durable consumer as JetStream last described it."""

    found: bool = False
    num_pending: int = 0
    num_ack_pending: int = 0
    redelivered: int = 0
    read_at: float | None = None


@dataclass
class ServiceMetrics:
    """The metrics of one service process, in its own registry (tests build many apps in one process)."""

    service: str
    registry: CollectorRegistry = field(default_factory=CollectorRegistry)
    jetstream: JetStreamCounters = field(default_factory=JetStreamCounters)

    def __post_init__(self) -> None:
        labels = ["service", "method", "route"]
        self.requests = Counter(
            "bp_http_requests", "HTTP requests answered.", [*labels, "status"], registry=self.registry
        )
        self.latency = Histogram(
            "bp_http_request_duration_seconds",
            "Time to answer an HTTP request.",
            labels,
            registry=self.registry,
        )
        self.applied = Counter(
            "bp_consumer_events_applied",
            "Antenne events applied by this service's consumer.",
            ["service", "antenne", "type"],
            registry=self.registry,
        )
        self.duplicates = Counter(
            "bp_consumer_duplicates",
            "Events dropped as already applied.",
            ["service", "antenne"],
            registry=self.registry,
        )
        self.postings = Counter(
            "bp_ledger_postings",
            "Ledger postings (a debit and a credit per confirmed exchange).",
            ["antenne"],
            registry=self.registry,
        )
        self.quarters_posted = Counter(
            "bp_ledger_quarters_posted",
            "Quarter hours moved by ledger transfers.",
            ["antenne"],
            registry=self.registry,
        )
        self.published = Counter(
            "bp_relay_events_published",
            "Events the relay published and JetStream acknowledged.",
            ["antenne"],
            registry=self.registry,
        )
        self.publish_errors = Counter(
            "bp_relay_publish_errors",
            "Publish attempts JetStream did not fully acknowledge.",
            ["antenne"],
            registry=self.registry,
        )
        self.last_applied: dict[str, float] = {}


def instrument(app: FastAPI, *, service: str) -> ServiceMetrics:
    """Add `GET /metrics`, request metrics, trace context and JSON logs (BP_LOG_FORMAT=json) to an app."""
    configure_from_env(service=service)
    metrics = ServiceMetrics(service)
    metrics.registry.register(StateCollector(app, metrics))
    app.state.metrics = metrics
    app.middleware("http")(_request_metrics(metrics))
    spans = Spans(service)
    app.middleware("http")(_trace_requests(spans))
    app.router.lifespan_context = _observed_lifespan(app.router.lifespan_context, metrics, spans)

    async def scrape() -> Response:
        await _refresh_jetstream(app, metrics)
        body = await asyncio.to_thread(generate_latest, metrics.registry)
        return Response(body, media_type=CONTENT_TYPE_LATEST)

    app.add_api_route("/metrics", scrape, methods=["GET"], include_in_schema=False)
    return metrics


def _request_metrics(
    metrics: ServiceMetrics,
) -> Callable[[Request, Callable[[Request], Awaitable[Response]]], Awaitable[Response]]:
    async def observe(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        started = time.perf_counter()
        status = 500
        try:
            response = await call_next(request)
            status = response.status_code
            return response
        finally:
            route = getattr(request.scope.get("route"), "path", "unmatched")  # the template, not the ids
            labels = (metrics.service, request.method, route)
            metrics.requests.labels(*labels, str(status)).inc()
            metrics.latency.labels(*labels).observe(time.perf_counter() - started)

    return observe


def _trace_requests(
    spans: Spans,
) -> Callable[[Request, Callable[[Request], Awaitable[Response]]], Awaitable[Response]]:
    async def trace(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        # Continue the caller's trace (or start one); answer with this hop's `traceparent`.
        parent = Trace.parse(request.headers.get(HEADER))
        with spans.span(f"HTTP {request.method}", parent, "SERVER") as here:
            token = current_trace.set(here)
            try:
                response = await call_next(request)
            finally:
                current_trace.reset(token)
        response.headers[HEADER] = here.header()
        return response

    return trace


def _observed_lifespan(original: Any, metrics: ServiceMetrics, spans: Spans) -> Any:
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[Any]:
        try:
            async with original(app) as state:
                _observe_consumer(app, metrics, spans)
                _observe_relay(app, metrics, _trace_saves(app), spans)
                yield state
        finally:
            spans.shutdown()

    return lifespan


def _observe_consumer(app: FastAPI, metrics: ServiceMetrics, spans: Spans) -> None:
    consumer = getattr(app.state, "consumer", None)
    if consumer is not None and hasattr(consumer, "sink"):
        consumer.sink = ObservedSink(consumer.sink, metrics)
    handle = getattr(consumer, "_handle", None)
    if handle is None:
        return

    async def traced_handle(js: Any, message: Any, *args: Any, **kwargs: Any) -> Any:
        # The message's trace, for every line logged while it is applied (to_thread copies the context).
        parent = Trace.parse((message.headers or {}).get(HEADER))
        if parent is None:
            return await handle(js, message, *args, **kwargs)
        with spans.span(f"apply {message.subject}", parent, "CONSUMER") as here:
            token = current_trace.set(here)
            try:
                return await handle(js, message, *args, **kwargs)
            finally:
                current_trace.reset(token)

    setattr(consumer, "_handle", traced_handle)  # noqa: B010 (an instance attribute shadows the method)


def _trace_saves(app: FastAPI) -> EventTraces:
    """Remember the trace of the request that stored each of the antenne's events."""
    traces = EventTraces.empty()
    antenne = getattr(app.state, "antenne", None)
    save = getattr(antenne, "save", None)
    if save is None:
        return traces

    def traced_save(*objs: Any, **kwargs: Any) -> Any:
        recordings = save(*objs, **kwargs)
        traces.remember([recording.notification.id for recording in recordings or []])
        return recordings

    setattr(antenne, "save", traced_save)  # noqa: B010
    return traces


def _observe_relay(app: FastAPI, metrics: ServiceMetrics, traces: EventTraces, spans: Spans) -> None:
    relay = getattr(app.state, "relay", None)
    publish = getattr(relay, "_publish", None)
    if relay is None or publish is None:
        return
    antenne_id = str(relay.antenne_id)
    set_process_fields(antenne_id=antenne_id)

    async def observed_publish(js: Any, outgoing: list[Any], *args: Any, **kwargs: Any) -> Any:
        headers = [_publish_header(spans, traces.trace_of(message.position), message) for message in outgoing]
        acked = await publish(TracingJetStream(js, headers), outgoing, *args, **kwargs)
        metrics.published.labels(antenne_id).inc(len(acked))
        for message in acked:
            envelope = message.envelope
            token = current_trace.set(traces.trace_of(message.position))
            with event_context(antenne_id, envelope.correlationid, envelope.id, message.position):
                log.info("published %s at position %d", envelope.type, message.position)
            current_trace.reset(token)
        if len(acked) < len(outgoing):
            metrics.publish_errors.labels(antenne_id).inc()
        return acked

    setattr(relay, "_publish", observed_publish)  # noqa: B010 (an instance attribute shadows the method)


def _publish_header(spans: Spans, trace: Trace | None, message: Any) -> str | None:
    """The `traceparent` of one message: a publish span under the request that stored its event."""
    if trace is None:
        return None
    with spans.span(f"publish {message.subject}", trace, "PRODUCER") as here:
        return here.header()


@dataclass
class ObservedSink:
    """The consumer's sink, counting and logging (with the event's ids) each event it applies."""

    sink: EventSink
    metrics: ServiceMetrics

    def last_position(self, antenne_id: str) -> int | None:
        """As the wrapped sink says."""
        return self.sink.last_position(antenne_id)

    def apply(self, envelope: Envelope, payload: Contract) -> bool:
        """Apply through the wrapped sink; its log lines carry the antenne, correlation and event ids."""
        antenne = envelope.antenneid
        with event_context(antenne, envelope.correlationid, envelope.id, envelope.position):
            applied = self.sink.apply(envelope, payload)
            if not applied:
                self.metrics.duplicates.labels(self.metrics.service, antenne).inc()
                log.info("dropped %s at position %d: already applied", envelope.type, envelope.position)
                return False
            log.info("applied %s at position %d", envelope.type, envelope.position)
        self.metrics.applied.labels(self.metrics.service, antenne, envelope.type).inc()
        self.metrics.last_applied[antenne] = time.time()
        if self.metrics.service == "ledger" and envelope.type == EXCHANGE_CONFIRMED:
            self.metrics.postings.labels(antenne).inc(POSTINGS_PER_EXCHANGE)
            self.metrics.quarters_posted.labels(antenne).inc(int(getattr(payload, "quarters", 0)))
        return True


async def _refresh_jetstream(app: FastAPI, metrics: ServiceMetrics) -> None:
    """Ask JetStream for the durable consumer's counters; a failure leaves the last ones (and `found`)."""
    consumer = getattr(app.state, "consumer", None)
    if consumer is None:
        return

    async def quiet(error: Exception) -> None:
        pass

    try:
        async with asyncio.timeout(JETSTREAM_TIMEOUT_SECONDS):
            nc = await nats.connect(
                consumer.nats_url,
                connect_timeout=1,
                allow_reconnect=False,
                max_reconnect_attempts=1,
                error_cb=quiet,
                name=f"{metrics.service}-metrics",
            )
            try:
                info = await nc.jetstream().consumer_info(ANTENNE_STREAM, consumer.durable)
            finally:
                with contextlib.suppress(Exception):
                    await nc.close()
    except NotFoundError:
        metrics.jetstream = JetStreamCounters(found=False, read_at=time.time())
        return
    except Exception as error:  # NATS away: the consumer's own `connected` gauge says so
        log.debug("JetStream consumer info unavailable: %s", error)
        metrics.jetstream.found = False
        return
    metrics.jetstream = JetStreamCounters(
        True, info.num_pending or 0, info.num_ack_pending or 0, info.num_redelivered or 0, time.time()
    )


@dataclass(eq=False)  # the registry keys collectors by identity
class StateCollector(Collector):
    """Gauges read from the relay, the consumer, the event store and the books when scraped."""

    app: FastAPI
    metrics: ServiceMetrics
    _audit: tuple[float, Any] | None = None

    def collect(self) -> Iterator[Metric]:
        """Whatever this service has: relay, consumer, ledger audit."""
        state = self.app.state
        if getattr(state, "relay", None) is not None:
            yield from self._relay(state.relay, getattr(state, "antenne", None))
        if getattr(state, "consumer", None) is not None:
            yield from self._consumer(state.consumer)
        if getattr(state, "ledger", None) is not None:
            yield from _ledger(*self._recent_audit(state.ledger))
        if getattr(state, "feedback", None) is not None:
            yield from _feedback_relay(state.feedback.current_status())
        if getattr(state, "ledger_view", None) is not None:
            yield from _ledger_view(state.ledger_view.summary(), state.ledger_consumer.status.connected)

    def _relay(self, relay: Any, antenne: Any) -> Iterator[Metric]:
        status = relay.current_status()
        label = [relay.antenne_id]
        yield _gauge(
            "bp_relay_connected",
            "1 when the relay is connected to NATS.",
            ["antenne"],
            (label, float(status.connected)),
        )
        yield _gauge(
            "bp_relay_position",
            "Last notification id published and acknowledged.",
            ["antenne"],
            (label, float(status.position or 0)),
        )
        yield _gauge(
            "bp_relay_backlog",
            "Events stored and not yet relayed.",
            ["antenne"],
            (label, float(status.backlog)),
        )
        if status.last_publish_at is not None:
            yield _gauge(
                "bp_relay_last_publish_timestamp_seconds",
                "When the relay last published.",
                ["antenne"],
                (label, status.last_publish_at.timestamp()),
            )
        if antenne is not None:
            stored = antenne.recorder.max_notification_id() or 0
            yield _gauge(
                "bp_antenne_events_stored",
                "Events in the antenne's store (last notification id).",
                ["antenne"],
                (label, float(stored)),
            )

    def _consumer(self, consumer: Any) -> Iterator[Metric]:
        status, service = consumer.status, [self.metrics.service]
        yield _gauge(
            "bp_consumer_connected",
            "1 when the consumer is connected to NATS.",
            ["service"],
            (service, float(status.connected)),
        )
        yield _gauge(
            "bp_consumer_parked",
            "Messages parked on the dead-letter stream since start.",
            ["service"],
            (service, float(status.parked)),
        )
        positions = [([self.metrics.service, a], float(p)) for a, p in status.positions.items()]
        yield _gauge(
            "bp_consumer_position", "Last antenne position applied.", ["service", "antenne"], *positions
        )
        waiting = [([self.metrics.service, a], float(p)) for a, p in status.waiting.items()]
        yield _gauge(
            "bp_consumer_waiting_after_position",
            "Last position applied while the next event of that antenne is missing.",
            ["service", "antenne"],
            *waiting,
        )
        applied_at = [([self.metrics.service, a], t) for a, t in self.metrics.last_applied.items()]
        yield _gauge(
            "bp_consumer_last_applied_timestamp_seconds",
            "When an event of the antenne was last applied.",
            ["service", "antenne"],
            *applied_at,
        )
        jetstream = self.metrics.jetstream
        if jetstream.found:
            for name, value, text in (
                ("bp_consumer_pending_messages", jetstream.num_pending, "Messages not yet delivered."),
                (
                    "bp_consumer_ack_pending_messages",
                    jetstream.num_ack_pending,
                    "Delivered, not acknowledged.",
                ),
                ("bp_consumer_redelivered_messages", jetstream.redelivered, "Messages delivered again."),
            ):
                yield _gauge(name, f"JetStream consumer lag: {text}", ["service"], (service, float(value)))

    def _recent_audit(self, ledger: Any) -> tuple[Any, dict[str, int]]:
        """The audit and the overdraft flags per antenne, read at most every AUDIT_MAX_AGE_SECONDS."""
        now = time.monotonic()
        if self._audit is None or now - self._audit[0] > AUDIT_MAX_AGE_SECONDS:
            flags: dict[str, int] = {}
            for flag in ledger.flags() if hasattr(ledger, "flags") else []:
                flags[flag.antenne_id] = flags.get(flag.antenne_id, 0) + 1
            self._audit = (now, (ledger.audit(), flags))
        audit_and_flags: tuple[Any, dict[str, int]] = self._audit[1]
        return audit_and_flags


def _ledger(audit: Any, flags: dict[str, int]) -> Iterator[Metric]:
    yield _gauge(
        "bp_ledger_overdraft_flags",
        "Overdraft breaches flagged for the coordinators (the spending stands).",
        ["antenne"],
        *(([antenne], float(count)) for antenne, count in flags.items()),
    )
    yield _gauge(
        "bp_ledger_balanced", "1 when the books balance (invariant 1).", [], ([], float(audit.balanced))
    )
    yield _gauge("bp_ledger_accounts", "Accounts in the ledger.", [], ([], float(audit.accounts)))
    yield _gauge(
        "bp_ledger_sum_of_accounts_quarters",
        "Sum of all balances; 0 when balanced.",
        [],
        ([], float(audit.sum_of_accounts)),
    )
    yield _gauge(
        "bp_ledger_confirmed_quarters",
        "Quarters of confirmed help the antennes reported.",
        [],
        ([], float(audit.confirmed_quarters)),
    )


def _feedback_relay(status: Any) -> Iterator[Metric]:
    """The ledger's relay of its decisions to the antennes (decision 0010)."""
    yield _gauge("bp_feedback_relay_connected", "1 when the ledger's feedback relay is connected.", [],
                 ([], float(status.connected)))  # fmt: skip
    yield _gauge("bp_feedback_relay_position", "Last ledger position published to the antennes.", [],
                 ([], float(status.position or 0)))  # fmt: skip
    yield _gauge(
        "bp_feedback_relay_backlog", "Ledger events not yet relayed.", [], ([], float(status.backlog))
    )


def _ledger_view(summary: Any, connected: bool) -> Iterator[Metric]:
    """How fresh the antenne's last known copy of the ledger's decisions is."""
    yield _gauge("bp_ledger_view_consumer_connected", "1 when the antenne reads the ledger's decisions.", [],
                 ([], float(connected)))  # fmt: skip
    yield _gauge("bp_ledger_view_position", "Last ledger position the antenne received.", [],
                 ([], float(summary.position or 0)))  # fmt: skip
    yield _gauge(
        "bp_ledger_view_accounts", "Accounts with a last known balance.", [], ([], float(summary.accounts))
    )
    if summary.newest_as_of is not None:
        newest = summary.newest_as_of.timestamp()
        yield _gauge("bp_ledger_view_newest_as_of_timestamp_seconds", "Ledger time of the newest balance.",
                     [], ([], newest))  # fmt: skip


def _gauge(name: str, text: str, labels: list[str], *samples: tuple[list[str], float]) -> GaugeMetricFamily:
    gauge = GaugeMetricFamily(name, text, labels=labels)
    for values, value in samples:
        gauge.add_metric(values, value)
    return gauge
