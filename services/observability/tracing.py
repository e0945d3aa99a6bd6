"""W3C trace context (`traceparent`) from an HTTP request at an antenne, through its stored events and the
NATS headers, into the ledger's and reporting's log lines: one confirmation can be followed across services.

The antenne remembers, per notification id, the trace of the request that stored the event; the relay puts
it in the message's `traceparent` header; a consumer reads it back while it applies the message. The trace
id lands in every log line written meanwhile (`trace_id`). The memory is the antenne process's own, bounded,
and best effort: an event relayed after a restart has no trace. Spans are exported only when
`BP_OTLP_ENDPOINT` is set (otlp.py).
"""

from __future__ import annotations

import re
import secrets
from collections import OrderedDict
from contextvars import ContextVar
from dataclasses import dataclass

HEADER = "traceparent"
REMEMBERED_EVENTS = 100_000
_TRACEPARENT = re.compile(r"^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$")

current_trace: ContextVar[Trace | None] = ContextVar("bp_trace", default=None)


@dataclass(frozen=True)
class Trace:
    """A trace id and the span that carries it here."""

    trace_id: str
    span_id: str

    @classmethod
    def parse(cls, header: str | None) -> Trace | None:
        """The trace in a `traceparent` header, or None when absent or malformed."""
        match = _TRACEPARENT.match((header or "").strip().lower())
        if match is None or set(match.group(1)) == {"0"}:
            return None
        return cls(match.group(1), match.group(2))

    @classmethod
    def start(cls) -> Trace:
        """A new trace."""
        return cls(secrets.token_hex(16), secrets.token_hex(8))

    def child(self) -> Trace:
        """The same trace, a new span (the next hop)."""
        return Trace(self.trace_id, secrets.token_hex(8))

    def header(self) -> str:
        """As a `traceparent` header (sampled)."""
        return f"00-{self.trace_id}-{self.span_id}-01"


@dataclass
class EventTraces:
    """notification id -> the trace of the request that stored it (bounded; the oldest are forgotten)."""

    remembered: OrderedDict[int, Trace]

    @classmethod
    def empty(cls) -> EventTraces:
        """No event remembered yet."""
        return cls(OrderedDict())

    def remember(self, positions: list[int]) -> None:
        """Record the current trace for these notification ids (called right after a save)."""
        trace = current_trace.get()
        if trace is None:
            return
        for position in positions:
            self.remembered[position] = trace
        while len(self.remembered) > REMEMBERED_EVENTS:
            self.remembered.popitem(last=False)

    def trace_of(self, position: int) -> Trace | None:
        """The trace of the request that stored this event, if known."""
        return self.remembered.get(position)
