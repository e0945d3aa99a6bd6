"""The ledger's settings, read from `LEDGER_*` environment variables or given by the CLI."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from pydantic import BaseModel, Field, PositiveInt
from pydantic_settings import BaseSettings, SettingsConfigDict

from services.ledger.alliance import Alliance, PartnerAgreement
from services.ledger.domain import OverdraftPolicy
from services.persistence import eventsourcing_env


class PartnerSettings(BaseModel):
    """One alliance partner's agreement and the token its API calls carry."""

    name: str
    token: str = Field(min_length=16, description="Bearer token of the partner API for this partner only.")
    bilateral_limit: int = Field(default=400, ge=0, description="Bound on the net position, either way.")
    ours_per_theirs: tuple[PositiveInt, PositiveInt] = Field(
        default=(1, 1), description="How one partner quarter hour counts in ours: (numerator, denominator)."
    )


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
    batch: int = Field(
        default=500,
        ge=1,
        le=4096,
        description="Most events fetched and booked in one transaction (each antenne's position with them).",
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

    offline_allowance: int = Field(
        default=0, ge=0, description="How far past the limit an antenne may let spending go while offline."
    )
    offline_allowances: dict[str, int] = Field(
        default_factory=dict, description='Per-antenne offline allowances, e.g. {"jette": 8}.'
    )

    partners: dict[str, PartnerSettings] = Field(
        default_factory=dict,
        description='Alliance partners by id, e.g. {"bras-dessus": {"name": "...", "token": "..."}} (JSON).',
    )
    transfer_expiry_hours: int = Field(
        default=168, ge=1, description="How long a cross-antenne or partner transfer may stay held."
    )
    sweep_seconds: float = Field(default=30.0, gt=0, description="How often expired holds are released.")
    clearing_interval_seconds: float = Field(
        default=3600.0, ge=0, description="How often the clearing run nets positions; 0 turns it off."
    )
    warn_ratio: float = Field(default=0.8, gt=0, le=1, description="Warn when a position reaches this share.")

    def overdraft_policy(self) -> OverdraftPolicy:
        """The limits the ledger refuses and flags breaches of (invariant 6)."""
        return OverdraftPolicy(
            self.overdraft_limit,
            tuple(sorted(self.overdraft_limits.items())),
            self.offline_allowance,
            tuple(sorted(self.offline_allowances.items())),
        )

    def alliance(self) -> Alliance:
        """The partner agreements, from the configuration."""
        agreements = tuple(
            PartnerAgreement(partner_id, p.name, p.bilateral_limit, p.ours_per_theirs)
            for partner_id, p in sorted(self.partners.items())
        )
        return Alliance(agreements, self.warn_ratio)

    def transfer_expiry(self) -> timedelta:
        """How long a hold waits for the payee's answer."""
        return timedelta(hours=self.transfer_expiry_hours)

    def eventsourcing_env(self) -> dict[str, str]:
        """The environment of the `Ledger` application."""
        return eventsourcing_env(self.database_url)
