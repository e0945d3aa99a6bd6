"""Bringing an antenne's existing member list onto the system: every row checked, then all or nothing.

Ids come from the antenne, the source and the sheet's own member key, so importing the same list again
(or a corrected one) finds the members it already imported and changes nothing for them. Each imported
member records where it came from (`Member.Imported`: import, file, row, key, day) and, when not zero,
its opening balance (`Member.OpeningBalanceRecorded`, published for the ledger).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from eventsourcing.persistence import IntegrityError

from services.antenne.application.base import ConcurrentChangeError, id_for
from services.antenne.application.members import MembersDesk
from services.antenne.domain import AntenneError, ImportRefusedError, Member, PersonalData

if TYPE_CHECKING:
    from datetime import date
    from uuid import UUID

    from services.antenne.domain import MemberRoll


@dataclass(frozen=True)
class ImportRow:
    """One member from the sheet, as `import check` accepted it."""

    row: int
    key: str
    display_name: str
    opening_quarters: int = 0
    registered_on: date | None = None
    phone: str | None = None


@dataclass(frozen=True)
class ImportBatch:
    """A whole sheet: which antenne, what the records are called, the file and its digest, the rows."""

    antenne_id: str
    source: str
    sheet: str
    digest: str  # sha256 of the file: the same file is the same import
    rows: tuple[ImportRow, ...]


@dataclass(frozen=True)
class ImportOutcome:
    """What an import did."""

    import_id: UUID
    imported: int  # members written now
    already_present: int  # members imported before: unchanged
    opening_quarters: int  # the sum of the opening balances written now


def imported_member_id(antenne_id: str, source: str, key: str) -> UUID:
    """A member's global id from the antenne, the source and the sheet's key: the same on every run."""
    return id_for(f"{antenne_id}/{source}/{key}", "imported-members")


def import_id_of(batch: ImportBatch) -> UUID:
    """The id of an import: the same file (by digest) from the same source at the same antenne."""
    return id_for(f"{batch.antenne_id}/{batch.source}/{batch.digest}", "imports")


class ImportDesk(MembersDesk):
    """Imports a sheet of members and opening balances, all rows or none."""

    def import_members(self, batch: ImportBatch) -> ImportOutcome:
        """Check every row, then write every new member in one transaction; refuse all if one fails."""
        import_id, today = import_id_of(batch), self.today()
        roll = self._roll()
        members, problems, present = [], [], 0
        for row in batch.rows:
            member_id = imported_member_id(batch.antenne_id, batch.source, row.key)
            if self._exists(member_id):
                present += 1
                continue
            try:
                members.append(self._imported(batch, row, member_id, import_id, roll, today))
            except AntenneError as error:
                problems.append(f"row {row.row} (key {row.key}): {error}")
        if problems:
            raise ImportRefusedError(problems)  # the roll and the members are dropped: nothing saved
        if members:
            try:
                self.save(roll, *members)  # one transaction: every member, or none
            except IntegrityError:
                raise ConcurrentChangeError("the member roll") from None
        opening = sum(m.balance for m in members)
        return ImportOutcome(import_id, len(members), present, opening)

    def _imported(
        self, batch: ImportBatch, row: ImportRow, member_id: UUID, import_id: UUID, roll: MemberRoll, on: date
    ) -> Member:
        personal = PersonalData(display_name=row.display_name, phone=row.phone)
        # A refused row refuses the whole import, so the roll (with any number issued) is never saved.
        number = roll.issue(member_id)
        member = Member.register(personal, row.registered_on or on, number=number, member_id=member_id)
        member.record_import(import_id, batch.source, batch.sheet, row.row, row.key, on)
        if row.opening_quarters:
            member.open_balance(import_id, row.opening_quarters, on)
        return member
