"""Routes for two-phase transfers: coordinators (the ledger's token) and alliance partners (their own).

Coordinators ask for transfers for their members, answer for payee antennes, and see what is in flight;
members see their own through `?member=`. A partner's token acts only for that partner: it sends its
members' transfers (with an idempotency key), answers transfers prepared for its members, and reads its
position and monthly settlement statements.
"""

from __future__ import annotations

import secrets
from datetime import UTC, date, datetime
from typing import Annotated, Literal
from uuid import UUID

from fastapi import APIRouter, Depends, HTTPException, Path, Query, Request, status
from fastapi.responses import PlainTextResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, Field

from contracts.alliance.v1 import PartnerAnswer, PartnerTransfer
from contracts.ledger.transfers import (
    LimitWarning,
    Position,
    RejectReason,
    Side,
    TransferRequested,
)
from services.auth import Authentication, allow
from services.ledger.alliance import ClearingRun, SettlementStatement, statement_csv
from services.ledger.api import FOR_COORDINATORS, LedgerDep
from services.ledger.desk import FEDERATION
from services.ledger.transfers import CrossTransfer, TransferState, partner_transfer_id
from services.principals import Role

_bearer = HTTPBearer(auto_error=False, description="The partner's own API token.")
Month = Annotated[str, Path(pattern=r"^\d{4}-(0[1-9]|1[0-2])$", description="The month, `YYYY-MM`.")]


def _now() -> datetime:
    return datetime.now(UTC)


class TransferView(BaseModel):
    """A two-phase transfer as it stands; `prepared` means the hours are held, in flight."""

    transfer_id: UUID
    state: TransferState
    reason: str | None = Field(description="Why refused or released, if so.")
    payer: Side
    payee: Side
    quarters: int = Field(description="Quarter hours at the ledger (BuurtPensioen's unit).")
    payer_quarters: int
    payee_quarters: int
    kind: str
    performed_on: date
    expires_at: datetime
    requested_by: str
    requested_at: datetime
    decided_at: datetime | None

    @classmethod
    def of(cls, made: CrossTransfer) -> TransferView:
        """The view of a transfer aggregate."""
        return cls(
            transfer_id=made.id,
            state=made.state or TransferState.PREPARED,
            reason=made.reason,
            payer=made.payer,
            payee=made.payee,
            quarters=made.quarters,
            payer_quarters=made.payer_quarters,
            payee_quarters=made.payee_quarters,
            kind=made.kind,
            performed_on=made.counts_from,
            expires_at=made.expires_at,
            requested_by=made.requested_by,
            requested_at=made.requested_at,
            decided_at=made.decided_at,
        )


class Rejection(BaseModel):
    """Why the payee's side declines."""

    reason: RejectReason = RejectReason.DECLINED


class PartnerPosition(BaseModel):
    """A partner's net position against its bilateral limit (positive: the partner's side owes)."""

    partner_id: str
    name: str
    position: int
    bilateral_limit: int
    ours_per_theirs: tuple[int, int]
    in_flight: int = Field(description="Transfers with this partner still held, awaiting an answer.")


class ClearingRunView(BaseModel):
    """One clearing run: the netted bilateral positions of its period and the warnings it raised."""

    run_id: UUID
    period_start: datetime | None
    period_end: datetime
    positions: list[Position]
    partner_positions: dict[str, int]
    warnings: list[LimitWarning]
    transfers: int

    @classmethod
    def of(cls, run: ClearingRun) -> ClearingRunView:
        """The view of a run."""
        return cls(
            run_id=run.id,
            period_start=run.period_start,
            period_end=run.period_end,
            positions=list(run.positions),
            partner_positions=run.partner_positions,
            warnings=list(run.warnings),
            transfers=len(run.transfer_ids),
        )


class SettlementView(BaseModel):
    """A partner's monthly settlement statement (JSON; `?format=csv` gives the CSV)."""

    partner_id: str
    month: str
    opening_position: int
    closing_position: int
    paid_out: int = Field(description="BuurtPensioen members paid the partner's members (quarter hours).")
    received: int = Field(description="The partner's members paid BuurtPensioen members (quarter hours).")
    lines: list[dict[str, object]]

    @classmethod
    def of(cls, statement: SettlementStatement) -> SettlementView:
        """The view of a statement."""
        lines = [
            {
                "committed_at": line.committed_at,
                "transfer_id": line.transfer_id,
                "direction": line.direction,
                "member": line.member,
                "partner_member": line.partner_member,
                "quarters": line.quarters,
                "partner_quarters": line.partner_quarters,
            }
            for line in statement.lines
        ]
        return cls(
            partner_id=statement.partner_id,
            month=statement.month,
            opening_position=statement.opening_position,
            closing_position=statement.closing_position,
            paid_out=statement.paid_out,
            received=statement.received,
            lines=lines,
        )


def _settlement(statement: SettlementStatement, fmt: str) -> SettlementView | PlainTextResponse:
    if fmt == "csv":
        filename = f"settlement-{statement.partner_id}-{statement.month}.csv"
        return PlainTextResponse(
            statement_csv(statement),
            media_type="text/csv",
            headers={"Content-Disposition": f'attachment; filename="{filename}"'},
        )
    return SettlementView.of(statement)


def _involves(made: CrossTransfer, member: str | None, keeper: str | None) -> bool:
    if member is not None and member not in (made.payer.member, made.payee.member):
        return False
    return keeper is None or keeper in (made.payer.keeper, made.payee.keeper)


router = APIRouter(prefix="/api/v1", tags=["transfers"], dependencies=FOR_COORDINATORS)
# The API decides as the federation (not as one antenne's desk): only federation-wide roles may write.
FOR_THE_FEDERATION = [allow(Role.SERVICE, Role.PROJECT_COORDINATOR)]


@router.post("/transfers", status_code=status.HTTP_200_OK, dependencies=FOR_THE_FEDERATION)
def request_transfer(request: TransferRequested, ledger: LedgerDep) -> TransferView:
    """Ask for a transfer across antennes or to a partner: held (`prepared`) or `refused` at once.

    A repeat with the same `transfer_id` and details returns the transfer as it stands.
    """
    return TransferView.of(ledger.request_transfer(request, FEDERATION, _now()))


@router.get("/transfers")
def list_transfers(
    ledger: LedgerDep,
    state: TransferState | None = None,
    member: Annotated[str | None, Query(description="Only transfers of this member.")] = None,
    keeper: Annotated[str | None, Query(description="`antenne:<id>` or `partner:<id>`.")] = None,
) -> list[TransferView]:
    """Two-phase transfers, oldest first; `?state=prepared` lists what is in flight."""
    return [
        TransferView.of(made)
        for made in ledger.cross_transfers()
        if (state is None or made.state is state) and _involves(made, member, keeper)
    ]


@router.get("/transfers/{transfer_id}")
def get_transfer(transfer_id: UUID, ledger: LedgerDep) -> TransferView:
    """One transfer as it stands."""
    return TransferView.of(ledger.cross_transfer(transfer_id))


@router.post("/transfers/{transfer_id}/fulfil", dependencies=FOR_THE_FEDERATION)
def fulfil_transfer(transfer_id: UUID, ledger: LedgerDep) -> TransferView:
    """The payee's antenne accepts: the hours go to its member (`committed`), unless the hold expired."""
    return TransferView.of(ledger.fulfil_transfer(transfer_id, FEDERATION, _now()))


@router.post("/transfers/{transfer_id}/reject", dependencies=FOR_THE_FEDERATION)
def reject_transfer(transfer_id: UUID, rejection: Rejection, ledger: LedgerDep) -> TransferView:
    """The payee's antenne declines: the hours go back to the payer (`released`)."""
    return TransferView.of(ledger.reject_transfer(transfer_id, FEDERATION, rejection.reason, _now()))


@router.get("/alliance/partners", tags=["alliance"])
def list_partners(ledger: LedgerDep) -> list[PartnerPosition]:
    """Every partner's net position against its bilateral limit."""
    return [_position(ledger, a.partner_id) for a in ledger.alliance.agreements]


@router.get("/alliance/partners/{partner_id}/settlements/{month}", tags=["alliance"], response_model=None)
def get_settlement(
    partner_id: str, month: Month, ledger: LedgerDep, format: Literal["json", "csv"] = "json"
) -> SettlementView | PlainTextResponse:
    """A partner's monthly settlement statement, as JSON or CSV (`?format=csv`)."""
    return _settlement(ledger.settlement(partner_id, month), format)


@router.post("/clearing/runs", tags=["alliance"], dependencies=FOR_THE_FEDERATION)
def run_clearing(ledger: LedgerDep) -> ClearingRunView:
    """Net every bilateral position committed since the last run now (the ledger also runs it by itself)."""
    return ClearingRunView.of(ledger.run_clearing(_now()))


@router.get("/clearing/runs", tags=["alliance"])
def list_clearing_runs(ledger: LedgerDep) -> list[ClearingRunView]:
    """Every clearing run, oldest first."""
    return [ClearingRunView.of(run) for run in ledger.clearing_runs()]


def _month(month: str) -> str:
    if (
        len(month) != 7
        or month[4] != "-"
        or not (month[:4] + month[5:]).isdigit()
        or not "01" <= month[5:] <= "12"
    ):
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, f"month {month!r}: use YYYY-MM")
    return month


def _position(ledger: LedgerDep, partner_id: str) -> PartnerPosition:
    agreement = ledger.alliance.agreement(partner_id)
    in_flight = sum(
        1
        for made in ledger.cross_transfers()
        if made.state is TransferState.PREPARED and partner_id in (made.payer.partner, made.payee.partner)
    )
    position = ledger.partner_position(partner_id)
    return PartnerPosition(
        partner_id=partner_id,
        name=agreement.name,
        position=position,
        bilateral_limit=agreement.bilateral_limit,
        ours_per_theirs=agreement.ours_per_theirs,
        in_flight=in_flight,
    )


# The partner API: each partner's own token, and only its own transfers.


async def require_partner(
    request: Request, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]
) -> str:
    """The partner whose token the request carries (its configured token, or a scoped partner token),
    else 401 (no or unknown token) or 403 (a token of another role)."""
    if credentials is None:
        missing = "missing 'Authorization: Bearer <partner token>' header"
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, missing, headers={"WWW-Authenticate": "Bearer"})
    tokens: dict[str, str] = request.app.state.partner_tokens
    for partner_id, token in tokens.items():
        if secrets.compare_digest(credentials.credentials.encode(), token.encode()):
            return partner_id
    auth: Authentication = request.app.state.auth
    principal = auth.principal(credentials.credentials)
    if principal is not None and principal.role is Role.PARTNER:
        return principal.actor_id
    if principal is not None:
        raise HTTPException(status.HTTP_403_FORBIDDEN, f"a {principal.role} is not an alliance partner")
    raise HTTPException(
        status.HTTP_401_UNAUTHORIZED, "invalid partner token", headers={"WWW-Authenticate": "Bearer"}
    )


PartnerDep = Annotated[str, Depends(require_partner)]
partner_router = APIRouter(prefix="/api/v1/alliance", tags=["partner API"])


def partner_request(partner_id: str, sent: PartnerTransfer) -> TransferRequested:
    """A partner's transfer as a request from its side, with the id its idempotency key gives."""
    return TransferRequested(
        transfer_id=partner_transfer_id(partner_id, sent.idempotency_key),
        payer=Side(partner=partner_id, member=sent.from_partner_member),
        payee=Side(antenne=sent.to_antenne, member=str(sent.to_member)),
        quarters=sent.quarters,
        kind=sent.kind,
        performed_on=sent.performed_on,
    )


@partner_router.post("/transfers")
def partner_sends(sent: PartnerTransfer, partner_id: PartnerDep, ledger: LedgerDep) -> TransferView:
    """A partner's member pays a BuurtPensioen member: held, then committed when the antenne accepts.

    The same `idempotency_key` again returns the transfer as it stands, never a second one.
    """
    return TransferView.of(
        ledger.request_transfer(partner_request(partner_id, sent), f"partner:{partner_id}", _now())
    )


@partner_router.get("/transfers")
def partner_transfers(
    partner_id: PartnerDep, ledger: LedgerDep, state: TransferState | None = None
) -> list[TransferView]:
    """This partner's transfers; `?state=prepared` lists those waiting (some for its answer)."""
    keeper = f"partner:{partner_id}"
    return [
        TransferView.of(made)
        for made in ledger.cross_transfers()
        if (state is None or made.state is state) and _involves(made, None, keeper)
    ]


@partner_router.get("/transfers/{transfer_id}")
def partner_transfer(transfer_id: UUID, partner_id: PartnerDep, ledger: LedgerDep) -> TransferView:
    """One of this partner's transfers."""
    made = ledger.cross_transfer(transfer_id)
    if not _involves(made, None, f"partner:{partner_id}"):
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no transfer {transfer_id} with partner {partner_id}")
    return TransferView.of(made)


@partner_router.post("/transfers/{transfer_id}/answer")
def partner_answers(
    transfer_id: UUID, answer: PartnerAnswer, partner_id: PartnerDep, ledger: LedgerDep
) -> TransferView:
    """The partner accepts (`fulfilled: true`) or declines a transfer prepared for one of its members."""
    if answer.transfer_id != transfer_id:
        raise HTTPException(
            status.HTTP_422_UNPROCESSABLE_CONTENT, "the body's transfer_id differs from the path's"
        )
    by = f"partner:{partner_id}"
    if answer.fulfilled:
        return TransferView.of(ledger.fulfil_transfer(transfer_id, by, _now()))
    reason = answer.reason or RejectReason.DECLINED
    return TransferView.of(ledger.reject_transfer(transfer_id, by, reason, _now()))


@partner_router.get("/position")
def partner_position(partner_id: PartnerDep, ledger: LedgerDep) -> PartnerPosition:
    """This partner's net position and bilateral limit."""
    return _position(ledger, partner_id)


@partner_router.get("/settlements/{month}", response_model=None)
def partner_settlement(
    month: Month, partner_id: PartnerDep, ledger: LedgerDep, format: Literal["json", "csv"] = "json"
) -> SettlementView | PlainTextResponse:
    """This partner's monthly settlement statement, as JSON or CSV (`?format=csv`)."""
    return _settlement(ledger.settlement(partner_id, month), format)
