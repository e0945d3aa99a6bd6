"""The abuse guard: the rules a project lead reads and tunes, in one place.

Each rule has a name, what it does when it fires, and one sentence saying when. The numbers live in
`Guard`, one per antenne (settings `ANTENNE_GUARD_*`). A rule that refuses stops the entry; one that holds
records the entry but keeps it from confirmation until a coordinator reviews it; four eyes holds it until a
second coordinator, not the one who recorded it, approves. Every hold and every review is an event.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import StrEnum
from functools import cached_property
from uuid import UUID


@dataclass(frozen=True)
class Guard:
    """The numbers of one antenne's abuse guard, in quarter hours and days."""

    approval_above: int = 16  # an exchange over 4 hours waits for a coordinator
    four_eyes_above: int = 24  # over 6 hours, for a second coordinator as well
    max_balance: int = 400  # 100 hours saved is plenty: more waits for a coordinator
    min_balance: int = -80  # 20 hours of overdraft at most (invariant 6)
    window_days: int = 30  # how far back the pattern rules look
    pair_repeats: int = 3  # two members crediting each other this often in the window
    fast_saving: int = 64  # a helper saving 16 hours or more in a week
    many_entries: int = 8  # a helper with this many entries in a week
    donation_stream: int = 3  # this many donations to one member in a week


class Action(StrEnum):
    """What a rule does when it fires."""

    REFUSE = "refuse"
    HOLD = "hold"
    FOUR_EYES = "four_eyes"


@dataclass(frozen=True)
class Entry:
    """An exchange about to be recorded, and the balances it would move."""

    helper_id: UUID
    recipient_id: UUID
    quarters: int
    performed_on: date
    recorded_on: date
    helper_balance: int
    recipient_balance: int


@dataclass(frozen=True)
class Past:
    """An exchange already recorded (and not rejected or reversed)."""

    helper_id: UUID
    recipient_id: UUID
    quarters: int
    recorded_on: date


@dataclass(frozen=True)
class History:
    """The antenne's recent exchanges the pattern rules look at."""

    exchanges: tuple[Past, ...] = field(default_factory=tuple)

    def involving(self, member_id: UUID, days: int, today: date) -> list[Past]:
        """Exchanges this member gave or received, recorded in the last `days` days."""
        since = today - timedelta(days=days)
        return [p for p in self._by_member.get(member_id, ()) if p.recorded_on > since]

    @cached_property
    def _by_member(self) -> dict[UUID, list[Past]]:
        # Every rule looks at the entry's two members only: one pass over the window, not one per rule.
        index: dict[UUID, list[Past]] = {}
        for past in self.exchanges:
            for member_id in {past.helper_id, past.recipient_id}:
                index.setdefault(member_id, []).append(past)
        return index


Check = Callable[[Entry, History, Guard], bool]


@dataclass(frozen=True)
class Rule:
    """One rule of the guard: its name, what it does, when it fires."""

    name: str
    action: Action
    when: str
    check: Check


def _pair_repeats(e: Entry, h: History, g: Guard) -> bool:
    pair = {e.helper_id, e.recipient_id}
    recent = h.involving(e.helper_id, g.window_days, e.recorded_on)
    between = [p for p in recent if {p.helper_id, p.recipient_id} == pair]
    both_ways = {p.helper_id for p in between} == pair
    return both_ways and len(between) + 1 >= g.pair_repeats


def _circle(e: Entry, h: History, g: Guard) -> bool:
    # recipient -> x -> helper already happened: this entry closes a circle of three.
    days, today = g.window_days, e.recorded_on
    from_recipient = {
        p.recipient_id for p in h.involving(e.recipient_id, days, today) if p.helper_id == e.recipient_id
    }
    to_helper = {p.helper_id for p in h.involving(e.helper_id, days, today) if p.recipient_id == e.helper_id}
    return bool((from_recipient & to_helper) - {e.helper_id, e.recipient_id})


def _fast_saving(e: Entry, h: History, g: Guard) -> bool:
    week = [p.quarters for p in h.involving(e.helper_id, 7, e.recorded_on) if p.helper_id == e.helper_id]
    return sum(week) + e.quarters >= g.fast_saving


def _many_entries(e: Entry, h: History, g: Guard) -> bool:
    return len(h.involving(e.helper_id, 7, e.recorded_on)) + 1 >= g.many_entries


RULES: tuple[Rule, ...] = (
    Rule("overdraft", Action.REFUSE, "the recipient would go below the minimum balance",
         lambda e, h, g: e.recipient_balance - e.quarters < g.min_balance),
    Rule("future-date", Action.HOLD, "the help is dated after the day it is recorded",
         lambda e, h, g: e.performed_on > e.recorded_on),
    Rule("large-exchange", Action.HOLD, "the exchange is longer than what needs no approval",
         lambda e, h, g: e.quarters > g.approval_above),
    Rule("four-eyes", Action.FOUR_EYES, "the exchange is longer than one coordinator may approve alone",
         lambda e, h, g: e.quarters > g.four_eyes_above),
    Rule("max-balance", Action.HOLD, "the helper would save more than the maximum balance",
         lambda e, h, g: e.helper_balance + e.quarters > g.max_balance),
    Rule("mutual-crediting", Action.HOLD, "two members keep crediting each other", _pair_repeats),
    Rule("circle", Action.HOLD, "credits go round a circle of three members", _circle),
    Rule("fast-saving", Action.HOLD, "the helper saves unusually fast this week", _fast_saving),
    Rule("many-entries", Action.HOLD, "a member has many entries in a short time", _many_entries),
)  # fmt: skip


@dataclass(frozen=True)
class Gift:
    """A donation to a member, about to be made or made in the past."""

    donor_id: UUID
    recipient_id: UUID
    quarters: int
    made_on: date


GiftCheck = Callable[[Gift, tuple[Gift, ...], Guard], bool]


@dataclass(frozen=True)
class GiftRule:
    """One rule of the guard on donations."""

    name: str
    action: Action
    when: str
    check: GiftCheck


def _donation_stream(gift: Gift, past: tuple[Gift, ...], g: Guard) -> bool:
    week = [
        p
        for p in past
        if p.recipient_id == gift.recipient_id and p.made_on > gift.made_on - timedelta(days=7)
    ]
    return len(week) + 1 >= g.donation_stream


GIFT_RULES: tuple[GiftRule, ...] = (
    GiftRule(
        "donation-stream", Action.HOLD, "a sudden stream of donations goes to one member", _donation_stream
    ),
)


def judge_gift(
    gift: Gift, past: tuple[Gift, ...], guard: Guard, rules: tuple[GiftRule, ...] = GIFT_RULES
) -> list[str]:
    """Names of the rules that hold a donation for review."""
    return [rule.name for rule in rules if rule.check(gift, past, guard)]


@dataclass(frozen=True)
class Verdict:
    """The rules that fired on an entry."""

    fired: tuple[Rule, ...]

    @property
    def refused(self) -> tuple[Rule, ...]:
        """Rules that refuse the entry."""
        return tuple(r for r in self.fired if r.action is Action.REFUSE)

    @property
    def holds(self) -> tuple[str, ...]:
        """Names of the rules that hold the entry for review."""
        return tuple(r.name for r in self.fired if r.action is not Action.REFUSE)

    @property
    def four_eyes(self) -> bool:
        """A second coordinator must approve."""
        return any(r.action is Action.FOUR_EYES for r in self.fired)


def judge(entry: Entry, history: History, guard: Guard, rules: tuple[Rule, ...] = RULES) -> Verdict:
    """Every rule that fires on `entry`."""
    return Verdict(tuple(rule for rule in rules if rule.check(entry, history, guard)))
