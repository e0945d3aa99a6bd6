"""With BP_OTLP_ENDPOINT set, one confirmation becomes spans at the antenne and the ledger, in one trace."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING

import httpx
import pytest
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import (
    ExportTraceServiceRequest,
    ExportTraceServiceResponse,
)

from services.local_federation.processes import ServiceProcess
from services.ports import free_port
from tests.support.dates import RECENT_ISO

if TYPE_CHECKING:
    from pathlib import Path

    from services.messaging.nats_server import NatsServer

pytestmark = pytest.mark.integration

TOKEN = "otlp-test-token-0123456789"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
TRACE_ID = "0af7651916cd43dd8448eb211c80319c"
TRACEPARENT = f"00-{TRACE_ID}-b7ad6b7169203331-01"


@dataclass(frozen=True)
class ReceivedSpan:
    service: str
    name: str
    trace_id: str
    span_id: str
    parent_span_id: str


class Collector(ThreadingHTTPServer):
    """A minimal OTLP/HTTP trace receiver on loopback."""

    spans: list[ReceivedSpan]


class _Handler(BaseHTTPRequestHandler):
    server: Collector

    def do_POST(self) -> None:
        request = ExportTraceServiceRequest()
        request.ParseFromString(self.rfile.read(int(self.headers["Content-Length"])))
        for resource_spans in request.resource_spans:
            attributes = {a.key: a.value.string_value for a in resource_spans.resource.attributes}
            for scope_spans in resource_spans.scope_spans:
                for span in scope_spans.spans:
                    self.server.spans.append(ReceivedSpan(
                        attributes.get("service.name", ""), span.name, span.trace_id.hex(),
                        span.span_id.hex(), span.parent_span_id.hex(),
                    ))  # fmt: skip
        body = ExportTraceServiceResponse().SerializeToString()
        self.send_response(200)
        self.send_header("Content-Type", "application/x-protobuf")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def collector() -> Iterator[Collector]:
    server = Collector(("127.0.0.1", free_port()), _Handler)
    server.spans = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def _wait_for(condition: Callable[[], bool], timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.1)


def test_one_confirmation_is_one_trace_from_the_antenne_request_through_the_publish_to_the_ledger_apply(
    nats_server: NatsServer, collector: Collector, tmp_path: Path
) -> None:
    endpoint = f"http://127.0.0.1:{collector.server_address[1]}/v1/traces"
    antenne_port, ledger_port = free_port(), free_port()
    common = ["--nats-url", nats_server.url]
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
        env={"ANTENNE_TOKEN": TOKEN, "BP_OTLP_ENDPOINT": endpoint},
        health_url=f"http://127.0.0.1:{antenne_port}/healthz",
        log_file=tmp_path / "jette.log",
    )
    ledger = ServiceProcess(
        name="ledger", module="services.ledger",
        args=["serve", "--port", str(ledger_port), "--database-url", f"sqlite:///{tmp_path / 'ledger.db'}",
              *common],
        env={"LEDGER_TOKEN": TOKEN, "BP_OTLP_ENDPOINT": endpoint},
        health_url=f"http://127.0.0.1:{ledger_port}/healthz", log_file=tmp_path / "ledger.log",
    )  # fmt: skip
    try:
        for process in (antenne, ledger):
            process.start()
        for process in (antenne, ledger):
            process.wait_healthy(timeout=60)

        # Two members and an exchange; the confirmation carries the caller's trace context.
        with httpx.Client(base_url=f"http://127.0.0.1:{antenne_port}", headers=AUTH, timeout=10) as client:
            helper, recipient = (
                client.post("/api/v1/members", json={"display_name": name}).json()["member_id"]
                for name in ("Anna", "Bert")
            )
            exchange = client.post("/api/v1/exchanges", json={
                "helper_id": helper, "recipient_id": recipient, "quarters": 2, "category": "company",
                "performed_on": RECENT_ISO,
            }).json()["exchange_id"]  # fmt: skip
            confirmed = client.post(
                f"/api/v1/exchanges/{exchange}/confirm", headers={"traceparent": TRACEPARENT}
            )
            assert confirmed.status_code == 200

        # The antenne exports the request and the publish, the ledger the apply: one trace.
        def in_trace() -> list[ReceivedSpan]:
            return [span for span in collector.spans if span.trace_id == TRACE_ID]

        _wait_for(lambda: any(span.service == "buurtpensioen-ledger" for span in in_trace()))
    finally:
        for process in (ledger, antenne):
            process.stop()

    spans = in_trace()
    (request,) = [s for s in spans if s.name == "HTTP POST"]
    (publish,) = [s for s in spans if s.name == "publish bp.jette.exchange.confirmed"]
    (apply,) = [s for s in spans if s.name == "apply bp.jette.exchange.confirmed"]
    assert request.service == publish.service == "buurtpensioen-antenne"
    assert apply.service == "buurtpensioen-ledger"
    assert request.parent_span_id == "b7ad6b7169203331"  # the caller's span
    assert publish.parent_span_id == request.span_id
    assert apply.parent_span_id == publish.span_id
