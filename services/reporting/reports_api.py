"""Report tables as JSON, CSV and XLSX, per antenne (`/reports/jette`) or for the federation."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response
from pydantic import BaseModel, Field

from services.reporting.access import require_reader
from services.reporting.api import ViewDep
from services.reporting.exports import (
    CSV_MEDIA_TYPE,
    XLSX_MEDIA_TYPE,
    file_name,
    report_xlsx,
    table_csv,
    table_xlsx,
)
from services.reporting.tables import REPORT_KINDS, Cell, Report, Table, report

FEDERATION = "federation"


class UnknownReportError(LookupError):
    """No antenne of that id has sent an event, or the report has no table of that name."""


def target_groups(request: Request) -> dict[str, int]:
    """Antenne id -> target group size, from the settings."""
    sizes: dict[str, int] = request.app.state.target_groups
    return sizes


TargetGroupsDep = Annotated[dict[str, int], Depends(target_groups)]


def report_for(scope: str, view: ViewDep, sizes: dict[str, int]) -> Report:
    """The report of one antenne, or of the federation (all antennes; target groups added up)."""
    if scope == FEDERATION:
        return federation_reports(view, sizes)[0]
    known = view.summary()
    if scope not in known:
        raise UnknownReportError(f"no antenne {scope!r} has sent an event; known: {', '.join(sorted(known))}")
    records = view.records(antenne_id=scope, kinds=REPORT_KINDS)
    return report(scope, [records.get(scope, {})], sizes.get(scope))


def federation_reports(view: ViewDep, sizes: dict[str, int]) -> tuple[Report, dict[str, Report]]:
    """The federation's report and each antenne's, from one read of the records the tables need."""
    records = view.records(kinds=REPORT_KINDS)
    total = sum(sizes.get(antenne_id, 0) for antenne_id in records) or None
    each = {
        antenne_id: report(antenne_id, [own], sizes.get(antenne_id)) for antenne_id, own in records.items()
    }
    return report(None, records.values(), total), each


def table_of(result: Report, name: str) -> Table:
    """A table of the report by name, or UnknownReportError."""
    names = [table.name for table in result.tables]
    if name not in names:
        raise UnknownReportError(f"no table {name!r}; tables: {', '.join(names)}")
    return result.table(name)


class TableBody(BaseModel):
    """One report table; time in quarter hours."""

    name: str
    columns: list[str]
    rows: list[list[Cell]]


class ReportBody(BaseModel):
    """Every table of a report, month by month."""

    antenne_id: str | None = Field(description="None for the whole federation.")
    target_group: int | None = Field(description="The size of the target group; the goal is 15% of it.")
    tables: list[TableBody]

    @classmethod
    def of(cls, result: Report) -> ReportBody:
        """The report as a response body."""
        tables = [
            TableBody(name=t.name, columns=list(t.columns), rows=[list(r) for r in t.rows])
            for t in result.tables
        ]
        return cls(antenne_id=result.antenne_id, target_group=result.target_group, tables=tables)


router = APIRouter(prefix="/api/v1/reports", tags=["reports"], dependencies=[Depends(require_reader)])


@router.get("/{scope}.xlsx", response_class=Response)
def get_report_xlsx(scope: str, view: ViewDep, sizes: TargetGroupsDep) -> Response:
    """Every table of an antenne's (or `federation`) report in one XLSX workbook."""
    return _download(
        report_xlsx(report_for(scope, view, sizes)), XLSX_MEDIA_TYPE, file_name(scope, None, "xlsx")
    )


@router.get("/{scope}/{table}.csv", response_class=Response)
def get_table_csv(scope: str, table: str, view: ViewDep, sizes: TargetGroupsDep) -> Response:
    """One table of a report as CSV."""
    content = table_csv(table_of(report_for(scope, view, sizes), table))
    return _download(content.encode(), CSV_MEDIA_TYPE, file_name(scope, table, "csv"))


@router.get("/{scope}/{table}.xlsx", response_class=Response)
def get_table_xlsx(scope: str, table: str, view: ViewDep, sizes: TargetGroupsDep) -> Response:
    """One table of a report as XLSX."""
    content = table_xlsx(table_of(report_for(scope, view, sizes), table))
    return _download(content, XLSX_MEDIA_TYPE, file_name(scope, table, "xlsx"))


@router.get("/{scope}")
def get_report(scope: str, view: ViewDep, sizes: TargetGroupsDep) -> ReportBody:
    """Every table of an antenne's report, or of `federation`; time in quarter hours."""
    return ReportBody.of(report_for(scope, view, sizes))


def _download(content: bytes, media_type: str, name: str) -> Response:
    return Response(
        content, media_type=media_type, headers={"Content-Disposition": f'attachment; filename="{name}"'}
    )
