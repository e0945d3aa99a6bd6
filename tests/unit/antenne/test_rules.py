"""The abuse guard's rules, each on its own: an entry, a history, the antenne's numbers."""

from __future__ import annotations

from datetime import date, timedelta
from uuid import UUID, uuid4

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from services.antenne.domain.rules import RULES, Action, Entry, Gift, Guard, History, Past, judge, judge_gift

TODAY = date(2026, 11, 24)
ANNA, BERT, CARLA = uuid4(), uuid4(), uuid4()


def _entry(quarters: int = 4, helper: UUID = BERT, recipient: UUID = ANNA, **changes: object) -> Entry:
    facts: dict[str, object] = {
        "helper_id": helper, "recipient_id": recipient, "quarters": quarters, "performed_on": TODAY,
        "recorded_on": TODAY, "helper_balance": 0, "recipient_balance": 0,
    }  # fmt: skip
    return Entry(**{**facts, **changes})  # type: ignore[arg-type]


def _fired(entry: Entry, *past: Past, guard: Guard | None = None) -> list[str]:
    return [rule.name for rule in judge(entry, History(past), guard or Guard()).fired]


def _past(helper: UUID, recipient: UUID, quarters: int = 4, days_ago: int = 1) -> Past:
    return Past(helper, recipient, quarters, TODAY - timedelta(days=days_ago))


def test_an_ordinary_exchange_passes_every_rule() -> None:
    assert _fired(_entry()) == []


def test_every_rule_has_a_name_an_action_and_a_sentence_a_lead_can_read() -> None:
    assert len({rule.name for rule in RULES}) == len(RULES)
    assert all(rule.when and isinstance(rule.action, Action) for rule in RULES)


def test_spending_past_the_overdraft_is_refused() -> None:
    verdict = judge(_entry(8, recipient_balance=-76), History(), Guard(min_balance=-80))

    assert [r.name for r in verdict.refused] == ["overdraft"]


def test_help_dated_in_the_future_is_held() -> None:
    assert _fired(_entry(performed_on=TODAY + timedelta(days=1))) == ["future-date"]


@pytest.mark.parametrize(("quarters", "fired"), [(16, []), (17, ["large-exchange"]),
                                                 (25, ["large-exchange", "four-eyes"])])  # fmt: skip
def test_long_exchanges_wait_for_one_or_two_coordinators(quarters: int, fired: list[str]) -> None:
    assert _fired(_entry(quarters), guard=Guard(fast_saving=1000)) == fired


def test_saving_beyond_the_maximum_balance_is_held() -> None:
    assert _fired(_entry(8, helper_balance=396), guard=Guard(max_balance=400)) == ["max-balance"]


def test_two_members_crediting_each_other_repeatedly_are_held() -> None:
    history = (_past(ANNA, BERT), _past(BERT, ANNA, days_ago=2))

    assert _fired(_entry(helper=ANNA, recipient=BERT), *history) == ["mutual-crediting"]
    assert _fired(_entry(helper=ANNA, recipient=BERT), history[0]) == []  # one way is no pattern


def test_credits_going_round_a_circle_of_three_are_held() -> None:
    # Anna helped Carla, Carla helped Bert; now Bert helps Anna.
    history = (_past(ANNA, CARLA), _past(CARLA, BERT))

    assert _fired(_entry(helper=BERT, recipient=ANNA), *history) == ["circle"]


def test_unusually_fast_saving_and_many_entries_are_held() -> None:
    others = [uuid4() for _ in range(7)]
    week = [_past(BERT, other, quarters=8) for other in others]

    fired = _fired(_entry(8, recipient=uuid4()), *week)

    assert fired == ["fast-saving", "many-entries"]


def test_the_pattern_rules_forget_what_lies_outside_the_window() -> None:
    old = (_past(ANNA, BERT, days_ago=40), _past(BERT, ANNA, days_ago=35))

    assert _fired(_entry(helper=ANNA, recipient=BERT), *old) == []


def test_the_third_gift_to_one_member_in_a_week_is_held() -> None:
    past = (Gift(ANNA, CARLA, 2, TODAY - timedelta(days=1)), Gift(BERT, CARLA, 2, TODAY - timedelta(days=6)))
    gift = Gift(ANNA, CARLA, 2, TODAY)

    assert judge_gift(gift, past, Guard()) == ["donation-stream"]
    assert judge_gift(gift, past[:1], Guard()) == []
    assert judge_gift(Gift(ANNA, BERT, 2, TODAY), past, Guard()) == []


def _whole_window(entry: Entry, past: list[Past], guard: Guard) -> list[str]:
    """The pattern rules as first written, each walking the whole window: the oracle for the indexed ones."""

    def within(days: int) -> list[Past]:
        return [p for p in past if p.recorded_on > entry.recorded_on - timedelta(days=days)]

    pair = {entry.helper_id, entry.recipient_id}
    between = [p for p in within(guard.window_days) if {p.helper_id, p.recipient_id} == pair]
    recent = within(guard.window_days)
    from_recipient = {p.recipient_id for p in recent if p.helper_id == entry.recipient_id}
    to_helper = {p.helper_id for p in recent if p.recipient_id == entry.helper_id}
    week = within(7)
    fired = {
        "mutual-crediting": {p.helper_id for p in between} == pair and len(between) + 1 >= guard.pair_repeats,
        "circle": bool((from_recipient & to_helper) - pair),
        "fast-saving": sum(p.quarters for p in week if p.helper_id == entry.helper_id) + entry.quarters
        >= guard.fast_saving,
        "many-entries": len([p for p in week if entry.helper_id in (p.helper_id, p.recipient_id)]) + 1
        >= guard.many_entries,
    }
    return [name for name, fires in fired.items() if fires]


_MEMBERS = [ANNA, BERT, CARLA, uuid4()]
_PASTS = st.lists(
    st.builds(Past, st.sampled_from(_MEMBERS), st.sampled_from(_MEMBERS), st.integers(1, 16),
              st.integers(0, 40).map(lambda days: TODAY - timedelta(days=days))),
    max_size=30,
)  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(
    past=_PASTS,
    helper=st.sampled_from(_MEMBERS),
    recipient=st.sampled_from(_MEMBERS),
    quarters=st.integers(1, 16),
)
def test_the_pattern_rules_look_only_at_the_two_members_and_fire_as_over_the_whole_window(
    past: list[Past], helper: UUID, recipient: UUID, quarters: int
) -> None:
    guard = Guard(pair_repeats=2, fast_saving=24, many_entries=3)
    entry = _entry(quarters, helper, recipient)
    patterns = {"mutual-crediting", "circle", "fast-saving", "many-entries"}

    fired = [name for name in _fired(entry, *past, guard=guard) if name in patterns]

    assert fired == _whole_window(entry, past, guard)
