"""The antenne's use cases; the same cases run on SQLite and PostgreSQL in tests/integration/antenne."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta
from uuid import UUID, uuid4

import pytest

from contracts.antenne.v1 import Category
from services.antenne.application import Antenne, ConcurrentChangeError
from services.antenne.domain import (
    AntenneError,
    Exchange,
    ExchangeAlreadyConfirmedError,
    ExchangeNotFoundError,
    ExchangeStatus,
    Member,
    MemberNotFoundError,
    QuartersOutOfRangeError,
    SelfHelpError,
)
from services.persistence import eventsourcing_env

PERFORMED_ON = date.today() - timedelta(days=3)  # recent: within the backdating limit


def stored_event_types(antenne: Antenne) -> list[str]:
    """The stored events' class names, in log order."""
    notifications = antenne.recorder.select_notifications(1, 1000)
    return [type(antenne.mapper.to_domain_event(n)).__qualname__ for n in notifications]


class ApplicationBehaviour:
    """Use cases of the antenne; subclasses choose the back end with a `database_url` fixture."""

    @pytest.fixture
    def antenne(self, database_url: str) -> Iterator[Antenne]:
        with Antenne(env=eventsourcing_env(database_url)) as antenne:
            yield antenne

    def _two_members(self, antenne: Antenne) -> tuple[UUID, UUID]:
        return antenne.register_member("Anna"), antenne.register_member("Bert")

    def _exchange(self, antenne: Antenne, helper: UUID, recipient: UUID, quarters: int = 5) -> UUID:
        return antenne.record_exchange(helper, recipient, quarters, Category.TRANSPORT, PERFORMED_ON)

    def test_confirming_credits_the_helper_and_debits_the_recipient(self, antenne: Antenne) -> None:
        anna, bert = self._two_members(antenne)
        exchange_id = self._exchange(antenne, helper=bert, recipient=anna, quarters=5)

        antenne.confirm_exchange(exchange_id)

        assert antenne.balance(bert) == 5
        assert antenne.balance(anna) == -5
        assert antenne.get_exchange(exchange_id).status is ExchangeStatus.CONFIRMED

    def test_a_recorded_exchange_moves_no_credits_until_confirmed(self, antenne: Antenne) -> None:
        anna, bert = self._two_members(antenne)

        exchange_id = self._exchange(antenne, helper=bert, recipient=anna, quarters=3)

        details = antenne.get_exchange(exchange_id)
        assert (details.helper_id, details.recipient_id, details.quarters) == (bert, anna, 3)
        assert (details.category, details.performed_on) == (Category.TRANSPORT, PERFORMED_ON)
        assert details.status is ExchangeStatus.PENDING
        assert (antenne.balance(anna), antenne.balance(bert)) == (0, 0)

    def test_a_member_registers_today_unless_told_otherwise(self, antenne: Antenne) -> None:
        today = antenne.register_member("Anna")
        earlier = antenne.register_member("Bert", registered_on=date(2026, 1, 6))

        assert antenne.repository.get(today).registered_on == date.today()
        assert antenne.repository.get(earlier).registered_on == date(2026, 1, 6)

    def test_confirming_saves_the_exchange_and_both_postings_together(self, antenne: Antenne) -> None:
        anna, bert = self._two_members(antenne)
        exchange_id = self._exchange(antenne, helper=bert, recipient=anna)
        before = antenne.recorder.max_notification_id()

        antenne.confirm_exchange(exchange_id)

        assert antenne.recorder.max_notification_id() == (before or 0) + 3
        assert stored_event_types(antenne)[-3:] == ["Exchange.Confirmed", "Member.Credited", "Member.Debited"]

    def test_an_exchange_with_an_unknown_member_is_refused(self, antenne: Antenne) -> None:
        anna = antenne.register_member("Anna")
        stranger = uuid4()

        with pytest.raises(MemberNotFoundError, match=str(stranger)):
            self._exchange(antenne, helper=stranger, recipient=anna)
        with pytest.raises(MemberNotFoundError):
            self._exchange(antenne, helper=anna, recipient=stranger)

    def test_unknown_exchanges_and_members_are_not_found(self, antenne: Antenne) -> None:
        with pytest.raises(ExchangeNotFoundError):
            antenne.confirm_exchange(uuid4())
        with pytest.raises(ExchangeNotFoundError):
            antenne.get_exchange(uuid4())
        with pytest.raises(MemberNotFoundError):
            antenne.balance(uuid4())

    def test_an_exchange_id_is_no_member_and_a_member_id_no_exchange(self, antenne: Antenne) -> None:
        anna, bert = self._two_members(antenne)
        exchange_id = self._exchange(antenne, helper=bert, recipient=anna)

        with pytest.raises(MemberNotFoundError):
            antenne.balance(exchange_id)
        with pytest.raises(ExchangeNotFoundError):
            antenne.confirm_exchange(anna)

    def test_rejected_commands_write_no_event(self, antenne: Antenne) -> None:
        anna, bert = self._two_members(antenne)
        exchange_id = self._exchange(antenne, helper=bert, recipient=anna)
        antenne.confirm_exchange(exchange_id)
        before = antenne.recorder.max_notification_id()

        refused: list[AntenneError] = []
        for command in (
            lambda: self._exchange(antenne, helper=anna, recipient=anna),
            lambda: self._exchange(antenne, helper=anna, recipient=bert, quarters=33),
            lambda: self._exchange(antenne, helper=uuid4(), recipient=bert),
            lambda: antenne.confirm_exchange(exchange_id),
            lambda: antenne.register_member(" "),
        ):
            with pytest.raises(AntenneError) as caught:
                command()
            refused.append(caught.value)

        assert [type(e) for e in refused][:4] == [
            SelfHelpError,
            QuartersOutOfRangeError,
            MemberNotFoundError,
            ExchangeAlreadyConfirmedError,
        ]
        assert antenne.recorder.max_notification_id() == before
        assert (antenne.balance(bert), antenne.balance(anna)) == (5, -5)

    def test_simultaneous_confirmations_pay_once(self, antenne: Antenne) -> None:
        anna, bert = self._two_members(antenne)
        exchange_id = self._exchange(antenne, helper=bert, recipient=anna, quarters=4)
        start = threading.Barrier(6)

        def confirm() -> str:
            start.wait(timeout=10)
            try:
                antenne.confirm_exchange(exchange_id)
            except (ExchangeAlreadyConfirmedError, ConcurrentChangeError) as refused:
                return type(refused).__name__
            return "confirmed"

        with ThreadPoolExecutor(max_workers=6) as pool:
            outcomes = list(pool.map(lambda _: confirm(), range(6)))

        assert outcomes.count("confirmed") == 1
        assert (antenne.balance(bert), antenne.balance(anna)) == (4, -4)
        assert stored_event_types(antenne).count("Exchange.Confirmed") == 1

    def test_the_maximum_exchange_is_the_antennes_setting(self, database_url: str) -> None:
        with Antenne(env=eventsourcing_env(database_url), max_quarters=8) as antenne:
            anna, bert = self._two_members(antenne)

            with pytest.raises(QuartersOutOfRangeError, match="from 1 to 8, got 9"):
                self._exchange(antenne, helper=bert, recipient=anna, quarters=9)
            assert antenne.get_exchange(self._exchange(antenne, bert, anna, quarters=8)).quarters == 8

    def test_events_replayed_from_the_store_give_the_same_state(self, antenne: Antenne) -> None:
        anna, bert = self._two_members(antenne)
        exchange_id = self._exchange(antenne, helper=bert, recipient=anna, quarters=7)
        antenne.confirm_exchange(exchange_id)

        replayed_member: Member | Exchange = antenne.repository.get(bert)
        replayed_exchange: Member | Exchange = antenne.repository.get(exchange_id)

        assert isinstance(replayed_member, Member)
        assert isinstance(replayed_exchange, Exchange)
        assert replayed_member.balance == 7
        assert replayed_exchange.category is Category.TRANSPORT
        assert replayed_exchange.status is ExchangeStatus.CONFIRMED


class TestAntenneInMemory(ApplicationBehaviour):
    """The use cases on in-memory persistence."""

    @pytest.fixture
    def database_url(self) -> str:
        return "memory:"
