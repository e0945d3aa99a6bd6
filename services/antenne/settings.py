"""An antenne's settings, read from `ANTENNE_*` environment variables or given by the CLI."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from contracts.subjects import check_antenne_id
from services.antenne.application.base import Practice
from services.antenne.domain import DEFAULT_AUTO_ACCEPT_DAYS, DEFAULT_BACKDATING_DAYS, DEFAULT_MAX_QUARTERS
from services.antenne.domain.rules import Guard
from services.persistence import eventsourcing_env


class RelaySettings(BaseSettings):
    """Which antenne, where its events are stored, and which NATS its relay publishes to."""

    model_config = SettingsConfigDict(env_prefix="ANTENNE_", frozen=True)

    antenne_id: str = Field(description="Subject-safe id of the antenne, such as `jette`.")
    database_url: str = Field(
        default="",
        description="`sqlite:///path`, `postgresql://user:password@host:port/db` or `memory:`; "
        "default `sqlite:///var/<antenne_id>.db`.",
    )
    nats_url: str = Field(default="nats://127.0.0.1:4222", description="The JetStream server.")

    @field_validator("antenne_id")
    @classmethod
    def _subject_safe(cls, antenne_id: str) -> str:
        return check_antenne_id(antenne_id)

    @model_validator(mode="before")
    @classmethod
    def _defaults_from_the_id(cls, values: Any) -> Any:
        if isinstance(values, dict) and isinstance(values.get("antenne_id"), str):
            antenne_id = values["antenne_id"]
            if not values.get("database_url"):
                values = {**values, "database_url": f"sqlite:///var/{antenne_id}.db"}
            if "name" in cls.model_fields and not values.get("name"):
                values = {**values, "name": antenne_id}
        return values

    def eventsourcing_env(self) -> dict[str, str]:
        """The environment of the `Antenne` application."""
        return eventsourcing_env(self.database_url)


class Settings(RelaySettings):
    """Everything an antenne's API process needs: the relay's settings plus the API and its rules."""

    name: str = Field(default="", description="Display name of the antenne, such as `Jette`; default its id.")
    token: str = Field(min_length=16, description="The service's own API token (role `service`; no default).")
    tokens_file: Path | None = Field(
        default=None, description="Scoped API tokens (hashed), as written by `buurtpensioen tokens issue`."
    )
    host: str = Field(default="127.0.0.1", description="Address the API listens on.")
    port: int = Field(default=8101, ge=1, le=65535, description="Port the API listens on.")
    max_quarters: int = Field(
        default=DEFAULT_MAX_QUARTERS, ge=1, description="Largest exchange accepted, in quarter hours."
    )
    member_prefix: str = Field(
        default="",
        pattern=r"^([A-Z]{2,5})?$",
        description="Member numbers' prefix, such as `JET`; default the antenne id's first three letters.",
    )
    backdating_days: int = Field(
        default=DEFAULT_BACKDATING_DAYS,
        ge=0,
        description="How many days back help may be dated when recorded.",
    )
    auto_accept_days: int = Field(
        default=DEFAULT_AUTO_ACCEPT_DAYS, ge=1, description="Days after which unconfirmed help is accepted."
    )

    guard_approval_above: int = Field(
        default=Guard.approval_above, ge=1, description="Exchanges longer than this wait for a coordinator."
    )
    guard_four_eyes_above: int = Field(
        default=Guard.four_eyes_above, ge=1, description="Longer than this, a second coordinator approves."
    )
    guard_max_balance: int = Field(
        default=Guard.max_balance, description="Saving beyond this waits for review."
    )
    guard_min_balance: int = Field(
        default=Guard.min_balance, le=0, description="The overdraft limit (negative)."
    )

    reporting_url: str = Field(
        default="", description="Where the reporting service's pages are, linked from the desk (optional)."
    )
    secure_cookies: bool = Field(
        default=False, description="Mark the pages' cookies Secure even when the proxy does not say https."
    )

    sweep_interval_seconds: float = Field(
        default=3600.0, gt=0, description="How often overdue help is accepted and stale requests expire."
    )

    def practice(self) -> Practice:
        """How this antenne runs its timebank."""
        return Practice(
            member_prefix=self.member_prefix or self.antenne_id.replace("-", "")[:3].upper(),
            antenne_id=self.antenne_id,
            max_quarters=self.max_quarters,
            backdating_days=self.backdating_days,
            auto_accept_days=self.auto_accept_days,
            guard=Guard(
                approval_above=self.guard_approval_above,
                four_eyes_above=self.guard_four_eyes_above,
                max_balance=self.guard_max_balance,
                min_balance=self.guard_min_balance,
            ),
        )
