"""What every service's command line does alike: settings from flags and environment, and logging."""

from __future__ import annotations

import logging
from typing import Any, TypeVar

import typer
from pydantic import ValidationError
from pydantic_settings import BaseSettings

SettingsT = TypeVar("SettingsT", bound=BaseSettings)

LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def settings_from_flags(settings_class: type[SettingsT], **flags: Any) -> SettingsT:
    """Settings from the flags given, the rest from the environment; exit 2 with the reason if invalid."""
    try:
        return settings_class(**{name: value for name, value in flags.items() if value is not None})
    except ValidationError as error:
        typer.echo(f"invalid settings: {error}", err=True)
        raise typer.Exit(2) from None


def configure_logging() -> None:
    """Log INFO and up to stderr, once, whether started as `buurtpensioen` or `python -m services.x`."""
    if not logging.getLogger().handlers:
        logging.basicConfig(level=logging.INFO, format=LOG_FORMAT)
    logging.getLogger("httpx").setLevel(logging.WARNING)  # one line per request drowns what matters
