"""A nats-server with the federation's accounts and permissions, as `credentials generate` makes them."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from services.credentials.generate import Credentials, Installation, generate
from services.credentials.permissions import ADMIN_USER
from services.messaging.nats_server import NatsServer
from services.messaging.streams import create_streams
from services.ports import free_port

ANTENNES = ("jette", "laken")
PARTNERS = ("bras-dessus", "samana")

SERVER_CONFIG = """\
server_name: secured
jetstream {{ store_dir: "{store_dir}" }}
include "accounts.conf"
include "tls.conf"
"""


@dataclass
class SecuredNats:
    """The server and every user's credentials."""

    server: NatsServer
    credentials: Credentials

    def url(self, user: str) -> str:
        return self.credentials.url(user)


def start_secured_nats(folder: Path, installation: Installation, scheme: str = "nats") -> SecuredNats:
    """Generate credentials into `folder`, start nats-server with them, create the streams as admin."""
    credentials = generate(folder / "credentials", installation)
    config = folder / "credentials" / "nats" / "server.conf"
    config.write_text(SERVER_CONFIG.format(store_dir=folder / "jetstream"))
    port = int(installation.nats_url.rpartition(":")[2])
    nats = NatsServer(
        port=port,
        store_dir=folder / "jetstream",
        config_file=config,
        log_file=folder / "nats.log",
        scheme=scheme,
    )
    nats.start()
    return SecuredNats(nats, credentials)


@pytest.fixture
def secured_nats(tmp_path: Path) -> Iterator[SecuredNats]:
    installation = Installation(ANTENNES, PARTNERS, nats_url=f"nats://127.0.0.1:{free_port()}")
    secured = start_secured_nats(tmp_path, installation)
    try:
        create_streams(secured.url(ADMIN_USER))
        yield secured
    finally:
        secured.server.stop()
