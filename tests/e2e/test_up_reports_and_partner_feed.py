"""`buurtpensioen up` shows the reports on its demo data and runs the feed of Bras dessus Bras dessous."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from services.local_federation.federation import DEMO_PARTNERS
from tests.e2e.test_up_and_readme_walkthrough import Federation, _demo_data_reported, _wait_for

pytestmark = pytest.mark.e2e


@pytest.fixture
def federation(tmp_path: Path) -> Iterator[Federation]:
    running = Federation(tmp_path)
    yield running
    if running.process is not None and running.process.poll() is None:
        running.stop()


def test_up_shows_the_reports_and_the_partner_reads_its_anonymised_feed(federation: Federation) -> None:
    federation.start()
    up_file = federation.up_file()
    _wait_for(lambda: _demo_data_reported(up_file))
    reporting = up_file["reporting"]
    auth = {"Authorization": f"Bearer {reporting['token']}"}

    # The funder's report of Jette, in Dutch, with its charts and its target group.
    report = httpx.get(
        reporting["url"] + "/reports/antennes/jette", headers={**auth, "Accept-Language": "nl"}
    )
    # The coordinator's page, in French: every antenne side by side, its service up, the books balanced.
    overview = httpx.get(reporting["url"] + "/reports/federation?lang=fr", headers=auth, timeout=30)

    assert report.status_code == 200
    assert "Rapport voor Jette" in report.text
    assert report.text.count("<svg") == 3
    assert "Doel: 390 deelnemers" in report.text  # 15% of Jette's target group of 2600
    assert overview.status_code == 200
    for name in ("Neder-Over-Heembeek", "Jette", "Laken"):
        assert f">{name}</a>" in overview.text
    assert overview.text.count(">en marche<") == 3
    assert "<strong>équilibré</strong>" in overview.text

    # The partner reads its feed with its own credentials: the demo's help of last week, as pseudonyms.
    partner = DEMO_PARTNERS[0]
    env_file = federation.workdir / "var" / "credentials" / "env" / f"partner-{partner}.env"
    partner_url = env_file.read_text().split("PARTNER_NATS_URL=", 1)[1].strip()
    tail = subprocess.run(
        [
            str(Path(sys.executable).parent / "buurtpensioen"),
            "partner-tail",
            "--partner",
            partner,
            "--timeout",
            "12",
        ],
        env={**os.environ, "PARTNER_NATS_URL": partner_url},
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert tail.returncode == 0, tail.stderr
    assert " helped " in tail.stdout
    assert " closed: " in tail.stdout
    for member in ("Ahmed El Amrani", "Jeanine Dubois", "Luc Vermeulen"):
        assert member not in tail.stdout
