"""Invariant 4, autonomy: with NATS gone the antenne keeps working, and the relay catches up after."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path
from uuid import uuid4

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from services.antenne.application import Antenne
from services.antenne.main import create_app
from services.antenne.settings import Settings
from services.messaging.nats_server import NatsServer
from tests.integration.antenne.jetstream import (
    assert_complete_chain,
    expected_positions,
    read_stream,
    stream_count,
    wait_until,
)
from tests.support.dates import RECENT_ISO

pytestmark = pytest.mark.integration

TOKEN = "test-token-" + uuid4().hex
AUTH = {"Authorization": f"Bearer {TOKEN}"}


def _register(client: TestClient, *names: str) -> list[str]:
    ids = []
    for name in names:
        response = client.post("/api/v1/members", json={"display_name": name}, headers=AUTH)
        assert response.status_code == 201, response.text
        ids.append(response.json()["member_id"])
    return ids


def _help(client: TestClient, helper: str, recipient: str, quarters: int) -> None:
    body = {
        "helper_id": helper,
        "recipient_id": recipient,
        "quarters": quarters,
        "category": "digital",
        "performed_on": RECENT_ISO,
    }
    recorded = client.post("/api/v1/exchanges", json=body, headers=AUTH)
    assert recorded.status_code == 201, recorded.text
    confirmed = client.post(f"/api/v1/exchanges/{recorded.json()['exchange_id']}/confirm", headers=AUTH)
    assert confirmed.status_code == 200, confirmed.text


def _balance(client: TestClient, member_id: str) -> int:
    quarters: int = client.get(f"/api/v1/members/{member_id}/balance", headers=AUTH).json()["quarters"]
    return quarters


def _unreachable(relay: dict[str, object]) -> bool:
    return str(relay["last_error"]).startswith("NATS unreachable: ConnectionRefusedError")


def _relay_status(client: TestClient) -> dict[str, object]:
    relay: dict[str, object] = client.get("/healthz").json()["relay"]
    return relay


def test_without_nats_the_antenne_keeps_working_and_the_relay_catches_up(
    tmp_path: Path, nats_server: NatsServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="services.antenne.relay")
    settings = Settings(
        antenne_id="jette",
        token=TOKEN,
        database_url=f"sqlite:///{tmp_path / 'jette.db'}",
        nats_url=nats_server.url,
    )
    with TestClient(create_app(settings)) as client:
        assert isinstance(client.app, FastAPI)
        antenne: Antenne = client.app.state.antenne
        anna, bert = _register(client, "Anna", "Bert")
        _help(client, bert, anna, 4)
        wait_until(lambda: _relay_status(client)["backlog"] == 0, 15, "first events relayed")

        # NATS goes away: every request is still served and stored.
        nats_server.stop()
        carla, dirk = _register(client, "Carla", "Dirk")
        _help(client, carla, dirk, 6)
        _help(client, anna, carla, 2)
        wait_until(lambda: _unreachable(_relay_status(client)), 15, "relay finds NATS unreachable")
        offline = _relay_status(client)
        balances = [_balance(client, member) for member in (anna, carla)]

        # NATS comes back on the same port and store: the relay reconnects and publishes the backlog.
        nats_server.start()
        wait_until(lambda: _relay_status(client)["backlog"] == 0, 20, "backlog relayed after NATS returned")
        online = _relay_status(client)
        positions = expected_positions(antenne, "jette")

    assert offline["connected"] is False
    # Two numbers issued and two registrations; two exchanges recorded, confirmed, with two postings.
    assert offline["backlog"] == 2 * 2 + 2 * 4
    assert balances == [-4 + 2, 6 - 2]
    assert online["connected"] is True
    relay_log = [record.getMessage() for record in caplog.records]
    assert any(line.startswith("NATS unreachable: ConnectionRefusedError") for line in relay_log)
    assert any(line.startswith("reconnected to NATS") for line in relay_log)
    assert f"published 6 event(s) up to position {positions[-1]}" in relay_log
    assert online["position"] == positions[-1]
    published = asyncio.run(read_stream(nats_server.url, "jette"))
    assert_complete_chain(published, positions, "jette")
    assert (
        asyncio.run(stream_count(nats_server.url)) == len(positions) == 4 + 6
    )  # registered, recorded, confirmed
