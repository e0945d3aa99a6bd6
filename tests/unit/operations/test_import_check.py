"""`buurtpensioen import check`: a sample spreadsheet with deliberate errors, in XLSX and CSV."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from openpyxl import Workbook  # type: ignore[import-untyped]
from typer.testing import CliRunner

from services.cli import app
from services.operations.importing import Mapping, check_sheet
from services.ports import free_port

if TYPE_CHECKING:
    from pathlib import Path

MAPPING = """\
source = "Jette, ledenlijst 2025"
date_format = "%d/%m/%Y"

[columns]
key = "Nr"
display_name = "Naam"
balance_hours = "Saldo (uren)"
registered_on = "Ingeschreven"
phone = "Telefoon"
"""

HEADER = ["Nr", "Naam", "Saldo (uren)", "Ingeschreven", "Telefoon"]
ROWS = [
    ["J1", "Maria Peeters", "1:30", datetime(2024, 3, 5), "02 123 45 67"],  # 6 quarters, a date cell
    ["J2", "Jean Claes", "-1,5", "12/04/2024", None],  # -6 quarters
    ["J3", "", "2", "01/01/2025", None],  # no name
    ["J2", "Fatima Benali", "0,5", "01/02/2025", None],  # key used twice
    ["J5", "Luc Vermeulen", "1,3", "31/02/2025", None],  # not whole quarters, no such day
    [None, None, None, None, None],  # an empty line at the end
]


def _xlsx(path: Path) -> Path:
    workbook = Workbook()
    sheet = workbook.active
    for row in [HEADER, *ROWS]:
        sheet.append(row)
    workbook.save(path)
    return path


def _mapping(tmp_path: Path) -> Path:
    path = tmp_path / "jette.toml"
    path.write_text(MAPPING)
    return path


def test_every_problem_of_a_sample_spreadsheet_is_reported_by_row_and_key_and_nothing_passes_silently(
    tmp_path: Path,
) -> None:
    result = check_sheet(_xlsx(tmp_path / "leden.xlsx"), Mapping.load(_mapping(tmp_path)))

    assert [str(problem) for problem in result.problems] == [
        "row 4 (key J3), Naam: empty",
        "row 5 (key J2), Nr: also used on row 3",
        "row 6 (key J5), Saldo (uren): 1,3 hours is not a whole number of quarter hours",
        "row 6 (key J5), Ingeschreven: '31/02/2025' is not a date like %d/%m/%Y",
    ]
    assert [(m.key, m.opening_quarters) for m in result.members] == [("J1", 6), ("J2", -6)]
    assert result.members[0].registered_on is not None
    assert result.total_quarters == 0


def test_the_command_exits_1_with_the_report_and_never_prints_a_name(tmp_path: Path) -> None:
    sheet = tmp_path / "leden.csv"
    sheet.write_text(
        "Nr;Naam;Saldo (uren);Ingeschreven;Telefoon\n"
        "J1;Maria Peeters;1:30;05/03/2024;02 123 45 67\n"
        "J2;Jean Claes;abc;12/04/2024;\n"
    )

    result = CliRunner().invoke(app, ["import", "check", str(sheet), "--mapping", str(_mapping(tmp_path))])

    assert result.exit_code == 1
    assert "row 3 (key J2), Saldo (uren): 'abc' is not a number of hours" in result.output
    assert "1 member(s) ready, 1 problem(s); opening balances sum to 6 quarter hours" in result.output
    assert "Peeters" not in result.output
    assert "Claes" not in result.output


def test_a_mapping_naming_a_column_the_sheet_lacks_is_refused_before_any_row(tmp_path: Path) -> None:
    sheet = _xlsx(tmp_path / "leden.xlsx")
    mapping = _mapping(tmp_path)
    mapping.write_text(MAPPING.replace('phone = "Telefoon"', 'phone = "GSM"'))

    result = CliRunner().invoke(app, ["import", "check", str(sheet), "--mapping", str(mapping)])

    assert result.exit_code == 2
    assert "no column 'GSM'" in result.output


def test_import_run_sends_nothing_while_a_row_has_a_problem(tmp_path: Path) -> None:
    nowhere = f"http://127.0.0.1:{free_port()}"  # never asked: the check stops the run first
    arguments = ["import", "run", str(_xlsx(tmp_path / "leden.xlsx")), "--mapping", str(_mapping(tmp_path))]

    result = CliRunner().invoke(app, [*arguments, "--antenne-url", nowhere, "--token", "t" * 20])

    assert result.exit_code == 1
    assert "row 4 (key J3), Naam: empty" in result.output
    assert "nothing imported: fix the rows above and run again" in result.output
