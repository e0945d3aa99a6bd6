"""Back up and restore an antenne's store: SQLite with its online backup API, PostgreSQL with pg_dump.

A backup is taken while the antenne runs (both tools read a consistent snapshot). A restore goes to a
new, empty place: it never overwrites a store, so a mistaken restore cannot destroy the one left.
"""

from __future__ import annotations

import glob
import os
import shutil
import sqlite3
import subprocess
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

from services.persistence import eventsourcing_env


class BackupError(RuntimeError):
    """A backup or restore could not be done; the message says why."""


@dataclass(frozen=True)
class BackupFile:
    """A backup written: where, how big, and of which kind."""

    path: Path
    kind: str  # "sqlite" or "pg_dump"
    size: int


def backup(database_url: str, destination: Path) -> BackupFile:
    """Copy the store at `database_url` into `destination` (refuses to overwrite a file)."""
    if destination.exists():
        raise BackupError(f"{destination} exists: choose a new file name")
    destination.parent.mkdir(parents=True, exist_ok=True)
    env = eventsourcing_env(database_url)
    if "SQLITE_DBNAME" in env:
        source = Path(env["SQLITE_DBNAME"])
        if not source.exists():
            raise BackupError(f"no SQLite store at {source}")
        _sqlite_copy(source, destination)
        kind = "sqlite"
    elif "POSTGRES_DBNAME" in env:
        _pg("pg_dump", "--format=custom", "--no-owner", f"--file={destination}", database_url=database_url)
        kind = "pg_dump"
    else:
        raise BackupError(f"nothing to back up at {database_url}: an in-memory store is lost on stop")
    return BackupFile(destination, kind, destination.stat().st_size)


def restore(source: Path, database_url: str) -> None:
    """Restore a backup into a new SQLite file or an empty PostgreSQL database."""
    if not source.exists():
        raise BackupError(f"no backup at {source}")
    env = eventsourcing_env(database_url)
    if "SQLITE_DBNAME" in env:
        target = Path(env["SQLITE_DBNAME"])
        if target.exists() and target.stat().st_size > 0:
            raise BackupError(f"{target} exists: restore to a new path, never over a store")
        _sqlite_copy(source, target)
    elif "POSTGRES_DBNAME" in env:
        _pg("pg_restore", "--no-owner", "--exit-on-error", "--single-transaction", str(source),
            database_url=database_url)  # fmt: skip
    else:
        raise BackupError(f"cannot restore into {database_url}")


def last_sqlite_position(path: Path) -> int | None:
    """The last notification id in a SQLite store or backup, read without changing it (None: no events)."""
    with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as connection:
        try:
            row = connection.execute("SELECT MAX(rowid) FROM stored_events").fetchone()
        except sqlite3.OperationalError:  # no event table: a reporting database
            return None
    return int(row[0]) if row and row[0] is not None else None


def _sqlite_copy(source: Path, target: Path) -> None:
    """SQLite's online backup API: a consistent copy even while the antenne writes (WAL included)."""
    with closing(sqlite3.connect(source)) as reading, closing(sqlite3.connect(target)) as writing:
        reading.backup(writing)


def _pg(tool: str, *args: str, database_url: str) -> None:
    # The password goes in the environment, not on the command line (ps shows that to everyone).
    parts = urlsplit(database_url)
    env = {**os.environ, "PGPASSWORD": unquote(parts.password or "")}
    user = f"{parts.username}@" if parts.username else ""
    without_password = f"{parts.scheme}://{user}{parts.hostname}:{parts.port or 5432}{parts.path}"
    command = [str(postgres_tool(tool)), *args, f"--dbname={without_password}"]
    result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise BackupError(f"{tool} failed ({result.returncode}): {result.stderr.strip()}")


def postgres_tool(name: str) -> Path:
    """pg_dump or pg_restore: the newest Debian server's own first (it matches the server), then PATH."""
    candidates = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), reverse=True)
    if candidates:
        return Path(candidates[0])
    found = shutil.which(name)
    if found is None:
        raise BackupError(f"{name} not found: install the PostgreSQL client (Debian: postgresql-client)")
    return Path(found)
