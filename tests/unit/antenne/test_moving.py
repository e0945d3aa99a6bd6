"""A member moves: the source hands the profile over with consent, the destination receives it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from contracts.antenne.v1 import Category, MemberStatus
from services.antenne.application import Antenne
from services.antenne.domain import MemberNotActiveError, MoveWithoutConsentError
from services.antenne.main import create_app
from services.antenne.settings import Settings
from tests.support.auth import as_role
from tests.unit.antenne.practice import TODAY, Clock, antenne_on, profile
from tests.unit.antenne.test_api import AUTH, TOKEN


@pytest.fixture
def jette() -> Iterator[Antenne]:
    with antenne_on("memory:", Clock()) as antenne:
        yield antenne


@pytest.fixture
def laken() -> Iterator[Antenne]:
    with antenne_on("memory:", Clock(), member_prefix="LAK") as antenne:
        yield antenne


def test_a_moved_member_keeps_id_and_balance_and_the_source_posts_nothing_more(
    jette: Antenne, laken: Antenne
) -> None:
    anna = jette.register_member(profile("Anna", gives=(Category.COMPANY,)))
    bert = jette.register_member("Bert")
    exchange_id = jette.record_exchange(anna, bert, 6, Category.COMPANY, TODAY)
    jette.confirm_exchange(exchange_id)

    handover = jette.hand_over_member(anna, "jette", "laken", member_consents=True)
    arrived = laken.receive_member(handover)

    assert arrived == anna
    assert (laken.balance(anna), laken.get_member(anna).number) == (6, "LAK-0001")
    assert laken.get_member(anna).capacities.gives == (Category.COMPANY,)
    assert jette.get_member(anna).status is MemberStatus.MOVED
    with pytest.raises(MemberNotActiveError, match="moved"):
        jette.record_exchange(bert, anna, 2, Category.PETS, TODAY)


def test_a_handover_needs_the_members_consent_and_a_retry_changes_nothing(
    jette: Antenne, laken: Antenne
) -> None:
    anna = jette.register_member("Anna")

    with pytest.raises(MoveWithoutConsentError):
        jette.hand_over_member(anna, "jette", "laken", member_consents=False)
    first = jette.hand_over_member(anna, "jette", "laken", member_consents=True)
    again = jette.hand_over_member(anna, "jette", "laken", member_consents=True)
    laken.receive_member(first)
    laken.receive_member(again)

    assert first == again
    assert [m.id for m in laken.members()] == [anna]


def test_a_move_through_the_api_is_for_local_leads(tmp_path: Path) -> None:
    def app(antenne_id: str) -> TestClient:
        url = f"sqlite:///{tmp_path / antenne_id}.db"
        return TestClient(
            create_app(Settings(antenne_id=antenne_id, token=TOKEN, database_url=url), run_relay=False)
        )

    with app("jette") as source, app("laken") as destination:
        anna = source.post("/api/v1/members", json={"display_name": "Anna"}, headers=AUTH).json()["member_id"]
        move = {"to_antenne": "laken", "member_consents": True}

        volunteer = as_role(source, "coordinator", "youssef")
        by_volunteer = source.post(f"/api/v1/members/{anna}/handover", json=move, headers=volunteer)
        package = source.post(
            f"/api/v1/members/{anna}/handover", json=move, headers=as_role(source, "local-lead", "lea")
        ).json()
        arrived = destination.post(
            "/api/v1/members/arrivals", json=package, headers=as_role(destination, "local-lead", "lars")
        )

    assert by_volunteer.status_code == 403
    assert (package["from_antenne"], package["profile"]["display_name"]) == ("jette", "Anna")
    assert arrived.status_code == 201
    assert arrived.json() == {"member_id": anna, "number": "LAK-0001"}
