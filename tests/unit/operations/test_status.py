"""What `status` calls a problem, from snapshots built by hand."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta

from services.operations.page import render_page
from services.operations.snapshot import AntenneState, Audit, ConsumerService, Snapshot, StreamConsumer
from services.operations.status import Thresholds, as_json, delivery, problems, table

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


def _healthy(relay_position: int = 7, ledger_position: int = 7) -> Snapshot:
    stream = StreamConsumer("ledger", found=True, last_active=NOW - timedelta(seconds=2))
    return Snapshot(
        taken_at=NOW,
        antennes=[AntenneState("jette", "http://127.0.0.1:1", up=True, relay_connected=True,
                               relay_position=relay_position)],
        ledger=ConsumerService("ledger", "http://127.0.0.1:2", up=True, connected=True,
                               positions={"jette": ledger_position}, stream=stream),
        reporting=ConsumerService("reporting", "http://127.0.0.1:3", up=True, connected=True,
                                  stream=dataclasses.replace(stream, durable="reporting")),
        audit=Audit(True, 0, 5, 5, {"jette": ledger_position}),
    )  # fmt: skip


def test_a_federation_whose_events_all_arrived_has_no_problem() -> None:
    snapshot = _healthy()
    assert problems(snapshot) == []
    assert "OK: every antenne is up" in table(snapshot, [])
    assert '"ok": true' in as_json(snapshot, [])
    assert "All is well" in render_page(snapshot, [])


def test_a_ledger_ahead_of_the_antenne_store_is_flagged_as_events_missing_from_a_restored_store() -> None:
    # The antenne's store came back from a backup taken at position 4; the ledger took in up to 7.
    snapshot = _healthy(relay_position=4, ledger_position=7)
    (problem,) = problems(snapshot)
    assert "antenne jette: the ledger holds events up to position 7" in problem
    assert "events 5..7 reached the centre" in problem
    assert "AHEAD by 3" in table(snapshot, [problem])
    page = render_page(snapshot, [problem])
    assert "1 problem(s)" in page
    assert "events 5..7 reached the centre" in page


def test_a_consumer_behind_is_no_problem_while_it_acknowledges_but_is_once_stale() -> None:
    snapshot = _healthy(relay_position=9, ledger_position=7)
    ledger = snapshot.ledger
    assert ledger is not None
    assert ledger.stream is not None
    busy = dataclasses.replace(ledger, stream=dataclasses.replace(ledger.stream, num_pending=2))
    assert problems(dataclasses.replace(snapshot, ledger=busy)) == []
    assert delivery(snapshot.antennes[0], busy, 7).behind == 2

    stream = dataclasses.replace(ledger.stream, num_pending=2, last_active=NOW - timedelta(minutes=5))
    stale = dataclasses.replace(busy, stream=stream)
    (problem,) = problems(dataclasses.replace(snapshot, ledger=stale), Thresholds(stale_seconds=60))
    assert problem.startswith("ledger: 2 messages pending")


def test_an_unbalanced_audit_a_waiting_consumer_and_a_disconnected_relay_are_each_named() -> None:
    snapshot = _healthy()
    assert snapshot.reporting is not None
    broken = dataclasses.replace(
        snapshot,
        antennes=[dataclasses.replace(snapshot.antennes[0], relay_connected=False, relay_error="refused")],
        reporting=dataclasses.replace(snapshot.reporting, waiting={"jette": 3}),
        audit=Audit(False, 2, 5, 3, {"jette": 7}),
        parked_messages=2,
    )
    found = problems(broken)
    assert found == [
        "antenne jette: relay not connected to NATS (refused)",
        "reporting: waits for the event of jette after position 3 (missing)",
        "2 message(s) wait on the dead-letter stream: no consumer could apply them; read the reason in "
        "each (`nats stream view BP_DEADLETTER`), then purge the stream",
        "ledger audit fails: accounts sum to 2 (must be 0), exchanges credited 5 quarters "
        "against 3 confirmed",
    ]


def test_the_age_of_each_antennes_last_known_balances_is_shown_and_a_deaf_view_is_named() -> None:
    snapshot = _healthy()
    fresh = dataclasses.replace(snapshot.antennes[0], ledger_view_as_of=NOW - timedelta(minutes=3),
                                ledger_view_connected=True)  # fmt: skip
    deaf = dataclasses.replace(fresh, antenne_id="laken", ledger_view_connected=False)
    never = dataclasses.replace(fresh, antenne_id="evere", ledger_view_as_of=None)
    shown = dataclasses.replace(snapshot, antennes=[fresh, deaf, never])

    lines = table(shown, []).splitlines()
    assert lines[0].endswith("ledger view")
    assert lines[1].endswith("as of 3 min ago")
    assert lines[2].endswith("as of 3 min ago, NOT RECEIVING")
    assert lines[3].endswith("none yet")
    assert "<td>as of 3 min ago, NOT RECEIVING</td>" in render_page(shown, [])
    assert '"ledger_view_connected": false' in as_json(shown, [])
