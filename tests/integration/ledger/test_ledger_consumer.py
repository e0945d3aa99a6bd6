"""The real chain consumer feeds the ledger from a real JetStream, on SQLite and on PostgreSQL."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

import pytest

from contracts.envelope import Envelope
from services.ledger.application import AntenneIntake, Ledger
from services.messaging.consumer import ChainConsumer
from services.messaging.nats_server import NatsServer
from services.persistence import eventsourcing_env
from tests.integration.ledger.relay import Relay
from tests.unit.ledger.antenne_events import AntenneEvents

pytestmark = pytest.mark.integration


@asynccontextmanager
async def _consuming(nats_url: str, ledger: Ledger) -> AsyncIterator[ChainConsumer]:
    consumer = ChainConsumer(nats_url, durable="ledger", sink=ledger, gap_retry_seconds=0.1)
    stop = asyncio.Event()
    task = asyncio.create_task(consumer.run(stop))
    try:
        yield consumer
    finally:
        stop.set()
        await asyncio.wait_for(task, 10)


async def _until(condition: Callable[[], bool], timeout: float = 15.0) -> None:
    async with asyncio.timeout(timeout):
        while not condition():
            await asyncio.sleep(0.02)


def test_balances_and_audit_are_exact_and_every_copy_of_an_event_is_applied_once(
    nats_server: NatsServer, database_url: str
) -> None:
    jette, laken = AntenneEvents("jette", burnt_ids=frozenset({4})), AntenneEvents("laken")
    anna, bert, carla = jette.register(), jette.register(), laken.register()
    jette.exchange(bert.aggregateid, anna.aggregateid, 5)
    laken.exchange(carla.aggregateid, bert.aggregateid, 3)
    jette.exchange(anna.aggregateid, carla.aggregateid, 2)
    events = len(jette.published) + len(laken.published)

    async def scenario(ledger: Ledger) -> ChainConsumer:
        relay = await Relay.connect(nats_server.url)
        async with _consuming(nats_server.url, ledger) as consumer:
            await relay.publish(*jette.published, *laken.published)
            # The same messages again (the stream drops them), then republished after its window.
            await relay.publish(*jette.published)
            await relay.publish(*jette.published[:3], *laken.published, msg_id_suffix=":republished")
            await _until(lambda: consumer.status.applied + consumer.status.duplicates == events + 6)
        await relay.close()
        return consumer

    with Ledger(env=eventsourcing_env(database_url)) as ledger:
        consumer = asyncio.run(scenario(ledger))
        audit = ledger.audit()
        balances = [ledger.balance(member.aggregateid) for member in (anna, bert, carla)]

    assert balances == [-5 + 2, 5 - 3, 3 - 2]
    assert (consumer.status.applied, consumer.status.duplicates, consumer.status.parked) == (events, 6, 0)
    assert audit.balanced
    assert (audit.accounts, audit.sum_of_accounts, audit.confirmed_quarters) == (3, 0, 10)
    assert audit.antennes == {
        "jette": AntenneIntake(events_applied=6, last_position=7, confirmed_quarters=7),
        "laken": AntenneIntake(events_applied=3, last_position=3, confirmed_quarters=3),
    }


def test_an_event_published_ahead_of_a_missing_one_waits_for_it_and_nothing_is_skipped(
    nats_server: NatsServer, database_url: str
) -> None:
    jette = AntenneEvents("jette")
    anna, bert = jette.register(), jette.register()
    recorded, confirmed = jette.exchange(bert.aggregateid, anna.aggregateid, 4)

    async def scenario(ledger: Ledger) -> None:
        relay = await Relay.connect(nats_server.url)
        async with _consuming(nats_server.url, ledger) as consumer:
            # Bert's registration is lost on the way; what follows it waits.
            await relay.publish(anna, recorded, confirmed)
            for _ in range(3):  # three redeliveries of the early messages, none applied
                consumer.status.waiting.clear()
                await _until(lambda: "jette" in consumer.status.waiting)
            assert ledger.last_position("jette") == anna.position
            assert ledger.audit().antennes["jette"].events_applied == 1

            # The relay republishes from its position: the chain closes.
            await relay.publish(bert, recorded, confirmed, msg_id_suffix=":again")
            await _until(lambda: ledger.last_position("jette") == confirmed.position)
            assert consumer.status.waiting == {}
        await relay.close()

    with Ledger(env=eventsourcing_env(database_url)) as ledger:
        asyncio.run(scenario(ledger))
        audit = ledger.audit()
        assert ledger.balance(bert.aggregateid) == 4

    assert audit.balanced
    assert audit.antennes["jette"] == AntenneIntake(events_applied=4, last_position=4, confirmed_quarters=4)


def test_a_reopened_ledger_resumes_after_its_last_position_with_the_same_books(
    nats_server: NatsServer, database_url: str
) -> None:
    jette = AntenneEvents("jette")
    anna, bert = jette.register(), jette.register()
    jette.exchange(bert.aggregateid, anna.aggregateid, 6)

    async def run(ledger: Ledger, new: list[Envelope], again: list[Envelope]) -> None:
        relay = await Relay.connect(nats_server.url)
        async with _consuming(nats_server.url, ledger):
            await relay.publish(*again, msg_id_suffix=":again")
            await relay.publish(*new)
            await _until(lambda: ledger.last_position("jette") == new[-1].position)
        await relay.close()

    with Ledger(env=eventsourcing_env(database_url)) as ledger:
        asyncio.run(run(ledger, new=jette.published, again=[]))
        before = ledger.audit()

    # Reopened: nothing in memory; the store and the durable consumer remember.
    second = jette.exchange(anna.aggregateid, bert.aggregateid, 1)
    with Ledger(env=eventsourcing_env(database_url)) as reopened:
        assert reopened.audit() == before
        # The old events come again, as when a relay refills a lost stream: only the new ones count.
        asyncio.run(run(reopened, new=list(second), again=jette.published[:4]))
        audit = reopened.audit()
        assert reopened.balance(bert.aggregateid) == 6 - 1

    assert audit.balanced
    assert audit.antennes["jette"].events_applied == len(jette.published) == 6
    assert before.antennes["jette"].events_applied == 4
