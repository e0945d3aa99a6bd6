"""The transfer and partner APIs through `create_app`: coordinators, and a partner with its own token."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from pathlib import Path
from uuid import uuid4

import pytest
from fastapi.testclient import TestClient

from services.ledger.main import create_app
from services.ledger.settings import PartnerSettings, Settings
from tests.support.dates import RECENT_ISO

TOKEN = "test-token-" + uuid4().hex
PARTNER_TOKEN = "partner-token-" + uuid4().hex
AUTH = {"Authorization": f"Bearer {TOKEN}"}
PARTNER = {"Authorization": f"Bearer {PARTNER_TOKEN}"}


@pytest.fixture
def client() -> Iterator[TestClient]:
    key_file = Path(tempfile.mkdtemp(prefix="bp-ledger-key-")) / "signing-key.pem"
    partners = {
        "bdbd": PartnerSettings(name="Bras dessus Bras dessous", token=PARTNER_TOKEN, bilateral_limit=20)
    }
    settings = Settings(token=TOKEN, database_url="memory:", signing_key_file=key_file, partners=partners)
    with TestClient(create_app(settings, run_consumer=False)) as running:
        yield running


def _ask(
    client: TestClient, payer: dict[str, str], payee: dict[str, str], quarters: int
) -> dict[str, object]:
    body = {"transfer_id": str(uuid4()), "payer": payer, "payee": payee, "quarters": quarters,
            "kind": "exchange", "performed_on": RECENT_ISO}  # fmt: skip
    response = client.post("/api/v1/transfers", json=body, headers=AUTH)
    assert response.status_code == 200, response.text
    result: dict[str, object] = response.json()
    return result


def test_a_coordinator_sees_a_cross_antenne_transfer_in_flight_then_committed(client: TestClient) -> None:
    laken, jette = str(uuid4()), str(uuid4())
    held = _ask(client, {"antenne": "laken", "member": laken}, {"antenne": "jette", "member": jette}, 6)
    assert held["state"] == "prepared"
    in_flight = client.get("/api/v1/transfers", params={"state": "prepared", "member": jette}, headers=AUTH)
    assert [t["transfer_id"] for t in in_flight.json()] == [held["transfer_id"]]

    done = client.post(f"/api/v1/transfers/{held['transfer_id']}/fulfil", headers=AUTH)
    assert done.json()["state"] == "committed"
    assert client.get(f"/api/v1/balances/{jette}", headers=AUTH).json()["quarters"] == 6
    assert client.get("/api/v1/transfers", params={"state": "prepared"}, headers=AUTH).json() == []


def test_a_refusal_beyond_the_limit_and_a_bad_side_are_answered_precisely(client: TestClient) -> None:
    payer, payee = {"antenne": "laken", "member": str(uuid4())}, {"antenne": "jette", "member": str(uuid4())}
    assert _ask(client, payer, payee, 81)["reason"] == "over_limit"
    bad = {"transfer_id": str(uuid4()), "payer": {"antenne": "laken", "partner": "bdbd", "member": "x"},
           "payee": payee, "quarters": 1, "kind": "exchange", "performed_on": RECENT_ISO}  # fmt: skip
    response = client.post("/api/v1/transfers", json=bad, headers=AUTH)
    assert response.status_code == 422
    assert "exactly one antenne or one partner" in response.text


def test_a_partner_sends_with_an_idempotency_key_and_only_its_own_token_works(client: TestClient) -> None:
    member = str(uuid4())
    sent = {"idempotency_key": "bdbd-0001-abcd", "from_partner_member": "bdbd-m-42", "to_member": member,
            "to_antenne": "jette", "quarters": 8, "kind": "exchange", "performed_on": RECENT_ISO}  # fmt: skip
    # The ledger's own token is known but is no partner's.
    assert client.post("/api/v1/alliance/transfers", json=sent, headers=AUTH).status_code == 403
    first = client.post("/api/v1/alliance/transfers", json=sent, headers=PARTNER).json()
    again = client.post("/api/v1/alliance/transfers", json=sent, headers=PARTNER).json()
    assert first["transfer_id"] == again["transfer_id"]
    assert first["state"] == "prepared"
    # The payee's antenne accepts; the partner may not answer for it.
    answer = {"transfer_id": first["transfer_id"], "fulfilled": True}
    refused = client.post(
        f"/api/v1/alliance/transfers/{first['transfer_id']}/answer", json=answer, headers=PARTNER
    )
    assert refused.status_code == 403
    client.post(f"/api/v1/transfers/{first['transfer_id']}/fulfil", headers=AUTH)
    position = client.get("/api/v1/alliance/position", headers=PARTNER).json()
    assert (position["position"], position["bilateral_limit"]) == (-8, 20)


def test_a_partner_answers_a_transfer_to_its_member_and_gets_its_settlement_statement(
    client: TestClient,
) -> None:
    payer = {"antenne": "jette", "member": str(uuid4())}
    held = _ask(client, payer, {"partner": "bdbd", "member": "bdbd-m-7"}, 4)
    answer = {"transfer_id": held["transfer_id"], "fulfilled": True}
    done = client.post(
        f"/api/v1/alliance/transfers/{held['transfer_id']}/answer", json=answer, headers=PARTNER
    )
    assert done.json()["state"] == "committed"
    month = str(done.json()["decided_at"])[:7]
    statement = client.get(f"/api/v1/alliance/settlements/{month}", headers=PARTNER).json()
    assert (statement["paid_out"], statement["closing_position"]) == (4, 4)
    csv = client.get(f"/api/v1/alliance/partners/bdbd/settlements/{month}?format=csv", headers=AUTH)
    assert csv.headers["content-type"].startswith("text/csv")
    assert csv.text.splitlines()[-1] == "closing_position,,,,,4,"
    assert client.get("/api/v1/alliance/settlements/2026-13", headers=PARTNER).status_code == 422


def test_a_clearing_run_is_recorded_and_listed(client: TestClient) -> None:
    _ask(client, {"antenne": "jette", "member": str(uuid4())}, {"partner": "bdbd", "member": "p"}, 18)
    held = client.get("/api/v1/transfers", params={"state": "prepared"}, headers=AUTH).json()[0]
    answer = {"transfer_id": held["transfer_id"], "fulfilled": True}
    client.post(f"/api/v1/alliance/transfers/{held['transfer_id']}/answer", json=answer, headers=PARTNER)
    run = client.post("/api/v1/clearing/runs", headers=AUTH).json()
    assert run["warnings"] == [{"partner": "bdbd", "position": 18, "limit": 20, "reached": False}]
    assert [r["run_id"] for r in client.get("/api/v1/clearing/runs", headers=AUTH).json()] == [run["run_id"]]
