"""Version 1 of the events an antenne publishes.

Only ids, amounts, categories, dates and coarse facts (an age band, a sector) travel: names, contact
details, member numbers and free text stay in the antenne's own store (invariant 8).
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import ClassVar
from uuid import UUID

from pydantic import Field

from contracts.base import Contract


class Category(StrEnum):
    """What kind of help was given."""

    TRANSPORT = "transport"
    SHOPPING = "shopping"
    DIGITAL = "digital"
    COMPANY = "company"
    OUTINGS = "outings"
    PETS = "pets"
    SMALL_JOBS = "small_jobs"
    ADMINISTRATION = "administration"
    OTHER = "other"


class MemberRegistered(Contract):
    """A neighbour joined the antenne."""

    TYPE: ClassVar[str] = "member.registered"
    VERSION: ClassVar[int] = 1

    member_id: UUID
    registered_on: date
    age_band: str | None = Field(default=None, description="Such as `65-79`; never the birth year.")
    sector: str | None = Field(default=None, description="The neighbourhood sector, a coarse area.")
    gives: list[Category] = Field(default_factory=list, description="What they would like to do for others.")
    asks: list[Category] = Field(default_factory=list, description="What they would like help with.")
    languages: list[str] = Field(default_factory=list, description="ISO 639 codes of languages spoken.")
    isolated: bool = Field(default=False, description="A coordinator noted the member as socially isolated.")
    shares_with_alliance: bool = Field(
        default=False, description="The member agreed to anonymised sharing with alliance partners."
    )


class ExchangeRecorded(Contract):
    """A coordinator recorded help given by one member to another; not yet confirmed."""

    TYPE: ClassVar[str] = "exchange.recorded"
    VERSION: ClassVar[int] = 1

    exchange_id: UUID
    helper_id: UUID
    recipient_id: UUID
    quarters: int = Field(gt=0, description="Time given, in quarter hours.")
    category: Category
    performed_on: date


class ExchangeConfirmed(Contract):
    """The recorded help was confirmed: the helper earns the quarters, the recipient spends them."""

    TYPE: ClassVar[str] = "exchange.confirmed"
    VERSION: ClassVar[int] = 1

    exchange_id: UUID
    helper_id: UUID
    recipient_id: UUID
    quarters: int = Field(gt=0, description="Time given, in quarter hours.")
    category: Category
    performed_on: date
    confirmed_on: date | None = Field(default=None, description="When it was confirmed (booked).")
    automatically: bool = Field(default=False, description="Accepted after the waiting time, unconfirmed.")


class MemberStatus(StrEnum):
    """Whether a member takes part."""

    ACTIVE = "active"
    PAUSED = "paused"
    LEFT = "left"
    MOVED = "moved"


class MemberProfileUpdated(Contract):
    """A member's coarse profile facts changed."""

    TYPE: ClassVar[str] = "member.profile_updated"
    VERSION: ClassVar[int] = 1

    member_id: UUID
    age_band: str | None = None
    sector: str | None = None
    gives: list[Category] = Field(default_factory=list)
    asks: list[Category] = Field(default_factory=list)
    languages: list[str] = Field(default_factory=list, description="ISO 639 codes of languages spoken.")
    isolated: bool = Field(default=False, description="A coordinator noted the member as socially isolated.")


class MemberConsentsChanged(Contract):
    """A member changed what they agree to; only the consent partners depend on travels."""

    TYPE: ClassVar[str] = "member.consents_changed"
    VERSION: ClassVar[int] = 1

    member_id: UUID
    shares_with_alliance: bool = Field(description="Anonymised sharing with alliance partners.")


class MemberStatusChanged(Contract):
    """A member paused, came back, left, or moved to another antenne."""

    TYPE: ClassVar[str] = "member.status_changed"
    VERSION: ClassVar[int] = 1

    member_id: UUID
    status: MemberStatus
    changed_on: date


class RequestOutcome(StrEnum):
    """How a help request ended."""

    DONE = "done"
    CANCELLED = "cancelled"
    EXPIRED = "expired"


class HelpRequestOpened(Contract):
    """A member asked for help; the description stays at the antenne."""

    TYPE: ClassVar[str] = "help_request.opened"
    VERSION: ClassVar[int] = 1

    request_id: UUID
    member_id: UUID
    category: Category
    sector: str | None = None
    opened_on: date


class HelpRequestMatched(Contract):
    """The helper a coordinator proposed accepted the request."""

    TYPE: ClassVar[str] = "help_request.matched"
    VERSION: ClassVar[int] = 1

    request_id: UUID
    helper_id: UUID


class HelpRequestClosed(Contract):
    """A help request ended: help was recorded, or it was cancelled or expired."""

    TYPE: ClassVar[str] = "help_request.closed"
    VERSION: ClassVar[int] = 1

    request_id: UUID
    outcome: RequestOutcome
    closed_on: date
    exchange_id: UUID | None = None


class HelpOfferMade(Contract):
    """A member offers help in a category; the description stays at the antenne."""

    TYPE: ClassVar[str] = "help_offer.made"
    VERSION: ClassVar[int] = 1

    offer_id: UUID
    member_id: UUID
    category: Category
    made_on: date


class HelpOfferWithdrawn(Contract):
    """A member no longer offers this."""

    TYPE: ClassVar[str] = "help_offer.withdrawn"
    VERSION: ClassVar[int] = 1

    offer_id: UUID
    withdrawn_on: date


class ExchangeDisputed(Contract):
    """Recorded help was disputed: it waits for a coordinator, never accepted automatically."""

    TYPE: ClassVar[str] = "exchange.disputed"
    VERSION: ClassVar[int] = 1

    exchange_id: UUID
    disputed_on: date


class ExchangeRejected(Contract):
    """Recorded help was judged not to count; no credits moved."""

    TYPE: ClassVar[str] = "exchange.rejected"
    VERSION: ClassVar[int] = 1

    exchange_id: UUID
    rejected_on: date


class ExchangeReversed(Contract):
    """A confirmed exchange was undone by an opposite entry: the credits go back where they came from."""

    TYPE: ClassVar[str] = "exchange.reversed"
    VERSION: ClassVar[int] = 1

    exchange_id: UUID
    helper_id: UUID
    recipient_id: UUID
    quarters: int = Field(gt=0, description="Time given back, in quarter hours.")
    reversed_on: date


class GrantReason(StrEnum):
    """Why a coordinator granted pool hours: a category that may be counted, the story stays local."""

    CARE_NEED = "care_need"
    ISOLATION = "isolation"
    DISABILITY = "disability"
    CARER_RELIEF = "carer_relief"
    OTHER = "other"


class ReturnTo(StrEnum):
    """Where an earmarked donation goes when nobody used it in time."""

    DONOR = "donor"
    POOL = "pool"


class DonationMade(Contract):
    """A member gave saved quarters: to a member, to the antenne's pool, or earmarked and held until used."""

    TYPE: ClassVar[str] = "donation.made"
    VERSION: ClassVar[int] = 1

    donation_id: UUID
    donor_id: UUID
    quarters: int = Field(gt=0)
    made_on: date
    to_member_id: UUID | None = Field(default=None, description="Given to this member at once.")
    to_pool: bool = Field(default=False, description="Given to the antenne's solidarity pool at once.")
    earmarked_for_member: UUID | None = None
    earmarked_for_request: UUID | None = None
    expires_on: date | None = Field(
        default=None, description="An earmarked donation unused by then goes back."
    )
    returns_to: ReturnTo = ReturnTo.DONOR
    flagged_by: list[str] = Field(
        default_factory=list,
        description="Abuse-guard rules that held the gift for review; nothing moves until approved.",
    )


class DonationUsed(Contract):
    """A held, earmarked donation was handed to the member it was meant for."""

    TYPE: ClassVar[str] = "donation.used"
    VERSION: ClassVar[int] = 1

    donation_id: UUID
    beneficiary_id: UUID
    quarters: int = Field(gt=0)
    used_on: date


class DonationReturned(Contract):
    """An earmarked donation expired unused and went back to the donor or to the pool."""

    TYPE: ClassVar[str] = "donation.returned"
    VERSION: ClassVar[int] = 1

    donation_id: UUID
    donor_id: UUID
    quarters: int = Field(gt=0)
    returned_to: ReturnTo
    returned_on: date


class PoolGranted(Contract):
    """A coordinator granted quarters from the antenne's solidarity pool to a member."""

    TYPE: ClassVar[str] = "pool.granted"
    VERSION: ClassVar[int] = 1

    grant_id: UUID
    member_id: UUID
    quarters: int = Field(gt=0)
    reason: GrantReason
    granted_on: date


class ExchangeHeld(Contract):
    """The abuse guard held recorded help for a coordinator's review, naming the rules that fired."""

    TYPE: ClassVar[str] = "exchange.held"
    VERSION: ClassVar[int] = 1

    exchange_id: UUID
    rules: list[str] = Field(description="Rule names such as `large-exchange` or `circle`.")
    four_eyes: bool = Field(default=False, description="A second coordinator must approve.")


class ExchangeApproved(Contract):
    """A coordinator reviewed held help and let it go on to confirmation."""

    TYPE: ClassVar[str] = "exchange.approved"
    VERSION: ClassVar[int] = 1

    exchange_id: UUID
    approved_on: date


class ActivityKind(StrEnum):
    """What kind of get-together."""

    PERMANENCE = "permanence"
    GATHERING = "gathering"


class ActivityHeld(Contract):
    """A permanence session or monthly gathering took place; its topic stays at the antenne."""

    TYPE: ClassVar[str] = "activity.held"
    VERSION: ClassVar[int] = 1

    activity_id: UUID
    kind: ActivityKind
    held_on: date


class AttendanceRecorded(Contract):
    """Members came to an activity."""

    TYPE: ClassVar[str] = "activity.attendance_recorded"
    VERSION: ClassVar[int] = 1

    activity_id: UUID
    member_ids: list[UUID]


class MemberMovedOut(Contract):
    """A member moved to another antenne with their balance; this antenne posts nothing more for them."""

    TYPE: ClassVar[str] = "member.moved_out"
    VERSION: ClassVar[int] = 1

    member_id: UUID
    to_antenne: str
    balance: int = Field(description="Their balance here when they left, in quarter hours.")
    moved_on: date


class MemberMovedIn(Contract):
    """A member who moved here arrived with their global id and balance."""

    TYPE: ClassVar[str] = "member.moved_in"
    VERSION: ClassVar[int] = 1

    member_id: UUID
    from_antenne: str
    balance: int = Field(description="The balance they brought, in quarter hours.")
    moved_on: date


class DonationApproved(Contract):
    """A coordinator let a flagged gift through: the quarters move from donor to member now."""

    TYPE: ClassVar[str] = "donation.approved"
    VERSION: ClassVar[int] = 1

    donation_id: UUID
    donor_id: UUID
    to_member_id: UUID
    quarters: int = Field(gt=0)
    approved_on: date


class DonationRejected(Contract):
    """A coordinator stopped a flagged gift; nothing moved."""

    TYPE: ClassVar[str] = "donation.rejected"
    VERSION: ClassVar[int] = 1

    donation_id: UUID
    rejected_on: date


class OpeningBalanceRecorded(Contract):
    """A member's balance from before the system, imported from the antenne's own records.

    The ledger books it against the antenne's opening-balance account (`opening:<antenne_id>`), so the
    books still sum to zero (invariant 1). The source file's name stays at the antenne; `import_id`
    names the import (the same file imported twice has the same id).
    """

    TYPE: ClassVar[str] = "timebank.opening_balance_recorded"
    VERSION: ClassVar[int] = 1

    member_id: UUID
    quarters: int = Field(description="The opening balance in quarter hours: negative when owed, never 0.")
    import_id: UUID
    recorded_on: date
