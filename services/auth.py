"""Who is calling: scoped API tokens shared by the services' JSON APIs (decision 0011).

Every request under `/api/v1` carries `Authorization: Bearer <token>`. A token stands for one principal:
a role of the practice, an actor (a person's or a system's id; a member's member id) and the antenne it may
act in (`*`: every antenne). Two kinds of token exist:

- the service's own token (`<SERVICE>_TOKEN`), held by the operators' tools and the other services: the
  role `service`, every antenne;
- scoped tokens, issued by `buurtpensioen tokens issue` into a token file (`<SERVICE>_TOKENS_FILE`) that
  keeps only their SHA-256 hash. The tokens are 192 random bits, so a fast hash is enough (a slow password
  hash such as argon2 is for guessable secrets); a stolen file yields no usable token.

Nothing here trusts a header other than the token: the role comes from what was issued, never from the call.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import secrets
import threading
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Annotated
from uuid import UUID

from fastapi import Depends, HTTPException, Request, params, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from services.principals import EVERY_ANTENNE, Principal, Role, acting, check_scope, service_principal

log = logging.getLogger(__name__)
_bearer = HTTPBearer(auto_error=False, description="An API token: the service's own, or a scoped one.")

TOKEN_PREFIX = "bp"
LEGACY_ROLE_HEADERS = frozenset({"x-actor-role", "x-actor-id"})


@dataclass(frozen=True)
class IssuedToken:
    """One line of the token file: never the token itself, only its hash."""

    token_id: str
    sha256: str
    role: Role
    actor_id: str
    antenne: str
    issued_at: str
    label: str = ""
    expires_at: str | None = None  # ISO time; None: until revoked

    def principal(self) -> Principal:
        return Principal(self.token_id, self.role, self.actor_id, self.antenne)

    def expired(self, now: datetime) -> bool:
        return self.expires_at is not None and now >= datetime.fromisoformat(self.expires_at)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class TokenStore:
    """Scoped tokens by hash, kept in a JSON file (mode 0600) or only in memory (`path` None).

    The file is read again when it changed on disk, so a token issued or revoked by the CLI counts from
    the next request on, without a restart.
    """

    def __init__(self, path: Path | None = None) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._by_hash: dict[str, IssuedToken] = {}
        self._stamp: tuple[int, int] | None = None
        self._reload()

    def issue(
        self, role: Role, actor_id: str, antenne: str, label: str = "", valid_for: timedelta | None = None
    ) -> tuple[str, IssuedToken]:
        """A new token for `role`/`actor_id` in `antenne`, refused after `valid_for` (None: until revoked);
        returns the token (shown once) and its record."""
        check_scope(role, antenne)
        token_id = secrets.token_hex(4)
        token = f"{TOKEN_PREFIX}_{token_id}_{secrets.token_urlsafe(24)}"
        now = datetime.now(UTC)
        record = IssuedToken(
            token_id=token_id,
            sha256=token_hash(token),
            role=role,
            actor_id=actor_id,
            antenne=antenne,
            issued_at=now.isoformat(timespec="seconds"),
            label=label,
            expires_at=(now + valid_for).isoformat(timespec="seconds") if valid_for else None,
        )
        with self._lock:
            self._reload()
            self._by_hash[record.sha256] = record
            self._write()
        return token, record

    def revoke(self, token_id: str) -> bool:
        """Forget the token with this id; False when there was none."""
        with self._lock:
            self._reload()
            found = [digest for digest, record in self._by_hash.items() if record.token_id == token_id]
            for digest in found:
                del self._by_hash[digest]
            self._write()
        return bool(found)

    def records(self) -> list[IssuedToken]:
        with self._lock:
            self._reload()
            return sorted(self._by_hash.values(), key=lambda record: record.issued_at)

    def find(self, token: str) -> Principal | None:
        """The principal of `token`, or None."""
        if self._changed_on_disk():  # one stat per request: a revocation counts from the next request on
            with self._lock:
                self._reload()
        record = self._by_hash.get(token_hash(token))
        if record is None:
            return None
        if record.expired(datetime.now(UTC)):
            log.info("token %s expired at %s: refused", record.token_id, record.expires_at)
            return None
        return record.principal()

    def _changed_on_disk(self) -> bool:
        return self.path is not None and self._file_stamp() != self._stamp

    def _file_stamp(self) -> tuple[int, int] | None:
        assert self.path is not None
        try:
            stat = self.path.stat()
        except FileNotFoundError:
            return None
        return stat.st_mtime_ns, stat.st_size

    def _reload(self) -> None:
        if self.path is None:
            return
        self._stamp = self._file_stamp()
        if self._stamp is None:
            self._by_hash = {}
            return
        try:
            raw = json.loads(self.path.read_text() or "[]")
            records = [IssuedToken(**{**entry, "role": Role(entry["role"])}) for entry in raw]
        except (ValueError, TypeError, KeyError) as error:  # a half-edited file: keep what we knew
            log.error("token file %s unreadable (%s): keeping the tokens read before", self.path, error)
            return
        self._by_hash = {record.sha256: record for record in records}

    def _write(self) -> None:
        if self.path is None:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        entries = [asdict(record) for record in sorted(self._by_hash.values(), key=lambda r: r.issued_at)]
        temporary = self.path.with_suffix(".tmp")
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "w") as file:
            file.write(json.dumps(entries, indent=2) + "\n")
        temporary.replace(self.path)
        self._stamp = self._file_stamp()


@dataclass(frozen=True)
class Authentication:
    """What a service's app checks tokens against (kept in `app.state.auth`)."""

    service: str
    service_token: str
    store: TokenStore

    def principal(self, token: str) -> Principal | None:
        if secrets.compare_digest(token.encode(), self.service_token.encode()):
            return service_principal(self.service)
        return self.store.find(token)


def install_authentication(app_state: object, service: str, token: str, tokens_file: Path | None) -> None:
    """Give an app its token check: its own token and the scoped tokens of `tokens_file`."""
    app_state.auth = Authentication(service, token, TokenStore(tokens_file))  # type: ignore[attr-defined]


def _unauthorised(detail: str) -> HTTPException:
    return HTTPException(status.HTTP_401_UNAUTHORIZED, detail, headers={"WWW-Authenticate": "Bearer"})


async def authenticate(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal:
    """The principal of the request's token; 401 without a token or with an unknown one."""
    if credentials is None:
        raise _unauthorised("missing 'Authorization: Bearer <token>' header")
    if any(name in request.headers for name in LEGACY_ROLE_HEADERS):
        # Software still naming the role in headers would silently act with its token's role instead.
        raise HTTPException(
            status.HTTP_400_BAD_REQUEST,
            "X-Actor-Role and X-Actor-Id are no longer read: the token says who acts (a scoped token per "
            "person: `buurtpensioen tokens issue`)",
        )
    auth: Authentication = request.app.state.auth
    principal = auth.principal(credentials.credentials)
    if principal is None:
        raise _unauthorised("invalid token")
    request.state.principal = principal
    acting.set(principal)  # this request's task (and the threads it hands work to) act as them
    return principal


# Kept for the routers that only need a known token before their own role check.
require_token = authenticate
PrincipalDep = Annotated[Principal, Depends(authenticate)]


def allow(*roles: Role) -> params.Depends:
    """A dependency refusing (403) every role but `roles`."""
    allowed = frozenset(roles)

    async def allowed_roles(principal: PrincipalDep) -> Principal:
        if principal.role not in allowed:
            raise HTTPException(
                status.HTTP_403_FORBIDDEN,
                f"a {principal.role} may not call this ({', '.join(sorted(allowed))})",
            )
        return principal

    dependency: params.Depends = Depends(allowed_roles)
    return dependency


async def own_member_only(request: Request, principal: PrincipalDep) -> Principal:
    """Refuse (403) a member asking about another member (the route's `member_id`)."""
    if principal.role is Role.MEMBER and not _same_id(
        request.path_params.get("member_id"), principal.actor_id
    ):
        raise HTTPException(status.HTTP_403_FORBIDDEN, "a member may only see their own account")
    return principal


def _same_id(asked: object, own: str) -> bool:
    try:
        return UUID(str(asked)) == UUID(own)
    except ValueError:
        return False


def new_token() -> str:
    """A fresh random API token."""
    return secrets.token_urlsafe(24)


__all__ = [
    "EVERY_ANTENNE",
    "Authentication",
    "IssuedToken",
    "Principal",
    "PrincipalDep",
    "Role",
    "TokenStore",
    "allow",
    "authenticate",
    "install_authentication",
    "new_token",
    "own_member_only",
    "require_token",
]
