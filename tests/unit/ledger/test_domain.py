"""Accounts, transfers and feeds on their own: no persistence."""

from __future__ import annotations

from datetime import date
from uuid import uuid4

import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.ledger.domain import (
    Account,
    Cause,
    Feed,
    InvalidAmountError,
    OutOfOrderError,
    account_id,
    member_key,
    transfer,
)

PERFORMED = date(2026, 11, 20)


def _cause() -> Cause:
    return Cause(event_id=uuid4(), antenne_id="jette", position=7, event_type="exchange.confirmed")


def _account() -> Account:
    return Account(key=member_key(uuid4()), home_antenne="jette")


def test_a_new_account_is_at_zero_and_its_id_follows_from_its_key() -> None:
    member_id = uuid4()
    account = Account(key=member_key(member_id), home_antenne="jette")

    assert account.balance == 0
    assert account.id == account_id(f"member:{member_id}")
    assert account.home_antenne == "jette"


def test_a_transfer_debits_the_recipient_and_credits_the_helper_the_same_quarters() -> None:
    recipient, helper = _account(), _account()

    made = transfer(5, debit=recipient, credit=helper, cause=_cause(), counts_from=PERFORMED)

    assert (recipient.balance, helper.balance) == (-5, 5)
    assert [p.account_id for p in made.postings] == [recipient.id, helper.id]
    assert [type(e).__name__ for e in recipient.collect_events()] == ["Opened", "Debited"]


@given(quarters=st.integers(min_value=1, max_value=10_000))
def test_every_transfer_postings_sum_to_zero(quarters: int) -> None:
    made = transfer(quarters, debit=_account(), credit=_account(), cause=_cause(), counts_from=PERFORMED)

    assert sum(posting.quarters for posting in made.postings) == 0
    assert made.postings[1].quarters == quarters


def test_the_same_cause_always_gives_the_same_transfer_id_so_a_redelivery_cannot_add_a_twin() -> None:
    cause = _cause()

    first = transfer(3, debit=_account(), credit=_account(), cause=cause, counts_from=PERFORMED)
    again = transfer(3, debit=_account(), credit=_account(), cause=cause, counts_from=PERFORMED)

    assert first.id == again.id


@pytest.mark.parametrize("quarters", [0, -4, True])
def test_an_amount_that_is_not_a_positive_number_of_quarters_is_refused(quarters: int) -> None:
    recipient, helper = _account(), _account()

    with pytest.raises(InvalidAmountError):
        transfer(quarters, debit=recipient, credit=helper, cause=_cause(), counts_from=PERFORMED)

    assert (recipient.balance, helper.balance) == (0, 0)


def test_a_home_learned_later_is_recorded_once() -> None:
    account = Account(key=member_key(uuid4()), home_antenne=None)

    account.assign_home("laken")
    account.assign_home("laken")

    assert account.home_antenne == "laken"
    assert [type(e).__name__ for e in account.collect_events()] == ["Opened", "HomeAssigned"]


def test_a_feed_takes_events_along_the_chain_even_across_gaps_in_positions() -> None:
    feed = Feed(antenne_id="jette")

    feed.take(1, None, "member.registered")
    feed.take(4, 1, "exchange.confirmed", confirmed_quarters=6)

    assert (feed.events_taken, feed.last_position, feed.confirmed_quarters) == (2, 4, 6)
    assert feed.has_taken(3)
    assert not feed.has_taken(5)


@pytest.mark.parametrize(
    ("position", "previous"),
    [(9, 7), (9, None), (4, 4), (3, 4)],
    ids=["skips-one", "restarts-the-chain", "repeats", "goes-back"],
)
def test_a_feed_refuses_an_event_that_does_not_follow_the_last_one(
    position: int, previous: int | None
) -> None:
    feed = Feed(antenne_id="jette")
    feed.take(1, None, "member.registered")
    feed.take(4, 1, "member.registered")

    with pytest.raises(OutOfOrderError):
        feed.take(position, previous, "member.registered")

    assert (feed.events_taken, feed.last_position) == (2, 4)
