"""Pseudonymous member ids: a keyed hash with a key of each partner's own, rotatable by key id.

HMAC-SHA256 over the partner id and the member's global id: without the key nobody can link a pseudonym
to a member, and two partners (two keys) get unrelated pseudonyms for the same member. A member keeps
their pseudonym at one partner for as long as the key stays; rotating the key (a new key id) cuts the
link with everything published before, which is what rotation is for.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from dataclasses import dataclass

MIN_SECRET_BYTES = 16


class WeakPartnerKeyError(ValueError):
    """A pseudonym key must be long enough that nobody can guess it and undo the pseudonyms."""


@dataclass(frozen=True)
class PartnerKey:
    """One partner's current key: its id travels in every message, the secret never does."""

    key_id: str
    secret: bytes

    def __post_init__(self) -> None:
        if len(self.secret) < MIN_SECRET_BYTES:
            raise WeakPartnerKeyError(
                f"the key {self.key_id!r} has {len(self.secret)} bytes; give at least {MIN_SECRET_BYTES}"
            )

    @classmethod
    def new(cls, key_id: str) -> PartnerKey:
        """A fresh random key (256 bits)."""
        return cls(key_id, secrets.token_bytes(32))


def pseudonym(key: PartnerKey, partner_id: str, member_id: str) -> str:
    """The member's pseudonym for this partner and key: 24 lowercase base32 characters."""
    digest = hmac.new(key.secret, f"{partner_id}/{member_id}".encode(), hashlib.sha256).digest()
    return base64.b32encode(digest[:15]).decode().lower()
