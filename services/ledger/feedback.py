"""Feedback from the centre: the ledger's own decisions, relayed to the antennes they concern.

The ledger stores its decisions as its own events (a transfer credited or debited an account, an
overdraft flag was raised, a member got a new home). This outbox reads the ledger's notification log,
maps each decision to a contract of `contracts.ledger.decisions`, addresses it to one or more antennes
(`ledger.<antenne_id>.<type>`), and chains it after the previous decision sent to that antenne. The
`OutboxRelay` publishes them exactly as the antennes' relays publish theirs (decision 0003, 0010).

Adding a decision is one function here: decorate it with `@maps(SomeAggregate.SomeEvent)`; it receives
the stored event and a `LedgerLog` to read aggregates as they were at any version (it must not change
them), and returns the `Addressed` payloads (none when the event concerns no antenne). The contract goes
in `contracts/ledger/decisions.py` (and the registry). Each (addressee, event) gets its own message id.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol, TypeVar
from uuid import UUID

from eventsourcing.domain import Aggregate
from eventsourcing.persistence import Tracking

from contracts.envelope import wrap_ledger_decision
from contracts.ledger.decisions import BalanceChanged, MemberRehomed, OverdraftFlagged
from contracts.subjects import ledger_subject
from services.ledger.alliance import ClearingRun
from services.ledger.decisions import clearing_decision, transfer_decision
from services.ledger.domain import Account, OverdraftFlag, Transfer
from services.ledger.transfers import CrossTransfer
from services.messaging.relay import Batch, Outgoing

if TYPE_CHECKING:
    from collections.abc import Sequence

    from eventsourcing.domain import DomainEventProtocol

    from contracts.base import Contract
    from services.ledger.application import Ledger

# Tracking rows in the ledger's own table. A colon never appears in an antenne id, so these never mix
# with the antenne positions the ledger consumes: the last position published (to any antenne), and
# per addressee the last position published to it (`feedback:<antenne_id>`).
TRACKING_NAME = "feedback:*"
CHAIN_PREFIX = "feedback:"
MAX_FOLLOWED = 100_000  # accounts followed in memory while reading the log


@dataclass(frozen=True)
class Addressed:
    """A decision for one antenne."""

    antenne_id: str
    payload: Contract


class LedgerLog(Protocol):
    """What a mapping may read: any aggregate as it was at a version."""

    def at_version(self, aggregate_id: UUID, version: int) -> Any:
        """The aggregate right after its event number `version`."""


E = TypeVar("E")
Mapping = Callable[[Any, LedgerLog], list[Addressed]]
MAPPINGS: dict[type[Any], Mapping] = {}


def maps(event_class: type[E]) -> Callable[[Callable[[E, LedgerLog], list[Addressed]]], Mapping]:
    """Register the function that turns a stored ledger event into decisions for antennes."""

    def register(function: Callable[[E, LedgerLog], list[Addressed]]) -> Mapping:
        MAPPINGS[event_class] = function
        return function

    return register


def decisions_of(event: DomainEventProtocol[UUID], ledger: LedgerLog) -> list[Addressed]:
    """Every decision a stored ledger event carries, addressed; [] for internal events."""
    mapping = MAPPINGS.get(type(event))
    return mapping(event, ledger) if mapping is not None else []


def member_of(account_key: str) -> UUID | None:
    """The member id of a member account key, None for pools and other accounts."""
    prefix, _, rest = account_key.partition(":")
    return UUID(rest) if prefix == "member" else None


def _balance_changed(
    event: Account.Credited | Account.Debited, ledger: LedgerLog, sign: int
) -> list[Addressed]:
    account: Account = ledger.at_version(event.originator_id, event.originator_version)
    if account.home_antenne is None or not account.key.startswith(("member:", "pool:")):
        return []  # earmarks and accounts of members whose home is not known yet concern no antenne
    made: Transfer = ledger.at_version(event.transfer_id, 1)
    payload = BalanceChanged(
        account=account.key,
        member_id=member_of(account.key),
        home_antenne=account.home_antenne,
        balance_quarters=account.balance,
        change_quarters=sign * event.quarters,
        transfer_id=event.transfer_id,
        cause_type=made.cause.event_type,
        cause_antenne=made.cause.antenne_id,
        booked_at=event.timestamp,
    )
    return [Addressed(account.home_antenne, payload)]


@maps(Account.Credited)
def _credited(event: Account.Credited, ledger: LedgerLog) -> list[Addressed]:
    return _balance_changed(event, ledger, 1)


@maps(Account.Debited)
def _debited(event: Account.Debited, ledger: LedgerLog) -> list[Addressed]:
    return _balance_changed(event, ledger, -1)


@maps(OverdraftFlag.Raised)
def _flagged(event: OverdraftFlag.Raised, ledger: LedgerLog) -> list[Addressed]:
    payload = OverdraftFlagged(
        flag_id=event.originator_id,
        account=event.account_key,
        member_id=member_of(event.account_key),
        antenne_id=event.antenne_id,
        balance_quarters=event.balance,
        limit_quarters=event.limit,
        transfer_id=event.transfer_id,
        flagged_at=event.timestamp,
    )
    return [Addressed(event.antenne_id, payload)]


@maps(Account.HomeAssigned)
def _rehomed(event: Account.HomeAssigned, ledger: LedgerLog) -> list[Addressed]:
    before: Account = ledger.at_version(event.originator_id, event.originator_version - 1)
    member_id = member_of(before.key)
    if member_id is None:
        return []
    payload = MemberRehomed(
        member_id=member_id,
        from_antenne=before.home_antenne,
        to_antenne=event.antenne_id,
        balance_quarters=before.balance,  # a new home changes no balance
        rehomed_at=event.timestamp,
    )
    return [Addressed(event.antenne_id, payload)]


def _transfer_decided(event: Any, ledger: LedgerLog) -> list[Addressed]:
    """A two-phase transfer's decision, for the payer's and the payee's antennes (partners have theirs)."""
    made: CrossTransfer = ledger.at_version(event.originator_id, event.originator_version)
    payload = transfer_decision(made)
    antennes = dict.fromkeys(a for a in (made.payer.antenne, made.payee.antenne) if a is not None)
    return [Addressed(antenne_id, payload) for antenne_id in antennes]


for _decided in (
    CrossTransfer.Prepared,
    CrossTransfer.Refused,
    CrossTransfer.Committed,
    CrossTransfer.Released,
):
    maps(_decided)(_transfer_decided)


@maps(ClearingRun.Recorded)
def _cleared(event: ClearingRun.Recorded, ledger: LedgerLog) -> list[Addressed]:
    """A clearing run, for every antenne with a netted position in it."""
    run: ClearingRun = ledger.at_version(event.originator_id, 1)
    antennes = sorted({side.partition(":")[2] for p in run.positions for side in (p.payer, p.payee)
                       if side.startswith("antenne:")})  # fmt: skip
    return [Addressed(antenne_id, clearing_decision(run)) for antenne_id in antennes]


class LedgerOutbox:
    """The ledger's log as one chain per addressed antenne; positions in the ledger's tracking table."""

    def __init__(self, ledger: Ledger, *, replay: bool = False) -> None:
        self.ledger = ledger
        # `replay`: read the log from its start to publish it again, chaining in memory as first
        # published; nothing is looked up in, or recorded to, the tracking table.
        self.replay = replay
        self._chains: dict[str, int | None] = {}  # antenne -> last position published to it
        # Accounts as of the event being read, followed along the log: a mapping reads them here instead
        # of loading each from the store (measured: 12x faster, decision 0010).
        self._states: dict[UUID, Any] = {}
        # The transfers made in the section being read. A transfer's Made event is stored after the
        # postings it causes (same transaction), so they are taken from the whole section up front.
        self._made: dict[UUID, Transfer] = {}

    def resume(self) -> int | None:
        """The last position published; per-antenne chains are read again when first needed."""
        self._chains.clear()
        self._states.clear()
        return self.ledger.recorder.max_tracking_id(TRACKING_NAME)

    def at_version(self, aggregate_id: UUID, version: int) -> Any:
        """The aggregate right after its event number `version`: followed, or loaded (never the cache)."""
        made = self._made.get(aggregate_id)
        if made is not None and version == 1:
            return made
        state = self._states.get(aggregate_id)
        if state is not None and state.version == version:
            return state
        loaded: Any = self.ledger.repository.get(aggregate_id, version=version)
        if isinstance(loaded, Account):
            self._states[aggregate_id] = loaded  # followed from here on (a fresh copy, never the cache)
        elif isinstance(loaded, Transfer):
            self._made[aggregate_id] = loaded  # its other posting is read next
        return loaded

    def _follow(self, event: Any) -> None:
        """Bring the followed copy of the event's account or transfer to the event's version."""
        if not isinstance(event, Account.Event):
            return
        if len(self._states) > MAX_FOLLOWED:
            self._states.clear()  # a bound on memory; what is not followed is loaded
        state = self._states.get(event.originator_id)
        if isinstance(event, Aggregate.Created):  # an account opened, a transfer made
            self._states[event.originator_id] = event.mutate(None)
        elif state is not None and state.version == event.originator_version - 1:
            event.mutate(state)
        else:
            self._states.pop(event.originator_id, None)  # read from somewhere else: load when needed

    def read(self, start: int, limit: int) -> Batch:
        """The decisions in the next section of the ledger's log, chained per addressee."""
        notifications = self.ledger.recorder.select_notifications(start, limit)
        events: list[Any] = [self.ledger.mapper.to_domain_event(n) for n in notifications]
        self._made = {e.originator_id: _made(e) for e in events if isinstance(e, Transfer.Made)}
        outgoing: list[Outgoing] = []
        chains: dict[str, int | None] = {}
        for notification, event in zip(notifications, events, strict=True):
            self._follow(event)
            for addressed in decisions_of(event, self):
                if addressed.antenne_id not in chains:
                    chains[addressed.antenne_id] = self._chain(addressed.antenne_id)
                previous = chains[addressed.antenne_id]
                # At most one decision per antenne per event: positions only grow along a chain.
                if previous is not None and notification.id <= previous:
                    continue  # published before a crash, after its chain was recorded: done
                envelope = wrap_ledger_decision(
                    addressed.payload,
                    addressee=addressed.antenne_id,
                    aggregate_id=event.originator_id,
                    aggregate_version=event.originator_version,
                    occurred_at=event.timestamp,
                    position=notification.id,
                    previous_position=previous,
                )
                subject = ledger_subject(addressed.antenne_id, envelope.type)
                outgoing.append(Outgoing(notification.id, subject, envelope))
                chains[addressed.antenne_id] = notification.id
        if self.replay:
            self._chains.update(chains)
        read_up_to = notifications[-1].id if notifications else start - 1
        return Batch(outgoing, read_up_to, full=len(notifications) == limit)

    def record(self, acked: Sequence[Outgoing]) -> None:
        """Record, per addressee, the last position acknowledged, then the overall position."""
        last: dict[str, int] = {}
        for message in acked:
            last[_addressee(message)] = message.position
        # Chains first: after a crash in between, the overall position is behind and the relay reads
        # those events again, but skips what a chain says was already published.
        for antenne_id, position in last.items():
            self.ledger.recorder.insert_tracking(Tracking(CHAIN_PREFIX + antenne_id, position))
            self._chains[antenne_id] = position
        self.ledger.recorder.insert_tracking(Tracking(TRACKING_NAME, acked[-1].position))

    def last_notification_id(self) -> int:
        """The newest notification id in the ledger's log."""
        return self.ledger.recorder.max_notification_id() or 0

    def _chain(self, antenne_id: str) -> int | None:
        if antenne_id not in self._chains and not self.replay:
            self._chains[antenne_id] = self.ledger.recorder.max_tracking_id(CHAIN_PREFIX + antenne_id)
        return self._chains.get(antenne_id)


def _made(event: Transfer.Made) -> Transfer:
    made = event.mutate(None)
    assert made is not None  # a Created event always makes its aggregate
    return made


def _addressee(message: Outgoing) -> str:
    return message.subject.split(".", 2)[1]
