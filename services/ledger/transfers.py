"""Two-phase transfers across antennes and partners: the ledger's side of prepare / fulfil / reject.

Pure domain (no I/O). A `CrossTransfer` records what was asked and what the ledger decided, once each:
`Requested` then `Prepared` or `Refused`, then from `Prepared` exactly one of `Committed` or
`Released`. The hours themselves move by ordinary double-entry `Transfer`s (`domain.transfer`): payer to
`hold:<id>` on prepare, `hold:<id>` to payee on commit, back to the payer on release, so the hold is
empty once the transfer is final and every movement has its opposite (invariant 1).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate, event

from contracts.ledger.transfers import RefuseReason, ReleaseReason, Side, TransferRequested
from services.ledger.domain import LedgerError, member_key

DEFAULT_EXPIRY = timedelta(days=7)


class TransferState(StrEnum):
    """Where a two-phase transfer stands."""

    PREPARED = "prepared"  # held at the payer's side, waiting for the payee's answer
    REFUSED = "refused"  # never held
    COMMITTED = "committed"  # final: the payee has the hours
    RELEASED = "released"  # final: the payer has them back


class TransferNotFoundError(LedgerError):
    """No two-phase transfer with this id."""

    def __init__(self, transfer_id: UUID) -> None:
        super().__init__(f"no transfer {transfer_id}")
        self.transfer_id = transfer_id


class NotTheKeeperError(LedgerError):
    """Only the payer's side asks and only the payee's side answers."""

    def __init__(self, transfer_id: UUID, who: str, expected: str) -> None:
        super().__init__(f"{who} may not answer transfer {transfer_id}: only {expected} may")
        self.transfer_id = transfer_id


class ConflictingRequestError(LedgerError):
    """A transfer id (or idempotency key) was used again for a different transfer."""

    def __init__(self, transfer_id: UUID) -> None:
        super().__init__(f"transfer {transfer_id} was already asked for with other details")
        self.transfer_id = transfer_id


def hold_key(transfer_id: UUID) -> str:
    """The account holding a transfer's hours while it is in flight."""
    return f"hold:{transfer_id}"


def clearing_key(partner_id: str) -> str:
    """The account whose balance is an alliance partner's net position (positive: the partner owes)."""
    return f"clearing:{partner_id}"


def side_account(side: Side) -> str:
    """The ledger account that stands for one side: the member's own, or the partner's clearing account."""
    if side.antenne is not None:
        return member_key(UUID(side.member))
    assert side.partner is not None
    return clearing_key(side.partner)


def partner_transfer_id(partner_id: str, idempotency_key: str) -> UUID:
    """The transfer id of a partner's request: the same for every repeat of its idempotency key."""
    return uuid5(NAMESPACE_URL, f"/alliance/{partner_id}/{idempotency_key}")


def leg_id(transfer_id: UUID, leg: str) -> UUID:
    """The cause id of one leg (prepare, commit, release) of a transfer: one posting per leg, ever."""
    return uuid5(NAMESPACE_URL, f"/two-phase/{transfer_id}/{leg}")


class CrossTransfer(Aggregate):
    """One transfer between parties, from request to its final state."""

    class Requested(Aggregate.Created):
        transfer_id: UUID
        payer: dict[str, Any]
        payee: dict[str, Any]
        quarters: int
        payer_quarters: int
        payee_quarters: int
        kind: str
        counts_from: date
        expires_at: datetime
        requested_by: str
        requested_at: datetime

    class Prepared(Aggregate.Event):
        at: datetime

    class Refused(Aggregate.Event):
        reason: str
        at: datetime

    class Committed(Aggregate.Event):
        at: datetime

    class Released(Aggregate.Event):
        reason: str
        at: datetime

    @staticmethod
    def create_id(transfer_id: UUID) -> UUID:
        return transfer_id

    @event(Requested)
    def __init__(
        self,
        transfer_id: UUID,
        payer: dict[str, Any],
        payee: dict[str, Any],
        quarters: int,
        payer_quarters: int,
        payee_quarters: int,
        kind: str,
        counts_from: date,
        expires_at: datetime,
        requested_by: str,
        requested_at: datetime,
    ) -> None:
        self.payer = Side.model_validate(payer)
        self.payee = Side.model_validate(payee)
        self.quarters = quarters  # at the ledger: BuurtPensioen quarter hours
        self.payer_quarters = payer_quarters  # in the payer's side's units (a partner's rate may differ)
        self.payee_quarters = payee_quarters
        self.kind = kind
        self.counts_from = counts_from
        self.expires_at = expires_at
        self.requested_by = requested_by
        self.requested_at = requested_at
        self.state: TransferState | None = None
        self.reason: str | None = None
        self.decided_at: datetime | None = None

    @property
    def transfer_id(self) -> UUID:
        """The id every party uses for this transfer."""
        return self.id

    @property
    def is_final(self) -> bool:
        """Committed, released or refused: nothing more can happen to it."""
        return self.state in (TransferState.COMMITTED, TransferState.RELEASED, TransferState.REFUSED)

    def same_request(self, request: TransferRequested, requested_by: str) -> bool:
        """Whether a repeated request asks for exactly this transfer (then it is a harmless repeat)."""
        return (
            self.payer == request.payer
            and self.payee == request.payee
            and self.payer_quarters == request.quarters
            and self.kind == request.kind.value
            and self.requested_by == requested_by
        )

    def has_expired(self, now: datetime) -> bool:
        """Whether a hold still in flight is past its expiry."""
        return self.state is TransferState.PREPARED and now >= self.expires_at

    def prepare(self, at: datetime) -> None:
        """The ledger holds the hours (the caller posts payer -> hold in the same save)."""
        self._check_state(None)
        self._prepared(at)

    def refuse(self, reason: RefuseReason, at: datetime) -> None:
        """The ledger holds nothing."""
        self._check_state(None)
        self._refused(reason.value, at)

    def commit(self, at: datetime) -> None:
        """The held hours go to the payee (the caller posts hold -> payee in the same save)."""
        self._check_state(TransferState.PREPARED)
        self._committed(at)

    def release(self, reason: ReleaseReason, at: datetime) -> None:
        """The held hours go back to the payer (the caller posts hold -> payer in the same save)."""
        self._check_state(TransferState.PREPARED)
        self._released(reason.value, at)

    def _check_state(self, expected: TransferState | None) -> None:
        if self.state is not expected:
            raise LedgerError(f"transfer {self.id} is {self.state}, not {expected or 'new'}")

    @event(Prepared)
    def _prepared(self, at: datetime) -> None:
        self.state, self.decided_at = TransferState.PREPARED, at

    @event(Refused)
    def _refused(self, reason: str, at: datetime) -> None:
        self.state, self.reason, self.decided_at = TransferState.REFUSED, reason, at

    @event(Committed)
    def _committed(self, at: datetime) -> None:
        self.state, self.decided_at = TransferState.COMMITTED, at

    @event(Released)
    def _released(self, reason: str, at: datetime) -> None:
        self.state, self.reason, self.decided_at = TransferState.RELEASED, reason, at
