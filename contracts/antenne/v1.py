"""Version 1 of the events an antenne publishes.

Only ids, amounts, categories and dates travel: names, contact details and free text stay in the
antenne's own store (invariant 8).
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
