"""The ledger's composition root: `create_app(settings)` wires the Ledger, its consumer and the API."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING

from fastapi import FastAPI, Request, status
from fastapi.responses import JSONResponse

from services.ledger.api import health_router, router
from services.ledger.application import Ledger
from services.ledger.domain import AccountNotFoundError, LedgerError
from services.messaging.consumer import ChainConsumer, ConsumerStatus

if TYPE_CHECKING:
    from collections.abc import AsyncIterator

    from services.ledger.settings import Settings

log = logging.getLogger(__name__)

# The one place where domain errors become HTTP statuses; the most specific class wins.
ERROR_STATUSES: dict[type[LedgerError], int] = {
    AccountNotFoundError: status.HTTP_404_NOT_FOUND,
    LedgerError: status.HTTP_422_UNPROCESSABLE_CONTENT,
}

PROGRESS_LOG_SECONDS = 10.0
STOP_TIMEOUT_SECONDS = 10.0


def create_app(settings: Settings, *, run_consumer: bool = True) -> FastAPI:
    """The ledger's FastAPI app; its lifespan opens the books and consumes antenne events."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        ledger = Ledger(env=settings.eventsourcing_env())
        consumer = ChainConsumer(settings.nats_url, settings.durable, sink=ledger)
        app.state.ledger = ledger
        app.state.consumer = consumer
        stop = asyncio.Event()
        tasks = (
            {asyncio.create_task(consumer.run(stop)), asyncio.create_task(_log_progress(consumer, stop))}
            if run_consumer
            else set()
        )
        log.info("ledger open on %s, consuming %s as %r", _safe(settings.database_url), settings.nats_url,
                 settings.durable)  # fmt: skip
        try:
            yield
        finally:
            stop.set()
            # The consumer finishes the batch in hand (acknowledging what it committed), then closes.
            if tasks:
                _, late = await asyncio.wait(tasks, timeout=STOP_TIMEOUT_SECONDS)
                for task in late:
                    task.cancel()
            ledger.close()
            log.info("ledger stopped: %d events applied by this process", consumer.status.applied)

    app = FastAPI(
        title="BuurtPensioen ledger",
        description="Portable time credits: accounts and double-entry transfers fed by every antenne.",
        version="1",
        lifespan=lifespan,
    )
    app.state.token = settings.token
    app.include_router(router)
    app.include_router(health_router)
    app.add_exception_handler(LedgerError, _ledger_error)  # type: ignore[arg-type]
    return app


def _ledger_error(request: Request, error: LedgerError) -> JSONResponse:
    code = next(ERROR_STATUSES[cls] for cls in type(error).__mro__ if cls in ERROR_STATUSES)
    return JSONResponse(status_code=code, content={"detail": str(error)})


async def _log_progress(consumer: ChainConsumer, stop: asyncio.Event) -> None:
    """Say when the consumer connects or loses NATS, how many events it applied, what gaps it waits on."""
    seen = ConsumerStatus()
    last_report = 0.0
    loop = asyncio.get_running_loop()
    while not stop.is_set():
        now = consumer.status
        if now.connected != seen.connected:
            if now.connected:
                log.info("consumer %s connected to NATS", consumer.durable)
            else:
                log.warning("consumer %s is not connected: %s", consumer.durable, now.last_error)
        if now.waiting and now.waiting != seen.waiting:
            log.info("waiting for missing events after: %s", now.waiting)
        if now.applied != seen.applied and loop.time() - last_report >= PROGRESS_LOG_SECONDS:
            log.info("%d events applied (%d duplicates dropped, %d parked); positions %s",
                     now.applied, now.duplicates, now.parked, now.positions)  # fmt: skip
            last_report = loop.time()
            seen.applied = now.applied
        seen.connected, seen.waiting = now.connected, dict(now.waiting)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), 1.0)


def _safe(database_url: str) -> str:
    """The database URL without its password, for logs."""
    scheme, _, rest = database_url.partition("://")
    if "@" not in rest:
        return database_url
    return f"{scheme}://***@{rest.rpartition('@')[2]}"
