"""The report pages in Chromium against a real reporting process: sign-in, Dutch and French, charts, the
print view, a table downloaded, and the federation page; axe-core checks each page."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from services.ports import free_port, wait_until_listening
from services.reporting.consumer import SummarySink
from services.reporting.views import make_view
from simulation.history import generate_history
from tests.browser.conftest import Checks

TOKEN = "browser-tests-reporting-token-0123"


@dataclass
class Reporting:
    url: str
    process: subprocess.Popen[bytes]


@pytest.fixture(scope="module")
def reporting(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Reporting]:
    """Reporting serving a view of three generated antennes (its NATS is away: the pages do not need it)."""
    folder = tmp_path_factory.mktemp("reporting")
    database_url = f"sqlite:///{folder / 'reporting.db'}"
    view = make_view(database_url)
    sink = SummarySink(view)
    for envelope in generate_history(5, days=70, daily=3).envelopes:
        sink.apply(envelope, envelope.payload())
    view.close()
    port = free_port()
    env = {**os.environ, "REPORTING_TOKEN": TOKEN, "REPORTING_DATABASE_URL": database_url,
           "REPORTING_NATS_URL": f"nats://127.0.0.1:{free_port()}",
           "REPORTING_TARGET_GROUPS": '{"antenne-0": 400}',
           "REPORTING_ANTENNE_NAMES": '{"antenne-0": "Jette", "antenne-1": "Laken"}'}  # fmt: skip
    with (folder / "reporting.log").open("wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "services.reporting", "serve", "--port", str(port)],
            env=env, stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
    wait_until_listening("127.0.0.1", port, timeout=30)
    yield Reporting(f"http://127.0.0.1:{port}", process)
    process.terminate()
    process.wait(15)


def _sign_in(page: Page, reporting: Reporting, path: str) -> None:
    page.goto(f"{reporting.url}{path}")
    page.locator("#token").fill(TOKEN)
    page.get_by_role("button", name="Aanmelden").click()
    page.wait_for_url(f"**{path.split('?')[0]}*")


def test_a_funder_reads_the_report_in_dutch_then_in_french_and_prints_it(
    page: Page, reporting: Reporting, checks: Checks
) -> None:
    _sign_in(page, reporting, "/reports/antennes/antenne-0?lang=nl")
    expect(page.locator("h1")).to_have_text("Rapport voor Jette")
    expect(page.locator("svg.chart")).to_have_count(3)
    expect(page.get_by_role("img", name="Uren hulp per maand")).to_be_visible()
    expect(page.locator(".goal-text")).to_have_text("Doel: 60 deelnemers")  # 15% of 400
    checks.page(page, "nl-report")

    page.get_by_role("link", name="Français").click()
    expect(page.locator("h1")).to_have_text("Rapport pour Jette")
    expect(page.get_by_role("heading", name="Réciprocité").first).to_be_visible()
    checks.page(page, "fr-report")

    page.emulate_media(media="print")
    expect(page.locator(".site-header")).to_be_hidden()
    expect(page.locator(".actions")).to_be_hidden()
    expect(page.locator("svg.chart").first).to_be_visible()


def test_a_table_downloads_as_csv_from_the_page(page: Page, reporting: Reporting, tmp_path: Path) -> None:
    _sign_in(page, reporting, "/reports/antennes/antenne-1?lang=nl")

    with page.expect_download() as download:
        page.locator('a[href="/api/v1/reports/antenne-1/members.csv"]').click()
    saved = tmp_path / download.value.suggested_filename
    download.value.save_as(saved)

    assert saved.name == "buurtpensioen-antenne-1-members.csv"
    assert saved.read_text().startswith("month,new,active,paused,left,registered\n")


def test_the_coordinator_sees_every_antenne_side_by_side(
    page: Page, reporting: Reporting, checks: Checks
) -> None:
    _sign_in(page, reporting, "/reports/federation?lang=nl")

    expect(page.locator("h1")).to_have_text("Overzicht van de federatie")
    rows = page.locator("table.side-by-side tbody tr")
    expect(rows).to_have_count(3)
    expect(rows.first.locator("th")).to_have_text("Jette")
    checks.page(page, "nl-federation")
