"""`credentials generate`: strong passwords kept between runs, files only their owner can read, a server
configuration nats-server accepts."""

from __future__ import annotations

import json
import stat
import subprocess
from pathlib import Path

from typer.testing import CliRunner

from services.cli import app
from services.credentials.generate import Installation, generate, with_user
from services.credentials.permissions import antenne_user
from services.messaging.nats_server import nats_server_binary


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_every_file_is_readable_by_its_owner_only_and_every_password_is_strong(tmp_path: Path) -> None:
    made = generate(tmp_path / "out", Installation(("jette",), ("bras-dessus",)))

    files = [p for p in (tmp_path / "out").rglob("*") if p.is_file()]
    assert {p.relative_to(tmp_path / "out").as_posix() for p in files} == {
        "credentials.json", "nats/accounts.conf", "nats/tls.conf",
        "env/antenne-jette.env", "env/ledger.env", "env/reporting.env",
        "env/partner-feed.env", "env/partner-bras-dessus.env",
    }  # fmt: skip
    assert all(_mode(p) == 0o600 for p in files)
    assert _mode(tmp_path / "out") == 0o700
    assert len(set(made.passwords.values())) == len(made.passwords) == 6
    assert all(len(password) >= 43 for password in made.passwords.values())  # 32 random bytes


def test_a_second_run_keeps_the_antennes_and_passwords_and_adds_the_new_antenne(tmp_path: Path) -> None:
    first = generate(tmp_path, Installation(("jette",), ("bras-dessus",)))
    second = generate(tmp_path, Installation(("laken",)))  # jette and the partner are kept

    assert second.passwords[antenne_user("jette")] == first.passwords[antenne_user("jette")]
    assert second.passwords == {**first.passwords, antenne_user("laken"): second.passwords["antenne-laken"]}
    assert "antenne-jette" in (tmp_path / "nats" / "accounts.conf").read_text()
    assert (
        (tmp_path / "env" / "antenne-laken.env")
        .read_text()
        .endswith(f"ANTENNE_NATS_URL={second.url(antenne_user('laken'))}\n")
    )


def test_nats_server_accepts_the_rendered_configuration(tmp_path: Path) -> None:
    generate(tmp_path, Installation(("jette", "neder-over-heembeek"), ("bras-dessus", "samana")))
    (tmp_path / "nats" / "server.conf").write_text('include "accounts.conf"\ninclude "tls.conf"\n')

    checked = subprocess.run(
        [str(nats_server_binary()), "-c", str(tmp_path / "nats" / "server.conf"), "-t"],
        capture_output=True, text=True, timeout=30,
    )  # fmt: skip

    assert checked.returncode == 0, checked.stderr


def test_the_url_carries_the_user_and_replaces_any_it_had() -> None:
    assert (
        with_user("tls://a@nats.example:4222", "ledger", "secret") == "tls://ledger:secret@nats.example:4222"
    )


def test_the_command_writes_the_files_and_refuses_an_unsafe_antenne_id(tmp_path: Path) -> None:
    runner = CliRunner()

    made = runner.invoke(app, ["credentials", "generate", "--out", str(tmp_path), "--antenne", "jette"])
    refused = runner.invoke(app, ["credentials", "generate", "--out", str(tmp_path), "--antenne", "Jette!"])

    assert made.exit_code == 0, made.output
    assert set(json.loads((tmp_path / "credentials.json").read_text())["users"]) == {
        "admin", "ledger", "reporting", "partner-feed", "antenne-jette",
    }  # fmt: skip
    assert refused.exit_code == 2
    assert "invalid antenne id" in refused.output
