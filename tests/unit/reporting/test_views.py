"""The in-memory summary view and its sink: every position counts once."""

from __future__ import annotations

import pytest
from eventsourcing.persistence import IntegrityError, Tracking

from services.reporting.consumer import SummarySink
from services.reporting.projection import Figures
from services.reporting.views import InMemorySummaryView, make_view
from tests.unit.reporting.antenne_feed import AntenneFeed


def test_applying_the_same_position_twice_is_refused_and_changes_nothing() -> None:
    view = InMemorySummaryView()
    view.apply("jette", Figures(members=1), Tracking("jette", 1))

    with pytest.raises(IntegrityError):
        view.apply("jette", Figures(members=1), Tracking("jette", 1))

    assert view.summary() == {"jette": Figures(members=1)}
    assert view.max_tracking_id("jette") == 1


def test_each_antenne_has_its_own_figures_and_position() -> None:
    view = InMemorySummaryView()
    view.apply("laken", Figures(members=1), Tracking("laken", 4))
    view.apply("jette", Figures(exchanges_confirmed=1, quarters_confirmed=6), Tracking("jette", 2))

    assert view.summary() == {
        "jette": Figures(exchanges_confirmed=1, quarters_confirmed=6),
        "laken": Figures(members=1),
    }
    assert (view.max_tracking_id("jette"), view.max_tracking_id("laken")) == (2, 4)
    assert view.max_tracking_id("evere") is None


def test_the_sink_applies_an_event_once_and_reports_the_duplicate() -> None:
    sink = SummarySink(make_view("memory:"))
    jette = AntenneFeed("jette")
    recorded = jette.record(quarters=3)
    confirmed = jette.confirm(recorded)

    first = [sink.apply(envelope, envelope.payload()) for envelope in (recorded, confirmed)]
    again = sink.apply(recorded, recorded.payload())

    assert first == [True, True]
    assert again is False
    assert sink.view.summary() == {
        "jette": Figures(exchanges_recorded=1, exchanges_confirmed=1, quarters_confirmed=3)
    }
    assert sink.last_position("jette") == confirmed.position
