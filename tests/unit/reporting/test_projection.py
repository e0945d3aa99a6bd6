"""What each antenne event changes in the summary."""

from __future__ import annotations

from datetime import date
from typing import ClassVar
from uuid import uuid4

from contracts.antenne.v1 import ExchangeReversed
from contracts.base import Contract
from services.reporting.projection import NO_CHANGE, Figures, change_for, total
from tests.unit.reporting.antenne_feed import AntenneFeed


class GatheringHeld(Contract):
    """A contract reporting does not count (yet)."""

    TYPE: ClassVar[str] = "gathering.held"
    VERSION: ClassVar[int] = 1


def test_a_registered_member_counts_one_member() -> None:
    registered = AntenneFeed("jette").register()

    assert change_for(registered.payload()) == Figures(members=1)


def test_a_recorded_exchange_counts_one_recorded_exchange_and_no_quarters_yet() -> None:
    recorded = AntenneFeed("jette").record(quarters=5)

    assert change_for(recorded.payload()) == Figures(exchanges_recorded=1)


def test_a_confirmed_exchange_counts_one_confirmed_exchange_and_its_quarters() -> None:
    jette = AntenneFeed("jette")
    confirmed = jette.confirm(jette.record(quarters=5))

    assert change_for(confirmed.payload()) == Figures(exchanges_confirmed=1, quarters_confirmed=5)


def test_a_reversed_exchange_takes_back_its_count_and_quarters_as_the_ledger_does() -> None:
    reversal = ExchangeReversed(
        exchange_id=uuid4(),
        helper_id=uuid4(),
        recipient_id=uuid4(),
        quarters=5,
        reversed_on=date(2026, 11, 21),
    )

    assert change_for(reversal) == Figures(exchanges_confirmed=-1, quarters_confirmed=-5)


def test_an_event_reporting_does_not_count_changes_nothing() -> None:
    assert change_for(GatheringHeld()) == NO_CHANGE


def test_the_federation_total_adds_every_figure_of_every_antenne() -> None:
    jette = Figures(members=2, exchanges_recorded=3, exchanges_confirmed=1, quarters_confirmed=5)
    laken = Figures(members=1, exchanges_confirmed=2, quarters_confirmed=8)

    assert total([jette, laken]) == Figures(
        members=3, exchanges_recorded=3, exchanges_confirmed=3, quarters_confirmed=13
    )
    assert total([]) == NO_CHANGE
