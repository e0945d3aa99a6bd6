"""Version 1 of the ledger's documents: the portable hour statement, signed by the federation.

A member takes the statement to a new antenne, a partner network or a care actor, who verify it offline
with the ledger's published public key (`contracts.ledger.verification`).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import ClassVar, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from contracts.base import Contract


class HourStatement(Contract):
    """A member's time credits as of a day, as the ledger booked them."""

    TYPE: ClassVar[str] = "ledger.hour_statement"
    VERSION: ClassVar[int] = 1

    member_id: UUID
    home_antenne: str | None = Field(description="Where the member is registered, if the ledger knows.")
    as_of: date = Field(description="Movements performed up to and including this day are counted.")
    balance_quarters: int = Field(description="Earned minus spent, in quarter hours.")
    earned_quarters: int = Field(ge=0, description="Quarter hours credited (help given, received gifts).")
    spent_quarters: int = Field(ge=0, description="Quarter hours debited (help received, gifts made).")
    issued_at: datetime
    issuer: str = Field(description="Who signed: the federation's ledger.")


class SignedHourStatement(BaseModel):
    """A statement with its Ed25519 signature over the statement's canonical JSON."""

    model_config = ConfigDict(frozen=True)

    statement: HourStatement
    algorithm: Literal["Ed25519"] = "Ed25519"
    key_id: str = Field(description="Which of the ledger's published keys signed it.")
    signature: str = Field(description="Base64 (URL-safe) Ed25519 signature of the canonical statement.")


class SigningKey(BaseModel):
    """A public key the ledger publishes so that anyone can verify its statements offline."""

    model_config = ConfigDict(frozen=True)

    key_id: str
    algorithm: Literal["Ed25519"] = "Ed25519"
    public_key: str = Field(description="Raw 32-byte Ed25519 public key, base64 (URL-safe).")
