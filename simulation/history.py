"""Generated federation histories for reporting: real antennes in memory, day by day, from one seed.

Each simulated day, each antenne's coordinators register neighbours (with generated personal data that
must never leave the antenne), take and match requests, record and confirm help, hold the permanence and
the monthly gathering, take gifts and grant pool hours, and now and then a member pauses, leaves or
changes their consent. The events are read from each antenne's outbox, as its relay would, and dated
the simulated day they happened. The same seed gives the same history.
"""

from __future__ import annotations

import contextlib
import random
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING
from uuid import UUID

from contracts.antenne.v1 import ActivityKind, Category, GrantReason, MemberStatus
from services.antenne.application import Antenne
from services.antenne.domain import AntenneError, Capacities, Consents, PersonalData, Profile
from services.antenne.outbox import read_outbox

if TYPE_CHECKING:
    from contracts.envelope import Envelope

MEMORY = {"PERSISTENCE_MODULE": "eventsourcing.popo"}
FIRST_NAMES = ("Maria", "Jean", "Fatima", "Ahmed", "Jeanine", "Luc", "Rosa", "Marc", "Aïcha", "Youssef",
               "Godelieve", "Amadou", "Ilse", "Karim", "Monique", "Stijn", "Nadia", "Driss")  # fmt: skip
LAST_NAMES = ("Peeters", "Claes", "Benali", "El Amrani", "Dubois", "Vermeulen", "Janssens", "Lambert",
              "Diallo", "Mertens", "Haddad", "Wouters", "Kowalski", "Maes", "Nkosi", "Goossens")  # fmt: skip
STREETS = ("Lakensestraat", "Rue Léopold Ier", "Kerkstraat", "Avenue de Jette", "Heembeeksestraat")
LANGUAGES = ("nl", "fr", "ar", "tr", "pl", "es", "en")
CATEGORIES = tuple(Category)


@dataclass(frozen=True)
class GeneratedMember:
    """A neighbour the history registered, with the personal data that must stay at their antenne."""

    antenne_id: str
    member_id: UUID
    personal: PersonalData


@dataclass
class History:
    """Every antenne's published events in chain order, and every member's personal data."""

    envelopes: list[Envelope] = field(default_factory=list)
    members: list[GeneratedMember] = field(default_factory=list)


@dataclass
class _Desk:
    antenne_id: str
    antenne: Antenne
    members: list[UUID] = field(default_factory=list)
    open_requests: list[tuple[UUID, UUID]] = field(default_factory=list)  # request, member
    matched: list[tuple[UUID, UUID, UUID, Category]] = field(default_factory=list)  # request, member, helper
    pending: list[tuple[UUID, UUID, UUID, int]] = field(default_factory=list)  # exchange, helper, recipient
    # What the coordinators know of balances from the help they confirmed (gifts and grants aside).
    balances: dict[UUID, int] = field(default_factory=dict)
    read_up_to: int = 0
    previous: int | None = None


def generate_history(
    seed: int, *, antennes: int = 3, days: int = 120, start: date = date(2026, 1, 5), daily: int = 4
) -> History:
    """A history of `antennes` antennes over `days` days; `daily` sets how busy each desk is."""
    rng = random.Random(seed)
    today = [start]
    desks = [_Desk(f"antenne-{n}", Antenne(env=MEMORY, today=lambda: today[0])) for n in range(antennes)]
    history = History()
    for day in range(days):
        today[0] = start + timedelta(days=day)
        for desk in desks:
            _a_day(desk, today[0], rng, daily, history)
            _drain(desk, today[0], history)
    return history


def _a_day(desk: _Desk, day: date, rng: random.Random, daily: int, history: History) -> None:
    for _ in range(rng.randint(0, daily)):
        # A refusal by the antenne's rules (an overdraft, a paused member) is an outcome, not a failure.
        with contextlib.suppress(AntenneError):
            _one_thing(desk, day, rng, history)
    if day.weekday() == 1 and desk.members:  # the Tuesday permanence
        desk.antenne.hold_session(ActivityKind.PERMANENCE, day, _some(desk.members, rng, 6))
    if day.day == 15 and desk.members:  # the monthly gathering
        desk.antenne.hold_session(ActivityKind.GATHERING, day, _some(desk.members, rng, 12), topic="Koffie")


def _some(members: list[UUID], rng: random.Random, most: int) -> list[UUID]:
    return rng.sample(members, min(len(members), rng.randint(1, most)))


def _one_thing(desk: _Desk, day: date, rng: random.Random, history: History) -> None:
    antenne, roll = desk.antenne, rng.random()
    if len(desk.members) < 6 or roll < 0.12:
        _register(desk, day, rng, history)
    elif roll < 0.3:
        member = rng.choice(desk.members)
        desk.open_requests.append(
            (antenne.take_request(member, rng.choice(CATEGORIES), description="Hulp"), member)
        )
    elif roll < 0.42 and desk.open_requests:
        request, member = desk.open_requests.pop(rng.randrange(len(desk.open_requests)))
        helper = rng.choice([m for m in desk.members if m != member])
        antenne.propose_helper(request, helper)
        antenne.accept_match(request, helper)
        desk.matched.append((request, member, helper, antenne.get_request(request).category))
    elif roll < 0.62:
        _record_help(desk, day, rng)
    elif roll < 0.8 and desk.pending:
        exchange, helper, recipient, quarters = desk.pending.pop(rng.randrange(len(desk.pending)))
        antenne.confirm_exchange(exchange)
        desk.balances[helper] = desk.balances.get(helper, 0) + quarters
        desk.balances[recipient] = desk.balances.get(recipient, 0) - quarters
    elif roll < 0.86:
        donor = rng.choice(desk.members)
        antenne.donate(donor, rng.randint(1, 4), to_member_id=rng.choice([None, rng.choice(desk.members)]))
    elif roll < 0.9:
        reason = rng.choice(list(GrantReason))
        antenne.grant_from_pool(rng.choice(desk.members), rng.randint(1, 4), reason, note="Vertrouwelijk")
    elif roll < 0.93:
        status = rng.choice([MemberStatus.PAUSED, MemberStatus.LEFT, MemberStatus.ACTIVE])
        antenne.change_status(rng.choice(desk.members), status)
    else:
        member = rng.choice(desk.members)
        antenne.change_consents(member, Consents(alliance_sharing=rng.random() < 0.7, newsletter=True))


def _record_help(desk: _Desk, day: date, rng: random.Random) -> None:
    quarters = rng.randint(1, 12)
    if desk.matched and rng.random() < 0.6:
        request, recipient, helper, category = desk.matched.pop(0)
        exchange = desk.antenne.record_exchange(
            helper, recipient, quarters, category, day, request_id=request
        )
    else:
        # Coordinators ask those who saved hours to receive and those in debt to give: balances stay
        # within the overdraft guard, as in a timebank that works.
        candidates = sorted(rng.sample(desk.members, 4), key=lambda m: desk.balances.get(m, 0))
        helper, recipient = candidates[0], candidates[-1]
        exchange = desk.antenne.record_exchange(helper, recipient, quarters, rng.choice(CATEGORIES), day)
    desk.pending.append((exchange, helper, recipient, quarters))


def _register(desk: _Desk, day: date, rng: random.Random, history: History) -> None:
    number = len(history.members)
    first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
    personal = PersonalData(
        display_name=f"{first} {last} {number}",
        phone=f"04{rng.randint(70, 99)} {rng.randint(10, 99)} {rng.randint(10, 99)} {number:04d}",
        email=f"{first.lower()}.{number}@voorbeeld.be",
        address=f"{rng.choice(STREETS)} {rng.randint(1, 200)}, bus {number}",
        birth_year=rng.randint(1930, 2004),
        heard_via=f"de bakker van het plein, buur nummer {number}",
        life_story=f"Werkte veertig jaar bij de post en woont alleen sinds {number}.",
        talents=f"Breit sjaals en kent elke straat ({number})",
        needs=f"Een lift naar het ziekenhuis, nu en dan ({number})",
    )
    capacities = Capacities(
        sector=f"sector-{rng.randint(1, 4)}",
        languages=tuple(rng.sample(LANGUAGES, rng.randint(1, 2))),
        gives=tuple(rng.sample(CATEGORIES, 2)),
        asks=tuple(rng.sample(CATEGORIES, 1)),
        isolated=rng.random() < 0.2,
    )
    consents = Consents(alliance_sharing=rng.random() < 0.8, newsletter=rng.random() < 0.5)
    member_id = desk.antenne.register_member(Profile(personal, capacities, consents), day)
    desk.members.append(member_id)
    history.members.append(GeneratedMember(desk.antenne_id, member_id, personal))


def _drain(desk: _Desk, day: date, history: History) -> None:
    # The day's events, as the relay reads them, dated at noon of the simulated day.
    occurred_at = datetime.combine(day, time(12), tzinfo=UTC)
    while True:
        batch = read_outbox(desk.antenne, desk.antenne_id, desk.read_up_to + 1, desk.previous, 500)
        for outgoing in batch.outgoing:
            history.envelopes.append(outgoing.envelope.model_copy(update={"time": occurred_at}))
            desk.previous = outgoing.position
        desk.read_up_to = batch.read_up_to
        if not batch.full:
            return
