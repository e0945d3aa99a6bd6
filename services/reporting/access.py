"""Who may read the reports: the reporting token, as a Bearer header (API, scripts) or a signed-in cookie.

Signing in with the token sets an HttpOnly cookie holding a keyed hash of the token, never the token:
the cookie stops working when the token is changed.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from fastapi import HTTPException, Request, status

COOKIE = "bp_reports"
SESSION_SECONDS = 12 * 3600


def session_value(token: str) -> str:
    """What the cookie holds for this token."""
    return hmac.new(token.encode(), b"reporting pages v1", hashlib.sha256).hexdigest()


def token_matches(request: Request, offered: str) -> bool:
    """Whether `offered` is the service's token (compared in constant time)."""
    expected: str = request.app.state.token
    return secrets.compare_digest(offered.encode(), expected.encode())


def may_read(request: Request) -> bool:
    """A valid Bearer token, or the signed-in cookie."""
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer ") and token_matches(request, header[7:].strip()):
        return True
    cookie = request.cookies.get(COOKIE, "")
    return bool(cookie) and secrets.compare_digest(
        cookie.encode(), session_value(request.app.state.token).encode()
    )


def require_reader(request: Request) -> None:
    """Refuse with 401 unless the request may read the reports."""
    if not may_read(request):
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            "missing 'Authorization: Bearer <token>' header (or sign in at /reports/signin)",
            headers={"WWW-Authenticate": "Bearer"},
        )
