"""Invariant 7 through a real JetStream on a generated history of thousands of events, and the rebuild rate.

BP_LONG=1 rebuilds a history about ten times larger. The rate is printed (run with -s to see it).
"""

from __future__ import annotations

import os
import time
from uuid import uuid4

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from services.messaging.nats_server import NatsServer
from services.reporting.main import create_app
from services.reporting.rebuild import differences, rebuild_into
from services.reporting.settings import Settings
from services.reporting.views import SummaryView
from tests.integration.reporting.stream import publish, until
from tests.unit.reporting.generated import history

pytestmark = pytest.mark.integration

LONG = os.environ.get("BP_LONG") == "1"


def test_a_generated_history_rebuilt_from_the_stream_equals_the_live_view(nats_server: NatsServer) -> None:
    generated = history(21, days=365, daily=30) if LONG else history(21)
    last = {e.antenneid: e.position for e in generated.envelopes}
    settings = Settings(token=uuid4().hex, database_url="memory:", nats_url=nats_server.url)
    with TestClient(create_app(settings)) as client:
        assert isinstance(client.app, FastAPI)
        view: SummaryView = client.app.state.view
        publish(nats_server.url, generated.envelopes)
        until(lambda: all(view.max_tracking_id(a) == p for a, p in last.items()), timeout=120.0)

        started = time.monotonic()
        rebuilt = rebuild_into("memory:", nats_server.url, timeout=300.0)
        seconds = time.monotonic() - started

        assert differences(view.contents(), rebuilt) == []
    events = len(generated.envelopes)
    print(f"\nrebuilt {events} events in {seconds:.2f}s: {events / seconds:.0f} events/s")
    assert events >= 2000
