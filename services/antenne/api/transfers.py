"""Transfers with members of other antennes: ask one, answer one held for a member here, list them.

The antenne stores its request or answer and its relay puts it on the antenne's chain; the ledger decides
(hold or refuse, commit or release) and tells both antennes. What the ledger decided is shown from the
antenne's last-known view, labelled with its age: these routes answer with the centre away.
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import UTC, date, datetime
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, status
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from contracts.ledger.transfers import RejectReason, TransferKind
from contracts.subjects import ANTENNE_ID_PATTERN
from services.antenne.api.deps import API, PROTECTED, ActorDep, AntenneDep, KeyDep, Page, PageDep
from services.antenne.api.portable import age_label
from services.antenne.application import TransferLine
from services.antenne.application.transfers import Direction
from services.antenne.domain.transfers import MAX_TRANSFER_QUARTERS, TransferState

router = APIRouter(prefix=API, tags=["transfers between antennes"], dependencies=PROTECTED)


class NewTransfer(BaseModel):
    """Hours a member of this antenne gives or pays to a member of another antenne."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "payer_id": "0b6f2c1d-9a10-4a57-9d1f-6f1c0e558d4e",
                    "payee_antenne": "neder-over-heembeek",
                    "payee_id": "6f1c0e55-8d4e-4a57-9d1f-0b6f2c1d9a10",
                    "quarters": 8,
                    "kind": "donation",
                    "performed_on": "2026-11-23",
                }
            ]
        }
    )

    payer_id: UUID = Field(description="A member of this antenne: active, not moved away.")
    payee_antenne: Annotated[str, Field(pattern=ANTENNE_ID_PATTERN, description="The payee's antenne.")]
    payee_id: UUID = Field(description="The payee's member id (global, as their antenne knows them).")
    quarters: int = Field(strict=True, gt=0, le=MAX_TRANSFER_QUARTERS, description="Quarter hours.")
    kind: TransferKind = Field(description="Help given across antennes, or a gift.")
    performed_on: date = Field(description="The day the help was given or the gift made; not in the future.")
    expires_at: AwareDatetime | None = Field(
        default=None,
        description="When an unanswered hold goes back to the payer; the ledger's default if absent.",
    )


class Rejection(BaseModel):
    """Why the hours are declined."""

    reason: RejectReason = Field(default=RejectReason.DECLINED)


class TransferView(BaseModel):
    """A transfer as this antenne knows it: what it asked or answered, and the ledger's last known word."""

    transfer_id: UUID
    direction: Direction = Field(description="`outgoing`: our member pays; `incoming`: our member receives.")
    member_id: UUID | None = Field(description="Our member.")
    payer: str = Field(description="`antenne:<id>` or `partner:<id>`.")
    payer_member: str
    payee: str
    payee_member: str
    quarters: int = Field(description="What our member pays or receives, in quarter hours.")
    kind: TransferKind | None = Field(description="Known for the transfers asked here.")
    state: TransferState = Field(description="`asked` until the ledger's decision arrives here.")
    reason: str | None = Field(description="Why the ledger refused or released it.")
    answer: bool | None = Field(description="Incoming: accepted, declined, or not answered yet (null).")
    answer_reason: RejectReason | None
    waits_for_answer: bool = Field(description="Held by the ledger for our member: accept or decline it.")
    expires_at: datetime | None
    as_of: datetime | None = Field(description="Ledger time of the last decision known here.")
    age_seconds: int | None
    ledger_position: int | None
    label: str = Field(description="`last known as of ... (... ago)`, or not reported by the ledger yet.")

    @classmethod
    def of(cls, line: TransferLine, now: datetime) -> TransferView:
        """The view of a transfer line, aged now."""
        fields = asdict(line)
        position, _ = fields.pop("position"), fields.pop("asked_on")
        age = max(0, int((now - line.as_of).total_seconds())) if line.as_of else None
        waits = line.waits_for_answer
        label = age_label(line.as_of, now)
        return cls(**fields, waits_for_answer=waits, age_seconds=age, ledger_position=position, label=label)


def _now() -> datetime:
    return datetime.now(UTC)


@router.post("/transfers", status_code=status.HTTP_201_CREATED)
def ask_transfer(body: NewTransfer, antenne: AntenneDep, actor: ActorDep, key: KeyDep) -> TransferView:
    """Ask the ledger to move hours from a member here to a member of another antenne (once per key).

    Refused here (409) when it would take the payer past the antenne's minimum balance, counting what
    they transferred out and the ledger has not given back; the ledger checks its own limit too.
    """
    transfer_id = antenne.ask_transfer(
        body.payer_id, body.payee_antenne, body.payee_id, body.quarters, body.kind, body.performed_on,
        expires_at=body.expires_at, asked_by=actor.actor_id,
        idempotency_key=key,
    )  # fmt: skip
    return TransferView.of(antenne.get_transfer(transfer_id), _now())


@router.get("/transfers")
def list_transfers(
    antenne: AntenneDep, page: PageDep, state: TransferState | None = None, member_id: UUID | None = None
) -> Page[TransferView]:
    """Transfers asked here or held for a member here, in the ledger's order (undecided last)."""
    now = _now()
    return Page.of([TransferView.of(line, now) for line in antenne.transfers(state, member_id)], page)


@router.get("/transfers/{transfer_id}")
def get_transfer(transfer_id: UUID, antenne: AntenneDep) -> TransferView:
    """One transfer, with the ledger's last known decision and its age."""
    return TransferView.of(antenne.get_transfer(transfer_id), _now())


@router.post("/transfers/{transfer_id}/accept")
def accept_transfer(transfer_id: UUID, antenne: AntenneDep, actor: ActorDep) -> TransferView:
    """Take hours the ledger holds for a member here. If the payee is no active member here, the antenne
    declines instead (`unknown_member`, `moved_away`): the answer says which. Answering again is a no-op."""
    return TransferView.of(antenne.accept_transfer(transfer_id, answered_by=actor.actor_id), _now())


@router.post("/transfers/{transfer_id}/reject")
def reject_transfer(
    transfer_id: UUID, antenne: AntenneDep, actor: ActorDep, body: Rejection | None = None
) -> TransferView:
    """Decline hours the ledger holds for a member here: the ledger gives them back to the payer."""
    reason = body.reason if body else RejectReason.DECLINED
    return TransferView.of(antenne.reject_transfer(transfer_id, reason, answered_by=actor.actor_id), _now())
