"""Version 1 of the alliance partner API: what a partner sends, what it receives back.

A partner (Bras dessus Bras dessous first) sends a transfer on `alliance.<partner>.requests.<type>` or
to `POST /api/v1/alliance/transfers` with an `idempotency_key`; the ledger's answers are the decisions
of `contracts.ledger.transfers`, on `alliance.<partner>.decisions.<type>`. Partner members are known by
the partner's own pseudonymous reference, never by name.
"""

from __future__ import annotations

from datetime import date
from typing import ClassVar
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from contracts.base import Contract
from contracts.ledger.transfers import RejectReason, TransferKind

IDEMPOTENCY_KEY = r"^[A-Za-z0-9_.:-]{8,80}$"


class PartnerTransfer(Contract):
    """A partner's member pays a BuurtPensioen member, or a partner asks to move hours for its member."""

    TYPE: ClassVar[str] = "alliance.transfer"
    VERSION: ClassVar[int] = 1

    idempotency_key: str = Field(
        pattern=IDEMPOTENCY_KEY, description="Unique per partner; a repeat is a no-op."
    )
    from_partner_member: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.:-]+$")
    to_member: UUID = Field(description="The BuurtPensioen member's global id.")
    to_antenne: str = Field(description="The BuurtPensioen antenne the payer's member believes is home.")
    quarters: int = Field(gt=0, le=4 * 24 * 31, description="In the partner's units.")
    kind: TransferKind
    performed_on: date


class PartnerAnswer(Contract):
    """A partner's answer to a transfer the ledger prepared for one of its members."""

    TYPE: ClassVar[str] = "alliance.answer"
    VERSION: ClassVar[int] = 1

    transfer_id: UUID
    fulfilled: bool
    reason: RejectReason | None = Field(default=None, description="Why not, when not fulfilled.")


class PartnerTransferState(BaseModel):
    """What the ledger knows of a transfer, as a partner sees it."""

    model_config = ConfigDict(frozen=True)

    transfer_id: UUID
    state: str
    reason: str | None
    quarters: int
    partner_quarters: int
