"""`buurtpensioen import check | run`: an antenne's member list, checked row by row, then imported."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import httpx
import typer

from services.operations.import_run import run_import
from services.operations.importing import Mapping, MappingError, check_sheet

app = typer.Typer(
    help="Bring an antenne's existing member list and balances (CSV or XLSX) onto the system.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)


@app.callback()
def import_() -> None:
    """Bring an antenne's existing member list and balances (CSV or XLSX) onto the system."""


@app.command()
def check(
    sheet: Annotated[Path, typer.Argument(help="The member list: .csv (; or , separated) or .xlsx.")],
    mapping: Annotated[Path, typer.Option(help="TOML file naming the sheet's columns (deploy/IMPORT.md).")],
) -> None:
    """Check every row and report each problem (by row and key, never by name); exit 1 if any."""
    try:
        result = check_sheet(sheet, Mapping.load(mapping))
    except (MappingError, OSError) as error:
        typer.echo(f"cannot check: {error}", err=True)
        raise typer.Exit(2) from None
    typer.echo(result.report())
    if result.problems:
        raise typer.Exit(1)


@app.command()
def run(
    sheet: Annotated[Path, typer.Argument(help="The member list: .csv (; or , separated) or .xlsx.")],
    mapping: Annotated[Path, typer.Option(help="TOML file naming the sheet's columns (deploy/IMPORT.md).")],
    antenne_url: Annotated[
        str, typer.Option(envvar="ANTENNE_URL", help="The antenne's API, e.g. http://127.0.0.1:8101.")
    ],
    token: Annotated[
        str,
        typer.Option(
            envvar="ANTENNE_TOKEN",
            help="The antenne's API token: a local lead's, or the service's own (prefer the environment).",
        ),
    ],
) -> None:
    """Check every row; if none has a problem, import members and opening balances, all or none.

    Exit 1 with the report when a row has a problem (nothing is written), 2 when the mapping does not fit
    or the antenne cannot be reached or refuses. Running it again with the same sheet changes nothing.
    """
    try:
        with httpx.Client(
            base_url=antenne_url, headers={"Authorization": f"Bearer {token}"}, timeout=60
        ) as client:
            outcome = run_import(client, sheet, Mapping.load(mapping))
    except (MappingError, OSError, httpx.HTTPError) as error:
        typer.echo(f"cannot import: {error}", err=True)
        raise typer.Exit(2) from None
    typer.echo(outcome.check.report())
    if outcome.check.problems:
        typer.echo("nothing imported: fix the rows above and run again", err=True)
        raise typer.Exit(1)
    if not outcome.sent:
        typer.echo("nothing imported: the sheet has no member rows", err=True)
        raise typer.Exit(1)
    if outcome.refusal is not None:
        typer.echo(f"the antenne refused the import, nothing written: {outcome.refusal}", err=True)
        raise typer.Exit(2)
    answer = outcome.answer or {}
    typer.echo(
        f"imported {answer.get('imported')} member(s), {answer.get('already_present')} already present "
        f"(unchanged); opening balances written: {answer.get('opening_quarters')} quarter hours; "
        f"import {answer.get('import_id')}"
    )
