"""What `buurtpensioen up` shows of reporting on its demo data: the report pages and the feed of Bras dessus
Bras dessous. Checked within the run of `up` of test_up_and_readme_walkthrough, which
starts the federation once for both."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import httpx

from services.local_federation.federation import DEMO_PARTNERS, UpFile

if TYPE_CHECKING:
    from tests.e2e.test_up_and_readme_walkthrough import Federation


def check_reports_and_partner_feed(federation: Federation, up_file: UpFile) -> None:
    """The report pages answer on the demo data, and the partner reads its anonymised feed."""
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
            # Each antenne's two demo exchanges of last week or the week before, and a week closed.
            "--count",
            "7",
            "--timeout",
            "30",
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
