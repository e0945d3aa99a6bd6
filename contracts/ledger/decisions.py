"""Version 1 of the ledger's decisions, published for the antennes (`ledger.<antenne_id>.<type>`).

The ledger stores its decisions as its own events; its relay (`services/ledger/feedback.py`) maps them to
these contracts and addresses each to one antenne, so that an antenne reads only what concerns it: the
portable balance of its members, the overdraft flags raised on spending it recorded, the moves that
brought a member to it. Balances are absolute (the balance after the movement), so a reader keeps the
one with the highest ledger position and needs no history.
"""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar
from uuid import UUID

from pydantic import Field

from contracts.base import Contract


class BalanceChanged(Contract):
    """A transfer moved quarter hours on an account; the account's balance after it."""

    TYPE: ClassVar[str] = "account.balance_changed"
    VERSION: ClassVar[int] = 1

    account: str = Field(description="The ledger account key: `member:<uuid>` or `pool:<antenne_id>`.")
    member_id: UUID | None = Field(description="The member, for a member's account; None for a pool.")
    home_antenne: str = Field(description="The antenne the account belongs to (the addressee).")
    balance_quarters: int = Field(description="The balance after this movement, in quarter hours.")
    change_quarters: int = Field(description="What this movement added (negative: took), never 0.")
    transfer_id: UUID
    cause_type: str = Field(description="The contract type of the antenne event the transfer was made for.")
    cause_antenne: str = Field(description="The antenne whose event caused the transfer.")
    booked_at: datetime = Field(description="When the ledger booked it (ledger time, UTC).")


class OverdraftFlagged(Contract):
    """Spending recorded at an antenne took an account below its limit: coordinators review it."""

    TYPE: ClassVar[str] = "account.overdraft_flagged"
    VERSION: ClassVar[int] = 1

    flag_id: UUID
    account: str
    member_id: UUID | None
    antenne_id: str = Field(description="The antenne that recorded the spending (the addressee).")
    balance_quarters: int = Field(description="The balance after the spending.")
    limit_quarters: int = Field(ge=0, description="How far below zero the account may go.")
    transfer_id: UUID
    flagged_at: datetime


class MemberRehomed(Contract):
    """The ledger now counts the member as belonging to this antenne (a move completed, or a late home)."""

    TYPE: ClassVar[str] = "account.member_rehomed"
    VERSION: ClassVar[int] = 1

    member_id: UUID
    from_antenne: str | None = Field(description="The previous home, or None if the ledger knew none.")
    to_antenne: str = Field(description="The new home (the addressee).")
    balance_quarters: int = Field(description="The balance the member brings, in quarter hours.")
    rehomed_at: datetime
