"""`buurtpensioen up` brings the federation up, and the README walk-through prints what the README shows."""

from __future__ import annotations

import json
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from services.local_federation.federation import ServiceAddress, SignInDetails, UpFile
from services.ports import free_port
from tests.e2e.reports_and_partner_feed import check_reports_and_partner_feed

pytestmark = pytest.mark.e2e

README = Path(__file__).parents[2] / "README.md"
READY_TIMEOUT = 90.0


def _readme_block(name: str) -> str:
    match = re.search(
        rf"<!-- {name}:start -->\n```\w*\n(.*?)```\n<!-- {name}:end -->", README.read_text(), re.S
    )
    assert match, f"README has no {name} block"
    return match.group(1)


def _consecutive_free_ports(count: int) -> int:
    for _ in range(50):
        base = free_port()
        if all(_is_free(base + i) for i in range(count)):
            return base
    raise RuntimeError("no run of free ports found")


def _is_free(port: int) -> bool:
    with socket.socket() as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


class Federation:
    """`buurtpensioen up` as a child process, in its own working directory."""

    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self.ports = {
            "nats": free_port(),
            "antenne": _consecutive_free_ports(3),
            "ledger": free_port(),
            "reporting": free_port(),
        }
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> float:
        """Start `up` and return the seconds until var/up.json was written and every service answered."""
        up_file = self.workdir / "var" / "up.json"
        up_file.unlink(missing_ok=True)
        command = [
            str(Path(sys.executable).parent / "buurtpensioen"), "up",
            "--nats-port", str(self.ports["nats"]),
            "--antenne-port", str(self.ports["antenne"]),
            "--ledger-port", str(self.ports["ledger"]),
            "--reporting-port", str(self.ports["reporting"]),
        ]  # fmt: skip
        started = time.monotonic()
        with (self.workdir / "up.out").open("ab") as out:
            self.process = subprocess.Popen(command, cwd=self.workdir, stdout=out, stderr=subprocess.STDOUT)
        while not up_file.exists():
            assert self.process.poll() is None, f"up exited:\n{self.output()}"
            assert time.monotonic() - started < READY_TIMEOUT, f"up not ready:\n{self.output()}"
            time.sleep(0.1)
        return time.monotonic() - started

    def up_file(self) -> UpFile:
        data: UpFile = json.loads((self.workdir / "var" / "up.json").read_text())
        return data

    def stop(self) -> int:
        """Ctrl-C, as a user would; return the exit code."""
        assert self.process is not None
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                return self.process.wait(30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
                raise
        return self.process.returncode

    def output(self) -> str:
        return (self.workdir / "up.out").read_text(errors="replace")


@pytest.fixture
def federation(tmp_path: Path) -> Iterator[Federation]:
    running = Federation(tmp_path)
    yield running
    if running.process is not None and running.process.poll() is None:
        running.stop()


def _get(service: ServiceAddress, path: str) -> Any:
    response = httpx.get(service["url"] + path, headers={"Authorization": f"Bearer {service['token']}"})
    response.raise_for_status()
    return response.json()


def _summary(up_file: UpFile) -> dict[str, dict[str, int]]:
    summary: dict[str, dict[str, int]] = _get(up_file["reporting"], "/api/v1/reports/summary")["antennes"]
    return summary


def _demo_data_reported(up_file: UpFile) -> bool:
    summary = _summary(up_file)
    return len(summary) == 3 and all(antenne["members"] == 3 for antenne in summary.values())


def _sign_in_to_the_desk(sign_in: SignInDetails) -> None:
    with httpx.Client(timeout=10) as browser:
        form = browser.get(sign_in["url"]).text
        csrf = re.search(r'name="csrf" value="([^"]+)"', form)
        assert csrf, form
        fields = {"username": sign_in["username"], "password": sign_in["password"], "csrf": csrf.group(1)}
        desk = browser.post(sign_in["url"], data=fields, follow_redirects=True)
        assert desk.status_code == 200
        assert "Permanentie van" in desk.text


def _wait_for(condition: Callable[[], bool], timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.1)


def test_up_serves_the_readme_walkthrough_and_keeps_its_state_across_a_restart(
    federation: Federation,
) -> None:
    # Up, with demo data in three antennes.
    seconds = federation.start()
    print(f"buurtpensioen up became ready in {seconds:.1f} s")
    up_file = federation.up_file()
    assert set(up_file["antennes"]) == {"neder-over-heembeek", "jette", "laken"}
    assert set(up_file) == {"antennes", "ledger", "reporting", "nats", "partners", "roles"}
    assert set(up_file["partners"]) == {"bras-dessus"}
    assert {"project-coordinator", "jette/local-lead", "laken/coordinator"} <= set(up_file["roles"])
    _wait_for(lambda: _demo_data_reported(up_file))

    # The reports show the demo data; Bras dessus Bras dessous reads its anonymised feed.
    check_reports_and_partner_feed(federation, up_file)

    # The README walk-through prints exactly what the README says it prints.
    result = subprocess.run(
        ["bash", "-euo", "pipefail", "-c", _readme_block("walkthrough")],
        cwd=federation.workdir,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == _readme_block("walkthrough-output")

    # A newcomer signs in to each antenne's pages with the demo coordinator printed by `up`.
    for antenne in up_file["antennes"].values():
        _sign_in_to_the_desk(antenne["coordinator"])
    assert "user coordinator" in federation.output()

    # Each antenne, with its own NATS user, receives the ledger's balances of its members (decision 0010).
    def feedback_arrived() -> bool:
        views = [_get(antenne, "/healthz")["ledger"] for antenne in up_file["antennes"].values()]
        return all(view["accounts"] > 0 and view["position"] is not None for view in views)

    _wait_for(feedback_arrived, 30)

    # Ctrl-C stops everything cleanly.
    assert federation.stop() == 0
    assert "Stopped" in federation.output()

    # A restart keeps stores, tokens and positions, and does not enter the demo data twice.
    federation.start()
    assert federation.up_file() == up_file
    _wait_for(lambda: _summary(up_file).get("jette", {}).get("members") == 5)
    summary = _summary(up_file)
    assert summary["jette"]["quarters_confirmed"] == 6 + 4 + 5
    assert summary["laken"]["members"] == 3 + 1  # Anna moved there in the walk-through
    audit = _get(up_file["ledger"], "/api/v1/audit")
    assert audit["balanced"] is True
