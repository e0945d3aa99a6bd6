"""Version 1 of the anonymised feed for alliance partners (subjects `partner.<partner_id>.<type>`).

No personal data at all: a member is a pseudonym computed with a key of the receiving partner's own (so
the same member has unrelated pseudonyms at two partners), time is an ISO week, place is the antenne,
categories and durations are kept. Only members who consented to alliance sharing appear, and every
figure covers at least `MIN_MEMBERS` members or is left out.
"""

from __future__ import annotations

from typing import ClassVar
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from contracts.antenne.v1 import Category
from contracts.base import Contract

MIN_MEMBERS = 5
ISO_WEEK_PATTERN = r"^\d{4}-W\d{2}$"


class ExchangeShared(Contract):
    """Help between two consenting members was confirmed in this week (and not undone by then)."""

    TYPE: ClassVar[str] = "partner.exchange_shared"
    VERSION: ClassVar[int] = 1

    key_id: str = Field(description="Which of the partner's keys made the pseudonyms (keys are rotated).")
    helper: str = Field(description="The helper's pseudonym for this partner and key.")
    recipient: str = Field(description="The recipient's pseudonym for this partner and key.")
    antenne: str = Field(description="The antenne where the help was given; no finer place.")
    week: str = Field(pattern=ISO_WEEK_PATTERN, description="ISO week the help was given, such as 2026-W47.")
    category: Category
    quarters: int = Field(gt=0, description="Time given, in quarter hours.")


class CategoryFigures(BaseModel):
    """One category's figures in a week: each covers at least `MIN_MEMBERS` members."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    category: Category
    exchanges: int = Field(ge=0)
    quarters: int = Field(ge=0, description="Time given, in quarter hours.")
    members: int = Field(ge=MIN_MEMBERS, description="Consenting members who gave or received.")


class WeekFigures(Contract):
    """An antenne's week among consenting members; categories covering fewer than 5 members are left out."""

    TYPE: ClassVar[str] = "partner.week_figures"
    VERSION: ClassVar[int] = 1

    antenne: str
    week: str = Field(pattern=ISO_WEEK_PATTERN)
    exchanges: int = Field(ge=0)
    quarters: int = Field(ge=0, description="Time given, in quarter hours.")
    members: int = Field(ge=MIN_MEMBERS, description="Consenting members who gave or received.")
    categories: list[CategoryFigures] = Field(description="Categories that cover at least 5 members.")
    categories_suppressed: int = Field(ge=0, description="Categories left out: fewer than 5 members.")


class ExchangeWithdrawn(Contract):
    """Help shared in an earlier week was undone (reversed) during this week: that message no longer holds.

    Published with the week the reversal was recorded in, never earlier, so it tells a partner no more
    about time than the feed does. The week figures already published for the earlier week stay as they
    were. It may name a message this partner never received (the help was undone before its week was
    published, or a member did not consent): ignore it then.
    """

    TYPE: ClassVar[str] = "partner.exchange_withdrawn"
    VERSION: ClassVar[int] = 1

    week: str = Field(pattern=ISO_WEEK_PATTERN, description="The week the help was undone in.")
    shared_week: str = Field(pattern=ISO_WEEK_PATTERN, description="The week of the help, as first shared.")
    message_id: UUID = Field(
        description="The id of the `partner.exchange_shared` message that no longer holds."
    )


class WeekClosed(Contract):
    """Everything of this week has been published for this partner; the next message is a later week."""

    TYPE: ClassVar[str] = "partner.week_closed"
    VERSION: ClassVar[int] = 1

    week: str = Field(pattern=ISO_WEEK_PATTERN)
    exchanges_shared: int = Field(ge=0, description="ExchangeShared messages of this week.")
    exchanges_withdrawn: int = Field(default=0, ge=0, description="ExchangeWithdrawn messages of this week.")
    antennes_suppressed: list[str] = Field(
        description="Antennes whose week figures were left out: fewer than 5 consenting members took part."
    )
