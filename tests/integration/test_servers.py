"""The real servers the test session starts are usable."""

from __future__ import annotations

import asyncio

import nats
import psycopg
import pytest

from services.messaging.nats_server import NatsServer
from services.messaging.streams import ensure_streams

pytestmark = pytest.mark.integration


def test_postgres_accepts_writes(postgres_dsn: str) -> None:
    with psycopg.connect(postgres_dsn) as conn:
        conn.execute("CREATE TABLE t (n integer)")
        conn.execute("INSERT INTO t VALUES (1), (2)")
        row = conn.execute("SELECT sum(n) FROM t").fetchone()
    assert row == (3,)


def test_jetstream_streams_are_created_once(nats_server: NatsServer) -> None:
    async def scenario() -> list[str]:
        nc = await nats.connect(nats_server.url)
        js = nc.jetstream()
        await ensure_streams(js)
        await ensure_streams(js)
        names = [info.config.name for info in await js.streams_info()]
        await nc.close()
        return sorted(n for n in names if n)

    assert asyncio.run(scenario()) == ["BP_ANTENNES", "BP_DEADLETTER", "BP_LEDGER"]
