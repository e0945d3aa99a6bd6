"""What every service's HTTP answers carry and refuse, as one pure ASGI middleware.

Pure ASGI rather than Starlette's `BaseHTTPMiddleware`, which costs a task and a stream per request (a
measured bottleneck, docs/performance.md): this one only wraps `receive` and `send`.

- Secure headers on every answer: no sniffing, no framing, no referrer, no caching of API answers, and a
  content security policy that forbids everything to a JSON answer (pages set their own).
- A request body limit: a declared `Content-Length` above it is refused at once with 413; a body sent in
  chunks is counted, and once it passes the limit the request gets 413 and the app sees a disconnect.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable, MutableMapping

    from fastapi import FastAPI

    Scope = MutableMapping[str, Any]
    Message = MutableMapping[str, Any]
    Receive = Callable[[], Awaitable[Message]]
    Send = Callable[[Message], Awaitable[None]]
    ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

MAX_BODY_BYTES = 1024 * 1024  # the largest batch of vouchers is far below this

SECURE_HEADERS: tuple[tuple[bytes, bytes], ...] = (
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"cross-origin-resource-policy", b"same-origin"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=()"),
)
JSON_POLICY = b"default-src 'none'; frame-ancestors 'none'"
HSTS = b"max-age=31536000; includeSubDomains"


class HttpGuard:
    """Secure headers and a request body limit around an ASGI app."""

    def __init__(self, app: ASGIApp, max_body_bytes: int = MAX_BODY_BYTES) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = _content_length(scope)
        if declared is not None and declared > self.max_body_bytes:
            await _too_large(send, self.max_body_bytes, secure=scope.get("scheme") == "https")
            return
        answered = False  # once we refused the body, the app's own answer is dropped
        received = 0

        async def counted_receive() -> Message:
            nonlocal answered, received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_body_bytes and not answered:
                    answered = True
                    await _too_large(send, self.max_body_bytes, secure=scope.get("scheme") == "https")
                    return {"type": "http.disconnect"}
            return message

        async def guarded_send(message: Message) -> None:
            if answered:
                return
            if message["type"] == "http.response.start":
                message["headers"] = _with_secure_headers(
                    list(message.get("headers", [])), secure=scope.get("scheme") == "https"
                )
            await send(message)

        await self.app(scope, counted_receive, guarded_send)


def install_http_guard(app: FastAPI, max_body_bytes: int = MAX_BODY_BYTES) -> None:
    """Put the guard around `app` (secure headers, body limit)."""
    app.add_middleware(HttpGuard, max_body_bytes=max_body_bytes)


def _content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", []):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


def _with_secure_headers(headers: list[tuple[bytes, bytes]], *, secure: bool) -> list[tuple[bytes, bytes]]:
    present = {name.lower() for name, _ in headers}
    added = [(name, value) for name, value in SECURE_HEADERS if name not in present]
    content_type = next((value for name, value in headers if name.lower() == b"content-type"), b"")
    if b"content-security-policy" not in present:
        # A JSON answer needs nothing; the interactive docs load their own scripts and only forbid framing.
        policy = JSON_POLICY if content_type.startswith(b"application/json") else b"frame-ancestors 'none'"
        added.append((b"content-security-policy", policy))
    if b"cache-control" not in present and content_type.startswith(b"application/json"):
        added.append((b"cache-control", b"no-store"))
    if secure and b"strict-transport-security" not in present:
        added.append((b"strict-transport-security", HSTS))
    return headers + added


async def _too_large(send: Send, limit: int, *, secure: bool) -> None:
    body = json.dumps({"detail": f"request body larger than {limit} bytes"}).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    await send({
        "type": "http.response.start",
        "status": 413,
        "headers": _with_secure_headers(headers, secure=secure),
    })  # fmt: skip
    await send({"type": "http.response.body", "body": body})
