"""What the antenne publishes for each stored event, and what it keeps to itself."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from uuid import UUID

import pytest

from contracts.antenne.v1 import (
    ActivityKind,
    Category,
    ExchangeConfirmed,
    ExchangeRecorded,
    GrantReason,
    MemberRegistered,
)
from contracts.envelope import Envelope, event_id
from services.antenne.application import Antenne, Practice
from services.antenne.domain import Capacities, PersonalData, Profile
from services.antenne.outbound import to_envelope
from services.persistence import eventsourcing_env

PERFORMED_ON = date.today() - timedelta(days=3)  # recent: within the backdating limit


@pytest.fixture
def antenne() -> Iterator[Antenne]:
    with Antenne(env=eventsourcing_env("memory:")) as antenne:
        yield antenne


def _relayed(antenne: Antenne) -> list[Envelope | None]:
    """Map the whole log as the relay does: each envelope chained to the previous published one."""
    envelopes: list[Envelope | None] = []
    previous = None
    for notification in antenne.recorder.select_notifications(1, 100):
        envelope = to_envelope(
            antenne.mapper.to_domain_event(notification),
            antenne_id="jette",
            position=notification.id,
            previous_position=previous,
        )
        envelopes.append(envelope)
        previous = notification.id if envelope else previous
    return envelopes


def _published(antenne: Antenne) -> list[Envelope]:
    return [envelope for envelope in _relayed(antenne) if envelope is not None]


def _confirmed_exchange(antenne: Antenne) -> tuple[UUID, UUID, UUID]:
    anna = antenne.register_member("Anna Peeters", registered_on=date(2026, 11, 17))
    bert = antenne.register_member("Bert Claes")
    exchange_id = antenne.record_exchange(bert, anna, 5, Category.SHOPPING, PERFORMED_ON)
    antenne.confirm_exchange(exchange_id)
    return anna, bert, exchange_id


def test_a_registered_member_is_published_without_their_name(antenne: Antenne) -> None:
    anna, _, _ = _confirmed_exchange(antenne)

    envelope = _published(antenne)[0]

    assert envelope is not None
    assert envelope.payload() == MemberRegistered(member_id=anna, registered_on=date(2026, 11, 17))
    assert "Anna" not in envelope.model_dump_json()
    assert envelope.id == event_id("jette", anna, 1)
    assert (envelope.correlationid, envelope.causationid) == (envelope.id, None)


def test_recorded_and_confirmed_exchanges_carry_every_fact(antenne: Antenne) -> None:
    anna, bert, exchange_id = _confirmed_exchange(antenne)

    recorded, confirmed = _published(antenne)[2:4]

    facts = {
        "exchange_id": exchange_id,
        "helper_id": bert,
        "recipient_id": anna,
        "quarters": 5,
        "category": Category.SHOPPING,
        "performed_on": PERFORMED_ON,
    }
    assert recorded is not None
    assert confirmed is not None
    assert recorded.payload() == ExchangeRecorded(**facts)
    assert confirmed.payload() == ExchangeConfirmed(**facts, confirmed_on=date.today())
    assert (recorded.type, confirmed.type) == ("exchange.recorded", "exchange.confirmed")


def test_a_confirmation_is_caused_by_the_recording_and_correlated_with_it(antenne: Antenne) -> None:
    _, _, exchange_id = _confirmed_exchange(antenne)

    recorded, confirmed = _published(antenne)[2:4]

    assert recorded is not None
    assert confirmed is not None
    assert confirmed.aggregateversion == 2
    assert confirmed.causationid == recorded.id == event_id("jette", exchange_id, 1)
    assert confirmed.correlationid == recorded.id


def test_postings_stay_internal_and_the_chain_skips_them(antenne: Antenne) -> None:
    _confirmed_exchange(antenne)
    antenne.register_member("Carla")

    envelopes = _relayed(antenne)

    # Internal: the member roll (opened, then a number per member) and the two postings.
    internal = [False, True, True, False, True, False, False, True, True, False, True]
    assert [e is None for e in envelopes] == internal
    published = [e for e in envelopes if e is not None]
    assert [(e.position, e.previousposition) for e in published] == [
        (1, None),
        (4, 1),
        (6, 4),
        (7, 6),
        (10, 7),
    ]
    assert all(e.antenneid == "jette" and e.source == "/antennes/jette" for e in published)


def test_nothing_personal_is_published_from_a_whole_permanence() -> None:
    secrets = ["Anna Peeters", "0470 12 34 56", "Kerkstraat 12", "knits", "dentist", "wrong member", "alone",
               "daughter", "coffee", "JET-0001", "marie"]  # fmt: skip
    with Antenne(env=eventsourcing_env("memory:"), practice=Practice(member_prefix="JET")) as antenne:
        personal = PersonalData(
            "Anna Peeters", phone="0470 12 34 56", address="Kerkstraat 12", birth_year=1948, talents="knits"
        )
        anna = antenne.register_member(
            Profile(personal, Capacities(sector="centrum", gives=(Category.PETS,)))
        )
        bert = antenne.register_member("Bert")
        request_id = antenne.take_request(anna, Category.TRANSPORT, description="to the dentist")
        helped = antenne.record_exchange(
            bert, anna, 8, Category.TRANSPORT, PERFORMED_ON, request_id=request_id
        )
        antenne.confirm_exchange(helped)
        mistake = antenne.record_exchange(bert, anna, 5, Category.PETS, PERFORMED_ON, recorded_by="marie")
        antenne.confirm_exchange(mistake)
        antenne.reverse_exchange(mistake, "typed for the wrong member")
        antenne.donate(bert, 4)
        antenne.grant_from_pool(anna, 2, GrantReason.ISOLATION, "lives alone")
        antenne.donate(bert, 2, earmarked_for_member=anna, expires_on=date.today() + timedelta(days=30))
        antenne.note_on_member(anna, "her daughter calls", "marie")
        antenne.hold_session(ActivityKind.GATHERING, attendees=[anna, bert], topic="coffee and cake")

        published = [e.model_dump_json() for e in _relayed(antenne) if e is not None]

    assert len(published) == 14
    assert [s for s in secrets if any(s in text for text in published)] == []
    # The birth year as a value (as a substring it may turn up in an id or a timestamp).
    assert all('":1948' not in text and '"1948"' not in text for text in published)
