"""Web accounts, desk codes and sessions in the antenne's own database: a SQLite file and PostgreSQL."""

from __future__ import annotations

from uuid import uuid4

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from services.antenne.application.roles import Role
from services.antenne.main import create_app
from services.antenne.settings import Settings
from services.antenne.web.accounts import MAX_FAILURES, Accounts
from services.antenne.web.context import WebDesk
from services.antenne.web.sessions import Sessions
from services.antenne.web.store import TableStore

pytestmark = pytest.mark.integration

PASSWORD = "a long enough password"


def test_accounts_codes_and_sessions_are_kept_across_a_restart(database_url: str) -> None:
    store = TableStore(database_url)
    accounts = Accounts(store)
    accounts.add_coordinator("Anna", PASSWORD, "Anna", Role.LOCAL_LEAD)
    code = accounts.issue_code("JET-0001", "member-1")
    token = Sessions(store).open("coordinator", "anna", Role.LOCAL_LEAD, "Anna")
    store.close()

    again = TableStore(database_url)  # another process, later
    accounts = Accounts(again)
    signed_in = accounts.sign_in_coordinator("anna", PASSWORD).who
    assert signed_in is not None
    assert not isinstance(signed_in, str)
    assert signed_in.role is Role.LOCAL_LEAD
    assert accounts.sign_in_member("jet-0001", code).who == "member-1"
    session = Sessions(again).find(token)
    assert session is not None
    assert session.actor.actor_id == "anna"
    again.close()


def test_the_lock_out_is_counted_in_the_database(database_url: str) -> None:
    store = TableStore(database_url)
    accounts = Accounts(store)
    accounts.add_coordinator("bert", PASSWORD)
    for _ in range(MAX_FAILURES):
        accounts.sign_in_coordinator("bert", "wrong wrong wrong")
    assert Accounts(store).sign_in_coordinator("bert", PASSWORD).locked
    store.close()


def test_the_store_connects_again_after_losing_its_connection(postgres_dsn: str) -> None:
    store = TableStore(postgres_dsn)
    accounts = Accounts(store)
    accounts.add_coordinator("dora", PASSWORD)
    store._connection.close()  # as when PostgreSQL restarts under the running antenne
    assert accounts.has_coordinator("dora")
    store.close()


def test_the_antenne_keeps_its_pages_accounts_beside_its_events(database_url: str) -> None:
    settings = Settings(antenne_id="jette", token=uuid4().hex * 2, database_url=database_url)
    with TestClient(create_app(settings, run_relay=False)) as client:
        assert isinstance(client.app, FastAPI)
        desk: WebDesk = client.app.state.web
        desk.accounts.add_coordinator("carla", PASSWORD)
        assert client.get("/signin").status_code == 200
    store = TableStore(database_url)
    assert Accounts(store).has_coordinator("carla")
    store.close()
