"""The report pages over HTTP, on a view fed a generated history: sign-in, Dutch and French, charts,
downloads of every table, the print stylesheet, and the coordinator's federation page."""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterator
from pathlib import Path
from uuid import uuid4

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from services.ports import free_port
from services.reporting.consumer import SummarySink
from services.reporting.main import create_app
from services.reporting.settings import Settings
from services.reporting.views import SummaryView
from tests.unit.reporting.generated import history

TOKEN = "test-token-" + uuid4().hex
TABLES = ("members", "requests", "exchanges", "reciprocity", "solidarity", "attendance", "languages", "reach")


def _client(tmp_path: Path, status_file: Path | None = None) -> TestClient:
    settings = Settings(
        token=TOKEN,
        database_url="memory:",
        target_groups={"antenne-0": 900},
        antenne_names={"antenne-0": "Neder-Over-Heembeek", "antenne-1": "Jette"},
        status_file=status_file,
    )
    return TestClient(create_app(settings, run_consumer=False), follow_redirects=False)


def _fill(client: TestClient) -> None:
    assert isinstance(client.app, FastAPI)
    view: SummaryView = client.app.state.view
    sink = SummarySink(view)
    for envelope in history(11).envelopes:
        sink.apply(envelope, envelope.payload())


@pytest.fixture
def signed_in(tmp_path: Path) -> Iterator[TestClient]:
    with _client(tmp_path) as client:
        _fill(client)
        assert client.post("/reports/signin", data={"token": TOKEN, "next": "/reports"}).status_code == 303
        yield client


def test_a_page_asks_for_the_key_first_and_then_shows_the_report(tmp_path: Path) -> None:
    with _client(tmp_path) as client:
        _fill(client)
        first = client.get("/reports/antennes/antenne-0")
        wrong = client.post(
            "/reports/signin", data={"token": "not-the-token", "next": "/reports/antennes/antenne-0"}
        )
        right = client.post("/reports/signin", data={"token": TOKEN, "next": "/reports/antennes/antenne-0"})
        page = client.get("/reports/antennes/antenne-0")

    assert first.status_code == 303
    assert first.headers["location"] == "/reports/signin?next=/reports/antennes/antenne-0"
    assert wrong.status_code == 401
    assert "Dat is niet de sleutel van de rapporten." in wrong.text
    assert right.status_code == 303
    assert right.headers["location"] == "/reports/antennes/antenne-0"
    assert "httponly" in right.headers["set-cookie"].lower()
    assert TOKEN not in right.headers["set-cookie"]
    assert page.status_code == 200


def test_the_sign_in_never_sends_the_browser_to_another_site(tmp_path: Path) -> None:
    with _client(tmp_path) as client:
        response = client.post("/reports/signin", data={"token": TOKEN, "next": "//evil.example/"})

    assert response.headers["location"] == "/reports"


def test_the_funder_report_in_dutch_has_three_charts_the_figures_and_every_table(
    signed_in: TestClient,
) -> None:
    page = signed_in.get("/reports/antennes/antenne-0", headers={"Accept-Language": "nl"}).text

    assert '<html lang="nl">' in page
    assert "Rapport voor Neder-Over-Heembeek" in page
    assert page.count("<svg") == 3
    assert "Uren hulp per maand" in page
    assert "Doel: 135 deelnemers" in page  # 15% of 900, the goal line of the reach chart
    assert re.search(r'<rect class="bar" [^>]*><title>2026-0\d: \d+ u', page)
    for table in TABLES:
        assert f'href="/api/v1/reports/antenne-0/{table}.csv"' in page
        assert f'href="/api/v1/reports/antenne-0/{table}.xlsx"' in page
    assert 'href="/api/v1/reports/antenne-0.xlsx"' in page
    assert "Boodschappen" in page  # categories in Dutch


def test_the_same_report_in_french(signed_in: TestClient) -> None:
    page = signed_in.get("/reports/antennes/antenne-1?lang=fr").text

    assert '<html lang="fr">' in page
    assert "Rapport pour Jette" in page
    assert "Heures d'aide par mois" in html.unescape(page)
    assert "Réciprocité" in page
    assert "aucune taille de public cible configurée" in page
    assert re.search(r"\d+ h \d\d|\d+ h", page)


def test_the_page_links_a_print_stylesheet_that_is_served(signed_in: TestClient) -> None:
    page = signed_in.get("/reports/antennes/antenne-0").text
    css = signed_in.get("/static/reporting/reports.css")

    assert '<link rel="stylesheet" href="/static/reporting/reports.css">' in page
    assert css.status_code == 200
    assert "@media print" in css.text
    assert "break-inside: avoid" in css.text


def test_the_downloads_work_with_the_signed_in_cookie(signed_in: TestClient) -> None:
    csv = signed_in.get("/api/v1/reports/antenne-0/members.csv")
    workbook = signed_in.get("/api/v1/reports/federation.xlsx")

    assert csv.status_code == 200
    assert csv.text.startswith("month,new,active,paused,left,registered\n")
    assert workbook.status_code == 200
    assert workbook.content[:2] == b"PK"  # a zip: an XLSX workbook


def test_the_federation_page_sets_every_antenne_side_by_side(signed_in: TestClient) -> None:
    page = signed_in.get("/reports/federation?lang=nl").text

    assert "Antennes naast elkaar" in page
    for antenne_id, name in (
        ("antenne-0", "Neder-Over-Heembeek"),
        ("antenne-1", "Jette"),
        ("antenne-2", "antenne-2"),
    ):
        assert f'<a href="/reports/antennes/{antenne_id}">{name}</a>' in page
    assert "geen statusbestand ingesteld" in page
    assert page.count("<svg") == 3


def test_the_federation_page_shows_each_antennes_service_state_from_the_status_file(tmp_path: Path) -> None:
    # Two antennes that do not answer: the page says they are down, and why, instead of failing.
    nobody = f"http://127.0.0.1:{free_port()}"
    status_file = tmp_path / "up.json"
    status_file.write_text(json.dumps({
        "antennes": {"antenne-0": {"url": nobody, "token": "x"}, "antenne-1": {"url": nobody, "token": "x"}},
        "ledger": {"url": nobody, "token": "x"},
        "reporting": {"url": nobody, "token": "x"},
        "nats": {"url": f"nats://127.0.0.1:{free_port()}"},
    }))  # fmt: skip
    with _client(tmp_path, status_file) as client:
        _fill(client)
        client.post("/reports/signin", data={"token": TOKEN})
        page = client.get("/reports/federation?lang=fr").text

    assert page.count(">injoignable<") == 2
    assert "Contrôle du grand livre :" in page
    assert "indisponible" in page
    assert "antenne antenne-0 is down" in page  # the problems list of `buurtpensioen status`


def test_the_pages_accept_the_bearer_token_too(tmp_path: Path) -> None:
    with _client(tmp_path) as client:
        _fill(client)
        page = client.get("/reports", headers={"Authorization": f"Bearer {TOKEN}"})

    assert page.status_code == 200
    assert 'href="/reports/federation"' in page.text
