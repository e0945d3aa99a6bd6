"""Invariant 7 on real servers: the summary rebuilt from the stream equals the incrementally kept one."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Iterator
from pathlib import Path
from uuid import uuid4

import nats
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from contracts.subjects import ANTENNE_STREAM
from services.messaging.nats_server import NatsServer
from services.reporting.cli import app as reporting_cli
from services.reporting.main import create_app
from services.reporting.rebuild import Progress, RebuildError, rebuild_into
from services.reporting.settings import Settings
from services.reporting.views import SummaryView
from tests.integration.reporting.stream import (
    EXPECTED,
    caught_up,
    publish,
    publish_two_antennes,
    tamper,
    until,
)
from tests.unit.reporting.antenne_feed import AntenneFeed

pytestmark = pytest.mark.integration


@pytest.fixture
def live_view(nats_server: NatsServer, database_url: str) -> Iterator[SummaryView]:
    """The reporting service, caught up with what two antennes published."""
    settings = Settings(token=uuid4().hex, database_url=database_url, nats_url=nats_server.url)
    with TestClient(create_app(settings)) as client:
        assert isinstance(client.app, FastAPI)
        view: SummaryView = client.app.state.view
        feeds = publish_two_antennes(nats_server.url)
        until(lambda: caught_up(view, feeds))
        yield view


def test_the_summary_rebuilt_from_the_stream_equals_the_live_one(
    nats_server: NatsServer, live_view: SummaryView, tmp_path: Path
) -> None:
    progress: list[Progress] = []

    rebuilt = rebuild_into(f"sqlite:///{tmp_path}/rebuilt.db", nats_server.url, on_progress=progress.append)

    assert rebuilt.summary == live_view.summary() == EXPECTED
    assert rebuilt.records == live_view.records()
    assert progress[-1].caught_up
    assert (progress[-1].applied, progress[-1].duplicates, progress[-1].acknowledged) == (8, 1, 9)
    # The throwaway consumer is gone; the live one stays.
    assert _consumers(nats_server.url) == ["reporting"]


def test_the_rebuild_command_finds_the_views_equal_then_names_a_tampered_figure(
    nats_server: NatsServer, live_view: SummaryView, database_url: str
) -> None:
    command = ["rebuild", "--nats-url", nats_server.url, "--compare-with", database_url]
    runner = CliRunner()

    equal = runner.invoke(reporting_cli, command)
    tamper(database_url, "jette")
    differing = runner.invoke(reporting_cli, command)

    assert equal.exit_code == 0, equal.output
    table = {line.split()[0]: line.split()[1:] for line in equal.stdout.splitlines()[:4]}
    assert table == {
        "antenne": ["members", "exchanges_recorded", "exchanges_confirmed", "quarters_confirmed"],
        "jette": ["2", "2", "1", "5"],
        "laken": ["1", "1", "1", "4"],
        "federation": ["3", "3", "2", "9"],
    }
    assert equal.stdout.endswith("rebuilt view equals the live view\n")
    assert "rebuilt: 9/9 stream messages: 8 events applied" in equal.stderr
    assert re.search(r"^8 events in \d+\.\ds: \d+ events/s$", equal.stderr, re.M)
    assert differing.exit_code == 1, differing.output
    assert (
        "rebuilt view differs from the live view (1 differences):\n  jette members: live 3, rebuilt 2\n"
        in differing.stdout
    )


def test_a_rebuild_that_cannot_catch_up_fails_and_names_the_missing_event(nats_server: NatsServer) -> None:
    jette = AntenneFeed("jette")
    first, missing, third = jette.register(), jette.register(), jette.register()
    publish(nats_server.url, [first, third])  # the relay never sent the second one
    progress: list[Progress] = []

    with pytest.raises(RebuildError, match="not caught up"):
        rebuild_into("memory:", nats_server.url, timeout=1.5, on_progress=progress.append)

    assert progress[-1].waiting == {"jette": first.position}
    assert (
        f"waiting for the missing event of jette after position {first.position}" in progress[-1].describe()
    )
    assert missing.position > first.position
    assert progress[-1].applied == 1
    assert _consumers(nats_server.url) == []


def _consumers(nats_url: str) -> list[str]:
    async def listing() -> list[str]:
        nc = await nats.connect(nats_url)
        try:
            return sorted(info.name for info in await nc.jetstream().consumers_info(ANTENNE_STREAM))
        finally:
            await nc.close()

    return asyncio.run(listing())
