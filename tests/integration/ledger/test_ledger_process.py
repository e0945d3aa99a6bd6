"""The ledger as its own process, killed with SIGKILL mid-stream and restarted: every event counts once."""

from __future__ import annotations

import asyncio
import os
import random
import signal
import subprocess
import sys
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

import httpx
import pytest

from contracts.envelope import Envelope
from services.ledger.api import AuditReport
from services.ledger.application import Audit, Ledger
from services.messaging.nats_server import NatsServer
from services.persistence import eventsourcing_env
from services.ports import free_port
from tests.integration.ledger.relay import Relay
from tests.unit.ledger.antenne_events import AntenneEvents

pytestmark = pytest.mark.integration

TOKEN = "ledger-process-" + uuid4().hex


class LedgerProcess:
    """`python -m services.ledger serve` on a free loopback port, its output in a log file."""

    def __init__(self, nats_url: str, database_url: str, log_file: Path) -> None:
        self.nats_url, self.database_url, self.log_file = nats_url, database_url, log_file
        self.url = ""
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        port = free_port()
        self.url = f"http://127.0.0.1:{port}"
        command = [
            sys.executable, "-m", "services.ledger", "serve",
            "--database-url", self.database_url, "--nats-url", self.nats_url,
            "--host", "127.0.0.1", "--port", str(port),
        ]  # fmt: skip
        with self.log_file.open("ab") as log:
            # Small transactions (20 events), so that the kill below lands in the middle of the stream.
            env = {**os.environ, "LEDGER_TOKEN": TOKEN, "LEDGER_BATCH": "20"}
            self.process = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
        _wait_for(lambda: self._answers("/healthz"), 30, self.log_tail)

    def get(self, path: str) -> Any:
        response = httpx.get(self.url + path, headers={"Authorization": f"Bearer {TOKEN}"}, timeout=5)
        response.raise_for_status()
        return response.json()

    def audit(self) -> AuditReport:
        return AuditReport.model_validate(self.get("/api/v1/audit"))

    def consumer(self) -> Any:
        return self.get("/healthz")["consumer"]

    def kill(self) -> None:
        """SIGKILL: no shutdown, no acknowledgement of what was in hand."""
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(10)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def log_tail(self) -> str:
        return "\n".join(self.log_file.read_text(errors="replace").splitlines()[-30:])

    def _answers(self, path: str) -> bool:
        assert self.process is not None
        assert self.process.poll() is None, f"the ledger exited:\n{self.log_tail()}"
        try:
            return httpx.get(self.url + path, timeout=1).status_code == 200
        except httpx.TransportError:
            return False


def _wait_for(condition: Callable[[], bool], timeout: float, explain: Callable[[], str]) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"not reached in {timeout:.0f}s:\n{explain()}"
        time.sleep(0.02)


@pytest.fixture
def ledger_process(nats_server: NatsServer, database_url: str, tmp_path: Path) -> Iterator[LedgerProcess]:
    process = LedgerProcess(nats_server.url, database_url, tmp_path / "ledger.log")
    yield process
    process.stop()


@dataclass
class Traffic:
    """What two busy antennes published, interleaved, and what the books must show afterwards."""

    envelopes: list[Envelope]
    balances: dict[UUID, int]
    confirmed_quarters: int

    @classmethod
    def of(cls, exchanges: int) -> Traffic:
        """40 registrations, then exchanges between random members, some across the two antennes."""
        rng = random.Random(7)
        antennes = [AntenneEvents("jette", burnt_ids=frozenset({10, 11, 300})), AntenneEvents("laken")]
        members = [(antennes[i % 2], antennes[i % 2].register().aggregateid) for i in range(40)]
        balances: dict[UUID, int] = defaultdict(int)
        confirmed = 0
        for _ in range(exchanges):
            (antenne, helper), (_, recipient) = rng.sample(members, 2)
            quarters = rng.randint(1, 16)
            antenne.exchange(helper, recipient, quarters)
            balances[helper] += quarters
            balances[recipient] -= quarters
            confirmed += quarters
        jette, laken = (antenne.published for antenne in antennes)
        interleaved = [envelope for pair in zip(jette, laken, strict=False) for envelope in pair]
        interleaved += jette[len(laken) :] + laken[len(jette) :]
        return cls(interleaved, balances, confirmed)

    def intake(self) -> dict[str, tuple[int, int]]:
        """Antenne -> (events it sent, its last position)."""
        return {
            antenne: (
                sum(1 for envelope in self.envelopes if envelope.antenneid == antenne),
                max(envelope.position for envelope in self.envelopes if envelope.antenneid == antenne),
            )
            for antenne in ("jette", "laken")
        }


async def _publish(nats_url: str, envelopes: list[Envelope]) -> None:
    relay = await Relay.connect(nats_url)
    await relay.publish(*envelopes)
    await relay.close()


def _events_applied(audit: Audit | AuditReport) -> int:
    return sum(intake.events_applied for intake in audit.antennes.values())


def test_a_ledger_killed_mid_stream_and_restarted_applies_every_event_exactly_once(
    nats_server: NatsServer, database_url: str, ledger_process: LedgerProcess
) -> None:
    traffic = Traffic.of(exchanges=480)
    assert len(traffic.envelopes) == 1000
    asyncio.run(_publish(nats_server.url, traffic.envelopes[:700]))

    # Kill the ledger while it works through the stream.
    ledger_process.start()
    _wait_for(lambda: ledger_process.consumer()["applied"] >= 150, 30, ledger_process.log_tail)
    ledger_process.kill()
    with Ledger(env=eventsourcing_env(database_url)) as books:
        committed_before_kill = _events_applied(books.audit())

    # The antennes go on publishing while it is down; then it comes back.
    asyncio.run(_publish(nats_server.url, traffic.envelopes[700:]))
    restarted = time.monotonic()
    ledger_process.start()
    _wait_for(lambda: _events_applied(ledger_process.audit()) == 1000, 30, ledger_process.log_tail)
    print(f"killed after {committed_before_kill} events; the rest took {time.monotonic() - restarted:.1f} s")
    audit = ledger_process.audit()

    assert 150 <= committed_before_kill < 700
    assert audit.consumer.applied == 1000 - committed_before_kill
    assert audit.balanced
    assert (audit.accounts, audit.sum_of_accounts) == (40, 0)
    assert audit.credited_by_exchanges == audit.confirmed_quarters == traffic.confirmed_quarters
    intake = {antenne: (a.events_applied, a.last_position) for antenne, a in audit.antennes.items()}
    assert intake == traffic.intake()
    for member_id, quarters in traffic.balances.items():
        assert ledger_process.get(f"/api/v1/balances/{member_id}")["quarters"] == quarters
