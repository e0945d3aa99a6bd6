"""Paper vouchers keyed in at the desk: the serial counts once, the batch lists what did not count."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest

from contracts.antenne.v1 import Category
from services.antenne.application import Antenne, Voucher, VoucherResult
from services.antenne.application.vouchers import sheet_serials
from services.antenne.domain import ExchangeStatus
from services.antenne.domain.rules import Guard
from tests.unit.antenne.practice import TODAY, Clock, antenne_on


@pytest.fixture
def antenne() -> Iterator[Antenne]:
    with antenne_on("memory:", Clock(), backdating_days=30, guard=Guard()) as antenne:
        yield antenne


def _voucher(serial: str, helper: str = "JET-0002", quarters: int = 4, days_ago: int = 3) -> Voucher:
    return Voucher(serial, helper, quarters, Category.SHOPPING, TODAY - timedelta(days=days_ago))


def test_a_sheet_numbers_its_vouchers_after_the_member() -> None:
    assert sheet_serials("JET-0042", first=19, count=3) == ["JET-0042-019", "JET-0042-020", "JET-0042-021"]


def test_a_voucher_is_recorded_and_confirmed_at_once(antenne: Antenne) -> None:
    anna, bert = antenne.register_member("Anna"), antenne.register_member("Bert")

    outcome = antenne.enter_voucher(_voucher("jet-0001-001"))

    assert outcome.result is VoucherResult.COUNTED
    assert outcome.exchange_id is not None
    assert antenne.get_exchange(outcome.exchange_id).status is ExchangeStatus.CONFIRMED
    assert (antenne.balance(bert), antenne.balance(anna)) == (4, -4)


def test_a_batch_counts_each_serial_once_and_lists_the_discrepancies(antenne: Antenne) -> None:
    antenne.register_member("Anna")
    bert = antenne.register_member("Bert")
    antenne.enter_voucher(_voucher("JET-0001-001"))

    outcomes = antenne.enter_vouchers([
        _voucher("JET-0001-001"),  # entered last week already
        _voucher("JET-0001-002"),
        _voucher("JET-0001-002"),  # the same paper twice in the pile
        _voucher("JET-0001-003", helper="JET-0099"),
        _voucher("JET-0009-001"),
        _voucher("JET-0001-004", quarters=40),
        _voucher("JET-0001-005", days_ago=31),
        _voucher("JET-0001-006", quarters=20),
    ])  # fmt: skip

    assert [o.result for o in outcomes] == [
        VoucherResult.DUPLICATE,
        VoucherResult.COUNTED,
        VoucherResult.DUPLICATE,
        VoucherResult.UNKNOWN_MEMBER_NUMBER,
        VoucherResult.UNKNOWN_MEMBER_NUMBER,
        VoucherResult.OVER_LIMIT,
        VoucherResult.TOO_OLD,
        VoucherResult.HELD,
    ]
    assert "JET-0099" in outcomes[3].reason
    assert antenne.balance(bert) == 8
