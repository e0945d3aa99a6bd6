"""What the ledger last said: a member's portable balance and the overdraft flags, labelled with their age.

Served from the antenne's own copy (`services/antenne/ledger_view.py`), so it answers with NATS and the
ledger down; every answer says how old it is, never passing a copy off as the ledger's live word.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, Field

from services.antenne.api.deps import API, PROTECTED
from services.antenne.ledger_view import KnownBalance, LedgerView, ViewSummary

router = APIRouter(prefix=API, tags=["portable balance"], dependencies=PROTECTED)


def get_ledger_view(request: Request) -> LedgerView:
    """The view built by the app's lifespan."""
    view: LedgerView = request.app.state.ledger_view
    return view


LedgerViewDep = Annotated[LedgerView, Depends(get_ledger_view)]


def age_label(as_of: datetime | None, now: datetime) -> str:
    """`last known as of 2026-11-23 13:05 UTC (4 minutes ago)`, or that the ledger said nothing yet."""
    if as_of is None:
        return "not reported by the ledger yet"
    seconds = max(0, int((now - as_of).total_seconds()))
    if seconds < 60:
        ago = f"{seconds} seconds ago"
    elif seconds < 2 * 3600:
        ago = f"{seconds // 60} minutes ago"
    elif seconds < 2 * 86400:
        ago = f"{seconds // 3600} hours ago"
    else:
        ago = f"{seconds // 86400} days ago"
    return f"last known as of {as_of.astimezone(UTC):%Y-%m-%d %H:%M} UTC ({ago})"


class PortableBalance(BaseModel):
    """A member's balance as the ledger last reported it to this antenne (the same for every antenne)."""

    member_id: UUID
    known: bool = Field(description="Whether the ledger has reported a balance for this member yet.")
    quarters: int | None = Field(description="The last known balance, in quarter hours.")
    as_of: datetime | None = Field(description="Ledger time of the last movement reported.")
    age_seconds: int | None = Field(description="How old that is now.")
    ledger_position: int | None = Field(description="The ledger's position of that report.")
    label: str = Field(description="What to show: `last known as of ... (... ago)`.")

    @classmethod
    def of(cls, member_id: UUID, known: KnownBalance | None, now: datetime) -> PortableBalance:
        """The report for one member, now."""
        if known is None:
            return cls(
                member_id=member_id,
                known=False,
                quarters=None,
                as_of=None,
                age_seconds=None,
                ledger_position=None,
                label=age_label(None, now),
            )
        return cls(
            member_id=member_id,
            known=True,
            quarters=known.quarters,
            as_of=known.as_of,
            age_seconds=max(0, int((now - known.as_of).total_seconds())),
            ledger_position=known.position,
            label=age_label(known.as_of, now),
        )


class LedgerFlag(BaseModel):
    """An overdraft flag the ledger raised on spending recorded here: for coordinators to review."""

    flag_id: UUID
    account: str
    member_id: UUID | None
    balance: int = Field(description="The balance right after the spending, in quarter hours.")
    limit: int = Field(description="The overdraft limit that applied, in quarter hours.")
    flagged_at: datetime


class LedgerViewReport(BaseModel):
    """How much the antenne knows of the ledger's decisions about it, and how fresh that is."""

    accounts: int = Field(description="Accounts with a last known balance.")
    flags: int
    position: int | None = Field(description="The last ledger position received.")
    newest_as_of: datetime | None
    age_seconds: int | None = Field(description="Age of the newest balance received.")
    label: str

    @classmethod
    def of(cls, summary: ViewSummary, now: datetime) -> LedgerViewReport:
        """The summary, aged now."""
        newest = summary.newest_as_of
        return cls(
            accounts=summary.accounts,
            flags=summary.flags,
            position=summary.position,
            newest_as_of=newest,
            age_seconds=max(0, int((now - newest).total_seconds())) if newest else None,
            label=age_label(newest, now),
        )


@router.get("/members/{member_id}/portable-balance")
def get_portable_balance(member_id: UUID, view: LedgerViewDep) -> PortableBalance:
    """The member's portable balance as the ledger last reported it, with its age (works offline)."""
    return PortableBalance.of(member_id, view.balance(f"member:{member_id}"), datetime.now(UTC))


@router.get("/ledger-flags")
def list_ledger_flags(view: LedgerViewDep) -> list[LedgerFlag]:
    """Overdraft flags the ledger raised on spending recorded at this antenne, oldest first."""
    return [
        LedgerFlag(
            flag_id=f.flag_id,
            account=f.account,
            member_id=f.member_id,
            balance=f.balance,
            limit=f.limit,
            flagged_at=f.flagged_at,
        )
        for f in view.flags()
    ]
