"""Scoped API tokens: issued by the CLI into a file of hashes, honoured and revoked without a restart."""

from __future__ import annotations

import json
import stat
from datetime import UTC, datetime, timedelta
from pathlib import Path

from fastapi.testclient import TestClient
from typer.testing import CliRunner

from services.cli import app as cli
from services.reporting.main import create_app
from services.reporting.settings import Settings
from tests.support.auth import bearer

runner = CliRunner()


def _issue(file: Path, *options: str) -> str:
    result = runner.invoke(cli, ["tokens", "issue", "--file", str(file), *options])
    assert result.exit_code == 0, result.output
    return result.stdout.strip().splitlines()[-1]


def test_a_token_is_shown_once_and_only_its_hash_is_kept(tmp_path: Path) -> None:
    file = tmp_path / "api-tokens.json"

    token = _issue(file, "--role", "coordinator", "--actor", "youssef", "--antenne", "jette")

    assert token.startswith("bp_")
    assert token not in file.read_text()
    assert "youssef" in file.read_text()
    assert stat.S_IMODE(file.stat().st_mode) == 0o600
    listed = runner.invoke(cli, ["tokens", "list", "--file", str(file)]).stdout
    assert "coordinator" in listed
    assert token not in listed


def test_a_local_role_must_name_its_antenne(tmp_path: Path) -> None:
    result = runner.invoke(
        cli, ["tokens", "issue", "--file", str(tmp_path / "t.json"), "--role", "local-lead", "--actor", "lea"]
    )

    assert result.exit_code == 2
    assert "acts in one antenne" in result.output


def test_a_service_honours_a_new_token_and_forgets_a_revoked_one_without_a_restart(tmp_path: Path) -> None:
    file = tmp_path / "api-tokens.json"
    settings = Settings(token="reporting-" + "x" * 16, database_url="memory:", tokens_file=file)
    with TestClient(create_app(settings, run_consumer=False)) as client:
        token = _issue(file, "--role", "partner", "--actor", "bras-dessus")
        before = client.get("/api/v1/reports/summary", headers=bearer(token)).status_code
        token_id = token.split("_")[1]
        revoked = runner.invoke(cli, ["tokens", "revoke", "--file", str(file), token_id])
        after = client.get("/api/v1/reports/summary", headers=bearer(token)).status_code

    assert revoked.exit_code == 0
    assert (before, after) == (200, 401)


def test_a_token_is_refused_once_it_expired_and_listed_as_such(tmp_path: Path) -> None:
    file = tmp_path / "api-tokens.json"
    settings = Settings(token="reporting-" + "x" * 16, database_url="memory:", tokens_file=file)
    lasting = _issue(file, "--role", "partner", "--actor", "bras-dessus", "--valid-days", "0")
    brief = _issue(file, "--role", "partner", "--actor", "bras-dessus", "--valid-days", "1")
    # A day and a minute later, as the file sees it: the brief token's expiry has passed.
    entries = json.loads(file.read_text())
    for entry in entries:
        if entry["expires_at"]:
            entry["expires_at"] = (datetime.now(UTC) - timedelta(minutes=1)).isoformat(timespec="seconds")
    file.write_text(json.dumps(entries))

    with TestClient(create_app(settings, run_consumer=False)) as client:
        answers = [
            client.get("/api/v1/reports/summary", headers=bearer(t)).status_code for t in (brief, lasting)
        ]
    listed = runner.invoke(cli, ["tokens", "list", "--file", str(file)]).stdout

    assert answers == [401, 200]
    assert "EXPIRED" in listed
    assert "never" in listed
