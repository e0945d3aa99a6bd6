"""`buurtpensioen partner-tail`: what an alliance partner sees, printed as it arrives (an example reader).

It connects with the partner's own credentials, which may read `partner.<partner_id>.>` and nothing else,
and prints one line per message; `--json` prints the CloudEvents JSON as received.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import signal
from typing import Annotated

import nats
import typer
from nats.aio.msg import Msg
from nats.errors import Error as NatsError
from pydantic import ValidationError

from contracts.envelope import FeedEnvelope
from contracts.partner.v1 import ExchangeShared, WeekClosed, WeekFigures
from contracts.registry import UnknownContractError
from services.credentials.permissions import partner_subjects
from services.persistence import redacted


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
    if isinstance(payload, WeekClosed):
        left_out = (
            f"; figures left out for {', '.join(payload.antennes_suppressed)}"
            if payload.antennes_suppressed
            else ""
        )
        return f"{payload.week} closed: {payload.exchanges_shared} exchanges shared{left_out}"
    return f"{envelope.subject} {envelope.type}: {json.dumps(envelope.data)}"


def _hours(quarters: int) -> str:
    hours, rest = divmod(quarters, 4)
    return f"{hours}h{rest * 15:02d}"


async def tail(
    nats_url: str, partner_id: str, *, count: int | None, as_json: bool, seconds: float | None
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

    nc = await nats.connect(
        nats_url, name=f"partner-tail-{partner_id}", connect_timeout=5, max_reconnect_attempts=3
    )
    try:
        await nc.subscribe(partner_subjects(partner_id), cb=on_message)
        await nc.flush()
        typer.echo(f"listening on {partner_subjects(partner_id)}", err=True)
        loop = asyncio.get_running_loop()
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(signal.SIGINT, done.set)
            loop.add_signal_handler(signal.SIGTERM, done.set)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(done.wait(), seconds)
    finally:
        await nc.drain()
    return received


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
) -> None:
    """Print your anonymised feed as it arrives: pseudonyms, ISO weeks, antennes, categories, durations."""
    try:
        received = asyncio.run(tail(nats_url, partner, count=count, as_json=as_json, seconds=timeout))
    except (NatsError, OSError) as error:
        typer.echo(f"cannot read the feed at {redacted(nats_url)}: {error}", err=True)
        raise typer.Exit(1) from None
    typer.echo(f"{received} messages", err=True)
