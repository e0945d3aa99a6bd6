"""Where the federation's services are: read from `var/up.json` or given one by one."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pathlib import Path


@dataclass(frozen=True)
class Service:
    """One service's base URL and, for its protected endpoints, its API token."""

    url: str
    token: str | None = None

    def headers(self) -> dict[str, str]:
        """The Authorization header, when a token is known."""
        return {"Authorization": f"Bearer {self.token}"} if self.token else {}


@dataclass(frozen=True)
class Targets:
    """Everything `status` looks at."""

    antennes: dict[str, Service] = field(default_factory=dict)
    ledger: Service | None = None
    reporting: Service | None = None
    nats_url: str | None = None
    durables: dict[str, str] = field(default_factory=lambda: {"ledger": "ledger", "reporting": "reporting"})

    @classmethod
    def from_up_file(cls, path: Path) -> Targets:
        """The services `buurtpensioen up` started, with their tokens."""
        data = json.loads(path.read_text())
        return cls(
            antennes={
                antenne_id: Service(address["url"], address.get("token"))
                for antenne_id, address in data.get("antennes", {}).items()
            },
            ledger=_service(data.get("ledger")),
            reporting=_service(data.get("reporting")),
            nats_url=data.get("nats", {}).get("url"),
        )


def _service(address: dict[str, str] | None) -> Service | None:
    return Service(address["url"], address.get("token")) if address else None
