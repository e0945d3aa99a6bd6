"""The antenne application: the use cases of a permanence desk, one method each."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError, Application
from eventsourcing.persistence import IntegrityError, JSONTranscoder, Transcoding

from services.antenne.domain import (
    DEFAULT_MAX_QUARTERS,
    AntenneError,
    Exchange,
    ExchangeNotFoundError,
    ExchangeStatus,
    Member,
    MemberNotFoundError,
)

if TYPE_CHECKING:
    from collections.abc import Callable

    from eventsourcing.persistence import Recording
    from eventsourcing.utils import EnvType

    from contracts.antenne.v1 import Category


class ConcurrentChangeError(AntenneError):
    """Someone else changed the same exchange or member at the same moment: nothing was saved."""

    def __init__(self, what: str) -> None:
        super().__init__(f"{what} was changed by another request at the same moment: try again")


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


class DateAsISO(Transcoding):
    """Stores a `date` as its ISO text (the library only knows datetimes)."""

    type = date
    name = "date_iso"

    def encode(self, obj: date) -> str:
        return obj.isoformat()

    def decode(self, data: str) -> date:
        return date.fromisoformat(data)


class Antenne(Application[UUID]):
    """One antenne's timebank: registers members, records and confirms the help they exchange."""

    def __init__(self, env: EnvType | None = None, *, max_quarters: int = DEFAULT_MAX_QUARTERS) -> None:
        super().__init__(env)
        self.max_quarters = max_quarters
        # Called after every save: the relay wakes up instead of waiting for its next poll.
        self.on_saved: list[Callable[[], None]] = []

    def register_transcodings(self, transcoder: JSONTranscoder) -> None:
        super().register_transcodings(transcoder)
        transcoder.register(DateAsISO())

    def register_member(self, display_name: str, registered_on: date | None = None) -> UUID:
        """Register a neighbour; returns their member id."""
        member = Member.register(display_name, registered_on or date.today())
        self.save(member)
        return member.id

    def record_exchange(
        self,
        helper_id: UUID,
        recipient_id: UUID,
        quarters: int,
        category: Category,
        performed_on: date,
    ) -> UUID:
        """Record help one member gave another, pending confirmation; returns the exchange id."""
        self._get_member(helper_id)
        self._get_member(recipient_id)
        exchange = Exchange.record(
            helper_id, recipient_id, quarters, category, performed_on, max_quarters=self.max_quarters
        )
        self.save(exchange)
        return exchange.id

    def confirm_exchange(self, exchange_id: UUID) -> None:
        """Confirm an exchange: the helper earns its quarters, the recipient spends them."""
        exchange = self._get_exchange(exchange_id)
        exchange.confirm()
        helper = self._get_member(exchange.helper_id)
        recipient = self._get_member(exchange.recipient_id)
        helper.credit(exchange.id, exchange.quarters)
        recipient.debit(exchange.id, exchange.quarters)
        try:
            # One save, one transaction: the confirmation and both postings, or nothing.
            self.save(exchange, helper, recipient)
        except IntegrityError:
            raise ConcurrentChangeError(f"exchange {exchange_id}") from None

    def balance(self, member_id: UUID) -> int:
        """A member's time credits at this antenne, in quarter hours."""
        return self._get_member(member_id).balance

    def get_exchange(self, exchange_id: UUID) -> ExchangeDetails:
        """The facts and status of one exchange."""
        exchange = self._get_exchange(exchange_id)
        return ExchangeDetails(
            exchange_id=exchange.id,
            helper_id=exchange.helper_id,
            recipient_id=exchange.recipient_id,
            quarters=exchange.quarters,
            category=exchange.category,
            performed_on=exchange.performed_on,
            status=exchange.status,
        )

    def _get_member(self, member_id: UUID) -> Member:
        try:
            member: Member | Exchange = self.repository.get(member_id)
        except AggregateNotFoundError:
            raise MemberNotFoundError(member_id) from None
        if not isinstance(member, Member):
            raise MemberNotFoundError(member_id)
        return member

    def _get_exchange(self, exchange_id: UUID) -> Exchange:
        try:
            exchange: Member | Exchange = self.repository.get(exchange_id)
        except AggregateNotFoundError:
            raise ExchangeNotFoundError(exchange_id) from None
        if not isinstance(exchange, Exchange):
            raise ExchangeNotFoundError(exchange_id)
        return exchange

    def _notify(self, recordings: list[Recording[UUID]]) -> None:
        for listener in self.on_saved:
            listener()
