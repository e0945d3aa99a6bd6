"""`buurtpensioen partner-tail`: what an alliance partner sees, printed as it arrives (an example reader).

It connects with the partner's own credentials, which may read `partner.<partner_id>.>` and nothing else,
and prints one line per message; `--json` prints the CloudEvents JSON as received. The feed is kept in a
stream of the partner's own account (`BP_FEED`, made by `--setup` or the first run): the command prints it
from the start, then what arrives; `--live` prints only what arrives from now on.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import signal
from typing import TYPE_CHECKING, Annotated

import nats
import typer
from nats.aio.msg import Msg
from nats.errors import Error as NatsError
from nats.js.api import StorageType, StreamConfig
from nats.js.errors import NotFoundError
from pydantic import ValidationError

from contracts.envelope import FeedEnvelope
from contracts.partner.v1 import ExchangeShared, ExchangeWithdrawn, WeekClosed, WeekFigures
from contracts.registry import UnknownContractError
from contracts.subjects import PARTNER_FEED_STREAM
from services.credentials.permissions import partner_subjects
from services.persistence import redacted

if TYPE_CHECKING:
    from nats.js.client import JetStreamContext


FEED_MAX_AGE_SECONDS = 365 * 24 * 3600.0


def describe(envelope: FeedEnvelope) -> str:
    """One line for a terminal: the week, what happened, where; time in hours and minutes."""
    payload = envelope.payload()
    if isinstance(payload, ExchangeShared):
        return (
            f"{payload.week} {payload.antenne}: {payload.helper} helped {payload.recipient}, "
            f"{payload.category} {_hours(payload.quarters)} (key {payload.key_id})"
        )
    if isinstance(payload, WeekFigures):
        categories = ", ".join(f"{c.category} {_hours(c.quarters)}" for c in payload.categories)
        return (
            f"{payload.week} {payload.antenne}: {payload.exchanges} exchanges, {_hours(payload.quarters)}, "
            f"{payload.members} members" + (f" ({categories})" if categories else "")
            + (f", {payload.categories_suppressed} categories under 5 members left out"
               if payload.categories_suppressed else "")
        )  # fmt: skip
    if isinstance(payload, ExchangeWithdrawn):
        return (
            f"{payload.week}: help shared in {payload.shared_week} was undone (message {payload.message_id})"
        )
    if isinstance(payload, WeekClosed):
        left_out = (
            f"; figures left out for {', '.join(payload.antennes_suppressed)}"
            if payload.antennes_suppressed
            else ""
        )
        withdrawn = f", {payload.exchanges_withdrawn} withdrawn" if payload.exchanges_withdrawn else ""
        return f"{payload.week} closed: {payload.exchanges_shared} exchanges shared{withdrawn}{left_out}"
    return f"{envelope.subject} {envelope.type}: {json.dumps(envelope.data)}"


def _hours(quarters: int) -> str:
    hours, rest = divmod(quarters, 4)
    return f"{hours}h{rest * 15:02d}"


async def ensure_feed_stream(js: JetStreamContext, partner_id: str) -> str:
    """The stream that holds this partner's feed in its account, made if there is none; its name."""
    try:
        return await js.find_stream_name_by_subject(partner_subjects(partner_id))
    except NotFoundError:
        config = StreamConfig(
            name=PARTNER_FEED_STREAM,
            subjects=[partner_subjects(partner_id)],
            storage=StorageType.FILE,
            max_age=FEED_MAX_AGE_SECONDS,
        )
        await js.add_stream(config)
        return PARTNER_FEED_STREAM


async def setup_feed_stream(nats_url: str, partner_id: str) -> str:
    """Connect as the partner and make the stream that keeps its feed (before the first message is sent)."""
    nc = await nats.connect(nats_url, connect_timeout=5, allow_reconnect=False, max_reconnect_attempts=1)
    try:
        return await ensure_feed_stream(nc.jetstream(), partner_id)
    finally:
        await nc.close()


async def tail(
    nats_url: str,
    partner_id: str,
    *,
    count: int | None,
    as_json: bool,
    seconds: float | None,
    live: bool = False,
) -> int:
    """Print messages until `count` arrived, `seconds` passed, or Ctrl-C; return how many."""
    done = asyncio.Event()
    received = 0

    async def on_message(message: Msg) -> None:
        nonlocal received
        received += 1
        typer.echo(message.data.decode() if as_json else _line(message.data))
        if count is not None and received >= count:
            done.set()

    # nats-py counts the first connection's attempts as reconnects: few, so an unreachable server is
    # said within a second or two.
    nc = await nats.connect(
        nats_url,
        name=f"partner-tail-{partner_id}",
        connect_timeout=5,
        max_reconnect_attempts=2,
        reconnect_time_wait=0.5,
        error_cb=_quiet,
    )
    try:
        if live:
            await nc.subscribe(partner_subjects(partner_id), cb=on_message)
            typer.echo(f"listening on {partner_subjects(partner_id)}", err=True)
        else:
            js = nc.jetstream()
            stream = await ensure_feed_stream(js, partner_id)
            # An ordered consumer: every message of the stream in order from the first, then what arrives.
            await js.subscribe(
                partner_subjects(partner_id), cb=on_message, stream=stream, ordered_consumer=True
            )
            typer.echo(f"reading {partner_subjects(partner_id)} from the start of {stream}", err=True)
        await nc.flush()
        loop = asyncio.get_running_loop()
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(signal.SIGINT, done.set)
            loop.add_signal_handler(signal.SIGTERM, done.set)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(done.wait(), seconds)
    finally:
        await nc.drain()
    return received


async def _quiet(error: Exception) -> None:
    # A failed connection reaches the command as an exception; nats-py would also log a traceback.
    pass


def _line(raw: bytes) -> str:
    try:
        return describe(FeedEnvelope.from_bytes(raw))
    except (ValidationError, UnknownContractError) as error:
        return f"unreadable message ({type(error).__name__}): {raw[:200]!r}"


def partner_tail(
    partner: Annotated[str, typer.Option(help="Your partner id, such as bras-dessus.")],
    nats_url: Annotated[
        str,
        typer.Option(
            envvar="PARTNER_NATS_URL",
            help="Your NATS URL with your partner credentials (nats://partner-ID:PASSWORD@host:4222); "
            "give it in the environment.",
        ),
    ],
    count: Annotated[int | None, typer.Option(min=1, help="Stop after this many messages.")] = None,
    timeout: Annotated[float | None, typer.Option(help="Stop after this many seconds.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print each message's CloudEvents JSON.")] = False,
    live: Annotated[bool, typer.Option("--live", help="Only what arrives from now on.")] = False,
    setup: Annotated[
        bool, typer.Option("--setup", help="Only make the stream that keeps your feed, then stop.")
    ] = False,
) -> None:
    """Print your anonymised feed from the start: pseudonyms, ISO weeks, antennes, categories, durations."""
    try:
        if setup:
            stream = asyncio.run(setup_feed_stream(nats_url, partner))
            typer.echo(f"your feed is kept in the stream {stream}")
            return
        received = asyncio.run(
            tail(nats_url, partner, count=count, as_json=as_json, seconds=timeout, live=live)
        )
    except (NatsError, OSError) as error:
        typer.echo(f"cannot read the feed at {redacted(nats_url)}: {error}", err=True)
        raise typer.Exit(1) from None
    typer.echo(f"{received} messages", err=True)
