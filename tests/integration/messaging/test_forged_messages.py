"""Hostile messages against a real nats-server: each is parked with its reason and the consumer goes on."""

from __future__ import annotations

import asyncio
import json
from uuid import uuid4

import nats
import pytest
from nats.js.errors import BadRequestError

from contracts.subjects import DEADLETTER_STREAM, antenne_subject
from services.messaging.consumer import REASON_HEADER
from services.messaging.nats_server import NatsServer
from services.messaging.screening import MAX_MESSAGE_BYTES
from services.messaging.streams import MAX_MESSAGE_BYTES as STREAM_MAX_MESSAGE_BYTES
from services.messaging.streams import ensure_streams
from tests.integration.messaging.test_chain_consumer import (
    Publish,
    RecordingSink,
    _envelope,
    _until,
    _with_consumer,
)

pytestmark = pytest.mark.integration


def test_forged_oversized_malformed_and_replayed_messages_are_parked_and_nothing_else_stops(
    nats_server: NatsServer,
) -> None:
    sink = RecordingSink()
    first, second, third = _envelope("jette", 1, None), _envelope("jette", 2, 1), _envelope("jette", 3, 2)
    reasons: dict[bytes, str] = {}

    async def scenario(publish: Publish) -> None:
        nc = await nats.connect(nats_server.url)
        js = nc.jetstream()

        async def raw(subject: str, data: bytes) -> None:
            await js.publish(subject, data, headers={"Nats-Msg-Id": str(uuid4())})

        await publish(first)
        # Laken's event on Jette's subject: the antenne id does not match the subject.
        laken = _envelope("laken", 1, None)
        await raw(antenne_subject("jette", laken.type), laken.to_bytes())
        # A well-formed envelope whose payload breaks its contract.
        bad_schema = json.loads(second.to_bytes())
        bad_schema["data"] = {"member_id": "not-a-uuid"}
        await raw(antenne_subject("jette", second.type), json.dumps(bad_schema).encode())
        # An event id that is not its antenne's, aggregate's and version's (made up by the sender).
        made_up = json.loads(second.to_bytes())
        made_up["id"] = str(uuid4())
        await raw(antenne_subject("jette", second.type), json.dumps(made_up).encode())
        # Far too large to be an event; larger still, the stream itself refuses it.
        await raw(antenne_subject("jette", second.type), b" " * (MAX_MESSAGE_BYTES + 1))
        with pytest.raises(BadRequestError, match="message size exceeds maximum"):
            await raw(antenne_subject("jette", second.type), b" " * (STREAM_MAX_MESSAGE_BYTES + 1))
        await publish(second)
        # The first event again, re-sent as if it came after the second: a replayed id.
        replay = first.model_copy(update={"position": 3, "previousposition": 2})
        await raw(antenne_subject("jette", replay.type), replay.to_bytes())
        await publish(third)

        await _until(lambda: len(sink.applied) == 3)
        for number in range(1, 6):
            parked = await js.get_msg(DEADLETTER_STREAM, number)
            reasons[(parked.data or b"")[:40]] = (parked.headers or {}).get(REASON_HEADER, "")
        await nc.close()

    consumer = asyncio.run(_with_consumer(nats_server, sink, scenario))

    assert sink.applied == [("jette", 1), ("jette", 2), ("jette", 3)]
    assert consumer.status.parked == 5
    words = sorted(reason.split(":")[0] for reason in reasons.values())
    assert words == ["forged", "forged", "oversized", "replayed", "undecodable"]
    assert any("arrived on 'bp.jette." in reason for reason in reasons.values())


def test_a_replay_fetched_in_the_same_batch_as_its_original_is_parked(nats_server: NatsServer) -> None:
    sink = RecordingSink()
    first, third = _envelope("jette", 1, None), _envelope("jette", 2, 1)
    replay = first.model_copy(update={"position": 2, "previousposition": 1})

    async def stored_before_the_consumer_starts() -> None:
        nc = await nats.connect(nats_server.url)
        js = nc.jetstream()
        await ensure_streams(js)
        for envelope in (first, replay, third):  # one fetch takes all three
            subject = antenne_subject(envelope.antenneid, envelope.type)
            await js.publish(subject, envelope.to_bytes(), headers={"Nats-Msg-Id": str(uuid4())})
        await nc.close()

    async def scenario(publish: Publish) -> None:
        await _until(lambda: len(sink.applied) == 2)

    asyncio.run(stored_before_the_consumer_starts())
    consumer = asyncio.run(_with_consumer(nats_server, sink, scenario))

    assert sink.applied == [("jette", 1), ("jette", 2)]
    assert consumer.status.parked == 1
