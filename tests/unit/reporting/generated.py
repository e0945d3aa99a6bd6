"""Helpers for tests on generated histories: envelopes from payloads, histories cached per seed."""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING
from uuid import uuid4

from contracts.envelope import Envelope, wrap
from simulation.history import History, generate_history

if TYPE_CHECKING:
    from collections.abc import Iterable
    from datetime import datetime

    from contracts.base import Contract


def envelopes_of(antenne_id: str, events: Iterable[tuple[Contract, datetime]]) -> list[Envelope]:
    """Each payload in its own envelope, chained in the order given, as a relay publishes them."""
    envelopes: list[Envelope] = []
    for position, (payload, occurred_at) in enumerate(events, start=1):
        envelopes.append(
            wrap(payload, antenne_id=antenne_id, aggregate_id=uuid4(), aggregate_version=1,
                 occurred_at=occurred_at, position=position, previous_position=position - 1 or None)
        )  # fmt: skip
    return envelopes


@cache
def history(seed: int, days: int = 120, daily: int = 14) -> History:
    """A generated history, made once per test session (the same seed gives the same history)."""
    return generate_history(seed, antennes=3, days=days, daily=daily)
