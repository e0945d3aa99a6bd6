"""The practice of a permanence on the application: members, matching, timebank; in-memory here,
SQLite and PostgreSQL in tests/integration/antenne."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta
from pathlib import Path
from uuid import UUID

import pytest

from contracts.antenne.v1 import ActivityKind, Category, GrantReason, MemberStatus, ReturnTo
from services.antenne.application import Antenne, MemberFilter, RequestFilter
from services.antenne.application.base import SNAPSHOT_INTERVAL
from services.antenne.domain import (
    BackdatedTooFarError,
    DonationStateError,
    ExchangeStateError,
    ExchangeStatus,
    FourEyesError,
    GuardRefusedError,
    HelpRequestStateError,
    InsufficientSavingsError,
    MemberNotActiveError,
    MemberNotFoundError,
    NotTheProposedHelperError,
    OverdraftError,
    PoolExhaustedError,
    PostingKind,
    StatusChangeError,
    Weekday,
)
from services.antenne.domain.donations import DonationStatus
from services.antenne.domain.requests import RequestStatus
from services.antenne.domain.roll import MEMBER_ROLL_ID
from services.antenne.domain.rules import Guard
from services.antenne.outbound import contract_of
from tests.unit.antenne.practice import TODAY, Clock, antenne_on, profile
from tests.unit.antenne.test_application import stored_event_types


class PracticeBehaviour:
    """A permanence's use cases; subclasses choose the back end with a `database_url` fixture."""

    @pytest.fixture
    def clock(self) -> Clock:
        return Clock()

    @pytest.fixture
    def antenne(self, database_url: str, clock: Clock) -> Iterator[Antenne]:
        with antenne_on(database_url, clock) as antenne:
            yield antenne

    def _helped(self, antenne: Antenne, helper: UUID, recipient: UUID, quarters: int) -> UUID:
        exchange_id = antenne.record_exchange(helper, recipient, quarters, Category.SHOPPING, antenne.today())
        antenne.confirm_exchange(exchange_id)
        return exchange_id

    # Members.

    def test_members_get_consecutive_numbers_beside_their_global_id(self, antenne: Antenne) -> None:
        anna = antenne.register_member(profile("Anna"))
        bert = antenne.register_member("Bert")

        assert (antenne.get_member(anna).number, antenne.get_member(bert).number) == ("JET-0001", "JET-0002")
        assert antenne.member_by_number("jet-0002").id == bert
        with pytest.raises(MemberNotFoundError, match="JET-0003"):
            antenne.member_by_number("JET-0003")

    def test_simultaneous_registrations_never_share_a_number(self, antenne: Antenne) -> None:
        start = threading.Barrier(4)

        def register(i: int) -> UUID:
            start.wait(timeout=10)
            return antenne.register_member(f"Member {i}")

        with ThreadPoolExecutor(max_workers=4) as pool:
            ids = list(pool.map(register, range(4)))

        numbers = sorted(antenne.get_member(member_id).number for member_id in ids)
        assert numbers == ["JET-0001", "JET-0002", "JET-0003", "JET-0004"]

    def test_the_registration_keeps_personal_data_apart_from_the_coarse_facts(self, antenne: Antenne) -> None:
        anna = antenne.register_member(profile("Anna", gives=(Category.COMPANY,), birth_year=1948))

        registered = next(
            antenne.mapper.to_domain_event(n)
            for n in antenne.recorder.select_notifications(1, 10)
            if n.topic.endswith("Member.Registered")
        )

        assert registered.personal["display_name"] == "Anna"  # type: ignore[attr-defined]
        assert registered.personal["birth_year"] == 1948  # type: ignore[attr-defined]
        assert "Anna" not in str(registered.facts)  # type: ignore[attr-defined]
        assert registered.facts["gives"] == ["company"]  # type: ignore[attr-defined]
        assert antenne.get_member(anna).age_band == "65-79"

    def test_a_registration_retried_with_its_key_registers_once(self, antenne: Antenne) -> None:
        first = antenne.register_member("Anna", idempotency_key="desk-1")
        again = antenne.register_member("Anna", idempotency_key="desk-1")

        assert first == again
        assert stored_event_types(antenne).count("Member.Registered") == 1

    def test_members_are_listed_by_status_sector_language_and_name(self, antenne: Antenne) -> None:
        anna = antenne.register_member(profile("Anna", languages=("nl", "fr")))
        bert = antenne.register_member(profile("Bert", sector="jette-noord", languages=("ar",)))
        antenne.change_status(bert, MemberStatus.PAUSED)

        assert [m.id for m in antenne.members()] == [anna, bert]
        assert [m.id for m in antenne.members(MemberFilter(status=MemberStatus.PAUSED))] == [bert]
        assert [m.id for m in antenne.members(MemberFilter(language="fr"))] == [anna]
        assert [m.id for m in antenne.members(MemberFilter(sector="jette-noord"))] == [bert]
        assert [m.id for m in antenne.members(MemberFilter(name_contains="an"))] == [anna]

    def test_a_member_who_left_takes_no_new_help_and_cannot_come_back(self, antenne: Antenne) -> None:
        anna, bert = antenne.register_member("Anna"), antenne.register_member("Bert")
        antenne.change_status(anna, MemberStatus.LEFT)

        with pytest.raises(MemberNotActiveError, match="left"):
            antenne.record_exchange(bert, anna, 4, Category.PETS, TODAY)
        with pytest.raises(StatusChangeError):
            antenne.change_status(anna, MemberStatus.ACTIVE)

    # Requests, offers and matching.

    def test_suggestions_rank_helpers_and_say_why(self, antenne: Antenne) -> None:
        carla = antenne.register_member(profile("Carla", asks=(Category.TRANSPORT,)))
        driver = antenne.register_member(
            profile("Dirk", gives=(Category.TRANSPORT,), availability=(Weekday.TUESDAY,))
        )
        neighbour = antenne.register_member(profile("Els", languages=("fr",)))
        elsewhere = antenne.register_member(profile("Fatima", sector="laken", languages=("ar",)))
        antenne.make_offer(elsewhere, Category.TRANSPORT)
        request_id = antenne.take_request(carla, Category.TRANSPORT, preferred_dates=[date(2026, 12, 1)])

        suggestions = antenne.suggestions(request_id)

        assert [s.member_id for s in suggestions] == [driver, elsewhere, neighbour]
        assert suggestions[0].reasons == (
            "offers transport",
            "speaks nl",
            "lives in sector jette-centrum",
            "available on a preferred day",
        )
        assert suggestions[1].reasons == ("offers transport",)

    def test_reciprocity_invites_a_member_who_mostly_received_to_give(self, antenne: Antenne) -> None:
        anna, bert = antenne.register_member(profile("Anna")), antenne.register_member(profile("Bert"))
        carla = antenne.register_member(profile("Carla"))
        self._helped(antenne, helper=anna, recipient=bert, quarters=8)
        request_id = antenne.take_request(carla, Category.COMPANY)

        suggestions = antenne.suggestions(request_id)

        assert suggestions[0].member_id == bert
        assert "received 8 quarters more than given" in suggestions[0].reasons

    def test_a_request_goes_from_open_to_matched_to_done(self, antenne: Antenne) -> None:
        carla, dirk = antenne.register_member(profile("Carla")), antenne.register_member(profile("Dirk"))
        request_id = antenne.take_request(carla, Category.DIGITAL, description="her phone is silent")

        antenne.propose_helper(request_id, dirk)
        antenne.accept_match(request_id, dirk)
        exchange_id = antenne.record_exchange(dirk, carla, 3, Category.DIGITAL, TODAY, request_id=request_id)

        request = antenne.get_request(request_id)
        assert (request.status, request.exchange_id) == (RequestStatus.DONE, exchange_id)
        assert antenne.get_exchange(exchange_id).request_id == request_id
        assert antenne.requests(RequestFilter(status=RequestStatus.OPEN)) == []

    def test_a_declined_proposal_reopens_the_request_and_drops_the_helper(self, antenne: Antenne) -> None:
        carla, dirk = antenne.register_member(profile("Carla")), antenne.register_member(profile("Dirk"))
        request_id = antenne.take_request(carla, Category.COMPANY)
        antenne.propose_helper(request_id, dirk)

        with pytest.raises(NotTheProposedHelperError):
            antenne.accept_match(request_id, carla)
        antenne.decline_match(request_id, dirk)

        assert antenne.get_request(request_id).status is RequestStatus.OPEN
        assert dirk not in [s.member_id for s in antenne.suggestions(request_id)]

    def test_requests_past_their_dates_expire_and_cancelled_ones_stay_closed(
        self, antenne: Antenne, clock: Clock
    ) -> None:
        carla = antenne.register_member(profile("Carla"))
        late = antenne.take_request(carla, Category.OUTINGS, preferred_dates=[TODAY + timedelta(days=2)])
        cancelled = antenne.take_request(carla, Category.PETS)
        antenne.cancel_request(cancelled)
        clock.advance(3)

        assert antenne.expire_stale_requests() == [late]
        assert antenne.get_request(late).status is RequestStatus.EXPIRED
        with pytest.raises(HelpRequestStateError):
            antenne.propose_helper(cancelled, carla)

    # Timebank.

    def test_help_dated_beyond_the_backdating_limit_is_refused(self, database_url: str, clock: Clock) -> None:
        with antenne_on(database_url, clock, backdating_days=7) as antenne:
            anna, bert = antenne.register_member("Anna"), antenne.register_member("Bert")

            with pytest.raises(BackdatedTooFarError, match="2026-11-17"):
                antenne.record_exchange(bert, anna, 4, Category.PETS, TODAY - timedelta(days=8))
            exchange_id = antenne.record_exchange(bert, anna, 4, Category.PETS, TODAY - timedelta(days=7))

        assert exchange_id is not None

    def test_a_reversal_gives_the_credits_back_and_keeps_the_history(self, antenne: Antenne) -> None:
        anna, bert = antenne.register_member("Anna"), antenne.register_member("Bert")
        exchange_id = self._helped(antenne, helper=bert, recipient=anna, quarters=6)

        antenne.reverse_exchange(exchange_id, "typed for the wrong member")

        assert (antenne.balance(bert), antenne.balance(anna)) == (0, 0)
        assert antenne.get_exchange(exchange_id).status is ExchangeStatus.REVERSED
        kinds = [line.kind for month in antenne.statement(bert).months for line in month.lines]
        assert kinds == [PostingKind.HELP, PostingKind.REVERSAL]
        with pytest.raises(ExchangeStateError):
            antenne.reverse_exchange(exchange_id)

    def test_unconfirmed_help_is_accepted_after_the_waiting_time_unless_disputed(
        self, antenne: Antenne, clock: Clock
    ) -> None:
        anna, bert = antenne.register_member("Anna"), antenne.register_member("Bert")
        quiet = antenne.record_exchange(bert, anna, 4, Category.COMPANY, TODAY)
        disputed = antenne.record_exchange(bert, anna, 8, Category.COMPANY, TODAY)
        antenne.dispute_exchange(disputed, "only one hour")

        clock.advance(13)
        assert antenne.accept_overdue_exchanges() == []
        clock.advance(1)
        assert antenne.accept_overdue_exchanges() == [quiet]

        assert antenne.get_exchange(quiet).status is ExchangeStatus.CONFIRMED
        assert antenne.get_exchange(disputed).status is ExchangeStatus.DISPUTED
        assert antenne.balance(bert) == 4
        antenne.reject_exchange(disputed)
        assert antenne.get_exchange(disputed).status is ExchangeStatus.REJECTED

    def test_a_statement_runs_month_by_month_and_as_of_any_day(self, antenne: Antenne, clock: Clock) -> None:
        anna, bert = antenne.register_member("Anna"), antenne.register_member("Bert")
        self._helped(antenne, helper=bert, recipient=anna, quarters=4)  # 24 November
        clock.advance(10)
        self._helped(antenne, helper=anna, recipient=bert, quarters=2)  # 4 December
        clock.advance(1)
        self._helped(antenne, helper=bert, recipient=anna, quarters=5)  # 5 December

        statement = antenne.statement(bert)
        earlier = antenne.statement(bert, as_of=date(2026, 11, 30))

        assert [(m.month, m.opening, m.closing) for m in statement.months] == [
            ("2026-11", 0, 4),
            ("2026-12", 4, 7),
        ]
        assert [line.balance for line in statement.months[1].lines] == [2, 7]
        assert (statement.balance, statement.number) == (7, "JET-0002")
        assert (earlier.balance, len(earlier.months)) == (4, 1)

    def test_a_confirmation_retried_with_its_key_pays_once_and_answers_alike(self, antenne: Antenne) -> None:
        anna, bert = antenne.register_member("Anna"), antenne.register_member("Bert")
        exchange_id = antenne.record_exchange(bert, anna, 4, Category.COMPANY, TODAY, idempotency_key="x-1")
        assert (
            antenne.record_exchange(bert, anna, 4, Category.COMPANY, TODAY, idempotency_key="x-1")
            == exchange_id
        )

        antenne.confirm_exchange(exchange_id, idempotency_key="c-1")
        antenne.confirm_exchange(exchange_id, idempotency_key="c-1")

        assert antenne.balance(bert) == 4
        assert stored_event_types(antenne).count("Exchange.Confirmed") == 1

    # Donations and the solidarity pool.

    def test_a_donation_moves_saved_quarters_to_another_member(self, antenne: Antenne) -> None:
        anna, bert, carla = (antenne.register_member(n) for n in ("Anna", "Bert", "Carla"))
        self._helped(antenne, helper=bert, recipient=anna, quarters=8)

        antenne.donate(bert, 6, to_member_id=carla)

        assert (antenne.balance(bert), antenne.balance(carla)) == (2, 6)
        with pytest.raises(InsufficientSavingsError, match="balance is 2"):
            antenne.donate(bert, 3, to_member_id=carla)

    def test_the_pool_grants_only_what_it_holds(self, antenne: Antenne) -> None:
        anna, bert, carla = (antenne.register_member(n) for n in ("Anna", "Bert", "Carla"))
        self._helped(antenne, helper=bert, recipient=anna, quarters=8)
        antenne.donate(bert, 5)

        antenne.grant_from_pool(carla, 4, GrantReason.ISOLATION, "lives alone since the winter")
        with pytest.raises(PoolExhaustedError, match="holds 1"):
            antenne.grant_from_pool(carla, 2, GrantReason.CARE_NEED)

        assert (antenne.pool().balance, antenne.balance(carla), antenne.balance(bert)) == (1, 4, 3)

    def test_an_earmarked_donation_is_held_then_used_for_the_request(self, antenne: Antenne) -> None:
        anna, bert, carla = (antenne.register_member(n) for n in ("Anna", "Bert", "Carla"))
        self._helped(antenne, helper=bert, recipient=anna, quarters=8)
        request_id = antenne.take_request(carla, Category.TRANSPORT)
        donation_id = antenne.donate(
            bert, 4, earmarked_for_request=request_id, expires_on=TODAY + timedelta(days=30)
        )
        assert (antenne.balance(bert), antenne.balance(carla)) == (4, 0)  # held apart

        antenne.use_donation(donation_id)

        assert antenne.balance(carla) == 4
        assert antenne.get_donation(donation_id).status is DonationStatus.USED

    def test_an_unused_earmark_returns_to_the_donor_or_the_pool_as_chosen(
        self, antenne: Antenne, clock: Clock
    ) -> None:
        anna, bert, carla = (antenne.register_member(n) for n in ("Anna", "Bert", "Carla"))
        self._helped(antenne, helper=bert, recipient=anna, quarters=8)
        expires = TODAY + timedelta(days=7)
        back = antenne.donate(bert, 3, earmarked_for_member=carla, expires_on=expires)
        pooled = antenne.donate(
            bert, 2, earmarked_for_member=carla, expires_on=expires, returns_to=ReturnTo.POOL
        )

        clock.advance(7)
        assert antenne.return_expired_donations() == []
        clock.advance(1)
        assert antenne.return_expired_donations() == [back, pooled]

        assert (antenne.balance(bert), antenne.pool().balance, antenne.balance(carla)) == (6, 2, 0)
        with pytest.raises(DonationStateError):
            antenne.use_donation(back)

    def test_balances_always_sum_to_zero_across_members_and_the_pool(self, antenne: Antenne) -> None:
        anna, bert, carla = (antenne.register_member(n) for n in ("Anna", "Bert", "Carla"))
        self._helped(antenne, helper=bert, recipient=anna, quarters=8)
        antenne.donate(bert, 5)
        antenne.grant_from_pool(carla, 3, GrantReason.DISABILITY)
        antenne.donate(bert, 2, earmarked_for_member=anna, expires_on=TODAY + timedelta(days=3))

        held = sum(d.quarters for d in antenne.donations(status=DonationStatus.HELD))
        total = sum(antenne.balance(m) for m in (anna, bert, carla)) + antenne.pool().balance + held
        assert total == 0  # mutual credit: every quarter earned was spent, pooled or held

    # The abuse guard.

    @pytest.fixture
    def guarded(self, database_url: str, clock: Clock) -> Iterator[Antenne]:
        with antenne_on(database_url, clock, guard=Guard(min_balance=-30)) as antenne:
            yield antenne

    def test_a_held_exchange_waits_for_review_and_every_decision_is_an_event(self, guarded: Antenne) -> None:
        anna, bert = guarded.register_member("Anna"), guarded.register_member("Bert")
        exchange_id = guarded.record_exchange(bert, anna, 20, Category.COMPANY, TODAY, recorded_by="marie")

        held = guarded.get_exchange(exchange_id)
        assert (held.status, held.held_by) == (ExchangeStatus.HELD, ("large-exchange",))
        with pytest.raises(ExchangeStateError, match="held"):
            guarded.confirm_exchange(exchange_id)
        guarded.approve_exchange(exchange_id, "marie")
        guarded.confirm_exchange(exchange_id)

        assert guarded.balance(bert) == 20
        types = stored_event_types(guarded)
        assert types.count("Exchange.Held") == types.count("Exchange.Approved") == 1

    def test_mutual_crediting_counts_what_the_window_holds_now_not_what_it_held(
        self, guarded: Antenne, clock: Clock
    ) -> None:
        anna, bert = guarded.register_member("Anna"), guarded.register_member("Bert")
        first = guarded.record_exchange(bert, anna, 2, Category.COMPANY, clock.today())
        guarded.record_exchange(anna, bert, 2, Category.COMPANY, clock.today())
        guarded.reject_exchange(first)  # the guard saw it counted; once rejected it no longer does

        third = guarded.record_exchange(bert, anna, 2, Category.COMPANY, clock.today())
        assert guarded.get_exchange(third).held_by == ()
        fourth = guarded.record_exchange(anna, bert, 2, Category.COMPANY, clock.today())
        assert guarded.get_exchange(fourth).held_by == ("mutual-crediting",)

        clock.advance(31)  # all of it fell out of the 30-day window
        fifth = guarded.record_exchange(bert, anna, 2, Category.COMPANY, clock.today())
        assert guarded.get_exchange(fifth).held_by == ()

    def test_four_eyes_needs_a_coordinator_other_than_the_recorder(self, guarded: Antenne) -> None:
        anna, bert = guarded.register_member("Anna"), guarded.register_member("Bert")
        exchange_id = guarded.record_exchange(bert, anna, 28, Category.COMPANY, TODAY, recorded_by="marie")

        with pytest.raises(FourEyesError, match="second coordinator"):
            guarded.approve_exchange(exchange_id, "marie")
        guarded.approve_exchange(exchange_id, "youssef")

        assert guarded.get_exchange(exchange_id).approved_by == "youssef"

    def test_spending_past_the_overdraft_is_refused_and_leaves_no_event(self, guarded: Antenne) -> None:
        anna, bert = guarded.register_member("Anna"), guarded.register_member("Bert")
        first = guarded.record_exchange(bert, anna, 16, Category.COMPANY, TODAY)
        second = guarded.record_exchange(bert, anna, 16, Category.PETS, TODAY)  # -32 only once both count
        guarded.confirm_exchange(first)
        before = guarded.recorder.max_notification_id()

        with pytest.raises(OverdraftError, match="minimum of -30"):
            guarded.confirm_exchange(second)
        with pytest.raises(GuardRefusedError, match="overdraft"):
            guarded.record_exchange(bert, anna, 15, Category.PETS, TODAY)
        assert guarded.recorder.max_notification_id() == before
        assert guarded.balance(anna) == -16

    def test_a_stream_of_gifts_to_one_member_waits_for_review(self, guarded: Antenne) -> None:
        anna, bert, carla = (guarded.register_member(n) for n in ("Anna", "Bert", "Carla"))
        self._helped(guarded, helper=bert, recipient=anna, quarters=12)
        guarded.donate(bert, 2, to_member_id=carla)
        guarded.donate(bert, 2, to_member_id=carla)

        third = guarded.donate(bert, 2, to_member_id=carla)
        fourth = guarded.donate(bert, 2, to_member_id=carla)

        assert guarded.get_donation(third).status is DonationStatus.FLAGGED
        assert guarded.get_donation(third).flagged_by == ["donation-stream"]
        assert guarded.balance(carla) == 4  # nothing moved for the flagged ones
        guarded.approve_donation(third, "marie")
        guarded.reject_donation(fourth, "marie")
        assert (guarded.balance(carla), guarded.balance(bert)) == (6, 6)
        assert guarded.get_donation(fourth).status is DonationStatus.REJECTED

    # Activities and notes.

    def test_a_gathering_records_who_came_each_once(self, antenne: Antenne) -> None:
        anna, bert = antenne.register_member("Anna"), antenne.register_member("Bert")
        gathering = antenne.hold_session(ActivityKind.GATHERING, attendees=[anna], topic="coffee and cake")

        antenne.record_attendance(gathering, [anna, bert])

        assert antenne.get_activity(gathering).attendees == [anna, bert]
        assert [a.id for a in antenne.activities(member_id=bert)] == [gathering]
        assert antenne.activities(ActivityKind.PERMANENCE) == []

    def test_a_coordinators_note_is_kept_but_never_published(self, antenne: Antenne) -> None:
        anna = antenne.register_member("Anna")

        antenne.note_on_member(anna, "her daughter calls on Sundays", "marie")

        assert [(n.author, n.text) for n in antenne.notes_on_member(anna)] == [
            ("marie", "her daughter calls on Sundays")
        ]
        events = [antenne.mapper.to_domain_event(n) for n in antenne.recorder.select_notifications(1, 100)]
        noted = [e for e in events if type(e).__qualname__ == "Member.NoteAdded"]
        assert len(noted) == 1
        assert contract_of(noted[0]) is None  # type: ignore[arg-type]


class TestPracticeInMemory(PracticeBehaviour):
    """The practice on in-memory persistence."""

    @pytest.fixture
    def database_url(self) -> str:
        return "memory:"


def test_the_member_roll_is_loaded_from_a_snapshot_and_numbering_goes_on(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'jette.db'}"
    with antenne_on(url, Clock()) as antenne:
        for i in range(SNAPSHOT_INTERVAL):
            antenne.register_member(f"Member {i}")
        snapshots = list(antenne.snapshots.get(MEMBER_ROLL_ID)) if antenne.snapshots else []

    with antenne_on(url, Clock()) as reopened:
        late = reopened.register_member("Latecomer")
        number = reopened.get_member(late).number

    assert len(snapshots) == 1
    assert number == f"JET-{SNAPSHOT_INTERVAL + 1:04d}"
