"""`python -m bench`: the federation's figures beside the raw limits they are bounded by (not a test)."""

from __future__ import annotations

import argparse
import logging
import platform
import tempfile
import time
from pathlib import Path

from bench.runs import Bench
from bench.table import render
from tests.support.postgres import PostgresServer


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--seconds", type=float, default=10.0, help="length of each timed load (default 10)")
    parser.add_argument("--events", type=int, default=10_000, help="backlog for catch-up and rebuild")
    parser.add_argument("--full", action="store_true", help="the issue's sizes: 1,000,000 events, 60 s loads")
    parser.add_argument("--only", choices=["write", "propagation", "backlog"], action="append")
    args = parser.parse_args()
    if args.full:
        args.seconds, args.events = 60.0, 1_000_000
    logging.basicConfig(level=logging.WARNING)
    postgres = PostgresServer()
    postgres.start()
    started = time.monotonic()
    try:
        with tempfile.TemporaryDirectory(prefix="bp-bench-") as workdir:
            bench = Bench(Path(workdir), postgres, args.seconds, args.events)
            only = set(args.only or ["write", "propagation", "backlog"])
            if "write" in only:
                bench.write_path("sqlite")
                bench.write_path("postgresql")
            if "propagation" in only:
                bench.propagation()
            if "backlog" in only:
                bench.backlog()
    finally:
        postgres.stop()
    print(f"{platform.node()}: {platform.python_implementation()} {platform.python_version()}, "
          f"{time.monotonic() - started:.0f} s")  # fmt: skip
    print(render(bench.rows))
    for note in bench.notes:
        print(f"- {note}")


if __name__ == "__main__":
    main()
