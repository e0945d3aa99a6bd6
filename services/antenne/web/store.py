"""A small SQL table store in the antenne's own database, for what is not a domain event (web accounts).

SQLite (a file or `memory:`) or PostgreSQL, by the antenne's database URL; one connection behind a lock
is plenty for a permanence desk. SQL is written with `%s` placeholders and adapted for SQLite.
"""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import unquote, urlsplit

import psycopg

from services.persistence import UnsupportedDatabaseUrlError

SQLITE_BUSY_SECONDS = 10.0


class _Connection(Protocol):
    def execute(self, sql: str, params: tuple[Any, ...] = ...) -> Any: ...
    def close(self) -> None: ...


class TableStore:
    """Runs statements on the antenne's database; each call is its own transaction."""

    def __init__(self, database_url: str) -> None:
        self._lock = threading.Lock()
        self._url = database_url
        self._sqlite = not database_url.startswith(("postgresql:", "postgres:"))
        self._connection: _Connection = _connect(database_url)

    def run(self, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        """Execute one statement; the rows it returns, if any."""
        if self._sqlite:
            sql = sql.replace("%s", "?")
        with self._lock:
            try:
                cursor = self._connection.execute(sql, params)
            except (psycopg.OperationalError, psycopg.InterfaceError):
                # PostgreSQL restarted since: connect again, once (a statement is its own transaction).
                self._connection.close()
                self._connection = _connect(self._url)
                cursor = self._connection.execute(sql, params)
            return list(cursor.fetchall()) if cursor.description else []

    def close(self) -> None:
        """Close the connection."""
        with self._lock:
            self._connection.close()


def _connect(database_url: str) -> _Connection:
    if database_url == "memory:":
        return sqlite3.connect(":memory:", check_same_thread=False, isolation_level=None)
    parts = urlsplit(database_url)
    if parts.scheme == "sqlite":
        path = Path(unquote(parts.path).removeprefix("/"))  # sqlite:////abs/path is absolute
        path.parent.mkdir(parents=True, exist_ok=True)
        return sqlite3.connect(
            path, check_same_thread=False, isolation_level=None, timeout=SQLITE_BUSY_SECONDS
        )
    if parts.scheme in {"postgresql", "postgres"}:
        return psycopg.connect(database_url, autocommit=True)
    raise UnsupportedDatabaseUrlError(f"unsupported database URL {database_url!r}")
