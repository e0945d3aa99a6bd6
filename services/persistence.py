"""One database URL per service, turned into the environment `eventsourcing` reads."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from urllib.parse import unquote, urlsplit

from eventsourcing.persistence import Transcoding


class UnsupportedDatabaseUrlError(ValueError):
    """Only `sqlite:///path`, `postgresql://...` and `memory:` are understood."""


def eventsourcing_env(database_url: str) -> dict[str, str]:
    """`sqlite:///var/x.db`, `postgresql://user:pw@host:port/db` or `memory:` -> Application env."""
    if database_url == "memory:":
        return {"PERSISTENCE_MODULE": "eventsourcing.popo"}
    parts = urlsplit(database_url)
    if parts.scheme == "sqlite":
        path = Path(unquote(parts.path).removeprefix("/"))  # sqlite:////abs/path is absolute
        path.parent.mkdir(parents=True, exist_ok=True)
        return {"PERSISTENCE_MODULE": "eventsourcing.sqlite", "SQLITE_DBNAME": str(path)}
    if parts.scheme in {"postgresql", "postgres"}:
        return {
            "PERSISTENCE_MODULE": "eventsourcing.postgres",
            "POSTGRES_DBNAME": parts.path.removeprefix("/"),
            "POSTGRES_HOST": parts.hostname or "127.0.0.1",
            "POSTGRES_PORT": str(parts.port or 5432),
            "POSTGRES_USER": unquote(parts.username or "postgres"),
            "POSTGRES_PASSWORD": unquote(parts.password or ""),
        }
    raise UnsupportedDatabaseUrlError(
        f"unsupported database URL {database_url!r}: use sqlite:///path, postgresql://... or memory:"
    )


def redacted(database_url: str) -> str:
    """The database URL without its password, for logs."""
    scheme, _, rest = database_url.partition("://")
    if "@" not in rest:
        return database_url
    return f"{scheme}://***@{rest.rpartition('@')[2]}"


class DateAsISO(Transcoding):
    """Stores a `date` as its ISO text (the library's JSON transcoder only knows datetimes)."""

    type = date
    name = "date_iso"

    def encode(self, obj: date) -> str:
        return obj.isoformat()

    def decode(self, data: str) -> date:
        return date.fromisoformat(data)
