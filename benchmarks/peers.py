"""Benchmarks side by side: the engine against plain Mesa, NDlib and CyNetDiff.

In the same run and on the same friend graph, seed set and ``p``:

- the engine's word of mouth against :mod:`benchmarks.baselines`, the same rule written
  the plain-Mesa way (each follower loops over its neighbours in ``step``):
  :func:`compare_plain_mesa`;
- the model configured as the independent cascade (campaign ``none``, no persuasion,
  conversion 1, one active day, tell probability ``p``) against NDlib's
  ``IndependentCascadesModel`` and CyNetDiff, each run to completion; times are per
  cascade and leave out each tool's one-off setup (graph conversion, model construction;
  the engine's model construction is reported on its own): :func:`compare_cascades`.
  The NDlib and CyNetDiff drivers are the validation's
  (:func:`simulation.validation.ndlib_ic_spreads`, :func:`~simulation.validation.cynetdiff_ic_spreads`).

:func:`benchmarks.bench.run_benchmarks` runs both, each in a fresh process, and writes
their rows to ``comparisons.csv`` and ``BENCHMARKS.md``.
"""

from __future__ import annotations

import math
import time
from typing import Any

import networkx as nx
import numpy as np

from simulation.experiment import mean_ci
from simulation.validation import cynetdiff_ic_spreads, ndlib_ic_spreads

DAYS = 30
IC_PROBABILITY = 0.2  # above the friend graph's epidemic threshold: cascades reach most followers
IC_SEEDS = 10
SEED = 20240601


# ----------------------------------------------------------------------------
# helpers
# ----------------------------------------------------------------------------


def ic_params(n: int, p: float, days: int = DAYS) -> dict:
    """Scenario that makes the model the independent cascade on its friend graph."""
    return {
        "campaign": {"strategy": "none"},
        "trust": {"dynamics": False},
        "brand": {"quality": 1.0},
        "word_of_mouth": {"persuasion": False, "conversion": 1.0, "active_days": 1.0, "tell_probability": p},
        "market": {"population": n, "followers": n, "days": days},
    }


def _comparison_graph(n: int, seed: int) -> nx.Graph:
    """The friend graph of the market :func:`benchmarks.bench.measure_size` builds at ``n`` followers."""
    from simulation.graph import generate_market
    from simulation.graph_io import to_friend_graph
    from simulation.model import seed_sequence, stream
    from simulation.params import resolve

    return to_friend_graph(
        generate_market(resolve({"market": {"followers": n}}), stream(seed_sequence(seed), "market"))
    )


def _seeds(n: int, seed: int) -> list[int]:
    return np.random.default_rng(np.random.SeedSequence(seed)).choice(n, min(IC_SEEDS, n), replace=False).tolist()


# ----------------------------------------------------------------------------
# comparisons (each runs in its own process)
# ----------------------------------------------------------------------------


def _engine_cascade(market, params, seeds, seed: int, until_done: bool) -> tuple[int, float, float]:
    """(spread, construction seconds, diffusion seconds) of one engine run."""
    from simulation.model import InfluencerModel

    t0 = time.perf_counter()
    model = InfluencerModel(seed=seed, market=market, params=params, collect=False)
    brand = model.brands[0]
    t1 = time.perf_counter()
    brand.seed_buyers(seeds)
    if until_done:  # like the peers: stop the day nobody new bought
        while model.steps < model.n_steps:
            model.step()
            if brand.tally["conversions_wom"] == 0:
                break
    else:
        model.run()
    t2 = time.perf_counter()
    return int((brand.state == 3).sum()), t1 - t0, t2 - t1


def compare_plain_mesa(
    n: int,
    p: float = IC_PROBABILITY,
    days: int = DAYS,
    seed: int = SEED,
    engine_reps: int = 5,
    mesa_reps: int | None = None,
) -> dict[str, Any]:
    """The engine's word of mouth against the plain-Mesa rule, ``days`` days on the same graph."""
    from simulation.graph_io import market_from_graph
    from simulation.params import resolve

    from .baselines import PlainMesaWordOfMouth

    params = ic_params(n, p, days)
    g = _comparison_graph(n, seed)
    market = market_from_graph(g, resolve(params), seed=seed)
    seeds = _seeds(n, seed)
    runs = [_engine_cascade(market, params, seeds, seed + r, until_done=False) for r in range(engine_reps)]
    mesa_reps = mesa_reps or (1 if n >= 50_000 else 5)
    mesa_init, mesa_run, mesa_spread = [], [], []
    for r in range(mesa_reps):
        t0 = time.perf_counter()
        model = PlainMesaWordOfMouth(g, seeds, p, rng=np.random.default_rng(np.random.SeedSequence(seed + r)))
        t1 = time.perf_counter()
        model.run(days)
        t2 = time.perf_counter()
        mesa_init.append(t1 - t0)
        mesa_run.append(t2 - t1)
        mesa_spread.append(model.spread())
    engine_run = float(np.mean([r[2] for r in runs]))
    e_mean, e_half = _mean_half_width([r[0] for r in runs])
    p_mean, p_half = _mean_half_width(mesa_spread)
    same = abs(e_mean - p_mean) <= _welch_half_width([r[0] for r in runs], mesa_spread) if mesa_reps > 1 else None
    return {
        "comparison": "plain Mesa",
        "followers": n,
        "friend_ties": g.number_of_edges(),
        "p": p,
        "days": days,
        "engine_s": engine_run,
        "engine_init_s": float(np.mean([r[1] for r in runs])),
        "engine_spread": e_mean,
        "engine_spread_ci": e_half,
        "engine_reps": engine_reps,
        "peer_s": float(np.mean(mesa_run)),
        "peer_init_s": float(np.mean(mesa_init)),
        "peer_spread": p_mean,
        "peer_spread_ci": p_half,
        "peer_reps": mesa_reps,
        "speedup": float(np.mean(mesa_run)) / engine_run,
        "same_spread": same,
    }


def compare_cascades(
    n: int,
    p: float = IC_PROBABILITY,
    seed: int = SEED,
    engine_reps: int = 20,
    cynetdiff_reps: int = 100,
    ndlib_reps: int | None = None,
) -> list[dict[str, Any]]:
    """The model as the independent cascade against NDlib and CyNetDiff, to completion."""
    from simulation.graph_io import market_from_graph
    from simulation.params import resolve

    params = ic_params(n, p, days=3650)  # a cap: cascades end long before
    g = _comparison_graph(n, seed)
    market = market_from_graph(g, resolve(params), seed=seed)
    seeds = _seeds(n, seed)
    runs = [_engine_cascade(market, params, seeds, seed + r, until_done=True) for r in range(engine_reps)]
    engine = {"spreads": [r[0] for r in runs], "times": [r[2] for r in runs], "init": [r[1] for r in runs]}
    peers = {
        "CyNetDiff": _reference_cascades(cynetdiff_ic_spreads, g, seeds, p, seed, cynetdiff_reps),
        "NDlib": _reference_cascades(ndlib_ic_spreads, g, seeds, p, seed, ndlib_reps or max(3, min(30, 300_000 // n))),
    }
    e_mean, e_half = _mean_half_width(engine["spreads"])
    e_time = float(np.mean(engine["times"]))
    rows = []
    for name, peer in peers.items():
        row = {
            "comparison": f"independent cascade vs {name}",
            "followers": n,
            "friend_ties": g.number_of_edges(),
            "p": p,
            "seeds": len(seeds),
            "engine_s": e_time,
            "engine_init_s": float(np.mean(engine["init"])),
            "engine_spread": e_mean,
            "engine_spread_ci": e_half,
            "engine_reps": engine_reps,
        }
        if peer is None:
            row["note"] = f"{name} is not installed"
            rows.append(row)
            continue
        p_mean, p_half = _mean_half_width(peer["spreads"])
        diff_half = _welch_half_width(engine["spreads"], peer["spreads"])
        p_time = float(np.mean(peer["times"]))
        row.update(
            {
                "peer_s": p_time,
                "peer_spread": p_mean,
                "peer_spread_ci": p_half,
                "peer_reps": len(peer["spreads"]),
                "speedup": p_time / e_time,
                "same_spread": bool(abs(e_mean - p_mean) <= diff_half),
            }
        )
        rows.append(row)
    return rows


def _mean_half_width(values) -> tuple[float, float]:
    """Mean and half-width of its 95% t interval (:func:`simulation.experiment.mean_ci`)."""
    mean, low, high = mean_ci(values)
    return mean, (high - low) / 2


def _welch_half_width(a, b) -> float:
    """Half-width of the 95% Welch interval of mean(a) - mean(b)."""
    from scipy import stats

    a, b = np.asarray(a, float), np.asarray(b, float)
    va, vb = a.var(ddof=1) / len(a), b.var(ddof=1) / len(b)
    if va + vb == 0:
        return 0.0
    dof = (va + vb) ** 2 / (va**2 / (len(a) - 1) + vb**2 / (len(b) - 1))
    return float(stats.t.ppf(0.975, dof) * math.sqrt(va + vb))


def _reference_cascades(driver, g: nx.Graph, seeds, p: float, seed: int, reps: int) -> dict | None:
    """Spreads and per-cascade seconds of a reference library's driver; ``None`` if it is not installed."""
    times: list[float] = []
    try:
        spreads = driver(g, seeds, p, reps, seed=seed, timings=times)
    except ImportError:
        return None
    return {"spreads": spreads.tolist(), "times": times}
