"""A backlog of antenne events, as relays publish them, for the catch-up and rebuild figures."""

from __future__ import annotations

import asyncio
import random
from datetime import UTC, date, datetime
from uuid import UUID, uuid4

import nats

from contracts.antenne.v1 import Category, ExchangeConfirmed, ExchangeRecorded, MemberRegistered
from contracts.envelope import Envelope, wrap
from contracts.subjects import antenne_subject
from services.messaging.streams import ensure_streams

ANTENNES = ("jette", "laken", "evere")
ON = date(2026, 11, 20)


def backlog(events: int, seed: int = 9) -> list[Envelope]:
    """`events` envelopes of three antennes, 50 registrations each, then exchanges recorded and confirmed."""
    rng = random.Random(seed)
    chains: dict[str, list[Envelope]] = {antenne: [] for antenne in ANTENNES}
    members: dict[str, list[UUID]] = {antenne: [] for antenne in ANTENNES}
    now = datetime.now(UTC)

    def add(antenne: str, payload: MemberRegistered | ExchangeRecorded | ExchangeConfirmed,
            aggregate: UUID, version: int) -> None:  # fmt: skip
        chain = chains[antenne]
        previous = chain[-1].position if chain else None
        chain.append(wrap(payload, antenne_id=antenne, aggregate_id=aggregate, aggregate_version=version,
                          occurred_at=now, position=len(chain) + 1, previous_position=previous))  # fmt: skip

    produced = 0
    while produced < events:
        antenne = ANTENNES[produced % len(ANTENNES)]
        if len(members[antenne]) < 50 or events - produced < 2:
            member = uuid4()
            members[antenne].append(member)
            add(antenne, MemberRegistered(member_id=member, registered_on=ON), member, 1)
            produced += 1
            continue
        helper, recipient = rng.sample(members[antenne], 2)
        exchange = uuid4()
        facts = {"exchange_id": exchange, "helper_id": helper, "recipient_id": recipient,
                 "quarters": rng.randint(1, 16), "category": Category.COMPANY,
                 "performed_on": ON}  # fmt: skip
        add(antenne, ExchangeRecorded.model_validate(facts), exchange, 1)
        add(antenne, ExchangeConfirmed.model_validate(facts), exchange, 2)
        produced += 2
    # Interleave the antennes as a shared stream would hold them.
    return [envelope for group in zip(*chains.values(), strict=False) for envelope in group] + [
        envelope for chain in chains.values() for envelope in chain[min(map(len, chains.values())) :]
    ]


async def publish(nats_url: str, envelopes: list[Envelope]) -> None:
    """Publish with up to 1,000 acknowledgements in flight."""
    nc = await nats.connect(nats_url)
    try:
        js = nc.jetstream()
        await ensure_streams(js)
        for start in range(0, len(envelopes), 1000):
            acks = [
                await js.publish_async(antenne_subject(e.antenneid, e.type), e.to_bytes(),
                                       headers={"Nats-Msg-Id": str(e.id)})
                for e in envelopes[start : start + 1000]
            ]  # fmt: skip
            await asyncio.gather(*acks)
    finally:
        await nc.close()
