"""Invariant 4 at scale: an antenne records 1,000 events with NATS down; when NATS returns, its relay
(with the antenne's own, restricted credentials) drains the backlog, and the ledger's consumer applies
every event once, in order. Both drain rates are measured and printed."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from contracts.antenne.v1 import Category
from contracts.base import Contract
from contracts.envelope import Envelope
from services.antenne.application import Antenne
from services.antenne.relay import Relay
from services.credentials.generate import Installation
from services.credentials.permissions import ADMIN_USER, antenne_user
from services.messaging.consumer import ChainConsumer, OneAtATime
from services.messaging.streams import create_streams
from services.persistence import eventsourcing_env
from services.ports import free_port
from tests.integration.antenne.jetstream import (
    assert_complete_chain,
    expected_positions,
    read_stream,
    stream_count,
)
from tests.integration.federation.conftest import start_secured_nats
from tests.support.dates import RECENT

pytestmark = pytest.mark.integration

EVENTS = 1_000


class OrderedSink(OneAtATime):
    """Keeps positions in the order applied; refuses nothing (the chain consumer decides)."""

    def __init__(self) -> None:
        self.positions: list[int] = []

    def last_position(self, antenne_id: str) -> int | None:
        return self.positions[-1] if self.positions else None

    def apply(self, envelope: Envelope, payload: Contract) -> bool:
        self.positions.append(envelope.position)
        return True


def _record_help(antenne: Antenne, count: int) -> None:
    """Two neighbours, then `count` small exchanges between them: a public event each."""
    anna, bert = antenne.register_member("Anna"), antenne.register_member("Bert")
    for _ in range(count):
        antenne.record_exchange(bert, anna, 1, Category.DIGITAL, RECENT)


async def _until(condition: Callable[[], bool], timeout: float, what: str) -> float:
    """Wait for `condition`; return when it held (monotonic seconds)."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"after {timeout:.0f} s still not: {what}"
        await asyncio.sleep(0.01)
    return time.monotonic()


def test_a_backlog_of_a_thousand_events_drains_once_and_in_order_when_nats_returns(tmp_path: Path) -> None:
    secured = start_secured_nats(
        tmp_path, Installation(("jette",), nats_url=f"nats://127.0.0.1:{free_port()}")
    )
    create_streams(secured.url(ADMIN_USER))
    secured.server.stop()
    antenne = Antenne(env=eventsourcing_env(f"sqlite:///{tmp_path / 'jette.db'}"))
    relay = Relay(antenne, "jette", secured.url(antenne_user("jette")))
    sink = OrderedSink()
    consumer = ChainConsumer(secured.url("ledger"), durable="ledger", sink=sink, batch=500)
    timings: dict[str, float] = {}

    async def scenario() -> None:
        stop = asyncio.Event()
        relaying = asyncio.create_task(relay.run(stop))
        try:
            # NATS is down: every registration is still recorded.
            await asyncio.to_thread(_record_help, antenne, EVENTS)
            await _until(lambda: relay.status.last_error is not None, 15, "relay sees NATS down")
            assert relay.current_status().backlog >= EVENTS
            # NATS returns: the relay reconnects after its back-off and publishes the backlog.
            await asyncio.to_thread(secured.server.start)
            timings["up"] = time.monotonic()
            timings["connected"] = await _until(lambda: relay.status.connected, 30, "relay reconnected")
            timings["published"] = await _until(
                lambda: relay.status.position is not None and relay.current_status().backlog == 0,
                60,
                "backlog published",
            )
            # The ledger's consumer starts from nothing and applies the whole backlog.
            consuming = asyncio.create_task(consumer.run(stop))
            timings["consuming"] = time.monotonic()
            timings["applied"] = await _until(lambda: len(sink.positions) >= EVENTS + 2, 60, "all applied")
            await asyncio.sleep(0.5)  # a duplicate would show up now
            stop.set()
            await asyncio.wait_for(consuming, 10)
        finally:
            stop.set()
            await asyncio.wait_for(relaying, 15)

    try:
        asyncio.run(scenario())
        admin = secured.url(ADMIN_USER)
        published = asyncio.run(read_stream(admin, "jette"))
        in_stream = asyncio.run(stream_count(admin))
        positions = expected_positions(antenne, "jette")
    finally:
        antenne.close()
        secured.server.stop()

    publish_seconds = timings["published"] - timings["connected"]
    apply_seconds = timings["applied"] - timings["consuming"]
    events, back_off = len(positions), timings["connected"] - timings["up"]
    print(
        f"\nbacklog of {events} events: relay published at {events / publish_seconds:,.0f} events/s "
        f"({publish_seconds:.2f} s after reconnecting, {back_off:.2f} s back-off); "
        f"ledger consumer applied at {events / apply_seconds:,.0f} events/s ({apply_seconds:.2f} s)"
    )
    assert len(positions) == in_stream == EVENTS + 2  # the two registrations, then the exchanges
    assert_complete_chain(published, positions, "jette")
    assert sink.positions == positions
