from datetime import UTC, date, datetime, timedelta, timezone
from uuid import uuid4

import pytest
from pydantic import ValidationError

from contracts.antenne.v1 import Category, ExchangeConfirmed, MemberRegistered
from contracts.envelope import Envelope, event_id, wrap
from contracts.registry import UnknownContractError
from contracts.schemas import json_schemas


def _confirmed() -> ExchangeConfirmed:
    return ExchangeConfirmed(
        exchange_id=uuid4(),
        helper_id=uuid4(),
        recipient_id=uuid4(),
        quarters=5,
        category=Category.TRANSPORT,
        performed_on=date(2026, 11, 17),
    )


def _wrap(payload: ExchangeConfirmed | MemberRegistered, **overrides: object) -> Envelope:
    arguments: dict[str, object] = {
        "antenne_id": "jette",
        "aggregate_id": uuid4(),
        "aggregate_version": 2,
        "occurred_at": datetime(2026, 11, 17, 10, 0, tzinfo=timezone(timedelta(hours=1))),
        "position": 12,
        "previous_position": 9,
    }
    arguments.update(overrides)
    return wrap(payload, **arguments)  # type: ignore[arg-type]


def test_an_envelope_round_trips_through_cloudevents_json() -> None:
    payload = _confirmed()
    envelope = _wrap(payload)

    parsed = Envelope.from_bytes(envelope.to_bytes())

    assert parsed == envelope
    assert parsed.payload() == payload
    assert parsed.specversion == "1.0"
    assert parsed.type == "exchange.confirmed"
    assert parsed.source == "/antennes/jette"
    assert parsed.time == datetime(2026, 11, 17, 9, 0, tzinfo=UTC)


def test_the_event_id_is_stable_so_a_republish_is_deduplicated() -> None:
    aggregate_id = uuid4()
    first = _wrap(_confirmed(), aggregate_id=aggregate_id)
    again = _wrap(_confirmed(), aggregate_id=aggregate_id)
    assert first.id == again.id == event_id("jette", aggregate_id, 2)
    assert first.correlationid == first.id


def test_quarters_must_be_a_positive_integer() -> None:
    with pytest.raises(ValidationError):
        ExchangeConfirmed.model_validate({**_confirmed().model_dump(), "quarters": 0})
    with pytest.raises(ValidationError):
        ExchangeConfirmed.model_validate({**_confirmed().model_dump(), "quarters": 1.5})


def test_an_unknown_version_is_reported_not_guessed() -> None:
    envelope = _wrap(_confirmed()).model_copy(update={"schemaversion": 9})
    with pytest.raises(UnknownContractError, match="version 9"):
        envelope.payload()


def test_an_antenne_id_that_is_unsafe_in_a_subject_is_refused() -> None:
    with pytest.raises(ValidationError):
        _wrap(_confirmed(), antenne_id="jette.>")


def test_a_reader_ignores_fields_it_does_not_know() -> None:
    payload = MemberRegistered(member_id=uuid4(), registered_on=date(2026, 1, 5))
    data = {**payload.model_dump(mode="json"), "added_in_a_later_minor": "x"}
    assert MemberRegistered.model_validate(data) == payload


def test_every_contract_has_a_json_schema_with_its_type_and_version() -> None:
    schemas = json_schemas()
    assert set(schemas) == {
        "envelope.json",
        "member.registered.v1.json",
        "exchange.recorded.v1.json",
        "exchange.confirmed.v1.json",
        "exchange.disputed.v1.json",
        "exchange.rejected.v1.json",
        "exchange.reversed.v1.json",
        "member.profile_updated.v1.json",
        "member.status_changed.v1.json",
        "help_request.opened.v1.json",
        "help_request.matched.v1.json",
        "help_request.closed.v1.json",
        "help_offer.made.v1.json",
        "help_offer.withdrawn.v1.json",
        "donation.made.v1.json",
        "donation.used.v1.json",
        "donation.returned.v1.json",
        "pool.granted.v1.json",
        "exchange.held.v1.json",
        "exchange.approved.v1.json",
        "activity.held.v1.json",
        "activity.attendance_recorded.v1.json",
        "member.moved_out.v1.json",
        "member.moved_in.v1.json",
        "member.consents_changed.v1.json",
        "partner.exchange_shared.v1.json",
        "partner.week_figures.v1.json",
        "partner.exchange_withdrawn.v1.json",
        "partner.week_closed.v1.json",
        "donation.approved.v1.json",
        "donation.rejected.v1.json",
        "timebank.opening_balance_recorded.v1.json",
        "account.balance_changed.v1.json",
        "account.overdraft_flagged.v1.json",
        "account.member_rehomed.v1.json",
        "transfer.requested.v1.json",
        "transfer.fulfilled.v1.json",
        "transfer.rejected.v1.json",
        "transfer.prepared.v1.json",
        "transfer.refused.v1.json",
        "transfer.committed.v1.json",
        "transfer.released.v1.json",
        "clearing.recorded.v1.json",
        "alliance.transfer.v1.json",
        "alliance.answer.v1.json",
    }
    confirmed = schemas["exchange.confirmed.v1.json"]
    assert confirmed["x-type"] == "exchange.confirmed"
    assert confirmed["properties"]["quarters"]["exclusiveMinimum"] == 0  # type: ignore[index]
