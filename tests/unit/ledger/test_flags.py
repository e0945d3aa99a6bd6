"""Overdraft breaches are flagged for coordinators, once each, with the limit of the antenne that booked."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from uuid import uuid4

import pytest
from fastapi.testclient import TestClient

from contracts.envelope import Envelope
from services.ledger.application import Ledger
from services.ledger.domain import OverdraftPolicy, member_key
from services.ledger.main import create_app
from services.ledger.settings import Settings
from services.persistence import eventsourcing_env
from tests.unit.ledger.antenne_events import AntenneEvents

TOKEN = "test-token-" + uuid4().hex


@pytest.fixture
def ledger() -> Iterator[Ledger]:
    policy = OverdraftPolicy(default_limit=8, antenne_limits=(("laken", 20),))
    with Ledger(env=eventsourcing_env("memory:"), overdraft=policy) as opened:
        yield opened


def _apply(ledger: Ledger, envelopes: list[Envelope]) -> None:
    for envelope in envelopes:
        ledger.apply(envelope, envelope.payload())


def _help_received(antenne: AntenneEvents, quarters: list[int]) -> list[Envelope]:
    recipient, helper = antenne.register(), antenne.register()
    envelopes = [recipient, helper]
    for amount in quarters:
        envelopes += antenne.exchange(helper.aggregateid, recipient.aggregateid, amount)
    return envelopes


def test_spending_below_the_limit_is_booked_and_flagged_once_even_when_redelivered(ledger: Ledger) -> None:
    jette = AntenneEvents("jette")
    envelopes = _help_received(jette, [6, 4, 1])  # -6, -10 (breach), -11 (breach)
    recipient = envelopes[0].aggregateid

    _apply(ledger, envelopes)
    _apply(ledger, envelopes)  # redelivered

    flags = ledger.flags()
    assert ledger.balance(recipient) == -11
    assert [(flag.balance, flag.limit) for flag in flags] == [(-10, 8), (-11, 8)]
    assert {flag.account_key for flag in flags} == {member_key(recipient)}
    assert ledger.flag_counts() == {"jette": 2}  # what the metrics read, from the log index alone
    assert ledger.audit().balanced


def test_an_antenne_with_a_higher_limit_raises_no_flag_within_it(ledger: Ledger) -> None:
    _apply(ledger, _help_received(AntenneEvents("laken"), [16, 4]))

    assert ledger.flags() == []
    assert ledger.flag_counts() == {}


def test_the_flags_are_listed_by_the_api_and_limits_come_from_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LEDGER_OVERDRAFT_LIMITS", '{"jette": 4}')
    settings = Settings(token=TOKEN, database_url="memory:", signing_key_file=tmp_path / "key.pem")
    with TestClient(create_app(settings, run_consumer=False)) as client:
        _apply(client.app.state.ledger, _help_received(AntenneEvents("jette"), [5]))  # type: ignore[attr-defined]
        response = client.get("/api/v1/flags", headers={"Authorization": f"Bearer {TOKEN}"})

    assert settings.overdraft_policy().antenne_limits == (("jette", 4),)
    assert response.status_code == 200
    [flag] = response.json()
    assert (flag["antenne_id"], flag["balance"], flag["limit"]) == ("jette", -5, 4)


def test_spending_past_the_offline_allowance_is_flagged_as_such() -> None:
    policy = OverdraftPolicy(default_limit=8, offline_allowances=(("jette", 4),))
    with Ledger(env=eventsourcing_env("memory:"), overdraft=policy) as ledger:
        _apply(ledger, _help_received(AntenneEvents("jette"), [10, 3]))  # -10 (within 8 + 4), -13 (past)
        flags = ledger.flags()

    assert [(flag.balance, flag.beyond_allowance) for flag in flags] == [(-10, False), (-13, True)]
