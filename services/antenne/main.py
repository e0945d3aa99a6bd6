"""The antenne's composition root: `create_app(settings)` wires the Antenne, its relay and the API."""

from __future__ import annotations

import asyncio
import logging
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING

from fastapi import FastAPI, status

from services.antenne.api import routers
from services.antenne.application import Antenne
from services.antenne.application.roles import NotAllowedError
from services.antenne.domain import AntenneError, ConflictError, NotFoundError
from services.antenne.relay import Relay
from services.antenne.sweeps import sweep_every
from services.antenne.web import install_web, open_desk
from services.http_errors import install_error_handlers
from services.observability.metrics import instrument
from services.persistence import redacted

if TYPE_CHECKING:
    from collections.abc import AsyncIterator

    from services.antenne.settings import Settings

log = logging.getLogger(__name__)

# The one place where domain errors become HTTP statuses; the most specific class wins.
ERROR_STATUSES: dict[type[Exception], int] = {
    NotAllowedError: status.HTTP_403_FORBIDDEN,
    NotFoundError: status.HTTP_404_NOT_FOUND,
    ConflictError: status.HTTP_409_CONFLICT,  # includes ConcurrentChangeError
    AntenneError: status.HTTP_422_UNPROCESSABLE_CONTENT,
}

STOP_TIMEOUT_SECONDS = 10.0


def create_app(settings: Settings, *, run_relay: bool = True) -> FastAPI:
    """The antenne's FastAPI app; its lifespan opens the event store and runs the relay."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        antenne = Antenne(env=settings.eventsourcing_env(), practice=settings.practice())
        relay = Relay(antenne, settings.antenne_id, settings.nats_url)
        antenne.on_saved.append(relay.wake)
        app.state.antenne, app.state.relay = antenne, relay
        app.state.web = open_desk(settings)
        stop = asyncio.Event()
        task = asyncio.create_task(relay.run(stop)) if run_relay else None
        sweeps = asyncio.create_task(sweep_every(antenne, settings.sweep_interval_seconds, stop))
        log.info("antenne %s (%s) on %s", settings.antenne_id, settings.name, redacted(settings.database_url))
        try:
            yield
        finally:
            stop.set()
            if task is not None:
                await _stop(task)
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
    app.state.token = settings.token
    for api_router in routers:
        app.include_router(api_router)
    install_error_handlers(app, ERROR_STATUSES)
    install_web(app)  # the pages, and their HTML error pages outside /api
    instrument(app, service="antenne")
    return app


async def _stop(task: asyncio.Task[None]) -> None:
    """Let a task finish what it has in hand: a relay batch cut short is published again, never lost."""
    _, late = await asyncio.wait({task}, timeout=STOP_TIMEOUT_SECONDS)
    for pending in late:
        pending.cancel()
    if late:
        await asyncio.wait(late)
