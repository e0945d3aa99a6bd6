"""Debian's Chromium driven by Playwright against real antenne processes; axe-core checks every page.

Chromium is launched by path (never downloaded); axe-core comes from the npm registry into .cache/npm
(`scripts/test` installs both). Without them these tests skip, unless BP_BROWSER_REQUIRED=1 (set by
`scripts/test`), where they fail. Screenshots and the accessibility results go to test-artifacts/.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, Playwright, sync_playwright

from services.ports import free_port, wait_until_listening

ROOT = Path(__file__).parents[2]
CHROMIUM = Path("/usr/bin/chromium")
AXE = ROOT / ".cache" / "npm" / "node_modules" / "axe-core" / "axe.min.js"
ARTIFACTS = ROOT / "test-artifacts"
SCREENSHOTS = ARTIFACTS / "screenshots"
CHROMIUM_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip
# WCAG 2.0 and 2.1, levels A and AA, and axe's best practices.
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]
FAILING_IMPACTS = {"serious", "critical"}
GREEN_SECONDS = 20.0


def _missing() -> str | None:
    if not CHROMIUM.exists():
        return f"{CHROMIUM} is missing (apt-get install chromium)"
    if not AXE.exists():
        return f"{AXE} is missing (npm install --prefix .cache/npm axe-core@4)"
    return None


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    missing = _missing()
    for item in items:
        if "tests/browser" in str(item.path):
            item.add_marker(pytest.mark.browser)
            if missing and os.environ.get("BP_BROWSER_REQUIRED") != "1":
                item.add_marker(pytest.mark.skip(reason=missing))


@dataclass
class Antenne:
    """An antenne service process on loopback, with a coordinator account made by the CLI."""

    url: str
    username: str
    password: str
    database_url: str
    process: subprocess.Popen[bytes]
    log: Path


def _start_antenne(folder: Path, *, relay: bool) -> Antenne:
    folder.mkdir(parents=True, exist_ok=True)
    database_url = f"sqlite:///{folder / 'jette.db'}"
    env = {**os.environ, "ANTENNE_ANTENNE_ID": "jette", "ANTENNE_DATABASE_URL": database_url,
           "ANTENNE_TOKEN": "browser-tests-token-0123456789",
           # Nothing listens there: the relay fails to reach the centre, as when the network is down.
           "ANTENNE_NATS_URL": f"nats://127.0.0.1:{free_port()}",
           "ANTENNE_REPORTING_URL": "http://127.0.0.1:9/"}  # fmt: skip
    added = subprocess.run(
        [sys.executable, "-m", "services.antenne", "add-coordinator", "--username", "anna", "--name", "Anna",
         "--generate"],
        env=env, capture_output=True, text=True, check=True, timeout=60,
    )  # fmt: skip
    password = re.search(r"password: (\S+)", added.stdout)
    assert password, added.stdout
    port = free_port()
    log = folder / "antenne.log"
    with log.open("wb") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "services.antenne", "serve", "--name", "Jette", "--port", str(port),
             "--relay" if relay else "--no-relay"],
            env=env, stdout=output, stderr=subprocess.STDOUT,
        )  # fmt: skip
    wait_until_listening("127.0.0.1", port, timeout=30)
    return Antenne(f"http://127.0.0.1:{port}", "anna", password.group(1), database_url, process, log)


def _stop(antenne: Antenne) -> None:
    antenne.process.terminate()
    try:
        antenne.process.wait(15)
    except subprocess.TimeoutExpired:
        antenne.process.kill()
        antenne.process.wait()


@pytest.fixture(scope="package")
def antenne(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Antenne]:
    """One antenne for the flows (its relay off: no notice)."""
    running = _start_antenne(tmp_path_factory.mktemp("antenne"), relay=False)
    yield running
    _stop(running)


@pytest.fixture(scope="package")
def cut_off_antenne(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Antenne]:
    """An antenne whose relay cannot reach the central NATS."""
    running = _start_antenne(tmp_path_factory.mktemp("cut-off"), relay=True)
    yield running
    _stop(running)


@pytest.fixture(scope="package")
def playwright() -> Iterator[Playwright]:
    # Sync Playwright runs an event loop in this thread while it lives: it must end with this package,
    # or every later test that calls asyncio.run() fails.
    with sync_playwright() as running:
        yield running


@pytest.fixture(scope="package")
def browser(playwright: Playwright) -> Iterator[Browser]:
    launched = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_FLAGS)
    yield launched
    launched.close()


@dataclass
class Checks:
    """Screenshots and axe-core results of every page a test visits."""

    axe_source: str
    results: dict[str, dict[str, Any]] = field(default_factory=dict)

    def page(self, page: Page, name: str) -> None:
        """Screenshot the page, run axe-core on it, and fail on serious or critical violations."""
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)
        page.add_script_tag(content=self.axe_source)
        report = page.evaluate(
            "async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags}})", AXE_TAGS
        )
        violations = [
            {"id": v["id"], "impact": v["impact"], "help": v["help"],
             "targets": [n["target"] for n in v["nodes"]][:5]}
            for v in report["violations"]
        ]  # fmt: skip
        self.results[name] = {"url": page.url, "passes": len(report["passes"]), "violations": violations}
        failing = [v for v in violations if v["impact"] in FAILING_IMPACTS]
        assert failing == [], f"{name}: {failing}"


@pytest.fixture(scope="package")
def checks() -> Iterator[Checks]:
    collected = Checks(AXE.read_text())
    yield collected
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    summary = ARTIFACTS / "axe-results.json"
    earlier = json.loads(summary.read_text()) if summary.exists() else {}
    summary.write_text(json.dumps({**earlier, **collected.results}, indent=2) + "\n")


@pytest.fixture
def page(browser: Browser, request: pytest.FixtureRequest) -> Iterator[Page]:
    """A fresh browser profile (no cookies) on a tablet-sized screen, in Belgium in the test's language."""
    callspec = getattr(request.node, "callspec", None)
    lang = callspec.params.get("lang", "nl") if callspec else "nl"
    context = browser.new_context(viewport={"width": 1024, "height": 768}, locale=f"{lang}-BE")
    context.set_default_timeout(GREEN_SECONDS * 1000)
    opened = context.new_page()
    yield opened
    context.close()
