"""Reporting's composition root: `create_app(settings)` wires the summary view, its consumer and the API."""

from __future__ import annotations

import asyncio
import logging
import time
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING

from fastapi import FastAPI

from services.auth import install_authentication
from services.http_errors import install_error_handlers
from services.http_guard import install_http_guard
from services.messaging.consumer import ChainConsumer
from services.observability.metrics import instrument
from services.persistence import redacted
from services.reporting.api import health_router, router
from services.reporting.consumer import SummarySink
from services.reporting.partner.pseudonyms import PartnerKey
from services.reporting.partner.publisher import FeedPublisher
from services.reporting.reports_api import UnknownReportError
from services.reporting.reports_api import router as reports_router
from services.reporting.views import make_view
from services.reporting.web import install_pages

if TYPE_CHECKING:
    from collections.abc import AsyncIterator

    from services.reporting.settings import Settings
    from services.reporting.views import SummaryView

log = logging.getLogger(__name__)

SETTLED_SECONDS = 2.0  # no event applied for this long: the feed may close a week


def create_app(settings: Settings, *, run_consumer: bool = True) -> FastAPI:
    """Reporting's FastAPI app; its lifespan opens the summary view and consumes antenne events."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        view = make_view(settings.database_url)
        consumer = ChainConsumer(settings.nats_url, settings.durable, sink=SummarySink(view))
        app.state.view = view
        app.state.consumer = consumer
        stop = asyncio.Event()
        # NATS being down does not stop the API: the consumer keeps reconnecting in the background.
        tasks = {asyncio.create_task(consumer.run(stop))} if run_consumer else set()
        app.state.feed = _feed_publisher(settings, view, consumer)
        if run_consumer and app.state.feed is not None:
            tasks.add(asyncio.create_task(app.state.feed.run(stop)))
        log.info(
            "reporting open on %s, consuming %s as %r",
            redacted(settings.database_url),
            redacted(settings.nats_url),
            settings.durable,
        )
        try:
            yield
        finally:
            stop.set()
            # The consumer finishes the message in hand (acknowledging what it committed) and stops.
            if tasks:
                await asyncio.wait(tasks)
            view.close()
            log.info("reporting stopped: %d events applied by this process", consumer.status.applied)

    app = FastAPI(
        title="BuurtPensioen reporting",
        description="Figures for coordinators and funders, kept from every antenne's events.",
        version="1",
        lifespan=lifespan,
    )
    install_authentication(app.state, "reporting", settings.token, settings.tokens_file)
    app.state.token = settings.token
    app.state.target_groups = settings.target_groups
    app.include_router(router)
    app.include_router(reports_router)
    app.include_router(health_router)
    install_error_handlers(app, {UnknownReportError: 404})
    install_pages(app, settings)
    instrument(app, service="reporting")
    install_http_guard(app)
    return app


def _feed_publisher(settings: Settings, view: SummaryView, consumer: ChainConsumer) -> FeedPublisher | None:
    if not settings.partner_keys:
        return None
    keys = {
        partner_id: PartnerKey(key.key_id, key.secret.encode())
        for partner_id, key in settings.partner_keys.items()
    }
    return FeedPublisher(
        settings.feed_nats_url or settings.nats_url,
        keys,
        view.records,
        grace_days=settings.feed_grace_days,
        interval_seconds=settings.feed_interval_seconds,
        settled=lambda: _settled(consumer),
    )


def _settled(consumer: ChainConsumer) -> bool:
    status = consumer.status
    quiet = status.last_applied_at is None or time.time() - status.last_applied_at >= SETTLED_SECONDS
    return status.connected and not status.waiting and quiet
