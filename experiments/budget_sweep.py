"""Budget sweep: mega against micro as the budget grows (paired at each budget)."""

import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
from _common import out_dir, parser, scenario

from simulation.experiment import grid_arms, run_experiment, summarize

BUDGETS = [25_000.0, 50_000.0, 100_000.0, 200_000.0, 400_000.0]  # below ~15k no mega creator is affordable


def main(argv=None) -> int:
    args = parser(__doc__).parse_args(argv)
    params = scenario(args)
    arms = grid_arms(["mega", "micro"], {"brand.budget": BUDGETS})
    res = run_experiment(params, arms, replications=args.replications, seed=args.seed, workers=args.workers)
    table = summarize(res.runs, ["conversions", "roi", "cpa", "spend"])
    table = table.join(table["arm"].str.extract(r"(?P<strategy>\w+) \| brand.budget=(?P<budget>[\d.]+)"))
    table["budget"] = table["budget"].astype(float)
    out = out_dir(args, "budget_sweep")
    res.runs.to_csv(out / "runs.csv", index=False)
    table.to_csv(out / "summary.csv", index=False)
    fig, axes = plt.subplots(1, 2, figsize=(9, 3.8))
    for ax, metric in zip(axes, ["conversions", "roi"]):
        for strategy, g in table[table.metric == metric].groupby("strategy"):
            g = g.sort_values("budget")
            ax.plot(g.budget, g["mean"], marker="o", label=strategy)
            ax.fill_between(g.budget, g.ci_low, g.ci_high, alpha=0.2)
        ax.set_xscale("log")
        ax.set_xlabel("budget (USD)")
        ax.set_title(metric)
        ax.legend(frameon=False)
    fig.tight_layout()
    fig.savefig(out / "budget_sweep.png", dpi=130)
    print(
        table[table.metric == "conversions"][["strategy", "budget", "mean", "ci_low", "ci_high"]].to_string(index=False)
    )
    print(f"written to {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
