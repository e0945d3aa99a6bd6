"""Invariants 1 to 7 with exact counts after kill -9 of an antenne the ledger, reporting, NATS and PostgreSQL.

A generator stores events at three antennes over HTTP (two on SQLite, one on PostgreSQL; the ledger on
PostgreSQL, reporting on SQLite) while a seeded schedule kills each kind of process at a random moment
and starts it again. Then copies of published messages (past JetStream's dedup window), a message no
one can decode, and two antennes with skewed clocks are sent. The truth is read from the antennes' own
stores. Replay a run: BP_FAULTS_SEED=<seed> pytest tests/faults; BP_LONG=1 for 10,000 events.
"""

from __future__ import annotations

import asyncio
import os
import random
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import nats
import pytest

from contracts.envelope import Envelope
from contracts.subjects import ANTENNE_STREAM, DEADLETTER_STREAM
from services.messaging.nats_server import NatsServer
from services.ports import free_port
from services.reporting.projection import Figures
from tests.faults.chaos import Fault, schedule
from tests.faults.federation import TOKEN, Federation, Service, wait_for
from tests.faults.postgres import KillablePostgres
from tests.faults.traffic import Desk, Truth, read_store
from tests.integration.ledger.relay import Relay
from tests.unit.ledger.antenne_events import AntenneEvents

pytestmark = pytest.mark.faults

LONG = os.environ.get("BP_LONG") == "1"
EVENTS = int(os.environ.get("BP_FAULTS_EVENTS", "10000" if LONG else "2000"))
SEED = int(os.environ.get("BP_FAULTS_SEED", str(random.SystemRandom().randrange(1_000_000))))
REPOSITORY = Path(__file__).resolve().parents[2]
GARBAGE = b'{"specversion": "1.0", "this is": "not an event'
COPIES = 100


@pytest.fixture(scope="module")
def fault_postgres() -> Iterator[KillablePostgres]:
    """A PostgreSQL of this suite's own: it gets killed, so it is not the session's."""
    server = KillablePostgres()
    server.start()
    yield server
    if not server.is_up():
        server.restart()
    server.stop()


@pytest.fixture
def federation(tmp_path: Path, fault_postgres: KillablePostgres) -> Iterator[Federation]:
    nats_server = NatsServer(
        port=free_port(), store_dir=tmp_path / "jetstream", log_file=tmp_path / "nats.log"
    )
    nats_server.start()
    suffix = os.urandom(4).hex()
    databases = {
        "jette": f"sqlite:///{tmp_path / 'jette.db'}",
        "laken": f"sqlite:///{tmp_path / 'laken.db'}",
        "evere": fault_postgres.create_database(f"evere_{suffix}"),
    }
    logs, env = tmp_path / "logs", {"ANTENNE_TOKEN": TOKEN, "LEDGER_TOKEN": TOKEN, "REPORTING_TOKEN": TOKEN}
    nats_flag = ["--nats-url", nats_server.url]
    antennes = {
        antenne_id: Service.of(antenne_id, "services.antenne",
                               ["--antenne-id", antenne_id, "--database-url", url, *nats_flag],
                               env, logs, on_postgres=url.startswith("postgresql"))
        for antenne_id, url in databases.items()
    }  # fmt: skip
    ledger_url = fault_postgres.create_database(f"ledger_{suffix}")
    ledger = Service.of(
        "ledger", "services.ledger", ["--database-url", ledger_url, *nats_flag], env, logs, True
    )
    reporting_url = f"sqlite:///{tmp_path / 'reporting.db'}"
    reporting = Service.of("reporting", "services.reporting", ["--database-url", reporting_url, *nats_flag],
                           env, logs, False)  # fmt: skip
    running = Federation(nats_server, fault_postgres, antennes, ledger, reporting,
                         databases={**databases, "reporting": reporting_url})  # fmt: skip
    try:
        for service in running.services().values():
            service.start()
        yield running
    finally:
        running.stop()
        nats_server.stop()


def _generate(federation: Federation, faults: list[Fault], seed: int) -> int:
    """Store `EVENTS` public events across the antennes while the schedule kills and restarts processes."""
    rng = random.Random(seed)
    desks = [Desk(a, service, TOKEN) for a, service in federation.antennes.items()]
    stored = 0
    while stored < EVENTS:
        for fault in faults:
            if not fault.killed and stored >= fault.kill_at:
                print(f"event {stored}: kill -9 {fault.target}")
                federation.kill(fault.target)
                fault.killed = True
            elif fault.killed and not fault.restarted and stored >= fault.restart_at:
                fault.restarted = federation.restart(fault.target)
                if fault.restarted:
                    print(f"event {stored}: {fault.target} restarted")
        up = [desk for desk in desks if _accepts_work(federation, desk.antenne_id)]
        if rng.choice(up).next_request(rng):
            stored += 1
    return stored


def _accepts_work(federation: Federation, antenne_id: str) -> bool:
    service = federation.antennes[antenne_id]
    return f"antenne {antenne_id}" not in federation.down and not (
        service.on_postgres and "postgresql" in federation.down
    )


def _skewed_antennes(truth: Truth) -> list[Envelope]:
    """Two antennes whose clocks are wrong: one hours ahead and running backwards, one two days behind."""
    now = datetime.now(UTC)
    envelopes: list[Envelope] = []
    clocks: list[tuple[str, Callable[[int], datetime]]] = [
        ("skew-ahead", lambda i: now + timedelta(hours=3) - timedelta(minutes=7 * i)),
        ("skew-behind", lambda i: now - timedelta(days=2, seconds=i)),
    ]
    for antenne_id, clock in clocks:
        feed = AntenneEvents(antenne_id, burnt_ids=frozenset({3, 8}))
        members = [feed.register().aggregateid for _ in range(4)]
        for helper, recipient in zip(members, members[1:] + members[:1], strict=True):
            feed.exchange(helper, recipient, 3)
        skewed = [e.model_copy(update={"time": clock(i)}) for i, e in enumerate(feed.published)]
        for envelope in skewed:
            truth.add(envelope)
        envelopes += skewed
    return envelopes


async def _send_trouble(nats_url: str, skewed: list[Envelope], seed: int) -> None:
    """Copies of published messages with new ids, an undecodable message, and the skewed antennes' events."""
    relay = await Relay.connect(nats_url)
    try:
        subscription = await relay.js.pull_subscribe("bp.>", stream=ANTENNE_STREAM)
        copies = [Envelope.from_bytes(m.data) for m in await subscription.fetch(COPIES, timeout=5)]
        await subscription.unsubscribe()
        await relay.publish(*copies, msg_id_suffix=":copy")
        await relay.js.publish("bp.jette.exchange.confirmed", GARBAGE, headers={"Nats-Msg-Id": "garbage"})
        # One skewed antenne arrives in a shuffled order: later events wait for the earlier ones.
        shuffled = list(skewed)
        random.Random(seed).shuffle(shuffled)
        await relay.publish(*shuffled)
    finally:
        await relay.close()


async def _parked(nats_url: str) -> dict[str, list[bytes]]:
    nc = await nats.connect(nats_url)
    try:
        js = nc.jetstream()
        info = await js.stream_info(DEADLETTER_STREAM, subjects_filter="deadletter.>")
        parked: dict[str, list[bytes]] = {}
        for subject, count in (info.state.subjects or {}).items():
            message = await js.get_last_msg(DEADLETTER_STREAM, subject)
            parked[subject] = [message.data or b""] * count
        return parked
    finally:
        await nc.close()


def _caught_up(federation: Federation, truth: Truth) -> bool:
    audit = federation.ledger.get("/api/v1/audit")
    intake = {a: (r["events_applied"], r["last_position"]) for a, r in audit["antennes"].items()}
    summary = federation.reporting.get("/api/v1/reports/summary")["antennes"]
    expected = {a: (truth.events[a], truth.last_position[a]) for a in truth.events}
    return intake == expected and {a: Figures(**f) for a, f in summary.items()} == truth.figures


def _relays_idle(federation: Federation) -> bool:
    return all(s.get("/healthz")["relay"]["backlog"] == 0 for s in federation.antennes.values())


@pytest.mark.timeout(1800 if LONG else 420)
def test_after_kill_minus_nine_of_every_kind_of_process_every_event_counts_exactly_once(
    federation: Federation,
) -> None:
    faults = schedule(SEED, EVENTS, sorted(federation.antennes))
    print(f"chaos seed {SEED} ({EVENTS} events); replay: BP_FAULTS_SEED={SEED} pytest tests/faults")
    print("\n".join(str(fault) for fault in faults))
    started = time.monotonic()

    _generate(federation, faults, SEED)
    federation.restart_all()
    generated = time.monotonic()
    wait_for(lambda: _relays_idle(federation), 120, "every relay has published its backlog")

    # The truth, from the antennes' own stores.
    truth, antenne_balances = Truth(), {}
    databases = federation.databases
    for antenne_id in federation.antennes:
        antenne_balances.update(read_store(antenne_id, databases[antenne_id], truth))
    asyncio.run(_send_trouble(federation.nats.url, _skewed_antennes(truth), SEED))
    wait_for(lambda: _caught_up(federation, truth), 180, f"ledger and reporting caught up (seed {SEED})")
    print(f"generated in {generated - started:.0f} s, caught up {time.monotonic() - generated:.0f} s later")

    # Invariant 1: conservation, with exact counts.
    audit = federation.ledger.get("/api/v1/audit")
    assert audit["balanced"], (SEED, audit)
    assert audit["sum_of_accounts"] == 0
    assert audit["accounts"] == len(truth.members)
    assert audit["credited_by_exchanges"] == audit["confirmed_quarters"] == truth.confirmed_quarters
    # Invariants 2 and 3: every antenne's events once, up to its last position (checked by _caught_up);
    # the copies were dropped as duplicates, not applied.
    assert sum(truth.events[a] for a in federation.antennes) >= EVENTS
    assert federation.ledger.get("/healthz")["consumer"]["duplicates"] >= COPIES
    # Invariant 5: the ledger's balance is the antenne's own, and the sum of its confirmed exchanges.
    for member_id in truth.members:
        expected = truth.balances.get(member_id, 0)
        assert federation.ledger.get(f"/api/v1/balances/{member_id}")["quarters"] == expected, member_id
        assert antenne_balances.get(member_id, expected) == expected, member_id
    # Reporting equals the ledger; a message nobody can decode is parked for each consumer, not lost.
    federation_totals = federation.reporting.get("/api/v1/reports/summary")["federation"]
    assert federation_totals["quarters_confirmed"] == audit["confirmed_quarters"]
    parked = asyncio.run(_parked(federation.nats.url))
    assert parked.get("deadletter.ledger") == [GARBAGE], parked
    assert parked.get("deadletter.reporting") == [GARBAGE], parked
    # Invariant 7: the view rebuilt from the stream equals the live one.
    rebuild = subprocess.run(
        [sys.executable, "-m", "services.reporting", "rebuild", "--nats-url", federation.nats.url,
         "--compare-with", databases["reporting"], "--timeout", "120"],
        cwd=REPOSITORY, capture_output=True, text=True, timeout=180,
    )  # fmt: skip
    assert rebuild.returncode == 0, rebuild.stdout + rebuild.stderr
    assert "rebuilt view equals the live view" in rebuild.stdout
    assert all(fault.killed and fault.restarted for fault in faults), [str(f) for f in faults]
