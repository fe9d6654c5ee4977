"""Benchmark the executors of a design (not a test): runs per second for serial, pool and Dask local.

A run is one (point, strategy, replication) row of the tidy table. With --crossover, also
time the crossover map's default size (8 x 8 points, 10 paired replications, 50,000
follower agents, the default pool) on a subset of its points and extrapolate.

    .venv/bin/python tools/bench_executors.py [--crossover POINTS]
"""

import argparse
import os
import sys
import time

from simulation.design import grid, run_design
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
    design = grid(base, {"brand.budget": [50_000, 100_000]}, replications=6, seed=1)
    for executor in ("serial", "pool", "dask"):
        try:
            print(bench(executor, design, workers=None))
        except Exception as exc:  # noqa: BLE001 - a missing optional extra is reported, not fatal
            print(executor, "skipped:", exc)
    if args.crossover:
        crossover = load_scenario("mega_vs_micro", ["market.followers=50000"])
        prices = [5.0, 11.3, 25.6, 57.9, 131.0, 296.0, 670.0, 1515.0][: max(1, args.crossover // 2)]
        design = grid(
            crossover,
            {"brand.price": prices, "creators.fee_exponent": [0.8, 1.2][: min(2, args.crossover)]},
            replications=10,
            seed=0,
            name="crossover-subset",
        )
        row = bench("pool", design, workers=None)
        points = len(design.points)
        row["extrapolated_64_points_minutes"] = round(row["seconds"] * 64 / points / 60, 1)
        print({"crossover_points_timed": points, **row})
    return 0


if __name__ == "__main__":
    sys.exit(main())
