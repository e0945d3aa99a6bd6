"""The desk's and the member's pages through HTTP: each flow once, errors next to their field."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from contracts.antenne.v1 import Category
from services.antenne.domain import ExchangeStatus
from tests.support.dates import RECENT_ISO
from tests.unit.antenne_web.conftest import antenne_of, csrf_of, desk_of, sign_in


def _register(client: TestClient, token: str, name: str, **extra: str | list[str]) -> str:
    data = {"csrf": token, "display_name": name, "gives": ["transport"], "languages": ["nl"], **extra}
    answer = client.post("/desk/members/new", data=data)
    assert answer.status_code == 303, answer.text
    return str(answer.headers["location"]).split("/")[-1].split("?")[0]


def test_a_coordinator_runs_a_permanence(client: TestClient) -> None:
    token = sign_in(client)
    maria = _register(
        client, token, "Maria Peeters", talents="baking", asks=["shopping"], situation=["isolated"]
    )
    jean = _register(client, token, "Jean Claes")
    antenne = antenne_of(client)
    assert [m.display_name for m in antenne.members() if m.capacities.isolated] == ["Maria Peeters"]
    numbers = {m.display_name: m.number for m in antenne.members()}
    assert client.get(f"/desk/members/{maria}").status_code == 200

    posted = client.post(f"/desk/members/{maria}/post", data={
        "csrf": token, "kind": "request", "category": "transport",
        "description": "to the doctor"})  # fmt: skip
    assert posted.status_code == 303
    [request] = antenne.requests()
    dashboard = client.get("/desk?lang=fr").text
    assert "Jean Claes" in dashboard
    assert "offre : Transport" in dashboard
    client.post(f"/desk/requests/{request.id}/propose", data={"csrf": token, "helper_id": jean})
    client.post(f"/desk/requests/{request.id}/answer", data={"csrf": token, "answer": "accept"})
    assert "Jean Claes" in client.get(f"/desk/requests/{request.id}").text

    recorded = client.post("/desk/hours", data={
        "csrf": token, "helper": numbers["Jean Claes"], "recipient": numbers["Maria Peeters"].lower(),
        "hours": "1", "minutes": "15", "category": "transport", "performed_on": RECENT_ISO,
        "request_id": str(request.id)})  # fmt: skip
    assert recorded.status_code == 303, recorded.text
    exchange_page = client.get(recorded.headers["location"] + "?lang=nl").text
    assert "1 u 15" in exchange_page
    [exchange] = antenne.exchanges()
    client.post(f"/desk/exchanges/{exchange.id}/confirm", data={"csrf": token})
    assert antenne.get_exchange(exchange.id).status is ExchangeStatus.CONFIRMED
    assert antenne.balance(exchange.helper_id) == 5

    gift = client.post("/desk/donations", data={
        "csrf": token, "donor": numbers["Jean Claes"], "to": "pool", "hours": "0",
        "minutes": "30"})  # fmt: skip
    assert gift.status_code == 303
    assert antenne.pool().balance == 2
    grant = client.post("/desk/pool/grant", data={
        "csrf": token, "grant_to": numbers["Maria Peeters"], "reason": "isolation", "grant_hours": "0",
        "grant_minutes": "15"})  # fmt: skip
    assert grant.status_code == 303, grant.text
    came = client.post(
        "/desk/gatherings", data={"csrf": token, "kind": "permanence", "attendees": [maria, jean]}
    )
    assert came.status_code == 303
    assert "Maria Peeters" in client.get("/desk").text.split("Bezoekers van vandaag")[1]
    statement = client.get(f"/desk/members/{maria}/statement?lang=fr").text
    assert "Relevé de Maria Peeters" in statement
    assert "-1 h" in statement
    assert "Jean Claes" in client.get("/desk/search?q=claes").text


def test_errors_are_shown_next_to_their_field_in_french(coordinator: TestClient) -> None:
    token = csrf_of(coordinator.get("/desk/hours?lang=fr").text)
    answer = coordinator.post("/desk/hours", data={
        "csrf": token, "helper": "JET-9999", "recipient": "", "hours": "1,5", "minutes": "20",
        "category": "", "performed_on": "2999-01-01"})  # fmt: skip
    assert answer.status_code == 400
    page = answer.text
    for field, words in {
        "helper": "Aucun membre n&#39;a ce numéro.",
        "recipient": "Indiquez un numéro de membre",
        "hours": "Indiquez les heures en nombre entier",
        "category": "Choisissez le type d&#39;aide.",
        "performed_on": "Une aide ne peut être enregistrée qu&#39;après avoir eu lieu.",
    }.items():
        error = re.search(rf'<p class="field-error" id="{field}-error">(.*?)</p>', page, re.S)
        assert error, field
        assert words in error.group(1), field
        assert (
            f'aria-describedby="{field}-error"' in page
            or f'aria-describedby="{field}-hint {field}-error"' in page
        )


def test_a_refusal_of_the_domain_is_shown_in_dutch(coordinator: TestClient) -> None:
    antenne = antenne_of(coordinator)
    anna = antenne.get_member(antenne.register_member("Anna"))
    token = csrf_of(coordinator.get("/desk/hours").text)
    answer = coordinator.post("/desk/hours", data={
        "csrf": token, "helper": anna.number, "recipient": anna.number, "hours": "1", "minutes": "0",
        "category": "company", "performed_on": RECENT_ISO})  # fmt: skip
    assert answer.status_code == 400
    assert "twee verschillende leden" in answer.text
    assert antenne.exchanges() == []


def test_a_member_confirms_help_posts_and_gives(client: TestClient) -> None:
    antenne = antenne_of(client)
    helper, member_id = antenne.register_member("Luc"), antenne.register_member("Rosa")
    exchange = antenne.record_exchange(helper, member_id, 6, Category.SHOPPING, antenne.today())
    antenne.confirm_exchange(antenne.record_exchange(member_id, helper, 8, Category.PETS, antenne.today()))
    number = antenne.get_member(member_id).number
    code = desk_of(client).accounts.issue_code(number, str(member_id))
    token = csrf_of(client.get("/signin/member").text)
    client.post("/signin/member", data={"number": number, "code": code, "csrf": token})
    page = client.get("/me?lang=fr").text
    assert "2 h" in page
    assert "Avez-vous reçu cette aide" in page
    token = csrf_of(page)
    assert client.post(f"/me/exchanges/{exchange}/confirm", data={"csrf": token}).status_code == 303
    assert antenne.balance(member_id) == 2
    assert "0 u 30" in client.get("/me?lang=nl").text
    client.post("/me/post", data={"csrf": token, "kind": "offer", "category": "pets"})
    assert [o.category for o in antenne.offers()] == [Category.PETS]
    too_much = client.post("/me/donate", data={"csrf": token, "to": "pool", "hours": "3", "minutes": "0"})
    assert too_much.status_code == 400
    assert "niet genoeg gespaarde uren" in too_much.text
    given = client.post("/me/donate", data={"csrf": token, "to": "pool", "hours": "0", "minutes": "15"})
    assert given.status_code == 303
    assert antenne.pool().balance == 1


def test_a_member_cannot_confirm_help_given_to_someone_else(client: TestClient) -> None:
    antenne = antenne_of(client)
    a, b, c = (antenne.register_member(n) for n in ("A", "B", "C"))
    exchange = antenne.record_exchange(a, b, 4, Category.SHOPPING, antenne.today())
    number = antenne.get_member(c).number
    code = desk_of(client).accounts.issue_code(number, str(c))
    token = csrf_of(client.get("/signin/member").text)
    client.post("/signin/member", data={"number": number, "code": code, "csrf": token})
    answer = client.post(f"/me/exchanges/{exchange}/confirm", data={"csrf": csrf_of(client.get("/me").text)})
    assert answer.status_code == 403
    assert antenne.get_exchange(exchange).status is ExchangeStatus.PENDING


def test_unknown_pages_and_the_api_keep_their_own_errors(client: TestClient) -> None:
    page = client.get("/nowhere?lang=fr")
    assert page.status_code == 404
    assert "Cette page n&#39;existe pas." in page.text
    api = client.get("/api/v1/members")
    assert api.status_code == 401
    assert api.json()["detail"].startswith("missing")
    assert api.headers["www-authenticate"] == "Bearer"


def test_a_long_exchange_waits_for_review_and_a_coordinator_approves_it(coordinator: TestClient) -> None:
    antenne = antenne_of(coordinator)
    a, b = (antenne.get_member(antenne.register_member(name)) for name in ("Ahmed", "Jeanine"))
    token = csrf_of(coordinator.get("/desk/hours").text)
    coordinator.post("/desk/hours", data={
        "csrf": token, "helper": a.number, "recipient": b.number, "hours": "5", "minutes": "0",
        "category": "outings", "performed_on": RECENT_ISO})  # fmt: skip
    [held] = antenne.exchanges()
    assert held.status is ExchangeStatus.HELD
    review = coordinator.get("/desk?lang=fr").text.split("À vérifier")[1]
    assert "un long échange demande l&#39;accord d&#39;un coordinateur" in review
    coordinator.post(f"/desk/exchanges/{held.id}/approve", data={"csrf": token})
    assert antenne.get_exchange(held.id).status is ExchangeStatus.PENDING


def test_a_member_disputes_help_that_is_not_right(client: TestClient) -> None:
    antenne = antenne_of(client)
    helper, member_id = antenne.register_member("Marc"), antenne.register_member("Aïcha")
    exchange = antenne.record_exchange(helper, member_id, 4, Category.COMPANY, antenne.today())
    number = antenne.get_member(member_id).number
    code = desk_of(client).accounts.issue_code(number, str(member_id), one_time=True)
    client.post("/signin/member", data={"number": number, "code": code,
                                         "csrf": csrf_of(client.get("/signin/member").text)})  # fmt: skip
    answer = client.post(f"/me/exchanges/{exchange}/dispute", data={"csrf": csrf_of(client.get("/me").text)})
    assert answer.status_code == 303
    assert antenne.get_exchange(exchange).status is ExchangeStatus.DISPUTED
    assert antenne.balance(member_id) == 0


def test_a_malformed_address_is_a_page_that_does_not_exist(coordinator: TestClient) -> None:
    page = coordinator.get("/desk/members/not-an-id")
    assert page.status_code == 404
    assert "Deze pagina bestaat niet." in page.text
    api = coordinator.get("/api/v1/members/not-an-id", headers={"Authorization": "Bearer x"})
    assert api.headers["content-type"] == "application/json"
