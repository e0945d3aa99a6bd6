"""`status`: what the snapshot says about each antenne's events, and what is wrong (the problems list)."""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from services.operations.snapshot import AntenneState, ConsumerService, Snapshot


@dataclass(frozen=True)
class Thresholds:
    """When a delay becomes a problem."""

    stale_seconds: float = 60.0  # a consumer with pending messages that acknowledged nothing for this long
    max_backlog: int = 1000  # events stored at an antenne and not yet relayed, while its relay is connected


@dataclass(frozen=True)
class Delivery:
    """How far one consumer service got with one antenne's events, against the antenne's relay position."""

    position: int | None
    behind: int | None  # relay position minus this position; negative: the centre holds more than the antenne
    caught_up: bool
    last_applied_at: datetime | None = None  # when this process last applied an event of the antenne


def delivery(antenne: AntenneState, consumer: ConsumerService | None, known: int | None) -> Delivery:
    """Compare a consumer's position for this antenne with the antenne's relay position."""
    relayed = antenne.relay_position
    stream = consumer.stream if consumer is not None else None
    idle = stream is not None and stream.found and stream.num_pending + stream.num_ack_pending == 0
    applied_at = consumer.applied_at.get(antenne.antenne_id) if consumer is not None else None
    if known is None:
        # This process applied nothing of the antenne yet: an idle consumer means nothing is missing.
        return Delivery(None, None, relayed is None or idle, applied_at)
    behind = None if relayed is None else relayed - known
    return Delivery(known, behind, behind is not None and behind <= 0, applied_at)


def ledger_position(snapshot: Snapshot, antenne_id: str) -> int | None:
    """The ledger's own record (audit) first: it survives restarts; else what its consumer applied."""
    if snapshot.audit is not None and snapshot.audit.positions.get(antenne_id) is not None:
        return snapshot.audit.positions[antenne_id]
    return snapshot.ledger.positions.get(antenne_id) if snapshot.ledger else None


def reporting_position(snapshot: Snapshot, antenne_id: str) -> int | None:
    """What reporting's consumer applied of this antenne since it started."""
    return snapshot.reporting.positions.get(antenne_id) if snapshot.reporting else None


def problems(snapshot: Snapshot, thresholds: Thresholds | None = None) -> list[str]:
    """Everything an operator must look at; empty when the federation is healthy."""
    limits = thresholds or Thresholds()
    found: list[str] = []
    if snapshot.nats_error:
        found.append(f"NATS at {snapshot.nats_url} cannot be read: {snapshot.nats_error}")
    for antenne in snapshot.antennes:
        found.extend(_antenne_problems(snapshot, antenne, limits))
    for service in (snapshot.ledger, snapshot.reporting):
        if service is not None:
            found.extend(_consumer_problems(snapshot, service, limits))
    if snapshot.parked_messages:
        found.append(
            f"{snapshot.parked_messages} message(s) wait on the dead-letter stream: no consumer could apply "
            "them; read the reason in each (`nats stream view BP_DEADLETTER`), then purge the stream"
        )
    if snapshot.audit_error:
        found.append(f"ledger audit unavailable: {snapshot.audit_error}")
    elif snapshot.audit is not None and not snapshot.audit.balanced:
        audit = snapshot.audit
        found.append(
            f"ledger audit fails: accounts sum to {audit.sum_of_accounts} (must be 0), exchanges credited "
            f"{audit.credited_by_exchanges} quarters against {audit.confirmed_quarters} confirmed"
        )
    return found


def _antenne_problems(snapshot: Snapshot, antenne: AntenneState, limits: Thresholds) -> list[str]:
    name = f"antenne {antenne.antenne_id}"
    if not antenne.up:
        return [f"{name} is down ({antenne.url}): {antenne.error}"]
    found = []
    if not antenne.relay_connected:
        found.append(f"{name}: relay not connected to NATS ({antenne.relay_error or 'no error reported'})")
    elif antenne.backlog > limits.max_backlog:
        found.append(f"{name}: {antenne.backlog} events not yet relayed")
    held = ledger_position(snapshot, antenne.antenne_id)
    has = antenne.relay_position or 0
    if held is not None and held > has:
        stored = "" if antenne.events_stored is None else f" and its store ends at {antenne.events_stored}"
        found.append(
            f"{name}: the ledger holds events up to position {held} but the antenne's relay is at "
            f"{antenne.relay_position}{stored}: if its store was restored from a backup, events "
            f"{has + 1}..{held} reached the centre and are missing from the store "
            "(see deploy/BACKUP.md before it takes new work)"
        )
    return found


def _consumer_problems(snapshot: Snapshot, service: ConsumerService, limits: Thresholds) -> list[str]:
    if not service.up:
        return [f"{service.name} is down ({service.url}): {service.error}"]
    found = []
    if not service.connected:
        found.append(f"{service.name}: consumer not connected to NATS ({service.last_error or 'no error'})")
    for antenne_id, last in service.waiting.items():
        found.append(f"{service.name}: waits for the event of {antenne_id} after position {last} (missing)")
    stream = service.stream
    if stream is None:
        return found
    if not stream.found:
        found.append(f"{service.name}: durable consumer {stream.durable!r} not found on the stream")
    elif stream.num_pending + stream.num_ack_pending > 0 and _stale(snapshot, stream.last_active, limits):
        found.append(
            f"{service.name}: {stream.num_pending} messages pending and "
            f"{stream.num_ack_pending} unacknowledged, "
            f"nothing acknowledged for {limits.stale_seconds:.0f} s or more"
        )
    return found


def _stale(snapshot: Snapshot, last_active: datetime | None, limits: Thresholds) -> bool:
    return last_active is None or (snapshot.taken_at - last_active).total_seconds() >= limits.stale_seconds


def age(snapshot: Snapshot, moment: datetime | None) -> str:
    """`12 s ago`, `3 min ago`, or `never`."""
    if moment is None:
        return "never"
    seconds = max((snapshot.taken_at - moment).total_seconds(), 0.0)
    if seconds < 120:
        return f"{seconds:.0f} s ago"
    if seconds < 7200:
        return f"{seconds / 60:.0f} min ago"
    return f"{seconds / 3600:.1f} h ago"


def as_json(snapshot: Snapshot, found: list[str]) -> str:
    """The snapshot, each antenne's deliveries and the problems, as JSON."""
    body: dict[str, Any] = dataclasses.asdict(snapshot)
    for antenne in body["antennes"]:
        antenne_id = antenne["antenne_id"]
        state = next(a for a in snapshot.antennes if a.antenne_id == antenne_id)
        antenne["ledger"] = dataclasses.asdict(
            delivery(state, snapshot.ledger, ledger_position(snapshot, antenne_id))
        )
        antenne["reporting"] = dataclasses.asdict(
            delivery(state, snapshot.reporting, reporting_position(snapshot, antenne_id))
        )
    body["ok"] = not found
    body["problems"] = found
    return json.dumps(body, indent=2, default=_jsonable)


def _jsonable(value: object) -> str:
    if isinstance(value, datetime):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def table(snapshot: Snapshot, found: list[str]) -> str:
    """A readable report: antennes, consumers, audit, problems."""
    rows: list[tuple[str, ...]] = [
        (
            "antenne",
            "up",
            "relay",
            "position",
            "backlog",
            "last publish",
            "ledger",
            "reporting",
            "ledger view",
        )
    ]
    for antenne in snapshot.antennes:
        rows.append(_antenne_row(snapshot, antenne))
    lines = _aligned(rows)
    lines.append("")
    rows = [("consumer", "up", "connected", "pending", "unacked", "redelivered", "last ack")]
    for service in (snapshot.ledger, snapshot.reporting):
        if service is not None:
            rows.append(_consumer_row(snapshot, service))
    lines.extend(_aligned(rows))
    lines.append("")
    lines.append(_audit_line(snapshot))
    if snapshot.parked_messages is not None:
        lines.append(f"dead-letter stream: {snapshot.parked_messages} message(s)")
    if found:
        lines.append(f"{len(found)} problem(s):")
        lines.extend(f"  - {problem}" for problem in found)
    else:
        lines.append("OK: every antenne is up and its events reached the ledger and reporting")
    return "\n".join(lines)


def _antenne_row(snapshot: Snapshot, antenne: AntenneState) -> tuple[str, ...]:
    if not antenne.up:
        return (antenne.antenne_id, "DOWN", "-", "-", "-", "-", "-", "-", "-")
    deliveries = (
        delivery(antenne, snapshot.ledger, ledger_position(snapshot, antenne.antenne_id)),
        delivery(antenne, snapshot.reporting, reporting_position(snapshot, antenne.antenne_id)),
    )
    return (
        antenne.antenne_id,
        "yes",
        "connected" if antenne.relay_connected else "DISCONNECTED",
        _text(antenne.relay_position),
        str(antenne.backlog),
        age(snapshot, antenne.last_publish_at),
        *(_delivery_text(snapshot, d) for d in deliveries),
        ledger_view_text(snapshot, antenne),
    )


def ledger_view_text(snapshot: Snapshot, antenne: AntenneState) -> str:
    """How fresh the antenne's last known balances are: `as of 2 min ago`, and whether it still hears."""
    text = (
        "none yet"
        if antenne.ledger_view_as_of is None
        else f"as of {age(snapshot, antenne.ledger_view_as_of)}"
    )
    return text + (", NOT RECEIVING" if antenne.ledger_view_connected is False else "")


def _delivery_text(snapshot: Snapshot, d: Delivery) -> str:
    if d.position is None:
        text = "caught up" if d.caught_up else "unknown"
    elif d.behind is None or d.behind == 0:
        text = f"{d.position} (caught up)" if d.caught_up else str(d.position)
    else:
        text = f"{d.position} ({d.behind} behind)" if d.behind > 0 else f"{d.position} (AHEAD by {-d.behind})"
    return f"{text}, last {age(snapshot, d.last_applied_at)}" if d.last_applied_at else text


def _consumer_row(snapshot: Snapshot, service: ConsumerService) -> tuple[str, ...]:
    stream = service.stream
    if stream is None or not stream.found:
        counts = ("-", "-", "-", "-")
    else:
        counts = (
            str(stream.num_pending),
            str(stream.num_ack_pending),
            str(stream.redelivered),
            age(snapshot, stream.last_active),
        )
    up = "yes" if service.up else "DOWN"
    connected = "-" if not service.up else ("yes" if service.connected else "NO")
    return (service.name, up, connected, *counts)


def _audit_line(snapshot: Snapshot) -> str:
    audit = snapshot.audit
    if audit is None:
        return f"ledger audit: unavailable ({snapshot.audit_error or 'no ledger given'})"
    verdict = "balanced" if audit.balanced else "NOT BALANCED"
    return (
        f"ledger audit: {verdict} (accounts sum to {audit.sum_of_accounts}; exchanges credited "
        f"{audit.credited_by_exchanges} of {audit.confirmed_quarters} confirmed quarters)"
    )


def _text(value: int | None) -> str:
    return "-" if value is None else str(value)


def _aligned(rows: list[tuple[str, ...]]) -> list[str]:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return [
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip() for row in rows
    ]
