"""An antenne whose store turns read-only (a full or remounted disk) refuses work clearly and writes nothing.

The antenne runs as a process on PostgreSQL; the test makes its database read-only under it, as an
operator or a full disk would, then writable again.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from uuid import uuid4

import httpx
import psycopg
import pytest

from tests.faults.federation import TOKEN, Service
from tests.support.postgres import PostgresServer

pytestmark = pytest.mark.faults

AUTH = {"Authorization": f"Bearer {TOKEN}"}


@pytest.fixture
def database(postgres_server: PostgresServer) -> tuple[str, str]:
    name = f"readonly_{uuid4().hex[:12]}"
    return name, postgres_server.create_database(name)


@pytest.fixture
def antenne(database: tuple[str, str], tmp_path: Path) -> Iterator[Service]:
    args = ["--antenne-id", "jette", "--database-url", database[1], "--no-relay"]
    service = Service.of("jette", "services.antenne", args, {"ANTENNE_TOKEN": TOKEN}, tmp_path, True)
    service.start()
    yield service
    service.stop()


def _read_only(postgres_server: PostgresServer, database: str, read_only: bool) -> None:
    """Make the database read-only (or writable) for every session, the antenne's open ones included."""
    with psycopg.connect(postgres_server.dsn("postgres"), autocommit=True) as conn:
        setting = "on" if read_only else "off"
        conn.execute(f'ALTER DATABASE "{database}" SET default_transaction_read_only = {setting}')
        conn.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", (database,))


def _notifications(database_url: str) -> int:
    """How many events the antenne stored (read with SQL: opening the application would create tables)."""
    with psycopg.connect(database_url) as conn:
        row = conn.execute("SELECT count(*) FROM antenne_events").fetchone()
        assert row is not None
        return int(row[0])


def _register(antenne: Service) -> httpx.Response:
    return httpx.post(
        f"{antenne.url}/api/v1/members", json={"display_name": "Anna"}, headers=AUTH, timeout=30
    )


def test_a_read_only_store_writes_nothing_and_the_antenne_works_again_once_writable(
    antenne: Service, database: tuple[str, str], postgres_server: PostgresServer
) -> None:
    name, url = database
    anna = _register(antenne).json()["member_id"]
    before = _notifications(url)

    _read_only(postgres_server, name, read_only=True)
    refused = _register(antenne)
    balance = httpx.get(f"{antenne.url}/api/v1/members/{anna}/balance", headers=AUTH, timeout=30)
    during = _notifications(url)
    _read_only(postgres_server, name, read_only=False)
    accepted = _register(antenne)

    assert refused.status_code >= 500, refused.text  # refused, never a false 201
    assert balance.status_code == 200  # reading goes on
    assert during == before  # nothing half-written
    assert accepted.status_code == 201, accepted.text
    assert _notifications(url) > before
    assert antenne.process.exited() is False, os.linesep + antenne.process.log_tail()


def test_a_read_only_store_is_refused_with_503_and_a_sentence_that_says_why(
    antenne: Service, database: tuple[str, str], postgres_server: PostgresServer
) -> None:
    _read_only(postgres_server, database[0], read_only=True)
    refused = _register(antenne)
    _read_only(postgres_server, database[0], read_only=False)

    assert refused.status_code == 503, refused.text
    assert "read-only" in refused.json()["detail"]
