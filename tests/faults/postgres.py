"""A PostgreSQL of the fault suite's own, that can be killed with SIGKILL and started again on its data."""

from __future__ import annotations

import contextlib
import os
import signal
import time
from dataclasses import dataclass
from pathlib import Path

import psycopg

from services.ports import wait_until_listening
from tests.support.postgres import PostgresServer, postgres_bin_dir


@dataclass
class KillablePostgres(PostgresServer):
    """The test session's PostgreSQL recipe, plus kill -9 of every server process and a restart."""

    def kill(self) -> None:
        """SIGKILL the postmaster and all its backends at once, as a crash of the machine's database would."""
        postmaster = int((self.data_dir / "postmaster.pid").read_text().split()[0])
        victims = [postmaster, *_children(postmaster)]
        for pid in victims:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        deadline = time.monotonic() + 10
        while any(Path(f"/proc/{pid}").exists() and not _zombie(pid) for pid in victims):
            assert time.monotonic() < deadline, "PostgreSQL processes survived SIGKILL"
            time.sleep(0.02)
        # Nobody may reap them here (no init in the container): a zombie postmaster still "exists" for
        # the lock-file check, so remove the stale lock once every process is dead, as an operator would.
        (self.data_dir / "postmaster.pid").unlink(missing_ok=True)
        (self.data_dir.parent / f".s.PGSQL.{self.port}.lock").unlink(missing_ok=True)

    def restart(self) -> None:
        """Start the server again on the same data (it runs crash recovery) and port."""
        root = self.data_dir.parent
        options = (
            f"-c listen_addresses={self.host} -c port={self.port} "
            f"-c unix_socket_directories={root} -c fsync=off -c max_connections=200"
        )
        self._run(postgres_bin_dir() / "pg_ctl", "-D", self.data_dir, "-o", options, "-l", root / "log",
                  "-w", "start")  # fmt: skip
        wait_until_listening(self.host, self.port)

    def is_up(self) -> bool:
        try:
            with psycopg.connect(self.dsn("postgres"), connect_timeout=1) as conn:
                conn.execute("SELECT 1")
            return True
        except psycopg.OperationalError:
            return False


def _children(parent: int) -> list[int]:
    children = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rpartition(")")[2].split()
            except OSError:
                continue
            if int(fields[1]) == parent:
                children.append(int(entry.name))
    return children


def _zombie(pid: int) -> bool:
    try:
        return (Path(f"/proc/{pid}") / "stat").read_text().rpartition(")")[2].split()[0] == "Z"
    except OSError:
        return False
