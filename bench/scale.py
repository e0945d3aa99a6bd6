"""`python -m bench.scale`: a Brussels-shaped history replayed into the ledger and the summary view.

60 antennes in 19 communes, 25,000 members, ten years of exchanges, generated as the relays would publish
them (chained envelopes) and applied in-process by the ledger (`Ledger.apply`) and the reporting sink,
in runs of 500 events per transaction as the consumers apply them. One process replays the history up to
the largest size and prints a row as it passes each size (the history is the same prefix whatever its
length): time and CPU so far, the cost per event since the previous row, peak memory so far, the audit
(balanced, or it stops). NATS and the relays are left out: this measures how the consumers' own cost grows
with the number of events (the stream's limits are in the main bench). `--events 1000000 3000000 10000000`.
"""

from __future__ import annotations

import argparse
import json
import logging
import random
import resource
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from uuid import UUID, uuid4

from contracts.antenne.v1 import Category, ExchangeConfirmed, ExchangeRecorded, MemberRegistered
from contracts.base import Contract
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
BATCH = 500  # events per transaction, as the consumers fetch them
PROGRESS_EVERY = 100_000
LIMIT = 80  # quarter hours: the antennes' default guard, which refuses spending past it online
OFFLINE_SHARE = 0.02  # of the exchanges that breach it: recorded offline, so they stand (and are flagged)


def history(events: int, seed: int = 19) -> Iterator[Envelope]:
    """Members register over the first years; exchanges between neighbours of one antenne follow. Spending
    past the limit is refused online, and the neighbours swap roles; a few were recorded offline."""
    rng = random.Random(seed)
    antennes = [
        f"commune{c % COMMUNES:02d}-a{a:02d}" for a, c in zip(range(ANTENNES), range(ANTENNES), strict=True)
    ]
    members: dict[str, list[UUID]] = {antenne: [] for antenne in antennes}
    last: dict[str, int] = {antenne: 0 for antenne in antennes}
    balances: dict[UUID, int] = {}
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
        quarters = rng.randint(1, 16)
        if balances.get(recipient, 0) - quarters < -LIMIT and rng.random() > OFFLINE_SHARE:
            helper, recipient = recipient, helper
        balances[helper] = balances.get(helper, 0) + quarters
        balances[recipient] = balances.get(recipient, 0) - quarters
        exchange = uuid4()
        facts = {"exchange_id": exchange, "helper_id": helper, "recipient_id": recipient,
                 "quarters": quarters, "category": rng.choice(list(Category)),
                 "performed_on": START + timedelta(days=rng.randrange(DAYS))}  # fmt: skip
        yield envelope(antenne, ExchangeRecorded.model_validate(facts), exchange, 1)
        yield envelope(antenne, ExchangeConfirmed.model_validate(facts), exchange, 2)
        produced += 2


def replay(sizes: list[int], workdir: Path, batch: int = BATCH) -> Iterator[dict[str, float]]:
    """Apply the history to a ledger and a summary view on SQLite files, in runs of `batch` events per
    transaction as the consumers do; at each size, a row: time and CPU so far, peak memory, the audit."""
    ledger = Ledger(env=eventsourcing_env(f"sqlite:///{workdir / 'ledger.db'}"))
    sink = SummarySink(make_view(f"sqlite:///{workdir / 'reporting.db'}"))
    started, ledger_seconds, count = time.monotonic(), 0.0, 0
    pending = sorted(sizes)
    for run in _runs(history(pending[-1]), batch):
        before = time.monotonic()
        ledger.apply_all(run)
        ledger_seconds += time.monotonic() - before
        sink.apply_all(run)
        count += len(run)
        if count % PROGRESS_EVERY < batch:
            print(f"{count:,} events in {time.monotonic() - started:,.0f} s", file=sys.stderr, flush=True)
        if count >= pending[0]:
            pending.pop(0)
            yield _checkpoint(ledger, count, time.monotonic() - started, ledger_seconds)
            if not pending:
                break
    ledger.close()
    sink.view.close()


def _checkpoint(ledger: Ledger, count: int, seconds: float, ledger_seconds: float) -> dict[str, float]:
    audit = ledger.audit()
    assert audit.balanced, audit
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return {"events": count, "seconds": seconds, "cpu_seconds": usage.ru_utime + usage.ru_stime,
            "ledger_seconds": ledger_seconds, "peak_mb": usage.ru_maxrss / 1024, "accounts": audit.accounts,
            "flags": sum(ledger.flag_counts().values())}  # fmt: skip


def _runs(envelopes: Iterator[Envelope], size: int) -> Iterator[list[tuple[Envelope, Contract]]]:
    run: list[tuple[Envelope, Contract]] = []
    for envelope in envelopes:
        run.append((envelope, envelope.payload()))
        if len(run) == size:
            yield run
            run = []
    if run:
        yield run


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.scale", description=__doc__)
    parser.add_argument("--events", type=int, nargs="+", default=[50_000, 100_000, 200_000])
    parser.add_argument("--batch", type=int, default=BATCH, help="events per transaction (default 500)")
    parser.add_argument("--workdir", type=Path, help="keep the databases here (default: a temporary folder)")
    args = parser.parse_args()
    logging.getLogger("services.ledger").setLevel(logging.ERROR)  # the flags are counted, not logged
    print(
        "| events | seconds | events/s | µs per event (since last row) | CPU s | ledger share "
        "| peak memory | accounts | overdraft flags |"
    )
    print("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |", flush=True)
    with tempfile.TemporaryDirectory(prefix="bp-scale-", dir=args.workdir) as workdir:
        last_events, last_seconds = 0, 0.0
        for row in replay(args.events, Path(workdir), args.batch):
            segment = (row["seconds"] - last_seconds) / (row["events"] - last_events) * 1e6
            share = row["ledger_seconds"] / row["seconds"]
            print(f"| {row['events']:,} | {row['seconds']:,.0f} | {row['events'] / row['seconds']:,.0f} "
                  f"| {segment:,.0f} | {row['cpu_seconds']:,.0f} | {share:.0%} | {row['peak_mb']:,.0f} MB "
                  f"| {row['accounts']:,} | {row['flags']:,} |", flush=True)  # fmt: skip
            print(json.dumps(row), file=sys.stderr, flush=True)
            last_events, last_seconds = int(row["events"]), row["seconds"]


if __name__ == "__main__":
    main()
