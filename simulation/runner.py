"""Run seeds, one world each, within a time budget; a failure names the command that replays it."""

from __future__ import annotations

import logging
import time
import traceback
from dataclasses import dataclass, field

from services.messaging.chain import decide
from simulation.consumer import Decide
from simulation.world import World


def replay_command(seed: int) -> str:
    """What to type to run one seed again, with its trace."""
    return f"python -m simulation --seed {seed} --trace"


@dataclass(frozen=True)
class Failure:
    """A seed that broke an invariant (or crashed the simulator)."""

    seed: int
    error: str

    def __str__(self) -> str:
        return f"seed {self.seed} failed: {self.error}\n  replay: {replay_command(self.seed)}"


@dataclass
class Report:
    """What a batch of seeds did."""

    seeds: int = 0
    steps: int = 0
    events: int = 0
    seconds: float = 0.0
    failures: list[Failure] = field(default_factory=list)

    def summary(self) -> str:
        return (
            f"{self.seeds} seeds, {self.steps} steps, {self.events} events in {self.seconds:.1f} s; "
            f"{len(self.failures)} failed"
        )


def run_seed(seed: int, decide_rule: Decide = decide) -> World:
    """Run one seed to the end; raises InvariantError (or whatever the code under test raised)."""
    world = World(seed, decide=decide_rule)
    try:
        world.run()
    finally:
        world.close()
    return world


def run_seeds(
    first: int,
    *,
    budget_seconds: float,
    max_seeds: int | None = None,
    decide_rule: Decide = decide,
    stop_at_first_failure: bool = False,
) -> Report:
    """Run seeds first, first + 1, ... until the budget (or `max_seeds`) is spent."""
    logging.getLogger("services").setLevel(logging.CRITICAL)  # the ledger logs every snapshot failure
    report, started = Report(), time.monotonic()
    seed = first
    while time.monotonic() - started < budget_seconds and (max_seeds is None or report.seeds < max_seeds):
        try:
            world = run_seed(seed, decide_rule)
            report.steps += world.steps
            report.events += sum(len(positions) for positions in world.published().values())
        except Exception as error:  # an invariant, or a crash in the code under test: both are findings
            report.failures.append(Failure(seed, "".join(traceback.format_exception_only(error)).strip()))
            if stop_at_first_failure:
                break
        report.seeds += 1
        seed += 1
    report.seconds = time.monotonic() - started
    return report
