"""The summary view: figures per antenne, a run of changes written with their antennes' positions in one
transaction.

The position is a `Tracking(application_name=antenne_id, notification_id=position)` row: recording a
position at or before the recorded one raises `IntegrityError` and leaves the figures unchanged
(invariant 2). The antenne's own position, not the stream sequence, is tracked, so a republished event
counts once. A run holds each antenne's changes in chain order, so its first and last positions stand for
the whole run (`services.messaging.tracking.positions_of`, as in the ledger, decision 0012).
"""

from __future__ import annotations

import json
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from eventsourcing.persistence import InfrastructureFactory, IntegrityError, TrackingRecorder
from eventsourcing.popo import POPOFactory, POPOTrackingRecorder
from eventsourcing.postgres import PostgresDatastore, PostgresFactory, PostgresTrackingRecorder
from eventsourcing.sqlite import SQLiteFactory, SQLiteTrackingRecorder
from eventsourcing.utils import Environment
from psycopg.sql import SQL, Identifier

from services.messaging.tracking import positions_of
from services.persistence import eventsourcing_env
from services.reporting.projection import NO_CHANGE, Figures, Summary

if TYPE_CHECKING:
    from collections.abc import Callable, Collection, Sequence

    from eventsourcing.persistence import Tracking

    from services.reporting.records import Record, Records, Writes

    Update = Callable[[Callable[[str], Record | None]], Writes]
    """Given a way to read the antenne's records, the records an event changes (records.updates_for)."""

VIEW_NAME = "reporting"  # prefixes the eventsourcing settings and the PostgreSQL tracking table
SUMMARY_TABLE = "reporting_summary"
RECORDS_TABLE = "reporting_records"


@dataclass(frozen=True)
class ViewContents:
    """All a view holds: the figures and the report records of every antenne (compared by a rebuild)."""

    summary: Summary = field(default_factory=dict)
    records: dict[str, Records] = field(default_factory=dict)

    def is_empty(self) -> bool:
        """Nothing was applied yet."""
        return not self.summary and not self.records


def _no_update(read: Callable[[str], Record | None]) -> Writes:
    return {}


def _encoded(record: Record) -> str:
    return json.dumps(record, sort_keys=True, separators=(",", ":"))


@dataclass(frozen=True)
class ViewChange:
    """What one antenne event does to the view: its figures, its records, its position."""

    antenne_id: str
    change: Figures
    tracking: Tracking
    update: Update = _no_update


@dataclass
class _Run:
    """A run of changes worked out before it is written: each change reads the records as the earlier
    changes of the run left them, so the run writes each record and each antenne's figures once."""

    figures: dict[str, Figures] = field(default_factory=dict)
    records: dict[tuple[str, str], str] = field(default_factory=dict)  # (antenne, key): encoded record

    @classmethod
    def of(cls, changes: Sequence[ViewChange], read_stored: Callable[[str, str], str | None]) -> _Run:
        run = cls()
        for change in changes:
            antenne_id = change.antenne_id
            run.figures[antenne_id] = run.figures.get(antenne_id, NO_CHANGE) + change.change

            def read(key: str, antenne_id: str = antenne_id) -> Record | None:
                encoded = run.records.get((antenne_id, key))
                if encoded is None:
                    encoded = read_stored(antenne_id, key)
                return None if encoded is None else json.loads(encoded)  # a copy: the caller may change it

            for key, record in change.update(read).items():
                run.records[antenne_id, key] = _encoded(record)
        return run


def _positions(changes: Sequence[ViewChange]) -> list[Tracking]:
    """The tracking rows of a run: IntegrityError unless each antenne's positions rise, since only its
    first and last are recorded (a duplicate inside the run would otherwise count twice)."""
    last: dict[str, int] = {}
    for change in changes:
        antenne_id, position = change.tracking.application_name, change.tracking.notification_id
        if position <= last.get(antenne_id, position - 1):
            msg = f"{antenne_id} position {position} is not after {last[antenne_id]} in one run"
            raise IntegrityError(msg)
        last[antenne_id] = position
    return positions_of((c.tracking.application_name, c.tracking.notification_id) for c in changes)


class SummaryView(TrackingRecorder, ABC):
    """Figures and report records per antenne, and the last position of each antenne they include."""

    def apply(
        self, antenne_id: str, change: Figures, tracking: Tracking, update: Update = _no_update
    ) -> None:
        """Add a change to an antenne's figures, write the records `update` returns and record the position
        atomically; IntegrityError if the position was seen."""
        self.apply_all([ViewChange(antenne_id, change, tracking, update)])

    @abstractmethod
    def apply_all(self, changes: Sequence[ViewChange]) -> None:
        """Apply a run of changes (each antenne's in chain order) and record their positions in one
        transaction; IntegrityError, and nothing written, if a position was seen."""

    @abstractmethod
    def summary(self) -> Summary:
        """The figures of every antenne that sent an event."""

    @abstractmethod
    def records(self, antenne_id: str | None = None, kinds: Collection[str] = ()) -> dict[str, Records]:
        """The report records by antenne id then key: of one antenne or all, of some kinds (the part of
        the key before `:`) or all."""

    def contents(self) -> ViewContents:
        """The figures and records together."""
        return ViewContents(self.summary(), self.records())

    def close(self) -> None:
        """Release the view's database connections."""


class InMemorySummaryView(POPOTrackingRecorder, SummaryView):
    """The summary view in memory, for tests and for rebuilds that are only compared."""

    def __init__(self) -> None:
        super().__init__()
        self._figures: Summary = {}
        self._records: dict[str, dict[str, str]] = {}

    def apply_all(self, changes: Sequence[ViewChange]) -> None:
        """Apply a run of changes (each antenne's in chain order) and record their positions in one
        transaction; IntegrityError, and nothing written, if a position was seen."""
        with self._database_lock:
            trackings = _positions(changes)
            for tracking in trackings:
                self._assert_tracking_uniqueness(tracking)
            # Stored encoded, as the databases do: a caller can't change a record behind the view's back.
            run = _Run.of(changes, lambda antenne_id, key: self._records.get(antenne_id, {}).get(key))
            for antenne_id, figures in run.figures.items():
                self._figures[antenne_id] = self._figures.get(antenne_id, NO_CHANGE) + figures
            for (antenne_id, key), encoded in run.records.items():
                self._records.setdefault(antenne_id, {})[key] = encoded
            for tracking in trackings:
                self._insert_tracking(tracking)

    def summary(self) -> Summary:
        """The figures of every antenne that sent an event."""
        with self._database_lock:
            return dict(sorted(self._figures.items()))

    def records(self, antenne_id: str | None = None, kinds: Collection[str] = ()) -> dict[str, Records]:
        """The report records by antenne id then key: of one antenne or all, of some kinds or all."""
        with self._database_lock:
            chosen = {
                antenne: {
                    key: json.loads(value)
                    for key, value in sorted(records.items())
                    if not kinds or key.partition(":")[0] in kinds
                }
                for antenne, records in sorted(self._records.items())
                if antenne_id is None or antenne == antenne_id
            }
            return {antenne: records for antenne, records in chosen.items() if records}


class SQLiteSummaryView(SQLiteTrackingRecorder, SummaryView):
    """The summary view in a SQLite file, beside the library's `tracking` table."""

    def construct_create_table_statements(self) -> list[str]:
        return [
            *super().construct_create_table_statements(),
            f"CREATE TABLE IF NOT EXISTS {SUMMARY_TABLE} ("
            "antenne_id TEXT PRIMARY KEY, "
            "members INTEGER NOT NULL, "
            "exchanges_recorded INTEGER NOT NULL, "
            "exchanges_confirmed INTEGER NOT NULL, "
            "quarters_confirmed INTEGER NOT NULL)",
            f"CREATE TABLE IF NOT EXISTS {RECORDS_TABLE} ("
            "antenne_id TEXT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL, "
            "PRIMARY KEY (antenne_id, key))",
        ]

    def apply_all(self, changes: Sequence[ViewChange]) -> None:
        """Apply a run of changes (each antenne's in chain order) and record their positions in one
        transaction; IntegrityError, and nothing written, if a position was seen."""
        with self.datastore.transaction(commit=True) as cursor:
            # The tracking rows go first: a position seen before raises here, and the rollback
            # leaves the figures as they were.
            for tracking in _positions(changes):
                self._insert_tracking(cursor, tracking)

            def read(antenne_id: str, key: str) -> str | None:
                cursor.execute(
                    f"SELECT value FROM {RECORDS_TABLE} WHERE antenne_id = ? AND key = ?", (antenne_id, key)
                )
                row = cursor.fetchone()
                return None if row is None else str(row["value"])

            run = _Run.of(changes, read)
            cursor.executemany(
                f"INSERT INTO {RECORDS_TABLE} VALUES (?, ?, ?) "
                "ON CONFLICT (antenne_id, key) DO UPDATE SET value = excluded.value",
                [(antenne_id, key, encoded) for (antenne_id, key), encoded in run.records.items()],
            )
            cursor.executemany(
                f"INSERT INTO {SUMMARY_TABLE} VALUES "
                "(:antenne_id, :members, :exchanges_recorded, :exchanges_confirmed, :quarters_confirmed) "
                "ON CONFLICT (antenne_id) DO UPDATE SET "
                "members = members + excluded.members, "
                "exchanges_recorded = exchanges_recorded + excluded.exchanges_recorded, "
                "exchanges_confirmed = exchanges_confirmed + excluded.exchanges_confirmed, "
                "quarters_confirmed = quarters_confirmed + excluded.quarters_confirmed",
                [
                    {"antenne_id": antenne_id, **figures.as_dict()}
                    for antenne_id, figures in run.figures.items()
                ],
            )

    def summary(self) -> Summary:
        """The figures of every antenne that sent an event."""
        with self.datastore.transaction(commit=False) as cursor:
            cursor.execute(f"SELECT * FROM {SUMMARY_TABLE} ORDER BY antenne_id")
            return {row["antenne_id"]: _figures(row) for row in cursor.fetchall()}

    def records(self, antenne_id: str | None = None, kinds: Collection[str] = ()) -> dict[str, Records]:
        """The report records by antenne id then key: of one antenne or all, of some kinds or all."""
        where, params = _where(antenne_id, kinds, "?")
        with self.datastore.transaction(commit=False) as cursor:
            cursor.execute(
                f"SELECT antenne_id, key, value FROM {RECORDS_TABLE}{where} ORDER BY antenne_id, key", params
            )
            return _grouped(cursor.fetchall())

    def close(self) -> None:
        """Release the view's database connections."""
        self.datastore.close()


class PostgresSummaryView(PostgresTrackingRecorder, SummaryView):
    """The summary view in PostgreSQL, beside the `reporting_tracking` table."""

    def __init__(self, datastore: PostgresDatastore, **kwargs: Any) -> None:
        super().__init__(datastore, **kwargs)
        table = (Identifier(self.datastore.schema), Identifier(SUMMARY_TABLE))
        self.sql_create_statements.append(
            SQL(
                "CREATE TABLE IF NOT EXISTS {0}.{1} ("
                "antenne_id text PRIMARY KEY, "
                "members bigint NOT NULL, "
                "exchanges_recorded bigint NOT NULL, "
                "exchanges_confirmed bigint NOT NULL, "
                "quarters_confirmed bigint NOT NULL)"
            ).format(*table)
        )
        self._upsert = SQL(
            "INSERT INTO {0}.{1} VALUES (%(antenne_id)s, %(members)s, %(exchanges_recorded)s, "
            "%(exchanges_confirmed)s, %(quarters_confirmed)s) "
            "ON CONFLICT (antenne_id) DO UPDATE SET "
            "members = {1}.members + EXCLUDED.members, "
            "exchanges_recorded = {1}.exchanges_recorded + EXCLUDED.exchanges_recorded, "
            "exchanges_confirmed = {1}.exchanges_confirmed + EXCLUDED.exchanges_confirmed, "
            "quarters_confirmed = {1}.quarters_confirmed + EXCLUDED.quarters_confirmed"
        ).format(*table)
        self._select = SQL("SELECT * FROM {0}.{1} ORDER BY antenne_id").format(*table)
        records = (Identifier(self.datastore.schema), Identifier(RECORDS_TABLE))
        self.sql_create_statements.append(
            SQL(
                "CREATE TABLE IF NOT EXISTS {0}.{1} ("
                "antenne_id text NOT NULL, key text NOT NULL, value text NOT NULL, "
                "PRIMARY KEY (antenne_id, key))"
            ).format(*records)
        )
        self._read_record = SQL("SELECT value FROM {0}.{1} WHERE antenne_id = %s AND key = %s").format(
            *records
        )
        self._write_record = SQL(
            "INSERT INTO {0}.{1} VALUES (%s, %s, %s) "
            "ON CONFLICT (antenne_id, key) DO UPDATE SET value = EXCLUDED.value"
        ).format(*records)
        self._select_records = SQL("SELECT antenne_id, key, value FROM {0}.{1}").format(*records)

    def apply_all(self, changes: Sequence[ViewChange]) -> None:
        """Apply a run of changes (each antenne's in chain order) and record their positions in one
        transaction; IntegrityError, and nothing written, if a position was seen."""
        with self.datastore.transaction(commit=True) as cursor:
            # The tracking rows go first: a position seen before raises here, and the rollback
            # leaves the figures as they were.
            for tracking in _positions(changes):
                self._insert_tracking(cursor, tracking)

            def read(antenne_id: str, key: str) -> str | None:
                cursor.execute(self._read_record, (antenne_id, key), prepare=True)
                row = cursor.fetchone()
                return None if row is None else str(row["value"])

            run = _Run.of(changes, read)
            cursor.executemany(
                self._write_record,
                [(antenne_id, key, encoded) for (antenne_id, key), encoded in run.records.items()],
            )
            cursor.executemany(
                self._upsert,
                [
                    {"antenne_id": antenne_id, **figures.as_dict()}
                    for antenne_id, figures in run.figures.items()
                ],
            )

    def summary(self) -> Summary:
        """The figures of every antenne that sent an event."""
        with self.datastore.transaction(commit=False) as cursor:
            cursor.execute(self._select, prepare=True)
            return {row["antenne_id"]: _figures(row) for row in cursor.fetchall()}

    def records(self, antenne_id: str | None = None, kinds: Collection[str] = ()) -> dict[str, Records]:
        """The report records by antenne id then key: of one antenne or all, of some kinds or all."""
        where, params = _where(antenne_id, kinds, "%s")
        with self.datastore.transaction(commit=False) as cursor:
            order = SQL(where) + SQL(" ORDER BY antenne_id, key")  # `where` holds placeholders, never a value
            cursor.execute(self._select_records + order, params)
            return _grouped(cursor.fetchall())

    def close(self) -> None:
        """Release the view's database connections."""
        self.datastore.close()


_VIEWS: tuple[tuple[type[InfrastructureFactory[Any]], type[SummaryView]], ...] = (
    (POPOFactory, InMemorySummaryView),
    (SQLiteFactory, SQLiteSummaryView),
    (PostgresFactory, PostgresSummaryView),
)


def make_view(database_url: str) -> SummaryView:
    """The summary view stored where the URL says: `memory:`, `sqlite:///path` or `postgresql://...`."""
    env = Environment(VIEW_NAME, eventsourcing_env(database_url))
    factory = InfrastructureFactory[SummaryView].construct(env)
    view_class = next(view for factory_class, view in _VIEWS if isinstance(factory, factory_class))
    return factory.tracking_recorder(view_class)


def _figures(row: Any) -> Figures:
    return Figures(
        members=row["members"],
        exchanges_recorded=row["exchanges_recorded"],
        exchanges_confirmed=row["exchanges_confirmed"],
        quarters_confirmed=row["quarters_confirmed"],
    )


def _where(antenne_id: str | None, kinds: Collection[str], placeholder: str) -> tuple[str, list[str]]:
    """The WHERE clause (placeholders only, never a value) and its parameters for `records`."""
    clauses, params = [], []
    if antenne_id is not None:
        clauses.append(f"antenne_id = {placeholder}")
        params.append(antenne_id)
    if kinds:
        clauses.append("(" + " OR ".join(f"key LIKE {placeholder}" for _ in kinds) + ")")
        params.extend(f"{kind}:%" for kind in sorted(kinds))
    return (" WHERE " + " AND ".join(clauses) if clauses else ""), params


def _grouped(rows: list[Any]) -> dict[str, Records]:
    grouped: dict[str, Records] = {}
    for row in rows:
        grouped.setdefault(row["antenne_id"], {})[row["key"]] = json.loads(row["value"])
    return grouped
