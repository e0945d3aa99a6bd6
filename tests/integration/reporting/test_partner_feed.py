"""The partner feed through a nats-server with the federation's accounts and permissions.

Reporting publishes as the `partner-feed` user; each partner reads with its own credentials and sees only
its own feed. A second run publishes nothing new; a run that crashed halfway through a week publishes that
week again under the same message ids, and JetStream keeps one copy.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import nats
import pytest
from typer.testing import CliRunner

from contracts.envelope import FeedEnvelope
from contracts.subjects import PARTNER_STREAM, partner_subject
from services.cli import app
from services.credentials.generate import Installation
from services.credentials.permissions import ADMIN_USER, FEED_USER, partner_user
from services.messaging.streams import create_streams
from services.ports import free_port
from services.reporting.partner.feed import week_messages, weeks_ready
from services.reporting.partner.pseudonyms import PartnerKey
from services.reporting.partner.publisher import FeedPublisher
from services.reporting.partner.tail import tail
from tests.integration.federation.conftest import SecuredNats, start_secured_nats
from tests.unit.reporting.test_partner_feed import _records

pytestmark = pytest.mark.integration

KEYS = {
    "bras-dessus": PartnerKey("k1", b"bras-dessus-secret-key"),
    "samana": PartnerKey("k1", b"samana-secret-key-0000"),
}
TODAY = date(2027, 1, 1)


@pytest.fixture(scope="module")
def secured(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SecuredNats]:
    folder: Path = tmp_path_factory.mktemp("feed")
    installation = Installation(("jette",), tuple(KEYS), nats_url=f"nats://127.0.0.1:{free_port()}")
    server = start_secured_nats(folder, installation)
    create_streams(server.url(ADMIN_USER))
    yield server
    server.server.stop()


def _publisher(secured: SecuredNats) -> FeedPublisher:
    return FeedPublisher(secured.url(FEED_USER), KEYS, _records, today=lambda: TODAY)


def _expected(partner_id: str) -> list[FeedEnvelope]:
    records = _records()
    return [
        m
        for w in weeks_ready(records, TODAY)
        for m in week_messages(partner_id, KEYS[partner_id], records, w)
    ]


async def _publish_once(secured: SecuredNats) -> int:
    nc = await nats.connect(secured.url(FEED_USER))
    try:
        return await _publisher(secured).publish_ready(nc.jetstream())
    finally:
        await nc.close()


async def _stream_count(secured: SecuredNats) -> int:
    nc = await nats.connect(secured.url(ADMIN_USER))
    try:
        return (await nc.jetstream().stream_info(PARTNER_STREAM)).state.messages
    finally:
        await nc.close()


def test_each_partner_reads_its_own_feed_with_its_own_credentials_exactly_once(secured: SecuredNats) -> None:
    expected = {partner: _expected(partner) for partner in KEYS}
    partner_url = secured.url(partner_user("bras-dessus"))
    runner = CliRunner()

    # Bras dessus Bras dessous keeps its feed in a stream of its own account, made before anything is sent.
    setup = runner.invoke(
        app, ["partner-tail", "--partner", "bras-dessus", "--setup"], env={"PARTNER_NATS_URL": partner_url}
    )
    first = asyncio.run(_publish_once(secured))
    second = asyncio.run(_publish_once(secured))
    # Later it reads the whole feed back, as JSON, then as lines for a person.
    command = ["partner-tail", "--partner", "bras-dessus", "--timeout", "3"]
    as_json = runner.invoke(
        app,
        [*command, "--count", str(len(expected["bras-dessus"])), "--json"],
        env={"PARTNER_NATS_URL": partner_url},
    )
    as_lines = runner.invoke(app, command, env={"PARTNER_NATS_URL": partner_url})

    assert setup.exit_code == 0, setup.output
    assert "your feed is kept in the stream BP_FEED" in setup.stdout
    assert first == sum(len(messages) for messages in expected.values())
    assert second == 0  # every ready week was closed: nothing is published twice
    assert asyncio.run(_stream_count(secured)) == first
    assert as_json.exit_code == 0, as_json.output
    printed = [FeedEnvelope.from_bytes(line.encode()) for line in as_json.stdout.splitlines()]
    assert printed == expected["bras-dessus"]  # its own feed, in order, and nothing of samana's
    lines = as_lines.stdout.splitlines()
    assert len(lines) == len(expected["bras-dessus"])
    assert any(" helped " in line and "(key k1)" in line for line in lines)
    assert f"{len(lines)} messages" in as_lines.stderr


def test_a_partner_that_only_listens_live_gets_what_is_published_while_it_listens(
    secured: SecuredNats,
) -> None:
    async def scenario() -> int:
        listening = asyncio.create_task(
            tail(secured.url(partner_user("samana")), "samana", count=3, as_json=True, seconds=5.0, live=True)
        )
        await asyncio.sleep(0.5)
        nc = await nats.connect(secured.url(FEED_USER))
        try:
            for envelope in _expected("samana")[:3]:
                # Published again under the same id: the stream keeps one copy, live listeners see it pass.
                await nc.publish(partner_subject("samana", envelope.type), envelope.to_bytes(),
                                 headers={"Nats-Msg-Id": str(envelope.id)})  # fmt: skip
        finally:
            await nc.close()
        return await listening

    assert asyncio.run(scenario()) == 3


def test_a_week_published_again_after_a_crash_is_kept_once(secured: SecuredNats) -> None:
    async def scenario() -> tuple[int, int]:
        before = await _stream_count(secured)
        nc = await nats.connect(secured.url(FEED_USER))
        try:
            js = nc.jetstream()
            # The publisher crashed after half of a week it had already published (a redelivery).
            for envelope in _expected("samana")[:5]:
                subject = partner_subject("samana", envelope.type)
                await js.publish(subject, envelope.to_bytes(), headers={"Nats-Msg-Id": str(envelope.id)})
        finally:
            await nc.close()
        return before, await _stream_count(secured)

    before, after = asyncio.run(scenario())

    assert after == before


def test_partner_tail_prints_readable_lines_and_a_count() -> None:
    nats_url = f"nats://127.0.0.1:{free_port()}"  # nobody listens there

    result = CliRunner().invoke(
        app, ["partner-tail", "--partner", "bras-dessus", "--nats-url", nats_url, "--timeout", "1"]
    )

    assert result.exit_code == 1
    assert "cannot read the feed at" in result.stderr
