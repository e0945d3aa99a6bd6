"""The antenne's composition root: `create_app(settings)` wires the Antenne, its relay and the API."""

from __future__ import annotations

import asyncio
import logging
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING

from fastapi import FastAPI, status

from contracts.subjects import LEDGER_STREAM, ledger_subjects_of
from services.antenne.api import routers
from services.antenne.application import Antenne
from services.antenne.application.roles import NotAllowedError
from services.antenne.domain import AntenneError, ConflictError, NotFoundError
from services.antenne.relay import Relay
from services.antenne.shredding import ErasedError
from services.antenne.sweeps import sweep_every
from services.antenne.web import install_web, open_desk
from services.auth import install_authentication
from services.credentials.permissions import antenne_feedback_durable, antenne_inbox_prefix
from services.http_errors import install_error_handlers
from services.http_guard import install_http_guard
from services.messaging.consumer import ChainConsumer
from services.observability.metrics import instrument
from services.persistence import redacted

if TYPE_CHECKING:
    from collections.abc import AsyncIterator

    from services.antenne.ledger_view import LedgerView
    from services.antenne.settings import Settings

log = logging.getLogger(__name__)

# The one place where domain errors become HTTP statuses; the most specific class wins.
ERROR_STATUSES: dict[type[Exception], int] = {
    NotAllowedError: status.HTTP_403_FORBIDDEN,
    NotFoundError: status.HTTP_404_NOT_FOUND,
    ConflictError: status.HTTP_409_CONFLICT,  # includes ConcurrentChangeError
    ErasedError: status.HTTP_409_CONFLICT,  # free text about an erased member cannot be added
    AntenneError: status.HTTP_422_UNPROCESSABLE_CONTENT,
}

STOP_TIMEOUT_SECONDS = 10.0


def create_app(settings: Settings, *, run_relay: bool = True, run_feedback: bool | None = None) -> FastAPI:
    """The antenne's FastAPI app; its lifespan opens the event store, runs the relay and consumes the
    ledger's decisions about this antenne (`run_feedback` defaults to `run_relay`)."""
    consuming = run_relay if run_feedback is None else run_feedback

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        antenne = Antenne(env=settings.eventsourcing_env(), practice=settings.practice())
        relay = Relay(antenne, settings.antenne_id, settings.nats_url)
        antenne.on_saved.append(relay.wake)
        app.state.antenne, app.state.relay = antenne, relay
        view = antenne.ledger_view  # beside its events, closed with the antenne
        app.state.ledger_view, app.state.ledger_consumer = view, _ledger_consumer(settings, view)
        app.state.web = open_desk(settings)
        stop = asyncio.Event()
        task = asyncio.create_task(relay.run(stop)) if run_relay else None
        feedback = asyncio.create_task(app.state.ledger_consumer.run(stop)) if consuming else None
        sweeps = asyncio.create_task(sweep_every(antenne, settings.sweep_interval_seconds, stop))
        log.info("antenne %s (%s) on %s", settings.antenne_id, settings.name, redacted(settings.database_url))
        try:
            yield
        finally:
            stop.set()
            for running in (task, feedback):
                if running is not None:
                    await _stop(running)
            await _stop(sweeps)
            app.state.web.close()
            antenne.close()
            log.info("antenne %s stopped at relay position %s", settings.antenne_id, relay.status.position)

    app = FastAPI(
        title=f"BuurtPensioen antenne {settings.name}",
        description="One antenne's timebank: members and the help they exchange, in quarter hours.",
        version="1",
        lifespan=lifespan,
    )
    app.state.antenne_id = settings.antenne_id
    install_authentication(app.state, "antenne", settings.token, settings.tokens_file)
    for api_router in routers:
        app.include_router(api_router)
    install_error_handlers(app, ERROR_STATUSES)
    install_web(app)  # the pages, and their HTML error pages outside /api
    instrument(app, service="antenne")
    install_http_guard(app)
    return app


def _ledger_consumer(settings: Settings, view: LedgerView) -> ChainConsumer:
    """The durable consumer of the ledger's decisions about this antenne, its own subjects only."""
    return ChainConsumer(
        settings.nats_url,
        antenne_feedback_durable(settings.antenne_id),
        sink=view,
        stream=LEDGER_STREAM,
        subjects=ledger_subjects_of(settings.antenne_id),
        inbox_prefix=antenne_inbox_prefix(settings.antenne_id),
    )


async def _stop(task: asyncio.Task[None]) -> None:
    """Let a task finish what it has in hand: a relay batch cut short is published again, never lost."""
    _, late = await asyncio.wait({task}, timeout=STOP_TIMEOUT_SECONDS)
    for pending in late:
        pending.cancel()
    if late:
        await asyncio.wait(late)
