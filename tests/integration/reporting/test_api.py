"""The reporting service as it runs: its consumer fills the stored view, the API reports it."""

from __future__ import annotations

import time
from pathlib import Path
from uuid import uuid4

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from services.messaging.nats_server import NatsServer
from services.ports import free_port
from services.reporting.main import create_app
from services.reporting.settings import Settings
from services.reporting.views import SummaryView
from tests.integration.reporting.stream import caught_up, publish_two_antennes, until

pytestmark = pytest.mark.integration

TOKEN = "test-token-" + uuid4().hex
AUTH = {"Authorization": f"Bearer {TOKEN}"}


def _view(client: TestClient) -> SummaryView:
    assert isinstance(client.app, FastAPI)
    view: SummaryView = client.app.state.view
    return view


def test_the_summary_reports_what_the_antennes_published(nats_server: NatsServer, database_url: str) -> None:
    settings = Settings(token=TOKEN, database_url=database_url, nats_url=nats_server.url)
    with TestClient(create_app(settings)) as client:
        feeds = publish_two_antennes(nats_server.url)
        until(lambda: caught_up(_view(client), feeds))

        summary = client.get("/api/v1/reports/summary", headers=AUTH).json()
        health = client.get("/healthz").json()

    assert summary["antennes"] == {
        "jette": {"members": 2, "exchanges_recorded": 2, "exchanges_confirmed": 1, "quarters_confirmed": 5},
        "laken": {"members": 1, "exchanges_recorded": 1, "exchanges_confirmed": 1, "quarters_confirmed": 4},
    }
    assert summary["federation"] == {
        "members": 3,
        "exchanges_recorded": 3,
        "exchanges_confirmed": 2,
        "quarters_confirmed": 9,
    }
    assert health["consumer"]["connected"] is True
    assert health["consumer"]["positions"] == {feed.antenne_id: feed.published[-1].position for feed in feeds}


def test_the_api_starts_answers_and_stops_promptly_while_nats_is_down(tmp_path: Path) -> None:
    nowhere = f"nats://127.0.0.1:{free_port()}"
    settings = Settings(token=TOKEN, database_url=f"sqlite:///{tmp_path}/reporting.db", nats_url=nowhere)

    with TestClient(create_app(settings)) as client:
        health = client.get("/healthz")
        summary = client.get("/api/v1/reports/summary", headers=AUTH)
        stopping = time.monotonic()

    assert health.status_code == 200
    assert health.json()["consumer"]["connected"] is False
    assert summary.status_code == 200
    assert summary.json()["antennes"] == {}
    assert time.monotonic() - stopping < 5.0
