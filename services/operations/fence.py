"""After a restore: what reached the centre but is not in the restored store, and the fence past it.

The ledger and reporting remember each antenne's last position. A store restored from an older backup
would number its next events with positions the centre already holds, and the consumers would drop them
as duplicates. So before the antenne takes new work, `fence` stores one internal event at the centre's
last position and records the relay there: new events follow it and chain on to what the centre has.
The events in between are listed from the stream (ids, types, amounts: no names) for the coordinators
to reconcile; the ledger keeps them, because they happened.
"""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

import nats
from eventsourcing.domain import Aggregate, event
from eventsourcing.persistence import Tracking
from nats.errors import TimeoutError as NatsTimeoutError
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy

from contracts.envelope import Envelope
from contracts.subjects import ANTENNE_STREAM, antenne_subject
from services.persistence import eventsourcing_env

if TYPE_CHECKING:
    from services.antenne.application import Antenne

RELAY_TRACKING = "relay"  # services.antenne.relay.TRACKING_NAME: where the relay records its position
FETCH_BATCH = 500


class FenceError(RuntimeError):
    """The fence cannot be set: the store already reaches that position."""


class StoreRestored(Aggregate):
    """Internal to the antenne: its store was restored, and its log continues after the centre's position."""

    @event("Restored")
    def __init__(self, antenne_id: str, restored_up_to: int, centre_position: int) -> None:
        self.antenne_id = antenne_id
        self.restored_up_to = restored_up_to
        self.centre_position = centre_position


@dataclass(frozen=True)
class CentreEvent:
    """An event the stream holds for the antenne: what the coordinators reconcile by hand."""

    position: int
    type: str
    event_id: str
    occurred_at: datetime
    data: dict[str, Any]


@dataclass(frozen=True)
class StorePositions:
    """Where a restored store ends, and where its relay last recorded a publish."""

    stored_up_to: int
    relay_position: int | None


def store_positions(database_url: str) -> StorePositions:
    """The last notification id in the store and the relay's recorded position."""
    with _open(database_url) as antenne:
        return StorePositions(
            antenne.recorder.max_notification_id() or 0,
            antenne.factory.tracking_recorder().max_tracking_id(RELAY_TRACKING),
        )


def centre_events(nats_url: str, antenne_id: str, after: int = 0) -> list[CentreEvent]:
    """The antenne's events on the stream with a position after `after`, once each, in position order."""
    return asyncio.run(_read_stream(nats_url, antenne_id, after))


def fence(database_url: str, antenne_id: str, centre_position: int) -> int:
    """Continue the store's log after `centre_position`; returns the position of the fence event."""
    with _open(database_url) as antenne:
        stored_up_to = antenne.recorder.max_notification_id() or 0
        if centre_position <= stored_up_to:
            raise FenceError(f"the store already reaches position {stored_up_to}: nothing to fence")
        marker = StoreRestored(antenne_id, stored_up_to, centre_position)
        (stored,) = [antenne.mapper.to_stored_event(e) for e in marker.collect_events()]
        _insert_at(antenne, stored, centre_position)
        # The relay resumes here: the next event it publishes chains on to the centre's last position.
        antenne.factory.tracking_recorder().insert_tracking(Tracking(RELAY_TRACKING, centre_position))
    return centre_position


@contextlib.contextmanager
def _open(database_url: str) -> Any:
    from services.antenne.application import Antenne  # the antenne's mapper reads and writes its store

    antenne = Antenne(env=eventsourcing_env(database_url))
    try:
        yield antenne
    finally:
        antenne.close()


def _insert_at(antenne: Antenne, stored: Any, position: int) -> None:
    """Insert one stored event with the notification id `position` (the id sequence moves past it)."""
    recorder: Any = antenne.recorder
    table = recorder.events_table_name
    if type(recorder).__module__.endswith("sqlite"):
        # SQLite numbers rows max(rowid) + 1: one row at `position` moves the sequence.
        with recorder.datastore.transaction(commit=True) as cursor:
            cursor.execute(
                f"INSERT INTO {table} (rowid, originator_id, originator_version, topic, state) "
                "VALUES (?, ?, ?, ?, ?)",
                (position, stored.originator_id.hex, stored.originator_version, stored.topic, stored.state),
            )
        return
    schema = recorder.datastore.schema
    with recorder.datastore.transaction(commit=True) as cursor:
        cursor.execute(
            f'INSERT INTO "{schema}"."{table}" '
            "(originator_id, originator_version, topic, state, notification_id) VALUES (%s, %s, %s, %s, %s)",
            (stored.originator_id, stored.originator_version, stored.topic, stored.state, position),
        )
        cursor.execute(
            "SELECT setval(pg_get_serial_sequence(%s, 'notification_id'), %s)",
            (f'"{schema}"."{table}"', position),
        )


async def _read_stream(nats_url: str, antenne_id: str, after: int) -> list[CentreEvent]:
    async def quiet(error: Exception) -> None:
        pass

    nc = await nats.connect(nats_url, connect_timeout=2, max_reconnect_attempts=1, error_cb=quiet)
    try:
        js = nc.jetstream()
        config = ConsumerConfig(
            ack_policy=AckPolicy.NONE, deliver_policy=DeliverPolicy.ALL, inactive_threshold=30.0
        )
        subscription = await js.pull_subscribe(
            antenne_subject(antenne_id, ">"), stream=ANTENNE_STREAM, config=config
        )
        found: dict[int, CentreEvent] = {}
        while True:
            try:
                messages = await subscription.fetch(FETCH_BATCH, timeout=1.0)
            except (TimeoutError, NatsTimeoutError):
                break
            for message in messages:
                envelope = Envelope.from_bytes(message.data)
                if envelope.position > after:
                    found[envelope.position] = CentreEvent(
                        envelope.position, envelope.type, str(envelope.id), envelope.time, envelope.data
                    )
            if messages[-1].metadata.num_pending == 0:
                break
        await subscription.unsubscribe()
        return [found[position] for position in sorted(found)]
    finally:
        with contextlib.suppress(Exception):
            await nc.close()
