"""Benchmarks: speed and memory by market size, and the engine side by side with its peers.

:func:`run_benchmarks` measures, for each follower count, in a fresh process so that
peak memory belongs to that size alone:

- ``build_s``: generating the market (creators, follow edges, friend graph);
- ``init_s``: building the model on it (Mesa agents, derived arrays, campaign plan);
  ``agent_us`` is Mesa's cost of creating one agent, measured on its own;
- ``day_ms`` and ``run_s``: simulating ``market.days`` (30) days, DataCollector on;
- ``edge_updates_per_s``: follow edges x days / run time (every follow edge gets a
  view trial each day; word-of-mouth trials on friend edges come on top, uncounted);
- ``peak_rss_mb``: the process's peak resident memory (``ru_maxrss``), interpreter and
  libraries included;
- ``total_s``: build + init + run, the whole 30-day run;
- ``networkx_*``: the same market as a NetworkX DiGraph (time, memory, bytes per edge),
  measured up to 100,000 followers and extrapolated above.

Side by side, in the same run and on the same friend graph, seed set and ``p``, it
compares the engine with plain Mesa, NDlib and CyNetDiff (:mod:`benchmarks.peers`).

It writes ``bench.csv``, ``comparisons.csv``, ``BENCHMARKS.md`` (tables and the machine)
and ``bench_scaling.png`` (log-log time against edges with a slope-1 line) to ``out_dir``.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import platform
import resource
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from datetime import datetime
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from simulation.experiment import fmt_number

from .peers import DAYS, IC_SEEDS, SEED, compare_cascades, compare_plain_mesa

NETWORKX_MAX = 100_000  # largest size converted to NetworkX (the rest is extrapolated)
COMPARISON_SIZE = 100_000

COLUMNS = (
    "followers",
    "creators",
    "follow_edges",
    "friend_ties",
    "edges",
    "build_s",
    "init_s",
    "agent_us",
    "day_ms",
    "run_s",
    "edge_updates_per_s",
    "peak_rss_mb",
    "total_s",
    "networkx_s",
    "networkx_mb",
    "networkx_bytes_per_edge",
)


# ----------------------------------------------------------------------------
# helpers
# ----------------------------------------------------------------------------


def _peak_rss_mb() -> float:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 2**20 if sys.platform == "darwin" else peak / 2**10  # bytes on macOS, KiB on Linux


def _current_rss_mb() -> float:
    try:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20
    except OSError:
        return float("nan")


def _in_fresh_process(fn, *args):
    """Run ``fn(*args)`` in a new interpreter (spawn), so its peak memory is its own."""
    with ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn")) as pool:
        return pool.submit(fn, *args).result()


# ----------------------------------------------------------------------------
# measurements (each runs in its own process)
# ----------------------------------------------------------------------------


def measure_size(n: int, days: int = DAYS, seed: int = SEED) -> dict[str, Any]:
    """Build, initialise and run the default scenario at ``n`` followers; time and memory."""
    import mesa

    from simulation.agents import FollowerAgent
    from simulation.graph import generate_market
    from simulation.model import InfluencerModel, seed_sequence, stream
    from simulation.params import resolve

    k = min(n, 100_000)  # Mesa's own cost per agent, on a bare model, before anything else is in memory
    bare = mesa.Model(rng=np.random.default_rng(seed))
    t = time.perf_counter()
    for i in range(k):
        FollowerAgent(bare, i)
    agent_us = (time.perf_counter() - t) / k * 1e6
    del bare
    gc.collect()

    params = resolve({"market": {"followers": n, "days": days}})
    t0 = time.perf_counter()
    market = generate_market(params, stream(seed_sequence(seed), "market"))  # what the model would build
    t1 = time.perf_counter()
    model = InfluencerModel(seed=seed, params=params, market=market)
    t2 = time.perf_counter()
    model.run()
    t3 = time.perf_counter()
    peak = _peak_rss_mb()
    follow, ties = len(market.follow_follower), len(market.friend_index) // 2
    return {
        "followers": n,
        "creators": market.n_creators,
        "follow_edges": follow,
        "friend_ties": ties,
        "edges": follow + ties,
        "build_s": t1 - t0,
        "init_s": t2 - t1,
        "day_ms": (t3 - t2) / days * 1e3,
        "run_s": t3 - t2,
        "edge_updates_per_s": follow * days / (t3 - t2),
        "peak_rss_mb": peak,
        "total_s": t3 - t0,
        "agent_us": agent_us,
    }


def measure_networkx(n: int, seed: int = SEED) -> dict[str, Any]:
    """Time and memory of the NetworkX DiGraph of an ``n``-follower market."""
    from simulation.graph import generate_market
    from simulation.graph_io import to_networkx
    from simulation.params import resolve

    market = generate_market(resolve({"market": {"followers": n}}), seed=seed)
    before = _current_rss_mb()
    t = time.perf_counter()
    g = to_networkx(market)
    elapsed = time.perf_counter() - t
    grown = _current_rss_mb() - before
    edges = g.number_of_edges()
    return {
        "followers": n,
        "networkx_s": elapsed,
        "networkx_mb": grown,
        "networkx_bytes_per_edge": grown * 2**20 / max(edges, 1),
        "networkx_edges": edges,
    }


# ----------------------------------------------------------------------------
# the suite
# ----------------------------------------------------------------------------


def run_benchmarks(
    sizes=(10_000, 100_000, 1_000_000),
    out_dir: Path = Path("results/bench"),
    progress: bool = True,
    *,
    comparison_size: int | None = None,
) -> pd.DataFrame:
    """Measure every size and the side-by-side comparisons; write the report to ``out_dir``.

    Parameters
    ----------
    sizes : tuple of int
        Follower counts to measure (each in a fresh process).
    out_dir : pathlib.Path
        Where ``bench.csv``, ``comparisons.csv``, ``BENCHMARKS.md`` and
        ``bench_scaling.png`` go (created if missing).
    progress : bool
        Print a line to stderr as each measurement finishes.
    comparison_size : int, optional
        Followers for the plain-Mesa and independent-cascade comparisons; 100,000 when the
        sizes reach it, else the largest size.

    Returns
    -------
    pandas.DataFrame
        One row per size with the columns in :data:`COLUMNS`; the comparisons are in
        ``.attrs["comparisons"]`` (a DataFrame).
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    sizes = tuple(int(s) for s in sizes)
    started = time.perf_counter()

    def say(text: str) -> None:
        if progress:
            print(f"[bench {time.perf_counter() - started:6.1f} s] {text}", file=sys.stderr, flush=True)

    rows = []
    for n in sizes:
        row = _in_fresh_process(measure_size, n)
        say(
            f"{n:,} followers: build {row['build_s']:.2f} s, {row['day_ms']:.0f} ms/day, "
            f"total {row['total_s']:.2f} s, peak {row['peak_rss_mb']:,.0f} MB"
        )
        if n <= NETWORKX_MAX:
            row.update(_in_fresh_process(measure_networkx, n))
            say(f"{n:,} followers as NetworkX: {row['networkx_s']:.1f} s, {row['networkx_mb']:,.0f} MB")
        rows.append(row)
    table = pd.DataFrame(rows).reindex(columns=list(COLUMNS))

    size = comparison_size or (COMPARISON_SIZE if max(sizes) >= COMPARISON_SIZE else max(sizes))
    comparisons = [_in_fresh_process(compare_plain_mesa, size)]
    say(f"plain Mesa at {size:,}: engine {comparisons[0]['speedup']:.0f}x faster")
    comparisons += _in_fresh_process(compare_cascades, size)
    for c in comparisons[1:]:
        if "speedup" in c:
            say(f"{c['comparison']} at {size:,}: peer/engine time {c['speedup']:.2f}")
    comparisons = pd.DataFrame(comparisons)
    table.attrs["comparisons"] = comparisons

    table.to_csv(out_dir / "bench.csv", index=False)
    comparisons.to_csv(out_dir / "comparisons.csv", index=False)
    _plot(table, out_dir / "bench_scaling.png")
    (out_dir / "BENCHMARKS.md").write_text(_report(table, comparisons, sizes), encoding="utf-8")
    say("report written")
    return table


# ----------------------------------------------------------------------------
# report
# ----------------------------------------------------------------------------


def machine() -> dict[str, str]:
    """CPU model, cores, memory and the versions that matter, for the report."""
    cpu = platform.processor() or platform.machine()
    ram = float("nan")
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                ram = int(line.split()[1]) / 2**20
                break
    except OSError:
        pass
    info = {
        "cpu": cpu,
        "cores": str(os.cpu_count()),
        "ram_gb": f"{ram:.1f}",
        "os": platform.platform(),
        "python": platform.python_version(),
    }
    for package in ("numpy", "mesa", "networkx", "pandas", "ndlib", "cynetdiff"):
        try:
            info[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            info[package] = "not installed"
    return info


def loglog_slope(x, y) -> float:
    """Least-squares slope of log y against log x (1 = linear).

    Examples
    --------
    >>> round(loglog_slope([1e4, 1e5, 1e6], [0.1, 1.0, 10.0]), 6)
    1.0
    """
    x, y = np.log(np.asarray(x, float)), np.log(np.asarray(y, float))
    return float(np.polyfit(x, y, 1)[0]) if len(x) >= 2 else float("nan")


def _plot(table: pd.DataFrame, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6.4, 4.8))
    x = table["edges"].to_numpy(float)
    for column, label in (
        ("total_s", "whole 30-day run"),
        ("build_s", "graph build"),
        ("init_s", "model init (Mesa agents)"),
        ("run_s", "30 simulated days"),
    ):
        ax.loglog(x, table[column], "o-", label=label)
    mid = len(x) // 2
    ref = np.array([x.min(), x.max()]) if len(x) else np.array([1.0, 10.0])
    if len(x):
        ax.loglog(ref, table["total_s"].iloc[mid] * ref / x[mid], "k--", lw=1, label="slope 1 (linear)")
    ax.set_xlabel("edges (follow edges + friend ties)")
    ax.set_ylabel("seconds")
    ax.set_title("Cost against graph size")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def _markdown(header: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|:---|" + "|".join("---:" for _ in header[1:]) + "|"]
    lines += ["| " + " | ".join(r) + " |" for r in rows]
    return "\n".join(lines)


def _report(table: pd.DataFrame, comparisons: pd.DataFrame, sizes) -> str:
    info = machine()
    sizes_arg = ",".join(str(s) for s in sizes)
    main = _markdown(
        [
            "followers",
            "edges",
            "graph build (s)",
            "model init (s)",
            "per day (ms)",
            "edge updates/s",
            "peak RSS (MB)",
            "30-day run, build included (s)",
        ],
        [
            [
                f"{r.followers:,}",
                f"{r.edges:,}",
                fmt_number(r.build_s),
                fmt_number(r.init_s),
                fmt_number(r.day_ms),
                fmt_number(r.edge_updates_per_s),
                fmt_number(r.peak_rss_mb),
                fmt_number(r.total_s),
            ]
            for r in table.itertuples()
        ],
    )
    detail = _markdown(
        [
            "followers",
            "creators",
            "follow edges",
            "friend ties",
            "Mesa agent creation (µs each)",
            "NetworkX build (s)",
            "NetworkX memory (MB)",
            "NetworkX bytes/edge",
        ],
        [
            [
                f"{r.followers:,}",
                f"{r.creators:,}",
                f"{r.follow_edges:,}",
                f"{r.friend_ties:,}",
                fmt_number(r.agent_us),
                fmt_number(r.networkx_s),
                fmt_number(r.networkx_mb),
                fmt_number(r.networkx_bytes_per_edge),
            ]
            for r in table.itertuples()
        ],
    )
    lines = [
        "# Benchmarks",
        "",
        f"Measured {datetime.now():%Y-%m-%d %H:%M} with `influencer-sim bench --sizes {sizes_arg}` "
        "(or `benchmarks.bench.run_benchmarks` from a source checkout). Each size runs in a fresh process: the default scenario "
        f"(`scenarios`' defaults, {DAYS} days, DataCollector on), timed from graph generation to the last day.",
        "",
        "## Machine",
        "",
        f"- CPU: {info['cpu']}, {info['cores']} cores; RAM {info['ram_gb']} GB; {info['os']}",
        f"- Python {info['python']}, numpy {info['numpy']}, mesa {info['mesa']}, networkx {info['networkx']}, "
        f"pandas {info['pandas']}; ndlib {info['ndlib']}, cynetdiff {info['cynetdiff']}",
        "",
        "## Speed and memory by size",
        "",
        main,
        "",
        detail,
        "",
    ]
    if len(table) >= 2:
        lines += [
            f"Log-log slope of time against edges: whole run {loglog_slope(table.edges, table.total_s):.2f}, "
            f"graph build {loglog_slope(table.edges, table.build_s):.2f}, "
            f"30 simulated days {loglog_slope(table.edges, table.run_s):.2f} (1 = linear); "
            "see `bench_scaling.png`.",
            "",
        ]
    big = table.iloc[-1]
    lines += [
        f"Mesa agent creation costs {big.agent_us:.1f} µs per agent (measured on a bare model): about "
        f"{big.agent_us * (big.followers + big.creators) / 1e6:.1f} s of the {big.init_s:.1f} s model init at "
        f"{int(big.followers):,} followers.",
        "",
    ]
    measured = table.dropna(subset=["networkx_bytes_per_edge"])
    if len(measured):
        per_edge = float(measured.networkx_bytes_per_edge.iloc[-1])
        biggest = table.iloc[-1]
        directed = int(biggest.follow_edges + 2 * biggest.friend_ties)
        lines += [
            f"NetworkX holds a market at about {per_edge:,.0f} bytes per directed edge (measured at "
            f"{int(measured.followers.iloc[-1]):,} followers), so the {int(biggest.followers):,}-follower market "
            f"({directed:,} directed edges) would take about {per_edge * directed / 2**30:.1f} GB as a DiGraph. "
            "The model keeps its hot-path arrays apart and builds the NetworkX graph only on demand "
            "(`model.graph`, `simulation.graph_io.to_networkx`).",
            "",
        ]
    lines += ["## Side by side", ""]
    rows = []
    for r in comparisons.to_dict("records"):
        spread = f"{r['engine_spread']:,.0f}"
        peer_spread = "-" if "peer_spread" not in r or pd.isna(r.get("peer_spread")) else f"{r['peer_spread']:,.0f}"
        if not pd.isna(r.get("engine_spread_ci", float("nan"))):
            spread += f" ± {r['engine_spread_ci']:,.0f}"
        if not pd.isna(r.get("peer_spread_ci", float("nan"))):
            peer_spread += f" ± {r['peer_spread_ci']:,.0f}"
        same = r.get("same_spread")
        rows.append(
            [
                r["comparison"],
                f"{int(r['followers']):,}",
                f"{r['p']:g}",
                fmt_number(r["engine_s"] * 1e3),
                fmt_number(r.get("peer_s", float("nan")) * 1e3),
                fmt_number(r.get("speedup", float("nan"))),
                spread,
                peer_spread,
                "-" if same is None or pd.isna(same) else ("yes" if same else "no"),
                f"{int(r['engine_reps'])} / {'-' if pd.isna(r.get('peer_reps')) else int(r['peer_reps'])}",
            ]
        )
    lines += [
        _markdown(
            [
                "comparison",
                "followers",
                "p",
                "engine (ms)",
                "peer (ms)",
                "peer / engine time",
                "engine spread",
                "peer spread",
                "same mean (95%)",
                "runs engine / peer",
            ],
            rows,
        ),
        "",
        "- Plain Mesa: the word-of-mouth rule written the way Mesa's examples write agents "
        "(`benchmarks/baselines.py`), against the engine configured the same way, "
        f"{DAYS} days on the same friend graph and seed set; times are for the {DAYS} days, construction apart "
        "(engine model construction "
        f"{comparisons.iloc[0]['engine_init_s']:.2f} s, plain-Mesa model {comparisons.iloc[0]['peer_init_s']:.2f} s).",
        f"- Independent cascade: {IC_SEEDS} seeds, every tool run to completion; times are per cascade "
        "(CyNetDiff: reset and advance; NDlib: reset and iterate; engine: seed and step until a day with no "
        "new buyer), one-off setup apart. Spreads are means ± 95% t half-widths; 'same mean' is whether the "
        "95% Welch interval of the difference contains 0.",
        "- Ratios come from one run on a shared machine; absolute times move with its load.",
        "",
        "Columns of `bench.csv`: " + ", ".join(f"`{c}`" for c in COLUMNS) + ". Edge updates per second = "
        "follow edges x days / run time (each follow edge gets a view trial every day).",
        "",
    ]
    return "\n".join(lines)
