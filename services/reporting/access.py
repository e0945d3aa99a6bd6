"""Who may read the reports: a staff token (the reporting service's own, or a scoped token of a project
coordinator, local lead or coordinator) as a Bearer header (API, scripts), or a signed-in cookie.
Members and partners never read the report tables (partners get the anonymised feed).

Signing in with the token sets an HttpOnly cookie holding a keyed hash of the token, never the token:
the cookie stops working when the token is changed.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from fastapi import HTTPException, Request, status

from services.auth import Authentication
from services.principals import Role

COOKIE = "bp_reports"
READERS = frozenset({Role.SERVICE, Role.PROJECT_COORDINATOR, Role.LOCAL_LEAD, Role.COORDINATOR})
SESSION_SECONDS = 12 * 3600


def session_value(token: str) -> str:
    """What the cookie holds for this token."""
    return hmac.new(token.encode(), b"reporting pages v1", hashlib.sha256).hexdigest()


def token_matches(request: Request, offered: str) -> bool:
    """Whether `offered` is the service's token (compared in constant time)."""
    expected: str = request.app.state.token
    return secrets.compare_digest(offered.encode(), expected.encode())


def may_read(request: Request) -> bool:
    """A reader's Bearer token, or the signed-in cookie; 403 for a known token of another role."""
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        auth: Authentication = request.app.state.auth
        principal = auth.principal(header[7:].strip())
        if principal is not None:
            if principal.role not in READERS:
                raise HTTPException(status.HTTP_403_FORBIDDEN, f"a {principal.role} may not read the reports")
            return True
    cookie = request.cookies.get(COOKIE, "")
    return bool(cookie) and secrets.compare_digest(
        cookie.encode(), session_value(request.app.state.token).encode()
    )


def require_reader(request: Request) -> None:
    """Refuse with 401 unless the request may read the reports (403 for a token of another role)."""
    if not may_read(request):
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            "missing 'Authorization: Bearer <token>' header (or sign in at /reports/signin)",
            headers={"WWW-Authenticate": "Bearer"},
        )
