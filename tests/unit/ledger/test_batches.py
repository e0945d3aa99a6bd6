"""The ledger books a fetched run of events in one transaction, with each antenne's position, exactly once."""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path
from uuid import UUID

import pytest

from contracts.base import Contract
from contracts.envelope import Envelope
from services.ledger.application import Ledger
from services.ledger.domain import feed_id
from services.persistence import eventsourcing_env
from tests.unit.ledger.antenne_events import AntenneEvents


@pytest.fixture(params=["memory", "sqlite"])
def ledger(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Ledger]:
    url = "memory:" if request.param == "memory" else f"sqlite:///{tmp_path / 'ledger.db'}"
    with Ledger(env=eventsourcing_env(url)) as opened:
        yield opened


def test_snapshots_taken_in_a_run_load_the_same_books_after_a_restart(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'ledger.db'}"
    envelopes, balances = _traffic(exchanges=300)  # feeds and some accounts pass 100 and 200 events
    with Ledger(env=eventsourcing_env(url)) as ledger:
        for start in range(0, len(envelopes), 250):
            ledger.apply_all(_run(envelopes[start : start + 250]))
        assert ledger.snapshots is not None
        snapshots = ledger.snapshots.recorder.select_events(feed_id("jette"))
        # One per multiple of 100 the feed passed, at the version the run that passed it left.
        taken = len([e for e in envelopes if e.antenneid == "jette"]) // 100
        assert len(snapshots) == taken >= 2
        before = ledger.audit()

    with Ledger(env=eventsourcing_env(url)) as reopened:  # an empty cache: loads from the snapshots
        assert reopened.audit() == before
        assert all(reopened.balance(member) == quarters for member, quarters in balances.items())


def _traffic(exchanges: int, seed: int = 3) -> tuple[list[Envelope], dict[UUID, int]]:
    """Two antennes, interleaved as on the stream, and the balances the books must show."""
    rng = random.Random(seed)
    antennes = [AntenneEvents("jette", burnt_ids=frozenset({4, 9})), AntenneEvents("laken")]
    members = [(antennes[i % 2], antennes[i % 2].register().aggregateid) for i in range(10)]
    balances: dict[UUID, int] = defaultdict(int)
    for _ in range(exchanges):
        (antenne, helper), (_, recipient) = rng.sample(members, 2)
        quarters = rng.randint(1, 16)
        antenne.exchange(helper, recipient, quarters)
        balances[helper] += quarters
        balances[recipient] -= quarters
    jette, laken = (antenne.published for antenne in antennes)
    interleaved = [envelope for pair in zip(jette, laken, strict=False) for envelope in pair]
    return interleaved + jette[len(laken) :] + laken[len(jette) :], balances


def _run(envelopes: list[Envelope]) -> list[tuple[Envelope, Contract]]:
    return [(envelope, envelope.payload()) for envelope in envelopes]


def test_runs_of_interleaved_antennes_give_the_books_of_one_event_at_a_time(ledger: Ledger) -> None:
    envelopes, balances = _traffic(exchanges=120)

    applied = [new for start in range(0, len(envelopes), 37) for new in
               ledger.apply_all(_run(envelopes[start : start + 37]))]  # fmt: skip

    assert applied == [True] * len(envelopes)
    assert all(ledger.balance(member) == quarters for member, quarters in balances.items())
    audit = ledger.audit()
    assert audit.balanced
    sent = {a: sum(1 for e in envelopes if e.antenneid == a) for a in ("jette", "laken")}
    assert {a: i.events_applied for a, i in audit.antennes.items()} == sent
    assert ledger.last_position("jette") == max(e.position for e in envelopes if e.antenneid == "jette")


def test_a_run_that_repeats_applied_events_applies_only_the_new_ones(ledger: Ledger) -> None:
    envelopes, balances = _traffic(exchanges=20)
    ledger.apply_all(_run(envelopes[:30]))
    notifications = ledger.recorder.max_notification_id()

    # A redelivery overlapping what was committed: the store refuses the run, then each goes alone.
    applied = ledger.apply_all(_run(envelopes[25:]))

    assert applied == [False] * 5 + [True] * (len(envelopes) - 30)
    assert all(ledger.balance(member) == quarters for member, quarters in balances.items())
    assert ledger.audit().balanced
    assert (ledger.recorder.max_notification_id() or 0) > (notifications or 0)
    # And all of it again changes nothing.
    notifications = ledger.recorder.max_notification_id()
    assert ledger.apply_all(_run(envelopes)) == [False] * len(envelopes)
    assert ledger.recorder.max_notification_id() == notifications


def test_a_run_whose_first_event_another_writer_recorded_writes_nothing_of_itself(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'ledger.db'}"
    envelopes, _ = _traffic(exchanges=10)
    with Ledger(env=eventsourcing_env(url)) as stale, Ledger(env=eventsourcing_env(url)) as other:
        stale.apply_all(_run(envelopes[:4]))
        other.apply_all(_run(envelopes[4:10]))  # the other writer goes on

        # The stale ledger's cached feeds say these are new; the store knows they are not.
        applied = stale.apply_all(_run(envelopes[4:12]))

        assert applied == [False] * 6 + [True, True]
        audit = stale.audit()
        assert audit.balanced
        assert sum(i.events_applied for i in audit.antennes.values()) == 12
