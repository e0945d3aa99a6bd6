"""The relay of the ledger's decisions to the antennes, and `republish` to refill the stream from the books.

The ledger's store is the record and `BP_LEDGER` a transport (decision 0010): after a lost or damaged
stream, `buurtpensioen ledger republish-feedback --from POSITION` publishes every decision from that
position again, chained and identified as first published, so JetStream or the antennes drop copies.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from services.ledger.feedback import LedgerOutbox
from services.messaging.relay import OutboxRelay

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
        replay = LedgerOutbox(self.ledger, replay=True)  # the chains need the log from its start
        return await self.republish_log(lambda start: replay.read(start, self.batch_size), from_position)
