"""The ledger's decisions become messages for the antennes they concern, chained per antenne, once."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest

from contracts.antenne.v1 import MemberMovedIn
from contracts.envelope import Envelope
from contracts.ledger.decisions import BalanceChanged, MemberRehomed, OverdraftFlagged
from services.ledger.application import Ledger
from services.ledger.domain import OverdraftPolicy, member_key
from services.ledger.feedback import LedgerOutbox
from services.messaging.relay import Outgoing
from services.persistence import eventsourcing_env
from tests.unit.ledger.antenne_events import AntenneEvents


@pytest.fixture
def ledger() -> Iterator[Ledger]:
    with Ledger(env=eventsourcing_env("memory:"), overdraft=OverdraftPolicy(default_limit=4)) as opened:
        yield opened


def _apply(ledger: Ledger, envelopes: list[Envelope]) -> None:
    for envelope in envelopes:
        ledger.apply(envelope, envelope.payload())


def _read_all(outbox: LedgerOutbox) -> list[Outgoing]:
    return outbox.read(1, 10_000).outgoing


def test_a_cross_antenne_exchange_tells_each_home_its_own_members_balance(ledger: Ledger) -> None:
    jette, laken = AntenneEvents("jette"), AntenneEvents("laken")
    helper, recipient = jette.register(), laken.register()
    _apply(ledger, [helper, recipient, *jette.exchange(helper.aggregateid, recipient.aggregateid, 3)])

    outgoing = _read_all(LedgerOutbox(ledger))

    balances = {o.subject: o.envelope.payload() for o in outgoing if o.envelope.type == BalanceChanged.TYPE}
    assert set(balances) == {"ledger.jette.account.balance_changed", "ledger.laken.account.balance_changed"}
    helped, received = (
        balances["ledger.jette.account.balance_changed"],
        balances["ledger.laken.account.balance_changed"],
    )
    assert isinstance(helped, BalanceChanged)
    assert isinstance(received, BalanceChanged)
    assert (helped.member_id, helped.balance_quarters, helped.change_quarters) == (helper.aggregateid, 3, 3)
    assert (received.member_id, received.balance_quarters, received.change_quarters) == (
        recipient.aggregateid,
        -3,
        -3,
    )
    assert received.cause_type == "exchange.confirmed"
    assert received.cause_antenne == "jette"
    # Each antenne's messages form their own chain, on the ledger's positions.
    assert all(o.envelope.antenneid == "ledger" and o.envelope.source == "/ledger" for o in outgoing)
    assert all(o.envelope.previousposition is None for o in outgoing)


def test_successive_balances_chain_and_a_restart_publishes_nothing_twice(ledger: Ledger) -> None:
    jette = AntenneEvents("jette")
    helper, recipient = jette.register(), jette.register()
    _apply(ledger, [helper, recipient, *jette.exchange(helper.aggregateid, recipient.aggregateid, 2)])
    outbox = LedgerOutbox(ledger)
    first = _read_all(outbox)
    outbox.record(first)

    _apply(ledger, list(jette.exchange(helper.aggregateid, recipient.aggregateid, 1)))
    restarted = LedgerOutbox(ledger)
    resumed_at = restarted.resume()
    second = restarted.read((resumed_at or 0) + 1, 10_000).outgoing
    again_from_the_start = restarted.read(1, 10_000).outgoing

    assert resumed_at == first[-1].position
    assert [o.envelope.payload().balance_quarters for o in second] == [-3, 3]  # type: ignore[attr-defined]
    assert second[0].envelope.previousposition == first[-1].position
    assert second[1].envelope.previousposition == second[0].position
    # Reading from the start skips what the chain says was published: no message twice.
    assert [o.envelope.id for o in again_from_the_start] == [o.envelope.id for o in second]
    assert len({o.envelope.id for o in first + second}) == 4


def test_an_overdraft_flag_goes_to_the_antenne_that_recorded_the_spending(ledger: Ledger) -> None:
    jette = AntenneEvents("jette")
    helper, recipient = jette.register(), jette.register()
    _apply(ledger, [helper, recipient, *jette.exchange(helper.aggregateid, recipient.aggregateid, 6)])

    flags = [o for o in _read_all(LedgerOutbox(ledger)) if o.envelope.type == OverdraftFlagged.TYPE]

    assert [o.subject for o in flags] == ["ledger.jette.account.overdraft_flagged"]
    flag = flags[0].envelope.payload()
    assert isinstance(flag, OverdraftFlagged)
    assert (flag.account, flag.balance_quarters, flag.limit_quarters) == (
        member_key(recipient.aggregateid),
        -6,
        4,
    )


def test_a_move_tells_the_new_home_the_balance_the_member_brings(ledger: Ledger) -> None:
    jette, laken = AntenneEvents("jette"), AntenneEvents("laken")
    helper, other = jette.register(), jette.register()
    _apply(ledger, [helper, other, *jette.exchange(helper.aggregateid, other.aggregateid, 5)])
    moved = MemberMovedIn(
        member_id=helper.aggregateid, from_antenne="jette", balance=5, moved_on=date.today()
    )
    _apply(ledger, [laken.emit(moved, helper.aggregateid)])

    to_laken = [o for o in _read_all(LedgerOutbox(ledger)) if o.subject.startswith("ledger.laken.")]

    assert [o.envelope.type for o in to_laken] == [MemberRehomed.TYPE]
    rehomed = to_laken[0].envelope.payload()
    assert isinstance(rehomed, MemberRehomed)
    assert (rehomed.from_antenne, rehomed.to_antenne, rehomed.balance_quarters) == ("jette", "laken", 5)


def test_reading_from_the_middle_of_the_log_maps_every_decision_as_reading_from_the_start(
    ledger: Ledger,
) -> None:
    jette, laken = AntenneEvents("jette"), AntenneEvents("laken")
    members = [jette.register(), laken.register(), jette.register()]
    envelopes = list(members)
    for n in range(12):
        helper, recipient = members[n % 3], members[(n + 1) % 3]
        envelopes += jette.exchange(helper.aggregateid, recipient.aggregateid, 1 + n % 5)
    _apply(ledger, envelopes)
    whole = LedgerOutbox(ledger, replay=True).read(1, 10_000).outgoing
    middle = whole[len(whole) // 2].position

    # A fresh reader starting mid-log loads the accounts it did not follow: the same decisions and ids.
    from_middle = LedgerOutbox(ledger, replay=True).read(middle, 10_000).outgoing

    expected = [o for o in whole if o.position >= middle]
    assert [o.envelope.payload() for o in from_middle] == [o.envelope.payload() for o in expected]
    assert [o.envelope.id for o in from_middle] == [o.envelope.id for o in expected]


def test_the_log_is_mapped_without_loading_from_the_store_once_each_account_was_seen(
    ledger: Ledger, monkeypatch: pytest.MonkeyPatch
) -> None:
    jette = AntenneEvents("jette")
    members = [jette.register() for _ in range(4)]
    envelopes = list(members)
    for n in range(20):
        envelopes += jette.exchange(members[n % 4].aggregateid, members[(n + 1) % 4].aggregateid, 1)
    _apply(ledger, envelopes)
    loads: list[object] = []
    load = ledger.repository.get

    def counted_load(*args: Any, **kwargs: Any) -> Any:
        loads.append(args)
        return load(*args, **kwargs)

    monkeypatch.setattr(ledger.repository, "get", counted_load)

    whole = LedgerOutbox(ledger, replay=True).read(1, 10_000).outgoing
    assert len([o for o in whole if o.envelope.type == BalanceChanged.TYPE]) == 2 * 20
    assert loads == []

    # In sections of 7, a transfer's postings (stored before its Made event) may end a section: that
    # transfer is loaded, once.
    outbox, outgoing, start = LedgerOutbox(ledger, replay=True), [], 1
    while (batch := outbox.read(start, 7)).full:
        outgoing += batch.outgoing
        start = batch.read_up_to + 1
    outgoing += batch.outgoing
    assert [o.envelope.payload() for o in outgoing] == [o.envelope.payload() for o in whole]
    assert 0 < len(loads) == len(set(loads)) < 20
