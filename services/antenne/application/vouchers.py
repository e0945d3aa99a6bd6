"""Paper at the desk: numbered vouchers keyed in one by one or as a batch, the serial number as key.

A member's sheet carries serials `<member number>-<nnn>` (such as `JET-0042-007`): the sheet's owner is
the one who received the help and signed the voucher, so an entered voucher is recorded and confirmed at
once. A voucher entered twice counts once; a batch ends with the list of what did not count and why.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING
from uuid import UUID

from services.antenne.application.base import id_for
from services.antenne.application.members import MembersDesk
from services.antenne.application.timebank import TimebankDesk
from services.antenne.domain import (
    AntenneError,
    BackdatedTooFarError,
    Confirmation,
    ExchangeStatus,
    GuardRefusedError,
    MemberNotFoundError,
    OverdraftError,
    QuartersOutOfRangeError,
)

if TYPE_CHECKING:
    from datetime import date

    from contracts.antenne.v1 import Category

SERIAL = re.compile(r"^(?P<owner>[A-Z]{2,5}-\d{4})-(?P<n>\d{3})$")


class VoucherResult(StrEnum):
    """What became of one voucher; everything but `counted` and `held` is a discrepancy."""

    COUNTED = "counted"
    HELD = "held"  # recorded, waits for a coordinator's review
    DUPLICATE = "duplicate"
    UNKNOWN_MEMBER_NUMBER = "unknown-member-number"
    OVER_LIMIT = "over-limit"
    TOO_OLD = "too-old"
    REFUSED = "refused"


@dataclass(frozen=True)
class Voucher:
    """One paper voucher as the coordinator reads it."""

    serial: str
    helper_number: str
    quarters: int
    category: Category
    performed_on: date


@dataclass(frozen=True)
class VoucherOutcome:
    """The voucher's serial, what became of it, and why."""

    serial: str
    result: VoucherResult
    exchange_id: UUID | None = None
    reason: str = ""


def sheet_serials(number: str, first: int = 1, count: int = 20) -> list[str]:
    """The serials on a printable sheet of vouchers for member `number`."""
    return [f"{number}-{n:03d}" for n in range(first, min(first + count, 1000))]


class VouchersDesk(MembersDesk, TimebankDesk):
    """Keys in paper vouchers at the permanence."""

    def enter_vouchers(self, vouchers: list[Voucher], *, recorded_by: str = "") -> list[VoucherOutcome]:
        """Enter a batch; each voucher on its own, so one bad voucher never stops the others."""
        return [self.enter_voucher(voucher, recorded_by=recorded_by) for voucher in vouchers]

    def enter_voucher(self, voucher: Voucher, *, recorded_by: str = "") -> VoucherOutcome:
        """Record and confirm one voucher; its serial makes a second entry count nothing."""
        serial = voucher.serial.strip().upper()
        match = SERIAL.match(serial)
        if match is None:
            return VoucherOutcome(serial, VoucherResult.REFUSED, reason="serial is not like JET-0042-007")
        key = f"voucher:{serial}"
        try:
            recipient = self.member_by_number(match["owner"])
            helper = self.member_by_number(voucher.helper_number)
        except MemberNotFoundError as unknown:
            return VoucherOutcome(serial, VoucherResult.UNKNOWN_MEMBER_NUMBER, reason=str(unknown))
        already = self._exists(id_for(key, "exchanges"))
        try:
            exchange_id = self.record_exchange(
                helper.id, recipient.id, voucher.quarters, voucher.category, voucher.performed_on,
                recorded_by=recorded_by, idempotency_key=key,
            )  # fmt: skip
            if self.get_exchange(exchange_id).status is ExchangeStatus.PENDING:
                # Signed by the recipient on paper; also completes an entry cut short before.
                self.confirm_exchange(exchange_id, Confirmation.RECIPIENT)
        except AntenneError as refused:
            return VoucherOutcome(serial, _result_of(refused), reason=str(refused))
        status = self.get_exchange(exchange_id).status
        result = VoucherResult.DUPLICATE if already else _counted_or_held(status)
        return VoucherOutcome(serial, result, exchange_id)


def _counted_or_held(status: ExchangeStatus) -> VoucherResult:
    return VoucherResult.HELD if status is ExchangeStatus.HELD else VoucherResult.COUNTED


def _result_of(refused: AntenneError) -> VoucherResult:
    if isinstance(refused, BackdatedTooFarError):
        return VoucherResult.TOO_OLD
    if isinstance(refused, QuartersOutOfRangeError | OverdraftError | GuardRefusedError):
        return VoucherResult.OVER_LIMIT
    return VoucherResult.REFUSED
