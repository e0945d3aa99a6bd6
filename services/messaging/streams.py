"""The JetStream streams of the federation, created idempotently by whoever connects first."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

import nats
from nats.js.api import DiscardPolicy, StorageType, StreamConfig
from nats.js.errors import NotFoundError

from contracts.subjects import (
    ALLIANCE_DECISIONS_STREAM,
    ALLIANCE_DECISIONS_SUBJECTS,
    ALLIANCE_REQUESTS_STREAM,
    ALLIANCE_REQUESTS_SUBJECTS,
    ANTENNE_STREAM,
    ANTENNE_SUBJECTS,
    DEADLETTER_STREAM,
    DEADLETTER_SUBJECTS,
    LEDGER_STREAM,
    LEDGER_SUBJECTS,
    PARTNER_STREAM,
    PARTNER_SUBJECTS,
)

if TYPE_CHECKING:
    from nats.js.client import JetStreamContext

# The stream is a transport, not the record: consumers deduplicate on (antenne, position) themselves,
# so the window only has to cover a relay retrying after a crash.
DUPLICATE_WINDOW_SECONDS = 10 * 60.0

DAY_SECONDS = 24 * 3600.0
# Limits, chosen because the stream is a transport and never the record (decision 0003):
# - kept 90 days: every consumer catches up within that, and anything older is republished from the
#   antenne's store on demand;
# - when full, new messages are refused (discard NEW), never old ones silently dropped: the relay backs
#   off, antennes keep working, an operator sees the relay's error, and nothing is lost;
# - parked messages are kept a year: an operator must look at each one.
ANTENNE_MAX_AGE_SECONDS = 90 * DAY_SECONDS
DEADLETTER_MAX_AGE_SECONDS = 365 * DAY_SECONDS
# The partner feed is published a week at a time: a publisher that crashed within a week is deduplicated
# when it publishes that week again (its messages keep their ids); kept a year for partners to replay.
PARTNER_DUPLICATE_WINDOW_SECONDS = 7 * DAY_SECONDS
PARTNER_MAX_AGE_SECONDS = 365 * DAY_SECONDS
MAX_MESSAGE_BYTES = 64 * 1024  # an envelope is about 1 KiB


def stream_configs(replicas: int = 1, max_bytes: int | None = None) -> tuple[StreamConfig, ...]:
    """The federation's streams; a cluster gives 3 replicas, production a byte limit per stream."""
    common = {
        "storage": StorageType.FILE,
        "num_replicas": replicas,
        "discard": DiscardPolicy.NEW,
        "max_msg_size": MAX_MESSAGE_BYTES,
        "max_bytes": max_bytes if max_bytes is not None else -1,
    }

    def stream(
        name: str,
        subjects: str,
        *,
        duplicate_window: float = DUPLICATE_WINDOW_SECONDS,
        max_age: float = ANTENNE_MAX_AGE_SECONDS,
    ) -> StreamConfig:
        return StreamConfig(
            name=name,
            subjects=[subjects],
            duplicate_window=duplicate_window,
            max_age=max_age,
            **common,  # type: ignore[arg-type]
        )

    return (
        stream(ANTENNE_STREAM, ANTENNE_SUBJECTS),
        stream(LEDGER_STREAM, LEDGER_SUBJECTS),  # the ledger's store is the record, as an antenne's is
        # A duplicate window of 0 leaves the server's default.
        stream(
            DEADLETTER_STREAM, DEADLETTER_SUBJECTS, duplicate_window=0, max_age=DEADLETTER_MAX_AGE_SECONDS
        ),
        # Partners' transfers and answers, and the ledger's decisions for them: the ledger's store is
        # the record; these carry them, and every message is idempotent (key or transfer id and state).
        stream(ALLIANCE_REQUESTS_STREAM, ALLIANCE_REQUESTS_SUBJECTS),
        stream(ALLIANCE_DECISIONS_STREAM, ALLIANCE_DECISIONS_SUBJECTS),
        stream(
            PARTNER_STREAM,
            PARTNER_SUBJECTS,
            duplicate_window=PARTNER_DUPLICATE_WINDOW_SECONDS,
            max_age=PARTNER_MAX_AGE_SECONDS,
        ),
    )


ALL_STREAMS = stream_configs()
_ALLIANCE_NAMES = (ALLIANCE_REQUESTS_STREAM, ALLIANCE_DECISIONS_STREAM)
# What antennes and the consumers of their events make sure of (antennes may ask about these only).
STREAMS = tuple(config for config in ALL_STREAMS if config.name not in (*_ALLIANCE_NAMES, PARTNER_STREAM))
# What the ledger also makes sure of, for alliance clearing.
ALLIANCE_STREAMS = tuple(config for config in ALL_STREAMS if config.name in _ALLIANCE_NAMES)
# What the partner-feed publisher makes sure of; an operator creates them all.
FEED_STREAMS = tuple(config for config in ALL_STREAMS if config.name == PARTNER_STREAM)


async def ensure_streams(js: JetStreamContext, streams: tuple[StreamConfig, ...] = STREAMS) -> None:
    """Create the federation's streams if they do not exist yet."""
    for config in streams:
        assert config.name is not None
        try:
            await js.stream_info(config.name)
        except NotFoundError:
            await js.add_stream(config)


def create_streams(nats_url: str, streams: tuple[StreamConfig, ...] = ALL_STREAMS) -> None:
    """Connect as a user allowed to create streams (an operator) and create the missing ones."""

    async def create() -> None:
        nc = await nats.connect(nats_url, connect_timeout=5, allow_reconnect=False, max_reconnect_attempts=1)
        try:
            await ensure_streams(nc.jetstream(), streams or stream_configs())
        finally:
            await nc.close()

    asyncio.run(create())
