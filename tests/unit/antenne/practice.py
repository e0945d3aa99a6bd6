"""Helpers for the practice tests: a clock the test turns, profiles, an antenne on a back end."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from contracts.antenne.v1 import Category
from services.antenne.application import Antenne, Practice
from services.antenne.domain import Capacities, Consents, PersonalData, Profile, Weekday
from services.persistence import eventsourcing_env

TODAY = date(2026, 11, 24)  # a Tuesday: permanence


@dataclass
class Clock:
    """Today, as the test says."""

    day: date = TODAY

    def today(self) -> date:
        return self.day

    def advance(self, days: int) -> None:
        self.day += timedelta(days=days)


def antenne_on(database_url: str, clock: Clock, **practice: object) -> Antenne:
    """An antenne whose numbers start with JET, on the given back end, living on `clock`."""
    settings = Practice(**{"member_prefix": "JET", **practice})  # type: ignore[arg-type]
    return Antenne(env=eventsourcing_env(database_url), practice=settings, today=clock.today)


def profile(
    name: str,
    *,
    sector: str | None = "jette-centrum",
    languages: tuple[str, ...] = ("nl",),
    gives: tuple[Category, ...] = (),
    asks: tuple[Category, ...] = (),
    availability: tuple[Weekday, ...] = (),
    birth_year: int | None = None,
) -> Profile:
    """A registration with capacities; everything personal sits in PersonalData."""
    return Profile(
        PersonalData(display_name=name, phone="02 123 45 67", birth_year=birth_year, talents="listens well"),
        Capacities(sector=sector, languages=languages, gives=gives, asks=asks, availability=availability),
        Consents(alliance_sharing=True),
    )
