"""`buurtpensioen ledger`: serve the ledger, and verify the hour statements it signs."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Annotated

import httpx
import typer
import uvicorn
from nats.errors import Error as NatsError
from pydantic import ValidationError

from contracts.ledger.v1 import SignedHourStatement, SigningKey
from contracts.ledger.verification import verify
from services.command_line import configure_logging, settings_from_flags
from services.ledger.application import Ledger
from services.ledger.feedback_relay import FeedbackRelay
from services.ledger.main import create_app
from services.ledger.settings import Settings
from services.messaging.relay import PublishFailedError
from services.persistence import eventsourcing_env

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
    signing_key_file: Annotated[
        Path | None,
        typer.Option(
            help="Ed25519 key that signs hour statements, made on first start "
            "(env LEDGER_SIGNING_KEY_FILE, default var/ledger-signing-key.pem)."
        ),
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
        signing_key_file=signing_key_file,
    )
    uvicorn.run(create_app(settings), host=settings.host, port=settings.port, log_config=None)


@app.command("republish-feedback")
def republish_feedback(
    from_position: Annotated[
        int, typer.Option("--from", min=1, help="First ledger notification id to publish again (1: all).")
    ],
    database_url: Annotated[
        str, typer.Option(envvar="LEDGER_DATABASE_URL", help="The ledger's store (as for serve).")
    ] = "sqlite:///var/ledger.db",
    nats_url: Annotated[
        str, typer.Option(envvar="LEDGER_NATS_URL", help="JetStream server, with the ledger's user.")
    ] = "nats://127.0.0.1:4222",
) -> None:
    """Publish the ledger's decisions to the antennes again from a position, e.g. after BP_LEDGER was lost."""
    configure_logging()
    with Ledger(env=eventsourcing_env(database_url)) as ledger:
        try:
            count = asyncio.run(FeedbackRelay(ledger, nats_url).republish(from_position))
        except (OSError, TimeoutError, NatsError, PublishFailedError) as error:
            typer.echo(f"republish stopped, run it again: {type(error).__name__}: {error}", err=True)
            raise typer.Exit(1) from None
    typer.echo(f"republished {count} ledger decisions from position {from_position}")


@app.command("verify-statement")
def verify_statement(
    statement_file: Annotated[Path, typer.Argument(help="A signed hour statement (JSON) to check.")],
    key_file: Annotated[
        Path | None, typer.Option(help="The ledger's public key (JSON from /api/v1/signing-key).")
    ] = None,
    ledger_url: Annotated[
        str | None, typer.Option(help="Or fetch the public key from this ledger, e.g. http://127.0.0.1:8201.")
    ] = None,
) -> None:
    """Check offline that the federation's ledger signed this hour statement; exit 1 if it did not."""
    try:
        signed = SignedHourStatement.model_validate_json(statement_file.read_bytes())
        key = SigningKey.model_validate_json(_public_key(key_file, ledger_url))
    except (OSError, ValidationError, httpx.HTTPError) as error:
        typer.echo(f"cannot check the statement: {error}", err=True)
        raise typer.Exit(2) from None
    statement = signed.statement
    if not verify(signed, key):
        typer.secho("NOT VALID: this statement was not signed by that key, or was changed.", fg="red")
        raise typer.Exit(1)
    typer.secho(f"valid: signed by {statement.issuer} (key {key.key_id})", fg="green")
    typer.echo(f"member {statement.member_id} of {statement.home_antenne or 'unknown antenne'}")
    typer.echo(f"balance as of {statement.as_of}: {statement.balance_quarters} quarter hours")


def _public_key(key_file: Path | None, ledger_url: str | None) -> bytes:
    if key_file is not None:
        return key_file.read_bytes()
    if ledger_url is None:
        raise OSError("give --key-file or --ledger-url")
    response = httpx.get(f"{ledger_url.rstrip('/')}/api/v1/signing-key", timeout=10.0)
    response.raise_for_status()
    return response.content
