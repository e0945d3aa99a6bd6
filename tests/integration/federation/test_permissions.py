"""The server itself refuses what a user may not do: an antenne speaking for another, a partner reading raw
events. Each refusal reaches the client as a "permissions violation" error, as the test sees it."""

from __future__ import annotations

import asyncio
import signal
import time
from collections.abc import Callable, Coroutine
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from uuid import uuid4

import nats
import pytest
from nats.aio.client import Client
from nats.aio.msg import Msg

from contracts.antenne.v1 import MemberRegistered
from contracts.base import Contract
from contracts.envelope import Envelope, wrap
from contracts.subjects import (
    ALLIANCE_REQUESTS_STREAM,
    ANTENNE_STREAM,
    DEADLETTER_STREAM,
    antenne_subject,
    deadletter_subject,
)
from services.credentials.generate import Installation, generate
from services.credentials.permissions import (
    ADMIN_USER,
    FEED_USER,
    antenne_inbox_prefix,
    antenne_user,
    partner_user,
)
from services.messaging.consumer import ChainConsumer, OneAtATime
from tests.integration.federation.conftest import SecuredNats

pytestmark = pytest.mark.integration


class Refusals:
    """The asynchronous errors a connection receives (nats-py lowercases them)."""

    def __init__(self) -> None:
        self.errors: list[str] = []

    async def record(self, error: Exception) -> None:
        self.errors.append(str(error))

    async def wait_for(self, text: str, timeout: float = 5.0) -> None:
        try:
            async with asyncio.timeout(timeout):
                while not any(text.lower() in error.lower() for error in self.errors):
                    await asyncio.sleep(0.02)
        except TimeoutError:
            raise AssertionError(f"no refusal {text!r} among {self.errors}") from None


async def _connect(url: str, refusals: Refusals, **options: str) -> Client:
    return await nats.connect(url, error_cb=refusals.record, connect_timeout=5, **options)


def _registered(antenne_id: str, position: int = 1) -> Envelope:
    payload = MemberRegistered(member_id=uuid4(), registered_on=date(2026, 11, 23))
    return wrap(
        payload,
        antenne_id=antenne_id,
        aggregate_id=payload.member_id,
        aggregate_version=1,
        occurred_at=datetime.now(UTC),
        position=position,
        previous_position=position - 1 if position > 1 else None,
    )


async def _stream_subjects(secured: SecuredNats) -> list[str]:
    nc = await nats.connect(secured.url(ADMIN_USER))
    try:
        subscription = await nc.jetstream().pull_subscribe(">", stream=ANTENNE_STREAM)
        return [m.subject for m in await subscription.fetch(100, timeout=2)]
    finally:
        await nc.close()


def test_an_antenne_publishes_on_its_own_subjects_and_is_refused_on_another_antennes(
    secured_nats: SecuredNats,
) -> None:
    async def scenario() -> list[str]:
        refusals = Refusals()
        jette = await _connect(
            secured_nats.url(antenne_user("jette")), refusals, inbox_prefix=antenne_inbox_prefix("jette")
        )
        js = jette.jetstream()
        own = _registered("jette")
        ack = await js.publish(antenne_subject("jette", own.type), own.to_bytes())
        assert ack.stream == ANTENNE_STREAM
        # Jette tries to speak for Laken: the server refuses the publish, JetStream never sees it.
        forged = _registered("laken")
        with pytest.raises(nats.errors.TimeoutError):
            await js.publish(antenne_subject("laken", forged.type), forged.to_bytes(), timeout=1)
        await refusals.wait_for('permissions violation for publish to "bp.laken.member.registered"')
        await jette.close()
        return await _stream_subjects(secured_nats)

    assert asyncio.run(scenario()) == ["bp.jette.member.registered"]


@pytest.mark.parametrize(
    "subject", ["bp.laken.>", "bp.>", "_INBOX.>", "_INBOX.laken.>", "deadletter.>", "partner.>"]
)
def test_an_antenne_may_not_read_what_is_not_meant_for_it(secured_nats: SecuredNats, subject: str) -> None:
    async def scenario() -> None:
        refusals = Refusals()
        jette = await _connect(secured_nats.url(antenne_user("jette")), refusals)
        await jette.subscribe(subject)
        await refusals.wait_for(f'permissions violation for subscription to "{subject}"')
        await jette.close()

    asyncio.run(scenario())


def test_a_partner_reads_its_anonymised_feed_and_is_refused_raw_antenne_subjects(
    secured_nats: SecuredNats,
) -> None:
    async def scenario() -> list[str]:
        refusals, received = Refusals(), asyncio.Queue[Msg]()
        partner = await _connect(secured_nats.url(partner_user("bras-dessus")), refusals)
        await partner.subscribe("partner.bras-dessus.>", cb=received.put)
        for forbidden in ("bp.>", "bp.jette.>", "partner.samana.>", "deadletter.>"):
            await partner.subscribe(forbidden, cb=received.put)
            await refusals.wait_for(f'permissions violation for subscription to "{forbidden}"')
        await partner.flush()
        # The feed publishes to both partners and an antenne publishes raw: only its own feed arrives.
        feed = await nats.connect(secured_nats.url(FEED_USER))
        await feed.publish("partner.samana.exchange.confirmed", b"for samana")
        await feed.publish("partner.bras-dessus.exchange.confirmed", b"for bras dessus")
        await feed.flush()
        jette = await nats.connect(secured_nats.url(antenne_user("jette")))
        await jette.publish("bp.jette.member.registered", _registered("jette").to_bytes())
        await jette.flush()
        first = await asyncio.wait_for(received.get(), 5)
        await asyncio.sleep(0.3)  # anything else would have arrived by now
        for connection in (feed, jette, partner):
            await connection.close()
        return [first.subject, *(m.subject for m in [received.get_nowait() for _ in range(received.qsize())])]

    assert asyncio.run(scenario()) == ["partner.bras-dessus.exchange.confirmed"]


def test_a_partner_may_publish_nothing_but_its_own_alliance_requests(secured_nats: SecuredNats) -> None:
    async def scenario() -> None:
        refusals = Refusals()
        partner = await _connect(secured_nats.url(partner_user("bras-dessus")), refusals)
        await partner.publish("partner.bras-dessus.exchange.confirmed", b"forged")
        await refusals.wait_for("permissions violation for publish")
        await partner.publish("alliance.samana.requests.alliance.transfer", b"as another partner")
        await refusals.wait_for('publish to "alliance.samana.requests')
        await partner.close()

    asyncio.run(scenario())


def test_a_partners_requests_reach_the_ledgers_stream_and_its_decisions_reach_that_partner_only(
    secured_nats: SecuredNats,
) -> None:
    async def scenario() -> tuple[list[str], list[bytes]]:
        refusals = Refusals()
        partner = await _connect(secured_nats.url(partner_user("bras-dessus")), refusals)
        other = await _connect(secured_nats.url(partner_user("samana")), refusals)
        decisions: asyncio.Queue[Msg] = asyncio.Queue()
        await partner.subscribe("alliance.bras-dessus.decisions.>", cb=decisions.put)
        await other.subscribe("alliance.bras-dessus.decisions.>", cb=decisions.put)
        await partner.subscribe("alliance.samana.>", cb=decisions.put)  # refused
        await partner.flush()
        await partner.publish("alliance.bras-dessus.requests.alliance.transfer", b"a transfer")
        await partner.flush()
        ledger = await nats.connect(secured_nats.url("ledger"))
        js = ledger.jetstream()
        await js.publish("alliance.bras-dessus.decisions.transfer.prepared", b"decided")
        first = await asyncio.wait_for(decisions.get(), 5)
        await asyncio.sleep(0.3)
        subscription = await js.pull_subscribe("alliance.*.requests.>", stream=ALLIANCE_REQUESTS_STREAM)
        taken = [m.data for m in await subscription.fetch(10, timeout=2)]
        for connection in (partner, other, ledger):
            await connection.close()
        return [first.subject] + [
            m.subject for m in [decisions.get_nowait() for _ in range(decisions.qsize())]
        ], taken

    delivered, taken = asyncio.run(scenario())
    assert delivered == ["alliance.bras-dessus.decisions.transfer.prepared"]
    assert taken == [b"a transfer"]


class ListSink(OneAtATime):
    """Keeps the positions it applied."""

    def __init__(self) -> None:
        self.applied: list[tuple[str, int]] = []

    def last_position(self, antenne_id: str) -> int | None:
        return max((p for a, p in self.applied if a == antenne_id), default=None)

    def apply(self, envelope: Envelope, payload: Contract) -> bool:
        self.applied.append((envelope.antenneid, envelope.position))
        return True


async def _until(condition: Callable[[], bool], timeout: float = 15.0) -> None:
    async with asyncio.timeout(timeout):
        while not condition():
            await asyncio.sleep(0.02)


def test_the_ledger_consumes_every_antenne_and_parks_with_its_own_credentials(
    secured_nats: SecuredNats,
) -> None:
    sink = ListSink()

    async def publish_as(antenne_id: str, envelope: Envelope | bytes) -> None:
        url = secured_nats.url(antenne_user(antenne_id))
        nc = await nats.connect(url, inbox_prefix=antenne_inbox_prefix(antenne_id))
        data = envelope if isinstance(envelope, bytes) else envelope.to_bytes()
        await nc.jetstream().publish(f"bp.{antenne_id}.member.registered", data)
        await nc.close()

    async def scenario(run: Callable[[asyncio.Event], Coroutine[Any, Any, None]]) -> None:
        stop = asyncio.Event()
        task = asyncio.create_task(run(stop))
        try:
            await publish_as("jette", _registered("jette"))
            await publish_as("laken", _registered("laken"))
            await publish_as("laken", b"{not an event")
            await _until(lambda: len(sink.applied) == 2 and consumer.status.parked == 1)
        finally:
            stop.set()
            await asyncio.wait_for(task, 10)
        nc = await nats.connect(secured_nats.url(ADMIN_USER))
        parked = await nc.jetstream().get_last_msg(DEADLETTER_STREAM, deadletter_subject("ledger"))
        assert parked.data == b"{not an event"
        await nc.close()

    consumer = ChainConsumer(secured_nats.url("ledger"), durable="ledger", sink=sink)
    asyncio.run(scenario(consumer.run))

    assert sorted(sink.applied) == [("jette", 1), ("laken", 1)]
    assert consumer.status.last_error is None


def test_an_antenne_added_later_publishes_after_the_server_reloads_its_configuration(
    secured_nats: SecuredNats, tmp_path: Path
) -> None:
    # The operator names the new antenne; jette, laken and every password are kept.
    folder = tmp_path / "credentials"
    added = generate(folder, Installation(("evere",), nats_url=secured_nats.credentials.nats_url))
    assert added.passwords[antenne_user("jette")] == secured_nats.credentials.passwords[antenne_user("jette")]
    assert secured_nats.server.process is not None
    secured_nats.server.process.send_signal(signal.SIGHUP)  # systemctl reload

    async def scenario() -> int:
        deadline = time.monotonic() + 10
        while True:  # the reload takes a moment
            try:
                evere = await nats.connect(
                    added.url(antenne_user("evere")),
                    inbox_prefix=antenne_inbox_prefix("evere"),
                    allow_reconnect=False,
                    max_reconnect_attempts=1,
                )
                break
            except (nats.errors.Error, OSError):
                assert time.monotonic() < deadline, "the new antenne's user was never accepted"
                await asyncio.sleep(0.2)
        ack = await evere.jetstream().publish("bp.evere.member.registered", _registered("evere").to_bytes())
        await evere.close()
        return ack.seq

    assert asyncio.run(scenario()) == 1
