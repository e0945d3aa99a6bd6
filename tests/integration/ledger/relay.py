"""Publishes envelopes straight to the real JetStream, as an antenne's relay does."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import nats

from contracts.subjects import antenne_subject
from services.messaging.streams import ensure_streams

if TYPE_CHECKING:
    from nats.aio.client import Client
    from nats.js.client import JetStreamContext

    from contracts.envelope import Envelope


@dataclass
class Relay:
    """A connection that publishes envelopes with their `Nats-Msg-Id`, acknowledged by the stream."""

    nc: Client
    js: JetStreamContext

    @classmethod
    async def connect(cls, nats_url: str) -> Relay:
        nc = await nats.connect(nats_url)
        js = nc.jetstream()
        await ensure_streams(js)
        return cls(nc, js)

    async def publish(self, *envelopes: Envelope, msg_id_suffix: str = "") -> None:
        """Publish in order; a suffix makes a republish that the stream's dedup window cannot catch."""
        for envelope in envelopes:
            subject = antenne_subject(envelope.antenneid, envelope.type)
            headers = {"Nats-Msg-Id": f"{envelope.id}{msg_id_suffix}"}
            await self.js.publish(subject, envelope.to_bytes(), headers=headers)

    async def close(self) -> None:
        await self.nc.close()
