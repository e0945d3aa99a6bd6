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
from services.messaging.consumer import ChainConsumer

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
        log.info("ledger open on %s", _safe(settings.database_url))
        if run_consumer:
            log.info("consuming antenne events from %s as %r", settings.nats_url, settings.durable)
        try:
            yield
        finally:
            stop.set()
            await _stop(tasks, consumer)
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


async def _stop(tasks: set[asyncio.Task[None]], consumer: ChainConsumer) -> None:
    """Let a connected consumer finish the batch in hand; cancel one still trying to reach NATS."""
    if not tasks:
        return
    # nats.connect() retries forever while NATS is down and does not see `stop`; nothing is in flight then.
    timeout = STOP_TIMEOUT_SECONDS if consumer.status.connected else 0.1
    _, late = await asyncio.wait(tasks, timeout=timeout)
    for task in late:
        task.cancel()
    if late:
        await asyncio.wait(late)


def _ledger_error(request: Request, error: LedgerError) -> JSONResponse:
    code = next(ERROR_STATUSES[cls] for cls in type(error).__mro__ if cls in ERROR_STATUSES)
    return JSONResponse(status_code=code, content={"detail": str(error)})


async def _log_progress(consumer: ChainConsumer, stop: asyncio.Event) -> None:
    """Say when the consumer connects or loses NATS, how many events it applied, what gaps it waits on."""
    loop = asyncio.get_running_loop()
    started = loop.time()
    connected: bool | None = None  # unknown until the consumer had a moment to connect
    waiting: dict[str, int] = {}
    applied, reported_at = 0, 0.0
    while not stop.is_set():
        now = consumer.status
        if now.connected != connected and (now.connected or loop.time() - started > 2.0):
            if now.connected:
                log.info("consumer %r connected to NATS", consumer.durable)
            else:
                log.warning(
                    "consumer %r is not connected to NATS (%s)",
                    consumer.durable,
                    now.last_error or "retrying",
                )
            connected = now.connected
        if now.waiting and now.waiting != waiting:
            log.info("waiting for missing events: antenne -> last position applied %s", now.waiting)
        waiting = dict(now.waiting)
        if now.applied != applied and loop.time() - reported_at >= PROGRESS_LOG_SECONDS:
            log.info("%d events applied (%d duplicates dropped, %d parked); positions %s",
                     now.applied, now.duplicates, now.parked, now.positions)  # fmt: skip
            applied, reported_at = now.applied, loop.time()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), 1.0)


def _safe(database_url: str) -> str:
    """The database URL without its password, for logs."""
    scheme, _, rest = database_url.partition("://")
    if "@" not in rest:
        return database_url
    return f"{scheme}://***@{rest.rpartition('@')[2]}"
