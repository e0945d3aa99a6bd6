"""Two ledgers on the same books (a zombie left running): an event still counts once, on both back ends."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from contracts.envelope import Envelope
from services.ledger.application import Ledger
from services.persistence import eventsourcing_env
from tests.unit.ledger.antenne_events import AntenneEvents

pytestmark = pytest.mark.integration


@pytest.fixture
def two_ledgers(database_url: str) -> Iterator[tuple[Ledger, Ledger]]:
    with (
        Ledger(env=eventsourcing_env(database_url)) as one,
        Ledger(env=eventsourcing_env(database_url)) as two,
    ):
        yield one, two


def _apply(ledger: Ledger, envelope: Envelope) -> bool:
    return ledger.apply(envelope, envelope.payload())


def test_a_ledger_with_stale_copies_cannot_apply_an_event_the_other_one_applied(
    two_ledgers: tuple[Ledger, Ledger],
) -> None:
    one, two = two_ledgers
    jette = AntenneEvents("jette")
    anna, bert = jette.register(), jette.register()
    recorded, confirmed = jette.exchange(bert.aggregateid, anna.aggregateid, 5)
    for envelope in (anna, bert, recorded):
        assert _apply(one, envelope)
    assert not _apply(two, recorded)  # `two` now caches Jette's feed and both accounts

    # `one` books the exchange; `two`, working from its cached copies, tries the same.
    assert _apply(one, confirmed)
    assert not _apply(two, confirmed)

    assert one.balance(bert.aggregateid) == two.balance(bert.aggregateid) == 5
    assert two.audit().antennes["jette"].events_applied == 4


def test_after_a_conflict_the_stale_copies_are_dropped_and_the_next_event_applies(
    two_ledgers: tuple[Ledger, Ledger], database_url: str
) -> None:
    one, two = two_ledgers
    jette = AntenneEvents("jette")
    anna, bert = jette.register(), jette.register()
    first = jette.exchange(bert.aggregateid, anna.aggregateid, 2)
    second = jette.exchange(bert.aggregateid, anna.aggregateid, 3)
    for envelope in (anna, bert, *first):
        _apply(two, envelope)
    for envelope in (anna, bert, *first, second[0]):
        _apply(one, envelope)

    # `two` still believes `first` is the last; `second[0]` was applied by `one`.
    assert not _apply(two, second[0])
    assert _apply(two, second[1])

    # Read afresh: `one` is now the stale one (one writer per database is the rule; this was a zombie).
    with Ledger(env=eventsourcing_env(database_url)) as books:
        audit = books.audit()
        assert books.balance(anna.aggregateid) == -5
    assert audit.balanced
    assert (audit.confirmed_quarters, audit.antennes["jette"].events_applied) == (5, 6)
