"""Members: registration at the permanence (capacities first), profile, consents, status, statements."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Query, status
from pydantic import BaseModel, ConfigDict, Field

from contracts.antenne.v1 import Category, MemberStatus
from services.antenne.api.deps import API, PROTECTED, AntenneDep, KeyDep, Page, PageDep
from services.antenne.application import MemberFilter, Statement
from services.antenne.domain import Capacities, Consents, Member, PersonalData, PostingKind, Profile, Weekday

Language = Annotated[
    str, Field(pattern=r"^[a-z]{2,3}$", description="ISO 639 code such as `nl`, `fr`, `ar`.")
]

ANNA: dict[str, Any] = {
    "display_name": "Anna Peeters",
    "phone": "02 123 45 67",
    "birth_year": 1948,
    "heard_via": "the baker on the square",
    "languages": ["nl", "fr"],
    "sector": "jette-centrum",
    "talents": "knits, knows every street",
    "energy": "company, a chat over coffee",
    "would_like_to_do": "visit someone who is alone",
    "gives": ["company", "outings"],
    "needs": "a lift to the hospital now and then",
    "asks": ["transport"],
    "availability": ["tuesday", "thursday"],
    "consents": {"alliance_sharing": True, "newsletter": True, "photos": False},
}


class ConsentsBody(BaseModel):
    """What the member agrees to; anything not given is no."""

    alliance_sharing: bool = Field(default=False, description="Anonymised sharing with alliance partners.")
    newsletter: bool = False
    photos: bool = False

    def consents(self) -> Consents:
        """The domain's value."""
        return Consents(self.alliance_sharing, self.newsletter, self.photos)


class ProfileBody(BaseModel):
    """A member's profile, capacities first; name, contact details and free text stay at this antenne."""

    model_config = ConfigDict(json_schema_extra={"examples": [ANNA]})

    display_name: str = Field(min_length=1, max_length=200, description="What the coordinators call them.")
    phone: str | None = Field(
        default=None, max_length=40, description="Many members have none: leave it out."
    )
    email: str | None = Field(default=None, max_length=200)
    address: str | None = Field(default=None, max_length=300)
    birth_year: int | None = Field(default=None, ge=1900, le=2100, description="Only an age band leaves.")
    heard_via: str | None = Field(default=None, max_length=300, description="How they heard of the network.")
    languages: list[Language] = Field(default_factory=list, description="Languages spoken, best first.")
    sector: str | None = Field(default=None, max_length=60, description="The neighbourhood sector.")
    life_story: str | None = Field(default=None, max_length=4000)
    talents: str | None = Field(default=None, max_length=2000)
    energy: str | None = Field(default=None, max_length=2000, description="What gives them energy.")
    would_like_to_do: str | None = Field(default=None, max_length=2000, description="For others.")
    gives: list[Category] = Field(default_factory=list, description="Kinds of help they would like to give.")
    needs: str | None = Field(default=None, max_length=2000, description="What they would like help with.")
    asks: list[Category] = Field(default_factory=list, description="Kinds of help they would like.")
    availability: list[Weekday] = Field(default_factory=list, description="Days they are usually free.")

    @classmethod
    def of(cls, personal: PersonalData, capacities: Capacities) -> ProfileBody:
        """The body of a profile's two parts."""
        return cls(
            **personal.__dict__,
            languages=list(capacities.languages),
            sector=capacities.sector,
            gives=list(capacities.gives),
            asks=list(capacities.asks),
            availability=list(capacities.availability),
        )

    def personal(self) -> PersonalData:
        """The personal part."""
        return PersonalData(
            display_name=self.display_name, phone=self.phone, email=self.email, address=self.address,
            birth_year=self.birth_year, heard_via=self.heard_via, life_story=self.life_story,
            talents=self.talents, energy=self.energy, would_like_to_do=self.would_like_to_do,
            needs=self.needs,
        )  # fmt: skip

    def capacities(self) -> Capacities:
        """The coarse facts matching uses."""
        return Capacities(
            sector=self.sector,
            languages=tuple(self.languages),
            gives=tuple(self.gives),
            asks=tuple(self.asks),
            availability=tuple(self.availability),
        )


class NewMember(ProfileBody):
    """A neighbour signing up at the permanence: only `display_name` is required."""

    consents: ConsentsBody = Field(default_factory=ConsentsBody)
    registered_on: date | None = Field(default=None, description="Default today.")


class MemberRegistered(BaseModel):
    """The ids of the member just registered."""

    member_id: UUID = Field(description="Global id: never changes, also after a move.")
    number: str = Field(description="This antenne's member number, such as `JET-0042`, for paper and desk.")


class MemberView(BaseModel):
    """Everything this antenne knows of a member."""

    member_id: UUID
    number: str
    status: MemberStatus
    registered_on: date
    insured_on: date | None
    age_band: str | None
    balance: int = Field(description="In quarter hours.")
    profile: ProfileBody
    consents: ConsentsBody

    @classmethod
    def of(cls, member: Member) -> MemberView:
        """The view of a member aggregate."""
        return cls(
            member_id=member.id,
            number=member.number,
            status=member.status,
            registered_on=member.registered_on,
            insured_on=member.insured_on,
            age_band=member.age_band,
            balance=member.balance,
            profile=ProfileBody.of(member.personal, member.capacities),
            consents=ConsentsBody(**member.consents.__dict__),
        )


class StatusChange(BaseModel):
    """Pause, resume (`active`), leave."""

    status: MemberStatus


class Insurance(BaseModel):
    """The day the volunteer insurance was registered."""

    insured_on: date


class Balance(BaseModel):
    """A member's time credits at this antenne: positive when they gave more help than they received."""

    member_id: UUID
    quarters: int = Field(description="Balance in quarter hours.")


class StatementLineView(BaseModel):
    """One posting and the balance after it."""

    booked_on: date
    source_id: UUID = Field(description="The exchange, donation or grant that moved the balance.")
    kind: PostingKind
    quarters: int = Field(description="Positive earns, negative spends.")
    balance: int


class StatementMonthView(BaseModel):
    """A month: opening balance, postings, closing balance."""

    month: str = Field(examples=["2026-11"])
    opening: int
    closing: int
    lines: list[StatementLineView]


class StatementView(BaseModel):
    """A member's statement as of a date, month by month, with a running balance."""

    member_id: UUID
    number: str
    as_of: date
    balance: int
    months: list[StatementMonthView]

    @classmethod
    def of(cls, statement: Statement) -> StatementView:
        """Copy the application's statement."""
        months = [
            StatementMonthView(
                month=m.month,
                opening=m.opening,
                closing=m.closing,
                lines=[StatementLineView(**line.__dict__) for line in m.lines],
            )
            for m in statement.months
        ]
        return cls(
            member_id=statement.member_id,
            number=statement.number,
            as_of=statement.as_of,
            balance=statement.balance,
            months=months,
        )


router = APIRouter(prefix=f"{API}/members", tags=["members"], dependencies=PROTECTED)


@router.post("", status_code=status.HTTP_201_CREATED)
def register_member(body: NewMember, antenne: AntenneDep, key: KeyDep) -> MemberRegistered:
    """Register a neighbour with their capacities profile; they get the next member number."""
    profile = Profile(body.personal(), body.capacities(), body.consents.consents())
    member_id = antenne.register_member(profile, body.registered_on, idempotency_key=key)
    return MemberRegistered(member_id=member_id, number=antenne.get_member(member_id).number)


@router.get("")
def list_members(
    antenne: AntenneDep,
    page: PageDep,
    status: MemberStatus | None = None,
    sector: str | None = None,
    language: str | None = None,
    name: Annotated[str | None, Query(description="Part of the display name.")] = None,
) -> Page[MemberView]:
    """Members in registration order, filtered and paginated."""
    where = MemberFilter(status=status, sector=sector, language=language, name_contains=name)
    return Page.of([MemberView.of(m) for m in antenne.members(where)], page)


@router.get("/by-number/{number}")
def get_member_by_number(number: str, antenne: AntenneDep) -> MemberView:
    """The member holding a member number, as on a paper voucher."""
    return MemberView.of(antenne.member_by_number(number))


@router.get("/{member_id}")
def get_member(member_id: UUID, antenne: AntenneDep) -> MemberView:
    """One member with profile, consents, status and balance."""
    return MemberView.of(antenne.get_member(member_id))


@router.put("/{member_id}/profile")
def update_profile(member_id: UUID, body: ProfileBody, antenne: AntenneDep) -> MemberView:
    """Replace the profile as the member tells it now."""
    antenne.update_profile(member_id, body.personal(), body.capacities())
    return MemberView.of(antenne.get_member(member_id))


@router.put("/{member_id}/consents")
def change_consents(member_id: UUID, body: ConsentsBody, antenne: AntenneDep) -> MemberView:
    """Record what the member agrees to now."""
    antenne.change_consents(member_id, body.consents())
    return MemberView.of(antenne.get_member(member_id))


@router.post("/{member_id}/insurance")
def register_insurance(member_id: UUID, body: Insurance, antenne: AntenneDep, key: KeyDep) -> MemberView:
    """Note the day the member's volunteer insurance was registered."""
    antenne.register_insurance(member_id, body.insured_on, idempotency_key=key)
    return MemberView.of(antenne.get_member(member_id))


@router.post("/{member_id}/status")
def change_status(member_id: UUID, body: StatusChange, antenne: AntenneDep, key: KeyDep) -> MemberView:
    """Pause, resume or end a member's participation."""
    antenne.change_status(member_id, body.status, idempotency_key=key)
    return MemberView.of(antenne.get_member(member_id))


@router.get("/{member_id}/balance")
def get_balance(member_id: UUID, antenne: AntenneDep) -> Balance:
    """A member's time credits at this antenne, in quarter hours."""
    return Balance(member_id=member_id, quarters=antenne.balance(member_id))


@router.get("/{member_id}/statement")
def get_statement(
    member_id: UUID,
    antenne: AntenneDep,
    as_of: Annotated[date | None, Query(description="Show the balance as it was on this day.")] = None,
) -> StatementView:
    """The member's postings month by month with a running balance, as of a day (default today)."""
    return StatementView.of(antenne.statement(member_id, as_of))
