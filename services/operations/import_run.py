"""`buurtpensioen import run`: check the whole sheet, then send it to the antenne in one request.

Nothing is sent while any row has a problem (the report says which); the antenne checks every row again
and writes all of them in one transaction, or none. Ids come from the antenne, the mapping's `source` and
each row's key, so running the same import again changes nothing.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from services.operations.importing import ImportCheck, Mapping, check_sheet

if TYPE_CHECKING:
    from pathlib import Path

    import httpx

IMPORTS_PATH = "/api/v1/imports"


@dataclass(frozen=True)
class ImportRun:
    """What happened: the check, and the antenne's answer when the sheet was sent."""

    check: ImportCheck
    sent: bool
    answer: dict[str, Any] | None = None  # the antenne's ImportResult
    refusal: str | None = None  # the antenne's reason, when it refused

    @property
    def succeeded(self) -> bool:
        """Whether every row is now imported (written now or before)."""
        return self.sent and self.answer is not None


def import_request(sheet: Path, check: ImportCheck) -> dict[str, Any]:
    """The body of `POST /api/v1/imports` for a sheet that passed the check."""
    return {
        "source": check.source,
        "sheet": sheet.name,
        "digest": hashlib.sha256(sheet.read_bytes()).hexdigest(),
        "rows": [
            {
                "row": member.row,
                "key": member.key,
                "display_name": member.display_name,
                "opening_quarters": member.opening_quarters,
                "registered_on": member.registered_on.isoformat() if member.registered_on else None,
                "phone": member.phone,
            }
            for member in check.members
        ],
    }


def run_import(antenne: httpx.Client, sheet: Path, mapping: Mapping) -> ImportRun:
    """Check the sheet; if it is clean, send it to the antenne (a client with its URL and token)."""
    check = check_sheet(sheet, mapping)
    if check.problems or not check.members:
        return ImportRun(check, sent=False)
    response = antenne.post(IMPORTS_PATH, json=import_request(sheet, check))
    if response.status_code != 200:
        return ImportRun(check, sent=True, refusal=f"{response.status_code}: {_detail(response)}")
    answer: dict[str, Any] = response.json()
    return ImportRun(check, sent=True, answer=answer)


def _detail(response: httpx.Response) -> str:
    try:
        return str(response.json().get("detail", response.text))
    except ValueError:
        return response.text
