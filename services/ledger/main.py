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
from services.ledger import statement_api, transfers_api
from services.ledger.alliance import UnknownPartnerError
from services.ledger.alliance_link import AllianceLink
from services.ledger.api import health_router, router
from services.ledger.application import Ledger
from services.ledger.domain import AccountNotFoundError, LedgerError
from services.ledger.feedback_relay import FeedbackRelay
from services.ledger.signing import load_or_create_signing_key
from services.ledger.timers import run_timers
from services.ledger.transfers import ConflictingRequestError, NotTheKeeperError, TransferNotFoundError
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
    TransferNotFoundError: status.HTTP_404_NOT_FOUND,
    UnknownPartnerError: status.HTTP_404_NOT_FOUND,
    NotTheKeeperError: status.HTTP_403_FORBIDDEN,
    ConflictingRequestError: status.HTTP_409_CONFLICT,
    LedgerError: status.HTTP_422_UNPROCESSABLE_CONTENT,
}


def create_app(settings: Settings, *, run_consumer: bool = True, run_feedback: bool | None = None) -> FastAPI:
    """The ledger's FastAPI app; its lifespan opens the books, consumes antenne events and relays its
    decisions to the antennes (`run_feedback` defaults to `run_consumer`)."""
    relaying = run_consumer if run_feedback is None else run_feedback

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.signing_key = load_or_create_signing_key(settings.signing_key_file)
        ledger = Ledger(
            env=settings.eventsourcing_env(),
            overdraft=settings.overdraft_policy(),
            alliance=settings.alliance(),
            expiry=settings.transfer_expiry(),
        )
        consumer = ChainConsumer(settings.nats_url, settings.durable, sink=ledger, batch=settings.batch)
        feedback = FeedbackRelay(ledger, settings.nats_url)
        app.state.ledger, app.state.consumer, app.state.feedback = ledger, consumer, feedback
        log.info("ledger open on %s", redacted(settings.database_url))
        stop = asyncio.Event()
        tasks = [asyncio.create_task(run_timers(ledger, settings, stop))]
        if run_consumer:
            log.info("consuming antenne events from %s as %r", redacted(settings.nats_url), settings.durable)
            tasks.append(asyncio.create_task(consumer.run(stop)))
            if settings.partners:
                app.state.alliance_link = AllianceLink(ledger, settings.nats_url)
                tasks.append(asyncio.create_task(app.state.alliance_link.run(stop)))
        if relaying:
            tasks.append(asyncio.create_task(feedback.run(stop)))
        try:
            yield
        finally:
            stop.set()
            await asyncio.gather(*tasks)
            ledger.close()
            log.info("ledger stopped: %d events applied by this process", consumer.status.applied)

    app = FastAPI(
        title="BuurtPensioen ledger",
        description="Portable time credits: accounts and double-entry transfers fed by every antenne.",
        version="1",
        lifespan=lifespan,
    )
    app.state.token = settings.token
    app.state.partner_tokens = {partner_id: p.token for partner_id, p in settings.partners.items()}
    install_authentication(app.state, "ledger", settings.token, settings.tokens_file)
    app.include_router(router)
    app.include_router(statement_api.router)
    app.include_router(statement_api.public_router)
    app.include_router(transfers_api.router)
    app.include_router(transfers_api.partner_router)
    app.include_router(health_router)
    install_error_handlers(app, ERROR_STATUSES)
    instrument(app, service="ledger")
    install_http_guard(app)
    return app
