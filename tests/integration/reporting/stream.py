"""Two antennes publish onto a real JetStream, with a late message and duplicates; what that adds up to."""

from __future__ import annotations

import asyncio
import sqlite3
import time
from collections.abc import Callable, Iterable
from contextlib import closing
from urllib.parse import urlsplit

import nats
import psycopg

from contracts.envelope import Envelope
from contracts.subjects import antenne_subject
from services.messaging.streams import ensure_streams
from services.reporting.projection import Figures, Summary
from services.reporting.views import SUMMARY_TABLE, SummaryView
from tests.unit.reporting.antenne_feed import AntenneFeed

EXPECTED: Summary = {
    "jette": Figures(members=2, exchanges_recorded=2, exchanges_confirmed=1, quarters_confirmed=5),
    "laken": Figures(members=1, exchanges_recorded=1, exchanges_confirmed=1, quarters_confirmed=4),
}
STREAM_MESSAGES = 9  # what publish_two_antennes leaves on the stream: 8 events and one republished copy


def publish_two_antennes(nats_url: str) -> list[AntenneFeed]:
    """Publish what adds up to EXPECTED: one message late, one deduplicated by JetStream, one republished."""
    jette, laken = AntenneFeed("jette"), AntenneFeed("laken")
    for feed in (jette, jette, laken):
        feed.register()
    jette.confirm(jette.record(quarters=5))
    jette.record(quarters=3)
    laken.confirm(laken.record(quarters=4))
    j, l = jette.published, laken.published  # noqa: E741
    # Jette's second event arrives after its third; the first is sent twice with its id (JetStream drops
    # the copy); the third is republished under a new message id, as after the dedup window.
    publish(nats_url, [j[0], l[0], j[2], j[1], l[1], j[0], l[2], j[3], j[4]])
    publish(nats_url, [j[2]], message_id=lambda envelope: f"{envelope.id}-republished")
    return [jette, laken]


def publish(
    nats_url: str, envelopes: Iterable[Envelope], message_id: Callable[[Envelope], str] = lambda e: str(e.id)
) -> None:
    """Publish envelopes as a relay does: on the antenne's subject, with a Nats-Msg-Id."""

    async def publishing() -> None:
        nc = await nats.connect(nats_url)
        try:
            js = nc.jetstream()
            await ensure_streams(js)
            for envelope in envelopes:
                subject = antenne_subject(envelope.antenneid, envelope.type)
                await js.publish(subject, envelope.to_bytes(), headers={"Nats-Msg-Id": message_id(envelope)})
        finally:
            await nc.close()

    asyncio.run(publishing())


def caught_up(view: SummaryView, feeds: list[AntenneFeed]) -> bool:
    """The view includes every antenne's last published position."""
    return all(view.max_tracking_id(feed.antenne_id) == feed.published[-1].position for feed in feeds)


def until(condition: Callable[[], bool], timeout: float = 15.0) -> None:
    """Wait for a condition, failing after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.05)


def tamper(database_url: str, antenne_id: str) -> None:
    """Add a member to an antenne's figures behind the view's back, as a bad manual fix would."""
    statement = f"UPDATE {SUMMARY_TABLE} SET members = members + 1 WHERE antenne_id = '{antenne_id}'"
    if database_url.startswith("sqlite:"):
        with closing(sqlite3.connect(urlsplit(database_url).path.removeprefix("/"))) as connection:
            connection.execute(statement)
            connection.commit()
    else:
        with psycopg.connect(database_url) as connection:
            connection.execute(statement)
