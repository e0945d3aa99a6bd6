"""Reporting's settings, read from `REPORTING_*` environment variables or given by the CLI."""

from __future__ import annotations

from pydantic import Field
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


class Settings(ViewSettings):
    """The view, its JetStream, and where the reporting API listens."""

    token: str = Field(min_length=16, description="Bearer token the JSON API requires (no default).")
    host: str = Field(default="127.0.0.1", description="Address the API listens on.")
    port: int = Field(default=8301, ge=1, le=65535, description="Port the API listens on.")
