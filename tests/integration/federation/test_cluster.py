"""A three-node JetStream cluster on loopback, configured from deploy/nats/node.conf.template, with the
federation's accounts and R3 streams: killing the stream's leader while an antenne publishes loses nothing."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from string import Template

import nats
import pytest
from nats.aio.client import Client
from nats.errors import Error as NatsError
from nats.js.client import JetStreamContext

from contracts.antenne.v1 import Category
from contracts.subjects import ANTENNE_STREAM
from services.antenne.application import Antenne
from services.antenne.relay import Relay
from services.credentials.generate import Credentials, Installation, generate
from services.credentials.permissions import ADMIN_USER, antenne_inbox_prefix, antenne_user
from services.messaging.nats_server import NatsServer
from services.messaging.streams import ensure_streams, stream_configs
from services.persistence import eventsourcing_env
from services.ports import free_port
from tests.integration.antenne.jetstream import (
    Published,
    assert_complete_chain,
    expected_positions,
    read_stream,
)
from tests.support.dates import RECENT

pytestmark = pytest.mark.integration

NODE_TEMPLATE = Path(__file__).parents[3] / "deploy" / "nats" / "node.conf.template"
MESSAGES = 600
KILL_AFTER = 200


@dataclass
class Cluster:
    nodes: dict[str, NatsServer]
    credentials: Credentials

    def urls(self, user: str) -> list[str]:
        password = self.credentials.passwords[user]
        return [f"nats://{user}:{password}@127.0.0.1:{node.port}" for node in self.nodes.values()]


@pytest.fixture
def cluster(tmp_path: Path) -> Iterator[Cluster]:
    credentials = generate(tmp_path / "credentials", Installation(("jette",)))
    folder = tmp_path / "credentials" / "nats"
    names = ("nats-1", "nats-2", "nats-3")
    route_ports = {name: free_port() for name in names}
    nodes = {}
    for name in names:
        peers = ", ".join(f"nats-route://127.0.0.1:{route_ports[n]}" for n in names if n != name)
        config = folder / f"{name}.conf"
        config.write_text(
            Template(NODE_TEMPLATE.read_text()).substitute(NODE=name, PEERS=peers, STORE_DIR=tmp_path / name)
        )
        nodes[name] = NatsServer(
            port=free_port(),
            store_dir=tmp_path / name,
            name=name,
            config_file=config,
            log_file=tmp_path / f"{name}.log",
            # The template's ports are production's: on one machine each node needs its own.
            extra_args=[
                "--cluster",
                f"nats://127.0.0.1:{route_ports[name]}",
                "--http_port",
                str(free_port()),
            ],
        )
    try:
        for node in nodes.values():
            node.start()
        yield Cluster(nodes, credentials)
    finally:
        for node in nodes.values():
            node.stop()


async def _create_r3_streams(cluster: Cluster) -> None:
    """The cluster elects its JetStream leader in a few seconds: retry until the R3 streams exist."""
    deadline = time.monotonic() + 60
    while True:
        try:
            nc = await nats.connect(cluster.urls(ADMIN_USER))
            try:
                await ensure_streams(nc.jetstream(), stream_configs(replicas=3))
                return
            finally:
                await nc.close()
        except (NatsError, TimeoutError):
            assert time.monotonic() < deadline, "no JetStream leader in time"
            await asyncio.sleep(0.5)


async def _publish_until_acked(nc: Client, n: int) -> None:
    """Publish message n, again and again with the same id until acknowledged (as the relay does)."""
    js = nc.jetstream()
    deadline = time.monotonic() + 60
    while True:
        try:
            await js.publish(f"bp.jette.test.{n}", str(n).encode(), headers={"Nats-Msg-Id": f"jette:{n}"})
            return
        except (NatsError, TimeoutError):
            assert time.monotonic() < deadline, f"message {n} never acknowledged"
            await asyncio.sleep(0.1)


def test_killing_the_stream_leader_while_an_antenne_publishes_loses_nothing(cluster: Cluster) -> None:
    async def scenario() -> tuple[str, str, int, list[int]]:
        await _create_r3_streams(cluster)
        jette = await nats.connect(
            cluster.urls(antenne_user("jette")),
            inbox_prefix=antenne_inbox_prefix("jette"),
            max_reconnect_attempts=-1,
            reconnect_time_wait=0.2,
        )
        admin = await nats.connect(
            cluster.urls(ADMIN_USER), max_reconnect_attempts=-1, reconnect_time_wait=0.2
        )
        leader = ""
        for n in range(MESSAGES):
            if n == KILL_AFTER:
                leader = await _leader(admin)
                cluster.nodes[leader].kill()  # kill -9, mid-stream
                killed_at = time.monotonic()
            await _publish_until_acked(jette, n)
            if n == KILL_AFTER:
                print(f"\nleader {leader} killed: publishing resumed in {time.monotonic() - killed_at:.2f} s")
        new_leader = await _leader(admin)
        info = await admin.jetstream().stream_info(ANTENNE_STREAM)
        subscription = await _pull_subscribe(admin)
        received: list[int] = []
        while len(received) < MESSAGES:
            received += [int(m.data) for m in await subscription.fetch(500, timeout=5)]
        await jette.close()
        await admin.close()
        return leader, new_leader, info.state.messages, received

    leader, new_leader, stored, received = asyncio.run(scenario())

    assert leader
    assert new_leader not in ("", leader)
    assert stored == MESSAGES
    assert received == list(range(MESSAGES))  # every message once, in order


def _record_help(antenne: Antenne, count: int) -> None:
    anna, bert = antenne.register_member("Anna"), antenne.register_member("Bert")
    for _ in range(count):
        antenne.record_exchange(bert, anna, 1, Category.DIGITAL, RECENT)


def test_the_relay_goes_on_through_a_leader_failover_and_every_event_arrives_once_in_order(
    cluster: Cluster, tmp_path: Path
) -> None:
    antenne = Antenne(env=eventsourcing_env(f"sqlite:///{tmp_path / 'jette.db'}"))
    admin_urls = cluster.urls(ADMIN_USER)

    async def scenario() -> tuple[str, float]:
        await _create_r3_streams(cluster)
        admin = await nats.connect(admin_urls, max_reconnect_attempts=-1, reconnect_time_wait=0.2)
        leader = await _leader(admin)
        # The relay has one URL (production: a DNS name of all three); here, a node that will survive.
        survivor = next(node for name, node in cluster.nodes.items() if name != leader)
        url = cluster.urls(antenne_user("jette"))[list(cluster.nodes.values()).index(survivor)]
        relay = Relay(antenne, "jette", url)
        stop = asyncio.Event()
        relaying = asyncio.create_task(relay.run(stop))
        try:
            await asyncio.to_thread(_record_help, antenne, 100)
            await _until(lambda: relay.current_status().backlog == 0, "first events relayed")
            cluster.nodes[leader].kill()  # kill -9 while the antenne goes on working
            killed_at = time.monotonic()
            await asyncio.to_thread(_record_help, antenne, 200)
            await _until(lambda: relay.current_status().backlog == 0, "events after the failover relayed")
            recovered = time.monotonic() - killed_at
        finally:
            stop.set()
            await asyncio.wait_for(relaying, 15)
            await admin.close()
        return leader, recovered

    try:
        leader, recovered = asyncio.run(scenario())
        survivors = [url for url, name in zip(admin_urls, cluster.nodes, strict=True) if name != leader]
        published = asyncio.run(_read_once_answered(survivors[0]))
        positions = expected_positions(antenne, "jette")
    finally:
        antenne.close()

    print(f"\nrelay: {len(positions)} events, leader {leader} killed, all relayed {recovered:.2f} s later")
    assert len(positions) == 2 * 2 + 300
    assert_complete_chain(published, positions, "jette")


async def _until(condition: Callable[[], bool], what: str, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not await asyncio.to_thread(condition):
        assert time.monotonic() < deadline, f"after {timeout:.0f} s still not: {what}"
        await asyncio.sleep(0.05)


async def _read_once_answered(url: str) -> list[Published]:
    """Jette's stream as stored, once the cluster that lost a node answers consumer requests again."""
    deadline = time.monotonic() + 30
    while True:
        try:
            return await read_stream(url, "jette")
        except (NatsError, TimeoutError):
            assert time.monotonic() < deadline, "the stream could not be read after the failover"
            await asyncio.sleep(0.5)


async def _pull_subscribe(admin: Client) -> JetStreamContext.PullSubscription:
    """A consumer on the stream, once the cluster (which lost a node) can create one: the meta leader may
    still be elected, and the request times out meanwhile."""
    deadline = time.monotonic() + 30
    while True:
        try:
            return await admin.jetstream().pull_subscribe("bp.jette.>", stream=ANTENNE_STREAM)
        except (NatsError, TimeoutError):
            assert time.monotonic() < deadline, "no consumer could be created on the stream"
            await asyncio.sleep(0.5)


async def _leader(admin: Client) -> str:
    """The stream's leader, once it has one (an election takes a few seconds under load)."""
    deadline = time.monotonic() + 30
    while True:
        try:
            info = await admin.jetstream().stream_info(ANTENNE_STREAM)
            if info.cluster is not None and info.cluster.leader:
                return info.cluster.leader
        except (NatsError, TimeoutError):
            pass
        assert time.monotonic() < deadline, "the stream has no leader"
        await asyncio.sleep(0.2)
