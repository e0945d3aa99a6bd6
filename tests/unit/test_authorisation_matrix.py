"""Every route of every service against every kind of caller: a table, enumerated from the apps.

A route without a row fails `test_every_route_has_a_row`, so a new endpoint cannot ship without deciding
who may call it. A caller the row allows must get past authentication and authorisation (any status but
401/403, never a server error); a caller the row refuses gets exactly 401 (no token) or 403.

A page (outside /api/) opens with a session, never with a token: a row of "" there means every caller is
refused or sent to sign in (302/303/401/403).

Columns (callers):
  A anonymous (no token)           S the service's own token        P project coordinator (every antenne)
  L local lead of jette            C coordinator-volunteer of jette M member of jette, on their own records
  X alliance partner               E local lead of another antenne  O member of jette, on another's records
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from uuid import uuid4

import pytest
from fastapi import FastAPI
from fastapi.routing import iter_route_contexts
from fastapi.testclient import TestClient

from services.antenne.main import create_app as antenne_app
from services.antenne.settings import Settings as AntenneSettings
from services.ledger.main import create_app as ledger_app
from services.ledger.settings import Settings as LedgerSettings
from services.observability import metrics
from services.ports import free_port
from services.reporting.main import create_app as reporting_app
from services.reporting.settings import Settings as ReportingSettings
from tests.support.auth import bearer, token_for

TOKEN = "matrix-token-" + uuid4().hex
NOWHERE = f"nats://127.0.0.1:{free_port()}"  # no NATS: /metrics reports what it last knew


@pytest.fixture(scope="module", autouse=True)
def _metrics_do_not_wait_for_nats() -> Iterator[None]:
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(metrics, "JETSTREAM_TIMEOUT_SECONDS", 0.01)
        yield


CALLERS = "ASPLCMXEO"
EVERYONE = CALLERS
LEADS = "SPL"
DESK = "SPLC"
OWN = "SPLCM"
FEDERATION = "SP"

# (method, path) -> the callers allowed. Public pages first, then each service's API.
PUBLIC: dict[tuple[str, str], str] = {
    ("GET", "/openapi.json"): EVERYONE,
    ("GET", "/docs"): EVERYONE,
    ("GET", "/docs/oauth2-redirect"): EVERYONE,
    ("GET", "/redoc"): EVERYONE,
    ("GET", "/healthz"): EVERYONE,
    ("GET", "/metrics"): EVERYONE,
}
# The antenne's pages (the `web` branch): a session opens them, a token never does. Rows of pages this
# build does not serve are left out when the table is checked; a page served without a row still fails.
PAGES: dict[tuple[str, str], str] = {
    ("GET", "/"): EVERYONE,
    ("GET", "/signin"): EVERYONE,
    ("POST", "/signin"): "",
    ("GET", "/signin/member"): EVERYONE,
    ("POST", "/signin/member"): "",
    ("POST", "/signout"): "",
    ("GET", "/desk"): "",
    ("GET", "/desk/search"): "",
    ("GET", "/desk/members/new"): "",
    ("POST", "/desk/members/new"): "",
    ("GET", "/desk/members/{member_id}"): "",
    ("POST", "/desk/members/{member_id}/code"): "",
    ("GET", "/desk/members/{member_id}/post"): "",
    ("POST", "/desk/members/{member_id}/post"): "",
    ("GET", "/desk/requests/{request_id}"): "",
    ("POST", "/desk/requests/{request_id}/propose"): "",
    ("POST", "/desk/requests/{request_id}/answer"): "",
    ("GET", "/desk/hours"): "",
    ("POST", "/desk/hours"): "",
    ("GET", "/desk/exchanges/{exchange_id}"): "",
    ("POST", "/desk/exchanges/{exchange_id}/{action}"): "",
    ("GET", "/desk/donations"): "",
    ("POST", "/desk/donations"): "",
    ("POST", "/desk/pool/grant"): "",
    ("POST", "/desk/donations/{donation_id}/{decision}"): "",
    ("GET", "/desk/gatherings"): "",
    ("POST", "/desk/gatherings"): "",
    ("GET", "/desk/members/{member_id}/statement"): "",
    ("GET", "/desk/transfers"): "",
    ("POST", "/desk/transfers"): "",
    ("POST", "/desk/transfers/{transfer_id}/{decision}"): "",
    ("GET", "/me"): "",
    ("POST", "/me/exchanges/{exchange_id}/{answer}"): "",
    ("GET", "/me/post"): "",
    ("POST", "/me/post"): "",
    ("GET", "/me/donate"): "",
    ("POST", "/me/donate"): "",
    ("GET", "/me/transfer"): "",
    ("POST", "/me/transfer"): "",
    ("POST", "/me/transfers/{transfer_id}/{decision}"): "",
}
ANTENNE: dict[tuple[str, str], str] = {
    **PUBLIC,
    **PAGES,
    ("POST", "/api/v1/members/{member_id}/handover"): LEADS,
    ("POST", "/api/v1/members/arrivals"): LEADS,
    ("POST", "/api/v1/members"): DESK,
    ("GET", "/api/v1/members"): DESK,
    ("GET", "/api/v1/members/by-number/{number}"): DESK,
    ("GET", "/api/v1/members/{member_id}"): OWN,
    ("PUT", "/api/v1/members/{member_id}/profile"): DESK,
    ("PUT", "/api/v1/members/{member_id}/consents"): DESK,
    ("POST", "/api/v1/members/{member_id}/insurance"): DESK,
    ("POST", "/api/v1/members/{member_id}/status"): DESK,
    ("GET", "/api/v1/members/{member_id}/balance"): OWN,
    ("GET", "/api/v1/members/{member_id}/statement"): OWN,
    ("GET", "/api/v1/members/{member_id}/export"): OWN,
    ("POST", "/api/v1/members/{member_id}/erasure"): LEADS,
    ("POST", "/api/v1/requests"): DESK,
    ("GET", "/api/v1/requests"): DESK,
    ("POST", "/api/v1/requests/expire-stale"): DESK,
    ("GET", "/api/v1/requests/{request_id}"): DESK,
    ("GET", "/api/v1/requests/{request_id}/suggestions"): DESK,
    ("POST", "/api/v1/requests/{request_id}/proposal"): DESK,
    ("POST", "/api/v1/requests/{request_id}/acceptance"): DESK,
    ("POST", "/api/v1/requests/{request_id}/refusal"): DESK,
    ("POST", "/api/v1/requests/{request_id}/cancellation"): DESK,
    ("POST", "/api/v1/offers"): DESK,
    ("GET", "/api/v1/offers"): DESK,
    ("POST", "/api/v1/offers/{offer_id}/withdrawal"): DESK,
    ("POST", "/api/v1/exchanges"): DESK,
    ("GET", "/api/v1/exchanges"): DESK,
    ("POST", "/api/v1/exchanges/auto-accept"): DESK,
    ("GET", "/api/v1/exchanges/{exchange_id}"): DESK,
    ("POST", "/api/v1/exchanges/{exchange_id}/confirm"): OWN,
    ("POST", "/api/v1/exchanges/{exchange_id}/dispute"): OWN,
    ("POST", "/api/v1/exchanges/{exchange_id}/approve"): DESK,
    ("POST", "/api/v1/exchanges/{exchange_id}/reject"): DESK,
    ("POST", "/api/v1/exchanges/{exchange_id}/reverse"): LEADS,
    ("POST", "/api/v1/donations"): DESK,
    ("GET", "/api/v1/donations"): DESK,
    ("POST", "/api/v1/donations/return-expired"): DESK,
    ("GET", "/api/v1/donations/{donation_id}"): DESK,
    ("POST", "/api/v1/donations/{donation_id}/use"): DESK,
    ("POST", "/api/v1/donations/{donation_id}/approve"): DESK,
    ("POST", "/api/v1/donations/{donation_id}/reject"): DESK,
    ("GET", "/api/v1/pool"): DESK,
    ("POST", "/api/v1/pool/grants"): DESK,
    ("POST", "/api/v1/vouchers"): DESK,
    ("POST", "/api/v1/vouchers/batch"): DESK,
    ("GET", "/api/v1/members/{member_id}/voucher-sheet"): DESK,
    ("POST", "/api/v1/activities"): DESK,
    ("GET", "/api/v1/activities"): DESK,
    ("GET", "/api/v1/activities/{activity_id}"): DESK,
    ("POST", "/api/v1/activities/{activity_id}/attendance"): DESK,
    ("POST", "/api/v1/members/{member_id}/notes"): DESK,
    ("GET", "/api/v1/members/{member_id}/notes"): DESK,
    ("GET", "/api/v1/members/{member_id}/portable-balance"): OWN,
    ("GET", "/api/v1/ledger-flags"): DESK,
    ("POST", "/api/v1/transfers"): DESK,
    ("GET", "/api/v1/transfers"): DESK,
    ("GET", "/api/v1/transfers/{transfer_id}"): DESK,
    ("POST", "/api/v1/transfers/{transfer_id}/accept"): DESK,
    ("POST", "/api/v1/transfers/{transfer_id}/reject"): DESK,
    ("POST", "/api/v1/imports"): LEADS,
}
LEDGER: dict[tuple[str, str], str] = {
    **PUBLIC,
    ("GET", "/api/v1/balances/{member_id}"): OWN + "E",
    ("GET", "/api/v1/audit"): LEADS + "E",
    ("GET", "/api/v1/flags"): DESK + "E",
    ("GET", "/api/v1/members/{member_id}/statement"): OWN + "E",
    ("GET", "/api/v1/members/{member_id}/hour-statement"): OWN + "E",
    ("GET", "/api/v1/signing-key"): EVERYONE,
    ("GET", "/api/v1/flags/moved-away"): DESK + "E",
    # Two-phase transfers: the API decides as the federation, so only federation-wide roles write.
    ("POST", "/api/v1/transfers"): FEDERATION,
    ("GET", "/api/v1/transfers"): DESK + "E",
    ("GET", "/api/v1/transfers/{transfer_id}"): DESK + "E",
    ("POST", "/api/v1/transfers/{transfer_id}/fulfil"): FEDERATION,
    ("POST", "/api/v1/transfers/{transfer_id}/reject"): FEDERATION,
    ("GET", "/api/v1/alliance/partners"): DESK + "E",
    ("GET", "/api/v1/alliance/partners/{partner_id}/settlements/{month}"): DESK + "E",
    ("POST", "/api/v1/clearing/runs"): FEDERATION,
    ("GET", "/api/v1/clearing/runs"): DESK + "E",
    # The partner API: a partner's own token only.
    ("POST", "/api/v1/alliance/transfers"): "X",
    ("GET", "/api/v1/alliance/transfers"): "X",
    ("GET", "/api/v1/alliance/transfers/{transfer_id}"): "X",
    ("POST", "/api/v1/alliance/transfers/{transfer_id}/answer"): "X",
    ("GET", "/api/v1/alliance/position"): "X",
    ("GET", "/api/v1/alliance/settlements/{month}"): "X",
}
REPORTING: dict[tuple[str, str], str] = {
    **PUBLIC,
    ("GET", "/api/v1/reports/summary"): DESK + "XE",
    # The report tables: staff only (partners get the anonymised feed instead).
    ("GET", "/api/v1/reports/{scope}"): DESK + "E",
    ("GET", "/api/v1/reports/{scope}.xlsx"): DESK + "E",
    ("GET", "/api/v1/reports/{scope}/{table}.csv"): DESK + "E",
    ("GET", "/api/v1/reports/{scope}/{table}.xlsx"): DESK + "E",
    # The report pages: a staff token or the signed-in cookie; anyone may open the sign-in page.
    ("GET", "/reports/signin"): EVERYONE,
    ("POST", "/reports/signin"): "",  # refused without the right token in the form
    ("POST", "/reports/signout"): EVERYONE,
    ("GET", "/reports"): DESK + "E",
    ("GET", "/reports/antennes/{antenne_id}"): DESK + "E",
    ("GET", "/reports/federation"): DESK + "E",
}


@dataclass
class Service:
    """A running app, its table, and each caller's headers and path values."""

    client: TestClient
    table: dict[tuple[str, str], str]
    headers: dict[str, dict[str, str]]
    values: dict[str, str]


def _routes(app: FastAPI) -> set[tuple[str, str]]:
    found = set()
    for context in iter_route_contexts(app.routes):
        for method in getattr(context.original_route, "methods", None) or ():
            if method != "HEAD" and context.path:
                found.add((method, context.path))
    return found


def _headers(app: FastAPI, member_id: str) -> dict[str, dict[str, str]]:
    return {
        "A": {},
        "S": bearer(TOKEN),
        "P": bearer(token_for(app, "project-coordinator", "pc")),
        "L": bearer(token_for(app, "local-lead", "lea", "jette")),
        "C": bearer(token_for(app, "coordinator", "youssef", "jette")),
        "M": bearer(token_for(app, "member", member_id, "jette")),
        "X": bearer(token_for(app, "partner", "bras-dessus")),
        "E": bearer(token_for(app, "local-lead", "lars", "laken")),
        "O": bearer(token_for(app, "member", str(uuid4()), "jette")),
    }


@pytest.fixture(scope="module")
def antenne() -> Iterator[Service]:
    folder = Path(tempfile.mkdtemp(prefix="bp-matrix-"))
    settings = AntenneSettings(antenne_id="jette", token=TOKEN, database_url=f"sqlite:///{folder / 'j.db'}")
    app = antenne_app(settings, run_relay=False)
    served = _routes(app)
    table = {row: allowed for row, allowed in ANTENNE.items() if row in served or row not in PAGES}
    with TestClient(app) as client:
        service = bearer(TOKEN)
        anna, bert = (
            client.post("/api/v1/members", json={"display_name": name}, headers=service).json()["member_id"]
            for name in ("Anna", "Bert")
        )
        help_given = {"helper_id": bert, "recipient_id": anna, "quarters": 2, "category": "pets",
                      "performed_on": date.today().isoformat()}  # fmt: skip
        exchange = client.post("/api/v1/exchanges", json=help_given, headers=service).json()["exchange_id"]
        values = {"member_id": anna, "exchange_id": exchange, "number": "JET-0001"}
        yield Service(client, table, _headers(app, anna), values)


@pytest.fixture(scope="module")
def ledger() -> Iterator[Service]:
    key_file = Path(tempfile.mkdtemp(prefix="bp-matrix-key-")) / "signing-key.pem"
    settings = LedgerSettings(
        token=TOKEN, database_url="memory:", signing_key_file=key_file, nats_url=NOWHERE
    )
    app = ledger_app(settings, run_consumer=False)
    member = str(uuid4())
    with TestClient(app) as client:
        yield Service(client, LEDGER, _headers(app, member), {"member_id": member})


@pytest.fixture(scope="module")
def reporting() -> Iterator[Service]:
    settings = ReportingSettings(token=TOKEN, database_url="memory:", nats_url=NOWHERE)
    app = reporting_app(settings, run_consumer=False)
    with TestClient(app) as client:
        yield Service(client, REPORTING, _headers(app, str(uuid4())), {})


SERVICES = ("antenne", "ledger", "reporting")


@pytest.mark.parametrize("name", SERVICES)
def test_every_route_has_a_row(name: str, request: pytest.FixtureRequest) -> None:
    service: Service = request.getfixturevalue(name)
    assert isinstance(service.client.app, FastAPI)

    assert _routes(service.client.app) == set(service.table)


@pytest.mark.parametrize("name", SERVICES)
def test_each_caller_gets_what_its_row_says(name: str, request: pytest.FixtureRequest) -> None:
    service: Service = request.getfixturevalue(name)
    wrong = []
    for (method, template), allowed in service.table.items():
        path = template.format_map({key: service.values.get(key, str(uuid4())) for key in _names(template)})
        for caller in CALLERS:
            body: dict[str, str] | None = {} if method in ("POST", "PUT") else None
            got = service.client.request(
                method, path, json=body, headers=service.headers[caller], follow_redirects=False
            ).status_code
            ok = got not in (401, 403) and got < 500 if caller in allowed else _refused(caller, template, got)
            if not ok:
                wrong.append(f"{caller} {method} {template}: {got}")

    assert wrong == [], "\n".join(wrong)


@pytest.mark.parametrize("table", [ANTENNE, LEDGER, REPORTING], ids=SERVICES)
def test_nothing_under_the_api_is_open_to_anyone_without_a_token(table: dict[tuple[str, str], str]) -> None:
    open_api = [(method, path) for (method, path), allowed in table.items() if "A" in allowed]

    assert all(path in {"/api/v1/signing-key"} for _, path in open_api if path.startswith("/api/"))


def _refused(caller: str, template: str, status: int) -> bool:
    """The API refuses with 401 (no token) or 403; a page may send the caller to sign in instead."""
    if template.startswith("/api/"):
        return status == (401 if caller == "A" else 403)
    return status in (302, 303, 401, 403)


def _names(template: str) -> list[str]:
    return [part.split("}")[0] for part in template.split("{")[1:]]
