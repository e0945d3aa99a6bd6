"""`import run` end to end: a sheet with errors is refused with nothing written; a clean one is written
and its balances reach the ledger through NATS, booked against the opening account; the same sheet again
changes nothing anywhere."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any
from uuid import uuid4

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from openpyxl import Workbook  # type: ignore[import-untyped]

from services.antenne.application import Antenne
from services.antenne.application.imports import imported_member_id
from services.antenne.main import create_app as create_antenne
from services.antenne.settings import Settings as AntenneSettings
from services.ledger.main import create_app as create_ledger
from services.ledger.settings import Settings as LedgerSettings
from services.messaging.nats_server import NatsServer
from services.operations.import_run import run_import
from services.operations.importing import Mapping
from tests.integration.antenne.jetstream import wait_until
from tests.unit.operations.test_import_check import HEADER, MAPPING, ROWS

pytestmark = pytest.mark.integration

TOKEN = "test-token-" + uuid4().hex
AUTH = {"Authorization": f"Bearer {TOKEN}"}
SOURCE = "Jette, ledenlijst 2025"
CLEAN = [
    ["J1", "Maria Peeters", "1:30", datetime(2024, 3, 5), "02 123 45 67"],  # 6 quarters
    ["J2", "Jean Claes", "-1,5", "12/04/2024", None],  # -6
    ["J4", "Luc Vermeulen", "2,25", "01/02/2025", None],  # 9: the sheet does not sum to 0
]


def _xlsx(path: Path, rows: list[Any]) -> Path:
    workbook = Workbook()
    for row in [HEADER, *rows]:
        workbook.active.append(row)
    workbook.save(path)
    return path


@pytest.fixture
def federation(nats_server: NatsServer, tmp_path: Path) -> Iterator[tuple[TestClient, TestClient]]:
    ledger = LedgerSettings(token=TOKEN, database_url=f"sqlite:///{tmp_path / 'ledger.db'}",
                            nats_url=nats_server.url, signing_key_file=tmp_path / "key.pem")  # fmt: skip
    jette = AntenneSettings(antenne_id="jette", token=TOKEN, nats_url=nats_server.url,
                            database_url=f"sqlite:///{tmp_path / 'jette.db'}")  # fmt: skip
    with (
        TestClient(create_ledger(ledger), headers=AUTH) as central,
        TestClient(create_antenne(jette), headers=AUTH) as antenne,
    ):
        yield antenne, central


def _log_length(client: TestClient) -> int:
    assert isinstance(client.app, FastAPI)
    antenne: Antenne = client.app.state.antenne
    return antenne.recorder.max_notification_id() or 0


def _ledger_balance(central: TestClient, member_id: object) -> int | None:
    response = central.get(f"/api/v1/balances/{member_id}")
    return int(response.json()["quarters"]) if response.status_code == 200 else None


def test_import_refuses_a_bad_sheet_then_writes_a_clean_one_once(
    federation: tuple[TestClient, TestClient], tmp_path: Path
) -> None:
    antenne, central = federation
    (tmp_path / "jette.toml").write_text(MAPPING)
    mapping = Mapping.load(tmp_path / "jette.toml")
    member_ids = [imported_member_id("jette", SOURCE, key) for key in ("J1", "J2", "J4")]

    # A sheet with deliberate errors: refused with the report, nothing sent, nothing written.
    before = _log_length(antenne)
    refused = run_import(antenne, _xlsx(tmp_path / "bad.xlsx", ROWS), mapping)
    assert (refused.sent, len(refused.check.problems)) == (False, 4)
    assert _log_length(antenne) == before

    # The clean sheet: every member and opening balance written, and the ledger books them.
    clean = _xlsx(tmp_path / "leden.xlsx", CLEAN)
    written = run_import(antenne, clean, mapping)
    assert written.answer is not None
    assert (written.answer["imported"], written.answer["opening_quarters"]) == (3, 9)
    balances = [antenne.get(f"/api/v1/members/{m}/balance").json()["quarters"] for m in member_ids]
    assert balances == [6, -6, 9]
    wait_until(lambda: [_ledger_balance(central, m) for m in member_ids] == balances, 20, "ledger balances")
    audit = central.get("/api/v1/audit").json()
    assert audit["balanced"] is True
    assert (audit["opening_quarters"], audit["sum_of_opening_accounts"]) == (9, -9)
    assert audit["antennes"]["jette"]["opening_quarters"] == 9
    # The ledger's word comes back to the antenne as the members' portable balances.
    portable = f"/api/v1/members/{member_ids[2]}/portable-balance"
    wait_until(lambda: antenne.get(portable).json()["quarters"] == 9, 20, "portable balance back")

    # The same sheet again: nothing changes at the antenne, so nothing reaches the ledger.
    length, events_applied = _log_length(antenne), audit["antennes"]["jette"]["events_applied"]
    again = run_import(antenne, clean, mapping)
    assert again.answer is not None
    assert (again.answer["imported"], again.answer["already_present"]) == (0, 3)
    assert again.answer["import_id"] == written.answer["import_id"]
    assert _log_length(antenne) == length
    assert central.get("/api/v1/audit").json()["antennes"]["jette"]["events_applied"] == events_applied
