"""The ledger application: takes in every antenne's events exactly once and books them double entry."""

from __future__ import annotations

import contextlib
import logging
import threading
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any, ClassVar
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError, Application, ProcessingEvent
from eventsourcing.domain import Aggregate, Snapshot
from eventsourcing.persistence import IntegrityError, JSONTranscoder, ProcessRecorder
from eventsourcing.utils import get_topic

from contracts.antenne.v1 import (
    ExchangeConfirmed,
    ExchangeReversed,
    MemberMovedIn,
    MemberRegistered,
    OpeningBalanceRecorded,
)
from contracts.ledger.transfers import RejectReason, TransferFulfilled, TransferRejected, TransferRequested
from contracts.ledger.v1 import HourStatement
from services.ledger.alliance import (
    Alliance,
    ClearingRun,
    SettlementStatement,
    flow_of,
    net_positions,
    settlement_statement,
    statement_line,
)
from services.ledger.desk import Step, TransferDesk
from services.ledger.domain import (
    Account,
    AccountNotFoundError,
    Cause,
    Feed,
    LedgerError,
    OverdraftFlag,
    OverdraftPolicy,
    Transfer,
    account_id,
    feed_id,
    member_key,
    opening_key,
    transfer,
)
from services.ledger.moves import PostingAfterMoveFlag
from services.ledger.postings import PlannedTransfer, planned_transfer
from services.ledger.statement import Movement, Statement, build_statement
from services.ledger.transfers import (
    DEFAULT_EXPIRY,
    CrossTransfer,
    TransferNotFoundError,
    TransferState,
    clearing_key,
)
from services.messaging.tracking import TRACKINGS, batch_process_recorder, positions_of
from services.persistence import DateAsISO

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

    from eventsourcing.domain import MutableOrImmutableAggregate

    from contracts.base import Contract
    from contracts.envelope import Envelope

log = logging.getLogger(__name__)

STATEMENT_ISSUER = "Het BuurtPensioen federation ledger"


@dataclass(frozen=True)
class AntenneIntake:
    """What the ledger took in from one antenne."""

    events_applied: int
    last_position: int | None
    confirmed_quarters: int
    opening_quarters: int = 0  # net opening balances imported (positive: hours members brought in)


@dataclass(frozen=True)
class Audit:
    """Invariant 1 checked on the books: accounts sum to zero, credits equal confirmed help, and the
    opening accounts hold exactly the counterpart of the opening balances imported."""

    accounts: int
    sum_of_accounts: int
    credited_by_exchanges: int
    confirmed_quarters: int
    antennes: dict[str, AntenneIntake]
    opening_quarters: int = 0  # net opening balances booked to members, from the transfers
    sum_of_opening_accounts: int = 0  # the balances of the `opening:<antenne>` accounts themselves

    @property
    def balanced(self) -> bool:
        """Whether the books balance."""
        return (
            self.sum_of_accounts == 0
            and self.credited_by_exchanges == self.confirmed_quarters
            and self.sum_of_opening_accounts == -self.opening_quarters
        )


@dataclass
class _LogIndex:
    """Which accounts and feeds exist, and what exchanges credited, as read from the ledger's own log."""

    topics: tuple[str, ...] = (
        get_topic(Account.Opened),
        get_topic(Feed.Started),
        get_topic(Transfer.Made),
        get_topic(OverdraftFlag.Raised),
        get_topic(CrossTransfer.Requested),
        get_topic(ClearingRun.Recorded),
        get_topic(PostingAfterMoveFlag.Raised),
    )
    read_up_to: int = 0
    account_ids: list[UUID] = field(default_factory=list)
    feed_ids: list[UUID] = field(default_factory=list)
    flag_ids: list[UUID] = field(default_factory=list)
    flags_by_antenne: dict[str, int] = field(default_factory=dict)  # so counting them loads none
    cross_ids: list[UUID] = field(default_factory=list)
    run_ids: list[UUID] = field(default_factory=list)
    moved_away_flag_ids: list[UUID] = field(default_factory=list)
    credited_by_exchanges: int = 0
    opened_by_antenne: dict[str, int] = field(default_factory=dict)  # net opening balances per antenne

    def catch_up(self, ledger: Ledger, section_size: int = 1000) -> None:
        """Read the log past where this index last stopped."""
        while True:
            notifications = ledger.recorder.select_notifications(
                start=self.read_up_to + 1, limit=section_size, topics=self.topics
            )
            for notification in notifications:
                self._index(ledger.mapper.to_domain_event(notification))
                self.read_up_to = notification.id
            if len(notifications) < section_size:
                return

    def _index(self, event: Any) -> None:
        if isinstance(event, Account.Opened):
            self.account_ids.append(event.originator_id)
        elif isinstance(event, Feed.Started):
            self.feed_ids.append(event.originator_id)
        elif isinstance(event, OverdraftFlag.Raised):
            self.flag_ids.append(event.originator_id)
            self.flags_by_antenne[event.antenne_id] = self.flags_by_antenne.get(event.antenne_id, 0) + 1
        elif isinstance(event, CrossTransfer.Requested):
            self.cross_ids.append(event.originator_id)
        elif isinstance(event, ClearingRun.Recorded):
            self.run_ids.append(event.originator_id)
        elif isinstance(event, PostingAfterMoveFlag.Raised):
            self.moved_away_flag_ids.append(event.originator_id)
        elif isinstance(event, Transfer.Made) and event.cause_type == ExchangeConfirmed.TYPE:
            self.credited_by_exchanges += event.quarters
        elif isinstance(event, Transfer.Made) and event.cause_type == ExchangeReversed.TYPE:
            self.credited_by_exchanges -= event.quarters
        elif isinstance(event, Transfer.Made) and event.cause_type == OpeningBalanceRecorded.TYPE:
            antenne = event.cause_antenne_id
            # From the opening account: hours the member brought; to it: hours the member owed.
            brought = event.debit_account_id == account_id(opening_key(antenne))
            change = event.quarters if brought else -event.quarters
            self.opened_by_antenne[antenne] = self.opened_by_antenne.get(antenne, 0) + change


class Ledger(Application[UUID]):
    """The central ledger: an `EventSink` for the chain consumer, and balance and audit queries."""

    # One process writes the ledger, so cached aggregates are current: no fast-forward query per load.
    # Room for every account of Brussels (25,000) and the feeds: accounts are small (80 MB peak either way
    # in `bench.scale`), and a miss reloads up to 100 events: 20,000 entries cost 24 % more CPU per event.
    env: ClassVar[dict[str, str]] = {
        "AGGREGATE_CACHE_MAXSIZE": "50000",
        "AGGREGATE_CACHE_FASTFORWARD": "n",
    }
    # Accounts and feeds live for years: load them from a recent snapshot, not from their first event.
    snapshotting_intervals: ClassVar[dict[type[MutableOrImmutableAggregate[Any]], int]] = {
        Account: 100,
        Feed: 100,
    }

    def __init__(
        self,
        env: dict[str, str] | None = None,
        *,
        overdraft: OverdraftPolicy | None = None,
        alliance: Alliance | None = None,
        expiry: timedelta = DEFAULT_EXPIRY,
    ) -> None:
        super().__init__(env)
        self.overdraft = overdraft or OverdraftPolicy()
        self.alliance = alliance or Alliance()
        self.recorder: ProcessRecorder
        # The consumer writes while API threads read: a read must never put a stale copy in the cache.
        self._lock = threading.RLock()
        self._index = _LogIndex()
        self._touched: set[UUID] = set()  # what the run being booked took from the cache
        self._run: ProcessingEvent[UUID] | None = None  # the run being booked, for the desk's loads
        self.desk = TransferDesk(_LedgerBooks(self), self.overdraft, self.alliance, expiry)

    def close(self) -> None:
        """Close the store once the event being applied, if any, is committed."""
        with self._lock:
            super().close()

    def register_transcodings(self, transcoder: JSONTranscoder) -> None:
        """Dates (the day a movement counts from) are stored as ISO text."""
        super().register_transcodings(transcoder)
        transcoder.register(DateAsISO())

    def construct_recorder(self) -> ProcessRecorder:
        """A recorder that stores each antenne's position with the events, in one transaction."""
        return batch_process_recorder(self.factory)

    def last_position(self, antenne_id: str) -> int | None:
        """The last position of this antenne applied, or None."""
        return self.recorder.max_tracking_id(antenne_id)

    def apply(self, envelope: Envelope, payload: Contract) -> bool:
        """Book the event and record its position atomically; False if it was already applied."""
        return self.apply_all([(envelope, payload)])[0]

    def apply_all(self, events: Sequence[tuple[Envelope, Contract]]) -> list[bool]:
        """Book a run of events (each antenne's in chain order) in one transaction with their positions.

        Per event, whether it was new. If the store refuses the run (another writer, a position already
        recorded), nothing of it is written and each event is applied on its own, which tells a duplicate
        from a conflict.
        """
        with self._lock:
            processing = ProcessingEvent[UUID]()
            # Aggregates are changed in place, not copied from the cache: whatever fails, forget them.
            self._touched.clear()
            try:
                self._run = processing
                try:
                    taken = [self._take(envelope, payload, processing) for envelope, payload in events]
                finally:
                    self._run = None
                runs = [(e.antenneid, e.position) for (e, _), new in zip(events, taken, strict=True) if new]
                if runs:
                    processing.collect_events(**{TRACKINGS: positions_of(runs)})
                    self._record(processing)
            except IntegrityError:
                self._forget(self._touched)
                if len(events) == 1:
                    envelope = events[0][0]
                    if self.recorder.has_tracking_id(envelope.antenneid, envelope.position):
                        return [False]
                    raise
                return [self.apply(envelope, payload) for envelope, payload in events]
            except BaseException:
                self._forget(self._touched)
                raise
            try:
                self._take_snapshots(processing)
            except Exception:  # the events are committed; a missing snapshot only costs a longer load
                log.exception("ledger could not snapshot after %s", runs[-1])
            return taken

    def _take(self, envelope: Envelope, payload: Contract, processing: ProcessingEvent[UUID]) -> bool:
        """Book one event into `processing` (not yet stored); False if its feed already took it."""
        feed = self._feed(envelope.antenneid, processing)
        if feed.has_taken(envelope.position):
            return False
        feed.take(envelope.position, envelope.previousposition, envelope.type, _net_confirmed(payload))
        _collect(processing, feed)
        if isinstance(payload, MemberRegistered | MemberMovedIn):
            self._home_member(payload.member_id, envelope.antenneid, processing)
        planned = planned_transfer(payload, envelope.antenneid)
        if planned is not None:
            self._book(planned, envelope, processing)
        step = self._chain_step(payload, envelope)
        if step is not None:
            _collect(processing, *step.changed)
        # Other events (ExchangeRecorded, ...) move no credits; the feed still takes them in.
        return True

    def _chain_step(self, payload: Contract, envelope: Envelope) -> Step | None:
        """A transfer request or answer an antenne put in its chain, decided at the event's time."""
        by, now = f"antenne:{envelope.antenneid}", envelope.time
        try:
            if isinstance(payload, TransferRequested):
                return self.desk.request(payload, by, now)
            if isinstance(payload, TransferFulfilled):
                return self.desk.fulfil(payload.transfer_id, by, now)
            if isinstance(payload, TransferRejected):
                return self.desk.reject(payload.transfer_id, by, payload.reason, now)
        except TransferNotFoundError:
            # An answer that came before the request it answers (another antenne's or a partner's stream,
            # as in a rebuild): not taken in yet, the consumer tries it again, in this antenne's order.
            raise
        except LedgerError as error:
            # Taken in (the chain moves on) but not acted on: logged for an operator, never dropped unseen.
            log.error("%s at position %d: %s", envelope.antenneid, envelope.position, error)
        return None

    def balance(self, member_id: UUID) -> int:
        """A member's balance in quarter hours; AccountNotFoundError if the ledger never saw them."""
        with self._lock:
            try:
                account: Account = self._read(account_id(member_key(member_id)))
            except AggregateNotFoundError:
                raise AccountNotFoundError(member_id) from None
            return account.balance

    def statement(self, member_id: UUID, as_of: date | None = None) -> Statement:
        """Every movement on a member's account with the running balance, up to `as_of` if given."""
        with self._lock:
            key = account_id(member_key(member_id))
            try:
                account: Account = self._read(key)
            except AggregateNotFoundError:
                raise AccountNotFoundError(member_id) from None
            movements = [self._movement(event) for event in self.events.get(key)]
        return build_statement(
            member_id, account.home_antenne, [m for m in movements if m is not None], as_of
        )

    def hour_statement(self, member_id: UUID, as_of: date, issued_at: datetime) -> HourStatement:
        """The portable summary of a member's hours as of a day, ready to be signed."""
        statement = self.statement(member_id, as_of)
        return HourStatement(
            member_id=member_id,
            home_antenne=statement.home_antenne,
            as_of=as_of,
            balance_quarters=statement.balance,
            earned_quarters=statement.earned,
            spent_quarters=statement.spent,
            issued_at=issued_at,
            issuer=STATEMENT_ISSUER,
        )

    # Two-phase transfers: the use cases of the partner API and of coordinators (docs/ledger.md).

    def request_transfer(self, request: TransferRequested, requested_by: str, now: datetime) -> CrossTransfer:
        """The payer's side asks to move hours to another party's member: held or refused at once."""
        with self._lock:
            return self._save_step(self.desk.request(request, requested_by, now))

    def fulfil_transfer(self, transfer_id: UUID, by: str, now: datetime) -> CrossTransfer:
        """The payee's side accepts: committed (or released if the hold expired)."""
        with self._lock:
            return self._save_step(self.desk.fulfil(transfer_id, by, now))

    def reject_transfer(
        self, transfer_id: UUID, by: str, reason: RejectReason, now: datetime
    ) -> CrossTransfer:
        """The payee's side declines: released back to the payer."""
        with self._lock:
            return self._save_step(self.desk.reject(transfer_id, by, reason, now))

    def expire_holds(self, now: datetime) -> list[CrossTransfer]:
        """Release every hold past its expiry; one save per transfer."""
        with self._lock:
            self._index.catch_up(self)
            return [
                self._save_step(self.desk.expire(transfer_id, now)) for transfer_id in self.desk.expired(now)
            ]

    def cross_transfer(self, transfer_id: UUID) -> CrossTransfer:
        """One two-phase transfer as it stands."""
        with self._lock:
            made = self.desk.books.cross_transfer(transfer_id)
            if made is None:
                raise TransferNotFoundError(transfer_id)
            return made

    def cross_transfers(self) -> list[CrossTransfer]:
        """Every two-phase transfer, in the order they were asked for."""
        with self._lock:
            self._index.catch_up(self)
            return [self._read(i) for i in self._index.cross_ids]

    def partner_position(self, partner_id: str) -> int:
        """A partner's net position: positive when the partner's side owes BuurtPensioen."""
        self.alliance.agreement(partner_id)
        with self._lock:
            clearing = self.desk.books.account(clearing_key(partner_id))
            return clearing.balance if clearing is not None else 0

    def settlement(self, partner_id: str, month: str) -> SettlementStatement:
        """A partner's monthly settlement statement: committed transfers and the positions around them."""
        self.alliance.agreement(partner_id)
        lines = [line for made in self.cross_transfers() if (line := statement_line(made, partner_id))]
        return settlement_statement(partner_id, month, lines)

    def run_clearing(self, now: datetime) -> ClearingRun:
        """Net every bilateral position committed since the last run and record it, with warnings."""
        with self._lock:
            runs = self.clearing_runs()
            if runs and runs[-1].period_end >= now:
                return runs[-1]
            cleared = {transfer_id for run in runs for transfer_id in run.transfer_ids}
            committed = [made for made in self.cross_transfers()
                         if made.state is TransferState.COMMITTED and made.id not in cleared]  # fmt: skip
            positions = {a.partner_id: self.partner_position(a.partner_id) for a in self.alliance.agreements}
            run = ClearingRun(
                period_end=now,
                period_start=runs[-1].period_end if runs else None,
                positions=[p.model_dump(mode="json") for p in net_positions(flow_of(m) for m in committed)],
                partner_positions=positions,
                warnings=[w.model_dump(mode="json") for w in self.alliance.warnings(positions)],
                transfer_ids=[made.id for made in committed],
            )
            self.save(run)
            for warning in run.warnings:
                log.warning("clearing: partner %s at %d of its limit %d", warning.partner,
                            warning.position, warning.limit)  # fmt: skip
            return run

    def clearing_runs(self) -> list[ClearingRun]:
        """Every clearing run, oldest first."""
        with self._lock:
            self._index.catch_up(self)
            return [self._read(i) for i in self._index.run_ids]

    def _save_step(self, step: Step) -> CrossTransfer:
        if step.changed:
            try:
                self.save(*step.changed)
            except IntegrityError:
                self._forget({aggregate.id: aggregate for aggregate in step.changed})
                raise
        return step.transfer

    def _movement(self, event: Any) -> Movement | None:
        if not isinstance(event, Account.Credited | Account.Debited):
            return None
        made: Transfer = self._read(event.transfer_id)
        sign = 1 if isinstance(event, Account.Credited) else -1
        return Movement(
            on=made.counts_from,
            quarters=sign * event.quarters,
            kind=made.cause.event_type,
            transfer_id=event.transfer_id,
            sequence=event.originator_version,
        )

    def flags(self) -> list[OverdraftFlag]:
        """Every overdraft breach the ledger flagged, oldest first."""
        with self._lock:
            self._index.catch_up(self)
            return [self._read(i) for i in self._index.flag_ids]

    def flag_counts(self) -> dict[str, int]:
        """How many overdraft breaches were flagged per antenne, without reading the flags."""
        with self._lock:
            self._index.catch_up(self)
            return dict(self._index.flags_by_antenne)

    def moved_away_flags(self) -> list[PostingAfterMoveFlag]:
        """Every posting a member's former home caused after they moved away, oldest first."""
        with self._lock:
            self._index.catch_up(self)
            return [self._read(i) for i in self._index.moved_away_flag_ids]

    def audit(self) -> Audit:
        """Sum the accounts themselves and compare what exchanges credited with what antennes confirmed."""
        with self._lock:
            self._index.catch_up(self)
            accounts: list[Account] = [self._read(i) for i in self._index.account_ids]
            feeds: list[Feed] = [self._read(i) for i in self._index.feed_ids]
            opened = self._index.opened_by_antenne
            return Audit(
                accounts=len(accounts),
                sum_of_accounts=sum(account.balance for account in accounts),
                credited_by_exchanges=self._index.credited_by_exchanges,
                confirmed_quarters=sum(feed.confirmed_quarters for feed in feeds),
                antennes={
                    feed.antenne_id: AntenneIntake(
                        events_applied=feed.events_taken,
                        last_position=self.last_position(feed.antenne_id),
                        confirmed_quarters=feed.confirmed_quarters,
                        opening_quarters=opened.get(feed.antenne_id, 0),
                    )
                    for feed in feeds
                },
                opening_quarters=sum(opened.values()),
                sum_of_opening_accounts=sum(a.balance for a in accounts if a.key.startswith("opening:")),
            )

    def _read(self, aggregate_id: UUID) -> Any:
        # Queries do not change what they load, so they may share the cached object.
        return self.repository.get(aggregate_id, deepcopy_from_cache=False)

    def _home_member(self, member_id: UUID, antenne_id: str, processing: ProcessingEvent[UUID]) -> None:
        """A member registered at, or moved to, this antenne: the account (for life) learns its home."""
        account = self._get_or_open(member_key(member_id), processing, home_antenne=antenne_id)
        account.assign_home(antenne_id)
        _collect(processing, account)

    def _book(self, planned: PlannedTransfer, envelope: Envelope, processing: ProcessingEvent[UUID]) -> None:
        """Make the transfer an event calls for, post both sides, and flag a breach it causes."""
        debited = self._get_or_open(planned.debit, processing, home_antenne=_home_of(planned.debit, envelope))
        credited = (
            debited
            if planned.credit == planned.debit
            else self._get_or_open(
                planned.credit, processing, home_antenne=_home_of(planned.credit, envelope)
            )
        )
        cause = Cause(envelope.id, envelope.antenneid, envelope.position, envelope.type)
        made = transfer(
            planned.quarters, debit=debited, credit=credited, cause=cause, counts_from=planned.counts_from
        )
        _collect(processing, debited, credited)
        _collect_uncached(processing, made)
        for account in {debited.id: debited, credited.id: credited}.values():
            if account.moved_away_from(envelope.antenneid):
                assert account.home_antenne is not None
                flag = PostingAfterMoveFlag(account.key, made.id, envelope.antenneid, account.home_antenne)
                _collect_uncached(processing, flag)
                log.warning("%s posted %s for %s, who moved to %s", envelope.antenneid, made.id, account.key,
                            account.home_antenne)  # fmt: skip
        if self.overdraft.is_breached_by(debited, envelope.antenneid):
            # Recorded offline or beyond what the antenne checked: the fact stands, coordinators review it.
            limit = self.overdraft.limit_for(debited, envelope.antenneid)
            beyond = self.overdraft.is_beyond_allowance(debited, envelope.antenneid)
            _collect(
                processing,
                OverdraftFlag(debited.key, made.id, envelope.antenneid, debited.balance, limit, beyond),
            )
            log.warning(
                "overdraft: %s at %d, below -%d after %s", debited.key, debited.balance, limit, made.id
            )

    def _get_or_open(
        self, key: str, processing: ProcessingEvent[UUID], home_antenne: str | None = None
    ) -> Account:
        """The account (as the run being booked left it), opened now if unknown (also for a member whose
        antenne's events have not arrived)."""
        try:
            account: Account = self._current(account_id(key), processing)
        except AggregateNotFoundError:
            return Account(key=key, home_antenne=home_antenne)
        return account

    def _feed(self, antenne_id: str, processing: ProcessingEvent[UUID]) -> Feed:
        try:
            feed: Feed = self._current(feed_id(antenne_id), processing)
        except AggregateNotFoundError:
            return Feed(antenne_id=antenne_id)
        return feed

    def _current(self, aggregate_id: UUID, processing: ProcessingEvent[UUID]) -> Any:
        """The aggregate as changed by the run being booked, else as stored: the cached object itself (a
        deep copy per load was a sixth of a replay's time), forgotten if the run is not recorded."""
        changed = processing.aggregates.get(aggregate_id)
        if changed is not None:
            return changed
        self._touched.add(aggregate_id)
        return self.repository.get(aggregate_id, deepcopy_from_cache=False)

    def _load_for_desk(self, aggregate_id: UUID) -> Any:
        """What the transfer desk may change: during a run, the aggregate as the run left it (the same
        object the run books on); otherwise a copy of the stored one."""
        if self._run is not None:
            return self._current(aggregate_id, self._run)
        return self.repository.get(aggregate_id)

    def _take_snapshots(self, processing: ProcessingEvent[UUID]) -> None:
        """Snapshot each aggregate whose new events crossed a multiple of its interval, as it now is (a
        snapshot at any version is valid), all in one write instead of a load and a commit each."""
        crossed: dict[UUID, Any] = {}
        for event in processing.events:
            aggregate = processing.aggregates.get(event.originator_id)
            interval = self.snapshotting_intervals.get(type(aggregate)) if aggregate is not None else None
            if interval and event.originator_version % interval == 0:
                crossed[event.originator_id] = aggregate
        if crossed and self.snapshots is not None:
            self.snapshots.put([_snapshot_of(aggregate) for aggregate in crossed.values()])

    def _forget(self, aggregates: Iterable[UUID]) -> None:
        cache = self.repository.cache
        if cache is None:
            return
        for aggregate_id in aggregates:
            with contextlib.suppress(KeyError):
                cache.get(aggregate_id, evict=True)


def _collect(processing: ProcessingEvent[UUID], *aggregates: Aggregate) -> None:
    """`processing.collect_events(*aggregates)` without its per-object protocol checks (`isinstance` on a
    runtime-checkable Protocol was a fifth of a replay's time): these are always aggregates."""
    for aggregate in aggregates:
        processing.events.extend(aggregate.collect_events())
        processing.aggregates[aggregate.id] = aggregate


def _snapshot_of(aggregate: Any) -> Any:
    return getattr(type(aggregate), "Snapshot", Snapshot).take(aggregate)


def _collect_uncached(processing: ProcessingEvent[UUID], *aggregates: Aggregate) -> None:
    """Store their events but keep them out of the aggregate cache: a transfer or a flag is written once
    and rarely read, and caching one per exchange evicted the accounts the next events need."""
    for aggregate in aggregates:
        processing.events.extend(aggregate.collect_events())


def _net_confirmed(payload: Contract) -> int:
    """What an event adds to the quarter hours an antenne confirmed: a reversal takes them back."""
    if isinstance(payload, ExchangeConfirmed):
        return payload.quarters
    if isinstance(payload, ExchangeReversed):
        return -payload.quarters
    return 0


def _home_of(key: str, envelope: Envelope) -> str | None:
    """The home antenne of an account opened for this event: a pool belongs to the event's antenne."""
    return envelope.antenneid if key.startswith("pool:") else None


class _LedgerBooks:
    """The desk's view of the ledger's books: the aggregates it may change (see `Ledger._load_for_desk`)."""

    def __init__(self, ledger: Ledger) -> None:
        self._ledger = ledger

    def account(self, key: str) -> Account | None:
        try:
            account: Account = self._ledger._load_for_desk(account_id(key))
        except AggregateNotFoundError:
            return None
        return account

    def cross_transfer(self, transfer_id: UUID) -> CrossTransfer | None:
        try:
            made: CrossTransfer = self._ledger._load_for_desk(transfer_id)
        except AggregateNotFoundError:
            return None
        return made if isinstance(made, CrossTransfer) else None

    def in_flight(self) -> list[CrossTransfer]:
        return [made for made in self._ledger.cross_transfers() if made.state is TransferState.PREPARED]
