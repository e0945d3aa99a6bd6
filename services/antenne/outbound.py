"""Pure mapping: a stored domain event of the antenne -> the integration event it publishes, or None.

Only ids, amounts, categories and dates leave the antenne: a member's name stays here (invariant 8).
Member.Credited and Member.Debited are internal: the ledger books the same movement from
ExchangeConfirmed, so publishing them would count it twice.
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from uuid import UUID

from eventsourcing.domain import DomainEvent

from contracts.antenne.v1 import ExchangeConfirmed, ExchangeRecorded, MemberRegistered
from contracts.envelope import Envelope, event_id, wrap
from services.antenne.domain import Exchange, Member

if TYPE_CHECKING:
    from eventsourcing.domain import DomainEventProtocol

    from contracts.base import Contract


def contract_of(domain_event: DomainEvent) -> Contract | None:
    """The public payload of a domain event, or None for an internal one."""
    if isinstance(domain_event, Member.Registered):
        return MemberRegistered(
            member_id=domain_event.originator_id, registered_on=domain_event.registered_on
        )
    if isinstance(domain_event, Exchange.Recorded | Exchange.Confirmed):
        contract = ExchangeRecorded if isinstance(domain_event, Exchange.Recorded) else ExchangeConfirmed
        return contract(
            exchange_id=domain_event.originator_id,
            helper_id=domain_event.helper_id,
            recipient_id=domain_event.recipient_id,
            quarters=domain_event.quarters,
            category=domain_event.category,
            performed_on=domain_event.performed_on,
        )
    return None


def to_envelope(
    domain_event: DomainEventProtocol[UUID],
    *,
    antenne_id: str,
    position: int,
    previous_position: int | None,
) -> Envelope | None:
    """The envelope to publish for a stored event at `position`, chained to `previous_position`."""
    if not isinstance(domain_event, DomainEvent):
        return None
    payload = contract_of(domain_event)
    if payload is None:
        return None
    aggregate_id = domain_event.originator_id
    version = domain_event.originator_version
    return wrap(
        payload,
        antenne_id=antenne_id,
        aggregate_id=aggregate_id,
        aggregate_version=version,
        occurred_at=domain_event.timestamp,
        position=position,
        previous_position=previous_position,
        # Everything that happens to one aggregate shares the id of its first event.
        correlation_id=event_id(antenne_id, aggregate_id, 1),
        causation_id=event_id(antenne_id, aggregate_id, version - 1) if version > 1 else None,
    )
