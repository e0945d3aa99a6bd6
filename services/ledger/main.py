"""The ledger's composition root: `create_app(settings)` wires the Ledger, its consumer and the API."""

from __future__ import annotations

import asyncio
import logging
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING

from fastapi import FastAPI, status

from services.auth import install_authentication
from services.http_errors import install_error_handlers
from services.http_guard import install_http_guard
from services.ledger import statement_api
from services.ledger.api import health_router, router
from services.ledger.application import Ledger
from services.ledger.domain import AccountNotFoundError, LedgerError
from services.ledger.signing import load_or_create_signing_key
from services.messaging.consumer import ChainConsumer
from services.observability.metrics import instrument
from services.persistence import redacted

if TYPE_CHECKING:
    from collections.abc import AsyncIterator

    from services.ledger.settings import Settings

log = logging.getLogger(__name__)

# The one place where domain errors become HTTP statuses; the most specific class wins.
ERROR_STATUSES: dict[type[Exception], int] = {
    AccountNotFoundError: status.HTTP_404_NOT_FOUND,
    LedgerError: status.HTTP_422_UNPROCESSABLE_CONTENT,
}


def create_app(settings: Settings, *, run_consumer: bool = True) -> FastAPI:
    """The ledger's FastAPI app; its lifespan opens the books and consumes antenne events."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.signing_key = load_or_create_signing_key(settings.signing_key_file)
        ledger = Ledger(env=settings.eventsourcing_env(), overdraft=settings.overdraft_policy())
        consumer = ChainConsumer(settings.nats_url, settings.durable, sink=ledger)
        app.state.ledger, app.state.consumer = ledger, consumer
        log.info("ledger open on %s", redacted(settings.database_url))
        stop = asyncio.Event()
        consuming = None
        if run_consumer:
            log.info("consuming antenne events from %s as %r", redacted(settings.nats_url), settings.durable)
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
    install_authentication(app.state, "ledger", settings.token, settings.tokens_file)
    app.include_router(router)
    app.include_router(statement_api.router)
    app.include_router(statement_api.public_router)
    app.include_router(health_router)
    install_error_handlers(app, ERROR_STATUSES)
    instrument(app, service="ledger")
    install_http_guard(app)
    return app
