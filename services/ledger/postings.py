"""Pure: which transfer each antenne event makes, from which account to which (decision 0001).

One event makes at most one transfer; its id comes from the event's id, so a redelivery cannot make a
second one. Events that move no hours (a recorded exchange, a profile change) make none.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import singledispatch
from typing import TYPE_CHECKING

from contracts.antenne.v1 import (
    DonationApproved,
    DonationMade,
    DonationReturned,
    DonationUsed,
    ExchangeConfirmed,
    ExchangeReversed,
    OpeningBalanceRecorded,
    PoolGranted,
    ReturnTo,
)
from services.ledger.domain import earmark_key, member_key, opening_key, pool_key

if TYPE_CHECKING:
    from contracts.base import Contract


@dataclass(frozen=True)
class PlannedTransfer:
    """Quarters to move from one account key to another, counting from a day."""

    quarters: int
    debit: str
    credit: str
    counts_from: date


@singledispatch
def planned_transfer(payload: Contract, antenne_id: str) -> PlannedTransfer | None:
    """The transfer an antenne event makes, or None when it moves no hours."""
    return None


@planned_transfer.register
def _exchange_confirmed(payload: ExchangeConfirmed, antenne_id: str) -> PlannedTransfer:
    # Mutual credit: the recipient spends what the helper earns.
    return PlannedTransfer(
        payload.quarters,
        member_key(payload.recipient_id),
        member_key(payload.helper_id),
        payload.performed_on,
    )


@planned_transfer.register
def _exchange_reversed(payload: ExchangeReversed, antenne_id: str) -> PlannedTransfer:
    # A mistake is undone by the opposite transfer, never by removing the first (events are facts).
    return PlannedTransfer(
        payload.quarters, member_key(payload.helper_id), member_key(payload.recipient_id), payload.reversed_on
    )


@planned_transfer.register
def _donation_made(payload: DonationMade, antenne_id: str) -> PlannedTransfer | None:
    if payload.flagged_by:  # held for a coordinator's review: nothing moves until approved
        return None
    if payload.to_member_id is not None:
        receiver = member_key(payload.to_member_id)
    elif payload.to_pool:
        receiver = pool_key(antenne_id)
    else:  # earmarked: held apart until used or returned
        receiver = earmark_key(payload.donation_id)
    return PlannedTransfer(payload.quarters, member_key(payload.donor_id), receiver, payload.made_on)


@planned_transfer.register
def _donation_approved(payload: DonationApproved, antenne_id: str) -> PlannedTransfer:
    receiver = member_key(payload.to_member_id)
    return PlannedTransfer(payload.quarters, member_key(payload.donor_id), receiver, payload.approved_on)


@planned_transfer.register
def _donation_used(payload: DonationUsed, antenne_id: str) -> PlannedTransfer:
    return PlannedTransfer(
        payload.quarters,
        earmark_key(payload.donation_id),
        member_key(payload.beneficiary_id),
        payload.used_on,
    )


@planned_transfer.register
def _donation_returned(payload: DonationReturned, antenne_id: str) -> PlannedTransfer:
    back_to = member_key(payload.donor_id) if payload.returned_to is ReturnTo.DONOR else pool_key(antenne_id)
    return PlannedTransfer(payload.quarters, earmark_key(payload.donation_id), back_to, payload.returned_on)


@planned_transfer.register
def _pool_granted(payload: PoolGranted, antenne_id: str) -> PlannedTransfer:
    return PlannedTransfer(
        payload.quarters, pool_key(antenne_id), member_key(payload.member_id), payload.granted_on
    )


@planned_transfer.register
def _opening_balance(payload: OpeningBalanceRecorded, antenne_id: str) -> PlannedTransfer:
    # Hours saved (or owed) before the system come from (or go to) the antenne's opening account, so
    # the books still sum to zero; the audit checks that account against the imports (invariant 1).
    member, opening = member_key(payload.member_id), opening_key(antenne_id)
    if payload.quarters > 0:
        return PlannedTransfer(payload.quarters, opening, member, payload.recorded_on)
    return PlannedTransfer(-payload.quarters, member, opening, payload.recorded_on)
