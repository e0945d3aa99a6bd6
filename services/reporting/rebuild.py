"""Rebuild the summary from the stream into a fresh view, and compare it with the live one (invariant 7).

The rebuild runs the same `ChainConsumer` and sink as the live service, under a throwaway durable name,
until JetStream says that consumer has acknowledged every message the stream held when it started;
then it stops and deletes that consumer. A message it cannot apply is parked, as the live consumer
does, on `deadletter.reporting-rebuild-<hex>`.
"""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass, field, fields
from typing import TYPE_CHECKING, Any
from uuid import uuid4

import nats
from nats.js.errors import NotFoundError

from contracts.subjects import ANTENNE_STREAM
from services.messaging.consumer import ChainConsumer
from services.messaging.streams import ensure_streams
from services.reporting.consumer import SummarySink
from services.reporting.projection import NO_CHANGE, Figures, Summary
from services.reporting.views import ViewContents, make_view

if TYPE_CHECKING:
    from collections.abc import Callable, Coroutine

    from nats.js.client import JetStreamContext

    from services.reporting.records import Records
    from services.reporting.views import SummaryView

POLL_SECONDS = 0.1
STOP_TIMEOUT_SECONDS = 10.0


class RebuildError(RuntimeError):
    """The rebuild could not finish: the target view is not empty, or it did not catch up in time."""


@dataclass(frozen=True)
class Progress:
    """How far a rebuild got, by stream sequence, against the stream's last sequence when it started."""

    last_sequence: int
    acknowledged: int
    applied: int
    duplicates: int
    parked: int
    # antenne -> last position applied; the event after it has not arrived
    waiting: dict[str, int] = field(default_factory=dict)
    caught_up: bool = False

    def describe(self) -> str:
        """One line for a terminal."""
        line = (
            f"{self.acknowledged}/{self.last_sequence} stream messages: {self.applied} events applied, "
            f"{self.duplicates} duplicates dropped, {self.parked} parked"
        )
        if not self.waiting:
            return line
        missing = ", ".join(f"{antenne} after position {last}" for antenne, last in self.waiting.items())
        return f"{line}; waiting for the missing event of {missing}"


async def rebuild(
    nats_url: str, view: SummaryView, *, on_progress: Callable[[Progress], None] | None = None
) -> ViewContents:
    """Apply every event on the stream to an empty view and return its contents (wrap it in a timeout)."""
    if not view.contents().is_empty():
        raise RebuildError("the view to rebuild into is not empty: give a fresh database")
    durable = f"reporting-rebuild-{uuid4().hex}"
    consumer = ChainConsumer(nats_url, durable, sink=SummarySink(view), gap_retry_seconds=0.1)
    # Few attempts: a rebuild is run by hand, and an unreachable server is better said at once.
    nc = await nats.connect(
        nats_url,
        name=durable,
        connect_timeout=2,
        max_reconnect_attempts=2,
        reconnect_time_wait=0.2,
        error_cb=_quiet,
    )
    try:
        js = nc.jetstream()
        await ensure_streams(js)
        last_sequence = (await js.stream_info(ANTENNE_STREAM)).state.last_seq
        stop = asyncio.Event()
        task = asyncio.create_task(consumer.run(stop))
        try:
            await _until_caught_up(js, consumer, last_sequence, on_progress or _ignore)
        finally:
            stop.set()
            # The consumer finishes the batch in hand, then closes its connection.
            _, late = await asyncio.wait({task}, timeout=STOP_TIMEOUT_SECONDS)
            for unfinished in late:
                unfinished.cancel()
            with contextlib.suppress(NotFoundError):
                await js.delete_consumer(ANTENNE_STREAM, durable)
    finally:
        await nc.close()
    return view.contents()


def rebuild_into(
    database_url: str,
    nats_url: str,
    *,
    timeout: float = 300.0,
    on_progress: Callable[[Progress], None] | None = None,
) -> ViewContents:
    """Rebuild into a fresh view at `database_url` (default use: `memory:`); RebuildError if it can't."""
    view = make_view(database_url)
    try:
        return asyncio.run(_within(timeout, rebuild(nats_url, view, on_progress=on_progress)))
    finally:
        view.close()


async def _within(seconds: float, rebuilding: Coroutine[Any, Any, ViewContents]) -> ViewContents:
    try:
        async with asyncio.timeout(seconds):
            return await rebuilding
    except TimeoutError:
        raise RebuildError(f"not caught up with the stream after {seconds:.0f}s") from None


async def _until_caught_up(
    js: JetStreamContext,
    consumer: ChainConsumer,
    last_sequence: int,
    on_progress: Callable[[Progress], None],
) -> None:
    while True:
        progress = await _progress(js, consumer, last_sequence)
        on_progress(progress)
        if progress.caught_up:
            return
        await asyncio.sleep(POLL_SECONDS)


async def _progress(js: JetStreamContext, consumer: ChainConsumer, last_sequence: int) -> Progress:
    status = consumer.status
    counts = (status.applied, status.duplicates, status.parked, dict(status.waiting))
    try:
        info = await js.consumer_info(ANTENNE_STREAM, consumer.durable)
    except NotFoundError:  # the consumer has not created its durable yet
        return Progress(last_sequence, 0, *counts)
    acknowledged = info.ack_floor.stream_seq if info.ack_floor else 0
    delivered = info.delivered.stream_seq if info.delivered else 0
    # Acknowledgement follows the commit, so nothing pending means every event is in the view.
    caught_up = delivered >= last_sequence and info.num_pending == 0 and info.num_ack_pending == 0
    return Progress(last_sequence, acknowledged, *counts, caught_up=caught_up)


def differences(live: ViewContents, rebuilt: ViewContents) -> list[str]:
    """What differs between the live and the rebuilt view, one line per figure or record; empty when equal."""
    return _figure_differences(live.summary, rebuilt.summary) + _record_differences(
        live.records, rebuilt.records
    )


def _record_differences(live: dict[str, Records], rebuilt: dict[str, Records]) -> list[str]:
    lines = []
    for antenne_id in sorted(live.keys() | rebuilt.keys()):
        before, after = live.get(antenne_id, {}), rebuilt.get(antenne_id, {})
        for key in sorted(before.keys() | after.keys()):
            if before.get(key) != after.get(key):
                lines.append(f"{antenne_id} {key}: live {before.get(key)}, rebuilt {after.get(key)}")
    return lines


def _figure_differences(live: Summary, rebuilt: Summary) -> list[str]:
    lines = []
    for antenne_id in sorted(live.keys() | rebuilt.keys()):
        before, after = live.get(antenne_id, NO_CHANGE), rebuilt.get(antenne_id, NO_CHANGE)
        if antenne_id not in live or antenne_id not in rebuilt:
            where = "live view" if antenne_id not in live else "rebuilt view"
            lines.append(f"{antenne_id}: missing from the {where}")
        for name in _FIELDS:
            if getattr(before, name) != getattr(after, name):
                lines.append(
                    f"{antenne_id} {name}: live {getattr(before, name)}, rebuilt {getattr(after, name)}"
                )
    return lines


_FIELDS = tuple(f.name for f in fields(Figures))


def _ignore(progress: Progress) -> None:
    pass


async def _quiet(error: Exception) -> None:
    # The error reaches the caller as an exception; nats-py would also log it with a traceback.
    pass
