"""Benchmark: choosing an optimised portfolio, and a two-brand market against a one-brand run.

Run from a source checkout: ``python -m benchmarks.rivals_portfolio [--followers 100000] [--repeats 3]``.

- Portfolio: the default market (5,000 creators) at ``--followers``; the model is built
  once per goal, then the choice alone is timed (the model's probabilities for every
  follow edge, the CELF greedy, the best single creator, the table), best of ``--repeats``.
- Markets: ``scenarios/rivals.toml`` (two brands) against its first brand alone, on the
  same market and seed, 30 days, DataCollector on; model construction and run, best of
  ``--repeats``. The issue's targets: the choice in 2 s or less, two brands at most
  twice one.
"""

from __future__ import annotations

import argparse
import time

from simulation.graph import generate_market
from simulation.model import InfluencerModel, seed_sequence, stream
from simulation.params import load_scenario
from simulation.portfolio import optimised_portfolio


def best_time(work, repeats: int) -> float:
    """Fastest of ``repeats`` wall-clock times of ``work()``, seconds."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return min(times)


def time_portfolio(followers: int, repeats: int) -> dict[str, float]:
    """Seconds to choose a portfolio for each goal (model built beforehand)."""
    params = load_scenario("mega_vs_micro", [f"market.followers={followers}"])
    market = generate_market(params, stream(seed_sequence(0), "market"))
    out = {}
    for goal in ("awareness", "engagement", "sales"):
        model = InfluencerModel(seed=0, params=params, market=market, brand__goal=goal, collect=False)
        out[goal] = best_time(lambda model=model: optimised_portfolio(model, model.brands[0]), repeats)
        out[f"{goal}_creators"] = len(model.market.fee)
    return out


def time_markets(followers: int, repeats: int) -> dict[str, float]:
    """Seconds for a 30-day run of the rivals market and of its first brand alone."""
    two = load_scenario("rivals", [f"market.followers={followers}"])
    one = load_scenario("rivals", [f"market.followers={followers}"])
    one["scenario"]["brands"] = one["scenario"]["brands"][:1]
    market = generate_market(two, stream(seed_sequence(0), "market"))

    def run(params):
        InfluencerModel(seed=0, params=params, market=market).run()

    return {"one_brand_s": best_time(lambda: run(one), repeats), "two_brands_s": best_time(lambda: run(two), repeats)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--followers", type=int, default=100_000)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args(argv)
    portfolio = time_portfolio(args.followers, args.repeats)
    for goal in ("awareness", "engagement", "sales"):
        print(
            f"portfolio ({goal} goal): {portfolio[goal]:.2f} s to choose from {portfolio[goal + '_creators']:,} "
            f"creators for {args.followers:,} followers"
        )
    markets = time_markets(args.followers, args.repeats)
    ratio = markets["two_brands_s"] / markets["one_brand_s"]
    print(
        f"30-day run at {args.followers:,} followers: one brand {markets['one_brand_s']:.2f} s, "
        f"two brands {markets['two_brands_s']:.2f} s ({ratio:.2f}x)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
