"""The ledger's own clock: it releases expired holds and runs the clearing, on its own schedule."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from datetime import UTC, datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from services.ledger.application import Ledger
    from services.ledger.settings import Settings

log = logging.getLogger(__name__)


async def run_timers(ledger: Ledger, settings: Settings, stop: asyncio.Event) -> None:
    """Sweep expired holds every `sweep_seconds`; run the clearing every `clearing_interval_seconds`."""
    last_clearing = time.monotonic()
    while not stop.is_set():
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), settings.sweep_seconds)
        if stop.is_set():
            return
        try:
            released = await asyncio.to_thread(ledger.expire_holds, datetime.now(UTC))
            if released:
                log.info("released %d expired holds", len(released))
            interval = settings.clearing_interval_seconds
            if interval and time.monotonic() - last_clearing >= interval:
                run = await asyncio.to_thread(ledger.run_clearing, datetime.now(UTC))
                log.info("clearing run %s netted %d transfers", run.id, len(run.transfer_ids))
                last_clearing = time.monotonic()
        except Exception:  # the store is down: try again at the next tick
            log.exception("ledger timers could not run; retrying at the next tick")
