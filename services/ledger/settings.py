"""The ledger's settings, read from `LEDGER_*` environment variables or given by the CLI."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from services.ledger.domain import OverdraftPolicy
from services.persistence import eventsourcing_env


class Settings(BaseSettings):
    """Where the ledger stores its books, which NATS it consumes from, and where its API listens."""

    model_config = SettingsConfigDict(env_prefix="LEDGER_", frozen=True)

    database_url: str = Field(
        default="sqlite:///var/ledger.db",
        description="`sqlite:///path`, `postgresql://user:password@host:port/db` or `memory:`.",
    )
    nats_url: str = Field(default="nats://127.0.0.1:4222", description="The JetStream server.")
    token: str = Field(min_length=16, description="The service's own API token (role `service`; no default).")
    tokens_file: Path | None = Field(
        default=None, description="Scoped API tokens (hashed), as written by `buurtpensioen tokens issue`."
    )
    host: str = Field(default="127.0.0.1", description="Address the API listens on.")
    port: int = Field(default=8201, ge=1, le=65535, description="Port the API listens on.")
    durable: str = Field(
        default="ledger",
        pattern=r"^[A-Za-z0-9_-]+$",
        description="Name of the ledger's durable JetStream consumer: it keeps the stream position.",
    )

    signing_key_file: Path = Field(
        default=Path("var/ledger-signing-key.pem"),
        description="Ed25519 private key that signs hour statements; made on first start (mode 0600).",
    )

    overdraft_limit: int = Field(
        default=80, ge=0, description="How many quarter hours below zero a member may go before a flag."
    )
    overdraft_limits: dict[str, int] = Field(
        default_factory=dict,
        description='Per-antenne limits overriding the default, e.g. {"jette": 60} (JSON in the env).',
    )

    def overdraft_policy(self) -> OverdraftPolicy:
        """The limits the ledger flags breaches of (invariant 6)."""
        return OverdraftPolicy(self.overdraft_limit, tuple(sorted(self.overdraft_limits.items())))

    def eventsourcing_env(self) -> dict[str, str]:
        """The environment of the `Ledger` application."""
        return eventsourcing_env(self.database_url)
