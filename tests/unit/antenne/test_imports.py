"""Importing an existing member list: every row checked first, all or nothing, and the same list twice
changes nothing."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest
from eventsourcing.domain import DomainEvent

from contracts.antenne.v1 import OpeningBalanceRecorded
from services.antenne.application import Antenne, ImportBatch, ImportRow
from services.antenne.application.imports import imported_member_id
from services.antenne.domain import ImportRefusedError, Member, OpeningBalanceError, PostingKind
from services.antenne.outbound import contract_of
from services.persistence import eventsourcing_env

DIGEST = "0" * 64
ROWS = (
    ImportRow(row=2, key="J1", display_name="Maria", opening_quarters=6, registered_on=date(2024, 3, 5)),
    ImportRow(row=3, key="J2", display_name="Jean", opening_quarters=-6),
    ImportRow(row=4, key="J4", display_name="Luc"),
)


def _batch(*rows: ImportRow, source: str = "Jette 2025") -> ImportBatch:
    return ImportBatch("jette", source, "leden.xlsx", DIGEST, rows)


@pytest.fixture
def antenne() -> Iterator[Antenne]:
    with Antenne(env=eventsourcing_env("memory:")) as opened:
        yield opened


def _log_length(antenne: Antenne) -> int:
    return antenne.recorder.max_notification_id() or 0


def test_a_row_the_antenne_refuses_stops_the_whole_import(antenne: Antenne) -> None:
    blank = ImportRow(row=5, key="J5", display_name="   ")

    with pytest.raises(ImportRefusedError) as refused:
        antenne.import_members(_batch(*ROWS, blank))

    assert refused.value.problems == ["row 5 (key J5): display_name must not be blank"]
    assert _log_length(antenne) == 0


def test_members_and_opening_balances_are_recorded_with_their_source(antenne: Antenne) -> None:
    outcome = antenne.import_members(_batch(*ROWS))

    maria = antenne.get_member(imported_member_id("jette", "Jette 2025", "J1"))
    jean = antenne.get_member(imported_member_id("jette", "Jette 2025", "J2"))
    assert (outcome.imported, outcome.already_present, outcome.opening_quarters) == (3, 0, 0)
    assert (maria.balance, jean.balance, maria.registered_on) == (6, -6, date(2024, 3, 5))
    assert maria.number.endswith("-0001")
    assert maria.imported_from == ("Jette 2025", "leden.xlsx", 2, "J1", antenne.today())
    assert [p.kind for p in maria.postings] == [PostingKind.OPENING]


def test_the_same_list_again_changes_nothing(antenne: Antenne) -> None:
    first = antenne.import_members(_batch(*ROWS))
    length = _log_length(antenne)

    again = antenne.import_members(_batch(*ROWS))

    assert (again.imported, again.already_present, again.import_id) == (0, 3, first.import_id)
    assert _log_length(antenne) == length


def test_an_opening_balance_is_published_but_where_it_came_from_is_not(antenne: Antenne) -> None:
    antenne.import_members(_batch(*ROWS))
    maria_id = imported_member_id("jette", "Jette 2025", "J1")

    stored = [e for e in antenne.events.get(maria_id) if isinstance(e, DomainEvent)]
    published = [contract_of(e) for e in stored]

    opening = [c for c in published if isinstance(c, OpeningBalanceRecorded)]
    assert [(c.member_id, c.quarters) for c in opening] == [(maria_id, 6)]
    imported = [e for e in stored if isinstance(e, Member.Imported)]
    assert len(imported) == 1
    assert contract_of(imported[0]) is None  # the source, file, row and key stay at the antenne


def test_a_member_has_one_opening_balance(antenne: Antenne) -> None:
    antenne.import_members(_batch(*ROWS))
    maria = antenne.get_member(imported_member_id("jette", "Jette 2025", "J1"))

    with pytest.raises(OpeningBalanceError):
        maria.open_balance(maria.id, 4, date.today())
