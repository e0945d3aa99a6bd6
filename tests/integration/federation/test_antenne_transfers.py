"""Two antennes and the ledger over a real nats-server with the generated permissions: an antenne asks a
transfer through its own API, the ledger holds it, the other antenne sees it incoming in its last-known
view and answers; both antennes then show the ledger's final word, and the ledger's books moved exactly.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack
from datetime import date
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from services.antenne.application import Antenne
from tests.integration.antenne.jetstream import wait_until
from tests.integration.federation.conftest import SecuredNats
from tests.integration.federation.test_ledger_feedback import AUTH, _antenne, _ledger, _register

pytestmark = pytest.mark.integration
TIMEOUT = 30


def _transfer(client: TestClient, transfer_id: str) -> dict[str, Any]:
    answer = client.get(f"/api/v1/transfers/{transfer_id}", headers=AUTH)
    return answer.json() if answer.status_code == 200 else {}


def _state_is(client: TestClient, transfer_id: str, state: str) -> bool:
    return _transfer(client, transfer_id).get("state") == state


def _ledger_balance(ledger: TestClient, member_id: str) -> int:
    quarters: int = ledger.get(f"/api/v1/balances/{member_id}", headers=AUTH).json()["quarters"]
    return quarters


def _ask(jette: TestClient, payer: str, payee: str, quarters: int, key: str) -> str:
    body = {"payer_id": payer, "payee_antenne": "laken", "payee_id": payee, "quarters": quarters,
            "kind": "donation", "performed_on": date.today().isoformat()}  # fmt: skip
    asked = jette.post("/api/v1/transfers", json=body, headers={**AUTH, "Idempotency-Key": key})
    assert asked.status_code == 201, asked.text
    transfer_id: str = asked.json()["transfer_id"]
    return transfer_id


@pytest.fixture
def federation(
    secured_nats: SecuredNats, tmp_path: Path
) -> Iterator[tuple[TestClient, TestClient, TestClient]]:
    with ExitStack() as running:
        jette = running.enter_context(_antenne(secured_nats, tmp_path, "jette"))
        laken = running.enter_context(_antenne(secured_nats, tmp_path, "laken"))
        ledger = running.enter_context(_ledger(secured_nats, tmp_path))
        yield jette, laken, ledger


def test_a_gift_to_another_antenne_commits_and_a_declined_one_is_released(
    federation: tuple[TestClient, TestClient, TestClient],
) -> None:
    jette, laken, ledger = federation
    daughter, mother = _register(jette), _register(laken)

    # Jette asks; the ledger holds the hours; Laken sees the transfer waiting in its last-known view.
    gift = _ask(jette, daughter, mother, 8, "gift-to-mother-1")
    wait_until(lambda: _transfer(laken, gift).get("waits_for_answer") is True, TIMEOUT, "Laken sees it held")
    wait_until(lambda: _state_is(jette, gift, "prepared"), TIMEOUT, "Jette sees it held")
    assert _ledger_balance(ledger, daughter) == -8  # held at the payer's side
    assert _ledger_balance(ledger, mother) == 0
    incoming = _transfer(laken, gift)
    assert (incoming["direction"], incoming["member_id"], incoming["quarters"]) == ("incoming", mother, 8)
    assert incoming["label"].startswith("last known as of ")

    # Laken accepts: the ledger commits, and says so to both antennes.
    accepted = laken.post(f"/api/v1/transfers/{gift}/accept", headers=AUTH)
    assert (accepted.status_code, accepted.json()["answer"]) == (200, True)
    wait_until(lambda: _state_is(laken, gift, "committed"), TIMEOUT, "Laken sees it committed")
    wait_until(lambda: _state_is(jette, gift, "committed"), TIMEOUT, "Jette sees it committed")
    assert (_ledger_balance(ledger, daughter), _ledger_balance(ledger, mother)) == (-8, 8)

    # A second gift is declined at Laken: the ledger releases the hold, both antennes see it.
    second = _ask(jette, daughter, mother, 4, "gift-to-mother-2")
    wait_until(lambda: _transfer(laken, second).get("waits_for_answer") is True, TIMEOUT, "Laken sees it")
    assert _ledger_balance(ledger, daughter) == -12
    declined = laken.post(f"/api/v1/transfers/{second}/reject", json={"reason": "declined"}, headers=AUTH)
    assert declined.status_code == 200, declined.text
    wait_until(lambda: _state_is(jette, second, "released"), TIMEOUT, "Jette sees it released")
    wait_until(lambda: _state_is(laken, second, "released"), TIMEOUT, "Laken sees it released")
    assert _transfer(jette, second)["reason"] == "rejected"
    assert (_ledger_balance(ledger, daughter), _ledger_balance(ledger, mother)) == (-8, 8)
    assert ledger.get("/api/v1/audit", headers=AUTH).json()["sum_of_accounts"] == 0

    # What the antennes count locally (decision 0013): the daughter's committed gift stays spent, the
    # released one is free again; the mother's committed hours count for her.
    assert _antenne_of(jette).free_balance(UUID(daughter)) == -8
    assert _antenne_of(laken).free_balance(UUID(mother)) == 8


def _antenne_of(client: TestClient) -> Antenne:
    assert isinstance(client.app, FastAPI)
    antenne: Antenne = client.app.state.antenne
    return antenne
