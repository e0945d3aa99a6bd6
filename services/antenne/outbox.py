"""What the antenne has to publish: its log read from a position, mapped and chained, batch by batch."""

from __future__ import annotations

from typing import TYPE_CHECKING

from eventsourcing.persistence import Tracking

from contracts.subjects import antenne_subject
from services.antenne.outbound import to_envelope
from services.messaging.relay import Batch, Outgoing

if TYPE_CHECKING:
    from collections.abc import Sequence

    from services.antenne.application import Antenne

TRACKING_NAME = "relay"  # the tracking row holding the last position JetStream acknowledged

__all__ = ["TRACKING_NAME", "AntenneOutbox", "Batch", "Outgoing", "read_outbox"]


def read_outbox(antenne: Antenne, antenne_id: str, start: int, previous: int | None, limit: int) -> Batch:
    """Read up to `limit` notifications from `start`; chain the first public one to `previous`."""
    notifications = antenne.recorder.select_notifications(start, limit)
    outgoing = []
    for notification in notifications:
        domain_event = antenne.mapper.to_domain_event(notification)
        envelope = to_envelope(
            domain_event, antenne_id=antenne_id, position=notification.id, previous_position=previous
        )
        if envelope is not None:  # internal events are skipped; the chain goes past them
            outgoing.append(Outgoing(notification.id, antenne_subject(antenne_id, envelope.type), envelope))
            previous = notification.id
    read_up_to = notifications[-1].id if notifications else start - 1
    return Batch(outgoing, read_up_to, full=len(notifications) == limit)


class AntenneOutbox:
    """The antenne's log as one chain; the position is a tracking row in the antenne's own database."""

    def __init__(self, antenne: Antenne, antenne_id: str) -> None:
        self.antenne, self.antenne_id = antenne, antenne_id
        # The same database as the events: the position survives whatever the antenne survives.
        self._tracking = antenne.factory.tracking_recorder()
        self._previous: int | None = None

    def resume(self) -> int | None:
        """The last position JetStream acknowledged, as recorded."""
        self._previous = self._tracking.max_tracking_id(TRACKING_NAME)
        return self._previous

    def read(self, start: int, limit: int) -> Batch:
        """The next section of the log, chained after the last acknowledged event."""
        return read_outbox(self.antenne, self.antenne_id, start, self._previous, limit)

    def record(self, acked: Sequence[Outgoing]) -> None:
        """Record the last acknowledged position."""
        position = acked[-1].position
        self._tracking.insert_tracking(Tracking(TRACKING_NAME, position))
        self._previous = position

    def last_notification_id(self) -> int:
        """The newest notification id in the antenne's log."""
        return self.antenne.recorder.max_notification_id() or 0
