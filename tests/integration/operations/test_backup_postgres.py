"""Back up an antenne's PostgreSQL store with pg_dump, restore it into an empty database, fence its log."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from fastapi.testclient import TestClient

from services.antenne.main import create_app
from services.antenne.settings import Settings
from services.operations.fence import fence, store_positions

if TYPE_CHECKING:
    from tests.support.postgres import PostgresServer

pytestmark = pytest.mark.integration

TOKEN = "backup-test-token-0123456789"
BUURTPENSIOEN = str(Path(sys.executable).parent / "buurtpensioen")


def _register(database_url: str, *names: str) -> None:
    settings = Settings(antenne_id="jette", database_url=database_url, token=TOKEN)
    with TestClient(create_app(settings, run_relay=False)) as client:
        for name in names:
            response = client.post(
                "/api/v1/members", json={"display_name": name}, headers={"Authorization": f"Bearer {TOKEN}"}
            )
            assert response.status_code == 201


def test_a_postgres_store_is_restored_from_pg_dump_into_an_empty_database_and_fenced_past_the_centre(
    postgres_server: PostgresServer, postgres_dsn: str, tmp_path: Path
) -> None:
    # An antenne on PostgreSQL with three members.
    _register(postgres_dsn, "Anna", "Bert", "Carla")
    before = store_positions(postgres_dsn)
    assert before.stored_up_to >= 3

    # Backed up with pg_dump, restored with pg_restore into a new, empty database.
    backup_file = tmp_path / "jette.dump"
    taken = subprocess.run(
        [BUURTPENSIOEN, "backup", "--database-url", postgres_dsn, "--to", str(backup_file)],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert taken.returncode == 0, taken.stderr
    assert "(pg_dump," in taken.stdout
    assert "postgres:postgres@" not in taken.stdout  # the password is never printed
    new_database = postgres_server.create_database("jette_restored_" + tmp_path.name[-8:].replace("-", "_"))
    restored = subprocess.run(
        [BUURTPENSIOEN, "restore", "--from", str(backup_file), "--database-url", new_database],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert restored.returncode == 0, restored.stderr
    assert store_positions(new_database) == before

    # Fenced past the centre's position 40: the next event is numbered after it.
    fence(new_database, "jette", 40)
    _register(new_database, "Dirk")
    assert store_positions(new_database).stored_up_to > 40
