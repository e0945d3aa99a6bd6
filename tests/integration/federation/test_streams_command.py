"""`buurtpensioen streams create`: the operator makes the streams once, with their limits."""

from __future__ import annotations

import asyncio
from pathlib import Path

import nats
import pytest
from nats.js.api import DiscardPolicy, StreamConfig
from typer.testing import CliRunner

from contracts.subjects import ANTENNE_STREAM, DEADLETTER_STREAM
from services.cli import app
from services.credentials.generate import Installation
from services.credentials.permissions import ADMIN_USER
from services.messaging.streams import ANTENNE_MAX_AGE_SECONDS
from services.ports import free_port
from tests.integration.federation.conftest import start_secured_nats

pytestmark = pytest.mark.integration


async def _configs(url: str) -> dict[str, StreamConfig]:
    nc = await nats.connect(url)
    try:
        return {
            name: (await nc.jetstream().stream_info(name)).config
            for name in (ANTENNE_STREAM, DEADLETTER_STREAM)
        }
    finally:
        await nc.close()


def test_the_operator_creates_both_streams_with_their_limits_and_a_second_run_changes_nothing(
    tmp_path: Path,
) -> None:
    secured = start_secured_nats(
        tmp_path, Installation(("jette",), nats_url=f"nats://127.0.0.1:{free_port()}")
    )
    admin = secured.url(ADMIN_USER)
    command = ["streams", "create", "--replicas", "1", "--max-gigabytes", "0.01"]
    try:
        first = CliRunner().invoke(app, command, env={"BP_ADMIN_NATS_URL": admin})
        second = CliRunner().invoke(app, command, env={"BP_ADMIN_NATS_URL": admin})
        configs = asyncio.run(_configs(admin))
    finally:
        secured.server.stop()

    assert first.exit_code == second.exit_code == 0, first.output
    assert secured.credentials.passwords[ADMIN_USER] not in first.output
    antennes = configs[ANTENNE_STREAM]
    assert (antennes.max_bytes, antennes.discard, antennes.max_age) == (
        10_000_000, DiscardPolicy.NEW, ANTENNE_MAX_AGE_SECONDS,
    )  # fmt: skip
    assert configs[DEADLETTER_STREAM].discard == DiscardPolicy.NEW
