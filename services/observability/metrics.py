"""Prometheus metrics for every service: `instrument(app, service=...)` is the one line a service adds.

Requests and latencies are counted by a pure ASGI middleware (asgi.py), per route template (never per
member id). What the relay and the consumer know is read from `app.state` at scrape time; their events are
counted by the observers (hooks.py) set on them once the service's lifespan has built them, so the
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
from fastapi import Response
from nats.js.errors import NotFoundError
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from contracts.subjects import ANTENNE_STREAM
from services.observability.asgi import ObservedRequests
from services.observability.hooks import ConsumerMetrics, RelayMetrics
from services.observability.logs import configure_from_env, set_process_fields
from services.observability.otlp import Spans
from services.observability.tracing import EventTraces

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Iterator

    from fastapi import FastAPI
    from prometheus_client.core import Metric

log = logging.getLogger(__name__)

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
    spans = Spans(service)
    app.add_middleware(ObservedRequests, metrics=metrics, spans=spans)
    app.router.lifespan_context = _observed_lifespan(app.router.lifespan_context, metrics, spans)

    async def scrape() -> Response:
        await _refresh_jetstream(app, metrics)
        body = await asyncio.to_thread(generate_latest, metrics.registry)
        return Response(body, media_type=CONTENT_TYPE_LATEST)

    app.add_api_route("/metrics", scrape, methods=["GET"], include_in_schema=False)
    return metrics


def _observed_lifespan(original: Any, metrics: ServiceMetrics, spans: Spans) -> Any:
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[Any]:
        try:
            async with original(app) as state:
                _observe(app, metrics, spans)
                yield state
        finally:
            spans.shutdown()

    return lifespan


def _observe(app: FastAPI, metrics: ServiceMetrics, spans: Spans) -> None:
    """Make the observers of whatever the lifespan built: a consumer, an antenne and its relay."""
    consumer = getattr(app.state, "consumer", None)
    if consumer is not None:
        consumer.observer = ConsumerMetrics(metrics, spans)
    relay = getattr(app.state, "relay", None)
    if relay is not None:
        set_process_fields(antenne_id=str(relay.antenne_id))
        traces = EventTraces.empty()
        antenne = getattr(app.state, "antenne", None)
        if antenne is not None:
            # In the saving thread, under the request's trace: remember it for the relay's publish.
            antenne.on_recorded.append(traces.remember)
        relay.observer = RelayMetrics(str(relay.antenne_id), metrics, spans, traces)


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
            flags: dict[str, int] = ledger.flag_counts()
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
