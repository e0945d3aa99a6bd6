"""Every service's `GET /metrics`, scraped and parsed while a real relay and real consumers run."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from typing import TYPE_CHECKING

import pytest
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families

from services.antenne.main import create_app as create_antenne
from services.antenne.settings import Settings as AntenneSettings
from services.ledger.main import create_app as create_ledger
from services.ledger.settings import Settings as LedgerSettings
from services.reporting.main import create_app as create_reporting
from services.reporting.settings import Settings as ReportingSettings
from tests.support.dates import RECENT_ISO

if TYPE_CHECKING:
    from services.messaging.nats_server import NatsServer

pytestmark = pytest.mark.integration

TOKEN = "metrics-test-token-0123456789"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


def _scrape(client: TestClient) -> Samples:
    response = client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(response.text)
        for sample in family.samples
    }


def _value(samples: Samples, name: str, **labels: str) -> float:
    return samples.get((name, frozenset(labels.items())), 0.0)


def _wait_for(condition: Callable[[], bool], timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.1)


@pytest.fixture
def federation(nats_server: NatsServer) -> Iterator[tuple[TestClient, TestClient, TestClient]]:
    """An antenne, the ledger and reporting in this process, on one real nats-server."""
    url = nats_server.url
    with ExitStack() as stack:
        antenne = stack.enter_context(
            TestClient(
                create_antenne(
                    AntenneSettings(antenne_id="jette", database_url="memory:", nats_url=url, token=TOKEN)
                )
            )
        )
        ledger = stack.enter_context(
            TestClient(create_ledger(LedgerSettings(database_url="memory:", nats_url=url, token=TOKEN)))
        )
        reporting = stack.enter_context(TestClient(create_reporting(
            ReportingSettings(database_url="memory:", nats_url=url, token=TOKEN)
        )))  # fmt: skip
        yield antenne, ledger, reporting


def test_metrics_count_requests_events_relay_consumers_and_ledger_postings(
    federation: tuple[TestClient, TestClient, TestClient],
) -> None:
    antenne, ledger, reporting = federation

    # Two members and one confirmed exchange of 5 quarters at Jette.
    members = [
        antenne.post("/api/v1/members", json={"display_name": name}, headers=AUTH).json()["member_id"]
        for name in ("Anna", "Bert")
    ]
    exchange = antenne.post(
        "/api/v1/exchanges",
        json={"helper_id": members[1], "recipient_id": members[0], "quarters": 5,
              "category": "transport", "performed_on": RECENT_ISO},
        headers=AUTH,
    ).json()["exchange_id"]  # fmt: skip
    assert antenne.post(f"/api/v1/exchanges/{exchange}/confirm", headers=AUTH).status_code == 200

    # The antenne: requests per route template, events stored, relay caught up.
    _wait_for(lambda: _value(_scrape(antenne), "bp_relay_backlog", antenne="jette") == 0)
    _wait_for(lambda: _value(_scrape(antenne), "bp_relay_events_published_total", antenne="jette") == 4)
    samples = _scrape(antenne)
    posted = {"service": "antenne", "method": "POST", "route": "/api/v1/members", "status": "201"}
    assert _value(samples, "bp_http_requests_total", **posted) == 2
    latency = {"service": "antenne", "method": "POST", "route": "/api/v1/members"}
    assert _value(samples, "bp_http_request_duration_seconds_count", **latency) == 2
    stored = _value(samples, "bp_antenne_events_stored", antenne="jette")
    assert stored >= 4
    relayed = _value(samples, "bp_relay_position", antenne="jette")
    assert 4 <= relayed <= stored
    assert _value(samples, "bp_relay_connected", antenne="jette") == 1
    assert _value(samples, "bp_relay_publish_errors_total", antenne="jette") == 0

    # The ledger: every event applied, two postings for the exchange, the books balanced, no lag.
    def ledger_applied() -> float:
        return sum(
            value for (name, labels), value in _scrape(ledger).items()
            if name == "bp_consumer_events_applied_total" and ("antenne", "jette") in labels
        )  # fmt: skip

    _wait_for(lambda: ledger_applied() == 4)
    samples = _scrape(ledger)
    confirmed = {"service": "ledger", "antenne": "jette", "type": "exchange.confirmed"}
    assert _value(samples, "bp_consumer_events_applied_total", **confirmed) == 1
    assert _value(samples, "bp_ledger_postings_total", antenne="jette") == 2
    assert _value(samples, "bp_ledger_quarters_posted_total", antenne="jette") == 5
    assert _value(samples, "bp_ledger_balanced") == 1
    assert _value(samples, "bp_ledger_overdraft_flags", antenne="jette") == 0  # within the limit
    assert _value(samples, "bp_consumer_connected", service="ledger") == 1
    assert _value(samples, "bp_consumer_pending_messages", service="ledger") == 0
    assert ("bp_consumer_redelivered_messages", frozenset({("service", "ledger")})) in samples
    assert _value(samples, "bp_consumer_position", service="ledger", antenne="jette") == relayed
    jette = {"service": "ledger", "antenne": "jette"}
    assert _value(samples, "bp_consumer_last_applied_timestamp_seconds", **jette) > 0

    # The ledger's decisions go back to the antenne: the relay's and the antenne's view's gauges.
    _wait_for(lambda: _value(_scrape(antenne), "bp_ledger_view_accounts") == 2)
    assert _value(_scrape(antenne), "bp_ledger_view_consumer_connected") == 1
    assert _value(_scrape(antenne), "bp_ledger_view_newest_as_of_timestamp_seconds") > 0
    assert _value(_scrape(ledger), "bp_feedback_relay_connected") == 1
    received = _value(_scrape(antenne), "bp_ledger_view_position")
    _wait_for(lambda: _value(_scrape(ledger), "bp_feedback_relay_position") == received)

    # Reporting: the same consumer metrics under its own name.
    jette = {"service": "reporting", "antenne": "jette"}
    _wait_for(lambda: _value(_scrape(reporting), "bp_consumer_position", **jette) == relayed)
    assert _value(_scrape(reporting), "bp_consumer_duplicates_total", **jette) == 0
