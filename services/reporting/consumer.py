"""The summary view as the chain consumer's sink: each antenne event changes the figures exactly once."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from eventsourcing.persistence import IntegrityError, Tracking

from services.messaging.consumer import OneAtATime
from services.reporting.projection import change_for
from services.reporting.records import updates_for

if TYPE_CHECKING:
    from contracts.base import Contract
    from contracts.envelope import Envelope
    from services.reporting.views import SummaryView


@dataclass
class SummarySink(OneAtATime):
    """Feeds a summary view from `ChainConsumer` (it implements `services.messaging.consumer.EventSink`).

    A run of events is applied one transaction per event: each event's report records are read and
    written with its figures (decision 0008), which the batched path of the ledger does not do yet.
    """

    view: SummaryView

    def last_position(self, antenne_id: str) -> int | None:
        """The last position of this antenne the view includes, or None."""
        return self.view.max_tracking_id(antenne_id)

    def apply(self, envelope: Envelope, payload: Contract) -> bool:
        """Apply the event's change with its position in one transaction; False if it was already there."""
        tracking = Tracking(application_name=envelope.antenneid, notification_id=envelope.position)
        try:
            self.view.apply(
                envelope.antenneid,
                change_for(payload),
                tracking,
                lambda read: updates_for(payload, read, envelope.time.date()),
            )
        except IntegrityError:
            return False
        return True
