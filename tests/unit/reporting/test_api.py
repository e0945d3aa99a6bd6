"""Reporting's HTTP API through `create_app`, on an in-memory view."""

from __future__ import annotations

from collections.abc import Iterator
from uuid import uuid4

import pytest
from eventsourcing.persistence import Tracking
from fastapi import FastAPI
from fastapi.testclient import TestClient
from pydantic import ValidationError

from services.reporting.main import create_app
from services.reporting.projection import Figures
from services.reporting.settings import Settings
from services.reporting.views import SummaryView

TOKEN = "test-token-" + uuid4().hex
AUTH = {"Authorization": f"Bearer {TOKEN}"}


@pytest.fixture
def client() -> Iterator[TestClient]:
    settings = Settings(token=TOKEN, database_url="memory:")
    with TestClient(create_app(settings, run_consumer=False)) as running:
        yield running


def _view(client: TestClient) -> SummaryView:
    assert isinstance(client.app, FastAPI)
    view: SummaryView = client.app.state.view
    return view


def test_the_summary_has_figures_per_antenne_and_federation_totals(client: TestClient) -> None:
    view = _view(client)
    view.apply("jette", Figures(members=2, exchanges_recorded=1), Tracking("jette", 2))
    view.apply("jette", Figures(exchanges_confirmed=1, quarters_confirmed=5), Tracking("jette", 3))
    view.apply("laken", Figures(members=1), Tracking("laken", 1))

    response = client.get("/api/v1/reports/summary", headers=AUTH)

    assert response.status_code == 200
    assert response.json() == {
        "antennes": {"jette": _figures(2, 1, 1, 5), "laken": _figures(1, 0, 0, 0)},
        "federation": _figures(3, 1, 1, 5),
    }


def _figures(members: int, recorded: int, confirmed: int, quarters: int) -> dict[str, int]:
    return {
        "members": members,
        "exchanges_recorded": recorded,
        "exchanges_confirmed": confirmed,
        "quarters_confirmed": quarters,
    }


def test_an_empty_view_reports_zero_for_the_federation(client: TestClient) -> None:
    response = client.get("/api/v1/reports/summary", headers=AUTH)

    assert response.json()["antennes"] == {}
    assert set(response.json()["federation"].values()) == {0}


def test_the_summary_needs_the_token(client: TestClient) -> None:
    missing = client.get("/api/v1/reports/summary")
    wrong = client.get("/api/v1/reports/summary", headers={"Authorization": "Bearer not-the-token"})

    assert (missing.status_code, wrong.status_code) == (401, 401)


def test_health_needs_no_token_and_shows_the_consumer(client: TestClient) -> None:
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json()["status"] == "ok"
    assert response.json()["consumer"]["connected"] is False
    assert response.json()["consumer"]["applied"] == 0


def test_settings_refuse_to_start_without_a_token(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("REPORTING_TOKEN", raising=False)
    monkeypatch.setenv("REPORTING_PORT", "8399")

    with pytest.raises(ValidationError, match="token"):
        Settings()
    assert Settings(token=TOKEN).port == 8399
