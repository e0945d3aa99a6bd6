"""The ledger's JSON API: balances and the audit behind the token, health without it."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, Field

from services.auth import PrincipalDep, Role, allow, authenticate, own_member_only
from services.ledger.application import Audit, Ledger
from services.messaging.consumer import ConsumerStatus
from services.messaging.relay import OutboxRelay
from services.messaging.report import ConsumerReport, RelayReport, StatusDep


def get_ledger(request: Request) -> Ledger:
    """The ledger built by the app's lifespan."""
    ledger: Ledger = request.app.state.ledger
    return ledger


LedgerDep = Annotated[Ledger, Depends(get_ledger)]


class Balance(BaseModel):
    """A member's time credits: positive when they gave more help than they received."""

    member_id: UUID
    quarters: int = Field(description="Balance in quarter hours.")


class AntenneReport(BaseModel):
    """What the ledger took in from one antenne."""

    events_applied: int
    last_position: int | None
    confirmed_quarters: int
    opening_quarters: int = Field(description="Net opening balances imported at this antenne.")


class AuditReport(BaseModel):
    """Invariant 1 on the books: the accounts sum to zero and exchanges credited what antennes confirmed."""

    balanced: bool
    accounts: int
    sum_of_accounts: int = Field(description="Sum of every account's balance; 0 when balanced.")
    credited_by_exchanges: int = Field(description="Quarters credited to helpers by exchange transfers.")
    confirmed_quarters: int = Field(description="Quarters of the confirmed exchanges the antennes reported.")
    opening_quarters: int = Field(description="Net opening balances imported (booked to members).")
    sum_of_opening_accounts: int = Field(
        description="Balance of the antennes' opening accounts: minus `opening_quarters` when balanced."
    )
    antennes: dict[str, AntenneReport]
    consumer: ConsumerReport

    @classmethod
    def of(cls, audit: Audit, status: ConsumerStatus) -> AuditReport:
        """The audit with the consumer's status."""
        return cls(
            balanced=audit.balanced,
            accounts=audit.accounts,
            sum_of_accounts=audit.sum_of_accounts,
            credited_by_exchanges=audit.credited_by_exchanges,
            confirmed_quarters=audit.confirmed_quarters,
            opening_quarters=audit.opening_quarters,
            sum_of_opening_accounts=audit.sum_of_opening_accounts,
            antennes={
                antenne_id: AntenneReport(
                    events_applied=intake.events_applied,
                    last_position=intake.last_position,
                    confirmed_quarters=intake.confirmed_quarters,
                    opening_quarters=intake.opening_quarters,
                )
                for antenne_id, intake in audit.antennes.items()
            },
            consumer=ConsumerReport.of(status),
        )


class Health(BaseModel):
    """The process answers; the consumer's and the feedback relay's status say whether events flow."""

    status: str
    consumer: ConsumerReport
    feedback: RelayReport = Field(description="The relay of the ledger's decisions to the antennes.")


# Who may read what at the ledger: a member only their own account; a coordinator any member's (a balance
# is the same whichever antenne asks) but only their antenne's flags; partners only the reporting feed.
PEOPLE_AND_SERVICES = (Role.SERVICE, Role.PROJECT_COORDINATOR, Role.LOCAL_LEAD, Role.COORDINATOR)
FOR_MEMBERS = [allow(*PEOPLE_AND_SERVICES, Role.MEMBER), Depends(own_member_only)]
FOR_COORDINATORS = [allow(*PEOPLE_AND_SERVICES)]
FOR_LEADS = [allow(Role.SERVICE, Role.PROJECT_COORDINATOR, Role.LOCAL_LEAD)]

router = APIRouter(prefix="/api/v1", dependencies=[Depends(authenticate)])
health_router = APIRouter()


@router.get("/balances/{member_id}", tags=["balances"], dependencies=FOR_MEMBERS)
def get_balance(member_id: UUID, ledger: LedgerDep) -> Balance:
    """A member's balance in quarter hours, the same whichever antenne asks."""
    return Balance(member_id=member_id, quarters=ledger.balance(member_id))


@router.get("/audit", tags=["audit"], dependencies=FOR_LEADS)
def get_audit(ledger: LedgerDep, status: StatusDep) -> AuditReport:
    """Check the books: sum of accounts, credits against confirmed help, what each antenne sent."""
    return AuditReport.of(ledger.audit(), status)


class Flag(BaseModel):
    """An overdraft breach for coordinators to review: the spending stands, as every recorded fact does."""

    flag_id: UUID
    account: str = Field(description="The account's key, e.g. `member:<member id>`.")
    antenne_id: str = Field(description="The antenne that recorded the spending.")
    transfer_id: UUID
    balance: int = Field(description="The balance right after the transfer, in quarter hours.")
    limit: int = Field(description="The overdraft limit that applied, in quarter hours.")
    beyond_offline_allowance: bool = Field(
        description="Also below the limit plus the antenne's offline allowance: more than it may allow."
    )


@router.get("/flags", tags=["flags"], dependencies=FOR_COORDINATORS)
def get_flags(ledger: LedgerDep, principal: PrincipalDep) -> list[Flag]:
    """Every overdraft breach the ledger flagged, oldest first (a local role sees its antenne's only)."""
    return [
        Flag(
            flag_id=flag.id,
            account=flag.account_key,
            antenne_id=flag.antenne_id,
            transfer_id=flag.transfer_id,
            balance=flag.balance,
            limit=flag.limit,
            beyond_offline_allowance=flag.beyond_allowance,
        )
        for flag in ledger.flags()
        if principal.may_act_in(flag.antenne_id)
    ]


@health_router.get("/healthz", tags=["health"])
def get_health(request: Request, status: StatusDep) -> Health:
    """The ledger is up (no token needed); includes the consumer's and the feedback relay's status."""
    feedback: OutboxRelay = request.app.state.feedback
    return Health(
        status="ok", consumer=ConsumerReport.of(status), feedback=RelayReport.of(feedback.current_status())
    )


class MovedAwayFlag(BaseModel):
    """A posting a member's former home caused after they moved away: booked, for coordinators to review."""

    flag_id: UUID
    account: str
    antenne_id: str = Field(description="The former home that caused the posting.")
    home_antenne: str = Field(description="Where the member lives now.")
    transfer_id: UUID


@router.get("/flags/moved-away", tags=["flags"], dependencies=FOR_COORDINATORS)
def get_moved_away_flags(ledger: LedgerDep) -> list[MovedAwayFlag]:
    """Postings from a member's former home after a move, oldest first."""
    return [
        MovedAwayFlag(flag_id=f.id, account=f.account_key, antenne_id=f.antenne_id,
                      home_antenne=f.home_antenne, transfer_id=f.transfer_id)
        for f in ledger.moved_away_flags()
    ]  # fmt: skip
