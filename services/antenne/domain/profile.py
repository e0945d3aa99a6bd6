"""A member's profile, capacities first: the personal part and the coarse facts, kept apart."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

from contracts.antenne.v1 import Category


class Weekday(StrEnum):
    """A day a member is usually available."""

    MONDAY = "monday"
    TUESDAY = "tuesday"
    WEDNESDAY = "wednesday"
    THURSDAY = "thursday"
    FRIDAY = "friday"
    SATURDAY = "saturday"
    SUNDAY = "sunday"

    @classmethod
    def of(cls, day: date) -> Weekday:
        """The weekday of a date."""
        return list(cls)[day.weekday()]


@dataclass(frozen=True)
class PersonalData:
    """What identifies a member or tells their story: stays at the antenne, ready to encrypt per member."""

    display_name: str
    phone: str | None = None
    email: str | None = None
    address: str | None = None
    birth_year: int | None = None
    heard_via: str | None = None
    life_story: str | None = None
    talents: str | None = None
    energy: str | None = None
    would_like_to_do: str | None = None
    needs: str | None = None


@dataclass(frozen=True)
class Capacities:
    """The coarse facts of a profile that matching uses: no name, no free text."""

    sector: str | None = None
    languages: tuple[str, ...] = ()
    gives: tuple[Category, ...] = ()
    asks: tuple[Category, ...] = ()
    availability: tuple[Weekday, ...] = ()
    isolated: bool = False  # noted at intake or later: reporting counts whether such members are reached


@dataclass(frozen=True)
class Consents:
    """What a member agreed to; nothing is assumed."""

    alliance_sharing: bool = False
    newsletter: bool = False
    photos: bool = False


@dataclass(frozen=True)
class Note:
    """A coordinator's internal note on a member."""

    noted_on: date
    author: str
    text: str


AGE_BANDS = ((30, "under-30"), (50, "30-49"), (65, "50-64"), (80, "65-79"))


def age_band(birth_year: int | None, on: date) -> str | None:
    """The coarse age band that may leave the antenne, never the birth year itself."""
    if birth_year is None:
        return None
    age = on.year - birth_year
    return next((band for limit, band in AGE_BANDS if age < limit), "80-plus")


@dataclass(frozen=True)
class Profile:
    """A whole registration: personal data, capacities and consents."""

    personal: PersonalData
    capacities: Capacities = field(default_factory=Capacities)
    consents: Consents = field(default_factory=Consents)
