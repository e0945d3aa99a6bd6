"""Session-wide real servers: a nats-server with JetStream and a PostgreSQL, both on loopback."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from services.messaging.nats_server import NatsServer
from services.ports import free_port
from tests.support.postgres import PostgresServer


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    server = PostgresServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def postgres_dsn(postgres_server: PostgresServer) -> str:
    """A fresh, empty database for one test."""
    return postgres_server.create_database(f"test_{uuid.uuid4().hex[:12]}")


@pytest.fixture
def nats_server(tmp_path: Path) -> Iterator[NatsServer]:
    """A fresh nats-server with JetStream for one test (streams never leak between tests)."""
    server = NatsServer(port=free_port(), store_dir=tmp_path / "jetstream")
    server.start()
    yield server
    server.stop()
