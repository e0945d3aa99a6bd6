"""The `up` command."""

from __future__ import annotations

import logging
import signal
import time
from pathlib import Path
from typing import Annotated

import typer

from services.local_federation.federation import DEMO_PARTNERS, LocalFederation, Ports, UpFile
from services.persistence import redacted

log = logging.getLogger(__name__)


def up(
    var_dir: Annotated[Path, typer.Option(help="Where every store, log and token is kept.")] = Path("var"),
    host: Annotated[str, typer.Option(help="Address to listen on; keep loopback unless you know why.")] = (
        "127.0.0.1"
    ),
    nats_port: Annotated[int, typer.Option(help="Port of the embedded nats-server.")] = 4222,
    antenne_port: Annotated[
        int, typer.Option(help="Port of the first antenne; the others take the next ones.")
    ] = 8101,
    ledger_port: Annotated[int, typer.Option(help="Port of the ledger.")] = 8201,
    reporting_port: Annotated[int, typer.Option(help="Port of reporting.")] = 8301,
    demo_data: Annotated[
        bool, typer.Option(help="Enter a few demo members and exchanges on the first start.")
    ] = True,
) -> None:
    """Run the whole federation locally: NATS, three antennes, the ledger and reporting (Ctrl-C stops)."""
    started = time.monotonic()
    ports = Ports(nats=nats_port, antenne_base=antenne_port, ledger=ledger_port, reporting=reporting_port)
    federation = LocalFederation(var_dir=var_dir, ports=ports, host=host, demo_data=demo_data)
    _stop_on_signals()
    try:
        description = federation.start()
        _print_ready(description, federation.var_dir, time.monotonic() - started)
        federation.watch()
    except KeyboardInterrupt:
        typer.echo("\nStopping the federation...")
    finally:
        federation.stop()
    typer.echo("Stopped. State is kept under " + str(federation.var_dir))


def _stop_on_signals() -> None:
    """SIGTERM (a service manager) and SIGINT (even when a shell started us ignoring it) stop cleanly."""

    def interrupt(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGINT, interrupt)
    signal.signal(signal.SIGTERM, interrupt)


def _print_ready(up_file: UpFile, var_dir: Path, seconds: float) -> None:
    typer.secho(f"The BuurtPensioen federation is up ({seconds:.1f} s).", fg=typer.colors.GREEN, bold=True)
    for antenne_id, service in up_file["antennes"].items():
        typer.echo(f"  antenne {antenne_id:<22} {service['url']}")
    typer.echo("Desk pages (in Dutch and French): open an antenne's URL and sign in as a coordinator:")
    for service in up_file["antennes"].values():
        sign_in = service["coordinator"]
        typer.echo(f"  {sign_in['url']:<30} user {sign_in['username']}  password {sign_in['password']}")
    typer.echo(f"  {'ledger':<30} {up_file['ledger']['url']}")
    typer.echo(f"  {'reporting':<30} {up_file['reporting']['url']}")
    typer.echo(f"  {'nats':<30} {redacted(up_file['nats']['url'])}")
    for partner_id, partner in up_file["partners"].items():
        typer.echo(f"  partner {partner_id:<22} {partner['name']} (partner API on the ledger, own token)")
    reports = up_file["reporting"]["url"] + "/reports"
    typer.echo(
        f"Reports for funders and the federation page: {reports} (the key: reporting's token in up.json)"
    )
    env = var_dir / "credentials" / "env" / f"partner-{DEMO_PARTNERS[0]}.env"
    typer.echo(f"The partner feed: set -a; . {env}; buurtpensioen partner-tail --partner {DEMO_PARTNERS[0]}")
    typer.echo(f"URLs and API tokens: {var_dir / 'up.json'}   Logs: {var_dir / 'logs'}")
    typer.echo("Press Ctrl-C to stop.")
