"""Opening balances imported at an antenne are booked against its opening account: the books balance."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from uuid import uuid4

import pytest

from contracts.antenne.v1 import OpeningBalanceRecorded
from contracts.envelope import Envelope
from services.ledger.application import Ledger
from services.ledger.domain import OverdraftPolicy, account_id, opening_key
from services.persistence import eventsourcing_env
from tests.unit.ledger.antenne_events import AntenneEvents

IMPORT_ID = uuid4()


@pytest.fixture
def ledger() -> Iterator[Ledger]:
    with Ledger(env=eventsourcing_env("memory:"), overdraft=OverdraftPolicy(default_limit=8)) as opened:
        yield opened


def _opening(antenne: AntenneEvents, quarters: int) -> tuple[Envelope, Envelope]:
    registered = antenne.register()
    member_id = registered.aggregateid
    payload = OpeningBalanceRecorded(
        member_id=member_id, quarters=quarters, import_id=IMPORT_ID, recorded_on=date.today()
    )
    return registered, antenne.emit(payload, member_id, 2)


def _apply(ledger: Ledger, envelopes: list[Envelope]) -> None:
    for envelope in envelopes:
        ledger.apply(envelope, envelope.payload())


def test_opening_balances_move_between_members_and_the_opening_account(ledger: Ledger) -> None:
    jette, laken = AntenneEvents("jette"), AntenneEvents("laken")
    maria, jean, luc = _opening(jette, 16), _opening(jette, -6), _opening(laken, 4)
    envelopes = [*maria, *jean, *luc]

    _apply(ledger, envelopes)
    _apply(ledger, envelopes)  # redelivered: nothing twice

    audit = ledger.audit()
    assert [ledger.balance(pair[0].aggregateid) for pair in (maria, jean, luc)] == [16, -6, 4]
    assert ledger.repository.get(account_id(opening_key("jette"))).balance == -10
    assert (audit.opening_quarters, audit.sum_of_opening_accounts, audit.sum_of_accounts) == (14, -14, 0)
    assert (audit.antennes["jette"].opening_quarters, audit.antennes["laken"].opening_quarters) == (10, 4)
    assert audit.balanced


def test_the_opening_account_is_never_flagged_but_an_imported_overdraft_is(ledger: Ledger) -> None:
    jette = AntenneEvents("jette")
    _apply(ledger, [*_opening(jette, 40), *_opening(jette, -12)])

    flags = ledger.flags()

    assert [(flag.account_key.split(":")[0], flag.balance) for flag in flags] == [("member", -12)]
