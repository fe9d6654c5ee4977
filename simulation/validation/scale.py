"""Scale invariance: per-capita results do not move when the number of agents doubles at a fixed population."""

from __future__ import annotations

import pandas as pd
from scipy import stats

from ..model import InfluencerModel
from .base import CheckResult, _child, _mean_se

SCALE_METRICS = ("conversion_rate", "engagement_rate", "roi")


def scale_runs(n: int, runs: int, strategy: str = "micro", seed=5, days: int = 30) -> pd.DataFrame:
    """Per-capita results (:data:`SCALE_METRICS`) of ``runs`` default markets of ``n`` agents."""
    rows = []
    for r in range(runs):
        model = InfluencerModel(
            seed=_child(seed, r),
            params={"market": {"followers": n, "days": days}, "campaign": {"strategy": strategy}},
            collect=False,
        )
        model.run()
        summary = model.summary().iloc[0]
        rows.append({"agents": n, "run": r, **{m: float(summary[m]) for m in SCALE_METRICS}})
    return pd.DataFrame(rows)


def check_scale_invariance(
    n: int = 50_000, runs: int = 24, strategy: str = "micro", days: int = 30, seed=5, alpha: float = 0.05
) -> list[CheckResult]:
    """Per-capita conversion rate, engagement rate and ROI at ``n`` and ``2n`` agents, same population.

    ``runs`` markets (default scenario with the given campaign strategy, 20 million
    people) are run at both sizes. Market ``r`` uses the same seed at both sizes, so its
    creators (follower counts, niches, traits, fees) are the same and only the agents
    differ: the pairs are common random numbers, and their differences isolate the
    effect of the agent count. Passes when the paired ``1 - alpha / 3`` t confidence
    interval of the mean difference covers 0 (Bonferroni over the three metrics).
    """
    small = scale_runs(n, runs, strategy, _child(seed, 0), days)
    large = scale_runs(2 * n, runs, strategy, _child(seed, 0), days)
    level = 1 - alpha / len(SCALE_METRICS)
    out = []
    for metric in SCALE_METRICS:
        a, b = small[metric].to_numpy(), large[metric].to_numpy()
        (ma, sa), (mb, sb) = _mean_se(a), _mean_se(b)
        diff, se = _mean_se(b - a)
        tol = float(stats.t.ppf(0.5 + level / 2, runs - 1) * se)
        out.append(
            CheckResult(
                "scale invariance",
                f"{metric.replace('_', ' ')}: {n:,} vs {2 * n:,} agents ({strategy} campaign)",
                ma,
                mb,
                tol,
                bool(abs(diff) <= tol),
                runs,
                f"{ma:.4g} ± {sa:.2g} vs {mb:.4g} ± {sb:.2g} (mean ± SE, {runs} markets, each at both sizes); "
                f"paired difference {diff:+.3g} ± {se:.2g} ({100 * diff / ma:+.1f}%); "
                f"tolerance: {100 * level:.1f}% paired t interval",
                {"small": a, "large": b, "metric": metric},
            )
        )
    return out
