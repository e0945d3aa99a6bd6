"""`buurtpensioen reporting serve`: the API and its consumer; `rebuild`: check the view against the stream."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated, TypeVar

import typer
import uvicorn
from nats.errors import Error as NatsError

from services.command_line import configure_logging, settings_from_flags
from services.persistence import eventsourcing_env, redacted
from services.reporting.main import create_app
from services.reporting.projection import Figures, Summary, total
from services.reporting.rebuild import Progress, RebuildError, differences, rebuild_into
from services.reporting.settings import Settings, ViewSettings
from services.reporting.views import ViewContents, make_view

app = typer.Typer(
    help="Reports rebuilt from the events.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)

PROGRESS_EVERY_SECONDS = 1.0
MAX_DIFFERENCES_SHOWN = 40
BAR_WIDTH = 30

AnySettings = TypeVar("AnySettings", bound=ViewSettings)


@app.callback()
def reporting() -> None:
    """Reports rebuilt from the events."""


@app.command()
def serve(
    database_url: Annotated[
        str | None,
        typer.Option(
            help="sqlite:///path or postgresql://user:password@host:port/db "
            "(env REPORTING_DATABASE_URL, default sqlite:///var/reporting.db)."
        ),
    ] = None,
    nats_url: Annotated[
        str | None,
        typer.Option(help="JetStream server (env REPORTING_NATS_URL, default nats://127.0.0.1:4222)."),
    ] = None,
    token: Annotated[
        str | None,
        typer.Option(help="API bearer token, required; prefer env REPORTING_TOKEN (flags show in ps)."),
    ] = None,
    host: Annotated[
        str | None, typer.Option(help="Address the API listens on (env REPORTING_HOST, default 127.0.0.1).")
    ] = None,
    port: Annotated[
        int | None, typer.Option(help="Port the API listens on (env REPORTING_PORT, default 8301).")
    ] = None,
    durable: Annotated[
        str | None,
        typer.Option(help="Durable JetStream consumer name (env REPORTING_DURABLE, default reporting)."),
    ] = None,
) -> None:
    """Serve the reports (API, pages, partner feed), applying every antenne's events; flags override env."""
    configure_logging()
    flags = {
        "database_url": database_url,
        "nats_url": nats_url,
        "token": token,
        "host": host,
        "port": port,
        "durable": durable,
    }
    settings = settings_from_flags(Settings, **flags)
    uvicorn.run(create_app(settings), host=settings.host, port=settings.port, log_config=None)


@app.command()
def rebuild(
    nats_url: Annotated[
        str | None,
        typer.Option(help="JetStream server (env REPORTING_NATS_URL, default nats://127.0.0.1:4222)."),
    ] = None,
    into: Annotated[
        str,
        typer.Option(
            metavar="DATABASE_URL",
            help="A fresh database to rebuild into: memory:, sqlite:///path or postgresql://...",
        ),
    ] = "memory:",
    compare_with: Annotated[
        str | None,
        typer.Option(
            metavar="DATABASE_URL",
            help="The live view to compare with (env REPORTING_DATABASE_URL, default sqlite:///var/reporting.db).",
        ),
    ] = None,
    timeout: Annotated[float, typer.Option(help="Seconds to wait for the rebuild to catch up.")] = 300.0,
) -> None:
    """Rebuild the figures and report records from the stream; compare with the live view (1: unequal)."""
    settings = settings_from_flags(ViewSettings, nats_url=nats_url, database_url=compare_with)
    _check_live_view_exists(settings.database_url)
    try:
        rebuilt = rebuild_into(into, settings.nats_url, timeout=timeout, on_progress=_ProgressLine())
    except RebuildError as error:
        typer.echo(f"rebuild failed: {error}", err=True)
        raise typer.Exit(2) from None
    except (NatsError, OSError) as error:
        typer.echo(f"cannot read the stream from {redacted(settings.nats_url)}: {error}", err=True)
        raise typer.Exit(2) from None
    # Read after the rebuild, so that both views have seen the stream up to about now.
    found = differences(_live_contents(settings.database_url), rebuilt)
    typer.echo(_table(rebuilt.summary))
    records = sum(len(records) for records in rebuilt.records.values())
    typer.echo(f"{records} report records rebuilt")
    if found:
        typer.echo(f"rebuilt view differs from the live view ({len(found)} differences):")
        for line in found[:MAX_DIFFERENCES_SHOWN]:
            typer.echo(f"  {line}")
        typer.echo("(while events still arrive the live view may just be behind: run the rebuild again)")
        raise typer.Exit(1)
    typer.echo("rebuilt view equals the live view")


class _ProgressLine:
    """Draws the rebuild's progress bar on stderr about once a second, then the final count and rate."""

    def __init__(self) -> None:
        self._started = time.monotonic()
        self._printed_at: float | None = None

    def __call__(self, progress: Progress) -> None:
        now = time.monotonic()
        if progress.caught_up:
            seconds = max(now - self._started, 1e-6)
            typer.echo(f"rebuilt: {progress.describe()}", err=True)
            typer.echo(
                f"{progress.applied} events in {seconds:.1f}s: {progress.applied / seconds:.0f} events/s",
                err=True,
            )
        elif self._printed_at is None or now - self._printed_at >= PROGRESS_EVERY_SECONDS:
            typer.echo(f"{progress_bar(progress)} {progress.describe()}", err=True)
            self._printed_at = now


def progress_bar(progress: Progress, width: int = BAR_WIDTH) -> str:
    """`[######----]  42%`: the share of the stream's messages acknowledged so far."""
    share = progress.acknowledged / progress.last_sequence if progress.last_sequence else 1.0
    done = min(width, int(share * width))
    return f"[{'#' * done}{'-' * (width - done)}] {min(100, int(share * 100)):3d}%"


def _check_live_view_exists(database_url: str) -> None:
    sqlite_file = eventsourcing_env(database_url).get("SQLITE_DBNAME")
    if sqlite_file is not None and not Path(sqlite_file).exists():
        # Opening a missing file would create an empty view and compare with that.
        typer.echo(f"no live view at {database_url}: give --compare-with", err=True)
        raise typer.Exit(2)


def _live_contents(database_url: str) -> ViewContents:
    view = make_view(database_url)
    try:
        return view.contents()
    finally:
        view.close()


def _table(summary: Summary) -> str:
    rows = [*summary.items(), ("federation", total(summary.values()))]
    width = max(len(name) for name, _ in [("antenne", None), *rows])
    columns = list(Figures().as_dict())

    def line(name: str, values: list[str]) -> str:
        cells = (value.rjust(len(column)) for column, value in zip(columns, values, strict=True))
        return "  ".join([name.ljust(width), *cells])

    lines = [line(name, [str(value) for value in figures.as_dict().values()]) for name, figures in rows]
    return "\n".join([line("antenne", columns), *lines])
