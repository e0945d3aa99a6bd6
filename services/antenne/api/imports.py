"""Imports: an antenne's existing member list and opening balances, all rows or none (`import run`)."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from fastapi import APIRouter
from pydantic import BaseModel, Field

from services.antenne.api.deps import API, PROTECTED, AntenneDep, RelayDep
from services.antenne.application import ImportBatch, ImportRow

MAX_ROWS = 5000

router = APIRouter(prefix=API, tags=["imports"], dependencies=PROTECTED)


class ImportedRow(BaseModel):
    """One member from the sheet, as `buurtpensioen import check` accepted it."""

    row: int = Field(ge=2, description="The row number in the sheet (the header is row 1).")
    key: str = Field(min_length=1, max_length=100, description="The sheet's own member key.")
    display_name: str = Field(min_length=1, max_length=200)
    opening_quarters: int = Field(default=0, description="The balance before the system, in quarter hours.")
    registered_on: date | None = None
    phone: str | None = Field(default=None, max_length=40)


class ImportRequest(BaseModel):
    """A whole sheet: imported all or not at all."""

    source: str = Field(min_length=1, max_length=200, description="What the records are, e.g. `Jette 2025`.")
    sheet: str = Field(min_length=1, max_length=200, description="The file's name.")
    digest: str = Field(pattern=r"^[0-9a-f]{64}$", description="SHA-256 of the file.")
    rows: list[ImportedRow] = Field(min_length=1, max_length=MAX_ROWS)


class ImportResult(BaseModel):
    """What the import wrote."""

    import_id: UUID
    imported: int = Field(description="Members written now.")
    already_present: int = Field(description="Members imported before (same source and key): unchanged.")
    opening_quarters: int = Field(description="Sum of the opening balances written now.")


@router.post("/imports")
def import_members(body: ImportRequest, antenne: AntenneDep, relay: RelayDep) -> ImportResult:
    """Import members and opening balances; every row is checked first and nothing is written if one fails.

    Importing the same sheet again changes nothing (ids come from the antenne, the source and each key).
    """
    rows = tuple(ImportRow(**row.model_dump()) for row in body.rows)
    batch = ImportBatch(relay.antenne_id, body.source, body.sheet, body.digest, rows)
    outcome = antenne.import_members(batch)
    return ImportResult(
        import_id=outcome.import_id,
        imported=outcome.imported,
        already_present=outcome.already_present,
        opening_quarters=outcome.opening_quarters,
    )
