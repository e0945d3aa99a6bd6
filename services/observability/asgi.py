"""Request metrics and trace context as one pure ASGI middleware.

Starlette's `BaseHTTPMiddleware` runs the app in a task of its own and streams the response through a
memory channel, per middleware and per request; this middleware only wraps `send`. The route template
(never the ids in a path) is read from the scope once the router has matched it.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from starlette.datastructures import MutableHeaders

from services.observability.tracing import HEADER, Trace, current_trace

if TYPE_CHECKING:
    from starlette.types import ASGIApp, Message, Receive, Scope, Send

    from services.observability.metrics import ServiceMetrics
    from services.observability.otlp import Spans

_HEADER_BYTES = HEADER.encode()


class ObservedRequests:
    """Counts and times each HTTP request per route template; continues the caller's trace (or starts
    one), makes it current while the request is served, and answers with this hop's `traceparent`."""

    def __init__(self, app: ASGIApp, metrics: ServiceMetrics, spans: Spans) -> None:
        self.app, self.metrics, self.spans = app, metrics, spans

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500  # unless the app answers: an exception escapes as a server error
        with self.spans.span(f"HTTP {scope['method']}", _caller_trace(scope), "SERVER") as here:

            async def send_observed(message: Message) -> None:
                nonlocal status
                if message["type"] == "http.response.start":
                    status = message["status"]
                    MutableHeaders(scope=message).append(HEADER, here.header())
                await send(message)

            token = current_trace.set(here)
            try:
                await self.app(scope, receive, send_observed)
            finally:
                current_trace.reset(token)
                self._count(scope, status, time.perf_counter() - started)

    def _count(self, scope: Scope, status: int, seconds: float) -> None:
        route = getattr(scope.get("route"), "path", "unmatched")
        labels = (self.metrics.service, scope["method"], route)
        self.metrics.requests.labels(*labels, str(status)).inc()
        self.metrics.latency.labels(*labels).observe(seconds)


def _caller_trace(scope: Scope) -> Trace | None:
    for name, value in scope["headers"]:
        if name == _HEADER_BYTES:
            return Trace.parse(value.decode("latin-1"))
    return None
