"""A coordinator runs a permanence through the JSON API alone; the same journey runs on PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from services.antenne.main import create_app
from services.antenne.settings import Settings
from tests.support.auth import as_role
from tests.unit.antenne.test_api import AUTH, TOKEN

TODAY = date.today()


class PermanenceBehaviour:
    """The practice through HTTP; subclasses choose the back end with a `database_url` fixture."""

    @pytest.fixture
    def client(self, database_url: str) -> Iterator[TestClient]:
        settings = Settings(antenne_id="jette", token=TOKEN, database_url=database_url)
        with TestClient(create_app(settings, run_relay=False)) as running:
            yield running

    def _post(self, client: TestClient, url: str, body: dict[str, Any] | None = None, **headers: str) -> Any:
        response = client.post(f"/api/v1{url}", json=body, headers={**AUTH, **headers})
        assert response.status_code in (200, 201), response.text
        return response.json()

    def _get(self, client: TestClient, url: str, **params: Any) -> Any:
        response = client.get(f"/api/v1{url}", params=params, headers=AUTH)
        assert response.status_code == 200, response.text
        return response.json()

    def test_a_coordinator_runs_a_permanence_through_the_api(self, client: TestClient) -> None:
        # Register two members, capacities first; one has no phone or e-mail at all.
        anna = self._post(client, "/members", {
            "display_name": "Anna Peeters", "birth_year": 1948, "languages": ["nl"],
            "sector": "jette-centrum", "talents": "knits", "gives": ["company"], "asks": ["transport"],
            "consents": {"alliance_sharing": True},
        })  # fmt: skip
        dirk = self._post(client, "/members", {
            "display_name": "Dirk", "languages": ["nl", "fr"], "sector": "jette-centrum",
            "gives": ["transport"], "availability": ["tuesday", "wednesday", "thursday"],
        })  # fmt: skip
        assert (anna["number"], dirk["number"]) == ("JET-0001", "JET-0002")
        assert self._get(client, "/members/by-number/JET-0002")["member_id"] == dirk["member_id"]

        # Take a request, get ranked suggestions with reasons, propose, accept.
        request = self._post(client, "/requests", {
            "member_id": anna["member_id"], "category": "transport",
            "preferred_dates": [(TODAY + timedelta(days=d)).isoformat() for d in range(1, 8)],
            "description": "to the dentist",
        })  # fmt: skip
        request_id = request["request_id"]
        suggestions = self._get(client, f"/requests/{request_id}/suggestions")
        assert suggestions[0]["member_id"] == dirk["member_id"]
        assert "offers transport" in suggestions[0]["reasons"]
        self._post(client, f"/requests/{request_id}/proposal", {"helper_id": dirk["member_id"]})
        matched = self._post(client, f"/requests/{request_id}/acceptance", {"helper_id": dirk["member_id"]})
        assert matched["status"] == "matched"

        # Record the help (retried with its key: recorded once), confirm it.
        help_given = {
            "helper_id": dirk["member_id"], "recipient_id": anna["member_id"], "quarters": 8,
            "category": "transport", "performed_on": TODAY.isoformat(), "request_id": request_id,
        }  # fmt: skip
        first = self._post(client, "/exchanges", help_given, **{"Idempotency-Key": "desk-tuesday-1"})
        retry = self._post(client, "/exchanges", help_given, **{"Idempotency-Key": "desk-tuesday-1"})
        assert first == retry
        self._post(client, f"/exchanges/{first['exchange_id']}/confirm")
        assert self._get(client, f"/requests/{request_id}")["status"] == "done"

        # A long outing is held by the guard; a second coordinator approves it, then it is confirmed.
        outing = {**help_given, "quarters": 28, "category": "outings", "request_id": None}
        marie, youssef = as_role(client, "coordinator", "marie"), as_role(client, "coordinator", "youssef")
        held = self._post(client, "/exchanges", outing, **marie)
        assert held["status"] == "held"
        flagged = self._get(client, "/exchanges", status="held")["items"]
        assert flagged[0]["held_by"] == ["large-exchange", "four-eyes"]
        same_eyes = client.post(f"/api/v1/exchanges/{held['exchange_id']}/approve",
                                headers=marie)  # fmt: skip
        assert same_eyes.status_code == 409
        self._post(client, f"/exchanges/{held['exchange_id']}/approve", None, **youssef)
        self._post(client, f"/exchanges/{held['exchange_id']}/confirm")

        # Dirk gives part of his saved hours to the pool; the coordinator grants from it.
        self._post(client, "/donations", {"donor_id": dirk["member_id"], "quarters": 4})
        grant = self._post(client, "/pool/grants", {"member_id": anna["member_id"], "quarters": 2,
                                                    "reason": "isolation"})  # fmt: skip
        assert grant["pool_balance"] == 2

        # Print the statement.
        statement = self._get(client, f"/members/{dirk['member_id']}/statement")
        assert statement["balance"] == 32
        assert [line["balance"] for m in statement["months"] for line in m["lines"]] == [8, 36, 32]
        page = self._get(client, "/members", limit=1, offset=1)
        assert (page["total"], [m["number"] for m in page["items"]]) == (2, ["JET-0002"])

    def test_validation_messages_name_the_field_and_why(self, client: TestClient) -> None:
        response = client.post(
            "/api/v1/members", json={"display_name": "Anna", "languages": ["Nederlands"]}, headers=AUTH
        )

        assert response.status_code == 422
        assert response.json()["detail"].startswith("languages.0: String should match pattern")

    def test_a_paused_member_is_refused_new_help_with_a_conflict(self, client: TestClient) -> None:
        anna = self._post(client, "/members", {"display_name": "Anna"})["member_id"]
        bert = self._post(client, "/members", {"display_name": "Bert"})["member_id"]
        self._post(client, f"/members/{anna}/status", {"status": "paused"})

        response = client.post(
            "/api/v1/exchanges",
            json={"helper_id": bert, "recipient_id": anna, "quarters": 4, "category": "pets",
                  "performed_on": TODAY.isoformat()},
            headers=AUTH,
        )  # fmt: skip

        assert response.status_code == 409
        assert "paused" in response.json()["detail"]

    def test_a_pile_of_paper_vouchers_is_keyed_in_with_a_discrepancy_list(self, client: TestClient) -> None:
        anna = self._post(client, "/members", {"display_name": "Anna"})
        self._post(client, "/members", {"display_name": "Bert"})
        sheet = self._get(client, f"/members/{anna['member_id']}/voucher-sheet", count=2)
        first, second = sheet["serials"]
        facts = {"quarters": 4, "category": "shopping", "performed_on": TODAY.isoformat()}
        pile = [
            {"serial": first, "helper_number": "JET-0002", **facts},
            {"serial": first, "helper_number": "JET-0002", **facts},
            {"serial": second, "helper_number": "JET-0077", **facts},
        ]

        report = self._post(client, "/vouchers/batch", {"vouchers": pile})

        assert sheet["serials"] == ["JET-0001-001", "JET-0001-002"]
        assert (report["counted"], report["held"]) == (1, 0)
        assert [(d["serial"], d["result"]) for d in report["discrepancies"]] == [
            ("JET-0001-001", "duplicate"),
            ("JET-0001-002", "unknown-member-number"),
        ]
        assert self._get(client, f"/members/{anna['member_id']}/balance")["quarters"] == -4


class TestPermanenceOnSQLite(PermanenceBehaviour):
    """The permanence on a SQLite file."""

    @pytest.fixture
    def database_url(self, tmp_path: Path) -> str:
        return f"sqlite:///{tmp_path / 'jette.db'}"
