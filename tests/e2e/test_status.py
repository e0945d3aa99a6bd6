"""`buurtpensioen status` against a running federation: all well, then one antenne stopped."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.test_up_and_readme_walkthrough import Federation, _demo_data_reported, _wait_for

pytestmark = pytest.mark.e2e

BUURTPENSIOEN = str(Path(sys.executable).parent / "buurtpensioen")


@pytest.fixture
def federation(tmp_path: Path) -> Iterator[Federation]:
    running = Federation(tmp_path)
    yield running
    if running.process is not None and running.process.poll() is None:
        running.stop()


def _status(workdir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [BUURTPENSIOEN, "status", *args], cwd=workdir, capture_output=True, text=True, timeout=60
    )


def _children_running(parent: int, needle: str) -> list[int]:
    """Pids of the processes whose parent is `parent` and whose command line contains `needle`."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        if int(stat.rpartition(")")[2].split()[1]) == parent and needle in command:
            found.append(int(entry.name))
    return found


def _all_caught_up(workdir: Path) -> bool:
    result = _status(workdir, "--json")
    body: dict[str, Any] = json.loads(result.stdout)
    return result.returncode == 0 and all(
        antenne["ledger"]["caught_up"] and antenne["reporting"]["caught_up"] for antenne in body["antennes"]
    )


def _ledger_views_received(workdir: Path) -> bool:
    body = json.loads(_status(workdir, "--json").stdout)
    return all(a["ledger_view_connected"] and a["ledger_view_as_of"] for a in body["antennes"])


def test_status_says_all_is_well_then_names_the_stopped_antenne_and_exits_non_zero(
    federation: Federation,
) -> None:
    # A federation with demo data in three antennes.
    federation.start()
    up_file = federation.up_file()
    _wait_for(lambda: _demo_data_reported(up_file), timeout=30)

    # Every antenne's events reached the ledger and reporting: exit 0, a readable table.
    _wait_for(lambda: _all_caught_up(federation.workdir), timeout=30)
    result = _status(federation.workdir)
    print(result.stdout)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "OK: every antenne is up" in result.stdout
    assert "ledger audit: balanced" in result.stdout
    assert "dead-letter stream: 0 message(s)" in result.stdout
    body = json.loads(_status(federation.workdir, "--json").stdout)
    assert {a["antenne_id"] for a in body["antennes"]} == {"neder-over-heembeek", "jette", "laken"}
    assert all(a["relay_connected"] and a["backlog"] == 0 for a in body["antennes"])
    assert all(a["events_stored"] >= a["relay_position"] for a in body["antennes"])
    assert all(a["ledger"]["last_applied_at"] is not None for a in body["antennes"])
    assert body["ledger"]["stream"]["found"]
    assert body["ledger"]["stream"]["num_pending"] == 0
    # The ledger's balances came back to each antenne, whose last known view is shown with its age.
    _wait_for(lambda: _ledger_views_received(federation.workdir), timeout=30)
    assert "as of " in _status(federation.workdir).stdout

    # Laken's process stops answering (SIGSTOP: `up` would restart a process that exits).
    assert federation.process is not None
    (laken,) = _children_running(federation.process.pid, "--antenne-id laken")
    os.kill(laken, signal.SIGSTOP)
    try:
        result = _status(federation.workdir, "--html", "status.html")
        json_result = _status(federation.workdir, "--json")
    finally:
        os.kill(laken, signal.SIGCONT)

    # Status names it and exits non-zero; the other antennes are still fine.
    assert result.returncode == 1, result.stdout
    assert "antenne laken is down" in result.stdout
    page = (federation.workdir / "status.html").read_text()
    assert "<td>laken</td><td>DOWN</td>" in page
    assert "antenne laken is down" in page
    problems = json.loads(json_result.stdout)["problems"]
    assert json_result.returncode == 1
    assert len(problems) == 1
    assert problems[0].startswith("antenne laken is down")
