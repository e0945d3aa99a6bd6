"""Statements: running balance, months, as-of dates, and the signed portable hour statement."""

from __future__ import annotations

import json
import os
import stat
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from uuid import UUID, uuid4

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from contracts.ledger.v1 import SignedHourStatement, SigningKey
from contracts.ledger.verification import sign, signing_key_of, verify
from services.ledger.application import Ledger
from services.ledger.cli import app
from services.ledger.domain import AccountNotFoundError
from services.ledger.main import create_app
from services.ledger.settings import Settings
from services.ledger.signing import load_or_create_signing_key
from services.ledger.statement import Movement, build_statement
from services.persistence import eventsourcing_env
from tests.unit.ledger.antenne_events import AntenneEvents

TOKEN = "test-token-" + uuid4().hex
AUTH = {"Authorization": f"Bearer {TOKEN}"}


def _movement(on: date, quarters: int, sequence: int) -> Movement:
    return Movement(
        on=on, quarters=quarters, kind="exchange.confirmed", transfer_id=uuid4(), sequence=sequence
    )


def test_a_statement_orders_by_day_performed_and_keeps_a_running_balance_and_month_totals() -> None:
    movements = [
        _movement(date(2026, 11, 3), -4, sequence=3),  # booked later, performed earlier
        _movement(date(2026, 10, 20), 6, sequence=1),
        _movement(date(2026, 11, 3), 2, sequence=4),
        _movement(date(2026, 11, 9), -1, sequence=2),
    ]

    statement = build_statement(uuid4(), "jette", movements)

    assert [(line.on.day if line.on else 0, line.quarters, line.balance) for line in statement.lines] == [
        (20, 6, 6),
        (3, -4, 2),
        (3, 2, 4),
        (9, -1, 3),
    ]
    assert (statement.balance, statement.earned, statement.spent) == (3, 8, 5)
    assert [(m.month, m.earned, m.spent, m.closing_balance) for m in statement.months] == [
        ("2026-10", 6, 0, 6),
        ("2026-11", 2, 5, 3),
    ]


def test_a_statement_as_of_a_past_day_counts_only_what_was_performed_by_then() -> None:
    movements = [_movement(date(2026, 10, 20), 6, 1), _movement(date(2026, 11, 9), -1, 2)]

    statement = build_statement(uuid4(), None, movements, as_of=date(2026, 10, 31))

    assert statement.balance == 6
    assert len(statement.lines) == 1


@pytest.fixture
def ledger() -> Iterator[Ledger]:
    with Ledger(env=eventsourcing_env("memory:")) as opened:
        yield opened


def _book(ledger: Ledger) -> tuple[UUID, UUID]:
    jette = AntenneEvents("jette")
    anna, bert = jette.register(), jette.register()
    envelopes = [anna, bert, *jette.exchange(bert.aggregateid, anna.aggregateid, 5)]
    envelopes += jette.exchange(anna.aggregateid, bert.aggregateid, 2)
    for envelope in envelopes:
        ledger.apply(envelope, envelope.payload())
    return anna.aggregateid, bert.aggregateid


def test_the_ledger_statement_matches_the_balance_and_names_each_movement(ledger: Ledger) -> None:
    anna, bert = _book(ledger)

    statement = ledger.statement(bert)
    assert ledger.statement(anna).balance == -3

    assert statement.balance == ledger.balance(bert) == 3
    assert [line.quarters for line in statement.lines] == [5, -2]
    assert {line.kind for line in statement.lines} == {"exchange.confirmed"}
    assert statement.home_antenne == "jette"
    with pytest.raises(AccountNotFoundError):
        ledger.statement(uuid4())


def test_a_signed_hour_statement_verifies_and_any_change_breaks_it(ledger: Ledger, tmp_path: Path) -> None:
    _, bert = _book(ledger)
    key = load_or_create_signing_key(tmp_path / "key.pem")
    hours = ledger.hour_statement(bert, date(2026, 12, 31), datetime.now(UTC))

    signed = sign(hours, key)
    forged = signed.model_copy(update={"statement": hours.model_copy(update={"balance_quarters": 300})})
    other_key = signing_key_of(load_or_create_signing_key(tmp_path / "other.pem"))

    assert hours.balance_quarters == 3
    assert verify(signed, signing_key_of(key))
    assert not verify(forged, signing_key_of(key))
    assert not verify(signed, other_key.model_copy(update={"key_id": signing_key_of(key).key_id}))


def test_the_signing_key_is_made_once_and_only_its_owner_can_read_it(tmp_path: Path) -> None:
    path = tmp_path / "secrets" / "key.pem"

    first = load_or_create_signing_key(path)
    again = load_or_create_signing_key(path)

    assert signing_key_of(first) == signing_key_of(again)
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600


def test_a_partner_verifies_a_statement_from_the_api_with_the_published_key(tmp_path: Path) -> None:
    settings = Settings(token=TOKEN, database_url="memory:", signing_key_file=tmp_path / "key.pem")
    with TestClient(create_app(settings, run_consumer=False)) as client:
        _, bert = _book(client.app.state.ledger)  # type: ignore[attr-defined]

        statement = client.get(f"/api/v1/members/{bert}/statement", headers=AUTH)
        signed = client.get(f"/api/v1/members/{bert}/hour-statement?as_of=2026-12-31", headers=AUTH)
        public_key = client.get("/api/v1/signing-key")  # published: no token
        unknown = client.get(f"/api/v1/members/{uuid4()}/statement", headers=AUTH)
        anonymous = client.get(f"/api/v1/members/{bert}/hour-statement")

    assert statement.status_code == 200
    assert [line["balance"] for line in statement.json()["lines"]] == [5, 3]
    assert statement.json()["months"] == [{"month": "2026-11", "earned": 5, "spent": 2, "closing_balance": 3}]
    # Offline, with nothing but the JSON documents:
    document = SignedHourStatement.model_validate_json(json.dumps(signed.json()))
    assert document.statement.balance_quarters == 3
    assert verify(document, SigningKey.model_validate(public_key.json()))
    assert unknown.status_code == 404
    assert anonymous.status_code == 401


def test_the_verify_command_accepts_a_genuine_statement_and_refuses_a_changed_one(
    ledger: Ledger, tmp_path: Path
) -> None:
    _, bert = _book(ledger)
    key = load_or_create_signing_key(tmp_path / "key.pem")
    signed = sign(ledger.hour_statement(bert, date(2026, 12, 31), datetime.now(UTC)), key)
    (tmp_path / "key.json").write_text(signing_key_of(key).model_dump_json())
    (tmp_path / "genuine.json").write_text(signed.model_dump_json())
    changed = signed.statement.model_copy(update={"balance_quarters": 40})
    (tmp_path / "changed.json").write_text(signed.model_copy(update={"statement": changed}).model_dump_json())

    genuine = CliRunner().invoke(app, ["verify-statement", str(tmp_path / "genuine.json"),
                                       "--key-file", str(tmp_path / "key.json")])  # fmt: skip
    forged = CliRunner().invoke(app, ["verify-statement", str(tmp_path / "changed.json"),
                                      "--key-file", str(tmp_path / "key.json")])  # fmt: skip

    assert genuine.exit_code == 0, genuine.output
    assert "balance as of 2026-12-31: 3 quarter hours" in genuine.output
    assert forged.exit_code == 1
    assert "NOT VALID" in forged.output
