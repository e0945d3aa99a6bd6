"""Members: registration at the permanence (capacities first), profile, consents, status, statements."""

from __future__ import annotations

from datetime import date
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query, status
from pydantic import BaseModel, Field

from contracts.antenne.v1 import MemberStatus
from services.antenne.api.deps import API, PROTECTED, AntenneDep, KeyDep, Page, PageDep
from services.antenne.api.profiles import ConsentsBody, ProfileBody
from services.antenne.application import MemberFilter, Statement
from services.antenne.domain import Member, PostingKind, Profile


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
