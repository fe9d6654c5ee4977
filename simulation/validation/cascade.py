"""Independent cascade (Kempe, Kleinberg & Tardos 2003): the model's word of mouth against exact spreads.

Word of mouth alone, a constant telling probability ``p`` on every friend edge, buyers
telling once, the step after they buy: the spread's mean over many runs matches the
exact expected spread on small graphs (closed forms and live-edge enumeration,
:func:`check_ic_exact`), and the mean spread of NDlib's and CyNetDiff's independent
cascades on a 1,000-node graph (:func:`check_ic_reference`).
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from typing import Any

import networkx as nx
import numpy as np

from ..agents import Funnel
from ..graph import Market, generate_market
from ..graph_io import market_from_graph, to_friend_graph
from ..model import InfluencerModel
from ..params import resolve
from .base import Z_MC, CheckResult, _child, _mean_se, _seq


def ic_scenario(p: float, people: int, days: int = 100) -> dict[str, dict[str, Any]]:
    """Parameters under which the model's word of mouth is the independent cascade.

    No campaign and no creators posting; every buyer is satisfied (``brand.quality``
    1) and tells each friend once, in the step after buying (``active_days`` = step
    = 1 day), with chance ``p``; a friend who is told buys (``conversion`` 1, no
    persuasion terms); trust does not move. One agent is one person.

    Examples
    --------
    >>> ic_scenario(0.2, 51)["word_of_mouth"]["tell_probability"]
    0.2
    """
    return {
        "market": {"population": people, "followers": people, "days": min(max(days, 1), 3650), "dt": 1.0},
        "campaign": {"strategy": "none"},
        "brand": {"quality": 1.0},
        "trust": {"dynamics": False},
        "word_of_mouth": {
            "network": "friends",
            "tell_probability": p,
            "active_days": 1.0,
            "conversion": 1.0,
            "persuasion": False,
            "engaged_tell_probability": 0.0,
        },
    }


def cascade_market(graph: nx.Graph, p: float, seed=0) -> tuple[Market, dict]:
    """The model's market for a graph of followers (no creators), and the IC parameters."""
    if any(kind == "creator" for _, kind in graph.nodes(data="kind")):
        raise ValueError("the cascade checks take a graph of followers only (no kind='creator' nodes)")
    n = graph.number_of_nodes()
    params = ic_scenario(p, n, days=n + 1)
    return market_from_graph(graph, resolve(params), seed), params


def run_cascade(model: InfluencerModel) -> int:
    """Step ``model`` until a step brings no new buyer (the cascade is over); return the buyers."""
    brand = model.brands[0]
    limit = model.market.n_followers + 1
    for _ in range(limit):
        model.step()
        if not (brand.bought_step == model.steps).any():
            break
    return int((brand.state == Funnel.PURCHASED).sum())


def simulate_ic(graph: nx.Graph, seeds, p: float, runs: int, seed=0, market: Market | None = None) -> np.ndarray:
    """Spread (buyers, seeds included) of ``runs`` word-of-mouth cascades in the model.

    Parameters
    ----------
    graph : networkx.Graph
        Friendships between followers (undirected; a DiGraph must give each both ways).
    seeds : iterable of nodes
        Node labels of ``graph`` made buyers at step 0 (``BrandAgent.seed_buyers``).
    p : float
        Telling probability on every friend edge.
    runs : int
        Independent runs; run ``r`` uses ``SeedSequence(seed, spawn_key=(r,))``.
    market : Market, optional
        A prebuilt :func:`cascade_market` of ``graph`` (saves rebuilding it).

    Examples
    --------
    >>> spreads = simulate_ic(nx.star_graph(5), [0], 1.0, runs=3)
    >>> spreads.tolist()
    [6, 6, 6]
    """
    if market is None:
        market, params = cascade_market(graph, p, _child(seed, 2**31))
    else:
        params = ic_scenario(p, market.n_followers, days=market.n_followers + 1)
    index = {v: i for i, v in enumerate(market.labels.get("followers", list(graph.nodes)))}
    start = np.array([index[v] for v in seeds], dtype=np.int64)
    out = np.empty(runs, dtype=np.int64)
    for r in range(runs):
        model = InfluencerModel(seed=_child(seed, r), market=market, params=params, collect=False)
        model.brands[0].seed_buyers(start)
        out[r] = run_cascade(model)
    return out


# ---- exact expected spreads -------------------------------------------------


def star_spread(leaves: int, p: float) -> float:
    """Expected IC spread of a star seeded at its centre: ``1 + n p``.

    Examples
    --------
    >>> star_spread(50, 0.2)
    11.0
    """
    return 1.0 + leaves * p


def path_spread(nodes: int, p: float) -> float:
    """Expected IC spread of a path of ``nodes`` nodes seeded at one end: ``sum_{k<n} p^k``.

    Examples
    --------
    >>> path_spread(3, 0.5)
    1.75
    """
    return float(sum(p**k for k in range(nodes)))


def triangle_spread(p: float) -> float:
    """Expected IC spread of a triangle seeded at one corner: ``1 + 2 (p + (1 - p) p^2)``.

    Each other corner is reached directly, or through the third corner when the
    direct edge fails.

    Examples
    --------
    >>> triangle_spread(0.5)
    2.25
    """
    return 1.0 + 2.0 * (p + (1.0 - p) * p * p)


def tree_spread(tree: nx.Graph, root, p: float) -> float:
    """Expected IC spread of a tree seeded at ``root``: ``sum_v p^depth(v)``.

    In a tree each node has one path from the root, live with chance ``p^depth``.

    Examples
    --------
    >>> tree_spread(nx.balanced_tree(2, 2), 0, 0.5)
    3.0
    """
    depth = nx.single_source_shortest_path_length(tree, root)
    return float(sum(p**d for d in depth.values()))


def exact_ic_spread(graph: nx.Graph, seeds, p: float, max_edges: int = 20) -> float:
    """Exact expected IC spread by enumerating every live-edge subgraph.

    Kempe, Kleinberg & Tardos (2003): the independent cascade's final active set has the
    law of the set reachable from the seeds when every edge is live, independently,
    with chance ``p``. For a directed graph the edges are arcs; for an undirected graph
    each edge carries one coin (the cascade tries an edge only from whichever end is
    reached first), so the spread is the seeds' component in bond percolation. All
    ``2^m`` subgraphs are weighted by ``p^live (1 - p)^dead``.

    Raises
    ------
    ValueError
        When the graph has more than ``max_edges`` edges.

    Examples
    --------
    >>> round(exact_ic_spread(nx.complete_graph(3), [0], 0.5), 10)
    2.25
    >>> round(exact_ic_spread(nx.star_graph(4), [0], 0.3), 10)
    2.2
    """
    edges = list(graph.edges())
    m = len(edges)
    if m > max_edges:
        raise ValueError(
            f"graph has {m} edges: enumerating 2^{m} live-edge subgraphs is too many (max_edges={max_edges})"
        )
    nodes = list(graph.nodes)
    at = {v: i for i, v in enumerate(nodes)}
    subsets = np.arange(2**m, dtype=np.int64)
    live = ((subsets[:, None] >> np.arange(m)) & 1).astype(bool)
    reached = np.zeros((len(subsets), len(nodes)), dtype=bool)
    reached[:, [at[s] for s in seeds]] = True
    directed = graph.is_directed()
    for _ in range(len(nodes)):
        before = int(reached.sum())
        for e, (u, v) in enumerate(edges):
            reached[:, at[v]] |= reached[:, at[u]] & live[:, e]
            if not directed:
                reached[:, at[u]] |= reached[:, at[v]] & live[:, e]
        if int(reached.sum()) == before:
            break
    k = live.sum(axis=1)
    weight = p**k * (1.0 - p) ** (m - k)
    return float((weight * reached.sum(axis=1)).sum())


@dataclass(frozen=True)
class CascadeCase:
    """A small graph, its seeds and telling probability, and its exact expected spread."""

    name: str
    graph: nx.Graph
    seeds: tuple
    p: float
    exact: float
    how: str


def ic_cases() -> list[CascadeCase]:
    """The small graphs of the exact-spread check, each with a closed form or enumeration.

    Examples
    --------
    >>> [c.name for c in ic_cases()][:3]
    ['star, 50 leaves, seeded at the centre', 'path, 10 nodes, seeded at one end', 'triangle']
    """
    star, path, triangle = nx.star_graph(50), nx.path_graph(10), nx.complete_graph(3)
    binary = nx.balanced_tree(2, 3)
    tree = nx.from_prufer_sequence([3, 3, 0, 5, 5, 1, 7, 7, 0, 2])  # 12 nodes, uneven depths
    house = nx.house_x_graph()
    petersen = nx.petersen_graph()
    return [
        CascadeCase("star, 50 leaves, seeded at the centre", star, (0,), 0.2, star_spread(50, 0.2), "1 + n p"),
        CascadeCase("path, 10 nodes, seeded at one end", path, (0,), 0.5, path_spread(10, 0.5), "sum p^k"),
        CascadeCase("triangle", triangle, (0,), 0.5, triangle_spread(0.5), "1 + 2(p + (1-p) p^2)"),
        CascadeCase(
            "binary tree, depth 3, seeded at the root", binary, (0,), 0.5, tree_spread(binary, 0, 0.5), "sum p^depth"
        ),
        CascadeCase(
            "tree, 12 nodes (Prufer 3305517702), seeded at node 4",
            tree,
            (4,),
            0.6,
            tree_spread(tree, 4, 0.6),
            "sum p^depth",
        ),
        CascadeCase(
            "house with both diagonals (8 edges)",
            house,
            (0,),
            0.4,
            exact_ic_spread(house, (0,), 0.4),
            "live-edge enumeration",
        ),
        CascadeCase(
            "Petersen graph (15 edges), two seeds",
            petersen,
            (0, 7),
            0.3,
            exact_ic_spread(petersen, (0, 7), 0.3),
            "live-edge enumeration",
        ),
    ]


def check_ic_exact(runs: int = 2000, seed=1, cases: list[CascadeCase] | None = None) -> list[CheckResult]:
    """Mean model spread against the exact expected spread, on each small graph.

    Passes when ``|mean - exact| <= Z_MC x SE`` (``SE`` = sample SD / sqrt(runs)).

    Examples
    --------
    >>> row = check_ic_exact(runs=50, cases=ic_cases()[2:3])[0]
    >>> row.expected, row.passed
    (2.25, True)
    """
    out = []
    for k, case in enumerate(cases if cases is not None else ic_cases()):
        spreads = simulate_ic(case.graph, case.seeds, case.p, runs, seed=_child(seed, k))
        mean, se = _mean_se(spreads)
        tol = Z_MC * se
        out.append(
            CheckResult(
                "independent cascade",
                f"{case.name}, p = {case.p:g}",
                case.exact,
                mean,
                tol,
                bool(abs(mean - case.exact) <= tol),
                runs,
                f"exact by {case.how}; SE {se:.3g}; tolerance {Z_MC} SE",
                {"se": se, "nodes": case.graph.number_of_nodes()},
            )
        )
    return out


# ---- reference implementations ---------------------------------------------


def friend_graph(n: int = 1000, seed=5) -> nx.Graph:
    """The model's own friend graph for ``n`` followers (niche communities), as an ``nx.Graph``.

    Examples
    --------
    >>> g = friend_graph(200, seed=1)
    >>> g.number_of_nodes(), g.number_of_edges() > 200
    (200, True)
    """
    return to_friend_graph(generate_market(resolve({"market": {"followers": n, "population": n}}), seed=_seq(seed)))


def ndlib_ic_spreads(graph: nx.Graph, seeds, p: float, runs: int, seed=0, timings: list | None = None) -> np.ndarray:
    """Spreads of NDlib's ``IndependentCascadesModel`` (every edge's threshold = ``p``), each run to completion.

    NDlib draws from NumPy's global generator; it is seeded from ``seed`` and the global
    state is restored afterwards. ``timings``, when given, receives each cascade's
    seconds (reset and iterate; the model's one-off setup apart), for the benchmarks.
    Raises ``ImportError`` when NDlib is not installed (the ``reference`` extra).
    """
    import ndlib.models.ModelConfig as mc
    from ndlib.models.epidemics import IndependentCascadesModel

    saved = np.random.get_state()  # noqa: NPY002 (NDlib uses the global generator)
    try:
        model = IndependentCascadesModel(graph, seed=int(_seq(seed).generate_state(1)[0]))
        config = mc.Configuration()
        config.add_model_initial_configuration("Infected", list(seeds))
        for edge in graph.edges():
            config.add_edge_configuration("threshold", edge, p)  # else NDlib uses 1 / degree
        model.set_initial_status(config)
        n = graph.number_of_nodes()
        out = np.empty(runs, dtype=np.int64)
        for r in range(runs):
            start = time.perf_counter()
            model.reset(list(seeds))
            while True:
                it = model.iteration(node_status=False)
                if it["node_count"].get(1, 0) == 0:
                    break
            if timings is not None:
                timings.append(time.perf_counter() - start)
            out[r] = n - it["node_count"].get(0, 0)
        return out
    finally:
        np.random.set_state(saved)  # noqa: NPY002


def cynetdiff_ic_spreads(
    graph: nx.Graph, seeds, p: float, runs: int, seed=0, timings: list | None = None
) -> np.ndarray:
    """Spreads of CyNetDiff's ``IndependentCascadeModel`` (activation probability ``p``), each run to completion.

    ``timings``, when given, receives each cascade's seconds (reset and advance; the
    graph conversion apart). Raises ``ImportError`` when CyNetDiff is not installed
    (the ``reference`` extra).
    """
    from cynetdiff.utils import networkx_to_ic_model

    model, mapping = networkx_to_ic_model(graph, activation_prob=p, rng=np.random.default_rng(_seq(seed)))
    model.set_seeds([mapping[s] for s in seeds])
    out = np.empty(runs, dtype=np.int64)
    for r in range(runs):
        start = time.perf_counter()
        model.reset_model()
        model.advance_until_completion()
        if timings is not None:
            timings.append(time.perf_counter() - start)
        out[r] = model.get_num_activated_nodes()
    return out


def check_ic_reference(
    nodes: int = 1000,
    p: float = 0.08,
    n_seeds: int = 10,
    runs: int = 2000,
    ndlib_runs: int = 1000,
    cynetdiff_runs: int = 100_000,
    seed=2,
) -> list[CheckResult]:
    """Mean model spread against NDlib's and CyNetDiff's independent cascades.

    The graph is the model's own friend graph for ``nodes`` followers (about 8.6 friends
    each, in tight-knit communities); ``n_seeds`` random followers buy at step 0. Passes
    when the difference of means is within ``Z_MC`` standard errors of the difference.
    A reference that is not installed gives a row with ``passed = None``.
    """
    graph = friend_graph(nodes, seed=_child(seed, 0))
    rng = np.random.default_rng(_child(seed, 1))
    seeds = tuple(rng.choice(nodes, n_seeds, replace=False).tolist())
    model_spreads = simulate_ic(graph, seeds, p, runs, seed=_child(seed, 2))
    m_mean, m_se = _mean_se(model_spreads)
    degree = 2 * graph.number_of_edges() / nodes
    out = []
    for k, (name, fn, n_runs) in enumerate(
        (("NDlib", ndlib_ic_spreads, ndlib_runs), ("CyNetDiff", cynetdiff_ic_spreads, cynetdiff_runs))
    ):
        label = f"model vs {name}: {nodes}-node friend graph (mean degree {degree:.1f}), {n_seeds} seeds, p = {p:g}"
        try:
            ref = fn(graph, seeds, p, n_runs, seed=_child(seed, 3 + k))
        except ImportError:
            out.append(
                CheckResult(
                    "independent cascade",
                    label,
                    float("nan"),
                    m_mean,
                    float("nan"),
                    None,
                    runs,
                    f"{name} not installed (pip install 'influencer-sim[reference]')",
                    {"model": model_spreads},
                )
            )
            continue
        r_mean, r_se = _mean_se(ref)
        tol = Z_MC * math.hypot(m_se, r_se)
        out.append(
            CheckResult(
                "independent cascade",
                label,
                r_mean,
                m_mean,
                tol,
                bool(abs(m_mean - r_mean) <= tol),
                runs,
                f"model {m_mean:.3f} ± {m_se:.3f} ({runs} runs); {name} {r_mean:.3f} ± {r_se:.3f} ({n_runs} runs); "
                f"tolerance {Z_MC} SE of the difference",
                {"model": model_spreads, "reference": ref, "name": name},
            )
        )
    return out
