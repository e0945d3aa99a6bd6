"""Two antennes on different versions of a contract feed one consumer; a future version is parked."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from datetime import UTC, date, datetime
from uuid import uuid4

import nats
import pytest
from nats.js.api import RawStreamMsg

from contracts.antenne.v1 import MemberRegistered
from contracts.base import Contract
from contracts.envelope import Envelope, wrap
from contracts.subjects import DEADLETTER_STREAM, antenne_subject, deadletter_subject
from services.messaging.consumer import REASON_HEADER, ChainConsumer, OneAtATime
from services.messaging.nats_server import NatsServer
from services.messaging.streams import ensure_streams
from tests.support.evolution import MemberRegisteredV2, install_member_registered_v2

pytestmark = pytest.mark.integration


class PayloadSink(OneAtATime):
    """Keeps each applied payload with its antenne and position, as a view would."""

    def __init__(self) -> None:
        self.applied: dict[tuple[str, int], Contract] = {}
        self._lock = threading.Lock()

    def last_position(self, antenne_id: str) -> int | None:
        return max((p for a, p in self.applied if a == antenne_id), default=None)

    def apply(self, envelope: Envelope, payload: Contract) -> bool:
        with self._lock:
            return self.applied.setdefault((envelope.antenneid, envelope.position), payload) is payload


def _registered(antenne_id: str, position: int, version: int, **extra: str) -> Envelope:
    payload = MemberRegistered(member_id=uuid4(), registered_on=date(2026, 11, 23))
    envelope = wrap(
        payload,
        antenne_id=antenne_id,
        aggregate_id=payload.member_id,
        aggregate_version=1,
        occurred_at=datetime.now(UTC),
        position=position,
        previous_position=position - 1 if position > 1 else None,
    )
    return envelope.model_copy(update={"schemaversion": version, "data": {**envelope.data, **extra}})


async def _until(condition: Callable[[], bool], timeout: float = 15.0) -> None:
    async with asyncio.timeout(timeout):
        while not condition():
            await asyncio.sleep(0.02)


def test_an_old_version_is_upcast_and_applied_and_an_unknown_one_parked_while_the_consumer_goes_on(
    nats_server: NatsServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    install_member_registered_v2(monkeypatch)  # this reader knows versions 1 and 2
    sink = PayloadSink()
    laken_old = [_registered("laken", 1, 1), _registered("laken", 2, 1)]  # not upgraded yet
    jette_new = _registered("jette", 1, 2, channel="online")
    jette_future = _registered("jette", 2, 3, channel="online", mood="sunny")  # newer than this reader
    parked: list[RawStreamMsg] = []

    async def scenario() -> ChainConsumer:
        nc = await nats.connect(nats_server.url)
        js = nc.jetstream()
        await ensure_streams(js)
        consumer = ChainConsumer(nats_server.url, durable="ledger", sink=sink, gap_retry_seconds=0.1)
        stop = asyncio.Event()
        task = asyncio.create_task(consumer.run(stop))
        try:
            for envelope in (laken_old[0], jette_new, jette_future, laken_old[1]):
                subject = antenne_subject(envelope.antenneid, envelope.type)
                await js.publish(subject, envelope.to_bytes(), headers={"Nats-Msg-Id": str(envelope.id)})
            await _until(lambda: len(sink.applied) == 3 and consumer.status.parked == 1)
            parked.append(await js.get_last_msg(DEADLETTER_STREAM, deadletter_subject("ledger")))
        finally:
            stop.set()
            await asyncio.wait_for(task, 10)
            await nc.close()
        return consumer

    consumer = asyncio.run(scenario())

    # Both of laken's version 1 events were upcast and applied, in order, after the parked one.
    assert [sink.applied[("laken", p)] for p in (1, 2)] == [
        MemberRegisteredV2.model_validate({**e.data, "channel": "permanence"}) for e in laken_old
    ]
    assert sink.applied[("jette", 1)] == MemberRegisteredV2.model_validate(jette_new.data)
    # The future version is kept, as it arrived, with the reason; jette's chain waits for an upgrade.
    assert ("jette", 2) not in sink.applied
    headers = parked[0].headers or {}
    assert headers[REASON_HEADER] == "undecodable: no contract for type 'member.registered' version 3"
    assert headers["Bp-Original-Subject"] == "bp.jette.member.registered"
    assert Envelope.from_bytes(parked[0].data or b"") == jette_future
    assert consumer.status.applied == 3
