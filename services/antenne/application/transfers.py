"""The transfers desk: hours to and from members of other antennes, asked and answered here, decided by
the ledger (docs/ledger.md, decisions 0009 and 0013).

What this antenne stores are its own acts (a `Transfer` asked, a `TransferAnswer` given); what the
ledger decided comes from the last-known view, so every list works with the centre away and says how
old each state is.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from enum import StrEnum
from typing import TYPE_CHECKING
from uuid import UUID, uuid4

from contracts.ledger.transfers import RejectReason, TransferKind
from services.antenne.application.base import AntenneBase, id_for
from services.antenne.domain import Member, MemberNotFoundError, MemberStatus
from services.antenne.domain.errors import TransferNotFoundError, TransferStateError
from services.antenne.domain.transfers import (
    SPENT_STATES,
    Transfer,
    TransferAnswer,
    TransferState,
    answer_id,
    check_transfer_spending,
    free_balance,
    refusal_for_payee,
)
from services.antenne.ledger_view import ledger_view_of

if TYPE_CHECKING:
    from services.antenne.ledger_view import KnownTransfer, LedgerView


class Direction(StrEnum):
    """Whether this antenne's member pays or receives."""

    OUTGOING = "outgoing"
    INCOMING = "incoming"


@dataclass(frozen=True)
class TransferLine:
    """One transfer as this antenne knows it: what it asked or answered, and the ledger's last word."""

    transfer_id: UUID
    direction: Direction
    member_id: UUID | None  # our member (None: an incoming transfer for an id that is no member here)
    payer: str  # `antenne:<id>` or `partner:<id>`
    payer_member: str
    payee: str
    payee_member: str
    quarters: int  # in our units: what our member pays or receives
    kind: TransferKind | None  # known for the transfers asked here
    state: TransferState
    reason: str | None  # why the ledger refused or released it
    answer: bool | None  # incoming: accepted (True), declined (False), not answered yet (None)
    answer_reason: RejectReason | None
    expires_at: datetime | None
    as_of: datetime | None  # ledger time of the last decision known here
    position: int | None  # the ledger's position of that decision
    asked_on: date | None

    @property
    def waits_for_answer(self) -> bool:
        """An incoming transfer the ledger holds for our member, not answered here yet."""
        return (
            self.direction == Direction.INCOMING
            and self.state is TransferState.PREPARED
            and self.answer is None
        )


class TransfersDesk(AntenneBase):
    """Asks transfers for our members, answers those for our members, lists both with their last state."""

    _ledger_view: LedgerView | None = None

    @property
    def ledger_view(self) -> LedgerView:
        """What the ledger last told this antenne (beside its events, on the same connections)."""
        if self._ledger_view is None:
            self._ledger_view = ledger_view_of(self)
        return self._ledger_view

    @property
    def antenne_id(self) -> str:
        """This antenne's id in the federation."""
        return self.practice.antenne_id

    def ask_transfer(
        self,
        payer_id: UUID,
        payee_antenne: str,
        payee_id: UUID,
        quarters: int,
        kind: TransferKind,
        performed_on: date,
        *,
        expires_at: datetime | None = None,
        asked_by: str = "",
        idempotency_key: str | None = None,
    ) -> UUID:
        """Ask the ledger to move hours from our member to a member of another antenne; returns its id."""
        transfer_id = id_for(idempotency_key, "transfers") if idempotency_key else uuid4()
        if self._exists(transfer_id):
            return transfer_id
        payer = self._load(payer_id, Member, MemberNotFoundError)
        payer.check_active()
        guard = self.practice.guard
        transfer = Transfer.ask(
            transfer_id, payer_antenne=self.antenne_id, payer_id=payer.id, payee_antenne=payee_antenne,
            payee_id=payee_id, quarters=quarters, kind=kind, performed_on=performed_on,
            expires_at=expires_at, today=self.today(), now=datetime.now(UTC),
            backdating_days=self.practice.backdating_days, asked_by=asked_by,
        )  # fmt: skip
        free = self.free_balance(payer.id)
        check_transfer_spending(payer.id, free, quarters, guard.min_balance if guard else None)
        self._save_together(f"transfer {transfer_id}", transfer)
        return transfer_id

    def accept_transfer(self, transfer_id: UUID, *, answered_by: str = "") -> TransferLine:
        """Take the hours for our member; declined instead when the payee is not an active member here."""
        known = self._incoming(transfer_id)
        status = self._member_status(UUID(known.payee_member))
        refusal = refusal_for_payee(status)
        if refusal is not None:
            return self._answer(known, refusal, answered_by)
        return self._answer(known, None, answered_by)

    def reject_transfer(
        self,
        transfer_id: UUID,
        reason: RejectReason = RejectReason.DECLINED,
        *,
        answered_by: str = "",
    ) -> TransferLine:
        """Decline the hours for our member: the ledger gives them back to the payer."""
        known = self._incoming(transfer_id)
        return self._answer(known, reason, answered_by)

    def decline_transfers_for_absent_payees(self) -> list[UUID]:
        """Answer every held transfer for an id that is no active member here: unknown or moved away."""
        declined = []
        for line in self.transfers():
            if not line.waits_for_answer:
                continue
            refusal = refusal_for_payee(self._member_status(line.member_id) if line.member_id else None)
            if refusal is not None:
                self.reject_transfer(line.transfer_id, refusal, answered_by="antenne")
                declined.append(line.transfer_id)
        return declined

    def transfers(
        self, state: TransferState | None = None, member_id: UUID | None = None
    ) -> list[TransferLine]:
        """Every transfer asked here or held for a member here, by the ledger's order, undecided last."""
        known = {k.transfer_id: k for k in self.ledger_view.transfers()}
        lines = [self._outgoing(t, known.pop(t, None)) for t in self.catalogue.ids("Transfer")]
        here = f"antenne:{self.antenne_id}"
        lines += [self._incoming_line(k) for k in known.values() if k.payee == here and k.payer != here]
        lines.sort(key=lambda line: (line.position is None, line.position or 0))
        return [
            line
            for line in lines
            if (state is None or line.state is state) and (member_id is None or line.member_id == member_id)
        ]

    def get_transfer(self, transfer_id: UUID) -> TransferLine:
        """One transfer asked here or held for a member here."""
        if self._exists(transfer_id):
            return self._outgoing(transfer_id, self.ledger_view.transfer(transfer_id))
        return self._incoming_line(self._incoming(transfer_id))

    def free_balance(self, member_id: UUID) -> int:
        """The member's balance as the guard counts it: local book, less what they transferred out and the
        ledger did not give back, plus what the ledger committed to them from other antennes (0013)."""
        member = self._load(member_id, Member, MemberNotFoundError)
        return free_balance(member.balance, *self._transfer_totals(member_id))

    def transferred(self, member_id: UUID) -> int:
        """What transfers add to the member's local balance for the guard: committed in, less out (0013)."""
        outgoing, incoming = self._transfer_totals(member_id)
        return incoming - outgoing

    def _transfer_totals(self, member_id: UUID) -> tuple[int, int]:
        if not self.catalogue.ids("Transfer") and not self.ledger_view.transfers():
            return 0, 0  # the usual case, without loading anything
        lines = self.transfers(member_id=member_id)
        outgoing = sum(
            line.quarters
            for line in lines
            if line.direction == Direction.OUTGOING and line.state in SPENT_STATES
        )
        incoming = sum(
            line.quarters
            for line in lines
            if line.direction == Direction.INCOMING and line.state is TransferState.COMMITTED
        )
        return outgoing, incoming

    def _answer(self, known: KnownTransfer, reason: RejectReason | None, answered_by: str) -> TransferLine:
        # One answer per transfer (its id comes from the transfer's): the same answer again records nothing,
        # so an idempotency key needs no receipt here; another answer is refused.
        accepted = reason is None
        if self._exists(answer_id(known.transfer_id)):
            given = self._load(answer_id(known.transfer_id), TransferAnswer, TransferNotFoundError)
            if given.accepted != accepted:
                raise TransferStateError(known.transfer_id, "already answered otherwise", "answered again")
            return self._incoming_line(known)  # the same answer again: nothing more to record
        if known.state != TransferState.PREPARED:
            raise TransferStateError(known.transfer_id, known.state, "accepted" if accepted else "declined")
        if reason is None:
            answer = TransferAnswer.accept(known.transfer_id, self.today(), answered_by)
        else:
            answer = TransferAnswer.reject(known.transfer_id, reason, self.today(), answered_by)
        self._save_together(f"transfer {known.transfer_id}", answer)
        return self._incoming_line(known)

    def _incoming(self, transfer_id: UUID) -> KnownTransfer:
        known = self.ledger_view.transfer(transfer_id)
        if known is None or known.payee != f"antenne:{self.antenne_id}" or self._exists(transfer_id):
            raise TransferNotFoundError(transfer_id)
        return known

    def _member_status(self, member_id: UUID) -> MemberStatus | None:
        try:
            return self._load(member_id, Member, MemberNotFoundError).status
        except MemberNotFoundError:
            return None

    def _outgoing(self, transfer_id: UUID, known: KnownTransfer | None) -> TransferLine:
        asked = self._load(transfer_id, Transfer, TransferNotFoundError)
        return TransferLine(
            transfer_id=asked.id, direction=Direction.OUTGOING, member_id=asked.payer_id,
            payer=f"antenne:{asked.payer_antenne}", payer_member=str(asked.payer_id),
            payee=f"antenne:{asked.payee_antenne}", payee_member=str(asked.payee_id), quarters=asked.quarters,
            kind=asked.kind, state=TransferState(known.state) if known else TransferState.ASKED,
            reason=known.reason if known else None, answer=None, answer_reason=None,
            expires_at=known.expires_at if known else asked.expires_at, as_of=known.as_of if known else None,
            position=known.position if known else None, asked_on=asked.asked_on,
        )  # fmt: skip

    def _incoming_line(self, known: KnownTransfer) -> TransferLine:
        answer: TransferAnswer | None = None
        if self._exists(answer_id(known.transfer_id)):
            answer = self._load(answer_id(known.transfer_id), TransferAnswer, TransferNotFoundError)
        return TransferLine(
            transfer_id=known.transfer_id, direction=Direction.INCOMING, member_id=_uuid(known.payee_member),
            payer=known.payer, payer_member=known.payer_member, payee=known.payee,
            payee_member=known.payee_member, quarters=known.payee_quarters, kind=None,
            state=TransferState(known.state), reason=known.reason,
            answer=answer.accepted if answer else None, answer_reason=answer.reason if answer else None,
            expires_at=known.expires_at, as_of=known.as_of, position=known.position, asked_on=None,
        )  # fmt: skip


def _uuid(text: str) -> UUID | None:
    try:
        return UUID(text)
    except ValueError:
        return None
