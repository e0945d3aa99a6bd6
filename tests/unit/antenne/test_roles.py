"""Roles through the API: each scoped token carries its role, actor and antenne; nothing else names them."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from services.antenne.application import Antenne
from services.antenne.application.roles import MAY, Actor, NotAllowedError, Role, authorise
from services.antenne.main import create_app
from services.antenne.settings import Settings
from services.antenne.shredding import actor_of
from tests.support.auth import as_role
from tests.unit.antenne.test_api import AUTH, TOKEN


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    settings = Settings(antenne_id="jette", token=TOKEN, database_url=f"sqlite:///{tmp_path / 'jette.db'}")
    with TestClient(create_app(settings, run_relay=False)) as running:
        yield running


def _as(client: TestClient, role: str, actor_id: str = "desk") -> dict[str, str]:
    return as_role(client, role, actor_id)


def _confirmed_help(client: TestClient) -> tuple[str, str, str]:
    anna, bert = (client.post("/api/v1/members", json={"display_name": n}, headers=AUTH).json()["member_id"]
                  for n in ("Anna", "Bert"))  # fmt: skip
    body: dict[str, Any] = {"helper_id": bert, "recipient_id": anna, "quarters": 4, "category": "pets",
                            "performed_on": date.today().isoformat()}  # fmt: skip
    exchange_id = client.post("/api/v1/exchanges", json=body, headers=AUTH).json()["exchange_id"]
    return anna, bert, exchange_id


def test_each_role_may_do_what_the_role_below_it_may() -> None:
    assert MAY[Role.MEMBER] < MAY[Role.COORDINATOR] < MAY[Role.LOCAL_LEAD] <= MAY[Role.PROJECT_COORDINATOR]


def test_a_member_acts_only_for_themself() -> None:
    with pytest.raises(NotAllowedError, match="for another member"):
        authorise(Actor(Role.MEMBER, "someone"), "get_statement")


def test_a_member_reads_their_own_statement_and_not_anothers(client: TestClient) -> None:
    anna, bert, _ = _confirmed_help(client)

    own = client.get(f"/api/v1/members/{anna}/statement", headers=_as(client, "member", anna))
    other = client.get(f"/api/v1/members/{bert}/statement", headers=_as(client, "member", anna))

    assert own.status_code == 200
    assert other.status_code == 403
    assert "may not get statement for another member" in other.json()["detail"]


def test_a_member_confirms_help_they_received_only(client: TestClient) -> None:
    anna, bert, exchange_id = _confirmed_help(client)

    by_helper = client.post(f"/api/v1/exchanges/{exchange_id}/confirm", headers=_as(client, "member", bert))
    by_recipient = client.post(
        f"/api/v1/exchanges/{exchange_id}/confirm", headers=_as(client, "member", anna)
    )

    assert (by_helper.status_code, by_recipient.status_code) == (403, 200)


def test_a_member_cannot_register_members_or_list_them(client: TestClient) -> None:
    anna, _, _ = _confirmed_help(client)

    registered = client.post(
        "/api/v1/members", json={"display_name": "Carla"}, headers=_as(client, "member", anna)
    )
    listed = client.get("/api/v1/members", headers=_as(client, "member", anna))

    assert (registered.status_code, listed.status_code) == (403, 403)


def test_a_reversal_is_for_a_local_lead_not_a_coordinator_volunteer(client: TestClient) -> None:
    _, _, exchange_id = _confirmed_help(client)
    client.post(f"/api/v1/exchanges/{exchange_id}/confirm", headers=AUTH)

    by_volunteer = client.post(
        f"/api/v1/exchanges/{exchange_id}/reverse", json={}, headers=_as(client, "coordinator")
    )
    by_lead = client.post(
        f"/api/v1/exchanges/{exchange_id}/reverse", json={}, headers=_as(client, "local-lead", "lea")
    )

    assert by_volunteer.status_code == 403
    assert "a coordinator (desk) may not reverse exchange" in by_volunteer.json()["detail"]
    assert by_lead.json()["status"] == "reversed"


def test_a_role_header_is_refused_rather_than_ignored(client: TestClient) -> None:
    anna, _, _ = _confirmed_help(client)
    member = _as(client, "member", anna)

    response = client.get("/api/v1/members", headers={**member, "X-Actor-Role": "project-coordinator"})

    assert response.status_code == 400
    assert "the token says who acts" in response.json()["detail"]


def test_a_coordinator_of_another_antenne_may_not_act_here(client: TestClient) -> None:
    elsewhere = as_role(client, "coordinator", "youssef", antenne="laken")

    response = client.get("/api/v1/members", headers=elsewhere)

    assert response.status_code == 403
    assert "may not act in antenne jette" in response.json()["detail"]


def test_an_unknown_token_is_refused(client: TestClient) -> None:
    response = client.get("/api/v1/members", headers={"Authorization": "Bearer bp_0000_forged"})

    assert response.status_code == 401


def test_every_event_records_the_principal_that_caused_it(client: TestClient) -> None:
    desk = _as(client, "coordinator", "youssef")
    anna = client.post("/api/v1/members", json={"display_name": "Anna"}, headers=desk).json()["member_id"]
    client.post(f"/api/v1/members/{anna}/insurance", json={"insured_on": "2026-01-05"}, headers=AUTH)
    assert isinstance(client.app, FastAPI)
    antenne: Antenne = client.app.state.antenne

    events = list(antenne.repository.event_store.get(UUID(anna)))

    assert [actor_of(event) for event in events] == [
        {"role": "coordinator", "id": "youssef"},
        {"role": "service", "id": "service:antenne"},
    ]
    antenne.register_member("Bert")  # no request: background work and tools act as the system
    bert = antenne.members()[-1]
    assert actor_of(next(iter(antenne.repository.event_store.get(bert.id)))) == {
        "role": "system",
        "id": "system",
    }
