"""`buurtpensioen streams create`: the operator creates the federation's streams once, replicated."""

from __future__ import annotations

from typing import Annotated

import typer
from nats.errors import Error as NatsError

from services.messaging.streams import create_streams, stream_configs
from services.persistence import redacted

app = typer.Typer(
    help="The federation's JetStream streams.", no_args_is_help=True, pretty_exceptions_enable=False
)


@app.callback()
def streams() -> None:
    """The federation's JetStream streams."""


@app.command()
def create(
    nats_url: Annotated[
        str,
        typer.Option(
            envvar="BP_ADMIN_NATS_URL",
            help="The admin user's URL (nats://admin:PASSWORD@host:4222); give it in the environment.",
        ),
    ],
    replicas: Annotated[int, typer.Option(min=1, max=5, help="Copies of each stream: 3 on a cluster.")] = 3,
    max_gigabytes: Annotated[
        float | None, typer.Option(help="Byte limit of each stream, in GB (none: the server's limit).")
    ] = None,
) -> None:
    """Create the antenne, dead-letter, ledger, alliance and partner-feed streams if missing (an existing one
    is left as it is)."""
    max_bytes = int(max_gigabytes * 1e9) if max_gigabytes is not None else None
    try:
        create_streams(nats_url, stream_configs(replicas=replicas, max_bytes=max_bytes))
    except (NatsError, OSError) as error:
        typer.echo(f"cannot create the streams at {redacted(nats_url)}: {error}", err=True)
        raise typer.Exit(1) from None
    typer.echo(f"streams ready at {redacted(nats_url)} ({replicas} replica(s))")
