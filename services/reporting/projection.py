"""Pure: what each antenne event changes in the summary, one small function per contract type."""

from __future__ import annotations

from dataclasses import dataclass, fields
from functools import singledispatch
from typing import TYPE_CHECKING

from contracts.antenne.v1 import ExchangeConfirmed, ExchangeRecorded, ExchangeReversed, MemberRegistered

if TYPE_CHECKING:
    from collections.abc import Iterable

    from contracts.base import Contract


@dataclass(frozen=True)
class Figures:
    """The counts reporting keeps for an antenne (or a change to them); quarters are quarter hours."""

    members: int = 0
    exchanges_recorded: int = 0
    exchanges_confirmed: int = 0
    quarters_confirmed: int = 0

    def __add__(self, other: Figures) -> Figures:
        return Figures(*(getattr(self, f.name) + getattr(other, f.name) for f in fields(Figures)))

    def as_dict(self) -> dict[str, int]:
        """The figures by field name."""
        return {f.name: getattr(self, f.name) for f in fields(Figures)}


NO_CHANGE = Figures()

Summary = dict[str, Figures]
"""Figures per antenne id."""


@singledispatch
def change_for(payload: Contract) -> Figures:
    """The change an event makes to its antenne's figures; events reporting does not count change nothing."""
    return NO_CHANGE


@change_for.register
def _member_registered(payload: MemberRegistered) -> Figures:
    return Figures(members=1)


@change_for.register
def _exchange_recorded(payload: ExchangeRecorded) -> Figures:
    return Figures(exchanges_recorded=1)


@change_for.register
def _exchange_confirmed(payload: ExchangeConfirmed) -> Figures:
    return Figures(exchanges_confirmed=1, quarters_confirmed=payload.quarters)


@change_for.register
def _exchange_reversed(payload: ExchangeReversed) -> Figures:
    # A reversed exchange no longer counts as help given: the figures match the ledger's net hours.
    return Figures(exchanges_confirmed=-1, quarters_confirmed=-payload.quarters)


def total(figures: Iterable[Figures]) -> Figures:
    """The sum of several antennes' figures: the federation's."""
    return sum(figures, NO_CHANGE)
