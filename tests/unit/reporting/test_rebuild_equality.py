"""Invariant 7 on generated histories: a view rebuilt from the events equals the one kept incrementally.

The live view gets each antenne's events in chain order but interleaved with other antennes', with
redeliveries of what it already applied; the rebuild gets them once, antenne after antenne.
"""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from contracts.envelope import Envelope
from services.reporting.consumer import SummarySink
from services.reporting.rebuild import differences
from services.reporting.tables import REPORT_KINDS, report
from services.reporting.views import SummaryView, make_view
from tests.unit.reporting.generated import history


def _apply_live(view: SummaryView, seed: int) -> int:
    rng = random.Random(seed)
    sink = SummarySink(view)
    queues: dict[str, list[Envelope]] = {}
    for envelope in history(seed).envelopes:
        queues.setdefault(envelope.antenneid, []).append(envelope)
    applied: list[Envelope] = []
    while any(queues.values()):
        antenne = rng.choice([a for a, queue in queues.items() if queue])
        envelope = queues[antenne].pop(0)
        sink.apply(envelope, envelope.payload())
        applied.append(envelope)
        if rng.random() < 0.1:  # a redelivery of something already applied
            again = rng.choice(applied)
            assert sink.apply(again, again.payload()) is False
    return len(applied)


def _rebuild(view: SummaryView, seed: int) -> None:
    sink = SummarySink(view)
    for envelope in sorted(history(seed).envelopes, key=lambda e: (e.antenneid, e.position)):
        assert sink.apply(envelope, envelope.payload())


@pytest.mark.parametrize("seed", [11])
def test_the_rebuilt_view_equals_the_live_view_on_a_generated_history(seed: int, tmp_path: Path) -> None:
    live, rebuilt = make_view(f"sqlite:///{tmp_path}/live.db"), make_view("memory:")

    events = _apply_live(live, seed)
    _rebuild(rebuilt, seed)

    assert events >= 2000  # thousands of events, of every kind the history makes
    assert differences(live.contents(), rebuilt.contents()) == []
    for antenne_id, records in live.records().items():
        assert report(antenne_id, [records], 500) == report(antenne_id, [rebuilt.records()[antenne_id]], 500)
        # The pages read only the kinds of records the tables use (and one antenne's): the same report.
        (own,) = live.records(antenne_id=antenne_id, kinds=REPORT_KINDS).values()
        assert set(own) < set(records)
        assert report(antenne_id, [own], 500) == report(antenne_id, [records], 500)
    live.close()


def test_the_generated_history_fills_every_table_of_the_federation_report() -> None:
    view = make_view("memory:")
    _rebuild(view, 11)

    federation = report(None, view.records().values(), 3000)

    for table in federation.tables:
        assert table.rows, f"{table.name} is empty"
    assert sum(federation.table("members").column("new")) == len(history(11).members)  # type: ignore[arg-type]
    assert any(federation.table("requests").column("median_days_to_match"))
    assert sum(federation.table("reach").column("isolated_reached")) > 0  # type: ignore[arg-type]
