"""Routes for statements: a member's movements, and the signed portable hour statement."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated
from uuid import UUID

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from fastapi import APIRouter, Depends, Query, Request

from contracts.ledger.v1 import SignedHourStatement, SigningKey
from contracts.ledger.verification import sign, signing_key_of
from services.auth import authenticate
from services.ledger.api import FOR_MEMBERS, LedgerDep
from services.ledger.statement import Statement


def get_signing_key(request: Request) -> Ed25519PrivateKey:
    """The ledger's private signing key, loaded at start-up."""
    key: Ed25519PrivateKey = request.app.state.signing_key
    return key


SigningKeyDep = Annotated[Ed25519PrivateKey, Depends(get_signing_key)]
AsOf = Annotated[
    date | None, Query(description="Count movements performed up to and including this day (default: all).")
]

router = APIRouter(prefix="/api/v1", tags=["statements"], dependencies=[Depends(authenticate)])
public_router = APIRouter(prefix="/api/v1", tags=["statements"])


@router.get("/members/{member_id}/statement", dependencies=FOR_MEMBERS)
def get_statement(member_id: UUID, ledger: LedgerDep, as_of: AsOf = None) -> Statement:
    """Every movement of a member's hours with the running balance, and totals per month."""
    return ledger.statement(member_id, as_of)


@router.get("/members/{member_id}/hour-statement", dependencies=FOR_MEMBERS)
def get_hour_statement(
    member_id: UUID, ledger: LedgerDep, key: SigningKeyDep, as_of: AsOf = None
) -> SignedHourStatement:
    """The member's hours as of a day, signed by the ledger: verifiable offline with the public key."""
    issued_at = datetime.now(UTC)
    statement = ledger.hour_statement(member_id, as_of or issued_at.date(), issued_at)
    return sign(statement, key)


@public_router.get("/signing-key")
def get_signing_key_public(key: SigningKeyDep) -> SigningKey:
    """The public key that verifies the ledger's hour statements (no token needed)."""
    return signing_key_of(key)
