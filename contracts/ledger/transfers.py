"""Version 1 of the two-phase transfer messages (Interledger's prepare / fulfil / reject as the model).

A transfer whose payer and payee are kept by different parties (two antennes, or an antenne and an
alliance partner) is asked for by the payer's side (`transfer.requested`), answered by the payee's side
(`transfer.fulfilled` / `transfer.rejected`), and decided by the ledger alone (`transfer.prepared`,
`transfer.refused`, `transfer.committed`, `transfer.released`). Every message carries the one
`transfer_id`; the ledger's decisions also carry `quarters` and `expires_at`. See docs/ledger.md.

An antenne puts its requests and answers in its own chain (`bp.<antenne>.transfer.*`); a partner sends
them on `alliance.<partner>.requests.transfer.*` or through the partner API, with an idempotency key.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import ClassVar, Self
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, model_validator

from contracts.base import Contract
from contracts.subjects import ANTENNE_ID_PATTERN


class TransferKind(StrEnum):
    """Why hours cross: help given across antennes or networks, or a gift."""

    EXCHANGE = "exchange"
    DONATION = "donation"


class Side(BaseModel):
    """One end of a transfer: a member of a BuurtPensioen antenne, or of an alliance partner."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    antenne: str | None = Field(default=None, pattern=ANTENNE_ID_PATTERN, description="The member's antenne.")
    partner: str | None = Field(default=None, pattern=ANTENNE_ID_PATTERN, description="The member's network.")
    member: str = Field(
        min_length=1,
        max_length=64,
        pattern=r"^[A-Za-z0-9_.:-]+$",
        description="A BuurtPensioen member id (UUID), or the partner's own pseudonymous reference.",
    )

    @model_validator(mode="after")
    def _one_keeper(self) -> Self:
        if (self.antenne is None) == (self.partner is None):
            raise ValueError("a side is kept by exactly one antenne or one partner")
        if self.antenne is not None:
            UUID(self.member)  # our members are known by their global id
        return self

    @property
    def keeper(self) -> str:
        """Who keeps this side: `antenne:<id>` or `partner:<id>`."""
        return f"antenne:{self.antenne}" if self.antenne else f"partner:{self.partner}"


class TransferRequested(Contract):
    """The payer's side asks to move hours to a member kept by another party."""

    TYPE: ClassVar[str] = "transfer.requested"
    VERSION: ClassVar[int] = 1

    transfer_id: UUID = Field(description="Chosen by the payer's side; the same in every later message.")
    payer: Side
    payee: Side
    quarters: int = Field(gt=0, le=4 * 24 * 31, description="In the payer's units (quarter hours).")
    kind: TransferKind
    performed_on: date = Field(description="The day the help was given or the gift made.")
    expires_at: datetime | None = Field(
        default=None, description="When an unanswered hold is released; the ledger's default if absent."
    )


class TransferFulfilled(Contract):
    """The payee's side accepts: its member is known there and takes the hours."""

    TYPE: ClassVar[str] = "transfer.fulfilled"
    VERSION: ClassVar[int] = 1

    transfer_id: UUID


class RejectReason(StrEnum):
    """Why the payee's side does not take the hours."""

    UNKNOWN_MEMBER = "unknown_member"
    MOVED_AWAY = "moved_away"
    DECLINED = "declined"


class TransferRejected(Contract):
    """The payee's side does not accept; the ledger releases the hold to the payer."""

    TYPE: ClassVar[str] = "transfer.rejected"
    VERSION: ClassVar[int] = 1

    transfer_id: UUID
    reason: RejectReason


class RefuseReason(StrEnum):
    """Why the ledger does not hold the hours."""

    OVER_LIMIT = "over_limit"  # the payer would go below its overdraft limit
    PARTNER_LIMIT = "partner_limit"  # the partner's net position would pass its bilateral limit
    UNKNOWN_PARTNER = "unknown_partner"
    MOVED_AWAY = "moved_away"  # the payer's account has its home at another antenne now
    SAME_KEEPER = "same_keeper"  # both sides at one antenne: book it as an exchange there
    NOT_WHOLE_QUARTERS = "not_whole_quarters"  # the exchange rate gives a fraction of a quarter hour
    EXPIRED = "expired"  # asked with an expiry already past


class ReleaseReason(StrEnum):
    """Why held hours went back to the payer."""

    REJECTED = "rejected"
    EXPIRED = "expired"
    PAYEE_MOVED = "payee_moved"


class _Decision(Contract):
    transfer_id: UUID
    payer: Side
    payee: Side
    quarters: int = Field(gt=0, description="Quarter hours at the ledger (the payer's side's units).")
    payee_quarters: int = Field(gt=0, description="What the payee's side counts, after the exchange rate.")
    expires_at: datetime
    decided_at: datetime


class TransferPrepared(_Decision):
    """The ledger holds the hours at the payer's side until the payee answers or `expires_at`."""

    TYPE: ClassVar[str] = "transfer.prepared"
    VERSION: ClassVar[int] = 1


class TransferRefused(_Decision):
    """The ledger holds nothing: the payer's side shows the refusal."""

    TYPE: ClassVar[str] = "transfer.refused"
    VERSION: ClassVar[int] = 1

    reason: RefuseReason


class TransferCommitted(_Decision):
    """The held hours went to the payee: final on both sides."""

    TYPE: ClassVar[str] = "transfer.committed"
    VERSION: ClassVar[int] = 1


class TransferReleased(_Decision):
    """The held hours went back to the payer: final on both sides; the payee reverses what it showed."""

    TYPE: ClassVar[str] = "transfer.released"
    VERSION: ClassVar[int] = 1

    reason: ReleaseReason


class Position(BaseModel):
    """The net of what one party paid another, in quarter hours, over a clearing period."""

    model_config = ConfigDict(frozen=True)

    payer: str = Field(description="`antenne:<id>` or `partner:<id>`.")
    payee: str
    paid: int = Field(ge=0, description="What payer's members paid payee's members in the period.")
    received: int = Field(ge=0, description="What payee's members paid payer's members in the period.")
    net: int = Field(description="`paid - received`: positive when the payee's side owes the payer's.")


class LimitWarning(BaseModel):
    """A partner's net position is near (or at) its bilateral limit."""

    model_config = ConfigDict(frozen=True)

    partner: str
    position: int
    limit: int
    reached: bool


class ClearingRecorded(Contract):
    """A clearing run netted the bilateral positions of a period and recorded them as settled."""

    TYPE: ClassVar[str] = "clearing.recorded"
    VERSION: ClassVar[int] = 1

    run_id: UUID
    period_start: datetime | None
    period_end: datetime
    positions: tuple[Position, ...]
    partner_positions: dict[str, int] = Field(
        description="Each partner's standing net position (clearing account) at the end of the period."
    )
    warnings: tuple[LimitWarning, ...]
