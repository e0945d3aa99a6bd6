"""Log lines an operator can search: JSON when `BP_LOG_FORMAT=json`, with the ids of the event concerned.

Every line written while an event is handled (`event_context`) carries the antenne id, the correlation id,
the event id and the antenne position; every line written for a traced request or message, its trace id.
Only ids and counts are logged: names, contact details and free text stay in the antenne's store
(invariant 8), so a log can be shared with whoever hosts the services.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from services.observability.tracing import current_trace

if TYPE_CHECKING:
    from collections.abc import Iterator
    from uuid import UUID

FORMAT_VARIABLE = "BP_LOG_FORMAT"
LEVEL_VARIABLE = "BP_LOG_LEVEL"
EVENT_FIELDS = ("antenne_id", "correlation_id", "event_id", "position")

_event: ContextVar[dict[str, Any] | None] = ContextVar("bp_log_event", default=None)
_process_fields: dict[str, str] = {}


@contextlib.contextmanager
def event_context(antenne_id: str, correlation_id: UUID, event_id: UUID, position: int) -> Iterator[None]:
    """Lines logged inside carry the event's ids."""
    token = _event.set(
        {"antenne_id": antenne_id, "correlation_id": str(correlation_id), "event_id": str(event_id),
         "position": position}
    )  # fmt: skip
    try:
        yield
    finally:
        _event.reset(token)


class EventFields(logging.Filter):
    """Adds the process's fields (service) and the current event's ids to each record."""

    def filter(self, record: logging.LogRecord) -> bool:
        trace = current_trace.get()
        traced = {"trace_id": trace.trace_id} if trace is not None else {}
        for name, value in {**_process_fields, **(_event.get() or {}), **traced}.items():
            if not hasattr(record, name):
                setattr(record, name, value)
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, service and the event's ids if any."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for name in ("service", *EVENT_FIELDS, "trace_id"):
            value = getattr(record, name, None)
            if value is not None:
                line[name] = value
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False)


class HumanFormatter(logging.Formatter):
    """The usual line, with the event's ids appended when it concerns an event."""

    def format(self, record: logging.LogRecord) -> str:
        line = super().format(record)
        if not hasattr(record, "event_id"):
            return line
        names = (*EVENT_FIELDS, "trace_id")
        ids = " ".join(f"{name}={getattr(record, name)}" for name in names if hasattr(record, name))
        return f"{line} [{ids}]"


def set_process_fields(**fields: str) -> None:
    """Fields every line of this process carries (the service, an antenne's id)."""
    _process_fields.update(fields)


def configure_from_env(**process_fields: str) -> None:
    """Format the root logger's handlers as `BP_LOG_FORMAT` says (`json` or the human default)."""
    set_process_fields(**process_fields)
    root = logging.getLogger()
    if level := os.environ.get(LEVEL_VARIABLE):
        root.setLevel(level.upper())
    json_lines = os.environ.get(FORMAT_VARIABLE, "").lower() == "json"
    for handler in root.handlers:
        if not any(isinstance(f, EventFields) for f in handler.filters):
            handler.addFilter(EventFields())
        if json_lines:
            handler.setFormatter(JsonFormatter())
        elif type(handler.formatter) is logging.Formatter:  # ours (configure_logging), not a test runner's
            handler.setFormatter(HumanFormatter(handler.formatter._fmt, handler.formatter.datefmt))
