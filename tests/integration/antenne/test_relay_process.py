"""The relay as a process: killed with SIGKILL mid-batch and restarted, it loses and repeats nothing."""

from __future__ import annotations

import asyncio
import signal
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import nats
import pytest
from nats.aio.msg import Msg

from contracts.antenne.v1 import Category
from contracts.envelope import Envelope
from contracts.subjects import ANTENNE_STREAM
from services.antenne.application import Antenne
from services.antenne.relay import TRACKING_NAME
from services.messaging.nats_server import NatsServer
from services.messaging.streams import ensure_streams
from services.persistence import eventsourcing_env
from tests.integration.antenne.jetstream import (
    assert_complete_chain,
    expected_positions,
    read_stream,
    wait_until_async,
)
from tests.support.dates import RECENT

pytestmark = pytest.mark.integration

ANTENNE_ID = "jette"
REPOSITORY = Path(__file__).resolve().parents[3]


@dataclass
class RelayProcess:
    """`python -m services.antenne relay ...` as a child process, logging to a file."""

    database_url: str
    nats_url: str
    log_file: Path
    process: subprocess.Popen[bytes] | None = field(default=None, init=False)

    def start(self) -> None:
        command = [sys.executable, "-m", "services.antenne", "relay", "--antenne-id", ANTENNE_ID,
                   "--database-url", self.database_url, "--nats-url", self.nats_url]  # fmt: skip
        with self.log_file.open("ab") as log:
            self.process = subprocess.Popen(command, cwd=REPOSITORY, stdout=log, stderr=subprocess.STDOUT)

    def kill(self) -> None:
        """SIGKILL, as a crash or the OOM killer would."""
        assert self.process is not None
        self.process.kill()

    def terminate(self) -> int:
        """SIGTERM, as systemd stops it; returns the exit code."""
        assert self.process is not None
        self.process.send_signal(signal.SIGTERM)
        return self.process.wait(10)

    async def killed(self) -> bool:
        """Whether the process has exited (for bounded waits)."""
        return self.process is not None and self.process.poll() is not None

    def stop_if_running(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(10)


@pytest.fixture
def relay_process(database_url: str, nats_server: NatsServer, tmp_path: Path) -> Iterator[RelayProcess]:
    relay = RelayProcess(database_url, nats_server.url, tmp_path / "relay.log")
    yield relay
    relay.stop_if_running()


def public_events(antenne: Antenne, count: int) -> None:
    """Exactly `count` published events (a multiple of 4), each group with two internal postings."""
    for _ in range(count // 4):
        anna, bert = antenne.register_member("Anna"), antenne.register_member("Bert")
        exchange_id = antenne.record_exchange(bert, anna, 3, Category.OUTINGS, RECENT)
        antenne.confirm_exchange(exchange_id)


async def _stream_messages(js: nats.js.JetStreamContext) -> int:
    try:
        info = await js.stream_info(ANTENNE_STREAM)
    except nats.js.errors.NotFoundError:
        return 0
    messages: int = info.state.messages
    return messages


async def _last_position_in_stream(js: nats.js.JetStreamContext) -> int:
    """The antenne position of the stream's newest message (the relay publishes in log order)."""
    info = await js.stream_info(ANTENNE_STREAM)
    newest = await js.get_msg(ANTENNE_STREAM, seq=info.state.last_seq)
    assert newest.data is not None
    return Envelope.from_bytes(newest.data).position


@dataclass
class Watcher:
    """Sees every publish of the relay as it happens (a plain subscriber on the antenne's subjects).

    It kills the relay when it sees the event at `kill_at`: in the middle of a batch, after some of it
    reached the stream, most likely before the relay could record its position.
    """

    relay: RelayProcess
    kill_at: int | None = None

    async def on_message(self, message: Msg) -> None:
        if Envelope.from_bytes(message.data).position == self.kill_at:
            self.relay.kill()


@dataclass(frozen=True)
class Kill:
    """What the stream held and what the relay had recorded when it was killed."""

    messages: int
    newest_in_stream: int
    recorded: int | None

    @classmethod
    async def seen(cls, js: nats.js.JetStreamContext, recorded: int | None) -> Kill:
        return cls(await _stream_messages(js), await _last_position_in_stream(js), recorded)


def test_a_relay_killed_mid_batch_and_restarted_loses_and_repeats_nothing(
    database_url: str, nats_server: NatsServer, relay_process: RelayProcess
) -> None:
    with Antenne(env=eventsourcing_env(database_url)) as antenne:
        tracking = antenne.factory.tracking_recorder()

        async def scenario() -> list[Kill]:
            nc = await nats.connect(nats_server.url)
            watcher = Watcher(relay_process)
            await nc.subscribe(f"bp.{ANTENNE_ID}.>", cb=watcher.on_message)
            js = nc.jetstream()
            kills: list[Kill] = []
            try:
                for events, kill in ((400, True), (300, True), (300, False)):
                    before = len(expected_positions(antenne, ANTENNE_ID))
                    await asyncio.to_thread(public_events, antenne, events)
                    new_positions = expected_positions(antenne, ANTENNE_ID)[before:]
                    # Kill when the relay publishes the middle one of the events just written.
                    watcher.kill_at = new_positions[len(new_positions) // 2] if kill else None
                    relay_process.start()
                    if kill:
                        await wait_until_async(relay_process.killed, timeout=30, what="the relay killed")
                        kills.append(await Kill.seen(js, recorded=tracking.max_tracking_id(TRACKING_NAME)))

                async def complete() -> bool:
                    return await _stream_messages(js) >= 1000

                await wait_until_async(complete, timeout=30, what="all 1,000 events in the stream")
                return kills
            finally:
                await nc.close()

        kills = asyncio.run(scenario())
        positions = expected_positions(antenne, ANTENNE_ID)
        last = positions[-1]

        async def recorded() -> bool:
            return tracking.max_tracking_id(TRACKING_NAME) == last

        asyncio.run(wait_until_async(recorded, timeout=15, what="the relay records the last position"))

    assert relay_process.terminate() == 0
    assert len(positions) == 1000
    assert all(0 < kill.messages < 1000 for kill in kills), kills  # both kills came mid-stream
    # The relay records a position only once JetStream holds it: never ahead of the stream.
    assert all(kill.recorded is None or kill.recorded <= kill.newest_in_stream for kill in kills), kills
    published = asyncio.run(read_stream(nats_server.url, ANTENNE_ID))
    assert_complete_chain(published, positions, ANTENNE_ID)  # each event once: the repeats were dropped


def test_the_republish_command_restores_a_stream_that_was_lost(
    database_url: str, nats_server: NatsServer, relay_process: RelayProcess
) -> None:
    with Antenne(env=eventsourcing_env(database_url)) as antenne:
        public_events(antenne, 40)
        positions = expected_positions(antenne, ANTENNE_ID)
    relay_process.start()
    asyncio.run(_wait_for_messages(nats_server.url, 40))
    assert relay_process.terminate() == 0
    asyncio.run(_lose_the_stream(nats_server.url))

    result = subprocess.run(
        [sys.executable, "-m", "services.antenne", "republish", "--from", "1", "--antenne-id", ANTENNE_ID,
         "--database-url", database_url, "--nats-url", nats_server.url],
        cwd=REPOSITORY, capture_output=True, text=True, timeout=60,
    )  # fmt: skip

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "republished 40 events from position 1"
    assert_complete_chain(asyncio.run(read_stream(nats_server.url, ANTENNE_ID)), positions, ANTENNE_ID)


async def _wait_for_messages(nats_url: str, count: int) -> None:
    nc = await nats.connect(nats_url)
    try:
        js = nc.jetstream()

        async def arrived() -> bool:
            return await _stream_messages(js) >= count

        await wait_until_async(arrived, timeout=30, what=f"{count} messages in the stream")
    finally:
        await nc.close()


async def _lose_the_stream(nats_url: str) -> None:
    """Delete the antenne stream and create it again, empty, as after losing a JetStream server."""
    nc = await nats.connect(nats_url)
    try:
        js = nc.jetstream()
        await js.delete_stream(ANTENNE_STREAM)
        await ensure_streams(js)
        assert await _stream_messages(js) == 0
    finally:
        await nc.close()
