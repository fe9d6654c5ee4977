"""Experiments: replications, paired strategies, confidence intervals, verdicts.

Replication ``k`` of an experiment with base seed ``s`` runs on
``SeedSequence(s).spawn(R)[k]``, whatever the number of workers, so the numbers are
the same on one core, many cores or a cluster (run a slice of replications per
machine with ``first``/``replications`` and concatenate the tables). Within a
replication every strategy runs on the same market with the same random streams
(common random numbers), so strategy differences are paired.
"""

from __future__ import annotations

import math
import multiprocessing
import sys
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from .boundary import worker_count
from .graph import generate_market
from .graph_io import graph_population, market_from_graph
from .model import InfluencerModel, seed_sequence, stream
from .params import ScenarioError, flatten, nest, resolve

#: metrics the headline comparison reports, with how to read them
HEADLINE_METRICS = {
    "spend": "USD of fees paid",
    "unspent_budget": "USD of the budget left unspent",
    "conversions": "people who bought",
    "revenue": "USD",
    "profit": "revenue x margin - spend, USD",
    "roi": "(revenue x margin - spend) / spend",
    "cpa": "USD per customer",
    "engagements": "likes, saves and comments on sponsored posts",
    "engagement_rate": "engagements per impression",
    "cpe": "USD per engagement",
    "unique_reach": "people who heard of the product",
    "share_aware": "share of the market that heard of the product",
    "cost_per_thousand_reached": "USD per thousand people reached",
    "aware_not_bought": "people who heard of the product and have not bought (yet)",
}
#: for each metric, whether more is better (costs: less is better)
HIGHER_IS_BETTER = {
    "cpa": False,
    "cpm": False,
    "cpe": False,
    "spend": False,
    "unspent_budget": False,
    "cost_per_thousand_reached": False,
}
#: the measures each campaign goal (``brand.goal``) ranks strategies on, the headline first
GOAL_MEASURES = {
    "sales": ("conversions", "roi", "cpa"),
    "awareness": ("unique_reach", "share_aware", "cost_per_thousand_reached"),
    "engagement": ("engagements", "cpe"),
}
#: when an arm could not spend its budget, totals are not comparable: these measures are
GOAL_MEASURES_UNEQUAL_SPEND = {
    "sales": ("profit", "roi"),
    "awareness": ("cost_per_thousand_reached",),
    "engagement": ("cpe",),
}
#: an arm "spent the budget" when it spent at least this share of it
SPENT_SHARE = 0.95


def headline_metrics(goal: str = "sales") -> list[str]:
    """Rows of the comparison table for a goal: spend first, then the goal's measures, then the rest.

    Examples
    --------
    >>> headline_metrics("awareness")[:5]
    ['spend', 'unspent_budget', 'unique_reach', 'share_aware', 'cost_per_thousand_reached']
    """
    return list(dict.fromkeys(["spend", "unspent_budget", *GOAL_MEASURES[goal], *HEADLINE_METRICS]))


@dataclass
class Results:
    """Tidy tables of an experiment. ``runs`` has one row per (replication, arm)."""

    runs: pd.DataFrame
    daily: pd.DataFrame
    creators: pd.DataFrame
    creator_daily: pd.DataFrame
    arms: list[str]
    seed: int | None
    replications: int
    timings: dict[str, float] = field(default_factory=dict)
    complete: bool = True
    first: int = 0
    #: the replications the tables hold, ascending (after Ctrl-C, not always a contiguous range)
    finished: list[int] = field(default_factory=list)


def with_overrides(params: dict, overrides: dict[str, Any]) -> dict:
    """A copy of ``params`` with dotted-key ``overrides`` applied and checked."""
    flat = flatten({k: v for k, v in params.items() if k != "scenario"})
    flat.update(overrides)
    out = resolve(nest(flat))
    if "scenario" in params:
        out["scenario"] = params["scenario"]
    return out


def on_graph(params: dict, graph) -> dict:
    """``params`` with the follower agents and the population a graph fixes
    (:func:`simulation.graph_io.graph_population`): what a run on ``graph`` uses and its manifest records."""
    n, population = graph_population(graph, params["market"]["population"])
    return with_overrides(params, {"market.followers": n, "market.population": population})


def strategy_arms(strategies: Iterable[str]) -> dict[str, dict[str, Any]]:
    """Arms that differ only in ``campaign.strategy``."""
    return {s: {"campaign.strategy": s} for s in strategies}


def grid_arms(strategies: Iterable[str], axes: dict[str, Iterable[Any]] | None = None) -> dict[str, dict[str, Any]]:
    """One arm per strategy and combination of parameter values.

    Examples
    --------
    >>> list(grid_arms(["mega", "micro"], {"brand.budget": [1e4, 1e5]}))
    ['mega | brand.budget=10000.0', 'mega | brand.budget=100000.0', 'micro | brand.budget=10000.0', 'micro | brand.budget=100000.0']
    """
    import itertools

    axes = axes or {}
    keys = list(axes)
    arms = {}
    for strategy in strategies:
        for values in itertools.product(*(list(axes[k]) for k in keys)):
            name = " | ".join([strategy, *(f"{k}={v}" for k, v in zip(keys, values))])
            arms[name] = {"campaign.strategy": strategy, **dict(zip(keys, values))}
    return arms


def run_replication(
    params: dict,
    arms: dict[str, dict],
    seq: np.random.SeedSequence,
    replication: int,
    graph=None,
    *,
    tables: tuple[str, ...] = ("daily", "creators", "creator_daily"),
    record_errors: bool = False,
) -> tuple[list[dict], list[pd.DataFrame], list[pd.DataFrame], list[pd.DataFrame]]:
    """Run every arm of one replication on one shared market (common random numbers).

    Returns the summary rows (one per arm, with the arm's overrides as columns) and the
    per-day, per-creator and per-creator-day tables named in ``tables`` (others stay empty).
    With ``record_errors``, an arm that cannot run (a :class:`ScenarioError` such as a
    budget that hires nobody) gives a row with its reason in ``error`` instead of raising;
    the other arms still run.
    """
    market = None
    rows, daily, creators, creator_daily = [], [], [], []
    for arm, overrides in arms.items():
        p = with_overrides(params, overrides)
        t = time.perf_counter()
        try:
            if market is None or _market_changes(overrides):
                market = (
                    market_from_graph(graph, p, stream(seq, "market"))
                    if graph is not None
                    else generate_market(p, stream(seq, "market"))
                )
            model = InfluencerModel(seed=seq, params=p, market=market)
        except ScenarioError as exc:
            if not record_errors:
                raise
            rows.append({**overrides, "replication": replication, "arm": arm, "error": str(exc)})
            continue
        model.run()
        seconds = time.perf_counter() - t
        for summary in model.summary().to_dict("records"):  # one row per brand of the market
            summary.update(overrides)  # the arm's settings as columns, for sweeps
            summary.update(replication=replication, arm=arm, seconds=seconds)
            rows.append(summary)
        if "daily" in tables:
            daily.append(_tagged(model.daily(), replication, arm))
        if "creators" in tables:
            table = model.creator_table()
            posted = np.any([brand.by_creator["posts"] > 0 for brand in model.brands], axis=0)
            creators.append(_tagged(table[posted].copy(), replication, arm))
        if "creator_daily" in tables:
            creator_daily.append(_tagged(model.creator_daily(), replication, arm))
    return rows, daily, creators, creator_daily


def _tagged(table: pd.DataFrame, replication: int, arm: str) -> pd.DataFrame:
    """``table`` with ``replication`` and ``arm`` as its first columns."""
    table.insert(0, "arm", arm)
    table.insert(0, "replication", replication)
    return table


def _market_changes(overrides: dict[str, Any]) -> bool:
    """Whether an arm's overrides change the market itself (then it is rebuilt)."""
    return any(k.split(".")[0] in ("market", "followers", "creators") or k == "trust.initial_sd" for k in overrides)


def run_experiment(
    params: dict,
    arms: dict[str, dict[str, Any]],
    *,
    replications: int = 20,
    seed: int | None = 0,
    workers: int = 1,
    first: int = 0,
    progress: bool = False,
    on_result: Callable[[int], None] | None = None,
    graph=None,
) -> Results:
    """Run ``replications`` paired replications of every arm.

    Parameters
    ----------
    params : dict
        Resolved scenario (see :func:`simulation.params.load_scenario`).
    arms : dict
        Arm name -> dotted-key overrides, e.g. ``{"mega": {"campaign.strategy": "mega"}}``.
    replications, seed, first : int
        Replications ``first .. first + replications - 1`` of base seed ``seed``.
    workers : int
        Processes (1 = in this process), capped at the replications, the cores and
        what memory holds. The results do not depend on it.
    graph : networkx.Graph, optional
        A user's graph to run on instead of a generated market (attributes it lacks
        are drawn per replication).

    Returns
    -------
    Results
        Complete, or with ``complete=False`` holding every replication that finished
        if the run was interrupted (KeyboardInterrupt); ``finished`` lists them.

    Examples
    --------
    >>> p = resolve({"market": {"followers": 2000, "days": 5}})
    >>> r = run_experiment(p, strategy_arms(["mega", "micro"]), replications=2, seed=1)
    >>> sorted(r.runs["arm"].unique()), len(r.runs)
    (['mega', 'micro'], 4)
    """
    for overrides in arms.values():  # check every arm before computing anything
        with_overrides(params, overrides)
    if graph is not None:
        params = on_graph(params, graph)
    if seed is None:
        seed = int(np.random.SeedSequence().entropy % 2**63)
    root = seed_sequence(seed)
    # child k of the root, as root.spawn(R)[k] gives it, without spawning the first `first`
    seqs = [np.random.SeedSequence(root.entropy, spawn_key=(*root.spawn_key, first + k)) for k in range(replications)]
    workers = worker_count(workers, replications, params if graph is None else None)
    start = time.perf_counter()
    finished: dict[int, tuple] = {}  # replication -> its tables; one assignment, so Ctrl-C never splits one
    bar = _progress(replications, progress)
    complete = True

    def collect(replication: int, result) -> None:
        finished[replication] = result
        bar.update(1)
        if on_result:
            on_result(len(finished))

    futures: dict = {}
    try:
        if workers <= 1:
            for k, seq in enumerate(seqs):
                collect(first + k, run_replication(params, arms, seq, first + k, graph))
        else:
            with ProcessPoolExecutor(max_workers=workers, mp_context=pool_context()) as pool:
                futures = {
                    pool.submit(run_replication, params, arms, seq, first + k, graph): first + k
                    for k, seq in enumerate(seqs)
                }
                try:
                    for fut in as_completed(futures):
                        collect(futures[fut], fut.result())
                except BaseException:  # Ctrl-C or a failed replication: start nothing more
                    for fut in futures:
                        fut.cancel()
                    raise
    except KeyboardInterrupt:
        complete = False
        for fut, replication in futures.items():  # finished before Ctrl-C but not yet collected: keep them
            if replication not in finished and fut.done() and not fut.cancelled() and fut.exception() is None:
                finished[replication] = fut.result()
    finally:
        bar.close()
    done = len(finished)
    rows, daily, creators, creator_daily = ([], [], [], [])
    for replication in sorted(finished):
        for table, part in zip((rows, daily, creators, creator_daily), finished[replication]):
            table += part
    runs = pd.DataFrame(rows)
    if len(runs):
        runs = runs.sort_values(["replication", "arm"], kind="stable").reset_index(drop=True)
        front = ["replication", "arm"]
        runs = runs[front + [c for c in runs.columns if c not in front]]
    return Results(
        runs=runs,
        daily=pd.concat(daily, ignore_index=True).sort_values(["replication", "arm", "step"], kind="stable")
        if daily
        else pd.DataFrame(),
        creators=pd.concat(creators, ignore_index=True) if creators else pd.DataFrame(),
        creator_daily=pd.concat(creator_daily, ignore_index=True).sort_values(
            ["replication", "arm", "step", "creator"], kind="stable"
        )
        if creator_daily
        else pd.DataFrame(),
        arms=list(arms),
        seed=seed,
        replications=done,
        timings={"total_seconds": time.perf_counter() - start, "workers": workers},
        complete=complete,
        first=first,
        finished=sorted(finished),
    )


def pool_context():
    """A start method of our own, never the program-wide one (which Mesa's batch_run forces).

    Fork on Linux: workers inherit the loaded modules, so a researcher's script needs no
    ``if __name__ == "__main__":`` guard and workers start fast; spawn elsewhere (fork is
    unsafe on macOS). Results do not depend on it: every replication carries its seed.
    """
    if sys.platform.startswith("linux") and "fork" in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("fork")
    return multiprocessing.get_context("spawn")


def _progress(total: int, enabled: bool):
    from tqdm.auto import tqdm

    tqdm.monitor_interval = 0  # no monitor thread: the process stays single-threaded for fork
    return tqdm(total=total, disable=not enabled, unit="replication", desc="replications", leave=False)


# ----------------------------------------------------------------------------
# statistics
# ----------------------------------------------------------------------------


def fmt_number(x) -> str:
    """Compact human formatting: ``12,000``, ``48.3``, ``0.0215``, ``n/a``.

    Examples
    --------
    >>> fmt_number(12000.4), fmt_number(48.26), fmt_number(0.021549), fmt_number(float("nan"))
    ('12,000', '48.3', '0.0215', 'n/a')
    """
    if x is None or not np.isfinite(x):
        return "n/a"
    if abs(x) >= 1000:
        return f"{x:,.0f}"
    if abs(x) >= 10:
        return f"{x:.1f}"
    return f"{x:.3g}"


def mean_ci(values, confidence: float = 0.95) -> tuple[float, float, float]:
    """Mean and Student-t confidence interval of the finite values.

    Examples
    --------
    >>> m, lo, hi = mean_ci([1.0, 2.0, 3.0])
    >>> m, round(lo, 3), round(hi, 3)
    (2.0, -0.484, 4.484)
    """
    x = np.asarray(values, dtype=float)
    x = x[np.isfinite(x)]
    if len(x) == 0:
        return (math.nan, math.nan, math.nan)
    m = float(x.mean())
    if len(x) < 2:
        return (m, math.nan, math.nan)
    half = float(stats.t.ppf(0.5 + confidence / 2, len(x) - 1) * x.std(ddof=1) / math.sqrt(len(x)))
    return (m, m - half, m + half)


def summarize(runs: pd.DataFrame, metrics: Iterable[str] = HEADLINE_METRICS, confidence: float = 0.95) -> pd.DataFrame:
    """Mean and confidence interval of each metric for each arm (long format)."""
    rows = []
    for arm, group in runs.groupby("arm", sort=False):
        for metric in metrics:
            m, lo, hi = mean_ci(group[metric], confidence)
            rows.append(
                {
                    "arm": arm,
                    "metric": metric,
                    "mean": m,
                    "ci_low": lo,
                    "ci_high": hi,
                    "n": int(group[metric].notna().sum()),
                }
            )
    return pd.DataFrame(rows)


def paired_differences(
    runs: pd.DataFrame, a: str, b: str, metrics: Iterable[str] = HEADLINE_METRICS, confidence: float = 0.95
) -> pd.DataFrame:
    """Paired difference ``b - a`` per metric over replications, with its interval.

    ``wins_b`` is the share of replications where ``b`` is better (respecting
    whether more or less is better for the metric).
    """
    wide = runs.pivot(index="replication", columns="arm")
    rows = []
    for metric in metrics:
        diff = (wide[(metric, b)] - wide[(metric, a)]).to_numpy(dtype=float)
        m, lo, hi = mean_ci(diff, confidence)
        better = diff > 0 if HIGHER_IS_BETTER.get(metric, True) else diff < 0
        ok = np.isfinite(diff)
        base_values = wide[(metric, a)].to_numpy(dtype=float)
        base = float(np.nanmean(base_values)) if np.isfinite(base_values).any() else math.nan
        rows.append(
            {
                "metric": metric,
                "difference": m,
                "ci_low": lo,
                "ci_high": hi,
                "relative": m / base if base else math.nan,
                "wins_b": float(better[ok].mean()) if ok.any() else math.nan,
                "n": int(ok.sum()),
            }
        )
    return pd.DataFrame(rows)


def spend_shares(runs: pd.DataFrame) -> dict[str, float]:
    """Mean share of the budget each arm spent."""
    share = runs["spend"] / runs["budget"].where(runs["budget"] > 0)
    return share.groupby(runs["arm"], sort=False).mean().to_dict()


def verdict(
    diffs: pd.DataFrame,
    a: str,
    b: str,
    confidence: float = 0.95,
    *,
    goal: str = "sales",
    runs: pd.DataFrame | None = None,
) -> str:
    """One line: who wins on the goal's measures, by how much, how sure.

    With ``runs``, an arm that spent less than 95% of its budget is named, and the
    strategies are then ranked on what a dollar buys (profit and ROI for sales, cost per
    thousand people reached, cost per engagement), not on totals.
    """
    d = diffs.set_index("metric")

    def judge(metric: str) -> str:
        if metric not in d.index:
            return f"{metric}: not measured"
        row = d.loc[metric]
        lo, hi, m = row["ci_low"], row["ci_high"], row["difference"]
        label = metric.replace("_", " ")
        if not np.isfinite(lo):
            return f"{label}: too few replications to tell"
        sign = 1 if HIGHER_IS_BETTER.get(metric, True) else -1
        ci = f"{confidence:.0%} CI of {b} - {a}: {fmt_number(lo)} to {fmt_number(hi)}"
        if lo > 0 or hi < 0:
            winner, loser = (b, a) if sign * m > 0 else (a, b)
            rel = abs(row["relative"]) * 100 if np.isfinite(row["relative"]) else math.nan
            rel_text = f"{rel:.0f}%; " if np.isfinite(rel) else ""
            share = row["wins_b"] if winner == b else 1 - row["wins_b"]
            return (
                f"{winner} beats {loser} on {label} by {fmt_number(abs(m))} ({rel_text}{ci}; "
                f"{winner} better in {share:.0%} of paired runs)"
            )
        return f"no clear winner on {label} ({ci} includes 0)"

    measures = GOAL_MEASURES[goal]
    preface = ""
    if runs is not None:
        shares = spend_shares(runs)
        short = [arm for arm in (a, b) if np.isfinite(shares.get(arm, np.nan)) and shares[arm] < SPENT_SHARE]
        if short:
            spent = ", ".join(f"{arm} spent {shares[arm]:.0%}" for arm in (a, b))
            preface = (
                f"{' and '.join(short)} could not spend the budget ({spent}), so the strategies are compared "
                f"on what each dollar bought, not on totals; "
            )
            measures = GOAL_MEASURES_UNEQUAL_SPEND[goal]
    return f"Verdict ({goal} goal): " + preface + "; ".join(judge(m) for m in measures) + "."


#: the mechanisms a strategist asks about, with how to print them
DRIVERS = (
    ("engagement_rate", "engagement per impression", "{:.1%}"),
    ("ctr", "click-through rate", "{:.1%}"),
    ("mean_trust_hired", "followers' trust in the hired creators", "{:.2f}"),
    ("mean_status_posted", "creators' status (0 unknown, 1 celebrity)", "{:.2f}"),
    ("status_weight_clicked", "weight of status in the message for the people who clicked", "{:.0%}"),
    ("unique_reach", "people reached", "{:,.0f}"),
    ("audience_overlap", "audience overlap between hired creators", "{:.0%}"),
    ("spend", "spend (USD)", "{:,.0f}"),
    ("aware_not_bought", "people aware who have not bought yet", "{:,.0f}"),
    ("wom_share", "share of sales by word of mouth", "{:.0%}"),
)


def explain(runs: pd.DataFrame, a: str, b: str) -> str:
    """One line on why: the drivers of the result, as means per strategy.

    Examples
    --------
    >>> runs = pd.DataFrame({"arm": ["x", "y"], "replication": [0, 0], "engagement_rate": [0.02, 0.04],
    ...     "ctr": [0.01, 0.03], "mean_trust_hired": [0.5, 0.6], "unique_reach": [1e6, 1.5e6],
    ...     "audience_overlap": [0.0, 0.1], "spend": [5e4, 1e5], "conversions": [100.0, 400.0],
    ...     "conversions_wom": [10.0, 40.0]})
    >>> explain(runs, "x", "y")[:71]
    'Why: engagement per impression 2.0% (x) vs 4.0% (y); click-through rate'
    """
    runs = runs.assign(wom_share=runs["conversions_wom"] / runs["conversions"].where(runs["conversions"] > 0))
    drivers = [(key, label, fmt) for key, label, fmt in DRIVERS if key in runs]
    means = runs.groupby("arm")[[key for key, _, _ in drivers]].mean()
    parts = []
    for key, label, fmt in drivers:
        va, vb = means.loc[a, key], means.loc[b, key]
        if np.isfinite(va) and np.isfinite(vb):
            parts.append(f"{label} {fmt.format(va)} ({a}) vs {fmt.format(vb)} ({b})")
    return "Why: " + "; ".join(parts) + "."


def scenario_verdicts(
    names: Iterable[str],
    *,
    replications: int = 10,
    seed: int = 0,
    sets: Iterable[str] = (),
    workers: int = 1,
    confidence: float = 0.95,
) -> pd.DataFrame:
    """Each scenario's own comparison (its ``compare`` pair, default mega and micro), judged
    on its goal's headline measure: one row per scenario.

    An arm that could not spend 95% of the budget moves the judgement to what a dollar
    bought (:data:`GOAL_MEASURES_UNEQUAL_SPEND`), as :func:`verdict` does.
    """
    from .params import load_scenario

    rows = []
    for name in names:
        scenario = load_scenario(name, list(sets))
        a, b = scenario["scenario"].get("compare", ["mega", "micro"])
        brand, goal = scenario["brand"], scenario["brand"]["goal"]
        res = run_experiment(scenario, strategy_arms([a, b]), replications=replications, seed=seed, workers=workers)
        shares = spend_shares(res.runs)
        unequal = any(shares.get(arm, 1.0) < SPENT_SHARE for arm in (a, b))
        measure = (GOAL_MEASURES_UNEQUAL_SPEND if unequal else GOAL_MEASURES)[goal][0]
        d = paired_differences(res.runs, a, b, [measure], confidence).iloc[0]
        means = res.runs.groupby("arm")[measure].mean()
        sign = 1 if HIGHER_IS_BETTER.get(measure, True) else -1
        if d["ci_low"] > 0 or d["ci_high"] < 0:
            winner = b if sign * d["difference"] > 0 else a
        else:
            winner = "no clear winner"
        rows.append(
            {
                "scenario": name,
                "product": f"{brand['niche']}, {brand['price']:,.0f} USD, luxury {brand['luxury']:g}, "
                f"interest {brand['category_interest']:g}",
                "goal": goal,
                "compared": f"{a} vs {b}",
                "measure": measure.replace("_", " "),
                "result": f"{a} {fmt_number(means[a])}, {b} {fmt_number(means[b])}",
                "second - first": f"{fmt_number(d['difference'])} ({fmt_number(d['ci_low'])} to "
                f"{fmt_number(d['ci_high'])})",
                "spent": ", ".join(f"{arm} {shares[arm]:.0%}" for arm in (a, b)),
                "winner": winner,
            }
        )
    return pd.DataFrame(rows)
