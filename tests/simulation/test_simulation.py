"""Deterministic simulation: the real antenne, relay mapping, chain rule and ledger under a hostile network.

Each seed builds a world (1 to 4 antennes, a stream, the ledger and the summary view) and runs it step by
step with lost publishes and acks, reordering, duplicates, partitions, crashes and a stream that loses
its newest messages; the invariants are checked after every step. BP_SIM_SECONDS sets the budget
(default 30 s on two processes; BP_LONG=1: 600 s); a failure prints `python -m simulation --seed N`.
"""

from __future__ import annotations

import os
import random
from concurrent.futures import ProcessPoolExecutor

import pytest

from services.messaging.chain import Decision, decide
from simulation.runner import Report, run_seeds
from simulation.world import World

pytestmark = pytest.mark.simulation

LONG = os.environ.get("BP_LONG") == "1"
SECONDS = float(os.environ.get("BP_SIM_SECONDS", "600" if LONG else "30"))
WORKERS = 2


def _batch(first: int) -> Report:
    return run_seeds(first, budget_seconds=SECONDS)


@pytest.mark.timeout(SECONDS * 2 + 120)
def test_thousands_of_seeds_keep_every_invariant_after_every_step() -> None:
    first = int(os.environ.get("BP_SIM_FIRST", str(random.SystemRandom().randrange(10**9))))
    # Seed ranges far apart, one per process: the CI machine has two cores.
    starts = [first + worker * 10**7 for worker in range(WORKERS)]
    with ProcessPoolExecutor(WORKERS) as pool:
        reports = list(pool.map(_batch, starts))
    seeds = sum(report.seeds for report in reports)
    print(f"simulation from seeds {starts}: " + "; ".join(report.summary() for report in reports))

    failures = [failure for report in reports for failure in report.failures]
    assert not failures, "\n".join(str(failure) for failure in failures)
    assert seeds >= (100 if SECONDS >= 30 else 1)  # about 2,500 on two idle cores


def test_a_seed_replays_exactly_the_same_run() -> None:
    first, second = World(20261123), World(20261123)
    try:
        first.run()
        second.run()
    finally:
        first.close()
        second.close()

    assert first.trace == second.trace
    assert first.published() == second.published()
    assert len(first.trace) > 50


def _acknowledge_early_messages(position: int, previous: int | None, last_applied: int | None) -> Decision:
    """A broken rule: a message that arrives before the one it follows is taken for a duplicate (acked)."""
    decision = decide(position, previous, last_applied)
    return Decision.DUPLICATE if decision is Decision.GAP else decision


def test_a_consumer_that_drops_early_messages_is_caught_with_the_command_that_replays_it() -> None:
    report = run_seeds(1, budget_seconds=60, max_seeds=300, decide_rule=_acknowledge_early_messages,
                       stop_at_first_failure=True)  # fmt: skip

    assert report.failures, report.summary()
    failure = report.failures[0]
    assert "applied" in failure.error
    assert f"python -m simulation --seed {failure.seed}" in str(failure)
