"""`buurtpensioen status`: is every antenne up and are its events reaching the centre? Exit 1 if not."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer

from services.operations.snapshot import take_snapshot
from services.operations.status import Thresholds, as_json, problems, table
from services.operations.targets import Service, Targets

EXIT_PROBLEMS = 1
EXIT_USAGE = 2


def status(
    up_file: Annotated[
        Path, typer.Option(help="The federation to look at, as `buurtpensioen up` wrote it.")
    ] = Path("var/up.json"),
    antenne: Annotated[
        list[str] | None,
        typer.Option(metavar="ID=URL", help="An antenne to look at (repeat); replaces the up file's."),
    ] = None,
    ledger_url: Annotated[str | None, typer.Option(help="The ledger (replaces the up file's).")] = None,
    ledger_token: Annotated[
        str | None, typer.Option(envvar="LEDGER_TOKEN", help="Ledger API token, to read its audit.")
    ] = None,
    reporting_url: Annotated[str | None, typer.Option(help="Reporting (replaces the up file's).")] = None,
    nats_url: Annotated[
        str | None, typer.Option(help="JetStream server, to read the consumers' counters.")
    ] = None,
    as_json_output: Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")] = False,
    stale_after: Annotated[
        float,
        typer.Option(help="Seconds without an acknowledgement, with messages pending, that is a problem."),
    ] = 60.0,
    max_backlog: Annotated[
        int, typer.Option(help="Events not yet relayed by a connected relay that is a problem.")
    ] = 1000,
) -> None:
    """Show each antenne, its relay, the consumers and the ledger audit; exit 1 when something is wrong."""
    targets = _targets(up_file, antenne, ledger_url, ledger_token, reporting_url, nats_url)
    snapshot = take_snapshot(targets, datetime.now(UTC))
    found = problems(snapshot, Thresholds(stale_seconds=stale_after, max_backlog=max_backlog))
    typer.echo(as_json(snapshot, found) if as_json_output else table(snapshot, found))
    if found:
        raise typer.Exit(EXIT_PROBLEMS)


def _targets(
    up_file: Path,
    antennes: list[str] | None,
    ledger_url: str | None,
    ledger_token: str | None,
    reporting_url: str | None,
    nats_url: str | None,
) -> Targets:
    explicit = bool(antennes or ledger_url or reporting_url)
    if not explicit and not up_file.exists():
        typer.echo(f"no {up_file}: start `buurtpensioen up`, or give --antenne, --ledger-url ...", err=True)
        raise typer.Exit(EXIT_USAGE)
    base = Targets() if explicit else Targets.from_up_file(up_file)
    ledger = Service(ledger_url, ledger_token) if ledger_url else base.ledger
    if ledger is not None and ledger_token:
        ledger = Service(ledger.url, ledger_token)
    return dataclasses.replace(
        base,
        antennes=_antennes(antennes) if antennes else base.antennes,
        ledger=ledger,
        reporting=Service(reporting_url) if reporting_url else base.reporting,
        nats_url=nats_url or base.nats_url,
    )


def _antennes(pairs: list[str]) -> dict[str, Service]:
    found = {}
    for pair in pairs:
        antenne_id, sign, url = pair.partition("=")
        if not sign or not url:
            typer.echo(f"--antenne takes ID=URL, not {pair!r}", err=True)
            raise typer.Exit(EXIT_USAGE)
        found[antenne_id] = Service(url)
    return found
