"""The benchmark suite (benchmarks/, outside the package) runs and reports, and its plain-Mesa baseline is the engine's rule.

These are correctness tests: no assertion here depends on wall time.
"""

import math
import sys

import networkx as nx
import numpy as np
import pandas as pd
import pytest

from benchmarks.baselines import PlainMesaWordOfMouth
from benchmarks.bench import COLUMNS, run_benchmarks
from benchmarks.peers import _welch_half_width, ic_params
from simulation import cli
from simulation.graph import generate_market
from simulation.graph_io import market_from_graph, to_friend_graph
from simulation.model import InfluencerModel
from simulation.params import resolve


def engine_spreads(graph: nx.Graph, seeds, p: float, days: int, reps: int, **wom) -> list[int]:
    params = ic_params(graph.number_of_nodes(), p, days)
    params["word_of_mouth"].update(wom)
    market = market_from_graph(graph, resolve(params), seed=0)
    spreads = []
    for r in range(reps):
        model = InfluencerModel(seed=r, market=market, params=params, collect=False)
        model.brands[0].seed_buyers(seeds)
        model.run()
        spreads.append(int((model.brands[0].state == 3).sum()))
    return spreads


def mesa_spreads(graph: nx.Graph, seeds, p: float, days: int, reps: int, **rule) -> list[int]:
    spreads = []
    for r in range(reps):
        model = PlainMesaWordOfMouth(graph, seeds, p, rng=np.random.default_rng(np.random.SeedSequence([7, r])), **rule)
        model.run(days)
        spreads.append(model.spread())
    return spreads


@pytest.fixture(scope="module")
def small_friend_graph() -> nx.Graph:
    return to_friend_graph(generate_market(resolve({"market": {"followers": 400}}), seed=5))


def test_plain_mesa_star_matches_the_exact_cascade():
    # a star seeded at its centre, one day of telling: spread = 1 + n p exactly in expectation
    n, p, reps = 20, 0.3, 400
    spreads = mesa_spreads(nx.star_graph(n), [0], p, days=3, reps=reps)
    sd = math.sqrt(n * p * (1 - p))
    assert abs(np.mean(spreads) - (1 + n * p)) < 4 * sd / math.sqrt(reps)


@pytest.mark.parametrize(
    ("p", "engine_wom", "mesa_rule"),
    [
        (0.25, {}, {}),  # the independent cascade
        (0.2, {"conversion": 0.5, "active_days": 2.0}, {"conversion": 0.5, "active_days": 2}),
    ],
)
def test_plain_mesa_baseline_and_engine_spread_alike(small_friend_graph, p, engine_wom, mesa_rule):
    seeds, days, reps = [0, 1, 2], 15, 150
    engine = engine_spreads(small_friend_graph, seeds, p, days, reps, **engine_wom)
    mesa = mesa_spreads(small_friend_graph, seeds, p, days, reps, **mesa_rule)
    assert np.mean(engine) > len(seeds) and np.mean(mesa) > len(seeds)  # the cascade does spread
    # seeds are fixed, so this is deterministic; 1.5 x the 95% Welch half-width (about 3 standard
    # errors) leaves room for a change of random streams without letting a different rule pass
    assert abs(np.mean(engine) - np.mean(mesa)) <= _welch_half_width(engine, mesa) * 1.5


def test_run_benchmarks_at_a_tiny_size(tmp_path):
    table = run_benchmarks(sizes=(2000,), out_dir=tmp_path, progress=False)
    assert list(table.columns) == list(COLUMNS)
    row = table.iloc[0]
    assert row.followers == 2000
    assert row.edges == row.follow_edges + row.friend_ties > 0
    for column in ("build_s", "init_s", "day_ms", "run_s", "edge_updates_per_s", "peak_rss_mb", "total_s", "agent_us"):
        assert row[column] > 0, column
    assert row.total_s >= row.build_s + row.run_s
    assert row.networkx_bytes_per_edge > 0

    for name in ("bench.csv", "comparisons.csv", "BENCHMARKS.md", "bench_scaling.png"):
        assert (tmp_path / name).stat().st_size > 0, name
    assert list(pd.read_csv(tmp_path / "bench.csv").columns) == list(COLUMNS)
    report = (tmp_path / "BENCHMARKS.md").read_text()
    assert "## Machine" in report and "| 2,000 |" in report

    comparisons = table.attrs["comparisons"]
    assert comparisons.iloc[0]["comparison"] == "plain Mesa"
    assert (comparisons["engine_spread"] > 0).all()
    peers = comparisons[comparisons["comparison"].str.startswith("independent cascade")]
    assert len(peers) == 2
    installed = peers.dropna(subset=["peer_spread"])
    assert installed["same_spread"].astype(bool).all()  # same mean spread as NDlib and CyNetDiff


def test_bench_without_a_checkout_says_so_in_one_line(monkeypatch, tmp_path, capsys):
    # an installed package: no benchmarks/ next to it and none importable
    monkeypatch.setattr(cli, "PROJECT_ROOT", tmp_path)
    monkeypatch.setitem(sys.modules, "benchmarks", None)
    monkeypatch.setitem(sys.modules, "benchmarks.bench", None)
    code = cli.main(["bench", "--sizes", "1000", "--out", str(tmp_path / "out"), "--quiet"])
    err = capsys.readouterr().err
    assert code == 2
    assert err.count("\n") == 1 and "bench needs a source checkout" in err
    assert not (tmp_path / "out").exists()
