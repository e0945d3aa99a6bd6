"""How a rebuilt summary is compared with the live one, and what a rebuild refuses to do."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from eventsourcing.persistence import Tracking
from typer.testing import CliRunner

from services.reporting.cli import app
from services.reporting.projection import Figures
from services.reporting.rebuild import Progress, RebuildError, differences, rebuild
from services.reporting.records import Records
from services.reporting.views import InMemorySummaryView, ViewContents


def test_equal_summaries_have_no_differences() -> None:
    summary = {"jette": Figures(members=2, exchanges_confirmed=1, quarters_confirmed=5)}
    records: dict[str, Records] = {"jette": {"month:2026-01": {"donations": 1}}}

    assert differences(ViewContents(summary, records), ViewContents(dict(summary), dict(records))) == []


def test_each_differing_figure_and_each_missing_antenne_is_named() -> None:
    live = {"jette": Figures(members=3, quarters_confirmed=5), "laken": Figures(members=1)}
    rebuilt = {"jette": Figures(members=2, quarters_confirmed=5), "evere": Figures()}

    assert differences(ViewContents(live), ViewContents(rebuilt)) == [
        "evere: missing from the live view",
        "jette members: live 3, rebuilt 2",
        "laken: missing from the rebuilt view",
        "laken members: live 1, rebuilt 0",
    ]


def test_each_differing_record_is_named() -> None:
    live: dict[str, Records] = {"jette": {"month:2026-01": {"donations": 2}, "request:r1": {"matched": None}}}
    rebuilt = {"jette": {"month:2026-01": {"donations": 1}}}

    assert differences(ViewContents(records=live), ViewContents(records=rebuilt)) == [
        "jette month:2026-01: live {'donations': 2}, rebuilt {'donations': 1}",
        "jette request:r1: live {'matched': None}, rebuilt None",
    ]


def test_progress_reads_as_one_line_and_names_where_an_event_is_missing() -> None:
    progress = Progress(
        last_sequence=10, acknowledged=7, applied=6, duplicates=1, parked=0, waiting={"jette": 4}
    )

    assert progress.describe() == (
        "7/10 stream messages: 6 events applied, 1 duplicates dropped, 0 parked; "
        "waiting for the missing event of jette after position 4"
    )


def test_a_rebuild_into_a_view_that_holds_figures_is_refused() -> None:
    view = InMemorySummaryView()
    view.apply("jette", Figures(members=1), Tracking("jette", 1))

    with pytest.raises(RebuildError, match="not empty"):
        asyncio.run(rebuild("nats://127.0.0.1:1", view))


def test_the_rebuild_command_refuses_to_compare_with_a_live_view_that_does_not_exist(tmp_path: Path) -> None:
    missing = f"sqlite:///{tmp_path}/nothing-here.db"

    result = CliRunner().invoke(app, ["rebuild", "--compare-with", missing])

    assert result.exit_code == 2
    assert f"no live view at {missing}" in result.stderr
    assert not (tmp_path / "nothing-here.db").exists()
