"""Report tables as files a coordinator opens in a spreadsheet: CSV per table, XLSX with a sheet per table."""

from __future__ import annotations

import csv
import io
from typing import TYPE_CHECKING

from openpyxl import Workbook  # type: ignore[import-untyped]
from openpyxl.styles import Font  # type: ignore[import-untyped]

if TYPE_CHECKING:
    from services.reporting.tables import Report, Table

XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_MEDIA_TYPE = "text/csv; charset=utf-8"


def table_csv(table: Table) -> str:
    """The table as CSV text: a header row, then one row per line of the table."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(table.columns)
    writer.writerows(table.rows)
    return out.getvalue()


def report_xlsx(report: Report) -> bytes:
    """Every table of the report in one workbook, a sheet per table, headers in bold."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    for table in report.tables:
        _add_sheet(workbook, table)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def table_xlsx(table: Table) -> bytes:
    """One table in a workbook of its own."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    _add_sheet(workbook, table)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _add_sheet(workbook: Workbook, table: Table) -> None:
    sheet = workbook.create_sheet(title=table.name[:31])  # Excel's limit on a sheet name
    sheet.append(list(table.columns))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in table.rows:
        # An empty text cell stays empty in the sheet, not a zero: "no median this month".
        sheet.append([None if value == "" else value for value in row])
    sheet.freeze_panes = "A2"


def file_name(scope: str, table: str | None, extension: str) -> str:
    """`buurtpensioen-jette-members.csv`, `buurtpensioen-federation.xlsx`."""
    parts = ["buurtpensioen", scope, *([table] if table else [])]
    return "-".join(parts) + f".{extension}"
