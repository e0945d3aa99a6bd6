"""A durable JetStream consumer that applies every antenne's events in chain order, exactly once.

The sink (ledger, reporting view) records its new state together with the antenne's position in one
transaction; this loop only decides, from the chain, whether a message is next, already applied, or
early (then it is redelivered later, never skipped). Acknowledgement follows the commit.

A fetched batch is applied in runs: consecutive messages that are each next in their antenne's chain go
to the sink in one call, one transaction (`apply_all`); a message that is not next first commits the run
before it, then is handled alone. A run the store refuses is applied again one message at a time.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

import nats
from nats.errors import TimeoutError as NatsTimeoutError
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy

from contracts.envelope import Envelope
from contracts.subjects import ANTENNE_STREAM, ANTENNE_SUBJECTS, deadletter_subject
from services.messaging.chain import Decision, decide
from services.messaging.screening import RefusedMessageError, ReplayGuard, decode_checked, screen
from services.messaging.streams import ensure_streams
from services.persistence import redacted

if TYPE_CHECKING:
    from collections.abc import Sequence

    from nats.aio.client import Client
    from nats.aio.msg import Msg
    from nats.js.client import JetStreamContext

    from contracts.base import Contract

log = logging.getLogger(__name__)

REASON_HEADER = "Bp-Deadletter-Reason"
RETRY_DELAY_CAP_SECONDS = 5.0  # a store that is back should be used again within seconds


class EventSink(Protocol):
    """Something that applies antenne events exactly once (a ledger, a view)."""

    def last_position(self, antenne_id: str) -> int | None:
        """The last position of this antenne applied, or None."""

    def apply(self, envelope: Envelope, payload: Contract) -> bool:
        """Apply the event and record its position atomically; False if it was already there."""

    def apply_all(self, events: Sequence[tuple[Envelope, Contract]]) -> list[bool]:
        """Apply a run (each antenne's events in chain order) and record the positions in one transaction;
        per event, False if it was already there. On an error nothing of the run is recorded."""


class OneAtATime:
    """For a sink with no batch transaction: `apply_all` applies each event in its own."""

    def apply(self, envelope: Envelope, payload: Contract) -> bool:
        """Apply one event (the sink's own)."""
        raise NotImplementedError

    def apply_all(self, events: Sequence[tuple[Envelope, Contract]]) -> list[bool]:
        """Each event on its own, in order."""
        return [self.apply(envelope, payload) for envelope, payload in events]


class ConsumerObserver(Protocol):
    """Told of each event once its run is committed and acknowledged (metrics, logs, traces)."""

    def applied(self, message: Msg, envelope: Envelope, payload: Contract, *, new: bool) -> None:
        """`new` is False when the sink already had the event (a duplicate)."""


@dataclass(frozen=True)
class Delivery:
    """A decoded message that is next in its antenne's chain."""

    message: Msg
    envelope: Envelope
    payload: Contract


@dataclass
class ConsumerStatus:
    """What the consumer has done, for health and audit endpoints."""

    connected: bool = False
    applied: int = 0
    duplicates: int = 0
    parked: int = 0
    positions: dict[str, int] = field(default_factory=dict)
    # antenne -> last position applied, while a later event waits for the one that follows it
    waiting: dict[str, int] = field(default_factory=dict)
    last_applied_at: float | None = None
    last_error: str | None = None


@dataclass
class ChainConsumer:
    """Pulls from a stream with a durable consumer and feeds a sink in chain order.

    By default the antenne stream, all antennes (ledger, reporting); an antenne reads the ledger's
    decisions about it with `stream=LEDGER_STREAM, subjects=ledger_subjects_of(id)` and its inbox prefix.
    """

    nats_url: str
    durable: str
    sink: EventSink
    stream: str = ANTENNE_STREAM
    subjects: str = ANTENNE_SUBJECTS
    inbox_prefix: str | None = None  # a user that may read only its own replies needs its prefix
    batch: int = 500
    observer: ConsumerObserver | None = None
    gap_retry_seconds: float = 0.5
    # What a crashed process had fetched comes back only after the ack wait, and the chain holds every
    # later event of those antennes until then: keep it short (a batch is applied well within it).
    ack_wait_seconds: float = 5.0
    connect_timeout_seconds: float = 5.0
    progress_log_seconds: float = 10.0
    status: ConsumerStatus = field(default_factory=ConsumerStatus)
    _last: dict[str, int | None] = field(default_factory=dict, init=False)
    _replays: ReplayGuard = field(default_factory=ReplayGuard, init=False)

    async def run(self, stop: asyncio.Event) -> None:
        """Consume until `stop` is set, reconnecting after any failure."""
        progress = asyncio.create_task(self._log_progress(stop))
        try:
            while not stop.is_set():
                try:
                    await self._consume(stop)
                except Exception as error:  # the link comes back; the next round starts over
                    self._lost(error)
                    await _sleep_unless(stop, 1.0)
        finally:
            progress.cancel()

    def _lost(self, error: BaseException) -> None:
        message = f"{type(error).__name__}: {error}"
        if self.status.connected or message != self.status.last_error:
            log.warning("consumer %s: NATS unavailable (%s); retrying", self.durable, message)
        self.status.connected = False
        self.status.last_error = message

    async def _connect(self, stop: asyncio.Event, reconnected: asyncio.Event) -> Client:
        async def on_reconnect() -> None:
            log.info("consumer %s reconnected to NATS", self.durable)
            reconnected.set()

        async def on_disconnect() -> None:
            self.status.connected = False

        async def on_error(error: Exception) -> None:
            self.status.last_error = f"{type(error).__name__}: {error}"

        options = {"inbox_prefix": self.inbox_prefix} if self.inbox_prefix else {}
        # nats.connect retries the first connection forever while the server is down: bound it, and
        # give up at once on `stop`, so that shutdown is prompt and the status tells the truth.
        connecting = asyncio.create_task(
            nats.connect(
                self.nats_url,
                name=self.durable,
                connect_timeout=2,
                max_reconnect_attempts=-1,
                reconnect_time_wait=0.5,
                reconnected_cb=on_reconnect,
                disconnected_cb=on_disconnect,
                error_cb=on_error,
                **options,
            )
        )
        stopping = asyncio.create_task(stop.wait())
        await asyncio.wait(
            {connecting, stopping}, timeout=self.connect_timeout_seconds, return_when=asyncio.FIRST_COMPLETED
        )
        stopping.cancel()
        if not connecting.done():
            connecting.cancel()
            await asyncio.gather(connecting, return_exceptions=True)
            raise ConnectionError(f"cannot reach NATS at {redacted(self.nats_url)}")
        client: Client = connecting.result()
        return client

    async def _consume(self, stop: asyncio.Event) -> None:
        reconnected = asyncio.Event()
        nc = await self._connect(stop, reconnected)
        try:
            js = nc.jetstream()
            await ensure_streams(js)
            self.status.connected = True
            self.status.last_error = None
            log.info("consumer %s connected to %s", self.durable, redacted(self.nats_url))
            while not stop.is_set():
                reconnected.clear()
                await self._pull_until_reconnect(js, stop, reconnected)
                self.status.connected = nc.is_connected
        finally:
            self.status.connected = False
            await nc.close()

    async def _pull_until_reconnect(
        self, js: JetStreamContext, stop: asyncio.Event, reconnected: asyncio.Event
    ) -> None:
        # Pull subscriptions may not survive a server restart: re-create them after a reconnect.
        subscription = await js.pull_subscribe(
            self.subjects, durable=self.durable, stream=self.stream, config=self._config()
        )
        try:
            while not stop.is_set() and not reconnected.is_set():
                try:
                    messages = await subscription.fetch(self.batch, timeout=1.0)
                except (TimeoutError, NatsTimeoutError):
                    continue
                await self._handle_batch(js, messages)
        finally:
            await subscription.unsubscribe()

    def _config(self) -> ConsumerConfig:
        return ConsumerConfig(
            durable_name=self.durable,
            ack_policy=AckPolicy.EXPLICIT,
            deliver_policy=DeliverPolicy.ALL,
            ack_wait=self.ack_wait_seconds,
            # Out-of-order messages wait unacknowledged for the missing one; this bounds how many.
            max_ack_pending=4096,
            max_deliver=-1,
        )

    async def _handle_batch(self, js: JetStreamContext, messages: list[Msg]) -> None:
        run: list[Delivery] = []
        for message in messages:
            decoded = await self._decode(js, message)
            if decoded is None:
                continue
            envelope, payload = decoded
            if self._decide(envelope) is Decision.APPLY:
                run.append(Delivery(message, envelope, payload))
                # As if applied, for the next messages' decisions: the run commits, or is retried alone.
                self._last[envelope.antenneid] = envelope.position
                # A later copy of this id in the same fetch is a replay too (its place is this one).
                self._replays.remember(envelope)
                continue
            await self._commit(js, run)
            run = []
            await self._handle(js, message, envelope, payload)
        await self._commit(js, run)

    async def _decode(self, js: JetStreamContext, message: Msg) -> tuple[Envelope, Contract] | None:
        try:
            # Antenne events are checked against their subject (only that antenne may publish there).
            checked = screen if self.stream == ANTENNE_STREAM else decode_checked
            envelope, payload = checked(message.subject, message.data)
            self._replays.check(envelope)
        except RefusedMessageError as refused:
            await self._park(js, message, str(refused))
            return None
        return envelope, payload

    def _decide(self, envelope: Envelope) -> Decision:
        return decide(envelope.position, envelope.previousposition, self._last_applied(envelope.antenneid))

    async def _handle(
        self, js: JetStreamContext, message: Msg, envelope: Envelope, payload: Contract
    ) -> None:
        """One message on its own."""
        decision = self._decide(envelope)
        if decision is Decision.APPLY:
            await self._commit(js, [Delivery(message, envelope, payload)])
        elif decision is Decision.DUPLICATE:
            self.status.duplicates += 1
            await message.ack()
        elif decision is Decision.GAP:
            if envelope.antenneid not in self.status.waiting:
                log.info("consumer %s: %s position %d waits for the event after %s",
                         self.durable, envelope.antenneid, envelope.position,
                         self._last_applied(envelope.antenneid))  # fmt: skip
            self.status.waiting[envelope.antenneid] = self._last_applied(envelope.antenneid) or 0
            await message.nak(delay=self.gap_retry_seconds)
        else:
            await self._park(js, message, f"chain conflict at position {envelope.position}")

    async def _commit(self, js: JetStreamContext, run: list[Delivery]) -> None:
        """Apply a run in one call to the sink, then acknowledge it; a refused run goes again one by one."""
        if not run:
            return
        try:
            news = await asyncio.to_thread(self.sink.apply_all, [(d.envelope, d.payload) for d in run])
        except Exception as error:  # a store hiccup: try again soon, never skip
            for delivery in run:  # the store may or may not have committed: read positions from it again
                self._last.pop(delivery.envelope.antenneid, None)
            if len(run) == 1:
                await self._retry_later(run[0].message, run[0].envelope, error)
                return
            self.status.last_error = f"{type(error).__name__}: {error}"
            log.warning("consumer %s could not apply a run of %d events (%s): one at a time now",
                        self.durable, len(run), f"{type(error).__name__}: {error}")  # fmt: skip
            for delivery in run:
                await self._handle(js, delivery.message, delivery.envelope, delivery.payload)
            return
        for delivery, new in zip(run, news, strict=True):
            self._applied(delivery.envelope, new=new)
            self._replays.remember(delivery.envelope)
            await delivery.message.ack()
        if self.observer is not None:
            for delivery, new in zip(run, news, strict=True):
                self.observer.applied(delivery.message, delivery.envelope, delivery.payload, new=new)

    def _applied(self, envelope: Envelope, *, new: bool) -> None:
        self._last[envelope.antenneid] = envelope.position
        self.status.positions[envelope.antenneid] = envelope.position
        self.status.waiting.pop(envelope.antenneid, None)
        if new:
            self.status.applied += 1
            self.status.last_applied_at = time.time()
        else:
            self.status.duplicates += 1

    async def _retry_later(self, message: Msg, envelope: Envelope, error: Exception) -> None:
        """Ask for the message again after a delay that doubles per delivery; the traceback is logged on
        its first failure only, each retry after it in one line."""
        self.status.last_error = f"{type(error).__name__}: {error}"
        delivered = message.metadata.num_delivered or 1
        delay = min(RETRY_DELAY_CAP_SECONDS, 2.0 ** (delivered - 1))
        if delivered == 1:
            log.exception(
                "consumer %s could not apply %s: retrying in %.0f s", self.durable, envelope.id, delay
            )
        else:
            log.warning("consumer %s could not apply %s (delivery %d, %s): retrying in %.0f s",
                        self.durable, envelope.id, delivered, self.status.last_error, delay)  # fmt: skip
        await message.nak(delay=delay)

    def _last_applied(self, antenne_id: str) -> int | None:
        if antenne_id not in self._last:
            self._last[antenne_id] = self.sink.last_position(antenne_id)
        return self._last[antenne_id]

    async def _park(self, js: JetStreamContext, message: Msg, reason: str) -> None:
        """Keep a message we cannot apply on the dead-letter stream, with the reason; never drop it."""
        log.error("consumer %s parks a message from %s: %s", self.durable, message.subject, reason)
        headers = {REASON_HEADER: reason[:1000], "Bp-Original-Subject": message.subject}
        await js.publish(deadletter_subject(self.durable), message.data, headers=headers)
        self.status.parked += 1
        await message.ack()

    async def _log_progress(self, stop: asyncio.Event) -> None:
        reported = 0
        while not stop.is_set():
            await _sleep_unless(stop, self.progress_log_seconds)
            if self.status.applied != reported:
                log.info("consumer %s: %d events applied (%d duplicates dropped, %d parked); positions %s",
                         self.durable, self.status.applied, self.status.duplicates, self.status.parked,
                         self.status.positions)  # fmt: skip
                reported = self.status.applied


async def _sleep_unless(stop: asyncio.Event, seconds: float) -> None:
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), seconds)
