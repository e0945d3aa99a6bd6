"""The summary view as the chain consumer's sink: each antenne event changes the figures exactly once."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from eventsourcing.persistence import IntegrityError

from services.messaging.tracking import positions_of
from services.reporting.projection import NO_CHANGE, change_for

if TYPE_CHECKING:
    from collections.abc import Sequence

    from contracts.base import Contract
    from contracts.envelope import Envelope
    from services.reporting.projection import Figures
    from services.reporting.views import SummaryView


@dataclass
class SummarySink:
    """Feeds a summary view from `ChainConsumer` (it implements `services.messaging.consumer.EventSink`)."""

    view: SummaryView

    def last_position(self, antenne_id: str) -> int | None:
        """The last position of this antenne the view includes, or None."""
        return self.view.max_tracking_id(antenne_id)

    def apply(self, envelope: Envelope, payload: Contract) -> bool:
        """Apply the event's change with its position in one transaction; False if it was already there."""
        return self.apply_all([(envelope, payload)])[0]

    def apply_all(self, events: Sequence[tuple[Envelope, Contract]]) -> list[bool]:
        """Apply a run of events (each antenne's in chain order) in one transaction with their positions.

        If a position was recorded before, nothing of the run is written and each event is applied on
        its own: per event, whether it was new.
        """
        changes: dict[str, Figures] = {}
        for envelope, payload in events:
            changes[envelope.antenneid] = changes.get(envelope.antenneid, NO_CHANGE) + change_for(payload)
        try:
            self.view.apply_all(changes, positions_of((e.antenneid, e.position) for e, _ in events))
        except IntegrityError:
            if len(events) == 1:
                return [False]
            return [self.apply(envelope, payload) for envelope, payload in events]
        return [True] * len(events)
