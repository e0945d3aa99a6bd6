"""A light HTTP/1.1 load generator, run as its own process: `python -m bench.load URL TOKEN ...`.

Plain asyncio streams with keep-alive connections (no HTTP library: httpx saturates a core before the
server does, tech notes). Each request registers a member, or with `--exchange HELPER RECIPIENT` records
an exchange between them; prints a JSON line with the latencies.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from datetime import date, timedelta
from urllib.parse import urlsplit

REGISTRATION = b'{"display_name": "Buur"}'


async def _connection(host: str, port: int, request: bytes, until: float, pace: asyncio.Queue[float] | None,
                      latencies: list[float], errors: list[int]) -> None:  # fmt: skip
    reader, writer = await asyncio.open_connection(host, port)
    try:
        while time.monotonic() < until:
            if pace is not None:
                try:
                    await asyncio.wait_for(pace.get(), until - time.monotonic())
                except TimeoutError:
                    return
            started = time.perf_counter()
            writer.write(request)
            status = await _read_response(reader)
            latencies.append(time.perf_counter() - started)
            if status != 201:
                errors.append(status)
                if len(errors) == 1:
                    print(f"first error: HTTP {status}", file=sys.stderr)
    finally:
        writer.close()


async def _read_response(reader: asyncio.StreamReader) -> int:
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    length = next(int(line.split(":", 1)[1]) for line in lines if line.lower().startswith("content-length:"))
    await reader.readexactly(length)
    return int(lines[0].split()[1])


async def _pacer(rate: float, until: float, pace: asyncio.Queue[float]) -> None:
    """Release one request every 1/rate seconds (a steady rate, not as fast as possible)."""
    start, sent = time.monotonic(), 0
    while time.monotonic() < until:
        due = start + sent / rate
        await asyncio.sleep(max(0.0, due - time.monotonic()))
        pace.put_nowait(due)
        sent += 1


def _exchange(helper: str, recipient: str) -> bytes:
    body = {"helper_id": helper, "recipient_id": recipient, "quarters": 2, "category": "company",
            "performed_on": (date.today() - timedelta(days=1)).isoformat()}  # fmt: skip
    return json.dumps(body).encode()


async def run(url: str, token: str, seconds: float, concurrency: int, rate: float | None,
              exchange: list[str] | None = None) -> dict[str, object]:  # fmt: skip
    parts = urlsplit(url)
    host, port = parts.hostname or "127.0.0.1", parts.port or 80
    path, body = (
        ("/api/v1/exchanges", _exchange(*exchange)) if exchange else ("/api/v1/members", REGISTRATION)
    )
    request = (
        f"POST {path} HTTP/1.1\r\nHost: {host}:{port}\r\nAuthorization: Bearer {token}\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
    ).encode() + body
    latencies: list[float] = []
    errors: list[int] = []
    started = time.monotonic()
    until = started + seconds
    pace: asyncio.Queue[float] | None = asyncio.Queue() if rate else None
    tasks = [asyncio.create_task(_connection(host, port, request, until, pace, latencies, errors))
             for _ in range(concurrency)]  # fmt: skip
    if pace is not None and rate:
        tasks.append(asyncio.create_task(_pacer(rate, until, pace)))
    await asyncio.gather(*tasks)
    elapsed = time.monotonic() - started
    return {
        "requests": len(latencies),
        "seconds": elapsed,
        "latencies": sorted(latencies),
        "errors": len(errors),
    }


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.load")
    parser.add_argument("url")
    parser.add_argument("token")
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--rate", type=float, help="requests per second (default: as fast as possible)")
    parser.add_argument("--exchange", nargs=2, metavar=("HELPER", "RECIPIENT"), help="record exchanges")
    args = parser.parse_args()
    result = asyncio.run(run(args.url, args.token, args.seconds, args.concurrency, args.rate, args.exchange))
    print(json.dumps(result))


if __name__ == "__main__":
    main()
