"""Reading an antenne's events back from the real stream, and bounded waits."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import nats
from nats.errors import TimeoutError as NatsTimeoutError

from contracts.envelope import Envelope
from contracts.subjects import ANTENNE_STREAM
from services.antenne.application import Antenne
from services.antenne.outbound import to_envelope


@dataclass(frozen=True)
class Published:
    """One message as the stream holds it."""

    subject: str
    msg_id: str | None
    envelope: Envelope


async def stream_count(nats_url: str) -> int:
    """How many messages the antenne stream holds (0 when it does not exist)."""
    nc = await nats.connect(nats_url, connect_timeout=2, allow_reconnect=False, max_reconnect_attempts=1)
    try:
        info = await nc.jetstream().stream_info(ANTENNE_STREAM)
        count: int = info.state.messages
        return count
    except nats.js.errors.NotFoundError:
        return 0
    finally:
        await nc.close()


async def read_stream(nats_url: str, antenne_id: str) -> list[Published]:
    """Every message of one antenne, in stream order, read with a real (ephemeral) consumer."""
    expected = await stream_count(nats_url)
    nc = await nats.connect(nats_url)
    try:
        subscription = await nc.jetstream().pull_subscribe(f"bp.{antenne_id}.>", stream=ANTENNE_STREAM)
        published: list[Published] = []
        deadline = time.monotonic() + 10
        while len(published) < expected and time.monotonic() < deadline:
            try:
                messages = await subscription.fetch(500, timeout=1)
            except (TimeoutError, NatsTimeoutError):
                continue
            for message in messages:
                msg_id = (message.headers or {}).get("Nats-Msg-Id")
                published.append(Published(message.subject, msg_id, Envelope.from_bytes(message.data)))
                await message.ack()
        return published
    finally:
        await nc.close()


def expected_positions(antenne: Antenne, antenne_id: str) -> list[int]:
    """The positions of every event the antenne publishes, from its own log."""
    positions = []
    for notification in antenne.recorder.select_notifications(1, 1_000_000):
        domain_event = antenne.mapper.to_domain_event(notification)
        if to_envelope(domain_event, antenne_id=antenne_id, position=notification.id, previous_position=None):
            positions.append(notification.id)
    return positions


def assert_complete_chain(published: list[Published], positions: list[int], antenne_id: str) -> None:
    """Exactly the expected positions, each once, in order, each following the one before."""
    assert [p.envelope.position for p in published] == positions
    assert [p.envelope.previousposition for p in published] == [None, *positions[:-1]]
    for message in published:
        assert message.msg_id == str(message.envelope.id)
        assert message.subject == f"bp.{antenne_id}.{message.envelope.type}"
        assert message.envelope.antenneid == antenne_id


def wait_until(condition: Callable[[], bool], timeout: float, what: str) -> None:
    """Poll `condition` until it holds, or fail after `timeout` seconds saying `what` did not happen."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"after {timeout:.0f} s still not: {what}")
        time.sleep(0.05)


async def wait_until_async(condition: Callable[[], Awaitable[bool]], timeout: float, what: str) -> None:
    """`wait_until` for a condition that needs the event loop."""
    deadline = time.monotonic() + timeout
    while not await condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"after {timeout:.0f} s still not: {what}")
        await asyncio.sleep(0.05)
