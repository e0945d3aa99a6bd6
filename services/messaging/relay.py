"""The outbox relay: tails a service's own notification log and publishes its public events to JetStream.

The service's own store is the record, the stream a transport (decision 0003). The relay asks its
`Outbox` for the next section of the log as envelopes, publishes them pipelined, and lets the outbox
record how far JetStream acknowledged, in the service's own database and only after the ack: a crash
anywhere repeats a publish (JetStream drops it by `Nats-Msg-Id`, consumers by position) and never loses
one. Each message names the previous position published in its chain: a consumer sees a missing message.

Two outboxes use it: the antenne's (`services/antenne/outbox.py`, one chain) and the ledger's decisions
(`services/ledger/feedback.py`, one chain per addressed antenne).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Protocol

import nats
from nats.errors import NoServersError

from services.messaging.streams import STREAMS, ensure_streams
from services.persistence import redacted

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from nats.aio.client import Client
    from nats.js.api import PubAck, StreamConfig
    from nats.js.client import JetStreamContext

    from contracts.envelope import Envelope

log = logging.getLogger(__name__)

BATCH_SIZE = 500
POLL_SECONDS = 0.1  # SQLite has no live subscription: look for new events this often when idle
ACK_TIMEOUT_SECONDS = 5.0
FIRST_RETRY_SECONDS = 0.2
MAX_RETRY_SECONDS = 5.0


@dataclass(frozen=True)
class Outgoing:
    """One envelope ready to publish, at its position in the service's log."""

    position: int
    subject: str
    envelope: Envelope


@dataclass(frozen=True)
class Batch:
    """The envelopes found in one section of the log, and how far that section went."""

    outgoing: list[Outgoing]
    read_up_to: int
    full: bool  # the section was full: more notifications may follow right away

    def previous_after(self, previous: int | None) -> int | None:
        """The published position the next batch chains to (for a single chain)."""
        return self.outgoing[-1].position if self.outgoing else previous


class Outbox(Protocol):
    """What a relay publishes from: a service's log, mapped to envelopes and chained."""

    def resume(self) -> int | None:
        """Forget what was read ahead; return the last recorded position (None: nothing published yet)."""

    def read(self, start: int, limit: int) -> Batch:
        """Up to `limit` notifications from `start`, as envelopes chained after what was recorded."""

    def record(self, acked: Sequence[Outgoing]) -> None:
        """Record that JetStream acknowledged these (a non-empty prefix of a batch, in order)."""

    def last_notification_id(self) -> int:
        """The newest notification id in the log (0 when empty), for the backlog."""


class RelayObserver(Protocol):
    """Told of every publish (metrics, logs, traces); may add headers to each message."""

    def headers(self, message: Outgoing) -> dict[str, str]:
        """Extra NATS headers for this message (a `traceparent`), or none."""

    def published(self, acked: list[Outgoing], attempted: int) -> None:
        """After a batch: the acknowledged prefix, of `attempted` messages sent."""


class PublishFailedError(Exception):
    """JetStream did not acknowledge every message of a batch; the acknowledged prefix is recorded."""

    def __init__(self, position: int, reason: str) -> None:
        super().__init__(f"publishing position {position} failed: {reason}")
        self.position = position


class NatsUnreachableError(ConnectionError):
    """No NATS server accepted the connection."""


@dataclass
class RelayStatus:
    """What the relay has done, for the health endpoint and the logs."""

    connected: bool = False
    position: int | None = None  # the last published notification id, as recorded
    backlog: int = 0  # notifications stored but not yet relayed
    last_publish_at: datetime | None = None
    last_error: str | None = None


@dataclass
class OutboxRelay:
    """Publishes an outbox to JetStream, in log order, from its last recorded position."""

    outbox: Outbox
    nats_url: str
    name: str  # the connection name, in the server's logs
    inbox_prefix: str | None = None  # a user that may read only its own replies needs its prefix
    streams: tuple[StreamConfig, ...] = STREAMS
    batch_size: int = BATCH_SIZE
    poll_seconds: float = POLL_SECONDS
    ack_timeout_seconds: float = ACK_TIMEOUT_SECONDS
    status: RelayStatus = field(default_factory=RelayStatus)
    logger: logging.Logger = log  # each service logs under its own name
    observer: RelayObserver | None = None
    _read_up_to: int = field(default=0, init=False)
    _wakeup: asyncio.Event | None = field(default=None, init=False)
    _loop: asyncio.AbstractEventLoop | None = field(default=None, init=False)
    _last_warning: str | None = field(default=None, init=False)

    def __post_init__(self) -> None:
        self._resume()

    def wake(self) -> None:
        """Look for new events now rather than at the next poll; safe to call from any thread."""
        loop, wakeup = self._loop, self._wakeup
        if loop is not None and wakeup is not None and not loop.is_closed():
            with contextlib.suppress(RuntimeError):  # the loop closed in between
                loop.call_soon_threadsafe(wakeup.set)

    def current_status(self) -> RelayStatus:
        """A copy of the status with the backlog counted now (it grows while NATS is away)."""
        return replace(self.status, backlog=self._backlog())

    async def run(self, stop: asyncio.Event) -> None:
        """Relay until `stop` is set; NATS being away only delays publishing, with growing retries."""
        self._loop, self._wakeup = asyncio.get_running_loop(), asyncio.Event()
        failures = 0
        while not stop.is_set():
            try:
                nc = await self._connect(watched=True)
            except Exception as error:  # refused, timed out: the service works on, the relay waits
                failures += 1
                reason = str(error) if isinstance(error, NatsUnreachableError) else _describe(error)
                self._lose(f"NATS unreachable: {reason}", failures)
                await _sleep_unless(stop, _retry_delay(failures))
                continue
            try:
                await self._relay(nc, stop, reconnected=failures > 0)
                failures = 0
            except Exception as error:  # the connection or the database failed: start over
                failures += 1
                self._lose(f"relaying stopped: {_describe(error)}", failures)
                await _sleep_unless(stop, _retry_delay(failures))
            finally:
                self.status.connected = False
                await close_quietly(nc)

    async def _connect(self, *, watched: bool = False) -> Client:
        """Connect once; a `watched` connection (the relay's own) updates the status when it closes."""
        errors: list[Exception] = []

        async def closed() -> None:
            if watched:
                self.status.connected = False
                self.wake()  # an idle relay notices at once

        async def error(error: Exception) -> None:
            errors.append(error)
            if watched:
                self.status.last_error = _describe(error)

        options = {"inbox_prefix": self.inbox_prefix} if self.inbox_prefix else {}
        try:
            # No automatic reconnect, and one try per call (the client would otherwise try 60 times,
            # 2 s apart): this class retries itself, sees `stop` in between, and re-reads its position.
            return await nats.connect(
                self.nats_url,
                name=self.name,
                connect_timeout=2,
                allow_reconnect=False,
                max_reconnect_attempts=1,
                reconnect_time_wait=0,
                closed_cb=closed,
                disconnected_cb=closed,
                error_cb=error,
                **options,
            )
        except NoServersError:
            # Say why (refused, timed out), not only that no server was left to try.
            raise NatsUnreachableError(_describe(errors[-1]) if errors else "no server answered") from None

    async def _relay(self, nc: Client, stop: asyncio.Event, *, reconnected: bool) -> None:
        js = nc.jetstream()
        await ensure_streams(js, self.streams)
        await asyncio.to_thread(self._resume)
        self.status.connected, self._last_warning = True, None
        self.logger.info(
            "%s to NATS at %s; relaying from position %s",
            "reconnected" if reconnected else "connected",
            redacted(self.nats_url),
            self.status.position,
        )
        while not stop.is_set():
            if nc.is_closed:
                raise ConnectionError("connection to NATS closed")
            batch = await asyncio.to_thread(self.outbox.read, self._read_up_to + 1, self.batch_size)
            await self._relay_batch(js, batch)
            if not batch.full:
                await self._idle()

    async def _relay_batch(self, js: JetStreamContext, batch: Batch) -> None:
        acked = await self._publish(js, batch.outgoing)
        if acked:
            position = acked[-1].position
            await asyncio.to_thread(self.outbox.record, acked)
            self.status.position, self._read_up_to = position, position
            self.status.last_publish_at = datetime.now(UTC)
            self.logger.info("published %d event(s) up to position %d", len(acked), position)
        if len(acked) < len(batch.outgoing):
            failed = batch.outgoing[len(acked)]
            raise PublishFailedError(failed.position, self.status.last_error or "no ack")
        if acked:
            self.status.last_error = None  # publishing works again, end to end
        self._read_up_to = batch.read_up_to  # internal events after the last published one are done too
        # A section that was not full reached the end of the log: nothing waited then.
        self.status.backlog = await asyncio.to_thread(self._backlog) if batch.full else 0

    async def republish_log(self, read: Callable[[int], Batch], from_position: int) -> int:
        """Publish again what `read(start)` finds from the log's start (a chain needs the message before
        `from_position`), keeping what is at `from_position` or later; the recorded position does not move.
        Returns the number of messages published."""
        nc = await self._connect()
        try:
            js = nc.jetstream()
            await ensure_streams(js, self.streams)
            start, published = 1, 0
            while True:
                batch = await asyncio.to_thread(read, start)
                wanted = [o for o in batch.outgoing if o.position >= from_position]
                acked = await self._publish(js, wanted)
                published += len(acked)
                if len(acked) < len(wanted):
                    raise PublishFailedError(wanted[len(acked)].position, self.status.last_error or "no ack")
                if not batch.full:
                    break
                start = batch.read_up_to + 1
            self.logger.info("republished %d messages from position %d", published, from_position)
            return published
        finally:
            await close_quietly(nc)

    async def _publish(self, js: JetStreamContext, outgoing: Sequence[Outgoing]) -> list[Outgoing]:
        """Publish pipelined; returns the acknowledged prefix (in order, with no hole)."""
        acks: list[asyncio.Future[PubAck]] = []
        try:
            for message in outgoing:
                payload, headers = message.envelope.to_bytes(), {"Nats-Msg-Id": str(message.envelope.id)}
                if self.observer is not None:
                    headers.update(self.observer.headers(message))
                acks.append(await js.publish_async(message.subject, payload, headers=headers))
        except Exception as error:  # the ones already sent may still be acknowledged
            self.status.last_error = _describe(error)
        if acks:
            # A refusal by JetStream (503, e.g. a full stream) never resolves its future in nats-py 2.16
            # (nats-io/nats.py#985; it reaches error_cb instead): the timeout bounds the wait.
            await asyncio.wait(acks, timeout=self.ack_timeout_seconds)
        acked = 0
        for ack in acks:
            if not ack.done() or ack.cancelled() or ack.exception() is not None:
                break
            acked += 1
        for ack in acks[acked:]:
            self._note_failure(ack)
        if self.observer is not None and outgoing:
            self.observer.published(list(outgoing[:acked]), len(outgoing))
        return list(outgoing[:acked])

    def _note_failure(self, ack: asyncio.Future[PubAck]) -> None:
        if not ack.done():
            ack.cancel()  # frees its slot in the client's publish window
            self.status.last_error = self.status.last_error or "no acknowledgement in time"
        elif not ack.cancelled() and ack.exception() is not None:
            self.status.last_error = _describe(ack.exception())

    def _resume(self) -> None:
        """Start again from the recorded position: after a restart, or another relay's progress."""
        self.status.position = self.outbox.resume()
        self._read_up_to = self.status.position or 0
        self.status.backlog = self._backlog()

    def _backlog(self) -> int:
        return self.outbox.last_notification_id() - self._read_up_to

    async def _idle(self) -> None:
        assert self._wakeup is not None
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._wakeup.wait(), self.poll_seconds)
        self._wakeup.clear()

    def _lose(self, reason: str, failures: int) -> None:
        self.status.connected, self.status.last_error = False, reason
        # Say what went wrong when it changes, then now and then, not at every retry.
        if reason != self._last_warning or failures % 20 == 0:
            delay = _retry_delay(failures)
            self.logger.warning("%s; retrying in %.1f s (attempt %d)", reason, delay, failures)
        self._last_warning = reason


def _retry_delay(failures: int) -> float:
    delay: float = FIRST_RETRY_SECONDS * 2.0 ** max(failures - 1, 0)
    return min(delay, MAX_RETRY_SECONDS)


def _describe(error: BaseException | None) -> str:
    return f"{type(error).__name__}: {error}" if str(error) else type(error).__name__


async def _sleep_unless(stop: asyncio.Event, seconds: float) -> None:
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), seconds)


async def close_quietly(nc: Client) -> None:
    """Close a connection, whatever state it is in."""
    with contextlib.suppress(Exception):  # closing a broken connection may fail; it is gone either way
        await nc.close()
