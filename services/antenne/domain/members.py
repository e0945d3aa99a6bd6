"""Members, capacities first: what they can give comes before what they need.

Every member event keeps personal data (name, contact details, birth year, free text) in one `personal`
mapping, apart from the coarse facts (sector, languages, categories, availability, consents), so that the
personal part can later be encrypted per member and erased without touching the facts.
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import date
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from contracts.antenne.v1 import Category, MemberStatus
from services.antenne.domain.errors import (
    BirthYearOutOfRangeError,
    BlankDisplayNameError,
    BlankNoteError,
    MemberErasedError,
    MemberNotActiveError,
    MoveWithoutConsentError,
    OpeningBalanceError,
    StatusChangeError,
)
from services.antenne.domain.postings import Posting, PostingKind, check_positive
from services.antenne.domain.profile import (
    Capacities,
    Consents,
    Note,
    PersonalData,
    Weekday,
    age_band,
)


def _check_personal(personal: PersonalData, on: date) -> PersonalData:
    if not personal.display_name.strip():
        raise BlankDisplayNameError
    if personal.birth_year is not None and not on.year - 120 <= personal.birth_year <= on.year:
        raise BirthYearOutOfRangeError(personal.birth_year)
    return PersonalData(**{**asdict(personal), "display_name": personal.display_name.strip()})


def _capacities(facts: dict[str, Any]) -> Capacities:
    return Capacities(
        sector=facts["sector"],
        languages=tuple(facts["languages"]),
        gives=tuple(Category(c) for c in facts["gives"]),
        asks=tuple(Category(c) for c in facts["asks"]),
        availability=tuple(Weekday(d) for d in facts["availability"]),
        isolated=facts.get("isolated", False),  # events stored before the flag existed lack it
    )


def _facts(capacities: Capacities) -> dict[str, Any]:
    # Stored as plain text values: events outlive the enums' Python classes.
    return {
        "sector": capacities.sector,
        "languages": list(capacities.languages),
        "gives": [str(c) for c in capacities.gives],
        "asks": [str(c) for c in capacities.asks],
        "availability": [str(d) for d in capacities.availability],
        "isolated": capacities.isolated,
    }


class Member(Aggregate):
    """A neighbour taking part in the timebank, known by a member number beside a global id."""

    class Registered(Aggregate.Created):
        number: str
        registered_on: date
        age_band: str | None
        facts: dict[str, Any]
        consents: dict[str, bool]
        personal: dict[str, Any]

    class ProfileUpdated(Aggregate.Event):
        age_band: str | None
        facts: dict[str, Any]
        personal: dict[str, Any]

    class ConsentsChanged(Aggregate.Event):
        consents: dict[str, bool]

    class InsuranceRegistered(Aggregate.Event):
        insured_on: date

    class StatusChanged(Aggregate.Event):
        status: str
        changed_on: date

    class MovedOut(Aggregate.Event):
        to_antenne: str
        balance: int
        moved_on: date

    class MovedIn(Aggregate.Event):
        from_antenne: str
        balance: int
        moved_on: date

    class NoteAdded(Aggregate.Event):
        author: str
        noted_on: date
        personal: dict[str, str]  # the note itself: internal, personal data

    class Imported(Aggregate.Event):
        import_id: UUID
        source: str  # the operator's name for the records, such as "Jette, ledenlijst 2025"
        sheet: str  # the file's name
        row: int
        key: str  # the sheet's own member key
        imported_on: date

    class OpeningBalanceRecorded(Aggregate.Event):
        import_id: UUID
        quarters: int
        recorded_on: date

    class PersonalDataErased(Aggregate.Event):
        """The member's key was destroyed: their personal data reads as erased in every event."""

        erased_on: date
        erased_by: str

    class Credited(Aggregate.Event):
        source_id: UUID
        quarters: int
        booked_on: date
        kind: str

    class Debited(Aggregate.Event):
        source_id: UUID
        quarters: int
        booked_on: date
        kind: str

    @classmethod
    def register(
        cls,
        personal: PersonalData | str,
        registered_on: date,
        *,
        number: str = "",
        capacities: Capacities | None = None,
        consents: Consents | None = None,
        member_id: UUID | None = None,
    ) -> Member:
        """Register a neighbour with their capacities profile, under a member number."""
        if isinstance(personal, str):
            personal = PersonalData(display_name=personal)
        personal = _check_personal(personal, registered_on)
        return cls._create(
            cls.Registered,
            number=number,
            registered_on=registered_on,
            age_band=age_band(personal.birth_year, registered_on),
            facts=_facts(capacities or Capacities()),
            consents=asdict(consents or Consents()),
            personal=asdict(personal),
            id=member_id,
        )

    @event(Registered)
    def __init__(
        self,
        number: str,
        registered_on: date,
        age_band: str | None,
        facts: dict[str, Any],
        consents: dict[str, bool],
        personal: dict[str, Any],
    ) -> None:
        self.number = number
        self.registered_on = registered_on
        self.age_band = age_band
        self.capacities = _capacities(facts)
        self.consents = Consents(**consents)
        self.personal = PersonalData(**personal)
        self.status = MemberStatus.ACTIVE
        self.insured_on: date | None = None
        self.balance = 0
        self.postings: list[Posting] = []
        self.notes: list[Note] = []
        self.moved_to: str | None = None
        self.imported_from: tuple[str, str, int, str, date] | None = None
        self.erased_on: date | None = None
        self.erased_by: str | None = None

    @property
    def display_name(self) -> str:
        """What the coordinators call them."""
        return self.personal.display_name

    def update_profile(self, personal: PersonalData, capacities: Capacities, on: date) -> None:
        """Replace the profile as the member tells it now."""
        self.check_not_erased()
        personal = _check_personal(personal, on)
        self._profile_updated(
            age_band=age_band(personal.birth_year, on), facts=_facts(capacities), personal=asdict(personal)
        )

    @event(ProfileUpdated)
    def _profile_updated(self, age_band: str | None, facts: dict[str, Any], personal: dict[str, Any]) -> None:
        self.age_band = age_band
        self.capacities = _capacities(facts)
        self.personal = PersonalData(**personal)

    def change_consents(self, consents: Consents) -> None:
        """Record what the member agrees to now."""
        if consents != self.consents:
            self._consents_changed(consents=asdict(consents))

    @event(ConsentsChanged)
    def _consents_changed(self, consents: dict[str, bool]) -> None:
        self.consents = Consents(**consents)

    def register_insurance(self, insured_on: date) -> None:
        """Note the date the member's volunteer insurance was registered."""
        self._insurance_registered(insured_on=insured_on)

    @event(InsuranceRegistered)
    def _insurance_registered(self, insured_on: date) -> None:
        self.insured_on = insured_on

    def change_status(self, status: MemberStatus, on: date) -> None:
        """Pause, resume, leave or move; left and moved are final."""
        # Moving goes through hand_over: it carries the balance and needs the member's consent.
        allowed = {
            MemberStatus.ACTIVE: {MemberStatus.PAUSED, MemberStatus.LEFT},
            MemberStatus.PAUSED: {MemberStatus.ACTIVE, MemberStatus.LEFT},
        }
        if status not in allowed.get(self.status, set()):
            raise StatusChangeError(self.id, self.status, status)
        self._status_changed(status=str(status), changed_on=on)

    @event(StatusChanged)
    def _status_changed(self, status: str, changed_on: date) -> None:
        self.status = MemberStatus(status)

    def hand_over(self, to_antenne: str, on: date, *, member_consents: bool) -> None:
        """The member moves to another antenne: this one posts nothing more for them."""
        if not member_consents:
            raise MoveWithoutConsentError(self.id)
        if self.status not in (MemberStatus.ACTIVE, MemberStatus.PAUSED):
            raise StatusChangeError(self.id, self.status, MemberStatus.MOVED)
        self._moved_out(to_antenne=to_antenne, balance=self.balance, moved_on=on)

    @event(MovedOut)
    def _moved_out(self, to_antenne: str, balance: int, moved_on: date) -> None:
        self.status = MemberStatus.MOVED
        self.moved_to = to_antenne

    def arrive(self, from_antenne: str, balance: int, on: date) -> None:
        """A member who moved here brings their balance, to the quarter hour."""
        self._moved_in(from_antenne=from_antenne, balance=balance, moved_on=on)

    @event(MovedIn)
    def _moved_in(self, from_antenne: str, balance: int, moved_on: date) -> None:
        self.balance += balance
        self.postings.append(Posting(self.id, balance, moved_on, PostingKind.MOVE))

    def add_note(self, text: str, author: str, on: date) -> None:
        """A coordinator's internal note on this member; never published."""
        self.check_not_erased()
        if not text.strip():
            raise BlankNoteError
        self._note_added(author=author, noted_on=on, personal={"text": text.strip()})

    @event(NoteAdded)
    def _note_added(self, author: str, noted_on: date, personal: dict[str, str]) -> None:
        self.notes.append(Note(noted_on, author, personal["text"]))

    def record_import(self, import_id: UUID, source: str, sheet: str, row: int, key: str, on: date) -> None:
        """Note where this member's record came from: which import, file, row and key, on which day."""
        self._imported(import_id=import_id, source=source, sheet=sheet, row=row, key=key, imported_on=on)

    @event(Imported)
    def _imported(
        self, import_id: UUID, source: str, sheet: str, row: int, key: str, imported_on: date
    ) -> None:
        self.imported_from = (source, sheet, row, key, imported_on)

    def open_balance(self, import_id: UUID, quarters: int, on: date) -> None:
        """Record the balance the member had before the system (negative when owed), once."""
        if not isinstance(quarters, int) or isinstance(quarters, bool) or quarters == 0:
            raise OpeningBalanceError(
                self.id, f"invalid opening balance {quarters!r}: a non-zero whole number"
            )
        if any(p.kind is PostingKind.OPENING for p in self.postings):
            raise OpeningBalanceError(self.id, "already has an opening balance")
        self.check_accepts_postings()
        self._opening_balance_recorded(import_id=import_id, quarters=quarters, recorded_on=on)

    @event(OpeningBalanceRecorded)
    def _opening_balance_recorded(self, import_id: UUID, quarters: int, recorded_on: date) -> None:
        self.balance += quarters
        self.postings.append(Posting(import_id, quarters, recorded_on, PostingKind.OPENING))

    def erase_personal_data(self, on: date, by: str) -> None:
        """Record that the member's personal data was erased (the key is destroyed beside the events)."""
        if self.erased_on is None:
            self._personal_data_erased(erased_on=on, erased_by=by)

    @event(PersonalDataErased)
    def _personal_data_erased(self, erased_on: date, erased_by: str) -> None:
        self.erased_on = erased_on
        self.erased_by = erased_by

    def check_not_erased(self) -> None:
        """Refuse new personal data for a member whose personal data was erased."""
        if self.erased_on is not None:
            raise MemberErasedError(self.id)

    def check_active(self) -> None:
        """Refuse new help for a member who is not active."""
        if self.status is not MemberStatus.ACTIVE:
            raise MemberNotActiveError(self.id, self.status)

    def check_accepts_postings(self) -> None:
        """A member who left or moved has their balance elsewhere: this antenne posts nothing more."""
        if self.status in (MemberStatus.LEFT, MemberStatus.MOVED):
            raise MemberNotActiveError(self.id, self.status)

    def credit(
        self, source_id: UUID, quarters: int, booked_on: date, kind: PostingKind = PostingKind.HELP
    ) -> None:
        """Add quarters to this member's balance."""
        check_positive(quarters)
        self.check_accepts_postings()
        self._credited(source_id=source_id, quarters=quarters, booked_on=booked_on, kind=str(kind))

    def debit(
        self, source_id: UUID, quarters: int, booked_on: date, kind: PostingKind = PostingKind.HELP
    ) -> None:
        """Take quarters from this member's balance (mutual credit: the abuse guard bounds overdraft)."""
        check_positive(quarters)
        self.check_accepts_postings()
        self._debited(source_id=source_id, quarters=quarters, booked_on=booked_on, kind=str(kind))

    @event(Credited)
    def _credited(self, source_id: UUID, quarters: int, booked_on: date, kind: str) -> None:
        self.balance += quarters
        self.postings.append(Posting(source_id, quarters, booked_on, PostingKind(kind)))

    @event(Debited)
    def _debited(self, source_id: UUID, quarters: int, booked_on: date, kind: str) -> None:
        self.balance -= quarters
        self.postings.append(Posting(source_id, -quarters, booked_on, PostingKind(kind)))


__all__ = ["Member", "MemberStatus"]
