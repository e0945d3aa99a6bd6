"""Work at the permanence desks, sent over HTTP whatever is down; and the truth read back from the stores."""

from __future__ import annotations

import random
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING
from uuid import UUID

import httpx

from contracts.antenne.v1 import Category, ExchangeConfirmed, ExchangeRecorded, MemberRegistered
from services.antenne.application import Antenne
from services.antenne.outbound import to_envelope
from services.persistence import eventsourcing_env
from services.reporting.projection import Figures
from tests.support.dates import RECENT_ISO

if TYPE_CHECKING:
    from contracts.envelope import Envelope
    from tests.faults.federation import Service

CATEGORIES = [category.value for category in Category]


@dataclass
class Desk:
    """What the generator knows of one antenne: the members and the exchanges still to confirm."""

    antenne_id: str
    service: Service
    token: str
    members: list[str] = field(default_factory=list)
    pending: list[str] = field(default_factory=list)
    client: httpx.Client = field(init=False)

    def __post_init__(self) -> None:
        self.client = httpx.Client(
            base_url=self.service.url, headers={"Authorization": f"Bearer {self.token}"}, timeout=5
        )

    def next_request(self, rng: random.Random) -> bool:
        """Send one request; True if the antenne stored a public event (a refusal or a crash: False)."""
        try:
            if len(self.members) < 12 or rng.random() < 0.05:
                return self._register()
            if self.pending and rng.random() < 0.6:
                return self._confirm(self.pending.pop(rng.randrange(len(self.pending))))
            return self._record(rng)
        except httpx.TransportError:
            return False  # killed mid-request: the store says later whether it was written

    def _register(self) -> bool:
        response = self.client.post("/api/v1/members", json={"display_name": "Buur"})
        if response.status_code != 201:
            return False
        self.members.append(response.json()["member_id"])
        return True

    def _record(self, rng: random.Random) -> bool:
        helper, recipient = rng.sample(self.members, 2)
        body = {"helper_id": helper, "recipient_id": recipient, "quarters": rng.randint(1, 16),
                "category": rng.choice(CATEGORIES), "performed_on": RECENT_ISO}  # fmt: skip
        response = self.client.post("/api/v1/exchanges", json=body)
        if response.status_code != 201:
            return False
        self.pending.append(response.json()["exchange_id"])
        return True

    def _confirm(self, exchange_id: str) -> bool:
        try:
            response = self.client.post(f"/api/v1/exchanges/{exchange_id}/confirm")
        except httpx.TransportError:
            self.pending.append(exchange_id)  # maybe confirmed, maybe not: ask again later
            raise
        if response.status_code >= 500:
            self.pending.append(exchange_id)
        return response.status_code == 200


@dataclass
class Truth:
    """What the federation must show, computed from the published events themselves."""

    events: Counter[str] = field(default_factory=Counter)  # antenne -> public events
    last_position: dict[str, int] = field(default_factory=dict)
    figures: dict[str, Figures] = field(default_factory=dict)
    balances: dict[UUID, int] = field(default_factory=lambda: defaultdict(int))
    members: set[UUID] = field(default_factory=set)

    def add(self, envelope: Envelope) -> None:
        """Count one published event."""
        antenne_id, payload = envelope.antenneid, envelope.payload()
        self.events[antenne_id] += 1
        self.last_position[antenne_id] = envelope.position
        change = Figures()
        if isinstance(payload, MemberRegistered):
            self.members.add(payload.member_id)
            change = Figures(members=1)
        elif isinstance(payload, ExchangeRecorded):
            change = Figures(exchanges_recorded=1)
        elif isinstance(payload, ExchangeConfirmed):
            self.balances[payload.helper_id] += payload.quarters
            self.balances[payload.recipient_id] -= payload.quarters
            change = Figures(exchanges_confirmed=1, quarters_confirmed=payload.quarters)
        self.figures[antenne_id] = self.figures.get(antenne_id, Figures()) + change

    @property
    def confirmed_quarters(self) -> int:
        return sum(figures.quarters_confirmed for figures in self.figures.values())


def read_store(antenne_id: str, database_url: str, truth: Truth) -> dict[UUID, int]:
    """Add an antenne's public events, read from its own store, to `truth`; returns its own balances."""
    with Antenne(env=eventsourcing_env(database_url)) as antenne:
        previous: int | None = None
        members = []
        for notification in antenne.recorder.select_notifications(1, 10_000_000):
            domain_event = antenne.mapper.to_domain_event(notification)
            envelope = to_envelope(
                domain_event, antenne_id=antenne_id, position=notification.id, previous_position=previous
            )
            if envelope is not None:
                truth.add(envelope)
                previous = notification.id
                if envelope.type == MemberRegistered.TYPE:
                    members.append(envelope.aggregateid)
        return {member: antenne.balance(member) for member in members}
