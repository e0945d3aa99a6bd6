"""Publishes each partner's anonymised feed to JetStream, a whole week at a time, each message once.

Exactly once, without state of its own: the stream is the record. The last `week_closed` message on a
partner's subjects says which week was published completely; the publisher goes on with the next ready
week. A crash in the middle of a week publishes that week again with the same message ids (derived
from what each message is about), which JetStream drops as duplicates (`Nats-Msg-Id`, a window of a
week on the partner stream).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING

import nats
from nats.errors import Error as NatsError
from nats.js.errors import NotFoundError

from contracts.envelope import FeedEnvelope
from contracts.partner.v1 import WeekClosed
from contracts.subjects import PARTNER_STREAM, partner_subject
from services.messaging.streams import FEED_STREAMS, ensure_streams
from services.persistence import redacted
from services.reporting.partner.feed import GRACE_DAYS, week_messages, weeks_ready

if TYPE_CHECKING:
    from collections.abc import Callable

    from nats.js.client import JetStreamContext

    from services.reporting.partner.pseudonyms import PartnerKey
    from services.reporting.records import Records

log = logging.getLogger(__name__)


@dataclass
class FeedPublisher:
    """Every `interval_seconds`, publishes the weeks that became ready for each partner."""

    nats_url: str
    partners: dict[str, PartnerKey]
    records: Callable[[], dict[str, Records]]
    today: Callable[[], date] = date.today
    grace_days: int = GRACE_DAYS
    interval_seconds: float = 60.0
    # Whether the view is settled (no event applied for a moment): a week is never closed in the middle
    # of a burst of deliveries, such as a relay catching up.
    settled: Callable[[], bool] = lambda: True
    published: int = field(default=0, init=False)
    last_error: str | None = field(default=None, init=False)

    async def run(self, stop: asyncio.Event) -> None:
        """Publish until `stop` is set; NATS being away is retried, never fatal."""
        while not stop.is_set():
            try:
                nc = await nats.connect(
                    self.nats_url, name="partner-feed", connect_timeout=5, error_cb=_quiet
                )
                try:
                    await self._publish_until(stop, nc.jetstream())
                finally:
                    await nc.close()
            except (NatsError, OSError, TimeoutError) as error:
                self.last_error = str(error) or type(error).__name__
                log.warning("partner feed on %s: %s; retrying", redacted(self.nats_url), self.last_error)
                await _wait(stop, min(self.interval_seconds, 5.0))

    async def _publish_until(self, stop: asyncio.Event, js: JetStreamContext) -> None:
        # Creating the stream needs an operator on a secured server; the feed user can only check it.
        with contextlib.suppress(NatsError):
            await ensure_streams(js, FEED_STREAMS)
        while not stop.is_set():
            if self.settled():
                count = await self.publish_ready(js)
                if count:
                    log.info("partner feed: %d messages published", count)
                self.last_error = None
            await _wait(stop, self.interval_seconds)

    async def publish_ready(self, js: JetStreamContext) -> int:
        """Publish every ready week after each partner's last closed one; return the messages published."""
        records = await asyncio.to_thread(self.records)  # a database read: off the event loop
        ready = weeks_ready(records, self.today(), self.grace_days)
        count = 0
        for partner_id, key in sorted(self.partners.items()):
            last = await last_closed_week(js, partner_id)
            for week in (w for w in ready if last is None or w > last):
                for envelope in week_messages(partner_id, key, records, week):
                    subject = partner_subject(partner_id, envelope.type)
                    await js.publish(subject, envelope.to_bytes(), headers={"Nats-Msg-Id": str(envelope.id)})
                    count += 1
        self.published += count
        return count


async def last_closed_week(js: JetStreamContext, partner_id: str) -> str | None:
    """The last week published completely for a partner, as the stream holds it; None before the first."""
    try:
        message = await js.get_last_msg(PARTNER_STREAM, partner_subject(partner_id, WeekClosed.TYPE))
    except NotFoundError:
        return None
    assert message.data is not None
    return FeedEnvelope.from_bytes(message.data).subject


async def _wait(stop: asyncio.Event, seconds: float) -> None:
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), seconds)


async def _quiet(error: Exception) -> None:
    # Connection errors reach `run` as exceptions; nats-py would also log them with a traceback.
    pass
