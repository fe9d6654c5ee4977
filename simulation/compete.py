"""Competing brands in one market: per-brand results, market share, who wins.

A scenario with a ``[[brands]]`` array runs every brand in one model (the same followers,
the same day, trust moved by every brand's posts; see docs/MODEL.md 3.3.14). Each
replication is one market, so the brands' results within a replication are paired: the
difference between two brands is taken replication by replication, as
:func:`simulation.experiment.paired_differences` does for two strategies.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from .experiment import (
    GOAL_MEASURES,
    GOAL_MEASURES_UNEQUAL_SPEND,
    HIGHER_IS_BETTER,
    headline_metrics,
    paired_differences,
    summarize,
    verdict,
)

#: the arm name of a market run (one arm: every brand runs in it)
MARKET_ARM = "market"
#: what the per-brand table reports beyond the goals' measures
BRAND_MEASURES = ("market_share", "creators_hired", "audience_overlap", "mean_status_posted")


def by_brand(table: pd.DataFrame) -> pd.DataFrame:
    """``table`` (runs or daily rows of a market run) with each brand as its own arm, so the
    experiment's summaries and paired differences compare brands."""
    return table.assign(arm=table["brand"])


def brand_goals(runs: pd.DataFrame) -> dict[str, str]:
    """Each brand's goal, in the order the scenario lists the brands."""
    first = runs.drop_duplicates("brand")
    return dict(zip(first["brand"], first["goal"]))


def brand_measures(goals: dict[str, str]) -> list[str]:
    """The measures of the per-brand table: every goal's headline measures, then the market's."""
    measures: list[str] = []
    for goal in dict.fromkeys(goals.values()):
        measures += headline_metrics(goal)
    return list(dict.fromkeys([*measures, *BRAND_MEASURES]))


def brand_summary(runs: pd.DataFrame, confidence: float = 0.95) -> pd.DataFrame:
    """Mean and interval of each measure per brand (long format: brand, metric, mean, ci_low, ci_high, n)."""
    table = summarize(by_brand(runs), brand_measures(brand_goals(runs)), confidence)
    return table.rename(columns={"arm": "brand"})


def brand_table(summary: pd.DataFrame) -> pd.DataFrame:
    """Measures as rows, brands as columns: ``mean [ci_low, ci_high]``."""
    from .experiment import fmt_number

    text = summary.assign(
        value=[
            f"{fmt_number(m)} [{fmt_number(lo)}, {fmt_number(hi)}]"
            for m, lo, hi in summary[["mean", "ci_low", "ci_high"]].to_numpy()
        ]
    )
    wide = text.pivot(index="metric", columns="brand", values="value")
    return wide.loc[list(dict.fromkeys(summary["metric"])), list(dict.fromkeys(summary["brand"]))]


def leader_and_runner_up(runs: pd.DataFrame, measure: str) -> tuple[str, str]:
    """The brands first and second on ``measure`` (mean over replications, direction respected).

    Examples
    --------
    >>> runs = pd.DataFrame({"brand": ["a", "b", "a", "b"], "conversions": [1.0, 3.0, 2.0, 4.0]})
    >>> leader_and_runner_up(runs, "conversions")
    ('b', 'a')
    """
    means = runs.groupby("brand", sort=False)[measure].mean()
    ranked = means.sort_values(ascending=not HIGHER_IS_BETTER.get(measure, True), kind="stable", na_position="last")
    return str(ranked.index[0]), str(ranked.index[1])


def market_verdict(runs: pd.DataFrame, confidence: float = 0.95) -> str:
    """One line: for each brand's goal, which brand leads the market on it, by how much, how sure.

    The leader on the goal's headline measure is set against the runner-up, paired by
    replication, with :func:`simulation.experiment.verdict`'s reading of the interval.
    """
    goals = brand_goals(runs)
    if len(goals) < 2:
        return "Market verdict: one brand in the market, nobody to compete with."
    brands = by_brand(runs)
    parts = []
    for goal in dict.fromkeys(goals.values()):
        owners = ", ".join(b for b, g in goals.items() if g == goal)
        leader, runner_up = leader_and_runner_up(runs, GOAL_MEASURES[goal][0])
        measures = list(dict.fromkeys([*GOAL_MEASURES[goal], *GOAL_MEASURES_UNEQUAL_SPEND[goal]]))
        diffs = paired_differences(brands, runner_up, leader, measures, confidence)
        line = verdict(diffs, runner_up, leader, confidence, goal=goal, runs=brands)
        parts.append(f"{goal} goal ({owners}): " + line.removeprefix(f"Verdict ({goal} goal): ").rstrip("."))
    return "Market verdict: " + " | ".join(parts) + "."


def share_over_time(daily: pd.DataFrame) -> pd.DataFrame:
    """Mean market share per brand and day over replications (days before any sale in the
    category are left out)."""
    known = daily[np.isfinite(daily["market_share"].to_numpy(dtype=float))]
    return (
        known.groupby(["brand", "day"], sort=False)["market_share"]
        .agg(["mean", "count"])
        .reset_index()
        .rename(columns={"mean": "market_share", "count": "replications"})
    )


def final_shares(runs: pd.DataFrame) -> dict[str, float]:
    """Mean market share of each brand at the end of the run."""
    shares = runs.groupby("brand", sort=False)["market_share"].mean()
    return {b: float(v) if np.isfinite(v) else math.nan for b, v in shares.items()}
