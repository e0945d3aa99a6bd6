"""The federation's figures, each beside its raw limit: write path, propagation, catch-up, rebuild."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
from uuid import uuid4

import httpx
from eventsourcing.utils import get_topic

from bench import raw
from bench.feed import backlog, publish
from bench.table import Row, percentile
from services.antenne.application import Antenne
from services.antenne.outbound import to_envelope
from services.ledger.application import Ledger
from services.ledger.domain import Feed
from services.local_federation.processes import ServiceProcess
from services.messaging.nats_server import NatsServer
from services.persistence import eventsourcing_env
from services.ports import free_port
from services.reporting.rebuild import Progress, rebuild_into
from tests.support.postgres import PostgresServer

TOKEN = "bench-" + uuid4().hex
ENV = {"ANTENNE_TOKEN": TOKEN, "LEDGER_TOKEN": TOKEN, "REPORTING_TOKEN": TOKEN}


@dataclass
class Bench:
    """One run: a PostgreSQL and fresh NATS servers of its own, under `workdir`."""

    workdir: Path
    postgres: PostgresServer
    seconds: float
    events: int
    rows: list[Row] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def database(self, kind: str, name: str) -> str:
        if kind == "sqlite":
            return f"sqlite:///{self.workdir / f'{name}-{uuid4().hex[:6]}.db'}"
        return self.postgres.create_database(f"{name}_{uuid4().hex[:8]}")

    def nats(self, name: str) -> NatsServer:
        server = NatsServer(
            port=free_port(), store_dir=self.workdir / name, log_file=self.workdir / f"{name}.log"
        )
        server.start()
        return server

    def service(self, name: str, module: str, args: list[str]) -> ServiceProcess:
        port = free_port()
        url = f"http://127.0.0.1:{port}"
        process = ServiceProcess(name, module, ["serve", *args, "--host", "127.0.0.1", "--port", str(port)],
                                 ENV, f"{url}/healthz", self.workdir / f"{name}.log")  # fmt: skip
        process.start()
        process.wait_healthy(60)
        return process

    # 1. The write path.

    def write_path(self, kind: str) -> None:
        """Recording exchanges with one client (one request after the other, as the raw saves), then
        eight connections; registering members with one client."""
        url = self.database(kind, "write")
        args = ["--antenne-id", "jette", "--database-url", url, "--no-relay"]
        antenne = self.service(f"write-{kind}", "services.antenne", args)
        try:
            pair = _pair(antenne)
            one = _load(_base(antenne), seconds=self.seconds, concurrency=1, exchange=pair)
            eight = _load(_base(antenne), seconds=self.seconds, concurrency=8, exchange=pair)
            registering = _load(_base(antenne), seconds=self.seconds / 2, concurrency=1)
        finally:
            antenne.stop()
        save = raw.save_rate(eventsourcing_env(self.database(kind, "raw")), self.seconds)
        rate, latencies = one["requests"] / one["seconds"], one["latencies"]
        p50, p99 = percentile(latencies, 0.5) * 1000, percentile(latencies, 0.99) * 1000
        registration_rate = registering["requests"] / registering["seconds"]
        self.rows += [
            Row(f"record an exchange, HTTP, {kind}, 1 client", rate, "req/s",
                f"raw `eventsourcing` save, {kind}", save, ">= 0.8 x raw", rate >= 0.8 * save),
            Row(f"  latency p50 ({kind})", p50, "ms", "raw save time (1/rate)", 1000 / save, "", None),
            Row(f"  latency p99 ({kind})", p99, "ms", "raw save time (1/rate)", 1000 / save, "", None),
            Row(f"register a member, HTTP, {kind}, 1 client", registration_rate, "req/s",
                f"raw `eventsourcing` save, {kind}", save, ">= 0.8 x raw", registration_rate >= 0.8 * save),
        ]  # fmt: skip
        self.notes.append(
            f"record an exchange, {kind}, 8 connections: {eight['requests'] / eight['seconds']:.0f} req/s, "
            f"p50 {percentile(eight['latencies'], 0.5) * 1000:.1f} ms, "
            f"p99 {percentile(eight['latencies'], 0.99) * 1000:.1f} ms, {eight['errors']} refused; "
            f"register, 1 client: {registering['requests']} members, {registering['errors']} refused"
        )

    # 2. Propagation at a steady 200 events/s.

    def propagation(self, rate: float = 200.0) -> None:
        nats_server = self.nats("nats-propagation")
        antenne_url, ledger_url = (
            self.database("sqlite", "propagation"),
            self.database("postgresql", "ledger"),
        )
        nats_flag = ["--nats-url", nats_server.url]
        args = ["--antenne-id", "jette", "--database-url", antenne_url, *nats_flag]
        antenne = self.service("propagation-antenne", "services.antenne", args)
        ledger = self.service(
            "propagation-ledger", "services.ledger", ["--database-url", ledger_url, *nats_flag]
        )
        try:
            _load(_base(antenne), seconds=self.seconds, concurrency=4, rate=rate, exchange=_pair(antenne))
            committed = _committed_at(antenne_url, "jette")
            last = max(committed)
            _wait(lambda: _ledger_position(ledger, "jette") == last, 60, "the ledger applies every event")
            raw_p50, raw_p99 = asyncio.run(raw.jetstream_latency(nats_server.url, rate, self.seconds))
        finally:
            antenne.stop()
            ledger.stop()
            nats_server.stop()
        applied = _applied_at(ledger_url)
        latencies = sorted((applied[p] - committed[p]).total_seconds() for p in committed if p in applied)
        p50, p99 = percentile(latencies, 0.5) * 1000, percentile(latencies, 0.99) * 1000
        self.rows.append(Row("propagation p99, antenne commit -> ledger (200/s)", p99, "ms",
                             "raw JetStream publish -> consume p99", raw_p99, "<= raw + 10 ms",
                             p99 <= raw_p99 + 10))  # fmt: skip
        self.rows.append(Row("propagation p50", p50, "ms", "raw JetStream p50", raw_p50, "", None))
        self.notes.append(f"propagation: {len(latencies)} events at {rate:.0f}/s")

    # 3. Ledger catch-up and 4. reporting rebuild, on one backlog.

    def backlog(self) -> None:
        nats_server = self.nats("nats-backlog")
        envelopes = backlog(self.events)
        asyncio.run(publish(nats_server.url, envelopes))
        count = len(envelopes)
        try:
            consume = asyncio.run(raw.consume_and_ack_rate(nats_server.url, count))
            ledger_url = self.database("postgresql", "catchup")
            ledger = self.service("catchup-ledger", "services.ledger",
                                  ["--database-url", ledger_url, "--nats-url", nats_server.url])  # fmt: skip
            try:
                # From the moment the service answers (its start-up is not catch-up), with what it had
                # applied by then.
                started, already = time.monotonic(), _applied(ledger)
                _wait(lambda: _applied(ledger) >= count, 3600, "the ledger catches up")
                catch_up = (count - already) / (time.monotonic() - started)
            finally:
                ledger.stop()
            insert = raw.postgres_batched_insert_rate(
                self.database("postgresql", "insert"), max(count, 50_000)
            )
            # Until the view has every event (connecting included), not the consumer's shutdown after it.
            caught_up: list[float] = []

            def note(progress: Progress) -> None:
                if progress.caught_up and not caught_up:
                    caught_up.append(time.monotonic())

            started = time.monotonic()
            rebuild_into("memory:", nats_server.url, timeout=3600, on_progress=note)
            rebuild = count / (caught_up[0] - started)
        finally:
            nats_server.stop()
        log_env = eventsourcing_env(self.database("postgresql", "log"))
        raw.fill(log_env, count)
        read_count, read = raw.notification_read_rate(log_env)
        self.rows += [
            Row(f"ledger catch-up, {count:,} events (PostgreSQL)", catch_up, "ev/s",
                "raw JetStream fetch(500) + ack", consume, ">= 0.5 x raw", catch_up >= 0.5 * consume),
            Row("  (same)", catch_up, "ev/s", "raw PostgreSQL insert, batches of 1,000", insert, "", None),
            Row(f"reporting rebuild, {count:,} events (in memory)", rebuild, "ev/s",
                f"raw notification-log read, PostgreSQL ({read_count:,})", read, ">= 0.5 x raw",
                rebuild >= 0.5 * read),
            Row("  (same)", rebuild, "ev/s", "raw JetStream fetch(500) + ack", consume, "", None),
        ]  # fmt: skip


def _base(process: ServiceProcess) -> str:
    return process.health_url.removesuffix("/healthz")


def _pair(antenne: ServiceProcess) -> list[str]:
    """Two members of the antenne, helper and recipient of the exchanges the load records."""
    return [
        _post(antenne, "/api/v1/members", {"display_name": name})["member_id"] for name in ("Anna", "Bert")
    ]


def _load(url: str, *, seconds: float, concurrency: int, rate: float | None = None,
          exchange: list[str] | None = None) -> dict[str, Any]:  # fmt: skip
    """Run the load generator in its own process (the client must not share the server's core)."""
    command = [sys.executable, "-m", "bench.load", url, TOKEN, "--seconds", str(seconds),
               "--concurrency", str(concurrency)]  # fmt: skip
    if rate:
        command += ["--rate", str(rate)]
    if exchange:
        command += ["--exchange", *exchange]
    repository = str(Path(__file__).resolve().parents[1])
    done = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 120, check=True,
                          env={**os.environ, "PYTHONPATH": repository})  # fmt: skip
    result: dict[str, Any] = json.loads(done.stdout)
    return result


def _committed_at(database_url: str, antenne_id: str) -> dict[int, datetime]:
    """Position -> when the antenne stored each public event."""
    with Antenne(env=eventsourcing_env(database_url)) as antenne:
        committed = {}
        for notification in antenne.recorder.select_notifications(1, 10_000_000):
            event = antenne.mapper.to_domain_event(notification)
            if to_envelope(event, antenne_id=antenne_id, position=notification.id, previous_position=None):
                committed[notification.id] = event.timestamp  # type: ignore[attr-defined]
        return committed


def _applied_at(database_url: str) -> dict[int, datetime]:
    """Position -> when the ledger took the event in (its Feed.Took event, stored with the booking)."""
    with Ledger(env=eventsourcing_env(database_url)) as ledger:
        took = get_topic(Feed.Took)
        applied = {}
        for notification in ledger.recorder.select_notifications(1, 10_000_000, topics=[took]):
            event = ledger.mapper.to_domain_event(notification)
            applied[event.position] = event.timestamp  # type: ignore[attr-defined]
        return applied


def _get(process: ServiceProcess, path: str) -> Any:
    response = httpx.get(_base(process) + path, headers={"Authorization": f"Bearer {TOKEN}"}, timeout=30)
    response.raise_for_status()
    return response.json()


def _post(process: ServiceProcess, path: str, body: dict[str, Any]) -> Any:
    response = httpx.post(_base(process) + path, json=body, headers={"Authorization": f"Bearer {TOKEN}"},
                          timeout=30)  # fmt: skip
    response.raise_for_status()
    return response.json()


def _ledger_position(ledger: ServiceProcess, antenne_id: str) -> int | None:
    intake = _get(ledger, "/api/v1/audit")["antennes"].get(antenne_id)
    return None if intake is None else int(intake["last_position"])


def _applied(ledger: ServiceProcess) -> int:
    return int(_get(ledger, "/healthz")["consumer"]["applied"])


def _wait(condition: Any, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError(f"not within {timeout:.0f} s: {what}")
        time.sleep(0.25)
