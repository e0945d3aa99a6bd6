"""`buurtpensioen credentials generate`: an installation's NATS passwords and server configuration."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from services.credentials.generate import Installation, generate

app = typer.Typer(
    help="NATS credentials and the server configuration that enforces them.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)


@app.callback()
def credentials() -> None:
    """NATS credentials and the server configuration that enforces them."""


@app.command("generate")
def generate_command(
    out: Annotated[Path, typer.Option(help="Folder to write into (mode 0700; files 0600); never commit it.")],
    antenne: Annotated[list[str], typer.Option(help="An antenne id; repeat for each antenne.")],
    partner: Annotated[
        list[str] | None, typer.Option(help="An alliance partner id; repeat for each partner.")
    ] = None,
    nats_url: Annotated[
        str, typer.Option(help="How services reach NATS: nats://host:4222, or tls://host:4222 with TLS.")
    ] = "nats://127.0.0.1:4222",
    tls_cert: Annotated[Path | None, typer.Option(help="Server certificate (PEM) for the TLS block.")] = None,
    tls_key: Annotated[Path | None, typer.Option(help="Server private key (PEM) for the TLS block.")] = None,
) -> None:
    """Make (or extend) the credentials: existing passwords are kept, new users get new ones."""
    if (tls_cert is None) != (tls_key is None):
        typer.echo("give both --tls-cert and --tls-key, or neither", err=True)
        raise typer.Exit(2)
    installation = Installation(
        antennes=tuple(antenne),
        partners=tuple(partner or ()),
        nats_url=nats_url,
        tls_cert=tls_cert.resolve() if tls_cert else None,
        tls_key=tls_key.resolve() if tls_key else None,
    )
    try:
        made = generate(out, installation)
    except ValueError as error:  # an id that is not subject-safe
        typer.echo(str(error), err=True)
        raise typer.Exit(2) from None
    typer.echo(f"{len(made.passwords)} NATS users in {out / 'credentials.json'}")
    typer.echo(f"server configuration: {out / 'nats' / 'accounts.conf'} and {out / 'nats' / 'tls.conf'}")
    typer.echo(f"service environment files: {out / 'env'}")
