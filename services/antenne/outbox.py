"""What the antenne has to publish: its log read from a position, mapped and chained, batch by batch."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from contracts.subjects import antenne_subject
from services.antenne.outbound import to_envelope

if TYPE_CHECKING:
    from contracts.envelope import Envelope
    from services.antenne.application import Antenne


@dataclass(frozen=True)
class Outgoing:
    """One envelope ready to publish, at its position in the antenne's log."""

    position: int
    subject: str
    envelope: Envelope


@dataclass(frozen=True)
class Batch:
    """The envelopes found in one section of the log, and how far that section went."""

    outgoing: list[Outgoing]
    read_up_to: int
    full: bool  # the section was full: more notifications may follow right away

    def previous_after(self, previous: int | None) -> int | None:
        """The published position the next batch chains to."""
        return self.outgoing[-1].position if self.outgoing else previous


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
