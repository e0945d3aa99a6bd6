"""A seeded chaos schedule: which process is killed (SIGKILL) after how many events, and when it returns."""

from __future__ import annotations

import random
from dataclasses import dataclass


@dataclass
class Fault:
    """Kill `target` once `kill_at` events are stored, start it again at `restart_at`."""

    target: str
    kill_at: int
    restart_at: int
    killed: bool = False
    restarted: bool = False

    def __str__(self) -> str:
        return f"kill -9 {self.target} at event {self.kill_at}, restart at {self.restart_at}"


def schedule(seed: int, events: int, antennes: list[str]) -> list[Fault]:
    """One fault per kind of process: an antenne and its relay, ledger, reporting, NATS, PostgreSQL."""
    rng = random.Random(seed)
    targets = [f"antenne {rng.choice(antennes)}", "ledger", "reporting", "nats-server", "postgresql"]
    faults = []
    for target in targets:
        kill_at = rng.randint(events // 10, events * 7 // 10)
        faults.append(Fault(target, kill_at, kill_at + rng.randint(events // 50, events // 6)))
    return sorted(faults, key=lambda fault: fault.kill_at)
