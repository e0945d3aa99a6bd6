"""The antenne's rules on members and exchanges, on the aggregates alone."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any
from uuid import uuid4

import pytest

from contracts.antenne.v1 import Category
from services.antenne.domain import (
    BlankDisplayNameError,
    Exchange,
    ExchangeAlreadyConfirmedError,
    ExchangeStatus,
    InvalidAmountError,
    Member,
    QuartersOutOfRangeError,
    SelfHelpError,
)

PERFORMED_ON = date.today() - timedelta(days=3)  # recent: within the backdating limit


def _exchange(quarters: Any = 5, **overrides: Any) -> Exchange:
    facts: dict[str, Any] = {
        "helper_id": uuid4(),
        "recipient_id": uuid4(),
        "quarters": quarters,
        "category": Category.TRANSPORT,
        "performed_on": PERFORMED_ON,
    }
    return Exchange.record(**{**facts, **overrides})


def test_a_new_member_starts_with_no_time_credits() -> None:
    member = Member.register("  Anna  ", date(2026, 11, 17))

    assert member.display_name == "Anna"
    assert member.registered_on == date(2026, 11, 17)
    assert member.balance == 0


def test_a_blank_display_name_is_refused() -> None:
    with pytest.raises(BlankDisplayNameError, match="display_name must not be blank"):
        Member.register("   ", date(2026, 11, 17))


def test_credits_and_debits_move_the_balance_by_whole_quarters() -> None:
    member = Member.register("Anna", date(2026, 11, 17))

    member.credit(uuid4(), 6, date(2026, 11, 18))
    member.debit(uuid4(), 8, date(2026, 11, 19))

    assert member.balance == -2  # mutual credit: below zero is allowed (no limit yet)


@pytest.mark.parametrize("amount", [0, -1, True, 1.5])
def test_a_posting_of_no_whole_positive_quarters_is_refused(amount: Any) -> None:
    member = Member.register("Anna", date(2026, 11, 17))

    with pytest.raises(InvalidAmountError):
        member.credit(uuid4(), amount, date(2026, 11, 18))
    assert member.balance == 0
    assert member.version == 1


@pytest.mark.parametrize("quarters", [1, 32])
def test_an_exchange_from_one_quarter_to_the_maximum_is_recorded_pending(quarters: int) -> None:
    exchange = _exchange(quarters)

    assert exchange.quarters == quarters
    assert exchange.status is ExchangeStatus.PENDING


@pytest.mark.parametrize("quarters", [0, -4, 33, True, 1.5, "4"])
def test_an_exchange_out_of_range_or_not_whole_is_refused(quarters: Any) -> None:
    with pytest.raises(QuartersOutOfRangeError, match=r"from 1 to 32, got"):
        _exchange(quarters)


def test_the_maximum_is_the_antennes_to_choose() -> None:
    assert _exchange(40, max_quarters=48).quarters == 40
    with pytest.raises(QuartersOutOfRangeError, match="from 1 to 16, got 17"):
        _exchange(17, max_quarters=16)


def test_a_member_cannot_record_help_to_themself() -> None:
    member_id = uuid4()

    with pytest.raises(SelfHelpError, match=str(member_id)):
        _exchange(helper_id=member_id, recipient_id=member_id)


def test_confirming_an_exchange_carries_all_its_facts() -> None:
    exchange = _exchange(5)

    exchange.confirm()

    confirmed = exchange.collect_events()[-1]
    assert isinstance(confirmed, Exchange.Confirmed)
    assert exchange.status is ExchangeStatus.CONFIRMED
    assert (confirmed.helper_id, confirmed.recipient_id) == (exchange.helper_id, exchange.recipient_id)
    assert (confirmed.quarters, confirmed.category, confirmed.performed_on) == (
        5,
        Category.TRANSPORT,
        PERFORMED_ON,
    )


def test_confirming_twice_is_refused_and_records_nothing() -> None:
    exchange = _exchange(5)
    exchange.confirm()

    with pytest.raises(ExchangeAlreadyConfirmedError, match="already confirmed"):
        exchange.confirm()
    assert exchange.version == 2
