"""Check an antenne's existing member list (CSV or XLSX) before it is imported: every row, every problem.

A small mapping file names the spreadsheet's columns. Nothing is written: the report lists each problem
by row number and the sheet's own member key (never by name, so the report can be shared), and sums the
opening balances. `import_run.py` sends the rows that passed to the antenne, all or none.
"""

from __future__ import annotations

import csv
import re
import tomllib
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

QUARTERS_PER_HOUR = 4
MAX_NAME = 200
MAX_PHONE = 40
REQUIRED = ("key", "display_name")
KNOWN = ("key", "display_name", "balance_hours", "balance_quarters", "registered_on", "phone")
_HOURS_AND_MINUTES = re.compile(r"^(-?)(\d+):([0-5]\d)$")


class MappingError(ValueError):
    """The mapping file is incomplete or names a column the sheet does not have."""


@dataclass(frozen=True)
class Mapping:
    """Which column of the sheet holds what, and how dates are written."""

    source: str
    columns: dict[str, str]
    date_format: str = "%d/%m/%Y"

    @classmethod
    def load(cls, path: Path) -> Mapping:
        """Read a TOML mapping: `source`, a `[columns]` table, optionally `date_format`."""
        data = tomllib.loads(path.read_text())
        columns = data.get("columns", {})
        missing = [name for name in REQUIRED if name not in columns]
        unknown = sorted(set(columns) - set(KNOWN))
        if missing or unknown or "source" not in data:
            raise MappingError(
                f"mapping {path}: needs `source` and columns {', '.join(REQUIRED)}"
                + (f"; missing {', '.join(missing)}" if missing else "")
                + (f"; unknown {', '.join(unknown)} (known: {', '.join(KNOWN)})" if unknown else "")
            )
        return cls(str(data["source"]), dict(columns), str(data.get("date_format", "%d/%m/%Y")))


@dataclass(frozen=True)
class Problem:
    """One thing to fix in the sheet."""

    row: int  # as the spreadsheet numbers it (the header is row 1)
    key: str
    column: str
    text: str

    def __str__(self) -> str:
        return f"row {self.row} (key {self.key or '?'}), {self.column}: {self.text}"


@dataclass(frozen=True)
class MemberRow:
    """A row that passed every check."""

    row: int
    key: str
    display_name: str
    opening_quarters: int
    registered_on: date | None
    phone: str | None


@dataclass
class ImportCheck:
    """The outcome: rows ready to import, and the problems that stop the import."""

    source: str
    members: list[MemberRow] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    @property
    def total_quarters(self) -> int:
        """The sum of the opening balances (mutual credit: 0 when every hour given was received here)."""
        return sum(member.opening_quarters for member in self.members)

    def report(self) -> str:
        """Lines for a terminal: the problems, then a summary."""
        lines = [str(problem) for problem in self.problems]
        lines.append(
            f"{len(self.members)} member(s) ready, {len(self.problems)} problem(s); opening balances sum to "
            f"{self.total_quarters} quarter hours"
        )
        if self.total_quarters:
            lines.append(
                "  (not 0: the balances were not all given and received between these members; the ledger "
                "books the difference against the antenne's opening-balance account: agree it with the "
                "project coordinator before import)"
            )
        return "\n".join(lines)


def check_sheet(path: Path, mapping: Mapping) -> ImportCheck:
    """Read the sheet and check every row; nothing is written anywhere."""
    header, rows = read_sheet(path)
    absent = [column for column in mapping.columns.values() if column not in header]
    if absent:
        raise MappingError(f"{path.name} has no column {', '.join(map(repr, absent))}; it has {header}")
    result = ImportCheck(mapping.source)
    seen: dict[str, int] = {}
    for number, values in rows:
        row = {name: _text(values.get(column)) for name, column in mapping.columns.items()}
        if not any(row.values()):
            continue  # an empty line at the end of a sheet
        problems = _check_row(number, row, mapping, seen)
        result.problems.extend(problems)
        if not problems:
            result.members.append(_member(number, row, mapping))
    return result


def read_sheet(path: Path) -> tuple[list[str], list[tuple[int, dict[str, Any]]]]:
    """The header and the rows (with their spreadsheet row numbers) of a CSV or the first XLSX sheet."""
    if path.suffix.lower() == ".xlsx":
        return _read_xlsx(path)
    if path.suffix.lower() == ".csv":
        return _read_csv(path)
    raise MappingError(f"{path.name}: give a .csv or .xlsx file")


def _read_csv(path: Path) -> tuple[list[str], list[tuple[int, dict[str, Any]]]]:
    text = path.read_text(encoding="utf-8-sig")  # Excel writes a byte-order mark
    dialect = csv.Sniffer().sniff(text.splitlines()[0], delimiters=";,\t")
    reader = csv.DictReader(text.splitlines(), dialect=dialect)
    header = [name.strip() for name in reader.fieldnames or []]
    rows = [
        (number, {k.strip(): v for k, v in row.items() if k is not None})
        for number, row in enumerate(reader, start=2)
    ]
    return header, rows


def _read_xlsx(path: Path) -> tuple[list[str], list[tuple[int, dict[str, Any]]]]:
    from openpyxl import load_workbook  # type: ignore[import-untyped]

    workbook = load_workbook(path, read_only=True, data_only=True)
    try:
        sheet = workbook.worksheets[0]
        lines = list(sheet.iter_rows(values_only=True))
    finally:
        workbook.close()
    if not lines:
        return [], []
    header = [_text(cell) for cell in lines[0]]
    rows = [(number, dict(zip(header, line, strict=False))) for number, line in enumerate(lines[1:], start=2)]
    return header, rows


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    return str(value).strip()


def _check_row(number: int, row: dict[str, str], mapping: Mapping, seen: dict[str, int]) -> list[Problem]:
    key = row.get("key", "")
    problems = []

    def problem(column: str, text: str) -> None:
        problems.append(Problem(number, key, mapping.columns[column], text))

    if not key:
        problem("key", "empty: every member needs the sheet's own key (it makes the import idempotent)")
    elif key in seen:
        problem("key", f"also used on row {seen[key]}")
    else:
        seen[key] = number
    name = row.get("display_name", "")
    if not name:
        problem("display_name", "empty")
    elif len(name) > MAX_NAME:
        problem("display_name", f"longer than {MAX_NAME} characters")
    for column in ("balance_hours", "balance_quarters"):
        if column in row:
            try:
                _quarters(column, row[column])
            except ValueError as error:
                problem(column, str(error))
    if row.get("registered_on"):
        try:
            _date(row["registered_on"], mapping.date_format)
        except ValueError:
            problem("registered_on", f"{row['registered_on']!r} is not a date like {mapping.date_format}")
    if len(row.get("phone", "")) > MAX_PHONE:
        problem("phone", f"longer than {MAX_PHONE} characters")
    return problems


def _quarters(column: str, text: str) -> int:
    """`1,5` or `1.5` or `1:30` hours, or a whole number of quarters; empty is 0. ValueError if neither."""
    if not text:
        return 0
    if column == "balance_quarters":
        if not re.fullmatch(r"-?\d+", text):
            raise ValueError(f"{text!r} is not a whole number of quarter hours")
        return int(text)
    clock = _HOURS_AND_MINUTES.match(text)
    try:
        if clock:
            sign = -1 if clock.group(1) else 1
            hours = sign * (Decimal(clock.group(2)) + Decimal(clock.group(3)) / 60)
        else:
            hours = Decimal(text.replace(",", "."))
    except InvalidOperation:
        raise ValueError(f"{text!r} is not a number of hours") from None
    quarters = hours * QUARTERS_PER_HOUR
    if quarters != quarters.to_integral_value():
        raise ValueError(f"{text} hours is not a whole number of quarter hours")
    return int(quarters)


def _date(text: str, date_format: str) -> date:
    try:
        return date.fromisoformat(text)  # a real date cell from a spreadsheet
    except ValueError:
        return datetime.strptime(text, date_format).date()


def _member(number: int, row: dict[str, str], mapping: Mapping) -> MemberRow:
    column = "balance_quarters" if "balance_quarters" in row else "balance_hours"
    registered = row.get("registered_on")
    return MemberRow(
        row=number,
        key=row["key"],
        display_name=row["display_name"],
        opening_quarters=_quarters(column, row.get(column, "")),
        registered_on=_date(registered, mapping.date_format) if registered else None,
        phone=row.get("phone") or None,
    )
