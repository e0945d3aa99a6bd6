"""The antenne's outbox relay: its public events to JetStream, in log order (decision 0003).

The loop is `services.messaging.relay.OutboxRelay`; what the antenne adds is its outbox (one chain,
its position in its own database), its NATS inbox prefix, and `republish` from any position.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from services.antenne.outbox import TRACKING_NAME, AntenneOutbox, read_outbox
from services.credentials.permissions import antenne_inbox_prefix
from services.messaging.relay import (
    NatsUnreachableError,
    OutboxRelay,
    PublishFailedError,
    RelayStatus,
)

if TYPE_CHECKING:
    from services.antenne.application import Antenne
    from services.messaging.relay import Batch

__all__ = ["TRACKING_NAME", "NatsUnreachableError", "PublishFailedError", "Relay", "RelayStatus"]

log = logging.getLogger(__name__)


class Relay(OutboxRelay):
    """Publishes one antenne's events to JetStream, in log order, from its last recorded position."""

    def __init__(self, antenne: Antenne, antenne_id: str, nats_url: str, **options: Any) -> None:
        self.antenne, self.antenne_id = antenne, antenne_id
        super().__init__(
            AntenneOutbox(antenne, antenne_id),
            nats_url,
            name=f"relay-{antenne_id}",
            inbox_prefix=antenne_inbox_prefix(antenne_id),  # the only inbox it may read
            logger=log,
            **options,
        )

    async def republish(self, from_position: int) -> int:
        """Publish again every event from `from_position` on, chained as first published.

        The relay's recorded position does not move. Returns the number of events published.
        """
        previous: int | None = None

        def read(start: int) -> Batch:
            nonlocal previous
            batch = read_outbox(self.antenne, self.antenne_id, start, previous, self.batch_size)
            previous = batch.previous_after(previous)
            return batch

        return await self.republish_log(read, from_position)
