"""Who may sign in to the antenne's pages: coordinators with a password, members with a desk code.

Passwords and codes are stored as argon2 hashes only. Five wrong tries in a row lock the account or the
member's code for fifteen minutes. A member's code is handed out at the desk: it works once, or until a
coordinator renews it, and expires after its validity. None of this is a domain event: it never leaves
the antenne and is kept in its own tables of the antenne's database.
"""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from services.antenne.application.roles import Role

if TYPE_CHECKING:
    from collections.abc import Callable

    from services.antenne.web.store import TableStore

MAX_FAILURES = 5
LOCK_SECONDS = 15 * 60
CODE_DIGITS = 8
CODE_VALID_DAYS = 90
MIN_PASSWORD_LENGTH = 10
COORDINATOR_ROLES = (Role.COORDINATOR, Role.LOCAL_LEAD, Role.PROJECT_COORDINATOR)

SCHEMA = (
    """CREATE TABLE IF NOT EXISTS web_accounts (
        username TEXT PRIMARY KEY, display_name TEXT NOT NULL, role TEXT NOT NULL,
        password_hash TEXT NOT NULL, failures INTEGER NOT NULL DEFAULT 0,
        locked_until BIGINT NOT NULL DEFAULT 0)""",
    """CREATE TABLE IF NOT EXISTS web_member_codes (
        number TEXT PRIMARY KEY, member_id TEXT NOT NULL, code_hash TEXT NOT NULL, one_time INTEGER NOT NULL,
        expires_at BIGINT NOT NULL, failures INTEGER NOT NULL DEFAULT 0,
        locked_until BIGINT NOT NULL DEFAULT 0)""",
)


class WeakPasswordError(ValueError):
    """A coordinator's password must be long enough."""


@dataclass(frozen=True)
class Coordinator:
    """A coordinator who signed in."""

    username: str
    display_name: str
    role: Role


@dataclass(frozen=True)
class SignIn:
    """The outcome of a sign-in attempt: who, or why not (`locked`: too many wrong tries)."""

    who: Coordinator | str | None = None  # a Coordinator, or a member's id
    locked: bool = False


class Accounts:
    """Coordinator accounts and members' sign-in codes."""

    def __init__(self, store: TableStore, clock: Callable[[], float] = time.time) -> None:
        self._store = store
        self._clock = clock
        # Light enough for a desk's tablet, still far too slow for guessing; codes are short, so hashed too.
        self._hasher = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)
        # Verified when the name is unknown, so that a wrong name costs the same time as a wrong password.
        self._dummy = self._hasher.hash(secrets.token_hex(8))
        for statement in SCHEMA:
            store.run(statement)

    def add_coordinator(
        self, username: str, password: str, display_name: str = "", role: Role = Role.COORDINATOR
    ) -> None:
        """Create or replace a coordinator's account."""
        if len(password) < MIN_PASSWORD_LENGTH:
            raise WeakPasswordError(f"a password needs at least {MIN_PASSWORD_LENGTH} characters")
        if role not in COORDINATOR_ROLES:
            raise ValueError(f"{role} is not a coordinator's role")
        self._store.run(
            "INSERT INTO web_accounts (username, display_name, role, password_hash) VALUES (%s, %s, %s, %s) "
            "ON CONFLICT (username) DO UPDATE SET display_name = excluded.display_name, "
            "role = excluded.role, "
            "password_hash = excluded.password_hash, failures = 0, locked_until = 0",
            (username.strip().lower(), display_name or username, str(role), self._hasher.hash(password)),
        )

    def has_coordinator(self, username: str) -> bool:
        """Whether an account of this name exists."""
        return bool(self._store.run("SELECT 1 FROM web_accounts WHERE username = %s", (username.lower(),)))

    def sign_in_coordinator(self, username: str, password: str) -> SignIn:
        """The coordinator, if the password is right and the account not locked."""
        rows = self._store.run(
            "SELECT display_name, role, password_hash, locked_until FROM web_accounts WHERE username = %s",
            (username.strip().lower(),),
        )
        if not rows:
            _verify(self._hasher, self._dummy, password)
            return SignIn()
        display_name, role, password_hash, locked_until = rows[0]
        if locked_until > self._clock():
            return SignIn(locked=True)
        if not _verify(self._hasher, password_hash, password):
            return SignIn(locked=self._failed("web_accounts", "username", username.strip().lower()))
        self._succeeded("web_accounts", "username", username.strip().lower())
        return SignIn(Coordinator(username.strip().lower(), display_name, Role(role)))

    def issue_code(self, number: str, member_id: str, *, one_time: bool = False) -> str:
        """A new sign-in code for a member (any earlier one stops working); shown once, stored hashed."""
        code = "".join(secrets.choice("0123456789") for _ in range(CODE_DIGITS))
        expires_at = int(self._clock()) + CODE_VALID_DAYS * 24 * 3600
        self._store.run(
            "INSERT INTO web_member_codes (number, member_id, code_hash, one_time, expires_at) "
            "VALUES (%s, %s, %s, %s, %s) ON CONFLICT (number) DO UPDATE SET member_id = excluded.member_id, "
            "code_hash = excluded.code_hash, one_time = excluded.one_time, expires_at = excluded.expires_at, "
            "failures = 0, locked_until = 0",
            (number.upper(), member_id, self._hasher.hash(code), int(one_time), expires_at),
        )
        return code

    def sign_in_member(self, number: str, code: str) -> SignIn:
        """The member's id, if the code is theirs, valid and not locked; a one-time code is used up."""
        number, code = number.strip().upper(), "".join(code.split())
        rows = self._store.run(
            "SELECT member_id, code_hash, one_time, expires_at, locked_until FROM web_member_codes "
            "WHERE number = %s",
            (number,),
        )
        if not rows:
            _verify(self._hasher, self._dummy, code)
            return SignIn()
        member_id, code_hash, one_time, expires_at, locked_until = rows[0]
        if locked_until > self._clock():
            return SignIn(locked=True)
        if expires_at <= self._clock() or not _verify(self._hasher, code_hash, code):
            return SignIn(locked=self._failed("web_member_codes", "number", number))
        if one_time:
            self._store.run("DELETE FROM web_member_codes WHERE number = %s", (number,))
        else:
            self._succeeded("web_member_codes", "number", number)
        return SignIn(str(member_id))

    def _failed(self, table: str, key: str, value: str) -> bool:
        """Count a wrong try; True if that locks the account now."""
        rows = self._store.run(
            f"UPDATE {table} SET failures = failures + 1 WHERE {key} = %s RETURNING failures", (value,)
        )
        if rows and rows[0][0] >= MAX_FAILURES:
            locked_until = int(self._clock()) + LOCK_SECONDS
            self._store.run(
                f"UPDATE {table} SET failures = 0, locked_until = %s WHERE {key} = %s", (locked_until, value)
            )
            return True
        return False

    def _succeeded(self, table: str, key: str, value: str) -> None:
        self._store.run(f"UPDATE {table} SET failures = 0, locked_until = 0 WHERE {key} = %s", (value,))


def new_password() -> str:
    """A strong password made up for a new account (to be changed or kept in a password manager)."""
    return secrets.token_urlsafe(15)


def _verify(hasher: PasswordHasher, password_hash: str, secret: str) -> bool:
    try:
        return hasher.verify(password_hash, secret)
    except (VerificationError, InvalidHashError):
        return False
