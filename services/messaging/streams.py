"""The JetStream streams of the federation, created idempotently by whoever connects first."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

import nats
from nats.js.api import StorageType, StreamConfig
from nats.js.errors import NotFoundError

from contracts.subjects import (
    ANTENNE_STREAM,
    ANTENNE_SUBJECTS,
    DEADLETTER_STREAM,
    DEADLETTER_SUBJECTS,
)

if TYPE_CHECKING:
    from nats.js.client import JetStreamContext

# The stream is a transport, not the record: consumers deduplicate on (antenne, position) themselves,
# so the window only has to cover a relay retrying after a crash.
DUPLICATE_WINDOW_SECONDS = 10 * 60.0

STREAMS = (
    StreamConfig(
        name=ANTENNE_STREAM,
        subjects=[ANTENNE_SUBJECTS],
        storage=StorageType.FILE,
        duplicate_window=DUPLICATE_WINDOW_SECONDS,
    ),
    StreamConfig(
        name=DEADLETTER_STREAM,
        subjects=[DEADLETTER_SUBJECTS],
        storage=StorageType.FILE,
    ),
)


async def ensure_streams(js: JetStreamContext) -> None:
    """Create the federation's streams if they do not exist yet."""
    for config in STREAMS:
        assert config.name is not None
        try:
            await js.stream_info(config.name)
        except NotFoundError:
            await js.add_stream(config)


def create_streams(nats_url: str) -> None:
    """Connect as a user allowed to create streams (an operator) and create the missing ones."""

    async def create() -> None:
        nc = await nats.connect(nats_url, connect_timeout=5, allow_reconnect=False, max_reconnect_attempts=1)
        try:
            await ensure_streams(nc.jetstream())
        finally:
            await nc.close()

    asyncio.run(create())
