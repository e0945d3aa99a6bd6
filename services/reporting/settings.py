"""Reporting's settings, read from `REPORTING_*` environment variables or given by the CLI."""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class ViewSettings(BaseSettings):
    """Where the summary view is stored and which JetStream feeds it (all `rebuild` needs)."""

    model_config = SettingsConfigDict(env_prefix="REPORTING_", frozen=True)

    database_url: str = Field(
        default="sqlite:///var/reporting.db",
        description="`sqlite:///path`, `postgresql://user:password@host:port/db` or `memory:`.",
    )
    nats_url: str = Field(default="nats://127.0.0.1:4222", description="The JetStream server.")
    target_groups: dict[str, int] = Field(
        default_factory=dict,
        description='Antenne id -> target group size, as JSON (`{"jette": 4200}`); the goal is 15% of it.',
    )
    durable: str = Field(
        default="reporting",
        pattern=r"^[A-Za-z0-9_-]+$",
        description="Name of reporting's durable JetStream consumer: it keeps the stream position.",
    )


class PartnerKeySetting(BaseModel):
    """One alliance partner's current pseudonym key; a new `key_id` with a new secret rotates it."""

    key_id: str = Field(pattern=r"^[A-Za-z0-9._-]{1,40}$", description="Travels in every message.")
    secret: str = Field(min_length=16, description="Never leaves reporting; at least 16 characters.")


class Settings(ViewSettings):
    """The view, its JetStream, the partner feed, and where the reporting API listens."""

    partner_keys: dict[str, PartnerKeySetting] = Field(
        default_factory=dict,
        description='Partner id -> its pseudonym key, as JSON (`{"bras-dessus": {"key_id": "k1", "secret": '
        '"..."}}`); no partner, no feed.',
    )
    feed_nats_url: str | None = Field(
        default=None, description="The partner-feed user's NATS URL (default: `nats_url`)."
    )
    feed_interval_seconds: float = Field(
        default=60.0, gt=0, description="How often ready weeks are published."
    )
    feed_grace_days: int = Field(
        default=2, ge=0, description="Days after a week ends before it is published."
    )

    antenne_names: dict[str, str] = Field(
        default_factory=dict,
        description='Antenne id -> the name the pages show, as JSON (`{"jette": "Jette"}`).',
    )
    status_file: Path | None = Field(
        default=None,
        description="`var/up.json` or a file like it: where the federation page reads each service's state.",
    )
    secure_cookies: bool = Field(default=False, description="Send the pages' cookie over HTTPS only.")
    token: str = Field(min_length=16, description="The service's own API token (role `service`; no default).")
    tokens_file: Path | None = Field(
        default=None, description="Scoped API tokens (hashed), as written by `buurtpensioen tokens issue`."
    )
    host: str = Field(default="127.0.0.1", description="Address the API listens on.")
    port: int = Field(default=8301, ge=1, le=65535, description="Port the API listens on.")
