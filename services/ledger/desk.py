"""The transfer desk: who may ask and answer, what the ledger decides, which postings each step makes.

No I/O: the desk reads the books through `Books` and returns the aggregates a step changed, for the
caller to save in one transaction (with the antenne's tracking record when the step came in a chain).
The ledger is the one party that decides (docs/ledger.md): it holds or refuses on a request, commits on
the payee's fulfilment, releases on the payee's rejection or at the expiry.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Protocol
from uuid import UUID

from contracts.ledger.transfers import (
    RefuseReason,
    RejectReason,
    ReleaseReason,
    Side,
    TransferRequested,
)
from services.ledger.alliance import Alliance, UnknownPartnerError
from services.ledger.domain import Account, Cause, OverdraftPolicy, transfer
from services.ledger.transfers import (
    DEFAULT_EXPIRY,
    ConflictingRequestError,
    CrossTransfer,
    NotTheKeeperError,
    TransferNotFoundError,
    TransferState,
    clearing_key,
    hold_key,
    leg_id,
    side_account,
)

if TYPE_CHECKING:
    from eventsourcing.domain import Aggregate

log = logging.getLogger(__name__)

FEDERATION = "federation"  # a coordinator using the ledger's own token may act for any antenne


class Books(Protocol):
    """What the desk reads: accounts and transfers as stored, copies it may change."""

    def account(self, key: str) -> Account | None:
        """The account with this key, or None if it was never opened."""

    def cross_transfer(self, transfer_id: UUID) -> CrossTransfer | None:
        """The two-phase transfer with this id, or None."""

    def in_flight(self) -> list[CrossTransfer]:
        """Every transfer still prepared (held)."""


@dataclass
class Step:
    """What one step decided: the transfer as it now stands and every aggregate to save with it."""

    transfer: CrossTransfer
    changed: list[Aggregate] = field(default_factory=list)

    @property
    def is_noop(self) -> bool:
        """A repeat that changed nothing."""
        return not self.changed


@dataclass
class TransferDesk:
    """The ledger's rules for two-phase transfers."""

    books: Books
    overdraft: OverdraftPolicy
    alliance: Alliance
    expiry: timedelta = DEFAULT_EXPIRY

    def request(self, request: TransferRequested, requested_by: str, now: datetime) -> Step:
        """The payer's side asks: hold the hours, or refuse; a repeat returns the transfer as it stands."""
        _check_asker(request.transfer_id, request.payer, requested_by)
        existing = self.books.cross_transfer(request.transfer_id)
        if existing is not None:
            if not existing.same_request(request, requested_by):
                raise ConflictingRequestError(request.transfer_id)
            return Step(existing)
        quarters, payee_quarters = self._amounts(request)
        made = CrossTransfer(
            transfer_id=request.transfer_id,
            payer=request.payer.model_dump(mode="json"),
            payee=request.payee.model_dump(mode="json"),
            quarters=quarters or request.quarters,
            payer_quarters=request.quarters,
            payee_quarters=payee_quarters or request.quarters,
            kind=request.kind.value,
            counts_from=request.performed_on,
            expires_at=request.expires_at or now + self.expiry,
            requested_by=requested_by,
            requested_at=now,
        )
        reason = RefuseReason.NOT_WHOLE_QUARTERS if not (quarters and payee_quarters) else None
        payer = self.books.account(side_account(request.payer))
        reason = reason or self._refusal(made, payer, now)
        if reason is not None:
            made.refuse(reason, now)
            log.info("transfer %s refused: %s", made.id, reason.value)
            return Step(made, [made])
        made.prepare(now)
        payer = payer or _open(side_account(made.payer), made.payer)
        hold = Account(key=hold_key(made.id), home_antenne=None)
        return Step(made, [made, *self._post(made, "prepared", payer, hold)])

    def fulfil(self, transfer_id: UUID, by: str, now: datetime) -> Step:
        """The payee's side accepts: commit, unless the hold expired or the payee moved meanwhile."""
        made = self._answerable(transfer_id, by)
        if made.state is not TransferState.PREPARED:
            return Step(made)
        if made.has_expired(now):
            return self.release(made, ReleaseReason.EXPIRED, now)
        payee = self.books.account(side_account(made.payee))
        if payee is not None and made.payee.antenne and payee.home_antenne not in (None, made.payee.antenne):
            return self.release(made, ReleaseReason.PAYEE_MOVED, now)
        made.commit(now)
        payee = payee or _open(side_account(made.payee), made.payee)
        return Step(made, [made, *self._post(made, "committed", self._hold(made), payee)])

    def reject(self, transfer_id: UUID, by: str, reason: RejectReason, now: datetime) -> Step:
        """The payee's side declines: the hours go back to the payer."""
        made = self._answerable(transfer_id, by)
        if made.state is not TransferState.PREPARED:
            return Step(made)
        log.info("transfer %s rejected by %s: %s", transfer_id, by, reason.value)
        return self.release(made, ReleaseReason.REJECTED, now)

    def expired(self, now: datetime) -> list[UUID]:
        """The holds past their expiry, to release one at a time (each release saved before the next)."""
        return [made.id for made in self.books.in_flight() if made.has_expired(now)]

    def expire(self, transfer_id: UUID, now: datetime) -> Step:
        """Release one hold past its expiry (a repeat, or one answered meanwhile, changes nothing)."""
        made = self.books.cross_transfer(transfer_id)
        if made is None:
            raise TransferNotFoundError(transfer_id)
        if not made.has_expired(now):
            return Step(made)
        return self.release(made, ReleaseReason.EXPIRED, now)

    def release(self, made: CrossTransfer, reason: ReleaseReason, now: datetime) -> Step:
        """Give the held hours back to the payer (compensation by an event, never a deletion)."""
        made.release(reason, now)
        payer = self.books.account(side_account(made.payer)) or _open(side_account(made.payer), made.payer)
        return Step(made, [made, *self._post(made, "released", self._hold(made), payer)])

    def _answerable(self, transfer_id: UUID, by: str) -> CrossTransfer:
        made = self.books.cross_transfer(transfer_id)
        if made is None:
            raise TransferNotFoundError(transfer_id)
        if by not in (made.payee.keeper, FEDERATION):
            raise NotTheKeeperError(transfer_id, by, made.payee.keeper)
        return made

    def _amounts(self, request: TransferRequested) -> tuple[int | None, int | None]:
        """Quarters at the ledger (ours) and at the payee's side, through the partners' rates."""
        try:
            ours = (
                self.alliance.agreement(request.payer.partner).to_ours(request.quarters)
                if request.payer.partner
                else request.quarters
            )
            if ours is None or not request.payee.partner:
                return ours, ours
            return ours, self.alliance.agreement(request.payee.partner).to_theirs(ours)
        except UnknownPartnerError:
            return request.quarters, request.quarters  # refused below, by name

    def _refusal(self, made: CrossTransfer, payer: Account | None, now: datetime) -> RefuseReason | None:
        """Why the ledger will not hold these hours, or None; the first reason found counts."""
        if made.payer.keeper == made.payee.keeper or side_account(made.payer) == side_account(made.payee):
            return RefuseReason.SAME_KEEPER
        if made.expires_at <= now:
            return RefuseReason.EXPIRED
        for partner in (made.payer.partner, made.payee.partner):
            if partner is not None and not any(a.partner_id == partner for a in self.alliance.agreements):
                return RefuseReason.UNKNOWN_PARTNER
        if made.payer.antenne is not None:
            if payer is not None and payer.home_antenne not in (None, made.payer.antenne):
                return RefuseReason.MOVED_AWAY
            if self.overdraft.would_refuse(payer, made.payer.antenne, made.quarters):
                return RefuseReason.OVER_LIMIT
        if not self._partners_within_limits(made):
            return RefuseReason.PARTNER_LIMIT
        return None

    def _partners_within_limits(self, made: CrossTransfer) -> bool:
        """Each partner's position stays within its limit whatever becomes of what is in flight.

        An incoming hold debits the clearing account at once (and a release gives it back); an outgoing
        one credits it only on commit. So the position can fall only by new incoming transfers, and can
        rise by every hold in flight with the partner, whichever way, plus a new outgoing one.
        """
        for partner in {made.payer.partner, made.payee.partner} - {None}:
            assert partner is not None
            clearing = self.books.account(clearing_key(partner))
            balance = clearing.balance if clearing else 0
            in_flight = sum(held.quarters for held in self.books.in_flight()
                            if partner in (held.payer.partner, held.payee.partner))  # fmt: skip
            lowest = balance - (made.quarters if made.payer.partner == partner else 0)
            highest = balance + in_flight + (made.quarters if made.payee.partner == partner else 0)
            agreement = self.alliance.agreement(partner)
            if not (agreement.within_limit(lowest) and agreement.within_limit(highest)):
                return False
        return True

    def _hold(self, made: CrossTransfer) -> Account:
        hold = self.books.account(hold_key(made.id))
        assert hold is not None, f"transfer {made.id} is prepared but has no hold account"
        return hold

    def _post(self, made: CrossTransfer, leg: str, debit: Account, credit: Account) -> list[Aggregate]:
        """The double-entry posting of one leg; its id comes from the transfer and the leg, once ever."""
        keeper = made.payer.antenne or made.payer.partner or ""
        cause = Cause(leg_id(made.id, leg), keeper, 0, f"transfer.{leg}")
        posted = transfer(
            made.quarters, debit=debit, credit=credit, cause=cause, counts_from=made.counts_from
        )
        return [posted, debit, credit]


def _check_asker(transfer_id: UUID, payer: Side, requested_by: str) -> None:
    if requested_by not in (payer.keeper, FEDERATION):
        raise NotTheKeeperError(transfer_id, requested_by, payer.keeper)


def _open(key: str, side: Side) -> Account:
    """An account the ledger has not seen yet: a member's home is where their side says."""
    return Account(key=key, home_antenne=side.antenne)
