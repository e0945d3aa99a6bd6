"""`buurtpensioen ledger serve`: the ledger's API and its JetStream consumer in one process."""

from __future__ import annotations

from typing import Annotated

import typer
import uvicorn

from services.command_line import configure_logging, settings_from_flags
from services.ledger.main import create_app
from services.ledger.settings import Settings

app = typer.Typer(
    help="The central ledger of portable time credits.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)


@app.callback()
def ledger() -> None:
    """The central ledger of portable time credits."""


@app.command()
def serve(
    database_url: Annotated[
        str | None,
        typer.Option(
            help="sqlite:///path or postgresql://user:password@host:port/db "
            "(env LEDGER_DATABASE_URL, default sqlite:///var/ledger.db)."
        ),
    ] = None,
    nats_url: Annotated[
        str | None,
        typer.Option(help="JetStream server (env LEDGER_NATS_URL, default nats://127.0.0.1:4222)."),
    ] = None,
    token: Annotated[
        str | None,
        typer.Option(help="API bearer token, required; prefer env LEDGER_TOKEN (flags show in ps)."),
    ] = None,
    host: Annotated[
        str | None, typer.Option(help="Address the API listens on (env LEDGER_HOST, default 127.0.0.1).")
    ] = None,
    port: Annotated[
        int | None, typer.Option(help="Port the API listens on (env LEDGER_PORT, default 8201).")
    ] = None,
    durable: Annotated[
        str | None,
        typer.Option(help="Durable JetStream consumer name (env LEDGER_DURABLE, default ledger)."),
    ] = None,
) -> None:
    """Serve the ledger's JSON API and apply every antenne's events; flags override LEDGER_* variables."""
    configure_logging()
    settings = settings_from_flags(
        Settings,
        database_url=database_url,
        nats_url=nats_url,
        token=token,
        host=host,
        port=port,
        durable=durable,
    )
    uvicorn.run(create_app(settings), host=settings.host, port=settings.port, log_config=None)
