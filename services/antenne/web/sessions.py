"""Server-side sessions of the antenne's pages, their CSRF tokens and cookies, and sign-in rate limiting.

The browser holds only a random session token (HttpOnly, SameSite=Lax, Secure behind https); the antenne
keeps its hash, who signed in and the session's CSRF token in its database. Every form carries the CSRF
token; before sign-in, a random token in a cookie must equal the form's (double submit).
"""

from __future__ import annotations

import hashlib
import secrets
import time
from collections import deque
from dataclasses import dataclass
from typing import TYPE_CHECKING

from services.antenne.application.roles import Actor, Role

if TYPE_CHECKING:
    from collections.abc import Callable

    from starlette.requests import Request
    from starlette.responses import Response

    from services.antenne.web.store import TableStore

SESSION_COOKIE = "bp_session"
CSRF_COOKIE = "bp_csrf"
SESSION_SECONDS = 10 * 3600  # a permanence day
SIGN_INS_PER_WINDOW = 10
WINDOW_SECONDS = 60.0

SCHEMA = """CREATE TABLE IF NOT EXISTS web_sessions (
    token_hash TEXT PRIMARY KEY, kind TEXT NOT NULL, subject TEXT NOT NULL, role TEXT NOT NULL,
    display_name TEXT NOT NULL, csrf TEXT NOT NULL, expires_at BIGINT NOT NULL)"""


@dataclass(frozen=True)
class WebSession:
    """Who is signed in: a coordinator (`subject` their user name) or a member (`subject` their id)."""

    kind: str  # "coordinator" or "member"
    subject: str
    role: Role
    display_name: str
    csrf: str

    @property
    def actor(self) -> Actor:
        """The actor the application's role table knows."""
        return Actor(self.role, self.subject)

    @property
    def is_coordinator(self) -> bool:
        return self.kind == "coordinator"


class Sessions:
    """Opens, finds and closes sessions in the antenne's database."""

    def __init__(self, store: TableStore, clock: Callable[[], float] = time.time) -> None:
        self._store = store
        self._clock = clock
        store.run(SCHEMA)

    def open(self, kind: str, subject: str, role: Role, display_name: str) -> str:
        """A new session; returns the token for the cookie (only its hash is stored)."""
        token = secrets.token_urlsafe(32)
        self._store.run(
            "INSERT INTO web_sessions (token_hash, kind, subject, role, display_name, csrf, expires_at) "
            "VALUES (%s, %s, %s, %s, %s, %s, %s)",
            (_hash(token), kind, subject, str(role), display_name, secrets.token_urlsafe(32),
             int(self._clock()) + SESSION_SECONDS),
        )  # fmt: skip
        return token

    def find(self, token: str | None) -> WebSession | None:
        """The session of a cookie's token, unless unknown or expired."""
        if not token:
            return None
        rows = self._store.run(
            "SELECT kind, subject, role, display_name, csrf, expires_at FROM web_sessions "
            "WHERE token_hash = %s",
            (_hash(token),),
        )
        if not rows or rows[0][5] <= self._clock():
            return None
        kind, subject, role, display_name, csrf, _ = rows[0]
        return WebSession(kind, subject, Role(role), display_name, csrf)

    def close(self, token: str | None) -> None:
        """Sign out: the token stops working, and expired sessions are cleared."""
        if token:
            self._store.run("DELETE FROM web_sessions WHERE token_hash = %s", (_hash(token),))
        self._store.run("DELETE FROM web_sessions WHERE expires_at <= %s", (int(self._clock()),))


class RateLimiter:
    """At most `limit` attempts per `window` seconds for one key (a client address), in this process."""

    def __init__(
        self,
        limit: int = SIGN_INS_PER_WINDOW,
        window: float = WINDOW_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._limit, self._window, self._clock = limit, window, clock
        self._attempts: dict[str, deque[float]] = {}

    def allow(self, key: str) -> bool:
        """Count an attempt; False if there were too many lately."""
        now = self._clock()
        recent = self._attempts.setdefault(key, deque())
        while recent and recent[0] <= now - self._window:
            recent.popleft()
        if len(recent) >= self._limit:
            return False
        recent.append(now)
        return True


def csrf_matches(expected: str | None, given: str | None) -> bool:
    """Compare the session's (or cookie's) CSRF token with the form's, in constant time."""
    return bool(expected) and bool(given) and secrets.compare_digest(str(expected), str(given))


def anonymous_csrf(request: Request) -> str:
    """The signed-out visitor's CSRF token: the cookie's, or a new one (set it with `set_cookie`)."""
    return request.cookies.get(CSRF_COOKIE) or secrets.token_urlsafe(32)


def set_cookie(response: Response, request: Request, name: str, value: str, *, secure: bool = False) -> None:
    """A cookie scripts cannot read, not sent by other sites' forms, Secure behind https."""
    response.set_cookie(
        name, value, max_age=SESSION_SECONDS, path="/", httponly=True, samesite="lax",
        secure=secure or request.url.scheme == "https",
    )  # fmt: skip


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
