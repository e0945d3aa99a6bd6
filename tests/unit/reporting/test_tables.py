"""The monthly report tables, computed from the records a short, hand-written history leaves."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime
from typing import Any
from uuid import UUID, uuid4

from hypothesis import given, settings
from hypothesis import strategies as st

from contracts.antenne.v1 import (
    ActivityHeld,
    ActivityKind,
    AttendanceRecorded,
    Category,
    DonationMade,
    ExchangeConfirmed,
    ExchangeReversed,
    GrantReason,
    HelpRequestMatched,
    HelpRequestOpened,
    MemberMovedIn,
    MemberMovedOut,
    MemberRegistered,
    MemberStatus,
    MemberStatusChanged,
    PoolGranted,
)
from contracts.base import Contract
from services.reporting.consumer import SummarySink
from services.reporting.tables import Report, _Merged, _status_at_end_of, report
from services.reporting.views import InMemorySummaryView
from tests.unit.reporting.generated import envelopes_of

ANNA, BEN, CHLOE = uuid4(), uuid4(), uuid4()


def _history() -> list[tuple[Contract, date]]:
    request = uuid4()
    gathering = uuid4()
    confirmed, reversed_ = (
        _exchange(ANNA, BEN, 8, date(2026, 2, 3)),
        _exchange(BEN, ANNA, 4, date(2026, 3, 2)),
    )
    return [
        (
            MemberRegistered(member_id=ANNA, registered_on=date(2026, 1, 5), languages=["nl", "fr"]),
            date(2026, 1, 5),
        ),
        (
            MemberRegistered(member_id=BEN, registered_on=date(2026, 1, 20), languages=["fr"]),
            date(2026, 1, 20),
        ),
        (MemberRegistered(member_id=CHLOE, registered_on=date(2026, 2, 1), isolated=True), date(2026, 2, 1)),
        (
            HelpRequestOpened(
                request_id=request, member_id=BEN, category=Category.SHOPPING, opened_on=date(2026, 1, 28)
            ),
            date(2026, 1, 28),
        ),
        (
            HelpRequestOpened(
                request_id=uuid4(), member_id=BEN, category=Category.PETS, opened_on=date(2026, 2, 2)
            ),
            date(2026, 2, 2),
        ),
        (HelpRequestMatched(request_id=request, helper_id=ANNA), date(2026, 2, 2)),
        (confirmed, date(2026, 2, 3)),
        (reversed_, date(2026, 3, 2)),
        (_reversal(reversed_), date(2026, 3, 9)),
        (
            DonationMade(
                donation_id=uuid4(), donor_id=ANNA, quarters=2, made_on=date(2026, 2, 10), to_pool=True
            ),
            date(2026, 2, 10),
        ),
        (
            PoolGranted(
                grant_id=uuid4(),
                member_id=CHLOE,
                quarters=2,
                reason=GrantReason.CARE_NEED,
                granted_on=date(2026, 2, 11),
            ),
            date(2026, 2, 11),
        ),
        (
            ActivityHeld(activity_id=gathering, kind=ActivityKind.GATHERING, held_on=date(2026, 2, 15)),
            date(2026, 2, 15),
        ),
        (AttendanceRecorded(activity_id=gathering, member_ids=[ANNA, CHLOE]), date(2026, 2, 16)),
        (
            MemberStatusChanged(member_id=BEN, status=MemberStatus.PAUSED, changed_on=date(2026, 3, 20)),
            date(2026, 3, 20),
        ),
    ]


def _exchange(helper: UUID, recipient: UUID, quarters: int, on: date) -> ExchangeConfirmed:
    return ExchangeConfirmed(
        exchange_id=uuid4(), helper_id=helper, recipient_id=recipient, quarters=quarters,
        category=Category.SHOPPING, performed_on=on,
    )  # fmt: skip


def _reversal(exchange: ExchangeConfirmed) -> ExchangeReversed:
    return ExchangeReversed(
        exchange_id=exchange.exchange_id, helper_id=exchange.helper_id, recipient_id=exchange.recipient_id,
        quarters=exchange.quarters, reversed_on=date(2026, 3, 9),
    )  # fmt: skip


def _report(target_group: int | None = 40) -> Report:
    view = InMemorySummaryView()
    sink = SummarySink(view)
    for envelope in envelopes_of(
        "jette", [(p, datetime.combine(d, datetime.min.time(), UTC)) for p, d in _history()]
    ):
        sink.apply(envelope, envelope.payload())
    return report("jette", view.records().values(), target_group)


def test_members_are_counted_new_active_paused_and_registered_per_month() -> None:
    members = _report().table("members")

    assert members.column("month") == ["2026-01", "2026-02", "2026-03"]
    assert members.column("new") == [2, 1, 0]
    # Anna and Ben helped each other in February; the March help was reversed.
    assert members.column("active") == [0, 2, 2]
    assert members.column("paused") == [0, 0, 1]
    assert members.column("registered") == [2, 3, 3]


def test_requests_show_opened_matched_the_median_wait_and_what_is_unmatched() -> None:
    requests = _report().table("requests")

    assert requests.rows == (("2026-01", 1, 0, "", 0), ("2026-02", 1, 1, 5, 1), ("2026-03", 0, 0, "", 0))


def test_a_reversed_exchange_no_longer_counts_in_its_month() -> None:
    exchanges = _report().table("exchanges")

    assert exchanges.rows == (("2026-02", "shopping", 1, 8),)


def test_reciprocity_solidarity_attendance_languages_and_reach() -> None:
    result = _report()

    assert result.table("reciprocity").column("gave_or_received") == [0, 2, 2]
    assert result.table("reciprocity").column("gave_and_received") == [0, 0, 0]
    assert result.table("solidarity").rows[1] == ("2026-02", 1, 2, 1, 2)
    assert result.table("attendance").rows[1] == ("2026-02", 0, 0, 1, 2)
    assert result.table("languages").rows == (("fr", 2), ("nl", 1), ("unknown", 1))
    reach = result.table("reach")
    # Chloé, noted as isolated, came to the gathering in February: reached.
    assert reach.column("isolated_reached") == [0, 1, 0]
    # 15% of a target group of 40 is 6 members; 3 members are 50% of that goal.
    assert reach.rows[-1] == ("2026-03", 3, 1, 0, 40, 6, 50)


def test_a_grant_for_isolation_notes_the_member_as_isolated() -> None:
    view = InMemorySummaryView()
    sink = SummarySink(view)
    day = datetime(2026, 2, 1, tzinfo=UTC)
    events = [
        (MemberRegistered(member_id=BEN, registered_on=day.date()), day),
        (
            PoolGranted(
                grant_id=uuid4(),
                member_id=BEN,
                quarters=2,
                reason=GrantReason.ISOLATION,
                granted_on=day.date(),
            ),
            day,
        ),
    ]
    for envelope in envelopes_of("laken", events):
        sink.apply(envelope, envelope.payload())

    assert report("laken", view.records().values(), None).table("reach").column("isolated") == [1]


def test_a_member_who_moved_counts_at_the_new_antenne_from_the_day_they_moved() -> None:
    view = InMemorySummaryView()
    sink = SummarySink(view)
    january, march = datetime(2026, 1, 10, tzinfo=UTC), datetime(2026, 3, 4, tzinfo=UTC)
    jette = [
        (MemberRegistered(member_id=ANNA, registered_on=january.date()), january),
        (MemberMovedOut(member_id=ANNA, to_antenne="laken", balance=8, moved_on=march.date()), march),
    ]
    laken = [(MemberMovedIn(member_id=ANNA, from_antenne="jette", balance=8, moved_on=march.date()), march)]
    for envelope in envelopes_of("jette", jette) + envelopes_of("laken", laken):
        sink.apply(envelope, envelope.payload())
    records = view.records()

    assert report("jette", [records["jette"]], None).table("members").column("left") == [0, 0, 1]
    assert report("jette", [records["jette"]], None).table("members").column("registered") == [1, 1, 0]
    assert report("laken", [records["laken"]], None).table("members").rows == (("2026-03", 1, 0, 0, 0, 1),)


_MONTH_DAYS = st.dates(date(2024, 1, 1), date(2026, 12, 31)).map(date.isoformat)
_MEMBERS = st.lists(
    st.fixed_dictionaries({
        "joined": _MONTH_DAYS,
        "status": st.lists(st.tuples(_MONTH_DAYS, st.sampled_from(["active", "paused", "left", "moved"])),
                           max_size=4),
    }),
    min_size=1, max_size=8,
)  # fmt: skip


@settings(max_examples=200, deadline=None)
@given(members=_MEMBERS)
def test_the_statuses_per_month_are_each_members_status_at_the_end_of_that_month(
    members: list[dict[str, Any]],
) -> None:
    merged = _Merged(tuple(members), (), {})

    for month in merged.months():
        expected = Counter(_status_at_end_of(member, month) for member in members)
        expected.pop(None, None)  # not registered yet
        assert merged.statuses[month] == expected, month
