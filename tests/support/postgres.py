"""A throwaway PostgreSQL server for the test session, run as an unprivileged user."""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import psycopg

from services.ports import free_port, wait_until_listening

UNPRIVILEGED_USER = "nobody"


def postgres_bin_dir() -> Path:
    """The folder holding initdb and pg_ctl (Debian's layout first, then PATH)."""
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"), reverse=True)
    if candidates:
        return Path(candidates[0]).parent
    found = shutil.which("pg_ctl")
    if found:
        return Path(found).parent
    raise FileNotFoundError("PostgreSQL server binaries not found: run scripts/test, it installs them")


def _as_unprivileged() -> dict[str, object]:
    # PostgreSQL refuses to run as root; CI runs as root.
    if os.geteuid() != 0:
        return {}
    entry = pwd.getpwnam(UNPRIVILEGED_USER)
    return {"user": entry.pw_uid, "group": entry.pw_gid, "extra_groups": []}


@dataclass
class PostgresServer:
    """initdb + pg_ctl in a temporary folder, listening on a loopback port."""

    port: int = field(default_factory=free_port)
    user: str = "postgres"
    password: str = "postgres"
    host: str = "127.0.0.1"
    data_dir: Path = field(init=False)

    def start(self) -> None:
        bin_dir = postgres_bin_dir()
        root = Path(tempfile.mkdtemp(prefix="bp-postgres-"))
        self.data_dir = root / "data"
        drop = _as_unprivileged()
        if drop:
            os.chmod(root, 0o755)
            os.chown(root, int(str(drop["user"])), int(str(drop["group"])))
        self._run(bin_dir / "initdb", "-D", self.data_dir, "-U", self.user, "--auth=trust", "-E", "UTF8")
        options = (
            f"-c listen_addresses={self.host} -c port={self.port} "
            f"-c unix_socket_directories={root} -c fsync=off -c max_connections=200"
        )
        self._run(
            bin_dir / "pg_ctl",
            "-D",
            self.data_dir,
            "-o",
            options,
            "-l",
            root / "log",
            "-w",
            "start",
        )
        wait_until_listening(self.host, self.port)

    def stop(self) -> None:
        self._run(postgres_bin_dir() / "pg_ctl", "-D", self.data_dir, "-m", "fast", "-w", "stop")
        shutil.rmtree(self.data_dir.parent, ignore_errors=True)

    def create_database(self, name: str) -> str:
        """Create a database and return its DSN."""
        with psycopg.connect(self.dsn("postgres"), autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.dsn(name)

    def dsn(self, dbname: str) -> str:
        return f"postgresql://{self.user}:{self.password}@{self.host}:{self.port}/{dbname}"

    def _run(self, *command: object) -> None:
        subprocess.run(
            [str(part) for part in command],
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            **_as_unprivileged(),  # type: ignore[arg-type]
        )
