"""The antenne's copy of what the ledger decided about it: once per decision, newest wins, aged on read."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from uuid import UUID, uuid4

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from contracts.antenne.v1 import MemberRegistered
from contracts.base import Contract
from contracts.envelope import Envelope, wrap_ledger_decision
from contracts.ledger.decisions import BalanceChanged, MemberRehomed, OverdraftFlagged
from contracts.ledger.transfers import ReleaseReason, Side, TransferPrepared, TransferReleased
from services.antenne.api.portable import age_label
from services.antenne.ledger_view import LedgerView, make_ledger_view
from services.antenne.main import create_app
from services.antenne.settings import Settings
from tests.support.auth import as_role

TOKEN = "test-token-" + uuid4().hex
AUTH = {"Authorization": f"Bearer {TOKEN}"}
BOOKED_AT = datetime(2026, 11, 23, 9, 30, tzinfo=UTC)


def _decision(payload: Contract, position: int, previous: int | None) -> Envelope:
    return wrap_ledger_decision(
        payload,
        addressee="jette",
        aggregate_id=uuid4(),
        aggregate_version=1,
        occurred_at=BOOKED_AT,
        position=position,
        previous_position=previous,
    )


def _balance(member_id: UUID, quarters: int, change: int, booked_at: datetime = BOOKED_AT) -> BalanceChanged:
    return BalanceChanged(
        account=f"member:{member_id}",
        member_id=member_id,
        home_antenne="jette",
        balance_quarters=quarters,
        change_quarters=change,
        transfer_id=uuid4(),
        cause_type="exchange.confirmed",
        cause_antenne="jette",
        booked_at=booked_at,
    )


def _apply(view: LedgerView, envelope: Envelope) -> bool:
    return view.apply(envelope, envelope.payload())


class LedgerViewBehaviour:
    """Subclasses choose the back end with a `database_url` fixture."""

    @pytest.fixture
    def view(self, database_url: str) -> Iterator[LedgerView]:
        opened = make_ledger_view(database_url)
        yield opened
        opened.close()

    def test_a_balance_counts_once_and_the_newest_position_wins(self, view: LedgerView) -> None:
        member = uuid4()
        first = _decision(_balance(member, 4, 4), 3, None)
        second = _decision(_balance(member, 6, 2, BOOKED_AT + timedelta(minutes=5)), 9, 3)

        applied = [_apply(view, first), _apply(view, second), _apply(view, first), _apply(view, second)]

        known = view.balance(f"member:{member}")
        assert applied == [True, True, False, False]
        assert known is not None
        assert (known.quarters, known.as_of, known.position) == (6, BOOKED_AT + timedelta(minutes=5), 9)
        assert view.last_position("ledger") == 9

    def test_a_flag_and_a_move_are_kept_and_summarised(self, view: LedgerView) -> None:
        member = uuid4()
        flag = OverdraftFlagged(
            flag_id=uuid4(), account=f"member:{member}", member_id=member, antenne_id="jette",
            balance_quarters=-90, limit_quarters=80, transfer_id=uuid4(), flagged_at=BOOKED_AT,
        )  # fmt: skip
        moved = MemberRehomed(
            member_id=member,
            from_antenne="laken",
            to_antenne="jette",
            balance_quarters=-90,
            rehomed_at=BOOKED_AT,
        )

        _apply(view, _decision(flag, 2, None))
        _apply(view, _decision(moved, 5, 2))

        summary = view.summary()
        assert [(f.balance, f.limit) for f in view.flags()] == [(-90, 80)]
        assert view.balance(f"member:{member}") is not None
        assert (summary.accounts, summary.flags, summary.position, summary.newest_as_of) == (
            1,
            1,
            5,
            BOOKED_AT,
        )

    def test_a_transfer_keeps_its_newest_state_once(self, view: LedgerView) -> None:
        transfer_id = uuid4()
        payer, payee = Side(antenne="laken", member=str(uuid4())), Side(antenne="jette", member=str(uuid4()))
        common = {"transfer_id": transfer_id, "payer": payer, "payee": payee, "quarters": 6,
                  "payee_quarters": 6, "expires_at": BOOKED_AT + timedelta(days=7)}  # fmt: skip
        prepared = _decision(TransferPrepared(**common, decided_at=BOOKED_AT), 4, None)
        released = _decision(
            TransferReleased(
                **common, decided_at=BOOKED_AT + timedelta(hours=1), reason=ReleaseReason.EXPIRED
            ),
            8,
            4,
        )

        applied = [_apply(view, prepared), _apply(view, released), _apply(view, prepared)]

        known = view.transfer(transfer_id)
        assert applied == [True, True, False]
        assert known is not None
        assert (known.state, known.reason, known.position) == ("released", "expired", 8)
        assert (known.payer, known.payee_member, known.quarters) == ("antenne:laken", payee.member, 6)
        assert known.as_of == BOOKED_AT + timedelta(hours=1)
        assert [t.transfer_id for t in view.transfers()] == [transfer_id]
        assert view.transfer(uuid4()) is None

    def test_a_decision_the_antenne_does_not_show_is_still_tracked(self, view: LedgerView) -> None:
        other = MemberRegistered(member_id=uuid4(), registered_on=BOOKED_AT.date())

        assert _apply(view, _decision(other, 7, None))

        assert view.last_position("ledger") == 7
        assert view.summary().accounts == 0


class TestInMemory(LedgerViewBehaviour):
    @pytest.fixture
    def database_url(self) -> str:
        return "memory:"


class TestOnSQLite(LedgerViewBehaviour):
    @pytest.fixture
    def database_url(self, tmp_path: Path) -> str:
        return f"sqlite:///{tmp_path / 'jette.db'}"


def test_the_age_label_says_how_old_the_copy_is() -> None:
    now = BOOKED_AT + timedelta(minutes=4, seconds=10)

    assert age_label(BOOKED_AT, now) == "last known as of 2026-11-23 09:30 UTC (4 minutes ago)"
    assert age_label(BOOKED_AT, BOOKED_AT + timedelta(days=3)).endswith("(3 days ago)")
    assert age_label(None, now) == "not reported by the ledger yet"


def test_the_api_serves_the_last_known_balance_after_a_restart_without_nats(tmp_path: Path) -> None:
    settings = Settings(antenne_id="jette", token=TOKEN, database_url=f"sqlite:///{tmp_path / 'jette.db'}")
    member, stranger = uuid4(), uuid4()
    with TestClient(create_app(settings, run_relay=False)) as client:
        assert isinstance(client.app, FastAPI)
        _apply(client.app.state.ledger_view, _decision(_balance(member, 12, 12), 4, None))

    # Restarted with no NATS and no ledger: the copy is still there, labelled with its age.
    with TestClient(create_app(settings, run_relay=False)) as client:
        known = client.get(f"/api/v1/members/{member}/portable-balance", headers=AUTH).json()
        unknown = client.get(f"/api/v1/members/{stranger}/portable-balance", headers=AUTH).json()
        health = client.get("/healthz").json()

    assert (known["known"], known["quarters"], known["ledger_position"]) == (True, 12, 4)
    assert known["label"].startswith("last known as of 2026-11-23 09:30 UTC (")
    assert known["age_seconds"] >= 0
    assert (unknown["known"], unknown["quarters"]) == (False, None)
    assert (health["ledger"]["accounts"], health["ledger"]["position"]) == (1, 4)


def test_a_member_may_read_only_their_own_portable_balance(tmp_path: Path) -> None:
    settings = Settings(antenne_id="jette", token=TOKEN, database_url=f"sqlite:///{tmp_path / 'jette.db'}")
    member, other = uuid4(), uuid4()
    with TestClient(create_app(settings, run_relay=False)) as client:
        as_member = as_role(client, "member", str(member))
        own = client.get(f"/api/v1/members/{member}/portable-balance", headers=as_member)
        others = client.get(f"/api/v1/members/{other}/portable-balance", headers=as_member)
        flags = client.get("/api/v1/ledger-flags", headers=as_member)

    assert (own.status_code, others.status_code, flags.status_code) == (200, 403, 403)
