"""What the ledger last told this antenne: its members' portable balances, the flags on its spending, and
the state of every two-phase transfer its members pay or receive.

A local copy, kept beside the antenne's events and shown when the centre is away (invariant 4), always
with the ledger time it is as of. The chain consumer (`services.messaging.consumer`) reads the antenne's
own ledger subjects in order; each decision is written with `Tracking("ledger", position)` in one
transaction, so it counts once however often it is delivered (invariant 2). Balances and transfer states
are absolute: the row with the highest ledger position wins.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any
from uuid import UUID

from eventsourcing.persistence import InfrastructureFactory, IntegrityError, Tracking, TrackingRecorder
from eventsourcing.popo import POPOFactory, POPOTrackingRecorder
from eventsourcing.postgres import PostgresDatastore, PostgresFactory, PostgresTrackingRecorder
from eventsourcing.sqlite import SQLiteFactory, SQLiteTrackingRecorder
from eventsourcing.utils import Environment
from psycopg.sql import SQL, Composed, Identifier

from contracts.ledger.decisions import BalanceChanged, MemberRehomed, OverdraftFlagged
from contracts.ledger.transfers import (
    TransferCommitted,
    TransferPrepared,
    TransferRefused,
    TransferReleased,
)
from contracts.subjects import LEDGER_PRODUCER
from services.messaging.consumer import OneAtATime
from services.persistence import eventsourcing_env

if TYPE_CHECKING:
    from eventsourcing.application import Application

    from contracts.base import Contract
    from contracts.envelope import Envelope

VIEW_NAME = "ledger_view"  # prefixes the eventsourcing settings and the PostgreSQL tracking table
BALANCES_TABLE = "ledger_view_balances"
FLAGS_TABLE = "ledger_view_flags"
TRANSFERS_TABLE = "ledger_view_transfers"


@dataclass(frozen=True)
class KnownBalance:
    """An account's balance as the ledger last reported it."""

    account: str
    member_id: UUID | None
    quarters: int
    as_of: datetime  # ledger time of the movement
    position: int  # the ledger's position of the decision


@dataclass(frozen=True)
class KnownFlag:
    """An overdraft flag the ledger raised on spending this antenne recorded."""

    flag_id: UUID
    account: str
    member_id: UUID | None
    balance: int
    limit: int
    flagged_at: datetime
    position: int


@dataclass(frozen=True)
class KnownTransfer:
    """A two-phase transfer's state as the ledger last decided it (to the payer's and payee's antennes)."""

    transfer_id: UUID
    state: str  # prepared, refused, committed or released (`TransferState` of the domain)
    payer: str  # `antenne:<id>` or `partner:<id>`
    payer_member: str  # a member's global id, or a partner's own reference
    payee: str
    payee_member: str
    quarters: int  # at the ledger, in the payer's units
    payee_quarters: int  # what the payee's side counts
    expires_at: datetime
    reason: str | None  # why it was refused or released
    as_of: datetime  # ledger time of the decision
    position: int


Change = KnownBalance | KnownFlag | KnownTransfer | None


@dataclass(frozen=True)
class ViewSummary:
    """How much the antenne knows, and how fresh it is."""

    accounts: int
    flags: int
    position: int | None  # last ledger position applied
    newest_as_of: datetime | None


def change_of(payload: Contract, position: int) -> Change:
    """What a ledger decision changes in the view (None: nothing, the position is still recorded)."""
    if isinstance(payload, BalanceChanged):
        return KnownBalance(
            payload.account, payload.member_id, payload.balance_quarters, payload.booked_at, position
        )
    if isinstance(payload, MemberRehomed):
        account = f"member:{payload.member_id}"
        return KnownBalance(
            account, payload.member_id, payload.balance_quarters, payload.rehomed_at, position
        )
    if isinstance(payload, OverdraftFlagged):
        return KnownFlag(
            payload.flag_id,
            payload.account,
            payload.member_id,
            payload.balance_quarters,
            payload.limit_quarters,
            payload.flagged_at,
            position,
        )
    if isinstance(payload, TransferPrepared | TransferRefused | TransferCommitted | TransferReleased):
        reason = getattr(payload, "reason", None)
        return KnownTransfer(
            payload.transfer_id, payload.TYPE.removeprefix("transfer."), payload.payer.keeper,
            payload.payer.member, payload.payee.keeper, payload.payee.member, payload.quarters,
            payload.payee_quarters, payload.expires_at, str(reason) if reason is not None else None,
            payload.decided_at, position,
        )  # fmt: skip
    return None  # a decision this antenne does not show (yet): seen, tracked


class LedgerView(OneAtATime, TrackingRecorder, ABC):
    """The last known balances and flags, and the last ledger position they include."""

    @abstractmethod
    def write(self, change: Change, tracking: Tracking) -> None:
        """Store the change and the position atomically; IntegrityError if the position was seen."""

    @abstractmethod
    def balance(self, account: str) -> KnownBalance | None:
        """The last known balance of an account (`member:<id>`, `pool:<antenne>`), or None."""

    @abstractmethod
    def flags(self) -> list[KnownFlag]:
        """Every flag received, oldest first."""

    @abstractmethod
    def transfer(self, transfer_id: UUID) -> KnownTransfer | None:
        """The last known state of one transfer, or None if the ledger said nothing of it yet."""

    @abstractmethod
    def transfers(self) -> list[KnownTransfer]:
        """Every transfer the ledger told this antenne about, in the order of their latest decision."""

    @abstractmethod
    def summary(self) -> ViewSummary:
        """How much the view knows and how fresh it is."""

    def last_position(self, producer: str) -> int | None:
        """The last ledger position applied (the `EventSink` protocol)."""
        return self.max_tracking_id(producer)

    def apply(self, envelope: Envelope, payload: Contract) -> bool:
        """Apply one ledger decision once (the `EventSink` protocol); False if it was already there."""
        # The chain is the producer's (always the ledger: only it may publish on ledger subjects).
        tracking = Tracking(envelope.antenneid, envelope.position)
        try:
            self.write(change_of(payload, envelope.position), tracking)
        except IntegrityError:
            if self.has_tracking_id(envelope.antenneid, envelope.position):
                return False
            raise
        return True

    def close(self) -> None:
        """Release the view's database connections."""


class InMemoryLedgerView(POPOTrackingRecorder, LedgerView):
    """The view in memory (an antenne on `memory:`, tests)."""

    def __init__(self) -> None:
        super().__init__()
        self._balances: dict[str, KnownBalance] = {}
        self._flags: dict[UUID, KnownFlag] = {}
        self._transfers: dict[UUID, KnownTransfer] = {}

    def write(self, change: Change, tracking: Tracking) -> None:
        """Store the change and the position atomically; IntegrityError if the position was seen."""
        with self._database_lock:
            self._assert_tracking_uniqueness(tracking)
            if isinstance(change, KnownBalance):
                known = self._balances.get(change.account)
                if known is None or known.position < change.position:
                    self._balances[change.account] = change
            elif isinstance(change, KnownFlag):
                self._flags.setdefault(change.flag_id, change)
            elif isinstance(change, KnownTransfer):
                seen = self._transfers.get(change.transfer_id)
                if seen is None or seen.position < change.position:
                    self._transfers[change.transfer_id] = change
            self._insert_tracking(tracking)

    def balance(self, account: str) -> KnownBalance | None:
        """The last known balance of an account, or None."""
        with self._database_lock:
            return self._balances.get(account)

    def flags(self) -> list[KnownFlag]:
        """Every flag received, oldest first."""
        with self._database_lock:
            return sorted(self._flags.values(), key=lambda flag: flag.position)

    def transfer(self, transfer_id: UUID) -> KnownTransfer | None:
        """The last known state of one transfer, or None."""
        with self._database_lock:
            return self._transfers.get(transfer_id)

    def transfers(self) -> list[KnownTransfer]:
        """Every transfer known, in the order of their latest decision."""
        with self._database_lock:
            return sorted(self._transfers.values(), key=lambda known: known.position)

    def summary(self) -> ViewSummary:
        """How much the view knows and how fresh it is."""
        with self._database_lock:
            newest = max((b.as_of for b in self._balances.values()), default=None)
            return ViewSummary(
                len(self._balances), len(self._flags), self.max_tracking_id(LEDGER_PRODUCER), newest
            )


_BALANCE_COLUMNS = "account, member_id, quarters, as_of, position"
_FLAG_COLUMNS = "flag_id, account, member_id, balance, overdraft_limit, flagged_at, position"
_TRANSFER_FIELDS = ("transfer_id", "state", "payer", "payer_member", "payee", "payee_member", "quarters",
                    "payee_quarters", "expires_at", "reason", "as_of", "position")  # fmt: skip


def _balance_row(change: KnownBalance) -> dict[str, Any]:
    return {
        "account": change.account,
        "member_id": str(change.member_id) if change.member_id else None,
        "quarters": change.quarters,
        "as_of": change.as_of.astimezone(UTC).isoformat(),
        "position": change.position,
    }


def _flag_row(change: KnownFlag) -> dict[str, Any]:
    return {
        "flag_id": str(change.flag_id),
        "account": change.account,
        "member_id": str(change.member_id) if change.member_id else None,
        "balance": change.balance,
        "overdraft_limit": change.limit,
        "flagged_at": change.flagged_at.astimezone(UTC).isoformat(),
        "position": change.position,
    }


def _transfer_row(change: KnownTransfer) -> dict[str, Any]:
    return {
        **{field: getattr(change, field) for field in _TRANSFER_FIELDS},
        "transfer_id": str(change.transfer_id),
        "expires_at": change.expires_at.astimezone(UTC).isoformat(),
        "as_of": change.as_of.astimezone(UTC).isoformat(),
    }


def _known_transfer(row: Any) -> KnownTransfer:
    values = {field: row[field] for field in _TRANSFER_FIELDS}
    values["transfer_id"] = UUID(values["transfer_id"])
    for moment in ("expires_at", "as_of"):
        values[moment] = datetime.fromisoformat(values[moment])
    return KnownTransfer(**values)


def _known_balance(row: Any) -> KnownBalance:
    return KnownBalance(
        account=row["account"],
        member_id=UUID(row["member_id"]) if row["member_id"] else None,
        quarters=row["quarters"],
        as_of=datetime.fromisoformat(row["as_of"]),
        position=row["position"],
    )


def _known_flag(row: Any) -> KnownFlag:
    return KnownFlag(
        flag_id=UUID(row["flag_id"]),
        account=row["account"],
        member_id=UUID(row["member_id"]) if row["member_id"] else None,
        balance=row["balance"],
        limit=row["overdraft_limit"],
        flagged_at=datetime.fromisoformat(row["flagged_at"]),
        position=row["position"],
    )


# Times are stored as ISO text in UTC (the same in both databases; they sort as text).
_UPSERT_BALANCE = (
    "INSERT INTO {balances} (" + _BALANCE_COLUMNS + ") VALUES "
    "({p}account{s}, {p}member_id{s}, {p}quarters{s}, {p}as_of{s}, {p}position{s}) "
    "ON CONFLICT (account) DO UPDATE SET quarters = excluded.quarters, as_of = excluded.as_of, "
    "position = excluded.position, member_id = excluded.member_id "
    "WHERE excluded.position > {balances}.position"
)
_INSERT_FLAG = (
    "INSERT INTO {flags} (" + _FLAG_COLUMNS + ") VALUES "
    "({p}flag_id{s}, {p}account{s}, {p}member_id{s}, {p}balance{s}, {p}overdraft_limit{s}, "
    "{p}flagged_at{s}, {p}position{s}) ON CONFLICT (flag_id) DO NOTHING"
)
_UPSERT_TRANSFER = (
    "INSERT INTO {transfers} ("
    + ", ".join(_TRANSFER_FIELDS)
    + ") VALUES ("
    + ", ".join("{p}" + field + "{s}" for field in _TRANSFER_FIELDS)
    + ") "
    "ON CONFLICT (transfer_id) DO UPDATE SET "
    + ", ".join(f"{field} = excluded.{field}" for field in _TRANSFER_FIELDS[1:])
    + " WHERE excluded.position > {transfers}.position"
)
_CREATE_TRANSFERS = (
    "CREATE TABLE IF NOT EXISTS {transfers} (transfer_id TEXT PRIMARY KEY, state TEXT NOT NULL, "
    "payer TEXT NOT NULL, payer_member TEXT NOT NULL, payee TEXT NOT NULL, payee_member TEXT NOT NULL, "
    "quarters BIGINT NOT NULL, payee_quarters BIGINT NOT NULL, expires_at TEXT NOT NULL, reason TEXT, "
    "as_of TEXT NOT NULL, position BIGINT NOT NULL)"
)
_CREATE_BALANCES = (
    "CREATE TABLE IF NOT EXISTS {balances} (account TEXT PRIMARY KEY, member_id TEXT, "
    "quarters BIGINT NOT NULL, as_of TEXT NOT NULL, position BIGINT NOT NULL)"
)
_CREATE_FLAGS = (
    "CREATE TABLE IF NOT EXISTS {flags} (flag_id TEXT PRIMARY KEY, account TEXT NOT NULL, member_id TEXT, "
    "balance BIGINT NOT NULL, overdraft_limit BIGINT NOT NULL, flagged_at TEXT NOT NULL, "
    "position BIGINT NOT NULL)"
)
_SUMMARY = "SELECT COUNT(*) AS accounts, MAX(as_of) AS newest FROM {balances}"
_COUNT_FLAGS = "SELECT COUNT(*) AS flags FROM {flags}"


def _sqlite(statement: str) -> str:
    text = statement.replace("{p}", ":").replace("{s}", "")
    return text.format(balances=BALANCES_TABLE, flags=FLAGS_TABLE, transfers=TRANSFERS_TABLE)


class SQLiteLedgerView(SQLiteTrackingRecorder, LedgerView):
    """The view in the antenne's SQLite file, beside the library's `tracking` table."""

    def construct_create_table_statements(self) -> list[str]:
        return [
            *super().construct_create_table_statements(),
            _sqlite(_CREATE_BALANCES),
            _sqlite(_CREATE_FLAGS),
            _sqlite(_CREATE_TRANSFERS),
        ]

    def write(self, change: Change, tracking: Tracking) -> None:
        """Store the change and the position atomically; IntegrityError if the position was seen."""
        with self.datastore.transaction(commit=True) as cursor:
            # The tracking row goes first: a position seen before raises, and the rollback keeps the view.
            self._insert_tracking(cursor, tracking)
            if isinstance(change, KnownBalance):
                cursor.execute(_sqlite(_UPSERT_BALANCE), _balance_row(change))
            elif isinstance(change, KnownFlag):
                cursor.execute(_sqlite(_INSERT_FLAG), _flag_row(change))
            elif isinstance(change, KnownTransfer):
                cursor.execute(_sqlite(_UPSERT_TRANSFER), _transfer_row(change))

    def balance(self, account: str) -> KnownBalance | None:
        """The last known balance of an account, or None."""
        with self.datastore.transaction(commit=False) as cursor:
            cursor.execute(f"SELECT * FROM {BALANCES_TABLE} WHERE account = ?", (account,))
            row = cursor.fetchone()
            return _known_balance(row) if row else None

    def flags(self) -> list[KnownFlag]:
        """Every flag received, oldest first."""
        with self.datastore.transaction(commit=False) as cursor:
            cursor.execute(f"SELECT * FROM {FLAGS_TABLE} ORDER BY position")
            return [_known_flag(row) for row in cursor.fetchall()]

    def transfer(self, transfer_id: UUID) -> KnownTransfer | None:
        """The last known state of one transfer, or None."""
        with self.datastore.transaction(commit=False) as cursor:
            cursor.execute(f"SELECT * FROM {TRANSFERS_TABLE} WHERE transfer_id = ?", (str(transfer_id),))
            row = cursor.fetchone()
            return _known_transfer(row) if row else None

    def transfers(self) -> list[KnownTransfer]:
        """Every transfer known, in the order of their latest decision."""
        with self.datastore.transaction(commit=False) as cursor:
            cursor.execute(f"SELECT * FROM {TRANSFERS_TABLE} ORDER BY position")
            return [_known_transfer(row) for row in cursor.fetchall()]

    def summary(self) -> ViewSummary:
        """How much the view knows and how fresh it is."""
        with self.datastore.transaction(commit=False) as cursor:
            cursor.execute(_sqlite(_SUMMARY))
            row = cursor.fetchone()
            cursor.execute(_sqlite(_COUNT_FLAGS))
            flags = cursor.fetchone()["flags"]
        newest = datetime.fromisoformat(row["newest"]) if row["newest"] else None
        return ViewSummary(row["accounts"], flags, self.max_tracking_id(LEDGER_PRODUCER), newest)

    def close(self) -> None:
        """Release the view's database connections."""
        self.datastore.close()


class PostgresLedgerView(PostgresTrackingRecorder, LedgerView):
    """The view in the antenne's PostgreSQL database, beside the `ledger_view_tracking` table."""

    def __init__(self, datastore: PostgresDatastore, **kwargs: Any) -> None:
        super().__init__(datastore, **kwargs)
        schema = Identifier(self.datastore.schema)

        def sql(statement: str) -> Composed:
            text = statement.replace("{p}", "%(").replace("{s}", ")s")
            balances, flags = "{0}." + BALANCES_TABLE, "{0}." + FLAGS_TABLE
            text = text.replace("{transfers}", "{0}." + TRANSFERS_TABLE)
            return SQL(text.replace("{balances}", balances).replace("{flags}", flags)).format(schema)

        self.sql_create_statements += [sql(_CREATE_BALANCES), sql(_CREATE_FLAGS), sql(_CREATE_TRANSFERS)]
        self._upsert_balance, self._insert_flag = sql(_UPSERT_BALANCE), sql(_INSERT_FLAG)
        self._upsert_transfer = sql(_UPSERT_TRANSFER)
        self._select_transfer = sql("SELECT * FROM {transfers} WHERE transfer_id = %(transfer_id)s")
        self._select_transfers = sql("SELECT * FROM {transfers} ORDER BY position")
        self._select_balance = sql("SELECT * FROM {balances} WHERE account = %(account)s")
        self._select_flags = sql("SELECT * FROM {flags} ORDER BY position")
        self._summary, self._count_flags = sql(_SUMMARY), sql(_COUNT_FLAGS)

    def write(self, change: Change, tracking: Tracking) -> None:
        """Store the change and the position atomically; IntegrityError if the position was seen."""
        with self.datastore.transaction(commit=True) as cursor:
            self._insert_tracking(cursor, tracking)
            if isinstance(change, KnownBalance):
                cursor.execute(self._upsert_balance, _balance_row(change))
            elif isinstance(change, KnownFlag):
                cursor.execute(self._insert_flag, _flag_row(change))
            elif isinstance(change, KnownTransfer):
                cursor.execute(self._upsert_transfer, _transfer_row(change))

    def balance(self, account: str) -> KnownBalance | None:
        """The last known balance of an account, or None."""
        with self.datastore.transaction(commit=False) as cursor:
            cursor.execute(self._select_balance, {"account": account})
            row = cursor.fetchone()
            return _known_balance(row) if row else None

    def flags(self) -> list[KnownFlag]:
        """Every flag received, oldest first."""
        with self.datastore.transaction(commit=False) as cursor:
            cursor.execute(self._select_flags)
            return [_known_flag(row) for row in cursor.fetchall()]

    def transfer(self, transfer_id: UUID) -> KnownTransfer | None:
        """The last known state of one transfer, or None."""
        with self.datastore.transaction(commit=False) as cursor:
            cursor.execute(self._select_transfer, {"transfer_id": str(transfer_id)})
            row = cursor.fetchone()
            return _known_transfer(row) if row else None

    def transfers(self) -> list[KnownTransfer]:
        """Every transfer known, in the order of their latest decision."""
        with self.datastore.transaction(commit=False) as cursor:
            cursor.execute(self._select_transfers)
            return [_known_transfer(row) for row in cursor.fetchall()]

    def summary(self) -> ViewSummary:
        """How much the view knows and how fresh it is."""
        with self.datastore.transaction(commit=False) as cursor:
            cursor.execute(self._summary)
            row = cursor.fetchone()
            cursor.execute(self._count_flags)
            counted = cursor.fetchone()
        assert row is not None
        assert counted is not None
        flags = counted["flags"]
        newest = datetime.fromisoformat(row["newest"]) if row["newest"] else None
        return ViewSummary(row["accounts"], flags, self.max_tracking_id(LEDGER_PRODUCER), newest)

    def close(self) -> None:
        """Release the view's database connections."""
        self.datastore.close()


_VIEWS: tuple[tuple[type[InfrastructureFactory[Any]], type[LedgerView]], ...] = (
    (POPOFactory, InMemoryLedgerView),
    (SQLiteFactory, SQLiteLedgerView),
    (PostgresFactory, PostgresLedgerView),
)


def make_ledger_view(database_url: str) -> LedgerView:
    """A view of its own on `memory:`, `sqlite:///path` or `postgresql://...` (tests, tools); close it."""
    env = Environment(VIEW_NAME, eventsourcing_env(database_url))
    return _view_from(InfrastructureFactory[LedgerView].construct(env))


def ledger_view_of(antenne: Application[Any]) -> LedgerView:
    """The view beside the antenne's events, on the antenne's own connections (the antenne closes them).

    Sharing the antenne's datastore matters on SQLite: its writers then take turns on one in-process
    lock instead of meeting SQLite's busy timeout (a sleeping retry) on the request path.
    """
    return _view_from(antenne.factory)


def _view_from(factory: InfrastructureFactory[Any]) -> LedgerView:
    view_class = next(view for factory_class, view in _VIEWS if isinstance(factory, factory_class))
    view: LedgerView = factory.tracking_recorder(view_class)
    return view
