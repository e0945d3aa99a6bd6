"""The anonymised partner feed on a generated history: no personal data, consent, pseudonyms, suppression."""

from __future__ import annotations

import json
from datetime import date
from functools import cache
from typing import Any

import pytest

from contracts.envelope import FeedEnvelope
from contracts.partner.v1 import ExchangeShared, ExchangeWithdrawn, WeekClosed, WeekFigures
from services.reporting.consumer import SummarySink
from services.reporting.partner.feed import week_messages, weeks_ready
from services.reporting.partner.pseudonyms import PartnerKey, WeakPartnerKeyError, pseudonym
from services.reporting.partner.tail import describe
from services.reporting.records import Records
from services.reporting.views import make_view
from tests.unit.reporting.generated import history

SEED = 11
BDBD = PartnerKey("2026-11", b"bras-dessus-key-" + bytes(range(16)))
SAMANA = PartnerKey("k1", b"samana-key-0123456789abcdef")


@cache
def _records() -> dict[str, Records]:
    view = make_view("memory:")
    sink = SummarySink(view)
    for envelope in history(SEED).envelopes:
        sink.apply(envelope, envelope.payload())
    return view.records()


def _feed(partner_id: str, key: PartnerKey) -> list[FeedEnvelope]:
    records = _records()
    return [
        m
        for week in weeks_ready(records, date(2027, 1, 1))
        for m in week_messages(partner_id, key, records, week)
    ]


def _values(node: Any) -> list[Any]:
    if isinstance(node, dict):
        return [v for value in node.values() for v in _values(value)]
    if isinstance(node, list):
        return [v for value in node for v in _values(value)]
    return [node]


def test_the_feed_carries_no_personal_data_of_any_generated_member() -> None:
    messages = _feed("bras-dessus", BDBD)
    fields = [value for message in messages for value in _values(json.loads(message.to_bytes()))]
    texts = [value for value in fields if isinstance(value, str)]
    numbers = {value for value in fields if isinstance(value, int) and not isinstance(value, bool)}

    assert len(messages) > 100
    for member in history(SEED).members:
        personal = member.personal
        for value in (personal.display_name, personal.phone, personal.email, personal.address,
                      personal.heard_via, personal.life_story, personal.talents, personal.needs):  # fmt: skip
            assert value
            assert not any(value in text for text in texts), f"{value!r} is in the feed"
        # The birth year as a value (small counts and quarter hours are never a year).
        assert personal.birth_year not in numbers
        # Not even the member's id: partners see pseudonyms only.
        assert not any(str(member.member_id) in text for text in texts)


def test_only_exchanges_between_consenting_members_are_shared() -> None:
    records = _records()
    shared = [
        ExchangeShared.model_validate(m.data)
        for m in _feed("bras-dessus", BDBD)
        if m.type == ExchangeShared.TYPE
    ]
    consenting = {
        pseudonym(BDBD, "bras-dessus", key.removeprefix("member:"))
        for antenne in records.values()
        for key, record in antenne.items()
        if key.startswith("member:") and record["shares"]
    }
    everyone = {
        pseudonym(BDBD, "bras-dessus", key.removeprefix("member:"))
        for antenne in records.values()
        for key in antenne
        if key.startswith("member:")
    }

    assert shared
    assert {e.helper for e in shared} | {e.recipient for e in shared} <= consenting
    assert consenting < everyone  # some members did not consent, and none of them appears
    not_shared = [
        e for antenne in records.values() for k, e in antenne.items()
        if k.startswith("exchange:") and not e.get("reversed")
    ]  # fmt: skip
    assert len(shared) < len(not_shared)


def test_pseudonyms_are_stable_for_one_partner_and_unrelated_between_partners() -> None:
    first, again, other = _feed("bras-dessus", BDBD), _feed("bras-dessus", BDBD), _feed("samana", SAMANA)

    def members(messages: list[FeedEnvelope]) -> set[str]:
        shared = [ExchangeShared.model_validate(m.data) for m in messages if m.type == ExchangeShared.TYPE]
        return {e.helper for e in shared} | {e.recipient for e in shared}

    assert [m.to_bytes() for m in first] == [m.to_bytes() for m in again]
    assert members(first)
    assert members(first).isdisjoint(members(other))
    assert {m.partnerid for m in other} == {"samana"}


def test_a_rotated_key_gives_new_pseudonyms_and_says_which_key_made_them() -> None:
    rotated = PartnerKey("2026-12", b"a-brand-new-key-for-bras-dessus")
    before, after = _feed("bras-dessus", BDBD), _feed("bras-dessus", rotated)

    shared_before = [ExchangeShared.model_validate(m.data) for m in before if m.type == ExchangeShared.TYPE]
    shared_after = [ExchangeShared.model_validate(m.data) for m in after if m.type == ExchangeShared.TYPE]
    assert {e.key_id for e in shared_after} == {"2026-12"}
    assert {e.helper for e in shared_before}.isdisjoint({e.helper for e in shared_after})
    # The same exchanges, categories and durations: only the pseudonyms changed.
    assert [(e.week, e.category, e.quarters) for e in shared_before] == [
        (e.week, e.category, e.quarters) for e in shared_after
    ]


def test_time_is_an_iso_week_and_place_the_antenne() -> None:
    for message in _feed("bras-dessus", BDBD):
        assert message.time.weekday() == 0
        assert (message.time.hour, message.time.minute, message.time.second) == (0, 0, 0)
        assert message.subject == message.data["week"]
        assert message.data.get("antenne", "antenne-0") in _records()


def _member(shares: bool = True) -> dict[str, Any]:
    return {"joined": "2026-01-05", "languages": [], "isolated": False, "shares": shares,
            "status": [], "gave": {}, "received": {}, "attended": {}}  # fmt: skip


def _exchange(helper: int, recipient: int, category: str = "shopping") -> dict[str, Any]:
    return {"helper": f"m{helper}", "recipient": f"m{recipient}", "quarters": 4, "category": category,
            "month": "2026-01", "week": "2026-W03"}  # fmt: skip


@pytest.mark.parametrize("members", [4, 5])
def test_week_figures_below_five_members_are_suppressed(members: int) -> None:
    antenne: Records = {f"member:m{n}": _member() for n in range(members)}
    antenne |= {f"exchange:e{n}": _exchange(n, (n + 1) % members) for n in range(members)}

    messages = week_messages("bras-dessus", BDBD, {"jette": antenne}, "2026-W03")

    figures = [WeekFigures.model_validate(m.data) for m in messages if m.type == WeekFigures.TYPE]
    closed = WeekClosed.model_validate(messages[-1].data)
    if members < 5:
        assert figures == []
        assert closed.antennes_suppressed == ["jette"]
    else:
        assert [(f.members, f.exchanges, f.quarters) for f in figures] == [(5, 5, 20)]
        assert closed.antennes_suppressed == []
    assert closed.exchanges_shared == members


def test_a_category_below_five_members_is_left_out_of_the_week_figures() -> None:
    antenne: Records = {f"member:m{n}": _member() for n in range(8)}
    antenne |= {f"exchange:e{n}": _exchange(n, n + 1) for n in range(5)}  # shopping: m0..m5
    antenne |= {"exchange:x": _exchange(6, 7, "pets")}  # pets: two members only

    messages = week_messages("bras-dessus", BDBD, {"jette": antenne}, "2026-W03")

    figures = WeekFigures.model_validate(next(m.data for m in messages if m.type == WeekFigures.TYPE))
    assert [(c.category, c.members) for c in figures.categories] == [("shopping", 6)]
    assert figures.categories_suppressed == 1
    assert figures.members == 8


def test_a_member_who_did_not_consent_is_left_out_and_so_is_the_exchange() -> None:
    antenne: Records = {"member:m0": _member(), "member:m1": _member(shares=False)}
    antenne |= {"exchange:e0": _exchange(0, 1)}

    messages = week_messages("bras-dessus", BDBD, {"jette": antenne}, "2026-W03")

    assert [m.type for m in messages] == [WeekClosed.TYPE]


def test_a_week_is_published_only_after_it_ended_and_the_grace_days_passed() -> None:
    records: dict[str, Records] = {"jette": {"exchange:e0": _exchange(0, 1)}}  # week 3: 12-18 January 2026

    assert weeks_ready(records, date(2026, 1, 20), grace_days=2) == []
    assert weeks_ready(records, date(2026, 1, 21), grace_days=2) == ["2026-W03"]


def test_a_short_key_is_refused() -> None:
    with pytest.raises(WeakPartnerKeyError, match="at least 16"):
        PartnerKey("k1", b"short")


def test_partner_tail_prints_one_readable_line_per_message() -> None:
    lines = [describe(m) for m in _feed("bras-dessus", BDBD)]

    assert any(" helped " in line and "(key 2026-11)" in line for line in lines)
    assert any(" closed: " in line for line in lines)
    assert any(" members, " in line and "under 5 members left out" in line for line in lines)


def test_help_undone_after_its_week_was_shared_is_withdrawn_with_the_week_it_was_undone_in() -> None:
    antenne: Records = {f"member:m{n}": _member() for n in range(2)}
    antenne["exchange:e0"] = _exchange(0, 1)  # help in week 3, shared with week 3
    shared_week = week_messages("bras-dessus", BDBD, {"jette": antenne}, "2026-W03")
    (shared,) = [m for m in shared_week if m.type == ExchangeShared.TYPE]
    antenne["exchange:e0"] |= {"reversed": True, "reversed_week": "2026-W05"}  # undone two weeks later

    assert weeks_ready({"jette": antenne}, date(2026, 2, 4), grace_days=2) == ["2026-W03", "2026-W05"]
    messages = week_messages("bras-dessus", BDBD, {"jette": antenne}, "2026-W05")

    assert [m.type for m in messages] == [ExchangeWithdrawn.TYPE, WeekClosed.TYPE]
    withdrawn = ExchangeWithdrawn.model_validate(messages[0].data)
    assert (withdrawn.week, withdrawn.shared_week, withdrawn.message_id) == (
        "2026-W05",
        "2026-W03",
        shared.id,
    )
    assert WeekClosed.model_validate(messages[1].data).exchanges_withdrawn == 1
    assert "help shared in 2026-W03 was undone" in describe(messages[0])
    # Week 3 published again (a restart) no longer shares it; the withdrawal keeps its id.
    assert ExchangeShared.TYPE not in [
        m.type for m in week_messages("bras-dessus", BDBD, {"jette": antenne}, "2026-W03")
    ]
    assert messages[0].id == week_messages("bras-dessus", BDBD, {"jette": antenne}, "2026-W05")[0].id
