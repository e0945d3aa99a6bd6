"""An antenne's settings: ANTENNE_* variables, defaults derived from its id, and CLI flags over both."""

from __future__ import annotations

import pytest
from pydantic import ValidationError
from typer.testing import CliRunner

from services.antenne.cli import app
from services.antenne.settings import RelaySettings, Settings

TOKEN = "a-token-of-twenty-chars"


def test_the_database_and_the_name_default_from_the_antenne_id() -> None:
    settings = Settings(antenne_id="jette", token=TOKEN)

    assert settings.database_url == "sqlite:///var/jette.db"
    assert settings.name == "jette"
    assert (settings.host, settings.port, settings.max_quarters) == ("127.0.0.1", 8101, 32)
    assert settings.nats_url == "nats://127.0.0.1:4222"


def test_settings_are_read_from_antenne_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ANTENNE_ANTENNE_ID", "laken")
    monkeypatch.setenv("ANTENNE_NAME", "Laken")
    monkeypatch.setenv("ANTENNE_TOKEN", TOKEN)
    monkeypatch.setenv("ANTENNE_MAX_QUARTERS", "48")
    monkeypatch.setenv("ANTENNE_DATABASE_URL", "postgresql://laken:secret@db:5432/antenne_laken")

    settings = Settings()

    assert (settings.antenne_id, settings.name, settings.max_quarters) == ("laken", "Laken", 48)
    assert settings.eventsourcing_env()["POSTGRES_DBNAME"] == "antenne_laken"


def test_an_antenne_id_unsafe_in_a_subject_is_refused() -> None:
    with pytest.raises(ValidationError, match="invalid antenne id 'Jette Centrum'"):
        Settings(antenne_id="Jette Centrum", token=TOKEN)


def test_the_api_needs_a_token_but_the_relay_does_not(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ANTENNE_TOKEN", raising=False)

    with pytest.raises(ValidationError, match="token"):
        Settings(antenne_id="jette")
    assert RelaySettings(antenne_id="jette").database_url == "sqlite:///var/jette.db"


def test_the_cli_refuses_invalid_settings_with_a_message(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ANTENNE_ANTENNE_ID", raising=False)

    result = CliRunner().invoke(app, ["relay", "--antenne-id", "Jette Centrum"])

    assert result.exit_code == 2
    assert "invalid antenne id 'Jette Centrum'" in result.output


def test_the_practice_comes_from_settings_with_the_guard_always_on(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ANTENNE_GUARD_MIN_BALANCE", "-40")
    monkeypatch.setenv("ANTENNE_BACKDATING_DAYS", "14")

    practice = Settings(antenne_id="neder-over-heembeek", token=TOKEN).practice()

    assert practice.member_prefix == "NED"
    assert practice.backdating_days == 14
    assert practice.guard is not None
    assert (practice.guard.min_balance, practice.guard.approval_above) == (-40, 16)


def test_a_member_prefix_is_a_few_capital_letters() -> None:
    assert Settings(antenne_id="jette", token=TOKEN, member_prefix="JET").practice().member_prefix == "JET"
    with pytest.raises(ValidationError, match="member_prefix"):
        Settings(antenne_id="jette", token=TOKEN, member_prefix="jet-1")
