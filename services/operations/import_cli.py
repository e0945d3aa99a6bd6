"""`buurtpensioen import check`: an antenne's existing member list, checked row by row before an import."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

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
