"""The desk's page for hours with other antennes: send, answer, and see the last known state."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from uuid import UUID, uuid4

from fastapi.testclient import TestClient

from contracts.envelope import wrap_ledger_decision
from contracts.ledger.transfers import Side, TransferCommitted, TransferPrepared
from services.antenne.domain.transfers import TransferState
from tests.support.dates import RECENT_ISO
from tests.unit.antenne_web.conftest import antenne_of, csrf_of, desk_of, sign_in

LAKEN_MEMBER = "6f1c0e55-8d4e-4a57-9d1f-0b6f2c1d9a10"


def _decide(client: TestClient, decision: type, transfer_id: UUID, payee: str, position: int) -> None:
    payload = decision(
        transfer_id=transfer_id, payer=Side(antenne="laken", member=LAKEN_MEMBER),
        payee=Side(antenne="jette", member=payee), quarters=6, payee_quarters=6,
        expires_at=datetime.now(UTC) + timedelta(days=7), decided_at=datetime.now(UTC) - timedelta(minutes=5),
    )  # fmt: skip
    envelope = wrap_ledger_decision(
        payload, addressee="jette", aggregate_id=transfer_id, aggregate_version=position,
        occurred_at=datetime.now(UTC), position=position, previous_position=None,
    )  # fmt: skip
    assert antenne_of(client).ledger_view.apply(envelope, envelope.payload())


def test_a_coordinator_sends_hours_to_another_antenne(client: TestClient) -> None:
    token = sign_in(client)
    antenne = antenne_of(client)
    anna = antenne.get_member(antenne.register_member("Anna"))

    page = client.get("/desk/transfers?lang=nl").text
    assert '<a href="/desk/transfers" aria-current="page">Andere antennes</a>' in page
    sent = client.post("/desk/transfers", data={
        "csrf": token, "payer": anna.number.lower(), "payee_antenne": "Laken", "payee_id": LAKEN_MEMBER,
        "kind": "donation", "hours": "1", "minutes": "30", "performed_on": RECENT_ISO,
        "key": "k-1"})  # fmt: skip

    assert sent.status_code == 303
    [line] = antenne.transfers()
    assert (line.member_id, line.payee, line.quarters, line.state) == (anna.id, "antenne:laken", 6, "asked")
    shown = client.get(sent.headers["location"] + "&lang=nl").text
    assert "Bewaard. De centrale dienst beslist" in shown
    assert "wacht op de centrale dienst" in shown
    assert "Nog niet beslist door de centrale dienst" in shown


def test_errors_are_next_to_their_fields_in_french(coordinator: TestClient) -> None:
    token = csrf_of(coordinator.get("/desk/transfers?lang=fr").text)
    answer = coordinator.post("/desk/transfers?lang=fr", data={
        "csrf": token, "payer": "JET-9999", "payee_antenne": "la ken", "payee_id": "12",
        "kind": "", "hours": "", "minutes": "0", "performed_on": ""})  # fmt: skip

    assert answer.status_code == 400
    for field, words in {
        "payer": "Aucun membre n&#39;a ce numéro.",
        "payee_antenne": "Indiquez le nom court de l&#39;autre antenne",
        "payee_id": "Indiquez le code du membre à son antenne",
        "kind": "Choisissez un don ou un paiement.",
    }.items():
        error = re.search(rf'<p class="field-error" id="{field}-error">(.*?)</p>', answer.text, re.S)
        assert error, field
        assert words in error.group(1), field
    assert antenne_of(coordinator).transfers() == []


def test_a_refusal_of_the_guard_is_shown_next_to_the_hours(coordinator: TestClient) -> None:
    antenne = antenne_of(coordinator)
    anna = antenne.get_member(antenne.register_member("Anna"))
    token = csrf_of(coordinator.get("/desk/transfers").text)
    answer = coordinator.post("/desk/transfers?lang=nl", data={
        "csrf": token, "payer": anna.number, "payee_antenne": "laken", "payee_id": LAKEN_MEMBER,
        "kind": "exchange", "hours": "21", "minutes": "0", "performed_on": RECENT_ISO})  # fmt: skip

    assert answer.status_code == 400
    error = re.search(r'<p class="field-error" id="hours-error">(.*?)</p>', answer.text, re.S)
    assert error
    assert "onder het saldo" in error.group(1)


def test_a_coordinator_accepts_one_incoming_transfer_and_declines_another(client: TestClient) -> None:
    token = sign_in(client)
    antenne = antenne_of(client)
    bert = str(antenne.register_member("Bert"))
    kept, declined = uuid4(), uuid4()
    _decide(client, TransferPrepared, kept, bert, 1)
    _decide(client, TransferPrepared, declined, bert, 2)

    dashboard = client.get("/desk?lang=nl").text
    assert "Uren gestuurd vanuit andere antennes (2)" in dashboard
    waiting = client.get("/desk/transfers?lang=nl").text.split("Van hier gestuurd")[0]
    assert waiting.count("De uren aanvaarden") == 2
    assert "Laatst gekend op" in waiting
    assert "(5 minuten geleden)" in waiting
    assert client.post(f"/desk/transfers/{kept}/accept", data={}).status_code in (400, 403)  # no CSRF
    accepted = client.post(f"/desk/transfers/{kept}/accept", data={"csrf": token})
    refused = client.post(f"/desk/transfers/{declined}/decline", data={"csrf": token})
    _decide(client, TransferCommitted, kept, bert, 3)

    assert accepted.headers["location"] == "/desk/transfers?done=accepted"
    assert refused.headers["location"] == "/desk/transfers?done=declined"
    answers = {line.transfer_id: (line.answer, line.state) for line in antenne.transfers()}
    assert answers == {kept: (True, TransferState.COMMITTED), declined: (False, TransferState.PREPARED)}
    page = client.get("/desk/transfers?lang=fr").text
    assert "fait : les heures sont passées · accepté ici" in page
    assert "Accepter les heures" not in page
    assert antenne.free_balance(UUID(bert)) == 6


def _sign_in_member(client: TestClient, member_id: UUID) -> str:
    number = antenne_of(client).get_member(member_id).number
    code = desk_of(client).accounts.issue_code(number, str(member_id))
    token = csrf_of(client.get("/signin/member").text)
    client.post("/signin/member", data={"number": number, "code": code, "csrf": token})
    return csrf_of(client.get("/me").text)


def test_a_member_sends_hours_and_answers_only_what_is_sent_to_them(client: TestClient) -> None:
    antenne = antenne_of(client)
    rosa, luc = antenne.register_member("Rosa"), antenne.register_member("Luc")
    for_rosa, for_luc = uuid4(), uuid4()
    _decide(client, TransferPrepared, for_rosa, str(rosa), 1)
    _decide(client, TransferPrepared, for_luc, str(luc), 2)
    token = _sign_in_member(client, rosa)

    page = client.get("/me?lang=nl").text
    assert str(rosa) in page  # the code she gives to the other antenne's member
    assert page.count("De uren aanvaarden") == 1
    sent = client.post("/me/transfer", data={
        "csrf": token, "payee_antenne": "laken", "payee_id": LAKEN_MEMBER, "kind": "donation",
        "hours": "0", "minutes": "45", "performed_on": RECENT_ISO})  # fmt: skip
    too_much = client.post("/me/transfer?lang=fr", data={
        "csrf": token, "payee_antenne": "laken", "payee_id": LAKEN_MEMBER, "kind": "donation",
        "hours": "20", "minutes": "0", "performed_on": RECENT_ISO})  # fmt: skip
    others = client.post(f"/me/transfers/{for_luc}/accept", data={"csrf": token})
    own = client.post(f"/me/transfers/{for_rosa}/decline", data={"csrf": token})

    assert (sent.status_code, sent.headers["location"]) == (303, "/me?done=asked")
    assert too_much.status_code == 400
    error = re.search(r'<p class="field-error" id="hours-error">(.*?)</p>', too_much.text, re.S)
    assert error
    assert "Le membre passerait sous le solde" in error.group(1)
    assert others.status_code == 403
    assert own.headers["location"] == "/me?done=declined"
    lines = {line.transfer_id: line for line in antenne.transfers()}
    assert (lines[for_rosa].answer, lines[for_luc].answer) == (False, None)
    [asked] = [line for line in lines.values() if line.direction == "outgoing"]
    assert (asked.member_id, asked.quarters, asked.kind) == (rosa, 3, "donation")
    assert "Aan een lid van laken" in client.get("/me?lang=nl").text
