"""The summary sink applies a fetched run in one transaction; a repeated position leaves the figures exact."""

from __future__ import annotations

from pathlib import Path

import pytest

from services.reporting.consumer import SummarySink
from services.reporting.projection import Figures
from services.reporting.views import make_view
from tests.unit.ledger.antenne_events import AntenneEvents


@pytest.mark.parametrize("kind", ["memory", "sqlite"])
def test_runs_and_overlapping_redeliveries_count_each_event_once(kind: str, tmp_path: Path) -> None:
    view = make_view("memory:" if kind == "memory" else f"sqlite:///{tmp_path / 'reporting.db'}")
    sink = SummarySink(view)
    jette, laken = AntenneEvents("jette", burnt_ids=frozenset({3})), AntenneEvents("laken")
    anna, bert, carl = jette.register(), jette.register(), laken.register()
    recorded, confirmed = jette.exchange(helper=bert.aggregateid, recipient=anna.aggregateid, quarters=6)
    run = [(e, e.payload()) for e in (anna, carl, bert, recorded, confirmed)]

    assert sink.apply_all(run[:3]) == [True, True, True]
    assert sink.apply_all(run[1:]) == [False, False, True, True]  # refused as a run, then one by one
    assert sink.apply_all(run) == [False] * 5

    assert view.summary() == {
        "jette": Figures(members=2, exchanges_recorded=1, exchanges_confirmed=1, quarters_confirmed=6),
        "laken": Figures(members=1),
    }
    assert sink.last_position("jette") == confirmed.position
    view.close()


@pytest.mark.parametrize("kind", ["memory", "sqlite"])
def test_a_run_leaves_the_same_figures_and_records_as_its_events_one_by_one(
    kind: str, tmp_path: Path
) -> None:
    jette = AntenneEvents("jette")
    anna, bert = jette.register(), jette.register()
    exchanges = [
        jette.exchange(helper=bert.aggregateid, recipient=anna.aggregateid, quarters=q) for q in (2, 5)
    ]
    run = [
        (e, e.payload()) for e in (anna, bert, *exchanges[0], *exchanges[1], jette.reverse(exchanges[0][1]))
    ]
    batched = make_view("memory:" if kind == "memory" else f"sqlite:///{tmp_path / 'batched.db'}")
    one_by_one = make_view("memory:")

    assert SummarySink(batched).apply_all(run) == [True] * len(run)
    assert [SummarySink(one_by_one).apply(envelope, payload) for envelope, payload in run] == [True] * len(
        run
    )

    assert batched.contents() == one_by_one.contents()
    assert batched.records()["jette"]  # the run read and wrote its own members' and exchanges' records
    batched.close()


def test_an_event_twice_in_one_run_counts_once() -> None:
    view = make_view("memory:")
    jette = AntenneEvents("jette")
    anna = jette.register()

    assert SummarySink(view).apply_all([(anna, anna.payload()), (anna, anna.payload())]) == [True, False]
    assert view.summary() == {"jette": Figures(members=1)}
