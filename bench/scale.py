"""`python -m bench.scale`: a Brussels-shaped history replayed into the ledger and the summary view.

60 antennes in 19 communes, 25,000 members, ten years of exchanges, generated as the relays would publish
them (chained envelopes) and applied in-process by the ledger (`Ledger.apply`) and the reporting sink,
each size in a fresh process so that its peak memory is its own. NATS and the relays are left out: this
measures how the consumers' own cost grows with the number of events (the stream's limits are in the
main bench). Sizes: `--events 100000 300000 1000000`.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from uuid import UUID, uuid4

from contracts.antenne.v1 import Category, ExchangeConfirmed, ExchangeRecorded, MemberRegistered
from contracts.envelope import Envelope, wrap
from services.ledger.application import Ledger
from services.persistence import eventsourcing_env
from services.reporting.consumer import SummarySink
from services.reporting.views import make_view

COMMUNES = 19
ANTENNES = 60
MEMBERS = 25_000
START = date(2016, 1, 1)
DAYS = 3650


def history(events: int, seed: int = 19) -> Iterator[Envelope]:
    """Members register over the first years; exchanges between neighbours of one antenne follow."""
    rng = random.Random(seed)
    antennes = [
        f"commune{c % COMMUNES:02d}-a{a:02d}" for a, c in zip(range(ANTENNES), range(ANTENNES), strict=True)
    ]
    members: dict[str, list[UUID]] = {antenne: [] for antenne in antennes}
    last: dict[str, int] = {antenne: 0 for antenne in antennes}
    registered, produced = 0, 0
    now = datetime(2026, 1, 1, tzinfo=UTC)

    def envelope(antenne: str, payload: object, aggregate: UUID, version: int) -> Envelope:
        previous = last[antenne] or None
        last[antenne] += 1 + rng.randrange(3)  # internal events and burnt ids leave gaps
        return wrap(payload, antenne_id=antenne, aggregate_id=aggregate, aggregate_version=version,  # type: ignore[arg-type]
                    occurred_at=now, position=last[antenne], previous_position=previous)  # fmt: skip

    while produced < events:
        antenne = rng.choice(antennes)
        share = registered / MEMBERS
        if registered < MEMBERS and (len(members[antenne]) < 2 or rng.random() > share):
            member = uuid4()
            members[antenne].append(member)
            registered += 1
            produced += 1
            yield envelope(antenne, MemberRegistered(member_id=member, registered_on=START), member, 1)
            continue
        helper, recipient = rng.sample(members[antenne], 2)
        exchange = uuid4()
        facts = {"exchange_id": exchange, "helper_id": helper, "recipient_id": recipient,
                 "quarters": rng.randint(1, 16), "category": rng.choice(list(Category)),
                 "performed_on": START + timedelta(days=rng.randrange(DAYS))}  # fmt: skip
        yield envelope(antenne, ExchangeRecorded.model_validate(facts), exchange, 1)
        yield envelope(antenne, ExchangeConfirmed.model_validate(facts), exchange, 2)
        produced += 2


def replay(events: int, workdir: Path) -> dict[str, float]:
    """Apply `events` to a ledger and a summary view on SQLite files; time and peak memory."""
    ledger = Ledger(env=eventsourcing_env(f"sqlite:///{workdir / 'ledger.db'}"))
    sink = SummarySink(make_view(f"sqlite:///{workdir / 'reporting.db'}"))
    started, ledger_seconds, count = time.monotonic(), 0.0, 0
    for envelope in history(events):
        payload = envelope.payload()
        before = time.monotonic()
        ledger.apply(envelope, payload)
        ledger_seconds += time.monotonic() - before
        sink.apply(envelope, payload)
        count += 1
    total = time.monotonic() - started
    audit = ledger.audit()
    assert audit.balanced, audit
    ledger.close()
    sink.view.close()
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"events": count, "seconds": total, "ledger_seconds": ledger_seconds, "peak_mb": peak_mb,
            "accounts": audit.accounts}  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.scale", description=__doc__)
    parser.add_argument("--events", type=int, nargs="+", default=[50_000, 100_000, 200_000])
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)  # a single size, in this process
    args = parser.parse_args()
    if args.one:
        with tempfile.TemporaryDirectory(prefix="bp-scale-") as workdir:
            print(json.dumps(replay(args.one, Path(workdir))))
        return
    print("| events | seconds | events/s | µs per event | ledger share | peak memory | accounts |")
    print("| ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for size in args.events:
        done = subprocess.run([sys.executable, "-m", "bench.scale", "--one", str(size)], capture_output=True,
                              text=True, check=True)  # fmt: skip
        row = json.loads(done.stdout.strip().splitlines()[-1])
        print(f"| {row['events']:,} | {row['seconds']:,.0f} | {row['events'] / row['seconds']:,.0f} "
              f"| {row['seconds'] / row['events'] * 1e6:,.0f} | {row['ledger_seconds'] / row['seconds']:.0%} "
              f"| {row['peak_mb']:,.0f} MB | {row['accounts']:,} |", flush=True)  # fmt: skip


if __name__ == "__main__":
    main()
