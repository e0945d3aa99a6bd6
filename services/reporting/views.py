"""The summary view: figures per antenne, each change written with its antenne's position in one transaction.

The position is a `Tracking(application_name=antenne_id, notification_id=position)` row: recording the
same position twice raises `IntegrityError` and leaves the figures unchanged (invariant 2). The antenne's
own position, not the stream sequence, is tracked, so a republished event counts once.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import TYPE_CHECKING, Any

from eventsourcing.persistence import InfrastructureFactory, TrackingRecorder
from eventsourcing.popo import POPOFactory, POPOTrackingRecorder
from eventsourcing.postgres import PostgresDatastore, PostgresFactory, PostgresTrackingRecorder
from eventsourcing.sqlite import SQLiteFactory, SQLiteTrackingRecorder
from eventsourcing.utils import Environment
from psycopg.sql import SQL, Identifier

from services.persistence import eventsourcing_env
from services.reporting.projection import NO_CHANGE, Figures, Summary

if TYPE_CHECKING:
    from eventsourcing.persistence import Tracking

VIEW_NAME = "reporting"  # prefixes the eventsourcing settings and the PostgreSQL tracking table
SUMMARY_TABLE = "reporting_summary"


class SummaryView(TrackingRecorder, ABC):
    """Figures per antenne, and the last position of each antenne they include."""

    @abstractmethod
    def apply(self, antenne_id: str, change: Figures, tracking: Tracking) -> None:
        """Add a change to an antenne's figures and record its position atomically; IntegrityError if seen."""

    @abstractmethod
    def apply_all(self, changes: dict[str, Figures], trackings: list[Tracking]) -> None:
        """Add each antenne's change and record the positions (`messaging.tracking.positions_of`) in one
        transaction; IntegrityError, and nothing written, if a position was recorded before."""

    @abstractmethod
    def summary(self) -> Summary:
        """The figures of every antenne that sent an event."""

    def close(self) -> None:
        """Release the view's database connections."""


class InMemorySummaryView(POPOTrackingRecorder, SummaryView):
    """The summary view in memory, for tests and for rebuilds that are only compared."""

    def __init__(self) -> None:
        super().__init__()
        self._figures: Summary = {}

    def apply(self, antenne_id: str, change: Figures, tracking: Tracking) -> None:
        """Add a change to an antenne's figures and record its position atomically; IntegrityError if seen."""
        with self._database_lock:
            self._assert_tracking_uniqueness(tracking)
            self._figures[antenne_id] = self._figures.get(antenne_id, NO_CHANGE) + change
            self._insert_tracking(tracking)

    def apply_all(self, changes: dict[str, Figures], trackings: list[Tracking]) -> None:
        """Add each antenne's change and record the positions; IntegrityError, nothing changed, if seen."""
        with self._database_lock:
            for tracking in trackings:
                self._assert_tracking_uniqueness(tracking)
            for antenne_id, change in changes.items():
                self._figures[antenne_id] = self._figures.get(antenne_id, NO_CHANGE) + change
            for tracking in trackings:
                self._insert_tracking(tracking)

    def summary(self) -> Summary:
        """The figures of every antenne that sent an event."""
        with self._database_lock:
            return dict(sorted(self._figures.items()))


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
        ]

    def apply(self, antenne_id: str, change: Figures, tracking: Tracking) -> None:
        """Add a change to an antenne's figures and record its position atomically; IntegrityError if seen."""
        self.apply_all({antenne_id: change}, [tracking])

    def apply_all(self, changes: dict[str, Figures], trackings: list[Tracking]) -> None:
        """Add each antenne's change and record the positions in one transaction; IntegrityError if seen."""
        with self.datastore.transaction(commit=True) as cursor:
            # The tracking rows go first: a position seen before raises here, and the rollback
            # leaves the figures as they were.
            for tracking in trackings:
                self._insert_tracking(cursor, tracking)
            cursor.executemany(
                f"INSERT INTO {SUMMARY_TABLE} VALUES "
                "(:antenne_id, :members, :exchanges_recorded, :exchanges_confirmed, :quarters_confirmed) "
                "ON CONFLICT (antenne_id) DO UPDATE SET "
                "members = members + excluded.members, "
                "exchanges_recorded = exchanges_recorded + excluded.exchanges_recorded, "
                "exchanges_confirmed = exchanges_confirmed + excluded.exchanges_confirmed, "
                "quarters_confirmed = quarters_confirmed + excluded.quarters_confirmed",
                [{"antenne_id": antenne_id, **change.as_dict()} for antenne_id, change in changes.items()],
            )

    def summary(self) -> Summary:
        """The figures of every antenne that sent an event."""
        with self.datastore.transaction(commit=False) as cursor:
            cursor.execute(f"SELECT * FROM {SUMMARY_TABLE} ORDER BY antenne_id")
            return {row["antenne_id"]: _figures(row) for row in cursor.fetchall()}

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

    def apply(self, antenne_id: str, change: Figures, tracking: Tracking) -> None:
        """Add a change to an antenne's figures and record its position atomically; IntegrityError if seen."""
        self.apply_all({antenne_id: change}, [tracking])

    def apply_all(self, changes: dict[str, Figures], trackings: list[Tracking]) -> None:
        """Add each antenne's change and record the positions in one transaction; IntegrityError if seen."""
        with self.datastore.transaction(commit=True) as cursor:
            # The tracking rows go first: a position seen before raises here, and the rollback
            # leaves the figures as they were.
            for tracking in trackings:
                self._insert_tracking(cursor, tracking)
            for antenne_id, change in changes.items():
                cursor.execute(self._upsert, {"antenne_id": antenne_id, **change.as_dict()}, prepare=True)

    def summary(self) -> Summary:
        """The figures of every antenne that sent an event."""
        with self.datastore.transaction(commit=False) as cursor:
            cursor.execute(self._select, prepare=True)
            return {row["antenne_id"]: _figures(row) for row in cursor.fetchall()}

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
