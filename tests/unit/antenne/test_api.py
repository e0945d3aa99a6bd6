"""The antenne's HTTP API through `create_app`; the same cases run on PostgreSQL in tests/integration."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any
from uuid import uuid4

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from services.antenne.application import Antenne
from services.antenne.main import create_app
from services.antenne.settings import Settings
from services.ports import free_port

TOKEN = "test-token-" + uuid4().hex
AUTH = {"Authorization": f"Bearer {TOKEN}"}
MISSING = "missing 'Authorization: Bearer <token>' header"


class ApiBehaviour:
    """The JSON API; subclasses choose the back end with a `database_url` fixture."""

    @pytest.fixture
    def client(self, database_url: str) -> Iterator[TestClient]:
        settings = Settings(antenne_id="jette", name="Jette", token=TOKEN, database_url=database_url)
        with TestClient(create_app(settings, run_relay=False)) as running:
            yield running

    def _antenne(self, client: TestClient) -> Antenne:
        assert isinstance(client.app, FastAPI)
        antenne: Antenne = client.app.state.antenne
        return antenne

    def _member(self, client: TestClient, name: str) -> str:
        response = client.post("/api/v1/members", json={"display_name": name}, headers=AUTH)
        assert response.status_code == 201, response.text
        member_id: str = response.json()["member_id"]
        return member_id

    def _exchange_body(self, helper: str, recipient: str, quarters: Any = 5) -> dict[str, Any]:
        return {
            "helper_id": helper,
            "recipient_id": recipient,
            "quarters": quarters,
            "category": "transport",
            "performed_on": (date.today() - timedelta(days=3)).isoformat(),
        }

    def _refused_without_a_trace(self, client: TestClient, method: str, url: str, **kwargs: Any) -> Any:
        """Send a request that must fail, and check it stored no event."""
        before = self._antenne(client).recorder.max_notification_id()
        response = client.request(method, url, headers=AUTH, **kwargs)
        assert self._antenne(client).recorder.max_notification_id() == before
        return response

    def test_a_confirmed_exchange_moves_time_credits_between_members(self, client: TestClient) -> None:
        anna, bert = self._member(client, "Anna"), self._member(client, "Bert")

        recorded = client.post("/api/v1/exchanges", json=self._exchange_body(bert, anna), headers=AUTH)
        exchange_id = recorded.json()["exchange_id"]
        confirmed = client.post(f"/api/v1/exchanges/{exchange_id}/confirm", headers=AUTH)

        assert recorded.status_code == 201
        assert recorded.json() == {"exchange_id": exchange_id, "status": "pending"}
        assert confirmed.status_code == 200
        assert confirmed.json() == {"exchange_id": exchange_id, "status": "confirmed"}
        balances = [client.get(f"/api/v1/members/{m}/balance", headers=AUTH).json() for m in (bert, anna)]
        assert balances == [{"member_id": bert, "quarters": 5}, {"member_id": anna, "quarters": -5}]

    def test_an_exchange_reads_back_with_its_status(self, client: TestClient) -> None:
        anna, bert = self._member(client, "Anna"), self._member(client, "Bert")
        body = self._exchange_body(bert, anna, quarters=6)
        exchange_id = client.post("/api/v1/exchanges", json=body, headers=AUTH).json()["exchange_id"]

        response = client.get(f"/api/v1/exchanges/{exchange_id}", headers=AUTH)

        assert response.status_code == 200
        recorded: dict[str, object] = {
            "recorded_on": date.today().isoformat(),
            "request_id": None,
            "held_by": [],
            "four_eyes": False,
            "recorded_by": "service:antenne",  # the service token acts as itself
            "approved_by": None,
        }
        assert response.json() == {"exchange_id": exchange_id, "status": "pending", **body, **recorded}

    @pytest.mark.parametrize(
        ("headers", "detail"),
        [
            ({}, MISSING),
            ({"Authorization": TOKEN}, MISSING),
            ({"Authorization": "Bearer wrong-token-000000"}, "invalid token"),
        ],
        ids=["missing", "not-bearer", "wrong"],
    )
    def test_every_api_route_refuses_a_request_without_the_token(
        self, client: TestClient, headers: dict[str, str], detail: str
    ) -> None:
        some_id = uuid4()
        requests = [
            ("POST", "/api/v1/members", {"display_name": "Anna"}),
            ("POST", "/api/v1/exchanges", self._exchange_body(str(some_id), str(uuid4()))),
            ("POST", f"/api/v1/exchanges/{some_id}/confirm", None),
            ("GET", f"/api/v1/exchanges/{some_id}", None),
            ("GET", f"/api/v1/members/{some_id}/balance", None),
        ]
        for method, url, body in requests:
            response = client.request(method, url, json=body, headers=headers)
            assert response.status_code == 401, (method, url)
            assert response.json() == {"detail": detail}
        assert self._antenne(client).recorder.max_notification_id() in {None, 0}

    @pytest.mark.parametrize("quarters", [1.5, "4", 4.0, True, None])
    def test_quarters_must_be_a_json_integer(self, client: TestClient, quarters: Any) -> None:
        anna, bert = self._member(client, "Anna"), self._member(client, "Bert")

        response = self._refused_without_a_trace(
            client, "POST", "/api/v1/exchanges", json=self._exchange_body(bert, anna, quarters)
        )

        assert response.status_code == 422
        assert response.json()["detail"].startswith("quarters: ")

    @pytest.mark.parametrize("quarters", [0, -3, 33])
    def test_quarters_out_of_range_are_refused_naming_the_range(
        self, client: TestClient, quarters: int
    ) -> None:
        anna, bert = self._member(client, "Anna"), self._member(client, "Bert")

        response = self._refused_without_a_trace(
            client, "POST", "/api/v1/exchanges", json=self._exchange_body(bert, anna, quarters)
        )

        assert response.status_code == 422
        assert response.json() == {"detail": f"quarters must be a whole number from 1 to 32, got {quarters}"}

    def test_help_to_oneself_is_refused(self, client: TestClient) -> None:
        anna = self._member(client, "Anna")

        response = self._refused_without_a_trace(
            client, "POST", "/api/v1/exchanges", json=self._exchange_body(anna, anna)
        )

        assert response.status_code == 422
        assert response.json() == {
            "detail": f"member {anna} cannot be both helper and recipient of an exchange"
        }

    def test_an_unknown_category_or_a_missing_field_is_named(self, client: TestClient) -> None:
        anna, bert = self._member(client, "Anna"), self._member(client, "Bert")
        body = {**self._exchange_body(bert, anna), "category": "gardening"}
        del body["performed_on"]

        response = self._refused_without_a_trace(client, "POST", "/api/v1/exchanges", json=body)

        assert response.status_code == 422
        detail = response.json()["detail"]
        assert "category: Input should be 'transport', 'shopping'" in detail
        assert "performed_on: Field required" in detail

    def test_an_exchange_with_an_unknown_member_is_not_found(self, client: TestClient) -> None:
        anna, stranger = self._member(client, "Anna"), str(uuid4())

        response = self._refused_without_a_trace(
            client, "POST", "/api/v1/exchanges", json=self._exchange_body(stranger, anna)
        )

        assert response.status_code == 404
        assert response.json() == {"detail": f"no member {stranger} is registered at this antenne"}

    def test_unknown_exchanges_and_members_are_not_found(self, client: TestClient) -> None:
        unknown = uuid4()

        confirm = self._refused_without_a_trace(client, "POST", f"/api/v1/exchanges/{unknown}/confirm")
        read = client.get(f"/api/v1/exchanges/{unknown}", headers=AUTH)
        balance = client.get(f"/api/v1/members/{unknown}/balance", headers=AUTH)

        assert [r.status_code for r in (confirm, read, balance)] == [404, 404, 404]
        assert confirm.json() == {"detail": f"no exchange {unknown} was recorded at this antenne"}
        assert balance.json() == {"detail": f"no member {unknown} is registered at this antenne"}

    def test_confirming_twice_is_a_conflict_and_pays_once(self, client: TestClient) -> None:
        anna, bert = self._member(client, "Anna"), self._member(client, "Bert")
        body = self._exchange_body(bert, anna)
        exchange_id = client.post("/api/v1/exchanges", json=body, headers=AUTH).json()["exchange_id"]
        client.post(f"/api/v1/exchanges/{exchange_id}/confirm", headers=AUTH)

        again = self._refused_without_a_trace(client, "POST", f"/api/v1/exchanges/{exchange_id}/confirm")

        assert again.status_code == 409
        assert again.json() == {"detail": f"exchange {exchange_id} is already confirmed"}
        assert client.get(f"/api/v1/members/{bert}/balance", headers=AUTH).json()["quarters"] == 5

    def test_a_blank_name_is_refused(self, client: TestClient) -> None:
        empty = self._refused_without_a_trace(client, "POST", "/api/v1/members", json={"display_name": ""})
        blank = self._refused_without_a_trace(client, "POST", "/api/v1/members", json={"display_name": "  "})

        assert (empty.status_code, blank.status_code) == (422, 422)
        assert empty.json()["detail"] == "display_name: String should have at least 1 character"
        assert blank.json() == {"detail": "display_name must not be blank"}

    def test_health_needs_no_token_and_shows_the_relay(self, client: TestClient) -> None:
        self._member(client, "Anna")

        response = client.get("/healthz")

        assert response.status_code == 200
        body = response.json()
        assert (body["status"], body["antenne_id"]) == ("ok", "jette")
        assert body["relay"] == {
            "connected": False,
            "position": None,
            "backlog": 3,  # the member roll opened, its first number, the member
            "last_publish_at": None,
            "last_error": None,
        }
        assert body["ledger"] == {
            "accounts": 0,
            "flags": 0,
            "position": None,
            "newest_as_of": None,
            "age_seconds": None,
            "label": "not reported by the ledger yet",
        }
        assert body["ledger_consumer"]["connected"] is False

    def test_the_openapi_description_lists_every_route(self, client: TestClient) -> None:
        paths = client.get("/openapi.json").json()["paths"]

        assert {
            "/api/v1/members",
            "/api/v1/members/{member_id}/balance",
            "/api/v1/members/{member_id}/statement",
            "/api/v1/requests/{request_id}/suggestions",
            "/api/v1/exchanges",
            "/api/v1/exchanges/{exchange_id}",
            "/api/v1/exchanges/{exchange_id}/confirm",
            "/api/v1/exchanges/{exchange_id}/reverse",
            "/healthz",
        } <= set(paths)
        assert paths["/api/v1/exchanges"]["post"]["security"] == [{"HTTPBearer": []}]
        operations = [op for path in paths.values() for op in path.values()]
        assert all(op.get("description") for op in operations)

    def test_every_recording_post_takes_an_idempotency_key(self, client: TestClient) -> None:
        paths = client.get("/openapi.json").json()["paths"]

        posts = {url: p["post"] for url, p in paths.items() if "post" in p and url.startswith("/api/v1/")}
        # Sweeps (auto-accept, expire-stale, return-expired) are safe to repeat; vouchers carry serials;
        # a handover and an arrival are keyed by the member's global id; an import by source and row key;
        # an erasure happens once; a transfer is answered once (the answer is keyed by the transfer).
        recording = {
            url: op
            for url, op in posts.items()
            if not url.endswith(
                (
                    "auto-accept",
                    "expire-stale",
                    "return-expired",
                    "vouchers",
                    "batch",
                    "handover",
                    "arrivals",
                    "imports",
                    "erasure",
                    "/transfers/{transfer_id}/accept",
                    "/transfers/{transfer_id}/reject",
                )
            )
        }
        headers = {url: {p["name"] for p in op.get("parameters", [])} for url, op in recording.items()}
        assert all("Idempotency-Key" in names for names in headers.values()), headers


class TestApiOnSQLite(ApiBehaviour):
    """The API on a SQLite file, as a small antenne runs it."""

    @pytest.fixture
    def database_url(self, tmp_path: Path) -> str:
        return f"sqlite:///{tmp_path / 'jette.db'}"


def test_the_api_starts_while_nats_is_unreachable(tmp_path: Path) -> None:
    settings = Settings(
        antenne_id="jette",
        token=TOKEN,
        database_url=f"sqlite:///{tmp_path / 'jette.db'}",
        nats_url=f"nats://127.0.0.1:{free_port()}",
    )

    with TestClient(create_app(settings)) as client:
        created = client.post("/api/v1/members", json={"display_name": "Anna"}, headers=AUTH)
        health = client.get("/healthz").json()

    assert created.status_code == 201
    assert health["relay"]["connected"] is False
    assert health["relay"]["backlog"] == 3  # the member roll opened, its first number, the member
