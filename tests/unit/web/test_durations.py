"""Quarter hours shown as hours and minutes, and read back from a form's hours and minutes fields."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.web import DurationError, format_duration, format_month, parse_duration


@pytest.mark.parametrize(
    ("quarters", "lang", "shown"),
    [
        (5, "nl", "1 u 15"),
        (5, "fr", "1 h 15"),
        (8, "nl", "2 u"),
        (3, "fr", "0 h 45"),
        (0, "nl", "0 u"),
        (-6, "nl", "-1 u 30"),
        (2, "en", "0 h 30"),
    ],
)
def test_quarters_are_shown_as_hours_and_minutes(quarters: int, lang: str, shown: str) -> None:
    assert format_duration(quarters, lang) == shown


@pytest.mark.parametrize(
    ("hours", "minutes", "quarters"),
    [("1", "15", 5), ("", "45", 3), (" 2 ", "0", 8), ("0", "30", 2), ("99", "45", 399)],
)
def test_hours_and_minutes_are_read_as_quarters(hours: str, minutes: str, quarters: int) -> None:
    assert parse_duration(hours, minutes) == quarters


@pytest.mark.parametrize(
    ("hours", "minutes", "field"),
    [
        ("1.5", "0", "hours"),
        ("-1", "0", "hours"),
        ("een", "0", "hours"),
        ("100", "0", "hours"),
        ("1", "20", "minutes"),
        ("1", "x", "minutes"),
        ("0", "0", "hours"),
        ("", "", "hours"),
    ],
)
def test_a_duration_the_form_cannot_take_names_its_field(hours: str, minutes: str, field: str) -> None:
    with pytest.raises(DurationError) as refused:
        parse_duration(hours, minutes)
    assert refused.value.field == field


@pytest.mark.parametrize(("lang", "shown"), [("nl", "november 2026"), ("fr", "novembre 2026")])
def test_months_are_named_in_the_readers_language(lang: str, shown: str) -> None:
    assert format_month("2026-11", lang) == shown


def test_zero_is_allowed_only_when_asked() -> None:
    assert parse_duration("0", "0", allow_zero=True) == 0


@given(st.integers(min_value=1, max_value=399))
def test_what_is_shown_reads_back_as_the_same_quarters(quarters: int) -> None:
    hours, _, minutes = format_duration(quarters, "fr").partition(" h")
    assert parse_duration(hours, minutes) == quarters
