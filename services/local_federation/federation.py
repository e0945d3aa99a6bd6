"""The local federation: an embedded nats-server, three demo antennes, the ledger and reporting."""

from __future__ import annotations

import asyncio
import json
import logging
import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypedDict

from services.antenne.application.roles import Role
from services.antenne.web.accounts import Accounts, new_password
from services.antenne.web.store import TableStore
from services.auth import new_token
from services.credentials.api_tokens import demo_role_tokens
from services.credentials.generate import Credentials, Installation, generate
from services.credentials.permissions import ADMIN_USER, FEED_USER, antenne_user, partner_user
from services.local_federation.demo import seed_antenne
from services.local_federation.processes import ServiceProcess
from services.messaging.nats_server import NatsServer
from services.messaging.streams import create_streams
from services.reporting.partner.tail import setup_feed_stream

log = logging.getLogger(__name__)

DEMO_ANTENNES: dict[str, str] = {
    "neder-over-heembeek": "Neder-Over-Heembeek",
    "jette": "Jette",
    "laken": "Laken",
}
DEMO_COORDINATOR = "coordinator"  # the demo account's user name at every antenne
DEMO_PARTNERS = ("bras-dessus",)  # Bras dessus Bras dessous, of the Samen Toujours alliance
PARTNER_NAMES = {"bras-dessus": "Bras dessus Bras dessous"}
# Sizes of each demo antenne's target group (older neighbours, people with a disability): the reports
# show the progress towards reaching 15% of it.
DEMO_TARGET_GROUPS: dict[str, int] = {"neder-over-heembeek": 1200, "jette": 2600, "laken": 2100}

# Flags given to nats-server override it; the included files are made by `buurtpensioen credentials`.
SERVER_CONFIG = """\
# The local federation's nats-server: the same accounts and permissions as production.
server_name: {name}
jetstream {{ store_dir: {store_dir} }}
include "accounts.conf"
include "tls.conf"
"""


class ServiceAddress(TypedDict):
    url: str
    token: str


class SignInDetails(TypedDict):
    """A demo coordinator's sign-in to an antenne's pages."""

    url: str
    username: str
    password: str


class AntenneAddress(ServiceAddress):
    """An antenne's API, and the demo coordinator's sign-in to its pages."""

    coordinator: SignInDetails


class NatsAddress(TypedDict):
    url: str


class PartnerAddress(TypedDict):
    """An alliance partner's own credentials: its token for the ledger's partner API, its NATS user."""

    name: str
    ledger_url: str
    token: str
    nats_url: str


class UpFile(TypedDict):
    """What `var/up.json` holds: where each service listens and its API token; the partners' credentials."""

    antennes: dict[str, AntenneAddress]
    ledger: ServiceAddress
    reporting: ServiceAddress
    nats: NatsAddress
    partners: dict[str, PartnerAddress]
    roles: dict[str, str]


@dataclass(frozen=True)
class Ports:
    """Where everything listens; antennes take consecutive ports from `antenne_base`."""

    nats: int = 4222
    antenne_base: int = 8101
    ledger: int = 8201
    reporting: int = 8301


@dataclass
class LocalFederation:
    """Starts, watches and stops every part of the federation; all state lives under `var_dir`."""

    var_dir: Path
    ports: Ports = field(default_factory=Ports)
    host: str = "127.0.0.1"
    demo_data: bool = True
    nats: NatsServer = field(init=False)
    credentials: Credentials = field(init=False)
    services: list[ServiceProcess] = field(default_factory=list, init=False)
    role_tokens: dict[str, str] = field(default_factory=dict, init=False)

    def __post_init__(self) -> None:
        self.var_dir = self.var_dir.resolve()
        self.nats = NatsServer(
            port=self.ports.nats,
            host=self.host,
            store_dir=self.var_dir / "nats",
            log_file=self.var_dir / "logs" / "nats.log",
            config_file=self.var_dir / "credentials" / "nats" / "server.conf",
        )

    def start(self) -> UpFile:
        """Start everything, wait until healthy, seed demo data once; return what up.json holds."""
        (self.var_dir / "logs").mkdir(parents=True, exist_ok=True)
        tokens = self._tokens()
        self._demo_coordinators(tokens)
        self.credentials = self._nats_credentials()
        self.role_tokens = demo_role_tokens(self.var_dir / "credentials", list(DEMO_ANTENNES), DEMO_PARTNERS)
        log.info("starting nats-server with JetStream and per-antenne permissions on %s", self.nats.url)
        self.nats.start()
        # The services may only read the streams (antennes) or use them (ledger, reporting): make them.
        create_streams(self.credentials.url(ADMIN_USER))
        for partner_id in DEMO_PARTNERS:  # each partner keeps its feed in a stream of its own account
            asyncio.run(setup_feed_stream(self.credentials.url(partner_user(partner_id)), partner_id))
        self.services = self._service_processes(tokens)
        for service in self.services:
            log.info("starting %s", service.name)
            service.start()
        for service in self.services:
            service.wait_healthy()
        self._seed_demo_data(tokens)
        description = self._describe(tokens)
        up_file = self.var_dir / "up.json"
        up_file.write_text(json.dumps(description, indent=2) + "\n")
        os.chmod(up_file, 0o600)
        return description

    def watch(self, interval: float = 1.0) -> None:
        """Restart any service that dies, until interrupted (Ctrl-C raises KeyboardInterrupt)."""
        while True:
            for service in self.services:
                if service.exited():
                    log.error("%s stopped unexpectedly; restarting it:\n%s", service.name, service.log_tail())
                    service.restarts += 1
                    service.start()
            time.sleep(interval)

    def stop(self) -> None:
        """Stop the services (consumers and relays first), then NATS."""
        for service in reversed(self.services):
            log.info("stopping %s", service.name)
            service.stop()
        log.info("stopping nats-server")
        self.nats.stop()

    def _url(self, port: int) -> str:
        return f"http://{self.host}:{port}"

    def _antenne_ports(self) -> dict[str, int]:
        return {antenne_id: self.ports.antenne_base + i for i, antenne_id in enumerate(DEMO_ANTENNES)}

    def _service_processes(self, tokens: dict[str, str]) -> list[ServiceProcess]:
        # NATS URLs carry passwords: they go in the environment, never in argv (ps shows argv).
        common = ["--host", self.host]
        logs = self.var_dir / "logs"
        processes = [
            ServiceProcess(
                name=f"antenne {antenne_id}",
                module="services.antenne",
                args=["serve", "--antenne-id", antenne_id, "--name", DEMO_ANTENNES[antenne_id],
                      "--port", str(port), "--database-url", self._sqlite(antenne_id), *common],
                env={"ANTENNE_TOKEN": tokens[antenne_id], "ANTENNE_TOKENS_FILE": str(self._token_file()),
                     "ANTENNE_NATS_URL": self.credentials.url(antenne_user(antenne_id)),
                     "ANTENNE_REPORTING_URL": self._url(self.ports.reporting)},
                health_url=f"{self._url(port)}/healthz",
                log_file=logs / f"{antenne_id}.log",
            )
            for antenne_id, port in self._antenne_ports().items()
        ]  # fmt: skip
        for name, port, prefix in (
            ("ledger", self.ports.ledger, "LEDGER"),
            ("reporting", self.ports.reporting, "REPORTING"),
        ):
            env = {
                f"{prefix}_TOKEN": tokens[name],
                f"{prefix}_TOKENS_FILE": str(self._token_file()),
                f"{prefix}_NATS_URL": self.credentials.url(name),
            }
            if name == "ledger":  # the alliance partners, each with its own token for the partner API
                env["LEDGER_PARTNERS"] = json.dumps(
                    {p: {"name": PARTNER_NAMES[p], "token": tokens[f"partner:{p}"]} for p in DEMO_PARTNERS}
                )
            if name == "reporting":
                env.update(self._reporting_env())
            processes.append(
                ServiceProcess(
                    name=name,
                    module=f"services.{name}",
                    args=["serve", "--port", str(port), "--database-url", self._sqlite(name), *common],
                    env=env,
                    health_url=f"{self._url(port)}/healthz",
                    log_file=logs / f"{name}.log",
                )
            )
        return processes

    def _token_file(self) -> Path:
        """The scoped tokens' hashes, one file for the whole local federation."""
        return self.var_dir / "credentials" / "api-tokens.json"

    def _reporting_env(self) -> dict[str, str]:
        """The report pages' names and target groups, where they read the services' state, and the partner
        feed: a pseudonym key per partner (kept under var/), published as the feed user every few seconds,
        each week as soon as it is over (no grace days: the demo is small and all of it is at hand)."""
        return {
            "REPORTING_ANTENNE_NAMES": json.dumps(DEMO_ANTENNES),
            "REPORTING_TARGET_GROUPS": json.dumps(DEMO_TARGET_GROUPS),
            "REPORTING_STATUS_FILE": str(self.var_dir / "up.json"),
            "REPORTING_PARTNER_KEYS": json.dumps(self._partner_keys()),
            "REPORTING_FEED_NATS_URL": self.credentials.url(FEED_USER),
            "REPORTING_FEED_INTERVAL_SECONDS": "5",
            "REPORTING_FEED_GRACE_DAYS": "0",
        }

    def _partner_keys(self) -> dict[str, dict[str, str]]:
        """One pseudonym key per partner, made once and kept: a partner's pseudonyms stay stable."""
        path = self.var_dir / "partner-keys.json"
        keys: dict[str, dict[str, str]] = json.loads(path.read_text()) if path.exists() else {}
        for partner_id in DEMO_PARTNERS:
            keys.setdefault(partner_id, {"key_id": f"{partner_id}-1", "secret": new_token()})
        path.write_text(json.dumps(keys, indent=2) + "\n")
        os.chmod(path, 0o600)
        return keys

    def _sqlite(self, name: str) -> str:
        return f"sqlite:///{self.var_dir / 'data' / name}.db"

    def _nats_credentials(self) -> Credentials:
        """NATS users and passwords, made once per installation; the server configuration that uses them."""
        folder = self.var_dir / "credentials"
        installation = Installation(
            antennes=tuple(DEMO_ANTENNES), partners=DEMO_PARTNERS, nats_url=self.nats.url
        )
        credentials = generate(folder, installation)
        store_dir = json.dumps(str(self.nats.store_dir))  # a JSON string is a NATS configuration string
        config = SERVER_CONFIG.format(name=self.nats.name, store_dir=store_dir)
        (folder / "nats" / "server.conf").write_text(config)
        return credentials

    def _tokens(self) -> dict[str, str]:
        """Tokens are made once per installation and kept, so a restart keeps them."""
        path = self.var_dir / "secrets.json"
        tokens: dict[str, str] = json.loads(path.read_text()) if path.exists() else {}
        for name in [*DEMO_ANTENNES, "ledger", "reporting", *(f"partner:{p}" for p in DEMO_PARTNERS)]:
            tokens.setdefault(name, new_token())
        for antenne_id in DEMO_ANTENNES:  # the demo coordinators' passwords for the pages
            tokens.setdefault(f"{antenne_id}-coordinator", new_password())
        path.write_text(json.dumps(tokens, indent=2) + "\n")
        os.chmod(path, 0o600)
        return tokens

    def _demo_coordinators(self, tokens: dict[str, str]) -> None:
        """A coordinator account per antenne, so that a newcomer can sign in to the pages (once)."""
        for antenne_id in DEMO_ANTENNES:
            store = TableStore(self._sqlite(antenne_id))
            try:
                accounts = Accounts(store)
                if not accounts.has_coordinator(DEMO_COORDINATOR):
                    accounts.add_coordinator(
                        DEMO_COORDINATOR,
                        tokens[f"{antenne_id}-coordinator"],
                        "Demo coordinator",
                        Role.LOCAL_LEAD,
                    )
            finally:
                store.close()

    def _describe(self, tokens: dict[str, str]) -> UpFile:
        return {
            "antennes": {
                antenne_id: {
                    "url": self._url(port),
                    "token": tokens[antenne_id],
                    "coordinator": {
                        "url": f"{self._url(port)}/signin",
                        "username": DEMO_COORDINATOR,
                        "password": tokens[f"{antenne_id}-coordinator"],
                    },
                }
                for antenne_id, port in self._antenne_ports().items()
            },
            "ledger": {"url": self._url(self.ports.ledger), "token": tokens["ledger"]},
            "reporting": {"url": self._url(self.ports.reporting), "token": tokens["reporting"]},
            # The operator's URL, for `buurtpensioen status` and the `nats` tool (up.json is mode 0600).
            "nats": {"url": self.credentials.url(ADMIN_USER)},
            # Each partner's own credentials: the partner API of the ledger, and its NATS user.
            "partners": {
                partner_id: {
                    "name": PARTNER_NAMES[partner_id],
                    "ledger_url": self._url(self.ports.ledger),
                    "token": tokens[f"partner:{partner_id}"],
                    "nats_url": self.credentials.url(partner_user(partner_id)),
                }
                for partner_id in DEMO_PARTNERS
            },
            # A scoped token per demo role (`jette/coordinator`, `partner/bras-dessus`, ...).
            "roles": self.role_tokens,
        }

    def _seed_demo_data(self, tokens: dict[str, str]) -> None:
        marker = self.var_dir / "demo-data-entered"
        if not self.demo_data or marker.exists():
            return
        for antenne_id, port in self._antenne_ports().items():
            members = seed_antenne(self._url(port), tokens[antenne_id], antenne_id)
            log.info("demo data entered at %s: %d members and their exchanges", antenne_id, members)
        marker.write_text("The demo members and exchanges were entered once; delete var/ to start over.\n")
