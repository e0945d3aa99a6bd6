"""Upcasting: every reader gets the current version of a contract, whichever version was published."""

from __future__ import annotations

from datetime import UTC, date, datetime
from uuid import uuid4

import pytest

from contracts.antenne.v1 import MemberRegistered
from contracts.envelope import Envelope, wrap
from contracts.registry import UnknownContractError
from contracts.upcasting import DuplicateUpcasterError, upcast, upcaster
from tests.support.evolution import TYPE, MemberRegisteredV2, install_member_registered_v2


def _member_registered(version: int, **extra: str) -> Envelope:
    payload = MemberRegistered(member_id=uuid4(), registered_on=date(2026, 11, 23))
    envelope = wrap(
        payload,
        antenne_id="jette",
        aggregate_id=payload.member_id,
        aggregate_version=1,
        occurred_at=datetime.now(UTC),
        position=1,
        previous_position=None,
    )
    return envelope.model_copy(update={"schemaversion": version, "data": {**envelope.data, **extra}})


def test_without_upcasters_the_current_version_reads_as_it_is() -> None:
    envelope = _member_registered(1)

    assert envelope.payload() == MemberRegistered.model_validate(envelope.data)


def test_an_old_version_is_upcast_to_the_current_one_on_read(monkeypatch: pytest.MonkeyPatch) -> None:
    install_member_registered_v2(monkeypatch)
    old = _member_registered(1)

    payload = old.payload()

    assert isinstance(payload, MemberRegisteredV2)
    assert payload.channel == "permanence"
    assert payload.member_id == MemberRegistered.model_validate(old.data).member_id
    assert "channel" not in old.data  # the envelope itself is left as it arrived


def test_the_current_version_is_read_without_upcasting(monkeypatch: pytest.MonkeyPatch) -> None:
    install_member_registered_v2(monkeypatch)

    payload = _member_registered(2, channel="online").payload()

    assert isinstance(payload, MemberRegisteredV2)
    assert payload.channel == "online"


def test_a_version_newer_than_the_reader_knows_is_refused_with_its_type_and_version(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    install_member_registered_v2(monkeypatch)

    with pytest.raises(UnknownContractError, match=r"'member.registered' version 3"):
        _member_registered(3).payload()


def test_upcasting_chains_through_every_version_in_order(monkeypatch: pytest.MonkeyPatch) -> None:
    install_member_registered_v2(monkeypatch)

    assert upcast(TYPE, 1, {"member_id": "m"}) == (2, {"member_id": "m", "channel": "permanence"})
    assert upcast(TYPE, 2, {"member_id": "m"}) == (2, {"member_id": "m"})


def test_a_second_upcaster_for_the_same_version_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    install_member_registered_v2(monkeypatch)

    with pytest.raises(DuplicateUpcasterError):
        upcaster(TYPE, 1)(lambda data: data)
