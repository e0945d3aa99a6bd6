"""The real chain consumer feeds the stored views from a real JetStream: every event counts once."""

from __future__ import annotations

import asyncio

import pytest

from services.messaging.consumer import ChainConsumer
from services.messaging.nats_server import NatsServer
from services.reporting.consumer import SummarySink
from services.reporting.views import SummaryView, make_view
from tests.integration.reporting.stream import EXPECTED, STREAM_MESSAGES, caught_up, publish_two_antennes

pytestmark = pytest.mark.integration


def _consume_the_stream(nats_url: str, durable: str, view: SummaryView) -> ChainConsumer:
    consumer = ChainConsumer(nats_url, durable, sink=SummarySink(view), gap_retry_seconds=0.1)

    def handled() -> int:
        return consumer.status.applied + consumer.status.duplicates

    async def consuming() -> None:
        stop = asyncio.Event()
        task = asyncio.create_task(consumer.run(stop))
        try:
            async with asyncio.timeout(15):
                while handled() < STREAM_MESSAGES:
                    await asyncio.sleep(0.05)
        finally:
            stop.set()
            await asyncio.wait_for(task, 10)

    asyncio.run(consuming())
    return consumer


def test_each_event_counts_once_despite_a_late_message_and_duplicates(
    nats_server: NatsServer, database_url: str
) -> None:
    feeds = publish_two_antennes(nats_server.url)
    view = make_view(database_url)
    try:
        consumer = _consume_the_stream(nats_server.url, "reporting", view)

        assert caught_up(view, feeds)
        assert view.summary() == EXPECTED
        assert consumer.status.applied == 8
        assert consumer.status.duplicates == 1  # the republished copy; JetStream dropped the other
    finally:
        view.close()


def test_reading_the_whole_stream_again_into_the_same_view_changes_nothing(
    nats_server: NatsServer, database_url: str
) -> None:
    publish_two_antennes(nats_server.url)
    view = make_view(database_url)
    try:
        _consume_the_stream(nats_server.url, "reporting", view)

        # A new durable starts from the first message, as after losing the consumer's state.
        again = _consume_the_stream(nats_server.url, "reporting-again", view)

        assert view.summary() == EXPECTED
        assert (again.status.applied, again.status.duplicates) == (0, STREAM_MESSAGES)
    finally:
        view.close()
