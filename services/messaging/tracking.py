"""Process recorders that store a batch of new events with one position per antenne, in one transaction.

`eventsourcing` records one `Tracking` with the events of a save. A consumer that applies a fetched run of
messages from several antennes needs one position per antenne: these recorders take `trackings=[...]` as
well. With the library's single-row tracking, each antenne's row moves forward only if the new position is
greater than the recorded one, so a batch holds, per antenne, the position *before* its first event (see
`positions_of`): a row already past it makes the whole transaction fail with `IntegrityError`, as a
single-event save of a duplicate does. Nothing of a failed batch is written.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from eventsourcing.persistence import ProcessRecorder, Tracking
from eventsourcing.popo import POPOFactory, POPOProcessRecorder
from eventsourcing.postgres import PostgresFactory, PostgresProcessRecorder
from eventsourcing.sqlite import SQLiteProcessRecorder
from eventsourcing.utils import get_topic

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

    from eventsourcing.persistence import InfrastructureFactory, StoredEvent
    from eventsourcing.sqlite import SQLiteCursor
    from psycopg import Cursor
    from psycopg.rows import DictRow

TRACKINGS = "trackings"  # the keyword argument of `insert_events` these recorders read


def positions_of(runs: Iterable[tuple[str, int]]) -> list[Tracking]:
    """The tracking rows for `(antenne, position)` pairs in chain order: for each antenne its first position
    then its last, so that a row already at or past the first refuses the batch."""
    first: dict[str, int] = {}
    last: dict[str, int] = {}
    for antenne_id, position in runs:
        first.setdefault(antenne_id, position)
        last[antenne_id] = position
    rows = [Tracking(antenne_id, position) for antenne_id, position in first.items()]
    return rows + [Tracking(a, p) for a, p in last.items() if p != first[a]]


def _trackings(kwargs: dict[str, Any]) -> Sequence[Tracking]:
    trackings: Sequence[Tracking] = kwargs.get(TRACKINGS) or ()
    return trackings


class SQLiteBatchRecorder(SQLiteProcessRecorder):
    """SQLite: the events, the single `tracking` and every one of `trackings`, in one transaction."""

    def _insert_events(
        self, c: SQLiteCursor, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        returning = super()._insert_events(c, stored_events, **kwargs)
        for tracking in _trackings(kwargs):
            self._insert_tracking(c, tracking)
        return returning


class PostgresBatchRecorder(PostgresProcessRecorder):
    """PostgreSQL: the positions first (as the library does), then the events, in one transaction."""

    def _insert_events(
        self, curs: Cursor[DictRow], stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> None:
        for tracking in _trackings(kwargs):
            self._insert_tracking(curs, tracking=tracking)
        super()._insert_events(curs, stored_events, **kwargs)


class POPOBatchRecorder(POPOProcessRecorder):
    """In memory: checked before anything changes, like the other recorders' transactions."""

    def _assert_uniqueness(self, stored_events: Sequence[StoredEvent], **kwargs: Any) -> None:
        super()._assert_uniqueness(stored_events, **kwargs)
        for tracking in _trackings(kwargs):
            self._assert_tracking_uniqueness(tracking)

    def _update_table(self, stored_events: Sequence[StoredEvent], **kwargs: Any) -> Sequence[int] | None:
        notification_ids = super()._update_table(stored_events, **kwargs)
        for tracking in _trackings(kwargs):
            self._insert_tracking(tracking)
        return notification_ids


def batch_process_recorder(factory: InfrastructureFactory[Any]) -> ProcessRecorder:
    """The process recorder of `factory`'s kind that also records `trackings`."""
    if isinstance(factory, POPOFactory):
        return POPOBatchRecorder()
    wanted = PostgresBatchRecorder if isinstance(factory, PostgresFactory) else SQLiteBatchRecorder
    # Both factories build the class named by this setting, with their own table names.
    factory.env[factory.PROCESS_RECORDER_TOPIC] = get_topic(wanted)
    return factory.process_recorder()
