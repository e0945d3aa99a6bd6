"""The federation as real processes for the fault suite: antennes, ledger, reporting, NATS, PostgreSQL."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from uuid import uuid4

import httpx

from services.local_federation.processes import ServiceProcess
from services.ports import free_port

if TYPE_CHECKING:
    from pathlib import Path

    from services.messaging.nats_server import NatsServer
    from tests.faults.postgres import KillablePostgres

TOKEN = "faults-" + uuid4().hex


@dataclass
class Service:
    """One service process on a fixed loopback port, so that it comes back where clients look for it."""

    process: ServiceProcess
    url: str
    on_postgres: bool
    down: bool = False

    @classmethod
    def of(
        cls, name: str, module: str, args: list[str], env: dict[str, str], log_dir: Path, on_postgres: bool
    ) -> Service:
        port = free_port()
        url = f"http://127.0.0.1:{port}"
        args = [*args, "--host", "127.0.0.1", "--port", str(port)]
        process = ServiceProcess(
            name, module, ["serve", *args], env, f"{url}/healthz", log_dir / f"{name}.log"
        )
        return cls(process, url, on_postgres)

    def start(self) -> None:
        self.process.start()
        self.process.wait_healthy(60)
        self.down = False

    def kill(self) -> None:
        """SIGKILL: no shutdown, nothing flushed or acknowledged."""
        assert self.process.process is not None
        self.process.process.kill()
        self.process.process.wait(10)
        self.down = True

    def stop(self) -> None:
        self.process.stop()

    def get(self, path: str) -> Any:
        response = httpx.get(self.url + path, headers={"Authorization": f"Bearer {TOKEN}"}, timeout=10)
        response.raise_for_status()
        return response.json()


@dataclass
class Federation:
    """Everything the chaos schedule may kill, by name."""

    nats: NatsServer
    postgres: KillablePostgres
    antennes: dict[str, Service]
    ledger: Service
    reporting: Service
    databases: dict[str, str]  # service -> its database URL
    down: set[str] = field(default_factory=set)

    def services(self) -> dict[str, Service]:
        return {**{f"antenne {a}": s for a, s in self.antennes.items()}, "ledger": self.ledger,
                "reporting": self.reporting}  # fmt: skip

    def kill(self, target: str) -> None:
        if target == "nats-server":
            self.nats.kill()
        elif target == "postgresql":
            self.postgres.kill()
        else:
            self.services()[target].kill()
        self.down.add(target)

    def restart(self, target: str) -> bool:
        """Start `target` again; False while what it needs (PostgreSQL) is still down."""
        if target == "nats-server":
            self.nats.start()
        elif target == "postgresql":
            self.postgres.restart()
        else:
            service = self.services()[target]
            if service.on_postgres and "postgresql" in self.down:
                return False
            service.start()
        self.down.discard(target)
        return True

    def restart_all(self) -> None:
        for target in sorted(self.down, key=lambda t: t not in {"postgresql", "nats-server"}):
            assert self.restart(target)

    def stop(self) -> None:
        for service in self.services().values():
            service.stop()


def wait_for(condition: Any, timeout: float, what: str) -> None:
    """Poll `condition()` until true, or fail saying `what` did not happen."""
    deadline = time.monotonic() + timeout
    last_error: Exception | None = None
    while True:
        try:
            if condition():
                return
        except (httpx.HTTPError, OSError) as error:
            last_error = error
        if time.monotonic() > deadline:
            raise AssertionError(f"after {timeout:.0f} s still not: {what} (last error: {last_error})")
        time.sleep(0.1)
