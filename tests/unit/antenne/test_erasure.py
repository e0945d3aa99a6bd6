"""Crypto-shredding at the antenne: personal data is sealed per member; erasure destroys the key."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from uuid import UUID

import pytest
from eventsourcing.cryptography import AESCipher
from fastapi import FastAPI
from fastapi.testclient import TestClient

from services.antenne.application import Antenne
from services.antenne.main import create_app
from services.antenne.settings import Settings
from services.antenne.shredding import ERASED
from services.persistence import eventsourcing_env
from tests.support.auth import as_role
from tests.unit.antenne.test_api import AUTH, TOKEN

PROFILE = {"display_name": "Anna Peeters", "phone": "+32 470 12 34 56", "email": "anna@example.org",
           "address": "Kerkstraat 1, Jette", "life_story": "Was a nurse for forty years."}  # fmt: skip


@pytest.fixture
def database(tmp_path: Path) -> Path:
    return tmp_path / "jette.db"


@pytest.fixture
def client(database: Path) -> Iterator[TestClient]:
    settings = Settings(antenne_id="jette", token=TOKEN, database_url=f"sqlite:///{database}")
    with TestClient(create_app(settings, run_relay=False)) as running:
        yield running


def _anna_helped_by_bert(client: TestClient) -> tuple[str, str]:
    anna = client.post("/api/v1/members", json=PROFILE, headers=AUTH).json()["member_id"]
    bert = client.post("/api/v1/members", json={"display_name": "Bert"}, headers=AUTH).json()["member_id"]
    client.post(f"/api/v1/members/{anna}/notes", json={"text": "Lives alone since May."}, headers=AUTH)
    body = {"helper_id": bert, "recipient_id": anna, "quarters": 6, "category": "transport",
            "performed_on": date.today().isoformat()}  # fmt: skip
    exchange = client.post("/api/v1/exchanges", json=body, headers=AUTH).json()["exchange_id"]
    assert client.post(f"/api/v1/exchanges/{exchange}/confirm", headers=AUTH).status_code == 200
    return anna, bert


def _stored_bytes(database: Path) -> bytes:
    with sqlite3.connect(database) as db:
        return b"".join(bytes(state) for (state,) in db.execute("SELECT state FROM stored_events"))


def test_personal_data_is_never_stored_in_clear(client: TestClient, database: Path) -> None:
    _anna_helped_by_bert(client)

    stored = _stored_bytes(database)

    assert b"Anna Peeters" not in stored
    assert b"470 12 34 56" not in stored
    assert b"Lives alone" not in stored
    assert b"transport" in stored  # the facts stay readable


def test_an_erased_member_reads_as_erased_and_keeps_their_balance(client: TestClient) -> None:
    anna, bert = _anna_helped_by_bert(client)
    lead = as_role(client, "local-lead", "lea")

    erasure = client.post(f"/api/v1/members/{anna}/erasure", headers=lead)
    member = client.get(f"/api/v1/members/{anna}", headers=AUTH).json()
    listed = client.get("/api/v1/members", params={"limit": 10}, headers=AUTH).json()["items"]
    notes = client.get(f"/api/v1/members/{anna}/notes", headers=AUTH).json()

    assert erasure.status_code == 200
    assert erasure.json()["erased_by"] == "lea"
    assert member["profile"]["display_name"] == ERASED
    assert (member["profile"]["phone"], member["profile"]["email"], member["profile"]["address"]) == (
        None,
    ) * 3
    assert member["profile"]["life_story"] is None
    assert member["balance"] == -6
    assert all(note["text"] == ERASED for note in notes)
    assert "Anna Peeters" not in str(listed)
    assert client.get(f"/api/v1/members/{bert}/balance", headers=AUTH).json()["quarters"] == 6


def test_an_erasure_is_final_and_repeating_it_changes_nothing(client: TestClient) -> None:
    anna, _ = _anna_helped_by_bert(client)
    lead = as_role(client, "local-lead", "lea")

    first = client.post(f"/api/v1/members/{anna}/erasure", headers=lead)
    again = client.post(f"/api/v1/members/{anna}/erasure", headers=lead)
    new_profile = client.put(f"/api/v1/members/{anna}/profile", json=PROFILE, headers=AUTH)

    assert (first.status_code, again.status_code) == (200, 200)
    assert again.json()["erased_on"] == first.json()["erased_on"]
    assert new_profile.status_code == 409
    assert "was erased" in new_profile.json()["detail"]


def test_an_erasure_survives_a_restart(database: Path) -> None:
    settings = Settings(antenne_id="jette", token=TOKEN, database_url=f"sqlite:///{database}")
    with TestClient(create_app(settings, run_relay=False)) as client:
        anna, _ = _anna_helped_by_bert(client)
        client.post(f"/api/v1/members/{anna}/erasure", headers=as_role(client, "local-lead", "lea"))

    with TestClient(create_app(settings, run_relay=False)) as client:
        assert isinstance(client.app, FastAPI)
        antenne: Antenne = client.app.state.antenne
        assert antenne.get_member(UUID(anna)).display_name == ERASED


def test_a_member_exports_their_own_data_as_json(client: TestClient) -> None:
    anna, bert = _anna_helped_by_bert(client)

    own = client.get(f"/api/v1/members/{anna}/export", headers=as_role(client, "member", anna))
    other = client.get(f"/api/v1/members/{bert}/export", headers=as_role(client, "member", anna))

    assert own.status_code == 200
    export = own.json()
    assert export["personal"]["display_name"] == "Anna Peeters"
    assert export["personal"]["phone"] == "+32 470 12 34 56"
    assert export["notes"][0]["text"] == "Lives alone since May."
    assert export["exchanges"] == [{**export["exchanges"][0], "role": "recipient", "quarters": 6}]
    assert export["balance_quarters"] == -6
    assert other.status_code == 403


def test_after_erasure_the_export_holds_no_personal_data(client: TestClient) -> None:
    anna, _ = _anna_helped_by_bert(client)
    client.post(f"/api/v1/members/{anna}/erasure", headers=as_role(client, "local-lead", "lea"))

    export = client.get(f"/api/v1/members/{anna}/export", headers=AUTH).json()

    assert export["personal"]["display_name"] == ERASED
    assert "Anna" not in str(export["personal"]) + str(export["notes"])
    assert export["erased_on"] == date.today().isoformat()
    assert export["balance_quarters"] == -6


def test_the_optional_whole_event_cipher_wraps_the_sealed_personal_part(tmp_path: Path) -> None:
    """`CIPHER_TOPIC`/`CIPHER_KEY` (eventsourcing) encrypt each whole stored event on top of the seals."""
    cipher = {"CIPHER_TOPIC": "eventsourcing.cryptography:AESCipher", "CIPHER_KEY": AESCipher.create_key(32)}
    env = {**eventsourcing_env(f"sqlite:///{tmp_path / 'j.db'}"), **cipher}
    antenne = Antenne(env=env)
    anna = antenne.register_member("Anna Peeters")
    antenne.register_insurance(anna, date.today())

    assert antenne.get_member(anna).display_name == "Anna Peeters"
    assert b"insured_on" not in _stored_bytes(tmp_path / "j.db")
    antenne.erase_member(anna, "lea")
    assert antenne.get_member(anna).display_name == ERASED


def test_an_erasure_reaches_the_members_requests_and_the_notes_on_their_help(
    client: TestClient, database: Path
) -> None:
    anna, bert = _anna_helped_by_bert(client)
    request = {"member_id": anna, "category": "shopping", "description": "Anna cannot carry heavy bags."}
    request_id = client.post("/api/v1/requests", json=request, headers=AUTH).json()["request_id"]
    body = {"helper_id": bert, "recipient_id": anna, "quarters": 2, "category": "pets",
            "performed_on": date.today().isoformat()}  # fmt: skip
    exchange = client.post("/api/v1/exchanges", json=body, headers=AUTH).json()["exchange_id"]
    client.post(
        f"/api/v1/exchanges/{exchange}/dispute", json={"note": "Anna says it was Tuesday"}, headers=AUTH
    )

    client.post(f"/api/v1/members/{anna}/erasure", headers=as_role(client, "local-lead", "lea"))
    shown = client.get(f"/api/v1/requests/{request_id}", headers=AUTH).json()

    assert shown["description"] == ERASED
    assert client.get(f"/api/v1/members/{bert}", headers=AUTH).json()["profile"]["display_name"] == "Bert"
