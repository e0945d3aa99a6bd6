"""How antenne events reach the ledger: the shared chain consumer, and logs of what it does."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import TYPE_CHECKING

from services.messaging.consumer import ChainConsumer

if TYPE_CHECKING:
    from nats.js.api import ConsumerConfig

log = logging.getLogger(__name__)

# JetStream redelivers what a crashed process had fetched only after the ack wait; the chain holds every
# later event of those antennes until then. ChainConsumer's 60 s would stall the ledger for a minute.
ACK_WAIT_SECONDS = 5.0
PROGRESS_LOG_SECONDS = 10.0
STOP_TIMEOUT_SECONDS = 10.0


class LedgerConsumer(ChainConsumer):
    """The chain consumer, with an ack wait short enough that a restart after a crash resumes in seconds."""

    def _config(self) -> ConsumerConfig:
        # ChainConsumer has no ack-wait option yet; this takes effect when the durable is created.
        config = super()._config()
        config.ack_wait = ACK_WAIT_SECONDS
        return config


async def consume(consumer: ChainConsumer, stop: asyncio.Event) -> None:
    """Run the consumer and its progress log until `stop`; a consumer still dialling NATS is cancelled."""
    tasks = {asyncio.create_task(consumer.run(stop)), asyncio.create_task(log_progress(consumer, stop))}
    await stop.wait()
    # nats.connect() retries forever while NATS is down and does not see `stop`; nothing is in flight then.
    timeout = STOP_TIMEOUT_SECONDS if consumer.status.connected else 0.1
    _, late = await asyncio.wait(tasks, timeout=timeout)
    for task in late:
        task.cancel()
    if late:
        await asyncio.wait(late)


async def log_progress(consumer: ChainConsumer, stop: asyncio.Event) -> None:
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
                    now.last_error or "dialling",
                )
            connected = now.connected
        if now.waiting and now.waiting != waiting:
            log.info("later events wait for missing ones; antenne -> a missing position: %s", now.waiting)
        waiting = dict(now.waiting)
        if now.applied != applied and loop.time() - reported_at >= PROGRESS_LOG_SECONDS:
            log.info("%d events applied (%d duplicates dropped, %d parked); positions %s",
                     now.applied, now.duplicates, now.parked, now.positions)  # fmt: skip
            applied, reported_at = now.applied, loop.time()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), 1.0)
