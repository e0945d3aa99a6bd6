"""Hours to and from members of other antennes: this antenne asks and answers, the ledger decides.

A `Transfer` is one this antenne asked for, its member paying a member kept by another antenne
(`transfer.requested` on its chain). A `TransferAnswer` is this antenne's answer to a transfer the ledger
prepared for one of its members (`transfer.fulfilled` or `transfer.rejected`). What the ledger decided
(prepared, refused, committed, released) is not an event of the antenne: it is in the last-known ledger
view (`services/antenne/ledger_view.py`). Decision 0013 says what a transfer does to local balances.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from enum import StrEnum
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate, event

from contracts.antenne.v1 import MemberStatus
from contracts.ledger.transfers import RejectReason, TransferKind
from contracts.subjects import ANTENNE_ID_PATTERN
from services.antenne.domain.errors import (
    AntenneIdError,
    OverdraftError,
    TransferExpiryError,
    TransferInFutureError,
    TransferToOwnAntenneError,
)
from services.antenne.domain.timebank import check_backdating, check_quarters

MAX_TRANSFER_QUARTERS = 4 * 24 * 31  # the contract's bound: a month of days and nights


class TransferState(StrEnum):
    """Where a transfer stands as far as this antenne knows."""

    ASKED = "asked"  # stored here, not decided by the ledger yet (or its decision not received yet)
    PREPARED = "prepared"  # the ledger holds the hours at the payer's side until the payee answers
    REFUSED = "refused"  # the ledger held nothing
    COMMITTED = "committed"  # the hours went to the payee: final
    RELEASED = "released"  # the hours went back to the payer: final


OPEN_STATES = frozenset({TransferState.ASKED, TransferState.PREPARED})
# What the payer's hours are not free for: everything asked that the ledger has not given back.
SPENT_STATES = frozenset({TransferState.ASKED, TransferState.PREPARED, TransferState.COMMITTED})


def answer_id(transfer_id: UUID) -> UUID:
    """The id of this antenne's one answer to a transfer: a second answer names the same aggregate."""
    return uuid5(NAMESPACE_URL, f"/antenne/transfer-answers/{transfer_id}")


class Transfer(Aggregate):
    """Hours a member of this antenne gives or pays to a member of another antenne."""

    class Asked(Aggregate.Created):
        payer_antenne: str
        payer_id: UUID
        payee_antenne: str
        payee_id: UUID
        quarters: int
        kind: str
        performed_on: date
        expires_at: datetime | None
        asked_on: date
        asked_by: str

    @classmethod
    def ask(
        cls,
        transfer_id: UUID,
        *,
        payer_antenne: str,
        payer_id: UUID,
        payee_antenne: str,
        payee_id: UUID,
        quarters: int,
        kind: TransferKind,
        performed_on: date,
        expires_at: datetime | None,
        today: date,
        now: datetime,
        backdating_days: int,
        asked_by: str,
    ) -> Transfer:
        """Ask the ledger to move `quarters` from our member to a member kept by another antenne."""
        check_quarters(quarters, MAX_TRANSFER_QUARTERS)
        if not re.fullmatch(ANTENNE_ID_PATTERN, payee_antenne):
            raise AntenneIdError(payee_antenne)
        if payee_antenne == payer_antenne:
            raise TransferToOwnAntenneError(payer_antenne)
        check_backdating(performed_on, today, backdating_days)
        if performed_on > today:
            raise TransferInFutureError(performed_on, today)
        if expires_at is not None and expires_at <= now:
            raise TransferExpiryError(expires_at, now)
        return cls._create(
            cls.Asked, id=transfer_id, payer_antenne=payer_antenne, payer_id=payer_id,
            payee_antenne=payee_antenne, payee_id=payee_id, quarters=quarters, kind=str(kind),
            performed_on=performed_on, expires_at=expires_at, asked_on=today, asked_by=asked_by,
        )  # fmt: skip

    @event(Asked)
    def __init__(
        self,
        payer_antenne: str,
        payer_id: UUID,
        payee_antenne: str,
        payee_id: UUID,
        quarters: int,
        kind: str,
        performed_on: date,
        expires_at: datetime | None,
        asked_on: date,
        asked_by: str,
    ) -> None:
        self.payer_antenne = payer_antenne
        self.payer_id = payer_id
        self.payee_antenne = payee_antenne
        self.payee_id = payee_id
        self.quarters = quarters
        self.kind = TransferKind(kind)
        self.performed_on = performed_on
        self.expires_at = expires_at
        self.asked_on = asked_on
        self.asked_by = asked_by


class TransferAnswer(Aggregate):
    """This antenne's one answer to a transfer the ledger prepared for one of its members."""

    class Given(Aggregate.Created):
        transfer_id: UUID
        accepted: bool
        reason: str | None
        answered_on: date
        answered_by: str

    @classmethod
    def accept(cls, transfer_id: UUID, on: date, by: str) -> TransferAnswer:
        """The payee is a member here and takes the hours."""
        return cls._create(cls.Given, id=answer_id(transfer_id), transfer_id=transfer_id, accepted=True,
                           reason=None, answered_on=on, answered_by=by)  # fmt: skip

    @classmethod
    def reject(cls, transfer_id: UUID, reason: RejectReason, on: date, by: str) -> TransferAnswer:
        """The payee's side does not take the hours: the ledger gives them back to the payer."""
        return cls._create(cls.Given, id=answer_id(transfer_id), transfer_id=transfer_id, accepted=False,
                           reason=str(reason), answered_on=on, answered_by=by)  # fmt: skip

    @event(Given)
    def __init__(
        self, transfer_id: UUID, accepted: bool, reason: str | None, answered_on: date, answered_by: str
    ) -> None:
        self.transfer_id = transfer_id
        self.accepted = accepted
        self.reason = RejectReason(reason) if reason is not None else None
        self.answered_on = answered_on
        self.answered_by = answered_by


def refusal_for_payee(status: MemberStatus | None) -> RejectReason | None:
    """Why this antenne must decline hours for a payee, whatever a coordinator says; None: it may accept.

    Not registered here (or left): unknown_member. Moved to another antenne: moved_away. A paused member
    keeps their balance here and may receive.
    """
    if status is None or status is MemberStatus.LEFT:
        return RejectReason.UNKNOWN_MEMBER
    if status is MemberStatus.MOVED:
        return RejectReason.MOVED_AWAY
    return None


def free_balance(balance: int, outgoing: int, incoming_committed: int) -> int:
    """What the guard counts as a member's balance (decision 0013).

    `balance` is the local book (help, gifts and grants recorded here); `outgoing` the quarters of this
    member's transfers the ledger has not given back (asked, held or committed); `incoming_committed`
    what the ledger committed to this member from other antennes, as the last-known view shows it.
    """
    return balance - outgoing + incoming_committed


def check_transfer_spending(member_id: UUID, free: int, quarters: int, minimum: int | None) -> None:
    """Refuse a transfer that would take the member's free balance below the antenne's minimum."""
    if minimum is not None and free - quarters < minimum:
        raise OverdraftError(member_id, free, quarters, minimum)
