"""The relay against a real JetStream, on SQLite and PostgreSQL: once, in order, chained, never lost."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from dataclasses import replace

import nats
import pytest
from nats.js.api import DiscardPolicy

from contracts.antenne.v1 import Category
from contracts.subjects import ANTENNE_STREAM
from services.antenne.application import Antenne
from services.antenne.relay import TRACKING_NAME, Relay
from services.messaging.nats_server import NatsServer
from services.messaging.streams import ensure_streams
from services.persistence import eventsourcing_env
from tests.integration.antenne.jetstream import (
    assert_complete_chain,
    expected_positions,
    read_stream,
    stream_count,
    wait_until_async,
)
from tests.support.dates import RECENT

pytestmark = pytest.mark.integration

ANTENNE_ID = "jette"


@pytest.fixture
def antenne(database_url: str) -> Iterator[Antenne]:
    with Antenne(env=eventsourcing_env(database_url)) as antenne:
        yield antenne


def neighbourhood_activity(antenne: Antenne, members: int = 4, exchanges: int = 3) -> None:
    """Members register, help each other, and most exchanges are confirmed (postings are internal)."""
    ids = [antenne.register_member(f"Member {i}") for i in range(members)]
    for i in range(exchanges):
        exchange_id = antenne.record_exchange(
            ids[i % members], ids[(i + 1) % members], 1 + i % 8, Category.COMPANY, RECENT
        )
        if i % 3 != 2:
            antenne.confirm_exchange(exchange_id)


async def relay_until_published(relay: Relay, antenne: Antenne, last_position: int) -> None:
    """Run the relay until it recorded `last_position`, then stop it cleanly."""
    stop = asyncio.Event()
    task = asyncio.create_task(relay.run(stop))
    try:
        await wait_until_async(
            lambda: _at(relay, last_position), timeout=15, what=f"relay at position {last_position}"
        )
    finally:
        stop.set()
        await asyncio.wait_for(task, 10)


async def _at(relay: Relay, position: int) -> bool:
    return relay.status.position == position


def test_the_relay_publishes_every_event_once_in_order_with_a_continuous_chain(
    antenne: Antenne, nats_server: NatsServer
) -> None:
    neighbourhood_activity(antenne)

    async def scenario() -> None:
        relay = Relay(antenne, ANTENNE_ID, nats_server.url)
        antenne.on_saved.append(relay.wake)
        stop = asyncio.Event()
        task = asyncio.create_task(relay.run(stop))
        first = expected_positions(antenne, ANTENNE_ID)
        await wait_until_async(lambda: _at(relay, first[-1]), timeout=15, what="first events published")
        # More work while the relay runs: saves wake it.
        await asyncio.to_thread(neighbourhood_activity, antenne, 2, 2)
        last = expected_positions(antenne, ANTENNE_ID)[-1]
        await wait_until_async(lambda: _at(relay, last), timeout=15, what="later events published")
        stop.set()
        await asyncio.wait_for(task, 10)
        assert relay.status.backlog == 0
        assert relay.status.last_publish_at is not None
        # A restarted relay resumes from the recorded position: nothing is published twice.
        restarted = Relay(antenne, ANTENNE_ID, nats_server.url)
        assert restarted.status.position == last
        await relay_until_published(restarted, antenne, last)

    asyncio.run(scenario())

    positions = expected_positions(antenne, ANTENNE_ID)
    published = asyncio.run(read_stream(nats_server.url, ANTENNE_ID))
    assert len(positions) == (4 + 3 + 2) + (2 + 2 + 2)  # registered, recorded, confirmed; twice
    assert_complete_chain(published, positions, ANTENNE_ID)
    assert asyncio.run(stream_count(nats_server.url)) == len(positions)
    tracking = antenne.factory.tracking_recorder()
    assert tracking.max_tracking_id(TRACKING_NAME) == positions[-1]


def test_the_relay_records_the_last_published_position_not_the_last_internal_event(
    antenne: Antenne, nats_server: NatsServer
) -> None:
    neighbourhood_activity(antenne, members=2, exchanges=1)  # ends with two internal postings
    relay = Relay(antenne, ANTENNE_ID, nats_server.url)

    # The member roll's events are internal too: member, roll, number, member, number, exchange twice.
    asyncio.run(relay_until_published(relay, antenne, last_position=7))

    assert antenne.recorder.max_notification_id() == 9
    assert antenne.factory.tracking_recorder().max_tracking_id(TRACKING_NAME) == 7
    assert relay.status.backlog == 0  # the postings after it were read and skipped


def test_republish_after_the_stream_was_lost_restores_every_event(
    antenne: Antenne, nats_server: NatsServer
) -> None:
    neighbourhood_activity(antenne, members=5, exchanges=6)
    positions = expected_positions(antenne, ANTENNE_ID)
    relay = Relay(antenne, ANTENNE_ID, nats_server.url)
    asyncio.run(relay_until_published(relay, antenne, positions[-1]))

    asyncio.run(_recreate_stream(nats_server.url))
    assert asyncio.run(stream_count(nats_server.url)) == 0
    count = asyncio.run(relay.republish(from_position=1))

    assert count == len(positions)
    assert_complete_chain(asyncio.run(read_stream(nats_server.url, ANTENNE_ID)), positions, ANTENNE_ID)
    assert antenne.factory.tracking_recorder().max_tracking_id(TRACKING_NAME) == positions[-1]


def test_republish_from_a_position_chains_to_the_event_published_before_it(
    antenne: Antenne, nats_server: NatsServer
) -> None:
    neighbourhood_activity(antenne, members=3, exchanges=3)
    positions = expected_positions(antenne, ANTENNE_ID)
    start = positions[5] - 1  # an internal posting: republishing starts at the next public event

    asyncio.run(_recreate_stream(nats_server.url))
    count = asyncio.run(Relay(antenne, ANTENNE_ID, nats_server.url).republish(from_position=start))

    published = asyncio.run(read_stream(nats_server.url, ANTENNE_ID))
    assert count == len(positions) - 5
    assert [p.envelope.position for p in published] == positions[5:]
    assert [p.envelope.previousposition for p in published] == positions[4:-1]
    assert antenne.factory.tracking_recorder().max_tracking_id(TRACKING_NAME) is None


def test_a_batch_accepted_only_in_part_records_the_accepted_prefix_then_catches_up(
    antenne: Antenne, nats_server: NatsServer
) -> None:
    neighbourhood_activity(antenne, members=4, exchanges=3)  # 9 public events
    positions = expected_positions(antenne, ANTENNE_ID)

    async def scenario() -> None:
        # A stream that refuses new messages past 5: JetStream acknowledges 5 of the batch, refuses 4.
        await _limit_stream(nats_server.url, max_msgs=5)
        # nats-py leaves a refused publish unresolved (nats-io/nats.py#985): the ack timeout decides.
        relay = Relay(antenne, ANTENNE_ID, nats_server.url, ack_timeout_seconds=0.5)
        stop = asyncio.Event()
        task = asyncio.create_task(relay.run(stop))
        try:
            await wait_until_async(
                lambda: _refused(relay, positions[5]), timeout=15, what="the relay reports the refusal"
            )
            assert relay.status.position == positions[4]
            assert relay.antenne.factory.tracking_recorder().max_tracking_id(TRACKING_NAME) == positions[4]
            # The operator lifts the limit: the relay publishes the rest, from where it stopped.
            await _limit_stream(nats_server.url, max_msgs=-1)
            await wait_until_async(lambda: _at(relay, positions[-1]), timeout=15, what="the rest published")
        finally:
            stop.set()
            await asyncio.wait_for(task, 10)

    asyncio.run(scenario())

    assert_complete_chain(asyncio.run(read_stream(nats_server.url, ANTENNE_ID)), positions, ANTENNE_ID)


async def _refused(relay: Relay, position: int) -> bool:
    error = relay.status.last_error or ""
    return f"publishing position {position} failed" in error and "maximum messages exceeded" in error


async def _limit_stream(nats_url: str, max_msgs: int) -> None:
    nc = await nats.connect(nats_url)
    try:
        js = nc.jetstream()
        await ensure_streams(js)
        config = (await js.stream_info(ANTENNE_STREAM)).config
        await js.update_stream(replace(config, max_msgs=max_msgs, discard=DiscardPolicy.NEW))
    finally:
        await nc.close()


async def _recreate_stream(nats_url: str) -> None:
    nc = await nats.connect(nats_url)
    try:
        js = nc.jetstream()
        await ensure_streams(js)
        await js.delete_stream(ANTENNE_STREAM)
        await ensure_streams(js)
    finally:
        await nc.close()
