"""`python -m simulation [--seed N [--trace]] [--seeds COUNT] [--seconds S]`."""

from __future__ import annotations

import argparse
import random
import sys

from simulation.runner import replay_command, run_seeds


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m simulation", description=__doc__)
    parser.add_argument("--seed", type=int, help="run this one seed (a failing seed prints it)")
    parser.add_argument("--trace", action="store_true", help="with --seed: print every step")
    parser.add_argument("--first", type=int, help="first seed of a batch (default: random)")
    parser.add_argument("--seeds", type=int, help="how many seeds at most (default: as many as fit)")
    parser.add_argument("--seconds", type=float, default=60.0, help="time budget of a batch (default 60)")
    args = parser.parse_args(argv)
    if args.seed is not None:
        return _one(args.seed, trace=args.trace)
    first = args.first if args.first is not None else random.SystemRandom().randrange(10**9)
    print(f"seeds from {first}, budget {args.seconds:.0f} s")
    report = run_seeds(first, budget_seconds=args.seconds, max_seeds=args.seeds)
    for failure in report.failures:
        print(failure)
    print(report.summary())
    return 1 if report.failures else 0


def _one(seed: int, *, trace: bool) -> int:
    from simulation.world import World

    world = World(seed)
    print(f"seed {seed}: {world.shape}")
    try:
        world.run()
    except Exception as error:
        if trace:
            print("\n".join(world.trace))
        print(f"seed {seed} FAILED: {type(error).__name__}: {error}\n  replay: {replay_command(seed)}")
        return 1
    finally:
        world.close()
    if trace:
        print("\n".join(world.trace))
    print(f"seed {seed} passed: {world.steps} steps, {sum(map(len, world.published().values()))} events")
    return 0


if __name__ == "__main__":
    sys.exit(main())
