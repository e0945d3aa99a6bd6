"""The ledger's HTTP API through `create_app`, on in-memory persistence."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from pathlib import Path
from uuid import uuid4

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from services.ledger.application import Ledger
from services.ledger.main import create_app
from services.ledger.settings import Settings
from services.ports import free_port
from tests.unit.ledger.antenne_events import AntenneEvents

TOKEN = "test-token-" + uuid4().hex
AUTH = {"Authorization": f"Bearer {TOKEN}"}


def _settings(nats_url: str = "nats://127.0.0.1:4222") -> Settings:
    key_file = Path(tempfile.mkdtemp(prefix="bp-ledger-key-")) / "signing-key.pem"
    return Settings(token=TOKEN, database_url="memory:", nats_url=nats_url, signing_key_file=key_file)


@pytest.fixture
def client() -> Iterator[TestClient]:
    with TestClient(create_app(_settings(), run_consumer=False)) as running:
        yield running


def _ledger(client: TestClient) -> Ledger:
    assert isinstance(client.app, FastAPI)
    ledger: Ledger = client.app.state.ledger
    return ledger


def _book_an_exchange(ledger: Ledger) -> AntenneEvents:
    jette = AntenneEvents("jette")
    anna, bert = jette.register(), jette.register()
    for envelope in (anna, bert, *jette.exchange(bert.aggregateid, anna.aggregateid, 5)):
        ledger.apply(envelope, envelope.payload())
    return jette


def test_a_balance_is_in_quarter_hours_and_an_unknown_member_is_not_found(client: TestClient) -> None:
    jette = _book_an_exchange(_ledger(client))
    bert = jette.published[1].aggregateid

    response = client.get(f"/api/v1/balances/{bert}", headers=AUTH)
    missing = client.get(f"/api/v1/balances/{uuid4()}", headers=AUTH)

    assert response.status_code == 200
    assert response.json() == {"member_id": str(bert), "quarters": 5}
    assert missing.status_code == 404
    assert "no account" in missing.json()["detail"]


def test_the_audit_shows_balanced_books_and_what_each_antenne_sent(client: TestClient) -> None:
    _book_an_exchange(_ledger(client))

    audit = client.get("/api/v1/audit", headers=AUTH).json()

    assert audit["balanced"] is True
    assert (audit["sum_of_accounts"], audit["accounts"]) == (0, 2)
    assert audit["credited_by_exchanges"] == audit["confirmed_quarters"] == 5
    assert audit["antennes"] == {
        "jette": {"events_applied": 4, "last_position": 4, "confirmed_quarters": 5, "opening_quarters": 0}
    }
    assert (audit["opening_quarters"], audit["sum_of_opening_accounts"]) == (0, 0)
    assert set(audit["consumer"]) == {
        "connected", "applied", "duplicates", "parked", "waiting", "positions", "last_error",
    }  # fmt: skip


@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer wrong"}], ids=["no-token", "bad-token"])
def test_the_api_refuses_a_request_without_the_token(client: TestClient, headers: dict[str, str]) -> None:
    assert client.get("/api/v1/audit", headers=headers).status_code == 401
    assert client.get(f"/api/v1/balances/{uuid4()}", headers=headers).status_code == 401


def test_health_needs_no_token_and_the_api_starts_while_nats_is_down() -> None:
    nowhere = f"nats://127.0.0.1:{free_port()}"

    with TestClient(create_app(_settings(nats_url=nowhere))) as client:
        health = client.get("/healthz")
        audit = client.get("/api/v1/audit", headers=AUTH)

    assert health.status_code == 200
    assert health.json()["consumer"]["connected"] is False
    assert audit.json()["balanced"] is True
