"""The antenne's composition root: `create_app(settings)` wires the Antenne, its relay and the API."""

from __future__ import annotations

import asyncio
import logging
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING

from fastapi import FastAPI, Request, status
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from services.antenne.api import health_router, router
from services.antenne.application import Antenne, ConcurrentChangeError
from services.antenne.domain import (
    AntenneError,
    ExchangeAlreadyConfirmedError,
    ExchangeNotFoundError,
    MemberNotFoundError,
)
from services.antenne.relay import Relay

if TYPE_CHECKING:
    from collections.abc import AsyncIterator

    from services.antenne.settings import Settings

log = logging.getLogger(__name__)

# The one place where domain errors become HTTP statuses; the most specific class wins.
ERROR_STATUSES: dict[type[AntenneError], int] = {
    MemberNotFoundError: status.HTTP_404_NOT_FOUND,
    ExchangeNotFoundError: status.HTTP_404_NOT_FOUND,
    ExchangeAlreadyConfirmedError: status.HTTP_409_CONFLICT,
    ConcurrentChangeError: status.HTTP_409_CONFLICT,
    AntenneError: status.HTTP_422_UNPROCESSABLE_CONTENT,
}

STOP_TIMEOUT_SECONDS = 10.0


def create_app(settings: Settings, *, run_relay: bool = True) -> FastAPI:
    """The antenne's FastAPI app; its lifespan opens the event store and runs the relay."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        antenne = Antenne(env=settings.eventsourcing_env(), max_quarters=settings.max_quarters)
        relay = Relay(antenne, settings.antenne_id, settings.nats_url)
        antenne.on_saved.append(relay.wake)
        app.state.antenne, app.state.relay = antenne, relay
        stop = asyncio.Event()
        task = asyncio.create_task(relay.run(stop)) if run_relay else None
        log.info("antenne %s (%s) on %s", settings.antenne_id, settings.name, _safe(settings.database_url))
        try:
            yield
        finally:
            stop.set()
            if task is not None:
                await _stop(task)
            antenne.close()
            log.info("antenne %s stopped at relay position %s", settings.antenne_id, relay.status.position)

    app = FastAPI(
        title=f"BuurtPensioen antenne {settings.name}",
        description="One antenne's timebank: members and the help they exchange, in quarter hours.",
        version="1",
        lifespan=lifespan,
    )
    app.state.token = settings.token
    app.include_router(router)
    app.include_router(health_router)
    app.add_exception_handler(AntenneError, _antenne_error)  # type: ignore[arg-type]
    app.add_exception_handler(RequestValidationError, _invalid_request)  # type: ignore[arg-type]
    return app


async def _stop(task: asyncio.Task[None]) -> None:
    """Let the relay finish the batch in hand; a batch cut short is published again, never lost."""
    _, late = await asyncio.wait({task}, timeout=STOP_TIMEOUT_SECONDS)
    for pending in late:
        pending.cancel()
    if late:
        await asyncio.wait(late)


def _antenne_error(request: Request, error: AntenneError) -> JSONResponse:
    code = next(ERROR_STATUSES[cls] for cls in type(error).__mro__ if cls in ERROR_STATUSES)
    return JSONResponse(status_code=code, content={"detail": str(error)})


def _invalid_request(request: Request, error: RequestValidationError) -> JSONResponse:
    """One readable sentence in `detail` (like every other error), the full list in `errors`."""
    problems = [f"{_field(problem['loc'])}: {problem['msg']}" for problem in error.errors()]
    return JSONResponse(
        status_code=status.HTTP_422_UNPROCESSABLE_CONTENT,
        content={"detail": "; ".join(problems), "errors": jsonable_encoder(error.errors())},
    )


def _field(location: tuple[str | int, ...]) -> str:
    # ("body", "quarters") -> "quarters"; a missing body is just "body".
    return ".".join(str(part) for part in location[1:]) or str(location[0])


def _safe(database_url: str) -> str:
    """The database URL without its password, for logs."""
    scheme, _, rest = database_url.partition("://")
    if "@" not in rest:
        return database_url
    return f"{scheme}://***@{rest.rpartition('@')[2]}"
