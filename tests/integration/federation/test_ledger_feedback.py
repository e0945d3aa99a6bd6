"""Feedback from the centre, with the generated permissions: the ledger's decisions reach the antenne
they concern, once; the antenne shows the last known balance with NATS down; another antenne's
decisions are refused to it by the server."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from uuid import uuid4

import nats
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from nats.js.api import AckPolicy, ConsumerConfig

from contracts.subjects import LEDGER_STREAM, ledger_subjects_of
from services.antenne.main import create_app as create_antenne
from services.antenne.settings import Settings as AntenneSettings
from services.credentials.permissions import (
    ADMIN_USER,
    antenne_feedback_durable,
    antenne_inbox_prefix,
    antenne_user,
)
from services.ledger.main import create_app as create_ledger
from services.ledger.settings import Settings as LedgerSettings
from services.messaging.consumer import ChainConsumer
from tests.integration.antenne.jetstream import wait_until
from tests.integration.federation.conftest import SecuredNats
from tests.integration.federation.test_permissions import Refusals, _connect
from tests.support.dates import RECENT_ISO

pytestmark = pytest.mark.integration

TOKEN = "test-token-" + uuid4().hex
AUTH = {"Authorization": f"Bearer {TOKEN}"}


@contextmanager
def _ledger(secured: SecuredNats, folder: Path) -> Iterator[TestClient]:
    settings = LedgerSettings(
        token=TOKEN,
        database_url=f"sqlite:///{folder / 'ledger.db'}",
        nats_url=secured.url("ledger"),
        signing_key_file=folder / "signing.pem",
    )
    with TestClient(create_ledger(settings)) as client:
        yield client


@contextmanager
def _antenne(secured: SecuredNats, folder: Path, antenne_id: str) -> Iterator[TestClient]:
    settings = AntenneSettings(
        antenne_id=antenne_id,
        token=TOKEN,
        database_url=f"sqlite:///{folder / f'{antenne_id}.db'}",
        nats_url=secured.url(antenne_user(antenne_id)),
    )
    with TestClient(create_antenne(settings)) as client:
        yield client


def _register(client: TestClient) -> str:
    response = client.post("/api/v1/members", json={"display_name": "Anna"}, headers=AUTH)
    assert response.status_code == 201, response.text
    member_id: str = response.json()["member_id"]
    return member_id


def _help(client: TestClient, helper: str, recipient: str, quarters: int) -> None:
    body = {"helper_id": helper, "recipient_id": recipient, "quarters": quarters, "category": "digital",
            "performed_on": RECENT_ISO}  # fmt: skip
    recorded = client.post("/api/v1/exchanges", json=body, headers=AUTH)
    assert recorded.status_code == 201, recorded.text
    confirmed = client.post(f"/api/v1/exchanges/{recorded.json()['exchange_id']}/confirm", headers=AUTH)
    assert confirmed.status_code == 200, confirmed.text


def _portable(client: TestClient, member_id: str) -> dict[str, object]:
    answer: dict[str, object] = client.get(
        f"/api/v1/members/{member_id}/portable-balance", headers=AUTH
    ).json()
    return answer


def _consumer(client: TestClient) -> ChainConsumer:
    assert isinstance(client.app, FastAPI)
    consumer: ChainConsumer = client.app.state.ledger_consumer
    return consumer


async def _republish_every_decision(secured: SecuredNats) -> int:
    """Copies of every message on the ledger stream, with ids the dedup window cannot catch."""
    nc = await nats.connect(secured.url(ADMIN_USER))
    try:
        js = nc.jetstream()
        subscription = await js.pull_subscribe("ledger.>", stream=LEDGER_STREAM)
        messages = await subscription.fetch(1000, timeout=2)
        for message in messages:
            headers = {"Nats-Msg-Id": f"{(message.headers or {}).get('Nats-Msg-Id')}:copy"}
            await js.publish(message.subject, message.data, headers=headers)
        return len(messages)
    finally:
        await nc.close()


def test_balances_reach_the_antenne_once_and_stay_readable_with_nats_down(
    secured_nats: SecuredNats, tmp_path: Path
) -> None:
    with _antenne(secured_nats, tmp_path, "jette") as jette:
        with _ledger(secured_nats, tmp_path) as ledger:
            anna, bert = _register(jette), _register(jette)
            _help(jette, bert, anna, 6)
            confirmed_at = time.monotonic()
            _help(jette, anna, bert, 2)

            # The ledger books both exchanges and tells Jette each member's balance.
            wait_until(lambda: _portable(jette, anna).get("quarters") == -4, 20, "Anna's balance arrives")
            print(f"\nconfirmed -> portable balance back: {time.monotonic() - confirmed_at:.2f} s")
            wait_until(lambda: _portable(jette, bert).get("quarters") == 4, 20, "Bert's balance arrives")
            published = ledger.get("/healthz").json()["feedback"]

        # The ledger restarts: its relay resumes after what JetStream acknowledged, publishes nothing again.
        with _ledger(secured_nats, tmp_path) as restarted:

            def caught_up() -> bool:
                relay = restarted.get("/healthz").json()["feedback"]
                return bool(relay["connected"]) and relay["backlog"] == 0

            wait_until(caught_up, 20, "relay back and through the log")
            resumed = restarted.get("/healthz").json()["feedback"]
        assert resumed["position"] == published["position"] is not None
        assert (resumed["backlog"], resumed["last_publish_at"]) == (0, None)

        consumer = _consumer(jette)
        applied = consumer.status.applied
        position = jette.get("/healthz").json()["ledger"]["position"]

        # Every decision again, as a republish long after the dedup window: nothing counts twice.
        copies = asyncio.run(_republish_every_decision(secured_nats))
        wait_until(lambda: consumer.status.duplicates >= copies, 20, "copies recognised")
        assert copies == 4  # two movements per exchange, each to the member's home, Jette
        assert consumer.status.applied == applied
        assert jette.get("/healthz").json()["ledger"]["position"] == position

        # NATS goes away: the antenne still answers with the copy, saying how old it is.
        secured_nats.server.stop()
        wait_until(lambda: not jette.get("/healthz").json()["ledger_consumer"]["connected"], 20, "offline")
        offline = _portable(jette, anna)
        health = jette.get("/healthz").json()

    assert (offline["known"], offline["quarters"]) == (True, -4)
    assert str(offline["label"]).startswith("last known as of ")
    assert isinstance(offline["age_seconds"], int)
    assert (health["ledger"]["accounts"], health["ledger"]["position"]) == (2, position)

    # Restarted with NATS still down and the ledger gone: the same answer from the antenne's own store.
    with _antenne(secured_nats, tmp_path, "jette") as restarted:
        again = _portable(restarted, anna)
    assert (again["quarters"], again["ledger_position"]) == (-4, offline["ledger_position"])


def test_an_antenne_may_read_only_its_own_ledger_subjects(secured_nats: SecuredNats) -> None:
    async def scenario() -> None:
        refusals = Refusals()
        jette = await _connect(
            secured_nats.url(antenne_user("jette")), refusals, inbox_prefix=antenne_inbox_prefix("jette")
        )
        js = jette.jetstream()
        # Its own consumer, on its own subjects: allowed.
        durable = antenne_feedback_durable("jette")
        own = ConsumerConfig(durable_name=durable, ack_policy=AckPolicy.EXPLICIT)
        await js.pull_subscribe(
            ledger_subjects_of("jette"), durable=durable, stream=LEDGER_STREAM, config=own
        )
        # Laken's subjects, under its own consumer name or Laken's: the server refuses both.
        for name in (durable, antenne_feedback_durable("laken"), "anything"):
            forbidden = ConsumerConfig(
                name=name, durable_name=name, filter_subject=ledger_subjects_of("laken")
            )
            with pytest.raises(nats.errors.TimeoutError):
                await js.add_consumer(LEDGER_STREAM, forbidden, timeout=1)
            create = f"$js.api.consumer.create.{LEDGER_STREAM.lower()}.{name}"
            await refusals.wait_for(f'permissions violation for publish to "{create}')
        # Nor may it subscribe to the subjects themselves.
        await jette.subscribe("ledger.laken.>")
        await refusals.wait_for('permissions violation for subscription to "ledger.laken.>"')
        await jette.close()

    asyncio.run(scenario())
