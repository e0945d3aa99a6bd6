"""N antennes, a stream, a ledger and a summary view in one process, driven step by step by one seed.

Every step is one thing happening: a coordinator's command at an antenne, a relay batch, a delivery to a
consumer, a duplicate redelivery, a partition starting or healing, a crash, the stream losing its tail,
an undecodable message. After every step the invariants are checked (`check_step`); after the network
heals and everything is delivered, the final ones (`check_final`).
"""

from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING
from uuid import UUID

from eventsourcing.application import LRUCache

from contracts.antenne.v1 import Category, ExchangeConfirmed
from services.antenne.application import Antenne
from services.antenne.domain import AntenneError
from services.antenne.outbound import to_envelope
from services.ledger.application import Ledger
from services.messaging.chain import decide
from services.reporting.consumer import SummarySink
from services.reporting.projection import Figures, change_for
from services.reporting.views import InMemorySummaryView
from simulation.consumer import Decide, SimConsumer
from simulation.network import Stream, Subscription
from simulation.relay import SimRelay

if TYPE_CHECKING:
    from services.messaging.consumer import EventSink
    from simulation.network import Message

SIMULATED_DAY = date(2026, 11, 20)
MEMORY = {"PERSISTENCE_MODULE": "eventsourcing.popo"}
CATEGORIES = list(Category)
GARBAGE = b'{"specversion": "1.0", "type": "exchange.confirmed", "data": {"quarters": '


class InvariantError(AssertionError):
    """An invariant of ../shared/domain.md does not hold."""


@dataclass(frozen=True)
class Shape:
    """How big and how hostile one seed's world is."""

    antennes: int
    commands: int
    loss: float  # chance a publish, an ack or a relay's record is lost
    reorder: float  # chance a consumer gets a later message first
    duplicate: float  # chance a step redelivers an acknowledged message
    partition: float  # chance a step cuts a relay or a consumer off
    crash: float  # chance a step crashes a relay or a consumer
    stream_loss: float  # chance a step loses the stream's newest messages

    @classmethod
    def of(cls, rng: random.Random) -> Shape:
        return cls(
            antennes=rng.randint(1, 4),
            commands=rng.randint(5, 60),
            loss=rng.choice([0.0, 0.05, 0.2]),
            reorder=rng.choice([0.0, 0.3, 0.8]),
            duplicate=rng.choice([0.0, 0.05, 0.2]),
            partition=rng.choice([0.0, 0.02, 0.1]),
            crash=rng.choice([0.0, 0.02, 0.1]),
            stream_loss=rng.choice([0.0, 0.0, 0.01]),
        )


@dataclass
class Desk:
    """One antenne: the real application in memory, its relay, and what the coordinator knows."""

    antenne_id: str
    antenne: Antenne
    relay: SimRelay
    members: list[UUID] = field(default_factory=list)
    pending: list[UUID] = field(default_factory=list)

    def command(self, rng: random.Random) -> str:
        """One use case at the desk; a refusal by the antenne's rules (invariant 6) is an outcome."""
        try:
            self._command(rng)
        except AntenneError as refusal:
            return f"refused: {type(refusal).__name__}"
        return "done"

    def _command(self, rng: random.Random) -> None:
        if len(self.members) < 2 or rng.random() < 0.15:
            self.members.append(self.antenne.register_member("Buur", SIMULATED_DAY))
        elif self.pending and rng.random() < 0.6:
            self.antenne.confirm_exchange(self.pending.pop(rng.randrange(len(self.pending))))
        else:
            helper, recipient = rng.sample(self.members, 2)
            quarters = rng.randint(1, 16)
            category = rng.choice(CATEGORIES)
            self.pending.append(
                self.antenne.record_exchange(helper, recipient, quarters, category, SIMULATED_DAY)
            )


@dataclass
class Endpoint:
    """A consumer with its subscription and whether the network currently reaches it."""

    consumer: SimConsumer
    subscription: Subscription = field(default_factory=Subscription)
    cut_off: bool = False


@dataclass
class World:
    """Everything one seed runs; `trace` records what happened, to compare replays of a seed."""

    seed: int
    decide: Decide = decide
    rng: random.Random = field(init=False)
    shape: Shape = field(init=False)
    now: float = 0.0
    desks: list[Desk] = field(default_factory=list)
    stream: Stream = field(default_factory=Stream)
    ledger: Ledger = field(init=False)
    view: InMemorySummaryView = field(default_factory=InMemorySummaryView)
    endpoints: list[Endpoint] = field(default_factory=list)
    relays_cut_off: set[str] = field(default_factory=set)
    garbage_sent: int = 0
    stream_lost: bool = False
    healing: bool = False  # once healing, no new partitions and no more losses of the stream
    steps: int = 0
    trace: list[str] = field(default_factory=list)
    _truth: dict[str, list[int]] = field(default_factory=dict)
    _figures: dict[str, Figures] = field(default_factory=lambda: defaultdict(Figures))
    _figured: int = 0
    _checked: tuple[int, ...] = ()
    crashes: int = 0
    _truth_read_up_to: dict[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.rng = random.Random(self.seed)
        self.shape = Shape.of(self.rng)
        self.ledger = Ledger(env=MEMORY)
        for number in range(self.shape.antennes):
            # The antenne's clock is the simulation's: a seed replays the same, whatever the real date.
            antenne = Antenne(env=MEMORY, today=lambda: SIMULATED_DAY)
            antenne_id = f"antenne-{number}"
            self.desks.append(Desk(antenne_id, antenne, SimRelay(antenne, antenne_id)))
        sinks: list[tuple[str, EventSink]] = [("ledger", self.ledger), ("reporting", SummarySink(self.view))]
        self.endpoints = [Endpoint(SimConsumer(name, sink, self.decide)) for name, sink in sinks]

    def run(self) -> None:
        """Run the seed: commands amid faults, then heal, deliver everything, and check the end state."""
        commands = 0
        while commands < self.shape.commands:
            before = len(self.trace)
            commands += self._step(allow_commands=True)
            if len(self.trace) > before:  # something happened
                self.check_step()
        self.heal()
        self.check_final()

    def close(self) -> None:
        self.ledger.close()
        for desk in self.desks:
            desk.antenne.close()

    # What can happen in a step.

    def _step(self, *, allow_commands: bool) -> int:
        self.steps += 1
        self.now += self.rng.expovariate(1 / 2.0)  # seconds between things happening
        roll = self.rng.random()
        if allow_commands and roll < 0.3:
            desk = self.rng.choice(self.desks)
            outcome = desk.command(self.rng)
            self._note(f"command at {desk.antenne_id}: {outcome}")
            return 1
        if roll < 0.55:
            self._relay_step(self.rng.choice(self.desks))
        elif roll < 0.9:
            self._deliver(self.rng.choice(self.endpoints))
        else:
            self._fault()
        return 0

    def _relay_step(self, desk: Desk) -> None:
        if desk.antenne_id in self.relays_cut_off:
            return
        crashed = desk.relay.step(self.stream, self.now, self.rng, self.shape.loss)
        self._note(f"relay {desk.antenne_id}{' crashed before recording' if crashed else ''}")

    def _deliver(self, endpoint: Endpoint) -> None:
        if endpoint.cut_off:
            return
        endpoint.subscription.take_new(self.stream)
        pending = endpoint.subscription.unacked
        if not pending:
            return
        # A fetch: one message, or several (runs go to the sink in one transaction), some out of order.
        size = min(len(pending), 1 if self.rng.random() < 0.5 else self.rng.randint(2, 8))
        if self.rng.random() < self.shape.reorder:
            batch = [pending[i] for i in self.rng.sample(range(len(pending)), size)]
        else:
            batch = pending[:size]
        acknowledged = endpoint.consumer.handle_batch(batch)
        for message, acked in zip(batch, acknowledged, strict=True):
            pending.remove(message)
            if acked and self.rng.random() >= self.shape.loss:
                endpoint.subscription.acked.append(message)
            else:  # a nak, or an ack lost on the way: JetStream delivers it again after the later ones
                pending.append(message)
        self._note(f"deliver {[m.sequence for m in batch]} to {endpoint.consumer.name}")

    def _fault(self) -> None:
        roll, shape = self.rng.random(), self.shape
        if roll < shape.duplicate:
            self._redeliver_acknowledged()
        elif self.healing:
            return
        elif roll < shape.duplicate + shape.partition:
            self._toggle_partition()
        elif roll < shape.duplicate + shape.partition + shape.crash:
            self._crash()
        elif (
            roll < shape.duplicate + shape.partition + shape.crash + shape.stream_loss
            and self.stream.messages
        ):
            lost = self.stream.lose_tail(self.rng.randint(1, min(10, len(self.stream.messages))))
            for endpoint in self.endpoints:
                endpoint.subscription.forget_lost(lost, self.stream)
            self.stream_lost = True
            self._note(f"stream lost {len(lost)} messages")
        elif roll < 0.05:
            self.stream.publish(f"garbage-{self.garbage_sent}", GARBAGE, self.now)
            self.garbage_sent += 1
            self._note("undecodable message published")

    def _redeliver_acknowledged(self) -> None:
        endpoint = self.rng.choice(self.endpoints)
        if endpoint.subscription.acked and not endpoint.cut_off:
            message = self.rng.choice(endpoint.subscription.acked)
            # A redelivered undecodable message would only be parked again.
            if message.data != GARBAGE and not endpoint.consumer.handle(message):
                raise InvariantError(f"{endpoint.consumer.name} waits for an event it already applied")
            self._note(f"redeliver {message.sequence} to {endpoint.consumer.name}")

    def _toggle_partition(self) -> None:
        if self.rng.random() < 0.5:
            antenne_id = self.rng.choice(self.desks).antenne_id
            self.relays_cut_off ^= {antenne_id}
            self._note(f"partition toggled for relay {antenne_id}")
        else:
            endpoint = self.rng.choice(self.endpoints)
            endpoint.cut_off = not endpoint.cut_off
            self._note(f"partition toggled for {endpoint.consumer.name}")

    def _crash(self) -> None:
        self.crashes += 1
        if self.rng.random() < 0.5:
            desk = self.rng.choice(self.desks)
            desk.relay.crash()
            self._note(f"relay {desk.antenne_id} crashed")
        else:
            endpoint = self.rng.choice(self.endpoints)
            endpoint.consumer.crash()
            endpoint.subscription.unacked.sort(
                key=lambda message: message.sequence
            )  # redelivered from the floor
            cache = self.ledger.repository.cache
            if endpoint.consumer.name == "ledger" and isinstance(cache, LRUCache):
                cache.clear()  # a restarted ledger loads its accounts from the store
            self._note(f"{endpoint.consumer.name} crashed")

    def heal(self) -> None:
        """The network heals, an operator republishes what a lost stream lacked, everything is delivered."""
        self.healing = True
        self.relays_cut_off.clear()
        for endpoint in self.endpoints:
            endpoint.cut_off = False
        if self.stream_lost:
            for desk in self.desks:
                desk.relay.republish(self.stream, self.now + 1e6, from_position=1)  # past the dedup window
            self._note("operator republished every antenne")
        for _ in range(100_000):
            if self._quiet():
                return
            before = len(self.trace)
            self._heal_step()
            if len(self.trace) > before:
                self.check_step()
        raise InvariantError("the federation did not converge after the network healed")

    def _heal_step(self) -> None:
        """Once healed, time goes to whoever has work; faults other than partitions and losses go on."""
        self.steps += 1
        self.now += self.rng.expovariate(1 / 2.0)
        busy_relays = [desk for desk in self.desks if desk.relay.backlog() > 0]
        busy_consumers = [endpoint for endpoint in self.endpoints if endpoint.subscription.unacked]
        roll = self.rng.random()
        if roll < 0.05:
            self._fault()
        elif busy_relays and (roll < 0.5 or not busy_consumers):
            self._relay_step(self.rng.choice(busy_relays))
        elif busy_consumers:
            self._deliver(self.rng.choice(busy_consumers))

    def _quiet(self) -> bool:
        if any(desk.relay.backlog() > 0 for desk in self.desks):
            return False
        for endpoint in self.endpoints:
            endpoint.subscription.take_new(self.stream)
            if endpoint.subscription.unacked:
                return False
        return True

    def _note(self, what: str) -> None:
        self.trace.append(f"{self.steps} t={self.now:.3f} {what}")

    # The invariants.

    def published(self) -> dict[str, list[int]]:
        """Each antenne's public positions, in order, read from its own store: the truth."""
        for desk in self.desks:
            positions = self._truth.setdefault(desk.antenne_id, [])
            start = self._truth_read_up_to.get(desk.antenne_id, 0) + 1
            for notification in desk.antenne.recorder.select_notifications(start, 1_000_000):
                event = desk.antenne.mapper.to_domain_event(notification)
                if to_envelope(
                    event, antenne_id=desk.antenne_id, position=notification.id, previous_position=None
                ):
                    positions.append(notification.id)
                self._truth_read_up_to[desk.antenne_id] = notification.id
        return self._truth

    def check_step(self) -> None:
        """Exactly once and in order (2, 3), conservation (1), the view equal to what was applied."""
        ledger, reporting = (endpoint.consumer for endpoint in self.endpoints)
        signature = (len(ledger.applied.envelopes), ledger.duplicates, len(reporting.applied.envelopes),
                     reporting.duplicates, self.crashes)  # fmt: skip
        if signature == self._checked:
            return  # nothing the invariants look at changed since the last check
        self._checked = signature
        truth = self.published()
        for endpoint in self.endpoints:
            for antenne_id, applied in endpoint.consumer.applied.positions.items():
                if applied != truth[antenne_id][: len(applied)]:
                    raise InvariantError(
                        f"{endpoint.consumer.name} applied {antenne_id} positions {applied}, "
                        f"not a prefix of the published {truth[antenne_id]}"
                    )
        audit = self.ledger.audit()
        if not audit.balanced:
            raise InvariantError(f"the ledger does not balance: {audit}")
        for envelope in reporting.applied.envelopes[self._figured :]:
            self._figures[envelope.antenneid] += change_for(envelope.payload())
        self._figured = len(reporting.applied.envelopes)
        if self.view.summary() != dict(sorted(self._figures.items())):
            raise InvariantError(
                f"the view {self.view.summary()} is not what was applied {dict(self._figures)}"
            )

    def check_final(self) -> None:
        """All published events applied by both; balances are the antennes' (5); rebuild equals live (7)."""
        truth = self.published()
        for endpoint in self.endpoints:
            applied = {a: p for a, p in endpoint.consumer.applied.positions.items() if p}
            if applied != {a: p for a, p in truth.items() if p}:
                raise InvariantError(f"{endpoint.consumer.name} applied {applied}, published {truth}")
            garbage = sum(1 for message in self.stream.messages if message.data == GARBAGE)
            if endpoint.consumer.parked.count(GARBAGE) < garbage:
                raise InvariantError(
                    f"{endpoint.consumer.name} lost an undecodable message instead of parking it"
                )
            if len(endpoint.consumer.parked) != endpoint.consumer.parked.count(GARBAGE):
                raise InvariantError(f"{endpoint.consumer.name} parked a valid event")
        confirmed = 0
        for desk in self.desks:
            for member_id in desk.members:
                if self.ledger.balance(member_id) != desk.antenne.balance(member_id):
                    raise InvariantError(f"member {member_id}: ledger and antenne {desk.antenne_id} disagree")
        for envelope in self.endpoints[0].consumer.applied.envelopes:
            payload = envelope.payload()
            if isinstance(payload, ExchangeConfirmed):
                confirmed += payload.quarters
        audit = self.ledger.audit()
        if audit.confirmed_quarters != confirmed or not audit.balanced:
            raise InvariantError(f"ledger audit {audit} against {confirmed} confirmed quarters")
        if self.view.summary() != self._rebuilt():
            raise InvariantError(
                f"rebuilt view {self._rebuilt()} differs from the live view {self.view.summary()}"
            )

    def _rebuilt(self) -> dict[str, Figures]:
        """A fresh view fed the stream in order until nothing is left (a gap waits for later messages)."""
        view = InMemorySummaryView()
        consumer = SimConsumer("rebuild", SummarySink(view), self.decide)
        pending: list[Message] = list(self.stream.messages)
        while pending:
            remaining = [message for message in pending if not consumer.handle(message)]
            if len(remaining) == len(pending):
                raise InvariantError(
                    f"the rebuild is stuck: {len(remaining)} messages wait for a missing one"
                )
            pending = remaining
        return view.summary()
