"""The relay of the ledger's decisions to the antennes, and `republish` to refill the stream from the books.

The ledger's store is the record and `BP_LEDGER` a transport (decision 0010): after a lost or damaged
stream, `buurtpensioen ledger republish-feedback --from POSITION` publishes every decision from that
position again, chained and identified as first published, so JetStream or the antennes drop copies.
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING, Any

from services.ledger.feedback import LedgerOutbox
from services.messaging.relay import OutboxRelay, PublishFailedError, close_quietly
from services.messaging.streams import ensure_streams

if TYPE_CHECKING:
    from services.ledger.application import Ledger

log = logging.getLogger(__name__)


class FeedbackRelay(OutboxRelay):
    """Publishes the ledger's decisions to `ledger.<antenne>.>`, from its last recorded position."""

    def __init__(self, ledger: Ledger, nats_url: str, **options: Any) -> None:
        self.ledger = ledger
        super().__init__(LedgerOutbox(ledger), nats_url, name="ledger-feedback", logger=log, **options)

    async def republish(self, from_position: int) -> int:
        """Publish again every decision from `from_position` on; the recorded positions do not move."""
        nc = await self._connect()
        try:
            js = nc.jetstream()
            await ensure_streams(js, self.streams)
            replay = LedgerOutbox(self.ledger, replay=True)  # the chains need the log from its start
            start, published = 1, 0
            while True:
                batch = await asyncio.to_thread(replay.read, start, self.batch_size)
                wanted = [o for o in batch.outgoing if o.position >= from_position]
                acked = await self._publish(js, wanted)
                published += len(acked)
                if len(acked) < len(wanted):
                    raise PublishFailedError(wanted[len(acked)].position, self.status.last_error or "no ack")
                if not batch.full:
                    break
                start = batch.read_up_to + 1
            log.info("republished %d ledger decisions from position %d", published, from_position)
            return published
        finally:
            await close_quietly(nc)
