"""The stored summary views, SQLite and PostgreSQL: a position counts once, and survives a reopen."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from eventsourcing.persistence import IntegrityError, Tracking

from services.reporting.projection import Figures
from services.reporting.records import Record, Writes
from services.reporting.views import PostgresSummaryView, SQLiteSummaryView, make_view

pytestmark = pytest.mark.integration


def test_the_url_picks_the_stored_view(database_url: str) -> None:
    view = make_view(database_url)
    try:
        expected = SQLiteSummaryView if database_url.startswith("sqlite:") else PostgresSummaryView
        assert type(view) is expected
    finally:
        view.close()


def test_a_position_applied_twice_is_refused_and_leaves_the_figures_unchanged(database_url: str) -> None:
    view = make_view(database_url)
    try:
        view.apply("jette", Figures(members=1), Tracking("jette", 1))
        view.apply("jette", Figures(exchanges_confirmed=1, quarters_confirmed=5), Tracking("jette", 3))

        # Again, and an older position: both refused, nothing written.
        with pytest.raises(IntegrityError):
            view.apply("jette", Figures(exchanges_confirmed=1, quarters_confirmed=5), Tracking("jette", 3))
        with pytest.raises(IntegrityError):
            view.apply("jette", Figures(members=1), Tracking("jette", 2))

        assert view.summary() == {"jette": Figures(members=1, exchanges_confirmed=1, quarters_confirmed=5)}
        assert view.max_tracking_id("jette") == 3
    finally:
        view.close()


def test_figures_and_positions_survive_closing_and_reopening_the_view(database_url: str) -> None:
    view = make_view(database_url)
    view.apply("laken", Figures(members=1), Tracking("laken", 4))
    view.apply("jette", Figures(exchanges_recorded=1), Tracking("jette", 7))
    view.close()

    reopened = make_view(database_url)
    try:
        assert reopened.summary() == {"jette": Figures(exchanges_recorded=1), "laken": Figures(members=1)}
        assert (reopened.max_tracking_id("jette"), reopened.max_tracking_id("laken")) == (7, 4)
        assert reopened.max_tracking_id("evere") is None
    finally:
        reopened.close()


def _writes(antenne_id: str) -> Callable[[Callable[[str], Record | None]], Writes]:
    return lambda read: {"member:1": {"at": antenne_id}, "exchange:9": {"q": 1}, "month:2026-11": {"new": 1}}


def test_records_are_read_for_one_antenne_and_for_some_kinds(database_url: str) -> None:
    view = make_view(database_url)
    try:
        for antenne_id in ("jette", "laken"):
            view.apply(antenne_id, Figures(members=1), Tracking(antenne_id, 1), _writes(antenne_id))

        assert set(view.records()) == {"jette", "laken"}
        assert view.records(antenne_id="laken") == {
            "laken": {"exchange:9": {"q": 1}, "member:1": {"at": "laken"}, "month:2026-11": {"new": 1}}
        }
        assert view.records(kinds={"member", "month"}) == {
            antenne: {"member:1": {"at": antenne}, "month:2026-11": {"new": 1}}
            for antenne in ("jette", "laken")
        }
        assert view.records(antenne_id="evere") == {}
    finally:
        view.close()
