"""Paper vouchers at the desk: a printable sheet per member, entered one by one or as a batch."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict, Field

from contracts.antenne.v1 import Category
from services.antenne.api.deps import API, PROTECTED, ActorDep, AntenneDep
from services.antenne.application import Voucher, VoucherOutcome, VoucherResult
from services.antenne.application.vouchers import sheet_serials

EXAMPLE: dict[str, Any] = {
    "serial": "JET-0042-007",
    "helper_number": "JET-0017",
    "quarters": 6,
    "category": "shopping",
    "performed_on": "2026-11-20",
}


class VoucherBody(BaseModel):
    """One paper voucher as read at the desk; the serial is its idempotency key."""

    model_config = ConfigDict(json_schema_extra={"examples": [EXAMPLE]})

    serial: str = Field(
        max_length=20, description="Printed on the voucher: the recipient's number and a count."
    )
    helper_number: str = Field(
        max_length=12, description="The helper's member number, written on the voucher."
    )
    quarters: int = Field(strict=True, description="Time given, in whole quarter hours.")
    category: Category
    performed_on: date

    def voucher(self) -> Voucher:
        """The application's value."""
        return Voucher(self.serial, self.helper_number, self.quarters, self.category, self.performed_on)


class Batch(BaseModel):
    """A pile of vouchers keyed in after the permanence."""

    vouchers: list[VoucherBody] = Field(min_length=1, max_length=500)


class OutcomeView(BaseModel):
    """What became of one voucher."""

    serial: str
    result: VoucherResult
    exchange_id: UUID | None
    reason: str

    @classmethod
    def of(cls, outcome: VoucherOutcome) -> OutcomeView:
        """Copy an outcome."""
        return cls(
            serial=outcome.serial,
            result=outcome.result,
            exchange_id=outcome.exchange_id,
            reason=outcome.reason,
        )


class BatchReport(BaseModel):
    """Every voucher's outcome, and the discrepancies to sort out by hand."""

    counted: int
    held: int
    outcomes: list[OutcomeView]
    discrepancies: list[OutcomeView] = Field(description="Unknown number, duplicate, over limit, too old.")


class Sheet(BaseModel):
    """The serials to print on one member's sheet of vouchers."""

    member_id: UUID
    number: str
    serials: list[str]


router = APIRouter(prefix=API, tags=["paper vouchers"], dependencies=PROTECTED)


@router.post("/vouchers")
def enter_voucher(body: VoucherBody, antenne: AntenneDep, actor: ActorDep) -> OutcomeView:
    """Key in one voucher: recorded and confirmed, or a discrepancy; entering it again counts nothing."""
    return OutcomeView.of(antenne.enter_voucher(body.voucher(), recorded_by=actor.actor_id))


@router.post("/vouchers/batch")
def enter_vouchers(body: Batch, antenne: AntenneDep, actor: ActorDep) -> BatchReport:
    """Key in a batch; the report ends with the discrepancies."""
    outcomes = [OutcomeView.of(o) for o in antenne.enter_vouchers([v.voucher() for v in body.vouchers],
                                                                  recorded_by=actor.actor_id)]  # fmt: skip
    good = (VoucherResult.COUNTED, VoucherResult.HELD)
    return BatchReport(
        counted=sum(o.result is VoucherResult.COUNTED for o in outcomes),
        held=sum(o.result is VoucherResult.HELD for o in outcomes),
        outcomes=outcomes,
        discrepancies=[o for o in outcomes if o.result not in good],
    )


@router.get("/members/{member_id}/voucher-sheet")
def print_voucher_sheet(
    member_id: UUID,
    antenne: AntenneDep,
    first: Annotated[int, Query(ge=1, le=999)] = 1,
    count: Annotated[int, Query(ge=1, le=100)] = 20,
) -> Sheet:
    """The serials for a printable sheet of vouchers for a member who received help."""
    number = antenne.get_member(member_id).number
    return Sheet(member_id=member_id, number=number, serials=sheet_serials(number, first, count))
