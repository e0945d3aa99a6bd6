"""The summary view as the chain consumer's sink: each antenne event changes the figures exactly once."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from eventsourcing.persistence import IntegrityError, Tracking

from services.reporting.projection import change_for
from services.reporting.records import updates_for
from services.reporting.views import ViewChange

if TYPE_CHECKING:
    from collections.abc import Sequence

    from contracts.base import Contract
    from contracts.envelope import Envelope
    from services.reporting.views import SummaryView


@dataclass
class SummarySink:
    """Feeds a summary view from `ChainConsumer` (it implements `services.messaging.consumer.EventSink`):
    a run of events in one transaction, each event's report records read as the run's earlier events left
    them (decision 0008)."""

    view: SummaryView

    def last_position(self, antenne_id: str) -> int | None:
        """The last position of this antenne the view includes, or None."""
        return self.view.max_tracking_id(antenne_id)

    def apply(self, envelope: Envelope, payload: Contract) -> bool:
        """Apply the event's change with its position in one transaction; False if it was already there."""
        try:
            self.view.apply_all([_change(envelope, payload)])
        except IntegrityError:
            return False
        return True

    def apply_all(self, events: Sequence[tuple[Envelope, Contract]]) -> list[bool]:
        """Apply a run (each antenne's events in chain order) in one transaction. If the view refuses it
        (a position already there), nothing of it is written and each event is applied on its own, which
        tells the duplicates from the new."""
        try:
            self.view.apply_all([_change(envelope, payload) for envelope, payload in events])
        except IntegrityError:
            if len(events) == 1:
                return [False]
            return [self.apply(envelope, payload) for envelope, payload in events]
        return [True] * len(events)


def _change(envelope: Envelope, payload: Contract) -> ViewChange:
    return ViewChange(
        envelope.antenneid,
        change_for(payload),
        Tracking(application_name=envelope.antenneid, notification_id=envelope.position),
        lambda read: updates_for(payload, read, envelope.time.date()),
    )
