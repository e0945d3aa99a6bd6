"""What `status` reads from the running federation: health, relay, consumers, audit, JetStream."""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import httpx
import nats
from nats.js.errors import NotFoundError
from prometheus_client.parser import text_string_to_metric_families

from contracts.subjects import ANTENNE_STREAM, DEADLETTER_STREAM

if TYPE_CHECKING:
    from services.operations.targets import Service, Targets

HTTP_TIMEOUT_SECONDS = 5.0
LAST_APPLIED = "bp_consumer_last_applied_timestamp_seconds"
NATS_TIMEOUT_SECONDS = 5.0


@dataclass(frozen=True)
class AntenneState:
    """One antenne as its health endpoint describes it; `error` says why it could not be read."""

    antenne_id: str
    url: str
    up: bool
    error: str | None = None
    relay_connected: bool = False
    relay_position: int | None = None
    backlog: int = 0
    last_publish_at: datetime | None = None
    relay_error: str | None = None
    events_stored: int | None = None  # from its metrics: the last notification id in its store
    # The antenne's last known view of the ledger's decisions (what it shows offline): how fresh it is.
    ledger_view_as_of: datetime | None = None
    ledger_view_connected: bool | None = None


@dataclass(frozen=True)
class StreamConsumer:
    """A durable JetStream consumer's counters (`consumer info`)."""

    durable: str
    found: bool
    num_pending: int = 0
    num_ack_pending: int = 0
    redelivered: int = 0
    last_active: datetime | None = None  # when the consumer last acknowledged a message


@dataclass(frozen=True)
class ConsumerService:
    """The ledger or reporting: is it up, is its consumer connected, which antenne positions it holds."""

    name: str
    url: str | None
    up: bool
    error: str | None = None
    connected: bool = False
    positions: dict[str, int] = field(default_factory=dict)
    waiting: dict[str, int] = field(default_factory=dict)
    last_error: str | None = None
    stream: StreamConsumer | None = None
    applied_at: dict[str, datetime] = field(default_factory=dict)  # antenne -> its last event applied


@dataclass(frozen=True)
class Audit:
    """The ledger's audit: do the books balance, and the last position taken in per antenne."""

    balanced: bool
    sum_of_accounts: int
    credited_by_exchanges: int
    confirmed_quarters: int
    positions: dict[str, int | None]


@dataclass(frozen=True)
class Snapshot:
    """Everything read in one `status` run."""

    taken_at: datetime
    antennes: list[AntenneState]
    ledger: ConsumerService | None
    reporting: ConsumerService | None
    audit: Audit | None
    audit_error: str | None = None
    nats_url: str | None = None
    nats_error: str | None = None
    parked_messages: int | None = None  # on the dead-letter stream: messages no consumer could apply


def take_snapshot(targets: Targets, now: datetime) -> Snapshot:
    """Read every service once (bounded by timeouts; a service that does not answer is reported down)."""
    streams, parked, nats_error = _stream_consumers(targets)
    with httpx.Client(timeout=HTTP_TIMEOUT_SECONDS) as client:
        antennes = [_antenne(client, antenne_id, service) for antenne_id, service in targets.antennes.items()]
        ledger, reporting = (
            _consumer_service(client, name, getattr(targets, name), streams.get(name))
            for name in ("ledger", "reporting")
        )
        audit, audit_error = _audit(client, targets.ledger)
    return Snapshot(
        now, antennes, ledger, reporting, audit, audit_error, targets.nats_url, nats_error, parked
    )


def _get(client: httpx.Client, service: Service, path: str) -> Any:
    response = client.get(service.url.rstrip("/") + path, headers=service.headers())
    response.raise_for_status()
    return response.json()


def _describe(error: Exception) -> str:
    if isinstance(error, httpx.HTTPStatusError):
        return f"HTTP {error.response.status_code} from {error.request.url}"
    return f"{type(error).__name__}: {error}" if str(error) else type(error).__name__


def _antenne(client: httpx.Client, antenne_id: str, service: Service) -> AntenneState:
    try:
        health = _get(client, service, "/healthz")
        relay = health["relay"]
    except (httpx.HTTPError, ValueError, KeyError) as error:
        return AntenneState(antenne_id, service.url, up=False, error=_describe(error))
    published = relay.get("last_publish_at")
    view_as_of = (health.get("ledger") or {}).get("newest_as_of")
    stored = _samples(client, service, "bp_antenne_events_stored")
    return AntenneState(
        antenne_id,
        service.url,
        up=True,
        relay_connected=bool(relay.get("connected")),
        relay_position=relay.get("position"),
        backlog=int(relay.get("backlog") or 0),
        last_publish_at=datetime.fromisoformat(published) if published else None,
        relay_error=relay.get("last_error"),
        events_stored=int(next(iter(stored.values()))) if stored else None,
        ledger_view_as_of=datetime.fromisoformat(view_as_of) if view_as_of else None,
        ledger_view_connected=(health.get("ledger_consumer") or {}).get("connected"),
    )


def _consumer_service(
    client: httpx.Client, name: str, service: Service | None, stream: StreamConsumer | None
) -> ConsumerService | None:
    if service is None:
        return None
    try:
        consumer = _get(client, service, "/healthz")["consumer"]
    except (httpx.HTTPError, ValueError, KeyError) as error:
        return ConsumerService(name, service.url, up=False, error=_describe(error), stream=stream)
    return ConsumerService(
        name,
        service.url,
        up=True,
        connected=bool(consumer.get("connected")),
        positions={k: int(v) for k, v in (consumer.get("positions") or {}).items()},
        waiting={k: int(v) for k, v in (consumer.get("waiting") or {}).items()},
        last_error=consumer.get("last_error"),
        stream=stream,
        applied_at={
            antenne_id: datetime.fromtimestamp(seconds, UTC)
            for antenne_id, seconds in _samples(client, service, LAST_APPLIED).items()
        },
    )


def _samples(client: httpx.Client, service: Service, name: str) -> dict[str, float]:
    """antenne -> value of one metric of the service; empty if its metrics cannot be read."""
    try:
        response = client.get(service.url.rstrip("/") + "/metrics")
        response.raise_for_status()
        families = list(text_string_to_metric_families(response.text))
    except (httpx.HTTPError, ValueError):
        return {}
    return {
        sample.labels.get("antenne", ""): sample.value
        for family in families
        for sample in family.samples
        if sample.name == name
    }


def _audit(client: httpx.Client, ledger: Service | None) -> tuple[Audit | None, str | None]:
    if ledger is None:
        return None, None
    if not ledger.token:
        return None, "no ledger token: give --ledger-token to read the audit"
    try:
        body = _get(client, ledger, "/api/v1/audit")
    except (httpx.HTTPError, ValueError) as error:
        return None, _describe(error)
    return Audit(
        balanced=bool(body["balanced"]),
        sum_of_accounts=int(body["sum_of_accounts"]),
        credited_by_exchanges=int(body["credited_by_exchanges"]),
        confirmed_quarters=int(body["confirmed_quarters"]),
        positions={k: v.get("last_position") for k, v in body.get("antennes", {}).items()},
    ), None


def _stream_consumers(targets: Targets) -> tuple[dict[str, StreamConsumer], int | None, str | None]:
    if targets.nats_url is None:
        return {}, None, None
    try:
        found, parked = asyncio.run(_read_stream_consumers(targets.nats_url, targets.durables))
    except Exception as error:  # unreachable, timed out, no JetStream: say so, read the rest
        return {}, None, _describe(error)
    return found, parked, None


async def _read_stream_consumers(
    nats_url: str, durables: dict[str, str]
) -> tuple[dict[str, StreamConsumer], int]:
    async def quiet(error: Exception) -> None:
        pass  # the failure reaches us as an exception; nats-py would also log a traceback

    nc = await nats.connect(
        nats_url, connect_timeout=2, max_reconnect_attempts=1, allow_reconnect=False, error_cb=quiet
    )
    try:
        js = nc.jetstream(timeout=NATS_TIMEOUT_SECONDS)
        found = {}
        for name, durable in durables.items():
            try:
                info = await js.consumer_info(ANTENNE_STREAM, durable)
            except NotFoundError:
                found[name] = StreamConsumer(durable, found=False)
                continue
            found[name] = StreamConsumer(
                durable,
                found=True,
                num_pending=info.num_pending or 0,
                num_ack_pending=info.num_ack_pending or 0,
                redelivered=info.num_redelivered or 0,
                last_active=info.ack_floor.last_active if info.ack_floor else None,
            )
        try:
            parked = (await js.stream_info(DEADLETTER_STREAM)).state.messages
        except NotFoundError:
            parked = 0
        return found, parked
    finally:
        with contextlib.suppress(Exception):
            await nc.close()
