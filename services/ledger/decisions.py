"""Pure: the ledger's decisions as published contracts (for partners now, for antennes and reporting too).

A two-phase transfer's state after each of its decision events maps to one contract; the message id
is the transfer id with the aggregate version, so a republished decision is deduplicated downstream.
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from uuid import NAMESPACE_URL, UUID, uuid5

from contracts.ledger.transfers import (
    ClearingRecorded,
    RefuseReason,
    ReleaseReason,
    TransferCommitted,
    TransferPrepared,
    TransferRefused,
    TransferReleased,
)
from services.ledger.transfers import TransferState

if TYPE_CHECKING:
    from contracts.base import Contract
    from services.ledger.alliance import ClearingRun
    from services.ledger.transfers import CrossTransfer


def transfer_decision(made: CrossTransfer) -> Contract:
    """What the ledger decided, as it stands after the decision event that was just loaded."""
    assert made.decided_at is not None, f"{made.id} has no decision yet"
    facts = {
        "transfer_id": made.id,
        "payer": made.payer,
        "payee": made.payee,
        "quarters": made.quarters,
        "payee_quarters": made.payee_quarters,
        "expires_at": made.expires_at,
        "decided_at": made.decided_at,
    }
    if made.state is TransferState.PREPARED:
        return TransferPrepared.model_validate(facts)
    if made.state is TransferState.COMMITTED:
        return TransferCommitted.model_validate(facts)
    if made.state is TransferState.REFUSED:
        return TransferRefused.model_validate({**facts, "reason": RefuseReason(made.reason or "")})
    return TransferReleased.model_validate({**facts, "reason": ReleaseReason(made.reason or "")})


def clearing_decision(run: ClearingRun) -> ClearingRecorded:
    """A clearing run as published."""
    return ClearingRecorded(
        run_id=run.id,
        period_start=run.period_start,
        period_end=run.period_end,
        positions=run.positions,
        partner_positions=run.partner_positions,
        warnings=run.warnings,
    )


def partners_of(made: CrossTransfer) -> tuple[str, ...]:
    """The partners a transfer's decisions go to (none for one between antennes)."""
    return tuple(p for p in (made.payer.partner, made.payee.partner) if p is not None)


def decision_message_id(aggregate_id: UUID, version: int, partner_id: str) -> str:
    """The Nats-Msg-Id of one decision for one partner: stable across republishes."""
    return str(uuid5(NAMESPACE_URL, f"/decisions/{aggregate_id}/{version}/{partner_id}"))
