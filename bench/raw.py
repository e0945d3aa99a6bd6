"""Raw limits, measured on the same machine and servers as the federation's figures."""

from __future__ import annotations

import asyncio
import os
import time
from typing import Any, ClassVar

import nats
import psycopg
from eventsourcing.application import Application
from eventsourcing.domain import Aggregate
from nats.errors import TimeoutError as NatsTimeoutError
from nats.js.api import AckPolicy, ConsumerConfig, StreamConfig

from bench.table import percentile
from contracts.subjects import ANTENNE_STREAM, ANTENNE_SUBJECTS


class Dot(Aggregate):
    """The smallest aggregate: one event, no state."""


class Dots(Application[Any]):
    """An application that only saves dots: `eventsourcing`'s own save cost on a store."""

    env: ClassVar[dict[str, str]] = {"AGGREGATE_CACHE_MAXSIZE": "1"}


def save_rate(env: dict[str, str], seconds: float) -> float:
    """Single-event saves per second, one after the other, as a request handler does."""
    with Dots(env=env) as dots:
        count, started = 0, time.monotonic()
        while time.monotonic() - started < seconds:
            dots.save(Dot())
            count += 1
        return count / (time.monotonic() - started)


def fill(env: dict[str, str], events: int) -> None:
    """Store `events` dots, 500 per save (fast), for the notification-log read rate."""
    with Dots(env=env) as dots:
        for start in range(0, events, 500):
            dots.save(*[Dot() for _ in range(min(500, events - start))])


def notification_read_rate(env: dict[str, str]) -> tuple[int, float]:
    """Read the whole notification log in sections of 1,000 (no decoding): (events, events/s)."""
    with Dots(env=env) as dots:
        started, start, count = time.monotonic(), 1, 0
        while True:
            section = dots.recorder.select_notifications(start, 1000)
            count += len(section)
            if len(section) < 1000:
                return count, count / (time.monotonic() - started)
            start = section[-1].id + 1


def postgres_batched_insert_rate(dsn: str, rows: int) -> float:
    """Rows per second inserted in transactions of 1,000, rows shaped like a tracking row plus an event."""
    payload = os.urandom(400)
    with psycopg.connect(dsn) as conn:
        conn.execute("CREATE TABLE IF NOT EXISTS bench_rows (antenne text, position bigint, data bytea, "
                     "PRIMARY KEY (antenne, position))")  # fmt: skip
        conn.commit()
        started = time.monotonic()
        for start in range(0, rows, 1000):
            with conn.cursor() as cursor:
                cursor.executemany(
                    "INSERT INTO bench_rows VALUES (%s, %s, %s)",
                    [("bench", position, payload) for position in range(start, min(rows, start + 1000))],
                )
            conn.commit()
        return rows / (time.monotonic() - started)


async def jetstream_latency(nats_url: str, rate: float, seconds: float) -> tuple[float, float]:
    """Publish at a steady rate (awaiting each ack, as a relay does) and pull: p50, p99 in ms."""
    nc = await nats.connect(nats_url)
    try:
        js = nc.jetstream()
        await js.add_stream(StreamConfig(name="BENCH_LATENCY", subjects=["bench.latency"]))
        subscription = await js.pull_subscribe(
            "bench.latency", durable="bench-latency", stream="BENCH_LATENCY"
        )
        latencies: list[float] = []
        total = int(rate * seconds)

        async def consume() -> None:
            while len(latencies) < total:
                try:
                    messages = await subscription.fetch(500, timeout=1)
                except (TimeoutError, NatsTimeoutError):
                    continue
                now = time.perf_counter()
                for message in messages:
                    latencies.append(now - float(message.data.decode()))
                    await message.ack()

        consuming = asyncio.create_task(consume())
        started = time.perf_counter()
        for sent in range(total):
            await asyncio.sleep(max(0.0, started + sent / rate - time.perf_counter()))
            await js.publish("bench.latency", str(time.perf_counter()).encode())
        await asyncio.wait_for(consuming, 30)
        await js.delete_stream("BENCH_LATENCY")
        ordered = sorted(latencies)
        return percentile(ordered, 0.5) * 1000, percentile(ordered, 0.99) * 1000
    finally:
        await nc.close()


async def consume_and_ack_rate(nats_url: str, expected: int) -> float:
    """Pull the antenne stream with a throwaway durable, `fetch(500)` and ack each: messages per second."""
    nc = await nats.connect(nats_url)
    try:
        js = nc.jetstream()
        config = ConsumerConfig(ack_policy=AckPolicy.EXPLICIT, max_ack_pending=-1)
        subscription = await js.pull_subscribe(ANTENNE_SUBJECTS, durable="bench-raw", stream=ANTENNE_STREAM,
                                               config=config)  # fmt: skip
        count, started = 0, time.monotonic()
        while count < expected:
            try:
                messages = await subscription.fetch(500, timeout=2)
            except (TimeoutError, NatsTimeoutError):
                break
            for message in messages:
                await message.ack()
            count += len(messages)
        rate = count / (time.monotonic() - started)
        await js.delete_consumer(ANTENNE_STREAM, "bench-raw")
        return rate
    finally:
        await nc.close()
