"""JSON logs (BP_LOG_FORMAT=json) of an antenne and the ledger as processes: event and trace ids, no names."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

import httpx
import pytest

from services.local_federation.processes import ServiceProcess
from services.ports import free_port
from tests.support.dates import RECENT_ISO

if TYPE_CHECKING:
    from pathlib import Path

    from services.messaging.nats_server import NatsServer

pytestmark = pytest.mark.integration

TOKEN = "logs-test-token-0123456789"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736"
TRACEPARENT = f"00-{TRACE_ID}-00f067aa0ba902b7-01"
# Personal data that must stay in the antenne's store, never in a log line.
NAMES = ("Wilhelmina Vanderstraeten-Ouédraogo", "Théophile Bruggeman")


def _wait_for(condition: Callable[[], bool], timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.1)


@pytest.fixture
def services(nats_server: NatsServer, tmp_path: Path) -> Iterator[tuple[ServiceProcess, ServiceProcess]]:
    """An antenne (SQLite) and the ledger, each a process logging JSON to its own file."""
    antenne_port, ledger_port = free_port(), free_port()
    common = ["--nats-url", nats_server.url, "--host", "127.0.0.1"]
    antenne = ServiceProcess(
        name="antenne jette",
        module="services.antenne",
        args=[
            "serve",
            "--antenne-id",
            "jette",
            "--port",
            str(antenne_port),
            "--database-url",
            f"sqlite:///{tmp_path / 'jette.db'}",
            *common,
        ],
        env={"ANTENNE_TOKEN": TOKEN, "BP_LOG_FORMAT": "json"},
        health_url=f"http://127.0.0.1:{antenne_port}/healthz",
        log_file=tmp_path / "jette.log",
    )
    ledger = ServiceProcess(
        name="ledger", module="services.ledger",
        args=["serve", "--port", str(ledger_port), "--database-url", f"sqlite:///{tmp_path / 'ledger.db'}",
              *common],
        env={"LEDGER_TOKEN": TOKEN, "BP_LOG_FORMAT": "json"},
        health_url=f"http://127.0.0.1:{ledger_port}/healthz", log_file=tmp_path / "ledger.log",
    )  # fmt: skip
    try:
        for process in (antenne, ledger):
            process.start()
        for process in (antenne, ledger):
            process.wait_healthy(timeout=60)
        yield antenne, ledger
    finally:
        for process in (ledger, antenne):
            process.stop()


def _lines(process: ServiceProcess) -> list[dict[str, Any]]:
    return [json.loads(line) for line in process.log_file.read_text().splitlines() if line.strip()]


def test_json_logs_carry_the_event_and_trace_ids_from_antenne_request_to_ledger_and_never_a_name(
    services: tuple[ServiceProcess, ServiceProcess],
) -> None:
    antenne, ledger = services
    base = antenne.health_url.removesuffix("/healthz")

    # Two members with distinctive names, an exchange recorded and confirmed.
    with httpx.Client(base_url=base, headers=AUTH, timeout=10) as client:
        helper, recipient = (
            client.post("/api/v1/members", json={"display_name": name}).json()["member_id"] for name in NAMES
        )
        exchange = client.post("/api/v1/exchanges", json={
            "helper_id": helper, "recipient_id": recipient, "quarters": 3, "category": "company",
            "performed_on": RECENT_ISO,
        }).json()["exchange_id"]  # fmt: skip
        # The confirmation comes with the trace context of whoever called the antenne.
        confirmed = client.post(f"/api/v1/exchanges/{exchange}/confirm", headers={"traceparent": TRACEPARENT})
        assert confirmed.status_code == 200
        assert confirmed.headers["traceparent"].startswith(f"00-{TRACE_ID}-")

    # The ledger logs the confirmation it applied.
    def ledger_applied_the_confirmation() -> bool:
        return any("applied exchange.confirmed" in line["message"] for line in _lines(ledger))

    _wait_for(ledger_applied_the_confirmation)

    # Every line of both services is one JSON object with its service.
    antenne_lines, ledger_lines = _lines(antenne), _lines(ledger)
    assert {line["service"] for line in antenne_lines} == {"antenne"}
    assert {line["service"] for line in ledger_lines} == {"ledger"}

    # Lines about an event carry the antenne, correlation and event ids and the position.
    published = [line for line in antenne_lines if line["message"].startswith("published exchange.confirmed")]
    (applied,) = [line for line in ledger_lines if line["message"].startswith("applied exchange.confirmed")]
    assert len(published) == 1
    for line in (published[0], applied):
        assert line["antenne_id"] == "jette"
        assert {"correlation_id", "event_id", "position"} <= line.keys()
    assert applied["event_id"] == published[0]["event_id"]
    assert applied["correlation_id"] == published[0]["correlation_id"]

    # The request's trace id followed the event: antenne request, relay publish, ledger apply.
    assert published[0]["trace_id"] == TRACE_ID
    assert applied["trace_id"] == TRACE_ID
    assert any(line.get("trace_id") == TRACE_ID and "confirm" in line["message"] for line in antenne_lines)

    # No name, nor part of one, in any log line.
    logs = antenne.log_file.read_text() + ledger.log_file.read_text()
    for name in NAMES:
        for part in name.replace("-", " ").split():
            assert part not in logs
