"""The ledger application on in-memory persistence: exactly once, in chain order, balanced."""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Iterator
from uuid import UUID, uuid4

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from contracts.envelope import Envelope
from services.ledger.application import AntenneIntake, Ledger
from services.ledger.domain import Account, AccountNotFoundError, OutOfOrderError, account_id, member_key
from services.persistence import eventsourcing_env
from tests.unit.ledger.antenne_events import AntenneEvents


@pytest.fixture
def ledger() -> Iterator[Ledger]:
    with Ledger(env=eventsourcing_env("memory:")) as opened:
        yield opened


def _apply(ledger: Ledger, *envelopes: Envelope) -> list[bool]:
    return [ledger.apply(envelope, envelope.payload()) for envelope in envelopes]


def test_a_confirmed_exchange_moves_quarters_from_the_recipient_to_the_helper(ledger: Ledger) -> None:
    jette = AntenneEvents("jette")
    anna, bert = jette.register(), jette.register()
    recorded, confirmed = jette.exchange(helper=bert.aggregateid, recipient=anna.aggregateid, quarters=5)

    _apply(ledger, anna, bert, recorded, confirmed)

    assert ledger.balance(bert.aggregateid) == 5
    assert ledger.balance(anna.aggregateid) == -5


def test_a_recorded_exchange_moves_nothing_but_its_position_is_applied(ledger: Ledger) -> None:
    jette = AntenneEvents("jette")
    anna, bert = jette.register(), jette.register()
    recorded, _ = jette.exchange(helper=bert.aggregateid, recipient=anna.aggregateid, quarters=5)

    assert _apply(ledger, anna, bert, recorded) == [True, True, True]

    assert ledger.balance(bert.aggregateid) == 0
    assert ledger.last_position("jette") == recorded.position


def test_applying_the_same_envelope_twice_changes_the_books_once(ledger: Ledger) -> None:
    jette = AntenneEvents("jette")
    anna, bert = jette.register(), jette.register()
    recorded, confirmed = jette.exchange(helper=bert.aggregateid, recipient=anna.aggregateid, quarters=3)
    _apply(ledger, anna, bert, recorded, confirmed)
    notifications_before = ledger.recorder.max_notification_id()

    # A redelivery, and an old event republished after a long outage.
    assert _apply(ledger, confirmed, anna) == [False, False]

    assert ledger.balance(bert.aggregateid) == 3
    assert ledger.recorder.max_notification_id() == notifications_before
    assert ledger.audit().antennes["jette"].events_applied == 4


def test_an_event_that_does_not_follow_the_last_one_applied_is_refused_not_skipped(ledger: Ledger) -> None:
    jette = AntenneEvents("jette", burnt_ids=frozenset({2}))
    anna, bert = jette.register(), jette.register()
    recorded, confirmed = jette.exchange(helper=bert.aggregateid, recipient=anna.aggregateid, quarters=2)
    _apply(ledger, anna)

    # Bert's registration is missing: the recorded exchange must wait for it.
    with pytest.raises(OutOfOrderError):
        _apply(ledger, recorded)

    assert ledger.last_position("jette") == anna.position
    assert _apply(ledger, bert, recorded, confirmed) == [True, True, True]
    assert ledger.last_position("jette") == confirmed.position == 5


def test_an_exchange_with_a_member_of_another_antenne_opens_their_account_until_they_arrive(
    ledger: Ledger,
) -> None:
    jette, laken = AntenneEvents("jette"), AntenneEvents("laken")
    anna = jette.register()
    carla = laken.register()  # Laken's events have not arrived yet.
    recorded, confirmed = jette.exchange(helper=carla.aggregateid, recipient=anna.aggregateid, quarters=4)

    _apply(ledger, anna, recorded, confirmed)
    assert ledger.balance(carla.aggregateid) == 4

    _apply(ledger, carla)
    assert ledger.balance(carla.aggregateid) == 4
    carla_account: Account = ledger.repository.get(account_id(member_key(carla.aggregateid)))
    assert carla_account.home_antenne == "laken"
    assert ledger.audit().accounts == 2


def test_the_audit_sums_the_accounts_and_counts_what_each_antenne_sent(ledger: Ledger) -> None:
    jette, laken = AntenneEvents("jette", burnt_ids=frozenset({3})), AntenneEvents("laken")
    anna, bert, carla = jette.register(), jette.register(), laken.register()
    _apply(ledger, anna, bert, carla)
    _apply(ledger, *jette.exchange(helper=bert.aggregateid, recipient=anna.aggregateid, quarters=5))
    _apply(ledger, *laken.exchange(helper=carla.aggregateid, recipient=bert.aggregateid, quarters=2))

    audit = ledger.audit()

    assert audit.balanced
    assert (audit.accounts, audit.sum_of_accounts) == (3, 0)
    assert audit.credited_by_exchanges == audit.confirmed_quarters == 7
    assert audit.antennes == {
        "jette": AntenneIntake(events_applied=4, last_position=5, confirmed_quarters=5),
        "laken": AntenneIntake(events_applied=3, last_position=3, confirmed_quarters=2),
    }


def test_an_unknown_member_has_no_balance(ledger: Ledger) -> None:
    with pytest.raises(AccountNotFoundError):
        ledger.balance(uuid4())


def test_a_busy_account_is_snapshotted_and_loads_the_same_from_its_snapshot(ledger: Ledger) -> None:
    jette = AntenneEvents("jette")
    anna, bert = jette.register(), jette.register()
    _apply(ledger, anna, bert)
    for _ in range(60):  # 120 postings on Anna's account
        _apply(ledger, *jette.exchange(helper=bert.aggregateid, recipient=anna.aggregateid, quarters=1))
        _apply(ledger, *jette.exchange(helper=anna.aggregateid, recipient=bert.aggregateid, quarters=2))

    anna_id = account_id(member_key(anna.aggregateid))
    assert ledger.snapshots is not None
    assert list(ledger.snapshots.get(anna_id))
    # Without the cache: the snapshot plus the events after it.
    ledger.repository.cache = None
    assert ledger.repository.get(anna_id).balance == ledger.balance(anna.aggregateid) == 60


@st.composite
def _journeys(draw: st.DrawFn) -> list[tuple[int, str, int, int, int]]:
    """Steps (antenne, what, helper, recipient, quarters) over a handful of members."""
    return draw(
        st.lists(
            st.tuples(
                st.integers(0, 1),
                st.sampled_from(["register", "exchange", "redeliver"]),
                st.integers(0, 5),
                st.integers(0, 5),
                st.integers(1, 32),
            ),
            max_size=40,
        )
    )


@settings(max_examples=60, deadline=None)
@given(steps=_journeys(), seed=st.randoms(use_true_random=False))
def test_any_mix_of_registrations_exchanges_and_redeliveries_keeps_the_books_balanced(
    steps: list[tuple[int, str, int, int, int]], seed: random.Random
) -> None:
    members = [uuid4() for _ in range(6)]
    antennes = [AntenneEvents("jette", burnt_ids=frozenset({2, 5})), AntenneEvents("laken")]
    expected: dict[UUID, int] = defaultdict(int)
    confirmed_total = 0
    with Ledger(env=eventsourcing_env("memory:")) as ledger:
        for antenne_index, what, helper, recipient, quarters in steps:
            antenne = antennes[antenne_index]
            if what == "register":
                _apply(ledger, antenne.register(members[helper]))
            elif what == "exchange":
                _apply(ledger, *antenne.exchange(members[helper], members[recipient], quarters))
                expected[members[helper]] += quarters
                expected[members[recipient]] -= quarters
                confirmed_total += quarters
            elif antenne.published:
                # A redelivery of any event already applied changes nothing.
                assert _apply(ledger, seed.choice(antenne.published)) == [False]

        audit = ledger.audit()
        assert audit.balanced
        assert audit.confirmed_quarters == audit.credited_by_exchanges == confirmed_total
        applied = sum(intake.events_applied for intake in audit.antennes.values())
        assert applied == sum(len(antenne.published) for antenne in antennes)
        for member_id, quarters in expected.items():
            assert ledger.balance(member_id) == quarters


def test_a_reversed_exchange_gives_the_quarters_back_and_the_books_still_balance(ledger: Ledger) -> None:
    jette = AntenneEvents("jette")
    anna, bert = jette.register(), jette.register()
    recorded, confirmed = jette.exchange(helper=bert.aggregateid, recipient=anna.aggregateid, quarters=5)
    kept = jette.exchange(helper=bert.aggregateid, recipient=anna.aggregateid, quarters=2)

    _apply(ledger, anna, bert, recorded, confirmed, *kept, jette.reverse(confirmed))

    audit = ledger.audit()
    assert (ledger.balance(bert.aggregateid), ledger.balance(anna.aggregateid)) == (2, -2)
    assert (audit.credited_by_exchanges, audit.confirmed_quarters, audit.balanced) == (2, 2, True)
    assert [line.quarters for line in ledger.statement(bert.aggregateid).lines] == [5, 2, -5]
