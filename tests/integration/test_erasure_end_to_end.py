"""Erasure end to end: antenne, ledger and reporting on PostgreSQL, their events over a real nats-server.

A member is erased after help was booked: their name and contact details read as erased at the antenne
(member, list, notes, export) and are in no store in clear; the ledger keeps every balance and stays
balanced; reporting's figures are unchanged; help recorded after the erasure still flows everywhere.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from datetime import date
from pathlib import Path
from typing import Any

import psycopg
import pytest
from fastapi.testclient import TestClient

from services.antenne.main import create_app as antenne_app
from services.antenne.settings import Settings as AntenneSettings
from services.antenne.shredding import ERASED
from services.ledger.main import create_app as ledger_app
from services.ledger.settings import Settings as LedgerSettings
from services.messaging.nats_server import NatsServer
from services.reporting.main import create_app as reporting_app
from services.reporting.settings import Settings as ReportingSettings
from tests.support.auth import as_role, bearer
from tests.support.postgres import PostgresServer

pytestmark = pytest.mark.integration

TOKEN = "erasure-token-" + uuid.uuid4().hex
AUTH = bearer(TOKEN)
ANNA = {"display_name": "Anna Peeters", "phone": "+32 470 12 34 56", "email": "anna@example.org",
        "address": "Kerkstraat 1, Jette"}  # fmt: skip


class Federation:
    """The three services in this process, each on its own PostgreSQL database."""

    def __init__(self, stack: ExitStack, postgres: PostgresServer, nats: NatsServer, folder: Path) -> None:
        self.dsns = {name: postgres.create_database(f"erasure_{name}_{uuid.uuid4().hex[:8]}")
                     for name in ("jette", "ledger", "reporting")}  # fmt: skip
        self.antenne = stack.enter_context(
            TestClient(
                antenne_app(
                    AntenneSettings(
                        antenne_id="jette", token=TOKEN, database_url=self.dsns["jette"], nats_url=nats.url
                    )
                )
            )
        )
        self.ledger = stack.enter_context(
            TestClient(
                ledger_app(
                    LedgerSettings(
                        token=TOKEN,
                        database_url=self.dsns["ledger"],
                        nats_url=nats.url,
                        signing_key_file=folder / "signing-key.pem",
                    )
                )
            )
        )
        self.reporting = stack.enter_context(TestClient(reporting_app(ReportingSettings(
            token=TOKEN, database_url=self.dsns["reporting"], nats_url=nats.url))))  # fmt: skip

    def post(self, path: str, body: dict[str, Any] | None = None, headers: dict[str, str] = AUTH) -> Any:
        response = self.antenne.post(f"/api/v1{path}", json=body, headers=headers)
        assert response.status_code in (200, 201), response.text
        return response.json()

    def help(self, helper: str, recipient: str, quarters: int) -> None:
        body = {"helper_id": helper, "recipient_id": recipient, "quarters": quarters, "category": "transport",
                "performed_on": date.today().isoformat()}  # fmt: skip
        exchange = self.post("/exchanges", body)["exchange_id"]
        self.post(f"/exchanges/{exchange}/confirm")

    def summary(self) -> dict[str, Any]:
        summary: dict[str, Any] = self.reporting.get("/api/v1/reports/summary", headers=AUTH).json()
        return summary

    def balance(self, member_id: str) -> int | None:
        response = self.ledger.get(f"/api/v1/balances/{member_id}", headers=AUTH)
        return int(response.json()["quarters"]) if response.status_code == 200 else None

    def stored_text(self, name: str) -> str:
        """Every row of every table of one service's database, as text."""
        with psycopg.connect(self.dsns[name]) as db:
            tables = [row[0] for row in db.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public'")]  # fmt: skip
            return "\n".join(str(row) for table in tables for row in db.execute(f'SELECT * FROM "{table}"'))


@pytest.fixture
def federation(
    postgres_server: PostgresServer, nats_server: NatsServer, tmp_path: Path
) -> Iterator[Federation]:
    with ExitStack() as stack:
        yield Federation(stack, postgres_server, nats_server, tmp_path)


def _until(condition: Callable[[], bool], what: str, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"after {timeout:.0f} s still not: {what}"
        time.sleep(0.05)


def test_an_erased_member_is_erased_everywhere_while_every_figure_and_balance_stays(
    federation: Federation,
) -> None:
    anna = federation.post("/members", ANNA)["member_id"]
    bert = federation.post("/members", {"display_name": "Bert Claes"})["member_id"]
    federation.post(f"/members/{anna}/notes", {"text": "Anna needs a lift on Tuesdays."})
    federation.help(bert, anna, 6)
    _until(lambda: federation.balance(bert) == 6, "the ledger booked the help")
    _until(lambda: federation.summary()["federation"]["quarters_confirmed"] == 6, "reporting counted it")
    before = federation.summary()

    erasure = federation.antenne.post(f"/api/v1/members/{anna}/erasure",
                                      headers=as_role(federation.antenne, "local-lead", "lea"))  # fmt: skip
    federation.help(anna, bert, 2)  # the erased member still takes part
    _until(lambda: federation.balance(anna) == -4, "the ledger booked the help after the erasure")
    _until(lambda: federation.summary()["federation"]["quarters_confirmed"] == 8, "reporting counted it")

    member = federation.antenne.get(f"/api/v1/members/{anna}", headers=AUTH).json()
    export = federation.antenne.get(f"/api/v1/members/{anna}/export", headers=AUTH).json()
    notes = federation.antenne.get(f"/api/v1/members/{anna}/notes", headers=AUTH).json()
    audit = federation.ledger.get("/api/v1/audit", headers=AUTH).json()
    after = federation.summary()

    assert erasure.status_code == 200
    assert member["profile"]["display_name"] == ERASED
    assert member["profile"]["phone"] is None
    assert export["personal"]["email"] is None
    assert [note["text"] for note in notes] == [ERASED]
    assert member["balance"] == export["balance_quarters"] == federation.balance(anna) == -4
    assert federation.balance(bert) == 4
    assert audit["balanced"] is True
    assert audit["credited_by_exchanges"] == audit["confirmed_quarters"] == 8
    assert after["federation"]["members"] == before["federation"]["members"] == 2
    assert after["federation"]["exchanges_confirmed"] == before["federation"]["exchanges_confirmed"] + 1
    for service in ("jette", "ledger", "reporting"):
        stored = federation.stored_text(service)
        assert "Anna" not in stored, service
        assert "470 12 34 56" not in stored, service
