"""Two-phase transfers between antennes and with partners: held, then committed or released, once."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from uuid import UUID, uuid4

import pytest

from contracts.antenne.v1 import MemberMovedIn, MemberMovedOut
from contracts.envelope import Envelope
from contracts.ledger.transfers import (
    RejectReason,
    Side,
    TransferCommitted,
    TransferFulfilled,
    TransferKind,
    TransferPrepared,
    TransferRejected,
    TransferRequested,
)
from services.ledger.alliance import Alliance, PartnerAgreement
from services.ledger.application import Ledger
from services.ledger.desk import FEDERATION
from services.ledger.domain import OverdraftPolicy
from services.ledger.feedback import LedgerOutbox
from services.ledger.transfers import (
    ConflictingRequestError,
    NotTheKeeperError,
    TransferState,
    hold_key,
)
from services.persistence import eventsourcing_env
from tests.support.dates import RECENT
from tests.unit.ledger.antenne_events import AntenneEvents

NOW = datetime(2026, 11, 23, 12, tzinfo=UTC)
BDBD = PartnerAgreement("bdbd", "Bras dessus Bras dessous", bilateral_limit=40)
HALF = PartnerAgreement(
    "halfy", "A network whose hour counts half", bilateral_limit=40, ours_per_theirs=(1, 2)
)


@pytest.fixture
def ledger() -> Iterator[Ledger]:
    policy = OverdraftPolicy(default_limit=8)
    alliance = Alliance((BDBD, HALF))
    with Ledger(env=eventsourcing_env("memory:"), overdraft=policy, alliance=alliance) as opened:
        yield opened


def _member(antenne: str, member: UUID | None = None) -> Side:
    return Side(antenne=antenne, member=str(member or uuid4()))


def _ask(payer: Side, payee: Side, quarters: int, **extra: object) -> TransferRequested:
    return TransferRequested.model_validate(
        {
            "transfer_id": uuid4(),
            "payer": payer,
            "payee": payee,
            "quarters": quarters,
            "kind": TransferKind.EXCHANGE,
            "performed_on": RECENT,
            **extra,
        }
    )


def _balance(ledger: Ledger, side: Side) -> int:
    return ledger.balance(UUID(side.member))


def _sum_of_accounts(ledger: Ledger) -> int:
    return ledger.audit().sum_of_accounts


def test_a_cross_antenne_exchange_is_held_then_committed_on_the_payees_fulfilment(ledger: Ledger) -> None:
    laken, jette = _member("laken"), _member("jette")
    request = _ask(laken, jette, 6)

    held = ledger.request_transfer(request, "antenne:laken", NOW)
    assert held.state is TransferState.PREPARED
    assert (_balance(ledger, laken), ledger.desk.books.account(hold_key(held.id)).balance) == (-6, 6)  # type: ignore[union-attr]

    done = ledger.fulfil_transfer(request.transfer_id, "antenne:jette", NOW)
    assert done.state is TransferState.COMMITTED
    assert (_balance(ledger, laken), _balance(ledger, jette)) == (-6, 6)
    assert ledger.desk.books.account(hold_key(held.id)).balance == 0  # type: ignore[union-attr]
    assert _sum_of_accounts(ledger) == 0


def test_a_repeated_request_or_answer_changes_nothing(ledger: Ledger) -> None:
    laken, jette = _member("laken"), _member("jette")
    request = _ask(laken, jette, 6)
    ledger.request_transfer(request, "antenne:laken", NOW)
    ledger.request_transfer(request, "antenne:laken", NOW)
    ledger.fulfil_transfer(request.transfer_id, "antenne:jette", NOW)
    ledger.fulfil_transfer(request.transfer_id, "antenne:jette", NOW)
    ledger.reject_transfer(request.transfer_id, "antenne:jette", RejectReason.DECLINED, NOW)
    assert (_balance(ledger, laken), _balance(ledger, jette)) == (-6, 6)
    assert ledger.cross_transfer(request.transfer_id).state is TransferState.COMMITTED


def test_the_same_id_for_another_transfer_is_a_conflict(ledger: Ledger) -> None:
    laken, jette = _member("laken"), _member("jette")
    request = _ask(laken, jette, 6)
    ledger.request_transfer(request, "antenne:laken", NOW)
    with pytest.raises(ConflictingRequestError):
        ledger.request_transfer(request.model_copy(update={"quarters": 7}), "antenne:laken", NOW)


def test_only_the_payees_side_answers_and_only_the_payers_side_asks(ledger: Ledger) -> None:
    laken, jette = _member("laken"), _member("jette")
    request = _ask(laken, jette, 6)
    with pytest.raises(NotTheKeeperError):
        ledger.request_transfer(request, "antenne:jette", NOW)
    ledger.request_transfer(request, "antenne:laken", NOW)
    with pytest.raises(NotTheKeeperError):
        ledger.fulfil_transfer(request.transfer_id, "antenne:laken", NOW)
    assert ledger.fulfil_transfer(request.transfer_id, FEDERATION, NOW).state is TransferState.COMMITTED


def test_a_rejection_releases_the_hours_back_to_the_payer(ledger: Ledger) -> None:
    laken, jette = _member("laken"), _member("jette")
    request = _ask(laken, jette, 6)
    ledger.request_transfer(request, "antenne:laken", NOW)
    released = ledger.reject_transfer(request.transfer_id, "antenne:jette", RejectReason.UNKNOWN_MEMBER, NOW)
    assert (released.state, released.reason) == (TransferState.RELEASED, "rejected")
    assert _balance(ledger, laken) == 0
    assert _sum_of_accounts(ledger) == 0


def test_spending_beyond_the_limit_is_refused_online_and_nothing_is_held(ledger: Ledger) -> None:
    laken, jette = _member("laken"), _member("jette")
    refused = ledger.request_transfer(_ask(laken, jette, 9), "antenne:laken", NOW)
    assert (refused.state, refused.reason) == (TransferState.REFUSED, "over_limit")
    assert (
        ledger.request_transfer(_ask(laken, jette, 8), "antenne:laken", NOW).state is TransferState.PREPARED
    )
    # What is held counts: the next quarter hour would pass the limit.
    assert ledger.request_transfer(_ask(laken, jette, 1), "antenne:laken", NOW).reason == "over_limit"


def test_an_unanswered_hold_is_released_at_its_expiry_and_a_late_fulfilment_finds_it_released(
    ledger: Ledger,
) -> None:
    laken, jette = _member("laken"), _member("jette")
    request = _ask(laken, jette, 4, expires_at=NOW + timedelta(hours=1))
    ledger.request_transfer(request, "antenne:laken", NOW)
    assert ledger.expire_holds(NOW) == []
    expired = ledger.expire_holds(NOW + timedelta(hours=2))
    assert [(t.id, t.reason) for t in expired] == [(request.transfer_id, "expired")]
    late = ledger.fulfil_transfer(request.transfer_id, "antenne:jette", NOW + timedelta(hours=3))
    assert late.state is TransferState.RELEASED
    assert _balance(ledger, laken) == 0


def test_a_fulfilment_after_the_expiry_releases_even_before_the_sweep(ledger: Ledger) -> None:
    laken, jette = _member("laken"), _member("jette")
    request = _ask(laken, jette, 4, expires_at=NOW + timedelta(hours=1))
    ledger.request_transfer(request, "antenne:laken", NOW)
    late = ledger.fulfil_transfer(request.transfer_id, "antenne:jette", NOW + timedelta(hours=2))
    assert (late.state, late.reason) == (TransferState.RELEASED, "expired")


def test_a_member_who_moved_away_cannot_pay_from_the_old_home(ledger: Ledger) -> None:
    laken = AntenneEvents("laken")
    registered = laken.register()
    ledger.apply(registered, registered.payload())
    payer = _member("jette", registered.aggregateid)
    refused = ledger.request_transfer(_ask(payer, _member("evere"), 2), "antenne:jette", NOW)
    assert refused.reason == "moved_away"


def test_requests_and_answers_in_antenne_chains_are_applied_once_at_the_events_time(ledger: Ledger) -> None:
    laken, jette = AntenneEvents("laken"), AntenneEvents("jette")
    payer_reg, payee_reg = laken.register(), jette.register()
    request = _ask(_member("laken", payer_reg.aggregateid), _member("jette", payee_reg.aggregateid), 5)
    asked = laken.emit(request, request.transfer_id)
    answered = jette.emit(TransferFulfilled(transfer_id=request.transfer_id), request.transfer_id)
    for envelope in [payer_reg, payee_reg, asked, asked, answered, answered]:
        ledger.apply(envelope, envelope.payload())
    assert ledger.cross_transfer(request.transfer_id).state is TransferState.COMMITTED
    assert (ledger.balance(payer_reg.aggregateid), ledger.balance(payee_reg.aggregateid)) == (-5, 5)


def test_an_answer_from_an_antenne_that_is_not_the_payees_is_taken_in_but_not_acted_on(
    ledger: Ledger,
) -> None:
    laken = AntenneEvents("laken")
    request = _ask(_member("laken"), _member("jette"), 5)
    envelopes: list[Envelope] = [
        laken.emit(request, request.transfer_id),
        laken.emit(
            TransferRejected(transfer_id=request.transfer_id, reason=RejectReason.DECLINED),
            request.transfer_id,
            2,
        ),
    ]
    for envelope in envelopes:
        assert ledger.apply(envelope, envelope.payload())
    assert ledger.cross_transfer(request.transfer_id).state is TransferState.PREPARED
    assert ledger.last_position("laken") == 2


def test_a_partner_member_pays_a_buurtpensioen_member_through_the_clearing_account(ledger: Ledger) -> None:
    partner, member = Side(partner="bdbd", member="bdbd-7f3a"), _member("jette")
    request = _ask(partner, member, 8)
    ledger.request_transfer(request, "partner:bdbd", NOW)
    ledger.fulfil_transfer(request.transfer_id, "antenne:jette", NOW)
    assert (ledger.partner_position("bdbd"), _balance(ledger, member)) == (-8, 8)


def test_a_partner_position_is_bounded_by_its_bilateral_limit_either_way(ledger: Ledger) -> None:
    member = _member("jette")
    within = ledger.request_transfer(_ask(Side(partner="bdbd", member="p1"), member, 40), "partner:bdbd", NOW)
    beyond = ledger.request_transfer(_ask(Side(partner="bdbd", member="p1"), member, 1), "partner:bdbd", NOW)
    assert (within.state, beyond.reason) == (TransferState.PREPARED, "partner_limit")


def test_an_exchange_rate_converts_and_refuses_fractions_of_a_quarter_hour(ledger: Ledger) -> None:
    member = _member("jette")
    halved = ledger.request_transfer(
        _ask(Side(partner="halfy", member="h1"), member, 4), "partner:halfy", NOW
    )
    odd = ledger.request_transfer(_ask(Side(partner="halfy", member="h1"), member, 3), "partner:halfy", NOW)
    assert (halved.quarters, halved.payer_quarters) == (2, 4)
    assert odd.reason == "not_whole_quarters"


def test_unknown_partners_and_same_antenne_transfers_are_refused(ledger: Ledger) -> None:
    member = _member("jette")
    unknown = ledger.request_transfer(
        _ask(member, Side(partner="nobody", member="x1"), 1), "antenne:jette", NOW
    )
    same = ledger.request_transfer(_ask(member, _member("jette"), 1), "antenne:jette", NOW)
    assert (unknown.reason, same.reason) == ("unknown_partner", "same_keeper")


def test_a_clearing_run_nets_bilateral_positions_once_and_warns_near_the_limit(ledger: Ledger) -> None:
    jette, laken = _member("jette"), _member("laken")
    for payer, payee, quarters, by in [
        (jette, laken, 5, "antenne:jette"),
        (laken, jette, 2, "antenne:laken"),
        (Side(partner="bdbd", member="p1"), jette, 35, "partner:bdbd"),
    ]:
        made = ledger.request_transfer(_ask(payer, payee, quarters), by, NOW)
        ledger.fulfil_transfer(made.id, payee.keeper, NOW)
    run = ledger.run_clearing(NOW + timedelta(hours=1))
    nets = {(p.payer, p.payee): (p.paid, p.received, p.net) for p in run.positions}
    assert nets[("antenne:jette", "antenne:laken")] == (5, 2, 3)
    assert nets[("antenne:jette", "partner:bdbd")] == (0, 35, -35)
    assert [(w.partner, w.position, w.reached) for w in run.warnings] == [("bdbd", -35, False)]
    again = ledger.run_clearing(NOW + timedelta(hours=2))
    assert again.positions == ()
    assert again.period_start == run.period_end


def test_a_monthly_settlement_statement_lists_the_months_transfers_with_the_positions(ledger: Ledger) -> None:
    member = _member("jette")
    for when, payer, payee, by in [
        (datetime(2026, 10, 30, tzinfo=UTC), member, Side(partner="bdbd", member="p1"), "antenne:jette"),
        (datetime(2026, 11, 2, tzinfo=UTC), Side(partner="bdbd", member="p2"), member, "partner:bdbd"),
        (datetime(2026, 11, 3, tzinfo=UTC), member, Side(partner="bdbd", member="p1"), "antenne:jette"),
    ]:
        made = ledger.request_transfer(_ask(payer, payee, 3), by, when)
        ledger.fulfil_transfer(made.id, payee.keeper, when)
    statement = ledger.settlement("bdbd", "2026-11")
    assert [(line.direction, line.quarters) for line in statement.lines] == [("in", -3), ("out", 3)]
    assert (statement.opening_position, statement.closing_position) == (3, 3)
    assert (statement.paid_out, statement.received) == (3, 3)


def test_the_ledgers_transfer_decisions_go_to_the_payers_and_the_payees_antennes(ledger: Ledger) -> None:
    laken, jette = _member("laken"), _member("jette")
    request = _ask(laken, jette, 3)
    ledger.request_transfer(request, "antenne:laken", NOW)
    ledger.fulfil_transfer(request.transfer_id, "antenne:jette", NOW)
    ledger.run_clearing(NOW + timedelta(minutes=1))

    outgoing = LedgerOutbox(ledger).read(1, 10_000).outgoing

    decided = [(o.subject, o.envelope.payload()) for o in outgoing if o.envelope.type.startswith("transfer.")]
    assert [subject for subject, _ in decided] == [
        "ledger.laken.transfer.prepared", "ledger.jette.transfer.prepared",
        "ledger.laken.transfer.committed", "ledger.jette.transfer.committed",
    ]  # fmt: skip
    assert all(isinstance(p, TransferCommitted | TransferPrepared) for _, p in decided)
    cleared = [o.subject for o in outgoing if o.envelope.type == "clearing.recorded"]
    assert cleared == ["ledger.jette.clearing.recorded", "ledger.laken.clearing.recorded"]


def test_a_posting_from_a_members_former_home_is_booked_and_flagged_once(ledger: Ledger) -> None:
    laken, jette = AntenneEvents("laken"), AntenneEvents("jette")
    mover, neighbour = laken.register(), laken.register()
    member = mover.aggregateid
    moved = [
        laken.emit(
            MemberMovedOut(member_id=member, to_antenne="jette", balance=0, moved_on=RECENT), member, 2
        ),
        jette.emit(
            MemberMovedIn(member_id=member, from_antenne="laken", balance=0, moved_on=RECENT), member, 3
        ),
    ]
    late = laken.exchange(member, neighbour.aggregateid, 3)  # recorded offline at Laken before it knew
    helped = jette.register()
    at_home = jette.exchange(member, helped.aggregateid, 2)
    for envelope in [mover, neighbour, *moved, *late, *late, helped, *at_home]:
        ledger.apply(envelope, envelope.payload())

    [flag] = ledger.moved_away_flags()
    assert (flag.antenne_id, flag.home_antenne, flag.account_key) == ("laken", "jette", f"member:{member}")
    assert ledger.balance(member) == 3 + 2  # booked all the same: events are facts


def test_an_exchange_between_two_members_who_both_moved_away_flags_each_of_them(ledger: Ledger) -> None:
    laken, jette = AntenneEvents("laken"), AntenneEvents("jette")
    movers = [laken.register(), laken.register()]
    moved = [
        envelope
        for mover in movers
        for envelope in (
            laken.emit(MemberMovedOut(member_id=mover.aggregateid, to_antenne="jette", balance=0,
                                      moved_on=RECENT), mover.aggregateid, 2),
            jette.emit(MemberMovedIn(member_id=mover.aggregateid, from_antenne="laken", balance=0,
                                     moved_on=RECENT), mover.aggregateid, 3),
        )
    ]  # fmt: skip
    late = laken.exchange(movers[0].aggregateid, movers[1].aggregateid, 1)  # both left before it arrived
    for envelope in [*movers, *moved, *late]:
        ledger.apply(envelope, envelope.payload())

    flagged = sorted(flag.account_key for flag in ledger.moved_away_flags())
    assert flagged == sorted(f"member:{mover.aggregateid}" for mover in movers)
    assert _sum_of_accounts(ledger) == 0
