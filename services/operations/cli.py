"""`buurtpensioen status`, `backup` and `restore`: watch the federation and recover an antenne's store."""

from __future__ import annotations

import dataclasses
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer

from services.operations.backup import BackupError, last_sqlite_position
from services.operations.backup import backup as take_backup
from services.operations.backup import restore as restore_backup
from services.operations.fence import CentreEvent, centre_events, fence, store_positions
from services.operations.page import render_page
from services.operations.snapshot import take_snapshot
from services.operations.status import Thresholds, as_json, problems, table
from services.operations.targets import Service, Targets
from services.persistence import redacted

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
    html: Annotated[
        Path | None, typer.Option(help="Also write the status as one HTML page (for the coordinator).")
    ] = None,
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
    if html is not None:
        html.write_text(render_page(snapshot, found))
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


def backup(
    database_url: Annotated[
        str, typer.Option(help="The store to back up: sqlite:///path or postgresql://user:pw@host:port/db.")
    ],
    to: Annotated[Path, typer.Option(help="The backup file to write (never overwritten).")],
) -> None:
    """Back up an antenne's store while it runs (SQLite online backup, or pg_dump)."""
    started = time.monotonic()
    try:
        written = take_backup(database_url, to)
    except BackupError as error:
        typer.echo(f"backup failed: {error}", err=True)
        raise typer.Exit(EXIT_PROBLEMS) from None
    last = last_sqlite_position(written.path) if written.kind == "sqlite" else None
    up_to = f", events up to position {last}" if last is not None else ""
    typer.echo(
        f"backed up {redacted(database_url)} to {written.path} ({written.kind}, {written.size} bytes{up_to}) "
        f"in {time.monotonic() - started:.2f} s"
    )


def restore(
    from_file: Annotated[Path, typer.Option("--from", help="The backup file.")],
    database_url: Annotated[
        str, typer.Option(help="Where to restore: a new sqlite:///path or an empty PostgreSQL database.")
    ],
    antenne_id: Annotated[
        str | None,
        typer.Option(
            help="The antenne whose store this is: compare with the centre and fence the log "
            "(leave out for the ledger's or reporting's database)."
        ),
    ] = None,
    nats_url: Annotated[
        str | None, typer.Option(help="The JetStream server the antenne published to.")
    ] = None,
    centre_position: Annotated[
        int | None,
        typer.Option(
            help="The antenne's last position at the centre, if the stream no longer knows it "
            "(`buurtpensioen status` shows the ledger's)."
        ),
    ] = None,
    fence_log: Annotated[
        bool, typer.Option("--fence/--no-fence", help="Continue the log after the centre's last position.")
    ] = True,
) -> None:
    """Restore a backup on a new path, list what reached the centre after it, and fence the log past it."""
    started = time.monotonic()
    try:
        restore_backup(from_file, database_url)
    except BackupError as error:
        typer.echo(f"restore failed: {error}", err=True)
        raise typer.Exit(EXIT_PROBLEMS) from None
    if antenne_id is None:  # the ledger's or reporting's database: nothing to compare or fence
        typer.echo(f"restored {from_file} to {redacted(database_url)} in {time.monotonic() - started:.2f} s")
        return
    positions = store_positions(database_url)
    typer.echo(
        f"restored {from_file} to {redacted(database_url)}: events up to position {positions.stored_up_to}, "
        f"relay at {positions.relay_position}"
    )
    lost = centre_events(nats_url, antenne_id, positions.stored_up_to) if nats_url else []
    _report_lost(lost)
    highest = max([centre_position or 0, *(event.position for event in lost)])
    if fence_log and highest > positions.stored_up_to:
        fence(database_url, antenne_id, highest)
        typer.echo(
            f"log fenced at position {highest}: the antenne's next event follows the centre's last one"
        )
    typer.echo(f"restore done in {time.monotonic() - started:.2f} s")


def _report_lost(lost: list[CentreEvent]) -> None:
    if not lost:
        typer.echo("the centre holds no event of this antenne after the backup")
        return
    typer.echo(
        f"{len(lost)} event(s) reached the centre after this backup and are not in the restored store "
        "(the ledger keeps them; reconcile them with the coordinators):"
    )
    for event in lost:
        when = f"{event.occurred_at:%Y-%m-%d %H:%M}"
        typer.echo(f"  position {event.position}  {event.type:<24} {when}  {event.event_id}")
