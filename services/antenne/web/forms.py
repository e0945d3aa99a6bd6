"""Reading the pages' forms: member numbers, dates, categories and durations, each error by its field.

Errors are msgids, keyed by the form field they belong to; the page shows each next to its field.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING
from uuid import UUID

from contracts.antenne.v1 import Category
from services.antenne.domain import MemberNotFoundError
from services.web import N_, DurationError, parse_duration

if TYPE_CHECKING:
    from services.antenne.application import Antenne
    from services.antenne.domain import Member

Errors = dict[str, str]


def member_of(antenne: Antenne, number: str, field: str, errors: Errors) -> Member | None:
    """The member with this number (`JET-0001`; `jet-1` too), or an error on `field`."""
    if not number:
        errors[field] = N_("Enter a member number, such as ABC-0001.")
        return None
    try:
        return antenne.member_by_number(normalised_number(number))
    except MemberNotFoundError:
        errors[field] = N_("No member has this number.")
        return None


def normalised_number(number: str) -> str:
    """`jet 12` or `JET-12` -> `JET-0012`, the way the roll writes numbers."""
    prefix, _, digits = number.strip().upper().replace(" ", "-").rpartition("-")
    if prefix and digits.isdecimal():
        return f"{prefix}-{int(digits):04d}"
    return number.strip().upper()


def day_of(text: str, field: str, errors: Errors, today: date, *, past_only: bool = True) -> date | None:
    """A date from a date field (ISO); empty is today; help cannot lie in the future."""
    if not text:
        return today
    try:
        day = date.fromisoformat(text)
    except ValueError:
        errors[field] = N_("Enter a date as day, month and year.")
        return None
    if past_only and day > today:
        errors[field] = N_("Help cannot be recorded before it happened.")
        return None
    return day


def uuid_or_none(text: str) -> UUID | None:
    """An id from a hidden field or a checkbox; None if empty or not an id."""
    try:
        return UUID(text) if text else None
    except ValueError:
        return None


def category_of(text: str, field: str, errors: Errors) -> Category | None:
    """One of the help categories."""
    try:
        return Category(text)
    except ValueError:
        errors[field] = N_("Choose the kind of help.")
        return None


def quarters_of(hours: str, minutes: str, errors: Errors) -> int | None:
    """The quarter hours of an hours field and a minutes field."""
    try:
        return parse_duration(hours, minutes)
    except DurationError as refused:
        errors[refused.field] = refused.message
        return None
