"""Sign and verify hour statements: the same canonical bytes on both sides, nothing else to agree on."""

from __future__ import annotations

import base64
import hashlib
import json

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from contracts.ledger.v1 import HourStatement, SignedHourStatement, SigningKey


def canonical_bytes(statement: HourStatement) -> bytes:
    """The statement as JSON with sorted keys and no spaces: what is signed."""
    return json.dumps(statement.model_dump(mode="json"), sort_keys=True, separators=(",", ":")).encode()


def signing_key_of(private_key: Ed25519PrivateKey) -> SigningKey:
    """The public half of a private key, as the ledger publishes it."""
    raw = private_key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    return SigningKey(key_id=hashlib.sha256(raw).hexdigest()[:16], public_key=_b64(raw))


def sign(statement: HourStatement, private_key: Ed25519PrivateKey) -> SignedHourStatement:
    """Sign a statement with the ledger's private key."""
    return SignedHourStatement(
        statement=statement,
        key_id=signing_key_of(private_key).key_id,
        signature=_b64(private_key.sign(canonical_bytes(statement))),
    )


def verify(signed: SignedHourStatement, key: SigningKey) -> bool:
    """Whether `key` signed exactly this statement."""
    if signed.key_id != key.key_id:
        return False
    public_key = Ed25519PublicKey.from_public_bytes(base64.urlsafe_b64decode(key.public_key))
    try:
        public_key.verify(base64.urlsafe_b64decode(signed.signature), canonical_bytes(signed.statement))
    except (InvalidSignature, ValueError):
        return False
    return True


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode()
