"""The `buurtpensioen` command: each service alone, or the whole local federation with `up`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from contracts.asyncapi import asyncapi_document
from contracts.schemas import export_json_schemas
from services.antenne.cli import app as antenne_app
from services.command_line import configure_logging
from services.credentials.api_tokens import app as tokens_app
from services.credentials.cli import app as credentials_app
from services.ledger.cli import app as ledger_app
from services.local_federation.cli import up
from services.messaging.cli import app as streams_app
from services.operations.cli import backup, restore, status
from services.operations.import_cli import app as import_app
from services.reporting.cli import app as reporting_app
from services.reporting.partner.tail import partner_tail

app = typer.Typer(
    help="Het BuurtPensioen federation: antennes, the central ledger and reporting.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
app.add_typer(antenne_app, name="antenne", help="One antenne: its JSON API, relay and recovery tools.")
app.add_typer(ledger_app, name="ledger", help="The central ledger of portable time credits.")
app.add_typer(reporting_app, name="reporting", help="Reports rebuilt from the events.")
app.add_typer(credentials_app, name="credentials", help="NATS credentials and server configuration.")
app.add_typer(tokens_app, name="tokens", help="Scoped API tokens: issue, list, revoke.")
app.add_typer(streams_app, name="streams", help="The federation's JetStream streams.")
app.command()(up)
app.command("partner-tail")(partner_tail)
app.command()(status)
app.command()(backup)
app.command()(restore)
app.add_typer(import_app, name="import")


@app.command("schemas")
def schemas(
    directory: Annotated[Path, typer.Argument(help="Folder to write the JSON Schema files into.")] = Path(
        "schemas"
    ),
) -> None:
    """Export every event contract, and the envelope, as JSON Schema."""
    for path in export_json_schemas(directory):
        typer.echo(path)


@app.command("asyncapi")
def asyncapi(
    output: Annotated[
        Path, typer.Argument(help="The file to write (JSON, a valid AsyncAPI 3.0 document).")
    ] = Path("asyncapi.json"),
) -> None:
    """Write the AsyncAPI 3.0 document of every subject and message, generated from contracts/."""
    document = asyncapi_document()
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(document, indent=2) + "\n")
    typer.echo(f"{output}: {len(document['channels'])} channels, {len(document['operations'])} operations")


def main() -> None:
    """Entry point of the console script."""
    configure_logging()
    app()
