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


def _unprivileged_user() -> pwd.struct_passwd | None:
    """Who runs the server: PostgreSQL refuses to run as root, and CI runs as root."""
    return pwd.getpwnam(UNPRIVILEGED_USER) if os.geteuid() == 0 else None


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
        user = _unprivileged_user()
        if user:
            os.chmod(root, 0o755)
            os.chown(root, user.pw_uid, user.pw_gid)
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
        user = _unprivileged_user()
        result = subprocess.run(
            [str(part) for part in command],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
            user=user.pw_uid if user else None,
            group=user.pw_gid if user else None,
            extra_groups=[] if user else None,
        )
        if result.returncode != 0:
            raise RuntimeError(f"{command[0]} failed ({result.returncode}): {result.stderr.strip()}")
