"""Several antennes and a partner, driven at random: the ledger keeps invariants 1, 2, 3, 5 and 6.

Each antenne publishes a chain of events (registrations, confirmed exchanges, transfer requests and
answers); the test plays the consumer: it delivers each antenne's next event, redelivers old ones,
leaves answers waiting for requests still in another antenne's chain, restarts the ledger (a new ledger
on the same store: caches, indexes and the desk start empty), lets a partner send (with repeated
idempotency keys) and answer, lets time pass (holds expire) and runs the clearing. After every step:

1. conservation: the accounts sum to zero, exchanges credited what antennes confirmed, every hold holds
   exactly what its transfer has in flight, and each balance is what the facts and decisions make it;
2. exactly once: a redelivered event changes nothing, and each antenne's intake counts its events once;
3. order: the ledger took each antenne's events in chain order, up to the last one delivered;
5. portability: a member's balance is the same in the balance query, the statement and the signed summary,
   before and after restarts, and a partner's position is what its transfers make it;
6. bounded overdraft: no held transfer took a member or a partner past its limit, and every confirmed
   exchange that did (an offline fact) is flagged.

Sized to a few seconds; `BP_LONG=1` runs many more examples.
"""

from __future__ import annotations

import os
from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from uuid import UUID, uuid4

from eventsourcing.persistence import ProcessRecorder
from hypothesis import event, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from contracts.alliance.v1 import PartnerTransfer
from contracts.envelope import Envelope
from contracts.ledger.transfers import (
    RejectReason,
    Side,
    TransferFulfilled,
    TransferKind,
    TransferRejected,
    TransferRequested,
)
from services.ledger.alliance import Alliance, PartnerAgreement
from services.ledger.application import Ledger
from services.ledger.domain import OverdraftPolicy, member_key, transfer_id
from services.ledger.transfers import (
    CrossTransfer,
    TransferNotFoundError,
    TransferState,
    hold_key,
    side_account,
)
from services.ledger.transfers_api import partner_request
from services.persistence import eventsourcing_env
from tests.support.dates import RECENT
from tests.unit.ledger.antenne_events import AntenneEvents

ANTENNES = ("jette", "laken", "evere")
LIMIT, PARTNER_LIMIT = 12, 20
POLICY = OverdraftPolicy(default_limit=LIMIT)
ALLIANCE = Alliance((PartnerAgreement("bdbd", "Bras dessus Bras dessous", bilateral_limit=PARTNER_LIMIT),))
LONG = os.environ.get("BP_LONG") == "1"

antennes = st.sampled_from(ANTENNES)
picks = st.integers(min_value=0, max_value=10_000)
amounts = st.integers(min_value=1, max_value=10)
spending = st.integers(min_value=1, max_value=16)  # some past the limit of 12, to be refused
idempotency_keys = st.sampled_from([f"bdbd-key-{n:04d}" for n in range(6)])

EXAMPLES = {"run": 0}  # how many examples ran, reported by the test below


class Federation(RuleBasedStateMachine):
    """Three antennes, a partner and the ledger, with the test as the transport."""

    def __init__(self) -> None:
        super().__init__()
        EXAMPLES["run"] += 1
        self.store: ProcessRecorder | None = None  # what survives a restart: the stored events
        self.ledger = self._open()
        self.chains = {a: AntenneEvents(a) for a in ANTENNES}
        self.delivered = dict.fromkeys(ANTENNES, 0)  # how many of each chain the ledger took
        self.members: dict[str, list[UUID]] = {a: [] for a in ANTENNES}
        self.requests: list[TransferRequested] = []  # asked by antennes or the partner
        self.confirmed: dict[UUID, int] = defaultdict(int)  # member -> net of delivered exchanges
        self.flag_expected: set[UUID] = set()  # transfers of exchanges that took a member past the limit
        self.now = datetime.now(UTC)

    def _open(self) -> Ledger:
        """A new ledger process on the same store: nothing in memory survives, the events do."""
        store = self.store

        class Restarted(Ledger):
            def construct_recorder(self) -> ProcessRecorder:
                return store if store is not None else super().construct_recorder()

        opened = Restarted(env=eventsourcing_env("memory:"), overdraft=POLICY, alliance=ALLIANCE)
        self.store = opened.recorder
        return opened

    def teardown(self) -> None:
        # What the example reached, in the statistics (`--hypothesis-show-statistics`).
        reached = {f"{made.state}:{made.reason}" for made in self._transfers()}
        reached |= {"flagged"} if self.ledger.flags() else set()
        for what in sorted(reached):
            event(what)
        self.ledger.close()

    def _member(self, antenne: str, pick: int) -> UUID:
        return self.members[antenne][pick % len(self.members[antenne])]

    @initialize()
    def members_everywhere(self) -> None:
        """Two members registered and delivered at each antenne, so that transfers start early."""
        for antenne in ANTENNES:
            for _ in range(2):
                self.register(antenne)
            self.deliver_several(antenne, 2)

    # What antennes record (not yet delivered to the ledger).

    @rule(antenne=antennes)
    def register(self, antenne: str) -> None:
        self.members[antenne].append(self.chains[antenne].register().aggregateid)

    @rule(antenne=antennes, helper=picks, recipient=picks, quarters=amounts)
    def exchange(self, antenne: str, helper: int, recipient: int, quarters: int) -> None:
        if len(self.members[antenne]) < 2:
            return
        one, other = self._member(antenne, helper), self._member(antenne, recipient)
        if one != other:
            self.chains[antenne].exchange(one, other, quarters)

    @rule(payer_antenne=antennes, payee_antenne=antennes, payer=picks, payee=picks, quarters=spending,
          gift=st.booleans(), to_partner=st.booleans())  # fmt: skip
    def request(self, payer_antenne: str, payee_antenne: str, payer: int, payee: int, quarters: int,
                gift: bool, to_partner: bool) -> None:  # fmt: skip
        if not self.members[payer_antenne] or not self.members[payee_antenne]:
            return
        payee_side = (
            Side(partner="bdbd", member=f"bdbd-m{payee % 3}")
            if to_partner
            else Side(antenne=payee_antenne, member=str(self._member(payee_antenne, payee)))
        )
        asked = TransferRequested(
            transfer_id=uuid4(),
            payer=Side(antenne=payer_antenne, member=str(self._member(payer_antenne, payer))),
            payee=payee_side,
            quarters=quarters,
            kind=TransferKind.DONATION if gift else TransferKind.EXCHANGE,
            performed_on=RECENT,
        )
        self.requests.append(asked)
        self.chains[payer_antenne].emit(asked, asked.transfer_id)

    @rule(which=picks, fulfil=st.booleans())
    def answer(self, which: int, fulfil: bool) -> None:
        """The payee's antenne answers a transfer it has seen (or one still in flight to it)."""
        waiting = self._waiting() or self.requests
        if not waiting:
            return
        asked = waiting[which % len(waiting)]
        if asked.payee.antenne is None:
            return
        message = (
            TransferFulfilled(transfer_id=asked.transfer_id)
            if fulfil
            else TransferRejected(transfer_id=asked.transfer_id, reason=RejectReason.DECLINED)
        )
        self.chains[asked.payee.antenne].emit(message, asked.transfer_id, 2)

    # The transport: in order per antenne, with redeliveries; restarts.

    @rule(antenne=antennes)
    def deliver(self, antenne: str) -> None:
        chain = self.chains[antenne].published
        if self.delivered[antenne] == len(chain):
            return
        envelope = chain[self.delivered[antenne]]
        try:
            assert self.ledger.apply(envelope, envelope.payload())
        except TransferNotFoundError:
            return  # an answer ahead of its request: it waits, this antenne's chain waits with it
        self.delivered[antenne] += 1
        self._expect(envelope)

    @rule(antenne=antennes, count=st.integers(min_value=1, max_value=8))
    def deliver_several(self, antenne: str, count: int) -> None:
        for _ in range(count):
            self.deliver(antenne)

    @rule(antenne=antennes, which=picks)
    def redeliver(self, antenne: str, which: int) -> None:
        if not self.delivered[antenne]:
            return
        envelope = self.chains[antenne].published[which % self.delivered[antenne]]
        before = self.ledger.audit()
        assert not self.ledger.apply(envelope, envelope.payload())
        assert self.ledger.audit() == before

    @rule()
    def restart(self) -> None:
        self.ledger.close()
        self.ledger = self._open()
        for antenne in ANTENNES:  # the consumer resumes from the ledger's own positions
            chain = self.chains[antenne].published
            expected = chain[self.delivered[antenne] - 1].position if self.delivered[antenne] else None
            assert self.ledger.last_position(antenne) == expected

    # The partner, and the ledger's clock.

    @rule(key=idempotency_keys, antenne=antennes, member=picks, quarters=amounts)
    def partner_sends(self, key: str, antenne: str, member: int, quarters: int) -> None:
        if not self.members[antenne]:
            return
        sent = PartnerTransfer(idempotency_key=key, from_partner_member="bdbd-m1",
                               to_member=self._member(antenne, member), to_antenne=antenne, quarters=quarters,
                               kind=TransferKind.EXCHANGE, performed_on=RECENT)  # fmt: skip
        asked = partner_request("bdbd", sent)
        known = self.ledger.desk.books.cross_transfer(asked.transfer_id)
        if known is not None and not known.same_request(asked, "partner:bdbd"):
            return  # the partner reused a key for another transfer: refused as a conflict (tested elsewhere)
        self.ledger.request_transfer(asked, "partner:bdbd", self.now)
        if known is None:
            self.requests.append(asked)

    @rule(which=picks, fulfil=st.booleans())
    def partner_answers(self, which: int, fulfil: bool) -> None:
        waiting = self._waiting() or self.requests
        if not waiting:
            return
        asked = waiting[which % len(waiting)]
        if asked.payee.partner is None or self.ledger.desk.books.cross_transfer(asked.transfer_id) is None:
            return
        if fulfil:
            self.ledger.fulfil_transfer(asked.transfer_id, "partner:bdbd", self.now)
        else:
            self.ledger.reject_transfer(asked.transfer_id, "partner:bdbd", RejectReason.DECLINED, self.now)

    @rule(hours=st.integers(min_value=1, max_value=24 * 9))
    def time_passes(self, hours: int) -> None:
        self.now += timedelta(hours=hours)
        self.ledger.expire_holds(self.now)

    @rule()
    def clearing_run(self) -> None:
        self.now += timedelta(minutes=1)
        run = self.ledger.run_clearing(self.now)
        assert all(p.net == p.paid - p.received for p in run.positions)

    # What the test expects from the facts it delivered.

    def _expect(self, envelope: Envelope) -> None:
        payload = envelope.payload()
        if payload.TYPE == "exchange.confirmed":
            helper, recipient = payload.helper_id, payload.recipient_id  # type: ignore[attr-defined]
            self.confirmed[helper] += payload.quarters  # type: ignore[attr-defined]
            self.confirmed[recipient] -= payload.quarters  # type: ignore[attr-defined]
            if self.ledger.balance(recipient) < -LIMIT:
                self.flag_expected.add(transfer_id(envelope.id))

    def _waiting(self) -> list[TransferRequested]:
        """Requests the ledger holds, waiting for their payee's answer."""
        held = {made.id for made in self._transfers() if made.state is TransferState.PREPARED}
        return [asked for asked in self.requests if asked.transfer_id in held]

    def _transfers(self) -> list[CrossTransfer]:
        return self.ledger.cross_transfers()

    # The invariants, after every step.

    @invariant()
    def conservation(self) -> None:
        audit = self.ledger.audit()
        assert audit.sum_of_accounts == 0
        assert audit.credited_by_exchanges == audit.confirmed_quarters
        for made in self._transfers():
            hold = self.ledger.desk.books.account(hold_key(made.id))
            in_flight = made.quarters if made.state is TransferState.PREPARED else 0
            assert (hold.balance if hold else 0) == in_flight

    @invariant()
    def balances_follow_from_facts_and_decisions(self) -> None:
        expected: dict[str, int] = defaultdict(int)
        for member, net in self.confirmed.items():
            expected[member_key(member)] += net
        for made in self._transfers():
            if made.state in (TransferState.PREPARED, TransferState.COMMITTED):
                expected[side_account(made.payer)] -= made.quarters
            if made.state is TransferState.COMMITTED:
                expected[side_account(made.payee)] += made.quarters
        for members in self.members.values():
            for member in members:
                account = self.ledger.desk.books.account(member_key(member))
                assert (account.balance if account else 0) == expected[member_key(member)]
        position = self.ledger.partner_position("bdbd")
        assert position == expected["clearing:bdbd"]

    @invariant()
    def exactly_once_in_order(self) -> None:
        intake = self.ledger.audit().antennes
        for antenne in ANTENNES:
            chain, taken = self.chains[antenne].published, self.delivered[antenne]
            assert self.ledger.last_position(antenne) == (chain[taken - 1].position if taken else None)
            assert (intake[antenne].events_applied if antenne in intake else 0) == taken

    @invariant()
    def portable(self) -> None:
        for members in self.members.values():
            for member in members[:3]:  # the statement is the slow query: a few members each step
                account = self.ledger.desk.books.account(member_key(member))
                if account is None:
                    continue
                statement = self.ledger.statement(member)
                summary = self.ledger.hour_statement(member, date(2100, 1, 1), self.now)
                assert self.ledger.balance(member) == statement.balance == account.balance
                assert summary.balance_quarters == statement.balance

    @invariant()
    def bounded_overdraft(self) -> None:
        for made in self._transfers():
            if made.state is TransferState.REFUSED:
                assert made.reason is not None
        flagged = {flag.transfer_id for flag in self.ledger.flags()}
        assert self.flag_expected <= flagged
        assert -PARTNER_LIMIT <= self.ledger.partner_position("bdbd") <= PARTNER_LIMIT


Federation.TestCase.settings = settings(
    max_examples=500 if LONG else 30, stateful_step_count=80 if LONG else 40, deadline=None
)
TestFederationProperties = Federation.TestCase
