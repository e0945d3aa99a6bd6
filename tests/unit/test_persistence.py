from pathlib import Path

import pytest

from services.persistence import UnsupportedDatabaseUrlError, eventsourcing_env


def test_a_sqlite_url_names_a_file_and_creates_its_folder(tmp_path: Path) -> None:
    env = eventsourcing_env(f"sqlite:///{tmp_path}/var/jette.db")
    assert env == {"PERSISTENCE_MODULE": "eventsourcing.sqlite", "SQLITE_DBNAME": f"{tmp_path}/var/jette.db"}
    assert (tmp_path / "var").is_dir()


def test_a_postgres_url_gives_every_setting() -> None:
    env = eventsourcing_env("postgresql://bp:s%40cret@127.0.0.1:5433/jette")
    assert env["PERSISTENCE_MODULE"] == "eventsourcing.postgres"
    settings = (env["POSTGRES_DBNAME"], env["POSTGRES_PORT"], env["POSTGRES_PASSWORD"])
    assert settings == ("jette", "5433", "s@cret")


def test_an_unknown_scheme_is_refused_with_the_accepted_forms() -> None:
    with pytest.raises(UnsupportedDatabaseUrlError, match="sqlite:///path"):
        eventsourcing_env("mysql://x")
