"""The antenne's periodic sweeps: accept overdue help, expire stale requests, give back unused earmarks."""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from services.antenne.application import Antenne

log = logging.getLogger(__name__)


def sweep(antenne: Antenne) -> tuple[int, int, int]:
    """Run every sweep once; returns how many exchanges, requests and donations it changed."""
    accepted = antenne.accept_overdue_exchanges()
    expired = antenne.expire_stale_requests()
    returned = antenne.return_expired_donations()
    declined = antenne.decline_transfers_for_absent_payees()
    if declined:  # logged here: the sweep's counts stay what its callers compare
        log.info("sweep: %d transfers declined, their payee is no active member here", len(declined))
    return len(accepted), len(expired), len(returned)


async def sweep_every(antenne: Antenne, interval_seconds: float, stop: asyncio.Event) -> None:
    """Sweep every `interval_seconds` until `stop`; the first sweep waits one interval."""
    while not stop.is_set():
        try:
            await asyncio.wait_for(stop.wait(), timeout=interval_seconds)
            return
        except TimeoutError:
            pass
        try:
            counts = await asyncio.to_thread(sweep, antenne)
        except Exception:  # a store hiccup: the next sweep catches up, the service keeps serving
            log.exception("sweep failed; trying again in %s s", interval_seconds)
            continue
        if any(counts):
            log.info("sweep: %d exchanges accepted, %d requests expired, %d donations returned", *counts)
