"""`ledger republish-feedback`: the books refill BP_LEDGER, chained per antenne as first published."""

from __future__ import annotations

import asyncio
from pathlib import Path

import nats
import pytest
from typer.testing import CliRunner

from contracts.envelope import Envelope
from contracts.subjects import LEDGER_STREAM
from services.cli import app
from services.ledger.application import Ledger
from services.messaging.nats_server import NatsServer
from services.persistence import eventsourcing_env
from tests.unit.ledger.antenne_events import AntenneEvents

pytestmark = pytest.mark.integration


async def _stream(nats_url: str) -> list[tuple[str, Envelope]]:
    nc = await nats.connect(nats_url)
    try:
        subscription = await nc.jetstream().pull_subscribe("ledger.>", stream=LEDGER_STREAM)
        messages = await subscription.fetch(1000, timeout=2)
        return [(m.subject, Envelope.from_bytes(m.data)) for m in messages]
    finally:
        await nc.close()


def _republish(database_url: str, nats_url: str, start: int) -> str:
    arguments = ["ledger", "republish-feedback", "--from", str(start)]
    result = CliRunner().invoke(app, [*arguments, "--database-url", database_url, "--nats-url", nats_url])
    assert result.exit_code == 0, result.output
    return result.output


def test_republishing_refills_the_stream_with_each_antennes_chain_and_the_same_ids(
    tmp_path: Path, nats_server: NatsServer
) -> None:
    database_url = f"sqlite:///{tmp_path / 'ledger.db'}"
    jette, laken = AntenneEvents("jette"), AntenneEvents("laken")
    helper, recipient = jette.register(), laken.register()
    with Ledger(env=eventsourcing_env(database_url)) as ledger:
        for envelope in [helper, recipient, *jette.exchange(helper.aggregateid, recipient.aggregateid, 3),
                         *jette.exchange(helper.aggregateid, recipient.aggregateid, 2)]:  # fmt: skip
            ledger.apply(envelope, envelope.payload())

    output = _republish(database_url, nats_server.url, 1)
    again = _republish(database_url, nats_server.url, 1)

    stream = asyncio.run(_stream(nats_server.url))
    assert "republished 4 ledger decisions from position 1" in output
    assert "republished 4 ledger decisions" in again
    assert len(stream) == 4  # the second run had the same ids: JetStream kept one copy of each
    for antenne_id in ("jette", "laken"):
        chain = [e for subject, e in stream if subject.startswith(f"ledger.{antenne_id}.")]
        assert [e.previousposition for e in chain] == [None, chain[0].position]
    # From a later position: only what follows, still chained as first published.
    later = stream[-1][1].position
    assert "republished 1 ledger decisions" in _republish(database_url, nats_server.url, later)
