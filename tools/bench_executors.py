"""Benchmark the executors of a design (not a test): runs per second for serial, pool and Dask local.

A run is one (point, strategy, replication) row of the tidy table. With --crossover, also
estimate the crossover map's default size (8 x 8 points, 10 paired replications,
50,000 follower agents: 640 (point, replication) tasks of two model runs each) from the
CPU time of a few of its tasks, spread over the cores (the pool's overhead is small
against tasks of about a second).

    .venv/bin/python tools/bench_executors.py [--crossover TASKS]
"""

import argparse
import os
import sys
import time

from simulation.design import grid, run_design, run_task
from simulation.params import load_scenario


def bench(executor: str, design, workers: int | None) -> dict:
    start = time.perf_counter()
    res = run_design(design, executor=executor, workers=workers, progress=False)
    seconds = time.perf_counter() - start
    return {
        "executor": executor,
        "workers": res.executor.get("workers"),
        "runs": len(res.runs),
        "seconds": round(seconds, 2),
        "runs_per_second": round(len(res.runs) / seconds, 2),
    }


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--followers", type=int, default=5000)
    parser.add_argument("--replications", type=int, default=6)
    parser.add_argument("--skip-executors", action="store_true")
    parser.add_argument(
        "--crossover",
        type=int,
        default=0,
        metavar="POINTS",
        help="time this many of the crossover map's 64 points at full size and extrapolate",
    )
    args = parser.parse_args(argv)
    print(f"cores {os.cpu_count()}, load average {os.getloadavg()[0]:.1f}")
    base = load_scenario("mega_vs_micro", [f"market.followers={args.followers}"])
    design = grid(base, {"brand.budget": [50_000, 100_000]}, replications=args.replications, seed=1)
    for executor in () if args.skip_executors else ("serial", "pool", "dask"):
        try:
            print(bench(executor, design, workers=None))
        except Exception as exc:  # noqa: BLE001 - a missing optional extra is reported, not fatal
            print(executor, "skipped:", exc)
    if args.crossover:
        # CPU seconds per (point, replication) at the map's default size, measured in this
        # process (robust to other load on a shared machine), then 640 of them on the cores
        crossover = load_scenario("mega_vs_micro", ["market.followers=50000"])
        prices = [5.0, 500.0]
        design = grid(
            crossover,
            {"brand.price": prices, "creators.fee_exponent": [0.8, 1.2]},
            replications=10,
            seed=0,
            name="crossover-subset",
        )
        specs = design.runs()[: args.crossover]
        cpu, wall = time.process_time(), time.perf_counter()
        for spec in specs:
            run_task(spec.task())
        cpu, wall = (time.process_time() - cpu) / len(specs), (time.perf_counter() - wall) / len(specs)
        cores = os.cpu_count() or 1
        print(
            {
                "crossover_tasks_timed": len(specs),
                "cpu_seconds_per_task": round(cpu, 3),
                "wall_seconds_per_task": round(wall, 3),
                "estimated_minutes_8x8x10_on_idle_cores": round(640 * cpu / cores / 60, 1),
            }
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
