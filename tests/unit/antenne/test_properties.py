"""Under random sequences of desk commands (refused ones and retries included), the timebank adds up.

Every balance equals the sum of its postings, and the postings of confirmed help, reversals, donations and
grants; the pool never goes below zero; member balances, the pool and held donations sum to zero (mutual
credit); and a refused command leaves no event behind.
"""

from __future__ import annotations

from datetime import timedelta
from uuid import UUID

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from contracts.antenne.v1 import Category, GrantReason
from services.antenne.application import Antenne
from services.antenne.domain import AntenneError, ExchangeStatus
from services.antenne.domain.donations import DonationStatus
from services.antenne.domain.rules import Guard
from tests.unit.antenne.practice import Clock, antenne_on

members = st.integers(min_value=0, max_value=5)
quarters = st.integers(min_value=-2, max_value=40)  # some out of range on purpose
keys = st.sampled_from(["k1", "k2", "k3", None])


class Timebank(RuleBasedStateMachine):
    """A permanence desk driven at random."""

    def __init__(self) -> None:
        super().__init__()
        self.clock = Clock()
        self.antenne: Antenne = antenne_on("memory:", self.clock, guard=Guard(min_balance=-40))
        self.members: list[UUID] = []
        self.exchanges: list[UUID] = []
        self.donations: list[UUID] = []

    def teardown(self) -> None:
        self.antenne.close()

    def _attempt(self, command: object) -> None:
        """Run a command; if the antenne refuses it, nothing may have been stored."""
        before = self.antenne.recorder.max_notification_id()
        try:
            command()  # type: ignore[operator]
        except AntenneError:
            assert self.antenne.recorder.max_notification_id() == before

    def _member(self, i: int) -> UUID:
        return self.members[i % len(self.members)]

    @rule()
    def register(self) -> None:
        self.members.append(self.antenne.register_member(f"Member {len(self.members)}"))

    @precondition(lambda self: len(self.members) >= 2)
    @rule(helper=members, recipient=members, amount=quarters, days_back=st.integers(-1, 100), key=keys)
    def record(self, helper: int, recipient: int, amount: int, days_back: int, key: str | None) -> None:
        def command() -> None:
            self.exchanges.append(self.antenne.record_exchange(
                self._member(helper), self._member(recipient), amount, Category.COMPANY,
                self.clock.today() - timedelta(days=days_back), idempotency_key=key and f"record-{key}",
            ))  # fmt: skip

        self._attempt(command)

    @precondition(lambda self: self.exchanges)
    @rule(which=st.integers(0, 1000), key=keys)
    def confirm(self, which: int, key: str | None) -> None:
        exchange_id = self.exchanges[which % len(self.exchanges)]
        self._attempt(lambda: self.antenne.confirm_exchange(exchange_id, idempotency_key=key))

    @precondition(lambda self: self.exchanges)
    @rule(which=st.integers(0, 1000))
    def approve_or_reverse(self, which: int) -> None:
        exchange_id = self.exchanges[which % len(self.exchanges)]
        if self.antenne.get_exchange(exchange_id).status is ExchangeStatus.HELD:
            self._attempt(lambda: self.antenne.approve_exchange(exchange_id, "second-coordinator"))
        else:
            self._attempt(lambda: self.antenne.reverse_exchange(exchange_id))

    @precondition(lambda self: len(self.members) >= 2)
    @rule(donor=members, to=st.one_of(st.none(), members), amount=quarters, earmark=st.booleans())
    def donate(self, donor: int, to: int | None, amount: int, earmark: bool) -> None:
        target = None if to is None else self._member(to)

        def command() -> None:
            if earmark and target is not None:
                expires = self.clock.today() + timedelta(days=3)
                made = self.antenne.donate(
                    self._member(donor), amount, earmarked_for_member=target, expires_on=expires
                )
            else:
                made = self.antenne.donate(self._member(donor), amount, to_member_id=target)
            self.donations.append(made)

        self._attempt(command)

    @precondition(lambda self: self.members)
    @rule(member=members, amount=quarters)
    def grant(self, member: int, amount: int) -> None:
        self._attempt(lambda: self.antenne.grant_from_pool(self._member(member), amount, GrantReason.OTHER))

    @precondition(lambda self: self.donations)
    @rule(which=st.integers(0, 1000))
    def use_donation(self, which: int) -> None:
        donation_id = self.donations[which % len(self.donations)]
        self._attempt(lambda: self.antenne.use_donation(donation_id))

    @rule(days=st.integers(1, 20))
    def time_passes(self, days: int) -> None:
        self.clock.advance(days)
        self.antenne.accept_overdue_exchanges()
        self.antenne.return_expired_donations()

    @invariant()
    def every_balance_is_the_sum_of_its_postings(self) -> None:
        for member_id in self.members:
            member = self.antenne.get_member(member_id)
            assert member.balance == sum(p.quarters for p in member.postings)

    @invariant()
    def confirmed_help_minus_reversals_is_what_helpers_earned(self) -> None:
        exchanges = self.antenne.exchanges()
        counted = sum(e.quarters for e in exchanges if e.status is ExchangeStatus.CONFIRMED)
        earned = sum(
            p.quarters
            for m in self.members
            for p in self.antenne.get_member(m).postings
            if p.kind in ("help", "reversal") and p.quarters > 0
        )
        reversed_ = sum(e.quarters for e in exchanges if e.status is ExchangeStatus.REVERSED)
        assert earned == counted + 2 * reversed_  # a reversal credits the recipient what the helper earned

    @invariant()
    def the_pool_never_goes_negative_and_everything_sums_to_zero(self) -> None:
        pool = self.antenne.pool().balance
        held = sum(d.quarters for d in self.antenne.donations(status=DonationStatus.HELD))
        assert pool >= 0
        assert sum(self.antenne.balance(m) for m in self.members) + pool + held == 0


Timebank.TestCase.settings = settings(max_examples=60, stateful_step_count=40, deadline=None)
TestTimebankProperties = Timebank.TestCase
