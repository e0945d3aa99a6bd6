"""Transfers with other antennes at the antenne: asking, answering, the local checks and what leaves."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from itertools import count
from pathlib import Path
from uuid import UUID, uuid4

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from contracts.envelope import wrap_ledger_decision
from contracts.ledger.transfers import (
    RejectReason,
    ReleaseReason,
    Side,
    TransferCommitted,
    TransferFulfilled,
    TransferKind,
    TransferPrepared,
    TransferRejected,
    TransferReleased,
    TransferRequested,
)
from services.antenne.application import Antenne
from services.antenne.domain import (
    BackdatedTooFarError,
    MemberNotActiveError,
    MemberStatus,
    OverdraftError,
    QuartersOutOfRangeError,
)
from services.antenne.domain.errors import (
    AntenneIdError,
    TransferExpiryError,
    TransferInFutureError,
    TransferNotFoundError,
    TransferStateError,
    TransferToOwnAntenneError,
)
from services.antenne.domain.rules import Guard
from services.antenne.domain.transfers import TransferState, free_balance, refusal_for_payee
from services.antenne.main import create_app
from services.antenne.outbound import contract_of
from services.antenne.settings import Settings
from tests.unit.antenne.practice import TODAY, Clock, antenne_on

DECIDED_AT = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)
LAKEN_MEMBER = UUID("6f1c0e55-8d4e-4a57-9d1f-0b6f2c1d9a10")
TOKEN = "test-token-" + uuid4().hex
AUTH = {"Authorization": f"Bearer {TOKEN}"}
URL = "/api/v1/transfers"


@pytest.fixture
def jette() -> Iterator[Antenne]:
    antenne = antenne_on("memory:", Clock(), antenne_id="jette", guard=Guard(min_balance=-8))
    yield antenne
    antenne.close()


_positions = count(1)


def _decide(antenne: Antenne, payload: object) -> None:
    """The ledger's decision arrives in the antenne's view, as the feedback consumer applies it."""
    position = next(_positions)
    envelope = wrap_ledger_decision(
        payload,  # type: ignore[arg-type]
        addressee="jette", aggregate_id=uuid4(), aggregate_version=1, occurred_at=DECIDED_AT,
        position=position, previous_position=None,
    )  # fmt: skip
    assert antenne.ledger_view.apply(envelope, envelope.payload())


def _decision(
    kind: type, transfer_id: UUID, payer: Side, payee: Side, quarters: int, **extra: object
) -> object:
    return kind(
        transfer_id=transfer_id, payer=payer, payee=payee, quarters=quarters, payee_quarters=quarters,
        expires_at=DECIDED_AT + timedelta(days=7), decided_at=DECIDED_AT, **extra,
    )  # fmt: skip


def _ask(
    antenne: Antenne,
    payer: UUID,
    quarters: int = 6,
    *,
    expires_at: datetime | None = None,
    key: str | None = None,
) -> UUID:
    return antenne.ask_transfer(
        payer, "laken", LAKEN_MEMBER, quarters, TransferKind.DONATION, TODAY, expires_at=expires_at,
        asked_by="coordinator", idempotency_key=key,
    )  # fmt: skip


def test_an_asked_transfer_leaves_as_the_contract_with_both_sides(jette: Antenne) -> None:
    anna = jette.register_member("Anna")
    expires = datetime.now(UTC) + timedelta(days=3)

    transfer_id = _ask(jette, anna, expires_at=expires)

    published = [e for e in _published(jette) if isinstance(e, TransferRequested)]
    assert published == [
        TransferRequested(
            transfer_id=transfer_id, payer=Side(antenne="jette", member=str(anna)),
            payee=Side(antenne="laken", member=str(LAKEN_MEMBER)), quarters=6, kind=TransferKind.DONATION,
            performed_on=TODAY, expires_at=expires,
        )
    ]  # fmt: skip
    line = jette.get_transfer(transfer_id)
    assert (line.direction, line.state, line.quarters, line.position) == (
        "outgoing",
        TransferState.ASKED,
        6,
        None,
    )


def _published(antenne: Antenne) -> list[object]:
    """What the relay would publish, in order (through the same mapping)."""
    events = (antenne.mapper.to_domain_event(n) for n in antenne.recorder.select_notifications(1, 1000))
    return [c for c in (contract_of(e) for e in events) if c is not None]  # type: ignore[arg-type]


def test_the_same_idempotency_key_asks_once(jette: Antenne) -> None:
    anna = jette.register_member("Anna")

    first = _ask(jette, anna, key="/transfers|one")
    again = _ask(jette, anna, key="/transfers|one")

    assert first == again
    assert len(jette.transfers()) == 1


@pytest.mark.parametrize(
    ("change", "error"),
    [
        ({"quarters": 0}, QuartersOutOfRangeError),
        ({"payee_antenne": "jette"}, TransferToOwnAntenneError),
        ({"payee_antenne": "Laken!"}, AntenneIdError),
        ({"performed_on": TODAY + timedelta(days=1)}, TransferInFutureError),
        ({"performed_on": TODAY - timedelta(days=400)}, BackdatedTooFarError),
        ({"expires_at": datetime(2020, 1, 1, tzinfo=UTC)}, TransferExpiryError),
        ({"quarters": 9}, OverdraftError),  # the guard's minimum is -8
    ],
)
def test_local_checks_refuse_before_anything_is_stored(
    jette: Antenne, change: dict[str, object], error: type[Exception]
) -> None:
    anna = jette.register_member("Anna")
    asked: dict[str, object] = {
        "payer_id": anna, "payee_antenne": "laken", "payee_id": LAKEN_MEMBER, "quarters": 4,
        "kind": TransferKind.EXCHANGE, "performed_on": TODAY, **change,
    }  # fmt: skip

    with pytest.raises(error):
        jette.ask_transfer(**asked)  # type: ignore[arg-type]

    assert jette.transfers() == []


def test_a_member_who_moved_away_cannot_pay(jette: Antenne) -> None:
    anna = jette.register_member("Anna")
    jette.change_status(anna, MemberStatus.LEFT)

    with pytest.raises(MemberNotActiveError):
        _ask(jette, anna)


def test_the_guard_counts_outgoing_transfers_until_the_ledger_gives_them_back(jette: Antenne) -> None:
    anna = jette.register_member("Anna")
    payer, payee = Side(antenne="jette", member=str(anna)), Side(antenne="laken", member=str(LAKEN_MEMBER))
    first = _ask(jette, anna, 6)
    assert jette.free_balance(anna) == -6
    with pytest.raises(OverdraftError):
        _ask(jette, anna, 4)  # -6 - 4 < -8: the first one counts while asked

    _decide(jette, _decision(TransferPrepared, first, payer, payee, 6))
    _decide(jette, _decision(TransferReleased, first, payer, payee, 6, reason=ReleaseReason.REJECTED))

    line = jette.get_transfer(first)
    assert (line.state, line.reason, line.as_of) == (TransferState.RELEASED, "rejected", DECIDED_AT)
    assert jette.free_balance(anna) == 0
    _ask(jette, anna, 4)


def test_an_incoming_transfer_waits_and_its_acceptance_leaves_once(jette: Antenne) -> None:
    bert = jette.register_member("Bert")
    payer, payee = Side(antenne="laken", member=str(LAKEN_MEMBER)), Side(antenne="jette", member=str(bert))
    transfer_id = uuid4()
    _decide(jette, _decision(TransferPrepared, transfer_id, payer, payee, 8))

    waiting = [line for line in jette.transfers() if line.waits_for_answer]
    assert [(w.transfer_id, w.member_id, w.quarters) for w in waiting] == [(transfer_id, bert, 8)]

    accepted = jette.accept_transfer(transfer_id, answered_by="coordinator")
    again = jette.accept_transfer(transfer_id)
    assert (accepted.answer, again.answer) == (True, True)
    with pytest.raises(TransferStateError):
        jette.reject_transfer(transfer_id)
    assert [e for e in _published(jette) if isinstance(e, TransferFulfilled | TransferRejected)] == [
        TransferFulfilled(transfer_id=transfer_id)
    ]

    # The incoming hours count for the guard once the ledger committed them.
    assert jette.free_balance(bert) == 0
    _decide(jette, _decision(TransferCommitted, transfer_id, payer, payee, 8))
    assert jette.free_balance(bert) == 8
    assert jette.transfers(TransferState.COMMITTED)[0].transfer_id == transfer_id


def test_the_antenne_declines_for_an_id_that_is_no_active_member_here(jette: Antenne) -> None:
    gone = jette.register_member("Gone")
    jette.change_status(gone, MemberStatus.LEFT)
    payer = Side(antenne="laken", member=str(LAKEN_MEMBER))
    for_stranger, for_gone = uuid4(), uuid4()
    _decide(
        jette, _decision(TransferPrepared, for_stranger, payer, Side(antenne="jette", member=str(uuid4())), 4)
    )
    _decide(jette, _decision(TransferPrepared, for_gone, payer, Side(antenne="jette", member=str(gone)), 4))

    answered = jette.accept_transfer(for_stranger)  # a coordinator cannot accept it for nobody
    declined = jette.decline_transfers_for_absent_payees()

    assert (answered.answer, answered.answer_reason) == (False, RejectReason.UNKNOWN_MEMBER)
    assert declined == [for_gone]
    rejected = [e for e in _published(jette) if isinstance(e, TransferRejected)]
    assert [(r.transfer_id, r.reason) for r in rejected] == [
        (for_stranger, RejectReason.UNKNOWN_MEMBER),
        (for_gone, RejectReason.UNKNOWN_MEMBER),
    ]


def test_only_a_held_transfer_for_this_antenne_can_be_answered(jette: Antenne) -> None:
    anna = jette.register_member("Anna")
    asked = _ask(jette, anna)
    payer, payee = Side(antenne="laken", member=str(LAKEN_MEMBER)), Side(antenne="jette", member=str(anna))
    settled = uuid4()
    _decide(jette, _decision(TransferCommitted, settled, payer, payee, 4))

    with pytest.raises(TransferNotFoundError):
        jette.accept_transfer(uuid4())
    with pytest.raises(TransferNotFoundError):
        jette.accept_transfer(asked)  # our own request is not ours to answer
    with pytest.raises(TransferStateError):
        jette.reject_transfer(settled)


def test_the_rules_of_the_local_balance() -> None:
    assert free_balance(10, outgoing=6, incoming_committed=4) == 8
    assert refusal_for_payee(None) is RejectReason.UNKNOWN_MEMBER
    assert refusal_for_payee(MemberStatus.MOVED) is RejectReason.MOVED_AWAY
    assert refusal_for_payee(MemberStatus.PAUSED) is None


def test_the_api_asks_answers_and_lists_with_the_age_of_what_the_ledger_said(tmp_path: Path) -> None:
    settings = Settings(antenne_id="jette", token=TOKEN, database_url=f"sqlite:///{tmp_path / 'jette.db'}")
    with TestClient(create_app(settings, run_relay=False)) as client:
        assert isinstance(client.app, FastAPI)
        antenne: Antenne = client.app.state.antenne
        anna = client.post("/api/v1/members", json={"display_name": "Anna"}, headers=AUTH).json()["member_id"]
        body = {"payer_id": anna, "payee_antenne": "laken", "payee_id": str(LAKEN_MEMBER), "quarters": 6,
                "kind": "exchange", "performed_on": date.today().isoformat()}  # fmt: skip
        keyed = {**AUTH, "Idempotency-Key": "transfer-to-laken-1"}
        asked = client.post("/api/v1/transfers", json=body, headers=keyed)
        again = client.post("/api/v1/transfers", json=body, headers=keyed)
        own = client.post("/api/v1/transfers", json={**body, "payee_antenne": "jette"}, headers=AUTH)
        naive = client.post(
            "/api/v1/transfers", json={**body, "expires_at": "2030-01-01T00:00:00"}, headers=AUTH
        )
        too_much = client.post("/api/v1/transfers", json={**body, "quarters": 200}, headers=AUTH)

        incoming = uuid4()
        payer, payee = Side(antenne="laken", member=str(LAKEN_MEMBER)), Side(antenne="jette", member=anna)
        _decide(antenne, _decision(TransferPrepared, incoming, payer, payee, 4))
        waiting = client.get("/api/v1/transfers", params={"state": "prepared"}, headers=AUTH).json()
        accepted = client.post(f"/api/v1/transfers/{incoming}/accept", headers=AUTH)
        declined = client.post(
            f"/api/v1/transfers/{incoming}/reject", json={"reason": "declined"}, headers=AUTH
        )
        unknown = client.post(f"/api/v1/transfers/{uuid4()}/accept", headers=AUTH)
        listed = client.get("/api/v1/transfers", headers=AUTH).json()

    assert (asked.status_code, again.json()["transfer_id"]) == (201, asked.json()["transfer_id"])
    assert (asked.json()["state"], asked.json()["label"]) == ("asked", "not reported by the ledger yet")
    assert (own.status_code, naive.status_code, too_much.status_code) == (409, 422, 409)
    assert [(t["transfer_id"], t["waits_for_answer"]) for t in waiting["items"]] == [(str(incoming), True)]
    assert waiting["items"][0]["label"].startswith("last known as of 2026-11-24 10:00 UTC (")
    assert (accepted.status_code, accepted.json()["answer"]) == (200, True)
    assert (declined.status_code, unknown.status_code) == (409, 404)
    assert [t["direction"] for t in listed["items"]] == ["incoming", "outgoing"]  # undecided last
