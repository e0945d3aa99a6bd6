"""The relay's loop without asyncio: the real outbox reader and tracking record, publishing to the simulated
stream. Mirrors services/antenne/relay.py: read from the last position read, chain to the last position
published, record a position only after its acknowledgement, and on a crash resume from the record."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from eventsourcing.persistence import Tracking

from services.antenne.outbox import read_outbox
from services.antenne.relay import TRACKING_NAME

if TYPE_CHECKING:
    import random

    from eventsourcing.persistence import TrackingRecorder

    from services.antenne.application import Antenne
    from services.antenne.outbox import Outgoing
    from simulation.network import Stream


@dataclass
class SimRelay:
    """One antenne's relay; `crash()` loses everything but the recorded position."""

    antenne: Antenne
    antenne_id: str
    tracking: TrackingRecorder = field(init=False)
    position: int | None = field(default=None, init=False)  # last published, as recorded
    read_up_to: int = field(default=0, init=False)

    def __post_init__(self) -> None:
        self.tracking = self.antenne.factory.tracking_recorder()
        self.crash()

    def crash(self) -> None:
        """Forget the in-memory state: start again from the recorded position, as after SIGKILL."""
        self.position = self.tracking.max_tracking_id(TRACKING_NAME)
        self.read_up_to = self.position or 0

    def step(self, stream: Stream, now: float, rng: random.Random, loss: float) -> bool:
        """Publish one batch (some publishes lost, some acks lost); True if it crashed before recording."""
        batch = read_outbox(
            self.antenne, self.antenne_id, self.read_up_to + 1, self.position, rng.randint(1, 8)
        )
        acked: list[Outgoing] = []
        for outgoing in batch.outgoing:
            fate = rng.random()
            if fate < loss:  # lost on the way: no ack, and what follows is not acknowledged in order either
                break
            stream.publish(str(outgoing.envelope.id), outgoing.envelope.to_bytes(), now)
            if fate < 2 * loss:  # stored, but the ack was lost
                break
            acked.append(outgoing)
        if acked and rng.random() < loss:
            self.crash()  # killed between the acknowledgement and recording it: the batch is published again
            return True
        if acked:
            self.tracking.insert_tracking(Tracking(TRACKING_NAME, acked[-1].position))
            self.position = self.read_up_to = acked[-1].position
        if len(acked) == len(batch.outgoing):
            self.read_up_to = batch.read_up_to
        return False

    def backlog(self) -> int:
        return (self.antenne.recorder.max_notification_id() or 0) - self.read_up_to

    def republish(self, stream: Stream, now: float, from_position: int) -> int:
        """`buurtpensioen antenne republish --from`: every public event again, chained from the start."""
        start, previous, published = 1, None, 0
        while True:
            batch = read_outbox(self.antenne, self.antenne_id, start, previous, 500)
            for outgoing in batch.outgoing:
                if outgoing.position >= from_position:
                    stream.publish(str(outgoing.envelope.id), outgoing.envelope.to_bytes(), now)
                    published += 1
            if not batch.full:
                return published
            start, previous = batch.read_up_to + 1, batch.previous_after(previous)
