"""The ledger's composition root: `create_app(settings)` wires the Ledger, its consumer and the API."""

from __future__ import annotations

import asyncio
import logging
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING

from fastapi import FastAPI, Request, status
from fastapi.responses import JSONResponse

from services.ledger.api import health_router, router
from services.ledger.application import Ledger
from services.ledger.domain import AccountNotFoundError, LedgerError
from services.messaging.consumer import ChainConsumer
from services.persistence import redacted

if TYPE_CHECKING:
    from collections.abc import AsyncIterator

    from services.ledger.settings import Settings

log = logging.getLogger(__name__)

# The one place where domain errors become HTTP statuses; the most specific class wins.
ERROR_STATUSES: dict[type[LedgerError], int] = {
    AccountNotFoundError: status.HTTP_404_NOT_FOUND,
    LedgerError: status.HTTP_422_UNPROCESSABLE_CONTENT,
}


def create_app(settings: Settings, *, run_consumer: bool = True) -> FastAPI:
    """The ledger's FastAPI app; its lifespan opens the books and consumes antenne events."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        ledger = Ledger(env=settings.eventsourcing_env())
        consumer = ChainConsumer(settings.nats_url, settings.durable, sink=ledger)
        app.state.ledger, app.state.consumer = ledger, consumer
        log.info("ledger open on %s", redacted(settings.database_url))
        stop = asyncio.Event()
        consuming = None
        if run_consumer:
            log.info("consuming antenne events from %s as %r", settings.nats_url, settings.durable)
            consuming = asyncio.create_task(consumer.run(stop))
        try:
            yield
        finally:
            stop.set()
            if consuming is not None:
                await consuming
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
