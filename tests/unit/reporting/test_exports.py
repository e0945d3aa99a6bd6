"""Reports as JSON, CSV and XLSX through reporting's API, on a view fed a generated history.

The files are opened with the csv module and openpyxl, as a spreadsheet would.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from functools import cache
from uuid import uuid4

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from openpyxl import load_workbook  # type: ignore[import-untyped]

from services.reporting.consumer import SummarySink
from services.reporting.main import create_app
from services.reporting.records import Records
from services.reporting.settings import Settings
from services.reporting.tables import Table, report
from services.reporting.views import SummaryView, make_view
from tests.unit.reporting.generated import history

TOKEN = "test-token-" + uuid4().hex
AUTH = {"Authorization": f"Bearer {TOKEN}"}
TABLES = ("members", "requests", "exchanges", "reciprocity", "solidarity", "attendance", "languages", "reach")


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient]:
    settings = Settings(
        token=TOKEN, database_url="memory:", target_groups={"antenne-0": 900, "antenne-1": 300}
    )
    with TestClient(create_app(settings, run_consumer=False)) as running:
        assert isinstance(running.app, FastAPI)
        view: SummaryView = running.app.state.view
        sink = SummarySink(view)
        for envelope in history(11).envelopes:
            sink.apply(envelope, envelope.payload())
        yield running


def test_the_report_of_an_antenne_has_every_table_with_its_target_group(client: TestClient) -> None:
    body = client.get("/api/v1/reports/antenne-0", headers=AUTH).json()

    assert [table["name"] for table in body["tables"]] == list(TABLES)
    assert body["target_group"] == 900
    reach = next(table for table in body["tables"] if table["name"] == "reach")
    assert reach["rows"][-1][reach["columns"].index("goal")] == 135  # 15% of 900


def test_the_federation_adds_up_the_antennes_target_groups(client: TestClient) -> None:
    body = client.get("/api/v1/reports/federation", headers=AUTH).json()

    assert body["antenne_id"] is None
    assert body["target_group"] == 1200  # antenne-2 has none configured


@pytest.mark.parametrize("table", TABLES)
def test_each_table_downloads_as_csv_that_reads_back_as_the_table(client: TestClient, table: str) -> None:
    response = client.get(f"/api/v1/reports/antenne-1/{table}.csv", headers=AUTH)

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert f'filename="buurtpensioen-antenne-1-{table}.csv"' in response.headers["content-disposition"]
    rows = list(csv.reader(io.StringIO(response.text)))
    expected = _expected("antenne-1", table, 300)
    assert tuple(rows[0]) == expected.columns
    assert rows[1:] == [[str(cell) for cell in row] for row in expected.rows]


def test_the_workbook_has_a_sheet_per_table_with_the_same_numbers(client: TestClient) -> None:
    response = client.get("/api/v1/reports/federation.xlsx", headers=AUTH)

    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(response.content), read_only=True)
    assert workbook.sheetnames == list(TABLES)
    sheet = list(workbook["exchanges"].iter_rows(values_only=True))
    expected = _expected(None, "exchanges", None)
    assert sheet[0] == expected.columns
    assert sheet[1:] == list(expected.rows)


def test_one_table_downloads_as_a_workbook_of_its_own(client: TestClient) -> None:
    response = client.get("/api/v1/reports/antenne-2/members.xlsx", headers=AUTH)

    workbook = load_workbook(io.BytesIO(response.content), read_only=True)
    assert workbook.sheetnames == ["members"]
    assert next(workbook["members"].iter_rows(values_only=True)) == (
        "month",
        "new",
        "active",
        "paused",
        "left",
        "registered",
    )


def test_an_unknown_antenne_or_table_is_404_with_what_exists(client: TestClient) -> None:
    antenne = client.get("/api/v1/reports/evere", headers=AUTH)
    table = client.get("/api/v1/reports/antenne-0/weather.csv", headers=AUTH)

    assert antenne.status_code == 404
    assert (
        "no antenne 'evere' has sent an event; known: antenne-0, antenne-1, antenne-2"
        in antenne.json()["detail"]
    )
    assert table.status_code == 404
    assert "no table 'weather'; tables: members, requests" in table.json()["detail"]


def test_reports_need_the_token(client: TestClient) -> None:
    assert client.get("/api/v1/reports/federation.xlsx").status_code == 401


def _expected(antenne_id: str | None, table: str, target_group: int | None) -> Table:
    records = _records()
    scope = list(records.values()) if antenne_id is None else [records[antenne_id]]
    return report(antenne_id, scope, target_group).table(table)


@cache
def _records() -> dict[str, Records]:
    view = make_view("memory:")
    sink = SummarySink(view)
    for envelope in history(11).envelopes:
        sink.apply(envelope, envelope.payload())
    return view.records()
