"""An antenne app with its pages over an in-memory store, a coordinator account, and signed-in clients."""

from __future__ import annotations

import re
from collections.abc import Iterator
from uuid import uuid4

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from services.antenne.application import Antenne
from services.antenne.main import create_app
from services.antenne.settings import Settings
from services.antenne.web.context import WebDesk

PASSWORD = "correct horse battery"
CSRF = re.compile(r'name="csrf" value="([^"]+)"')


def csrf_of(html: str) -> str:
    found = CSRF.search(html)
    assert found, "the page has no form with a CSRF token"
    return found.group(1)


def antenne_of(client: TestClient) -> Antenne:
    assert isinstance(client.app, FastAPI)
    antenne: Antenne = client.app.state.antenne
    return antenne


def desk_of(client: TestClient) -> WebDesk:
    assert isinstance(client.app, FastAPI)
    desk: WebDesk = client.app.state.web
    return desk


@pytest.fixture
def client() -> Iterator[TestClient]:
    settings = Settings(antenne_id="jette", name="Jette", token=uuid4().hex * 2, database_url="memory:")
    with TestClient(create_app(settings, run_relay=False), follow_redirects=False) as running:
        desk_of(running).accounts.add_coordinator("anna", PASSWORD, "Anna")
        yield running


def sign_in(client: TestClient, username: str = "anna", password: str = PASSWORD) -> str:
    """Sign in as a coordinator; the session's CSRF token."""
    token = csrf_of(client.get("/signin").text)
    answer = client.post("/signin", data={"username": username, "password": password, "csrf": token})
    assert answer.status_code == 303, answer.text
    return csrf_of(client.get("/desk").text)


@pytest.fixture
def coordinator(client: TestClient) -> TestClient:
    sign_in(client)
    return client
