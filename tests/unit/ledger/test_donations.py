"""Donations, earmarks, the solidarity pool and moves, booked double entry by the ledger."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from uuid import UUID, uuid4

import pytest

from contracts.antenne.v1 import (
    DonationApproved,
    DonationMade,
    DonationRejected,
    DonationReturned,
    DonationUsed,
    ExchangeRecorded,
    GrantReason,
    MemberMovedIn,
    PoolGranted,
    ReturnTo,
)
from contracts.envelope import Envelope
from services.ledger.application import Ledger
from services.ledger.domain import Account, account_id, earmark_key, member_key, pool_key
from services.ledger.postings import PlannedTransfer, planned_transfer
from services.persistence import eventsourcing_env
from tests.unit.ledger.antenne_events import AntenneEvents

DAY = date(2026, 11, 23)


@pytest.fixture
def ledger() -> Iterator[Ledger]:
    with Ledger(env=eventsourcing_env("memory:")) as opened:
        yield opened


def _apply(ledger: Ledger, *envelopes: Envelope) -> None:
    for envelope in envelopes:
        ledger.apply(envelope, envelope.payload())


def _account(ledger: Ledger, key: str) -> Account:
    account: Account = ledger.repository.get(account_id(key))
    return account


def _donation(donor: UUID, quarters: int, **target: object) -> DonationMade:
    return DonationMade(donation_id=uuid4(), donor_id=donor, quarters=quarters, made_on=DAY, **target)


def test_each_donation_target_names_the_account_that_receives() -> None:
    donor, daughter = uuid4(), uuid4()
    to_pool = _donation(donor, 4, to_pool=True)
    earmarked = _donation(donor, 4, earmarked_for_member=daughter)

    assert planned_transfer(_donation(donor, 4, to_member_id=daughter), "evere") == PlannedTransfer(
        4, member_key(donor), member_key(daughter), DAY
    )
    assert planned_transfer(to_pool, "evere") == PlannedTransfer(4, member_key(donor), pool_key("evere"), DAY)
    assert planned_transfer(earmarked, "evere") == PlannedTransfer(
        4, member_key(donor), earmark_key(earmarked.donation_id), DAY
    )
    recorded = ExchangeRecorded(
        exchange_id=uuid4(),
        helper_id=donor,
        recipient_id=daughter,
        quarters=2,
        category="pets",
        performed_on=DAY,
    )
    assert planned_transfer(recorded, "evere") is None


def test_gifts_to_a_member_and_to_the_pool_then_a_pool_grant_move_hours_and_keep_the_books_at_zero(
    ledger: Ledger,
) -> None:
    evere = AntenneEvents("evere")
    daughter, mother = evere.register(), evere.register()
    gift = _donation(daughter.aggregateid, 6, to_member_id=mother.aggregateid)
    to_pool = _donation(daughter.aggregateid, 4, to_pool=True)
    grant = PoolGranted(
        grant_id=uuid4(),
        member_id=mother.aggregateid,
        quarters=3,
        reason=GrantReason.CARE_NEED,
        granted_on=DAY,
    )

    _apply(
        ledger,
        daughter,
        mother,
        evere.emit(gift, gift.donation_id),
        evere.emit(to_pool, to_pool.donation_id),
        evere.emit(grant, grant.grant_id),
    )

    assert ledger.balance(daughter.aggregateid) == -10
    assert ledger.balance(mother.aggregateid) == 9
    assert _account(ledger, pool_key("evere")).balance == 1
    assert _account(ledger, pool_key("evere")).home_antenne == "evere"
    assert ledger.audit().balanced
    assert ledger.flags() == []


def test_an_earmarked_donation_is_held_apart_until_used_or_returned(ledger: Ledger) -> None:
    evere = AntenneEvents("evere")
    donor, neighbour = evere.register(), evere.register()
    used = _donation(donor.aggregateid, 4, earmarked_for_member=neighbour.aggregateid)
    expired = _donation(donor.aggregateid, 2, earmarked_for_member=neighbour.aggregateid)

    _apply(
        ledger, donor, neighbour, evere.emit(used, used.donation_id), evere.emit(expired, expired.donation_id)
    )
    held = _account(ledger, earmark_key(used.donation_id)).balance
    _apply(
        ledger,
        evere.emit(
            DonationUsed(
                donation_id=used.donation_id, beneficiary_id=neighbour.aggregateid, quarters=4, used_on=DAY
            ),
            used.donation_id,
            2,
        ),
        evere.emit(
            DonationReturned(
                donation_id=expired.donation_id,
                donor_id=donor.aggregateid,
                quarters=2,
                returned_to=ReturnTo.DONOR,
                returned_on=DAY,
            ),
            expired.donation_id,
            2,
        ),
    )

    assert held == 4
    assert _account(ledger, earmark_key(used.donation_id)).balance == 0
    assert _account(ledger, earmark_key(expired.donation_id)).balance == 0
    assert (ledger.balance(donor.aggregateid), ledger.balance(neighbour.aggregateid)) == (-4, 4)
    assert ledger.audit().sum_of_accounts == 0


def test_a_pool_granting_more_than_it_holds_is_flagged(ledger: Ledger) -> None:
    laken = AntenneEvents("laken")
    member = laken.register()
    grant = PoolGranted(
        grant_id=uuid4(),
        member_id=member.aggregateid,
        quarters=2,
        reason=GrantReason.ISOLATION,
        granted_on=DAY,
    )

    _apply(ledger, member, laken.emit(grant, grant.grant_id))

    [flag] = ledger.flags()
    assert (flag.account_key, flag.balance, flag.limit) == (pool_key("laken"), -2, 0)


def test_a_member_who_moves_keeps_their_account_and_it_learns_the_new_home(ledger: Ledger) -> None:
    jette, laken = AntenneEvents("jette"), AntenneEvents("laken")
    member, helper = jette.register(), jette.register()
    _apply(ledger, member, helper, *jette.exchange(member.aggregateid, helper.aggregateid, 5))
    arrival = MemberMovedIn(member_id=member.aggregateid, from_antenne="jette", balance=5, moved_on=DAY)

    _apply(ledger, laken.emit(arrival, member.aggregateid))

    account = _account(ledger, member_key(member.aggregateid))
    assert (account.balance, account.home_antenne) == (5, "laken")


def test_a_gift_held_for_review_moves_nothing_until_a_coordinator_approves_it(ledger: Ledger) -> None:
    evere = AntenneEvents("evere")
    donor, receiver = evere.register(), evere.register()
    held = _donation(donor.aggregateid, 6, to_member_id=receiver.aggregateid, flagged_by=["donation-stream"])
    rejected = _donation(
        donor.aggregateid, 3, to_member_id=receiver.aggregateid, flagged_by=["donation-stream"]
    )
    approval = DonationApproved(
        donation_id=held.donation_id,
        donor_id=donor.aggregateid,
        to_member_id=receiver.aggregateid,
        quarters=6,
        approved_on=DAY,
    )

    _apply(
        ledger,
        donor,
        receiver,
        evere.emit(held, held.donation_id),
        evere.emit(rejected, rejected.donation_id),
    )
    while_held = ledger.balance(receiver.aggregateid)
    _apply(
        ledger,
        evere.emit(approval, held.donation_id, 2),
        evere.emit(
            DonationRejected(donation_id=rejected.donation_id, rejected_on=DAY), rejected.donation_id, 2
        ),
    )

    assert while_held == 0
    assert (ledger.balance(donor.aggregateid), ledger.balance(receiver.aggregateid)) == (-6, 6)
    assert ledger.audit().balanced
