"""The timebank desk: record, confirm, dispute, reverse; balances and statements."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING
from uuid import UUID

from services.antenne.application.base import AntenneBase, id_for
from services.antenne.domain import (
    AntenneError,
    Confirmation,
    Exchange,
    ExchangeNotFoundError,
    ExchangeStatus,
    GuardRefusedError,
    HelpRequestNotFoundError,
    Member,
    MemberNotFoundError,
    OverdraftError,
    PostingKind,
)
from services.antenne.domain.requests import HelpRequest
from services.antenne.domain.rules import Entry, History, Past, judge

if TYPE_CHECKING:
    from contracts.antenne.v1 import Category


@dataclass(frozen=True)
class ExchangeDetails:
    """What is known of one exchange."""

    exchange_id: UUID
    helper_id: UUID
    recipient_id: UUID
    quarters: int
    category: Category
    performed_on: date
    status: ExchangeStatus
    recorded_on: date | None = None
    request_id: UUID | None = None
    held_by: tuple[str, ...] = ()
    four_eyes: bool = False
    recorded_by: str = ""
    approved_by: str | None = None


class TimebankDesk(AntenneBase):
    """Records help in quarter hours and moves time credits once it is confirmed."""

    def record_exchange(
        self,
        helper_id: UUID,
        recipient_id: UUID,
        quarters: int,
        category: Category,
        performed_on: date,
        *,
        request_id: UUID | None = None,
        recorded_by: str = "",
        idempotency_key: str | None = None,
    ) -> UUID:
        """Record help one member gave another, pending confirmation or held by the guard; returns its id."""
        exchange_id = id_for(idempotency_key, "exchanges") if idempotency_key else None
        if exchange_id is not None and self._exists(exchange_id):
            return exchange_id
        helper, recipient = (self._load(m, Member, MemberNotFoundError) for m in (helper_id, recipient_id))
        helper.check_active()
        recipient.check_active()
        exchange = Exchange.record(
            helper_id, recipient_id, quarters, category, performed_on,
            recorded_on=self.today(),
            max_quarters=self.practice.max_quarters,
            backdating_days=self.practice.backdating_days,
            request_id=request_id,
            exchange_id=exchange_id,
            recorded_by=recorded_by,
        )  # fmt: skip
        self._guard(exchange, helper.balance, recipient.balance + self.transferred(recipient.id))
        closed = self._close_request(request_id, exchange.id)
        self._save_together(f"exchange {exchange.id}", exchange, *closed)
        return exchange.id

    def _guard(self, exchange: Exchange, helper_balance: int, recipient_balance: int) -> None:
        """Refuse, hold, or let pass a new exchange by the antenne's abuse guard rules."""
        guard = self.practice.guard
        if guard is None:
            return
        entry = Entry(
            exchange.helper_id, exchange.recipient_id, exchange.quarters, exchange.performed_on,
            exchange.recorded_on, helper_balance, recipient_balance,
        )  # fmt: skip
        verdict = judge(entry, self._history(), guard)
        if verdict.refused:
            raise GuardRefusedError([f"{r.name}: {r.when}" for r in verdict.refused])
        if verdict.holds:
            exchange.hold(list(verdict.holds), four_eyes=verdict.four_eyes)

    def _history(self) -> History:
        """The exchanges the pattern rules can see: recorded within the guard's window (7 or `window_days`).

        Walked newest first, stopping at the first one recorded before the window: the catalogue lists
        exchanges in the order recorded. What each exchange contributes is remembered (`AntenneBase.
        _guard_memory`, forgotten when the exchange is saved again, e.g. rejected), so a recording loads
        only exchanges it has not seen: loading every exchange made each recording cost O(exchanges),
        93 % of a request's time (`docs/performance.md`).
        """
        guard = self.practice.guard
        since = self.today() - timedelta(days=max(guard.window_days, 7) if guard is not None else 0)
        with self._guard_lock:  # a save in another thread forgets what it changed, not in the middle
            return self._recent_history(since)

    def _recent_history(self, since: date) -> History:
        memory = self._guard_memory
        recent: list[Past] = []
        seen: dict[UUID, tuple[date, Past | None]] = {}
        for exchange_id in reversed(self.catalogue.ids("Exchange")):
            remembered = memory.get(exchange_id) or self._as_past(exchange_id)
            recorded_on, past = remembered
            if recorded_on <= since:
                break
            seen[exchange_id] = remembered
            if past is not None:
                recent.append(past)
        # Only the window is kept: what fell out of it is never looked at again.
        memory.clear()
        memory.update(seen)
        return History(tuple(reversed(recent)))

    def _as_past(self, exchange_id: UUID) -> tuple[date, Past | None]:
        e = self._get_exchange(exchange_id)
        gone = e.status in (ExchangeStatus.REJECTED, ExchangeStatus.REVERSED)
        return e.recorded_on, None if gone else Past(e.helper_id, e.recipient_id, e.quarters, e.recorded_on)

    def approve_exchange(
        self, exchange_id: UUID, reviewer: str, *, idempotency_key: str | None = None
    ) -> None:
        """A coordinator reviewed a held exchange and lets it go on to confirmation."""
        if self.already_recorded(idempotency_key):
            return
        exchange = self._get_exchange(exchange_id)
        exchange.approve(reviewer, self.today())
        self._save_together(f"exchange {exchange_id}", exchange, key=idempotency_key)

    def _close_request(self, request_id: UUID | None, exchange_id: UUID) -> list[HelpRequest]:
        if request_id is None:
            return []
        request = self._load(request_id, HelpRequest, HelpRequestNotFoundError)
        request.close_with(exchange_id, self.today())
        return [request]

    def confirm_exchange(
        self,
        exchange_id: UUID,
        by: Confirmation = Confirmation.COORDINATOR,
        *,
        idempotency_key: str | None = None,
    ) -> None:
        """Confirm an exchange: the helper earns its quarters, the recipient spends them."""
        if self.already_recorded(idempotency_key):
            return
        exchange = self._get_exchange(exchange_id)
        today = self.today()
        exchange.confirm(today, by)
        helper = self._load(exchange.helper_id, Member, MemberNotFoundError)
        recipient = self._load(exchange.recipient_id, Member, MemberNotFoundError)
        self._check_overdraft(recipient, exchange.quarters)
        helper.credit(exchange.id, exchange.quarters, today)
        recipient.debit(exchange.id, exchange.quarters, today)
        self._save_together(f"exchange {exchange_id}", exchange, helper, recipient, key=idempotency_key)

    def _check_overdraft(self, recipient: Member, quarters: int) -> None:
        # Checked again at confirmation: the balance may have moved since the help was recorded.
        guard = self.practice.guard
        if guard is None:
            return
        balance = recipient.balance + self.transferred(recipient.id)
        if balance - quarters < guard.min_balance:
            raise OverdraftError(recipient.id, balance, quarters, guard.min_balance)

    def dispute_exchange(
        self, exchange_id: UUID, note: str = "", *, idempotency_key: str | None = None
    ) -> None:
        """The recipient or a coordinator disputes pending help: it is not accepted automatically."""
        if self.already_recorded(idempotency_key):
            return
        exchange = self._get_exchange(exchange_id)
        exchange.dispute(self.today(), note)
        self._save_together(f"exchange {exchange_id}", exchange, key=idempotency_key)

    def reject_exchange(self, exchange_id: UUID, *, idempotency_key: str | None = None) -> None:
        """A coordinator decides recorded help does not count."""
        if self.already_recorded(idempotency_key):
            return
        exchange = self._get_exchange(exchange_id)
        exchange.reject(self.today())
        self._save_together(f"exchange {exchange_id}", exchange, key=idempotency_key)

    def reverse_exchange(
        self, exchange_id: UUID, note: str = "", *, idempotency_key: str | None = None
    ) -> None:
        """Correct a confirmed exchange by an opposite entry: credits go back, the history stays."""
        if self.already_recorded(idempotency_key):
            return
        exchange = self._get_exchange(exchange_id)
        today = self.today()
        exchange.reverse(today, note)
        helper = self._load(exchange.helper_id, Member, MemberNotFoundError)
        recipient = self._load(exchange.recipient_id, Member, MemberNotFoundError)
        helper.debit(exchange.id, exchange.quarters, today, PostingKind.REVERSAL)
        recipient.credit(exchange.id, exchange.quarters, today, PostingKind.REVERSAL)
        self._save_together(f"exchange {exchange_id}", exchange, helper, recipient, key=idempotency_key)

    def accept_overdue_exchanges(self) -> list[UUID]:
        """Confirm every pending, undisputed exchange older than the antenne's waiting time."""
        today, days = self.today(), self.practice.auto_accept_days
        accepted = []
        for exchange in (e for e in self.exchanges() if e.is_overdue(today, days)):
            try:
                self.confirm_exchange(exchange.id, Confirmation.AUTOMATIC)
            except AntenneError:
                continue  # refused now (an overdraft, a change at the same moment): a coordinator decides
            accepted.append(exchange.id)
        return accepted

    def exchanges(
        self, member_id: UUID | None = None, status: ExchangeStatus | None = None
    ) -> list[Exchange]:
        """Exchanges in the order recorded, of one member and in one status if given."""
        found = [self._get_exchange(i) for i in self.catalogue.ids("Exchange")]
        return [
            e
            for e in found
            if (member_id is None or member_id in (e.helper_id, e.recipient_id))
            and (status is None or e.status is status)
        ]

    def get_exchange(self, exchange_id: UUID) -> ExchangeDetails:
        """The facts and status of one exchange."""
        return details_of(self._get_exchange(exchange_id))

    def _get_exchange(self, exchange_id: UUID) -> Exchange:
        return self._load(exchange_id, Exchange, ExchangeNotFoundError)


def details_of(exchange: Exchange) -> ExchangeDetails:
    """The plain facts of an exchange aggregate."""
    return ExchangeDetails(
        exchange_id=exchange.id,
        helper_id=exchange.helper_id,
        recipient_id=exchange.recipient_id,
        quarters=exchange.quarters,
        category=exchange.category,
        performed_on=exchange.performed_on,
        status=exchange.status,
        recorded_on=exchange.recorded_on,
        request_id=exchange.request_id,
        held_by=tuple(exchange.held_by),
        four_eyes=exchange.four_eyes,
        recorded_by=exchange.recorded_by,
        approved_by=exchange.approved_by,
    )
