"""The restore drill: a store destroyed, yesterday's backup restored, the events after it found and fenced."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx
import pytest

from services.local_federation.processes import ServiceProcess
from services.ports import free_port
from tests.support.dates import RECENT_ISO

if TYPE_CHECKING:
    from services.messaging.nats_server import NatsServer

pytestmark = pytest.mark.integration

TOKEN = "drill-test-token-0123456789"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
BUURTPENSIOEN = str(Path(sys.executable).parent / "buurtpensioen")


def _wait_for(condition: Callable[[], bool], timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.1)


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([BUURTPENSIOEN, *args], capture_output=True, text=True, timeout=120)


@dataclass
class Drill:
    """One antenne (jette) and the ledger as processes, on a real nats-server."""

    nats_url: str
    workdir: Path
    ledger: ServiceProcess
    antenne_port: int
    antenne: ServiceProcess | None = None

    def start_antenne(self, store: Path) -> None:
        self.antenne = ServiceProcess(
            name="antenne jette", module="services.antenne",
            args=["serve", "--antenne-id", "jette", "--port", str(self.antenne_port), "--database-url",
                  f"sqlite:///{store}", "--nats-url", self.nats_url],
            env={"ANTENNE_TOKEN": TOKEN},
            health_url=f"http://127.0.0.1:{self.antenne_port}/healthz", log_file=self.workdir / "jette.log",
        )  # fmt: skip
        self.antenne.start()
        self.antenne.wait_healthy(timeout=60)

    def stop_antenne(self) -> None:
        assert self.antenne is not None
        self.antenne.stop()

    def client(self) -> httpx.Client:
        return httpx.Client(base_url=f"http://127.0.0.1:{self.antenne_port}", headers=AUTH, timeout=10)

    def audit(self) -> dict[str, Any]:
        url = self.ledger.health_url.removesuffix("/healthz") + "/api/v1/audit"
        body: dict[str, Any] = httpx.get(url, headers=AUTH, timeout=10).json()
        return body

    def status(self) -> subprocess.CompletedProcess[str]:
        return _run(
            "status", "--json", "--antenne", f"jette=http://127.0.0.1:{self.antenne_port}",
            "--ledger-url", self.ledger.health_url.removesuffix("/healthz"), "--ledger-token", TOKEN,
            "--nats-url", self.nats_url,
        )  # fmt: skip

    def ledger_caught_up(self) -> bool:
        relay = httpx.get(f"http://127.0.0.1:{self.antenne_port}/healthz", timeout=10).json()["relay"]
        held = self.audit()["antennes"].get("jette", {}).get("last_position")
        return relay["backlog"] == 0 and relay["position"] is not None and held == relay["position"]


@pytest.fixture
def drill(nats_server: NatsServer, tmp_path: Path) -> Iterator[Drill]:
    ledger_port = free_port()
    ledger = ServiceProcess(
        name="ledger", module="services.ledger",
        args=["serve", "--port", str(ledger_port), "--database-url", f"sqlite:///{tmp_path / 'ledger.db'}",
              "--nats-url", nats_server.url],
        env={"LEDGER_TOKEN": TOKEN},
        health_url=f"http://127.0.0.1:{ledger_port}/healthz", log_file=tmp_path / "ledger.log",
    )  # fmt: skip
    running = Drill(nats_server.url, tmp_path, ledger, free_port())
    ledger.start()
    try:
        ledger.wait_healthy(timeout=60)
        yield running
    finally:
        if running.antenne is not None:
            running.antenne.stop()
        ledger.stop()


def _member(client: httpx.Client, name: str) -> str:
    member_id: str = client.post("/api/v1/members", json={"display_name": name}).json()["member_id"]
    return member_id


def _confirmed_exchange(client: httpx.Client, helper: str, recipient: str, quarters: int) -> None:
    body = {"helper_id": helper, "recipient_id": recipient, "quarters": quarters, "category": "company",
            "performed_on": RECENT_ISO}  # fmt: skip
    exchange = client.post("/api/v1/exchanges", json=body).json()["exchange_id"]
    assert client.post(f"/api/v1/exchanges/{exchange}/confirm").status_code == 200


def test_a_destroyed_store_is_restored_from_an_older_backup_and_the_events_after_it_are_flagged_and_fenced(
    drill: Drill,
) -> None:
    store = drill.workdir / "jette.db"
    backup_file = drill.workdir / "backups" / "jette-yesterday.db"
    drill.start_antenne(store)

    # Yesterday: Anna and Bert, one confirmed hour; the ledger has it all; a backup is taken while running.
    with drill.client() as client:
        anna, bert = _member(client, "Anna"), _member(client, "Bert")
        _confirmed_exchange(client, bert, anna, 4)
    _wait_for(drill.ledger_caught_up)
    taken = _run("backup", "--database-url", f"sqlite:///{store}", "--to", str(backup_file))
    assert taken.returncode == 0, taken.stderr
    assert "events up to position" in taken.stdout

    # Today: Carla signs up and Bert helps her 3 quarters; the ledger takes it in.
    with drill.client() as client:
        carla = _member(client, "Carla")
        _confirmed_exchange(client, bert, carla, 3)
    _wait_for(drill.ledger_caught_up)
    centre_position = drill.audit()["antennes"]["jette"]["last_position"]

    # The disk is lost.
    drill.stop_antenne()
    for path in drill.workdir.glob("jette.db*"):
        path.unlink()
    drill_started = time.monotonic()

    # A naive restore (no fence): status sees the ledger ahead of the store and exits 1.
    naive = drill.workdir / "naive" / "jette.db"
    restored = _run(
        "restore", "--from", str(backup_file), "--database-url", f"sqlite:///{naive}", "--no-fence"
    )
    assert restored.returncode == 0, restored.stderr
    drill.start_antenne(naive)
    status = drill.status()
    assert status.returncode == 1
    (problem,) = json.loads(status.stdout)["problems"]
    assert f"the ledger holds events up to position {centre_position}" in problem
    drill.stop_antenne()

    # The drill: restore on a new path, list what reached the centre after the backup, fence the log.
    restore_started = time.monotonic()
    new_store = drill.workdir / "new-disk" / "jette.db"
    restored = _run(
        "restore", "--from", str(backup_file), "--database-url", f"sqlite:///{new_store}",
        "--antenne-id", "jette", "--nats-url", drill.nats_url,
    )  # fmt: skip
    restore_seconds = time.monotonic() - restore_started
    assert restored.returncode == 0, restored.stderr
    print(restored.stdout)
    assert "3 event(s) reached the centre after this backup" in restored.stdout
    for lost in ("member.registered", "exchange.recorded", "exchange.confirmed"):
        assert lost in restored.stdout
    assert f"log fenced at position {centre_position}" in restored.stdout
    drill.start_antenne(new_store)

    # The restored antenne works on: its next exchange reaches the ledger (not dropped as a duplicate).
    with drill.client() as client:
        _confirmed_exchange(client, anna, bert, 2)
    _wait_for(drill.ledger_caught_up)
    status = drill.status()
    drill_seconds = time.monotonic() - drill_started
    assert status.returncode == 0, status.stdout
    audit = drill.audit()
    assert audit["balanced"] is True
    # The ledger kept Carla's hour (it happened) and took in the new one: 4 + 3 + 2 quarters.
    assert audit["confirmed_quarters"] == 9
    print(f"restore drill: restore command {restore_seconds:.2f} s, whole drill {drill_seconds:.1f} s")

    # The streams can be rebuilt from the restored store, fence included: the centre changes nothing.
    republished = _run(
        "antenne", "republish", "--antenne-id", "jette", "--database-url", f"sqlite:///{new_store}",
        "--nats-url", drill.nats_url, "--from", "1",
    )  # fmt: skip
    assert republished.returncode == 0, republished.stderr
    _wait_for(drill.ledger_caught_up)
    assert drill.audit()["confirmed_quarters"] == 9
