"""The chain consumer against a real JetStream: order, duplicates, gaps and undecodable messages."""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime
from uuid import uuid4

import nats
import pytest

from contracts.antenne.v1 import MemberRegistered
from contracts.base import Contract
from contracts.envelope import Envelope, wrap
from contracts.subjects import DEADLETTER_STREAM, antenne_subject, deadletter_subject
from services.messaging.consumer import REASON_HEADER, ChainConsumer, OneAtATime
from services.messaging.nats_server import NatsServer
from services.messaging.streams import ensure_streams

pytestmark = pytest.mark.integration


class RecordingSink(OneAtATime):
    """A sink that keeps what it applied, with positions per antenne, as a real view would."""

    def __init__(self) -> None:
        self.applied: list[tuple[str, int]] = []
        self._lock = threading.Lock()

    def last_position(self, antenne_id: str) -> int | None:
        positions = [p for a, p in self.applied if a == antenne_id]
        return max(positions) if positions else None

    def apply(self, envelope: Envelope, payload: Contract) -> bool:
        with self._lock:
            key = (envelope.antenneid, envelope.position)
            if key in self.applied:
                return False
            self.applied.append(key)
            return True


def _envelope(antenne_id: str, position: int, previous: int | None) -> Envelope:
    payload = MemberRegistered(member_id=uuid4(), registered_on=date(2026, 11, 23))
    return wrap(
        payload,
        antenne_id=antenne_id,
        aggregate_id=payload.member_id,
        aggregate_version=1,
        occurred_at=datetime.now(UTC),
        position=position,
        previous_position=previous,
    )


Publish = Callable[[Envelope], Awaitable[None]]


async def _with_consumer(
    server: NatsServer, sink: RecordingSink, scenario: Callable[[Publish], Awaitable[None]]
) -> ChainConsumer:
    nc = await nats.connect(server.url)
    js = nc.jetstream()
    await ensure_streams(js)

    async def publish(envelope: Envelope) -> None:
        subject = antenne_subject(envelope.antenneid, envelope.type)
        await js.publish(subject, envelope.to_bytes(), headers={"Nats-Msg-Id": str(uuid4())})

    consumer = ChainConsumer(server.url, durable="test", sink=sink, gap_retry_seconds=0.1)
    stop = asyncio.Event()
    task = asyncio.create_task(consumer.run(stop))
    try:
        await scenario(publish)
    finally:
        stop.set()
        await asyncio.wait_for(task, 10)
        await nc.close()
    return consumer


async def _until(condition: Callable[[], bool], timeout: float = 10.0) -> None:
    async with asyncio.timeout(timeout):
        while not condition():
            await asyncio.sleep(0.02)


def test_events_are_applied_once_in_chain_order_despite_duplicates_and_a_late_message(
    nats_server: NatsServer,
) -> None:
    sink = RecordingSink()
    first, second, third = _envelope("jette", 1, None), _envelope("jette", 4, 1), _envelope("jette", 6, 4)
    laken = _envelope("laken", 1, None)

    async def scenario(publish: Publish) -> None:
        # Position 4 is late: 6 arrives first and must wait for it.
        for envelope in (first, third, laken, first, second, third):
            await publish(envelope)
        await _until(lambda: len(sink.applied) == 4)

    consumer = asyncio.run(_with_consumer(nats_server, sink, scenario))

    assert [p for a, p in sink.applied if a == "jette"] == [1, 4, 6]
    assert ("laken", 1) in sink.applied
    assert consumer.status.applied == 4
    assert consumer.status.duplicates >= 2
    assert consumer.status.waiting == {}


def test_an_undecodable_message_is_parked_with_its_reason_and_the_consumer_goes_on(
    nats_server: NatsServer,
) -> None:
    sink = RecordingSink()
    reasons: list[str] = []

    async def scenario(publish: Publish) -> None:
        nc = await nats.connect(nats_server.url)
        js = nc.jetstream()
        await js.publish("bp.jette.member.registered", b"{not json", headers={"Nats-Msg-Id": "broken"})
        await publish(_envelope("jette", 1, None))
        await _until(lambda: len(sink.applied) == 1)
        parked = await js.get_last_msg(DEADLETTER_STREAM, deadletter_subject("test"))
        reasons.append((parked.headers or {}).get(REASON_HEADER, ""))
        assert parked.data == b"{not json"
        await nc.close()

    consumer = asyncio.run(_with_consumer(nats_server, sink, scenario))

    assert sink.applied == [("jette", 1)]
    assert consumer.status.parked == 1
    assert reasons[0].startswith("undecodable")


class FlakySink(RecordingSink):
    """A store that fails once, as a database restart would."""

    def __init__(self, failures: int = 1) -> None:
        super().__init__()
        self.failures = failures

    def apply(self, envelope: Envelope, payload: Contract) -> bool:
        if self.failures:
            self.failures -= 1
            raise RuntimeError("database restarting")
        return super().apply(envelope, payload)


def test_a_failing_store_gets_the_message_again_and_nothing_is_skipped(nats_server: NatsServer) -> None:
    sink = FlakySink()

    async def scenario(publish: Publish) -> None:
        await publish(_envelope("jette", 1, None))
        await publish(_envelope("jette", 2, 1))
        await _until(lambda: len(sink.applied) == 2)

    consumer = asyncio.run(_with_consumer(nats_server, sink, scenario))

    assert sink.applied == [("jette", 1), ("jette", 2)]
    assert consumer.status.last_error == "RuntimeError: database restarting"


def test_a_store_that_keeps_failing_is_retried_with_one_traceback_and_then_one_line_per_retry(
    nats_server: NatsServer, caplog: pytest.LogCaptureFixture
) -> None:
    sink = FlakySink(failures=3)

    async def scenario(publish: Publish) -> None:
        await publish(_envelope("jette", 1, None))
        await _until(lambda: len(sink.applied) == 1)

    with caplog.at_level(logging.WARNING, logger="services.messaging.consumer"):
        asyncio.run(_with_consumer(nats_server, sink, scenario))

    retries = [r for r in caplog.records if "could not apply" in r.getMessage()]
    assert [(r.levelno, r.exc_info is not None) for r in retries] == [
        (logging.ERROR, True), (logging.WARNING, False), (logging.WARNING, False)
    ]  # fmt: skip
    assert [r.getMessage().rsplit("retrying in ", 1)[1] for r in retries] == ["1 s", "2 s", "4 s"]
    assert "delivery 3, RuntimeError: database restarting" in retries[2].getMessage()
    assert sink.applied == [("jette", 1)]
