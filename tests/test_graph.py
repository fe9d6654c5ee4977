"""The social graph: generated markets, NetworkX conversion, and users' own graphs."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pytest

from simulation import InfluencerModel
from simulation.experiment import on_graph, run_experiment, strategy_arms
from simulation.graph import (
    MAX_FAKE_SHARE,
    TRUST_FLOOR,
    Market,
    csr_row_entries,
    generate_market,
    interest_fit,
    sorted_unique,
    stochastic_round,
    tier_of,
    truncated_pareto,
)
from simulation.graph_io import (
    CREATOR_ATTRIBUTES,
    FOLLOWER_ATTRIBUTES,
    build_graph,
    graph_population,
    load_graph,
    market_from_graph,
    save_graph,
    to_networkx,
)
from simulation.params import NICHES, TIERS, ScenarioError, resolve


# --------------------------------------------------------------------------- shapes
def test_market_shapes(small_market: Market, small_params):
    m = small_market
    n, c = m.n_followers, m.n_creators
    assert n == small_params["market"]["followers"] == 4_000
    assert m.interests.shape == (n, len(NICHES))
    for name in ("skepticism", "price_sensitivity", "attention"):
        assert getattr(m, name).shape == (n,)
    for name in ("niche", "followers", "tier", *CREATOR_ATTRIBUTES):
        assert getattr(m, name).shape == (c,), name
    assert m.follow_indptr.shape == (c + 1,)
    assert m.follow_indptr[0] == 0 and m.follow_indptr[-1] == len(m.follow_follower) == len(m.trust)
    assert m.friend_indptr.shape == (n + 1,) and m.friend_indptr[-1] == len(m.friend_index)
    assert m.people_per_agent == pytest.approx(2_000_000 / 4_000)
    assert len(m.follow_creator) == len(m.follow_follower)


def test_follower_traits_in_range(small_market: Market):
    m = small_market
    np.testing.assert_allclose(m.interests.sum(axis=1), 1.0)
    assert (m.interests >= 0).all()
    assert ((m.skepticism >= 0) & (m.skepticism <= 1)).all()
    assert (m.price_sensitivity >= 0).all()
    assert (m.attention > 0).all()
    assert ((m.trust >= TRUST_FLOOR) & (m.trust <= 1)).all()
    assert (m.fake_share <= MAX_FAKE_SHARE).all()
    for name in ("relatability", "authenticity", "responsiveness", "reach", "fake_share", "ad_load"):
        values = getattr(m, name)
        assert ((values >= 0) & (values <= 1)).all(), name
    assert (m.fee > 0).all()


def test_audience_sizes_follow_real_followers(medium_market: Market):
    """Each audience is F x (1 - fake) x agents per person, stochastically rounded."""
    m = medium_market
    sizes = np.diff(m.follow_indptr)
    expected = np.minimum(m.followers * (1 - m.fake_share) * m.n_followers / m.population, m.n_followers)
    assert (np.abs(sizes - expected) < 1.0 + 1e-9).all()
    assert sizes.sum() == pytest.approx(expected.sum(), rel=0.01)
    # bigger creators have bigger audiences, tier by tier
    means = [sizes[m.tier == t].mean() for t in range(len(TIERS))]
    assert means == sorted(means) and means[-1] > 100 * means[0]


def test_audiences_clip_at_the_agent_count(small_market: Market):
    """With 500 people per agent, mega creators would need more agents than exist."""
    m = small_market
    sizes = np.diff(m.follow_indptr)
    wanted = m.followers * (1 - m.fake_share) * m.n_followers / m.population
    clipped = wanted > m.n_followers
    assert clipped.any()
    assert (sizes[clipped] == m.n_followers).all()
    assert sizes.max() == m.n_followers


def test_tier_counts_follow_shares(medium_market: Market, medium_params):
    counts = np.bincount(medium_market.tier, minlength=4)
    # 5,000 creators x (81.5%, 14.4%, 4.0%, 0.1%), mega raised to 1 per niche x 7 niches
    assert counts.tolist() == [4075, 720, 200, 7]
    assert len(medium_market.niche) == medium_params["creators"]["count"] + 2


@pytest.mark.parametrize("min_per_niche", [0, 1, 3])
def test_tier_counts_with_min_per_niche(min_per_niche):
    p = resolve(
        {
            "market.followers": 500,
            "creators.count": 1_000,
            "creators.min_per_niche": min_per_niche,
            "creators.share_macro": 0.0,
        }
    )
    m = generate_market(p, seed=5)
    counts = np.bincount(m.tier, minlength=4)
    floor = 7 * min_per_niche
    assert counts[0] == max(round(0.815 / 0.96 * 1000), floor)  # shares renormalised without macro
    assert counts[1] == max(round(0.144 / 0.96 * 1000), floor)
    assert counts[2] == 0  # a zero share means no creators of that tier
    assert counts[3] == max(1, floor)
    for t in (0, 1, 3):
        per_niche = np.bincount(m.niche[m.tier == t], minlength=7)
        assert (per_niche >= min_per_niche).all()


def test_follower_counts_within_tier_bounds(medium_market: Market, medium_params):
    m, cp = medium_market, medium_params["creators"]
    bounds = [cp["nano_min"], cp["micro_min"], cp["macro_min"], cp["mega_min"], cp["mega_max"]]
    for t in range(4):
        f = m.followers[m.tier == t]
        assert (f >= bounds[t]).all() and (f < bounds[t + 1]).all()
    np.testing.assert_array_equal(tier_of(m.followers, cp), m.tier)
    # heavy-tailed within a tier: the mean well above the median
    nano = m.followers[m.tier == 0]
    assert nano.mean() > 1.3 * np.median(nano)


def test_follow_edges_unique_and_sorted(medium_market: Market):
    m = medium_market
    creator = m.follow_creator.astype(np.int64)
    key = creator * m.n_followers + m.follow_follower
    assert len(np.unique(key)) == len(key)  # no follower follows a creator twice
    assert (np.diff(key) > 0).all()  # sorted by creator, then follower
    assert m.follow_follower.min() >= 0 and m.follow_follower.max() < m.n_followers


def test_friendship_csr_symmetric_without_self_loops(medium_market: Market):
    m = medium_market
    n = m.n_followers
    rows = np.repeat(np.arange(n, dtype=np.int64), np.diff(m.friend_indptr))
    cols = m.friend_index.astype(np.int64)
    assert (rows != cols).all()
    forward = np.sort(rows * n + cols)
    backward = np.sort(cols * n + rows)
    np.testing.assert_array_equal(forward, backward)
    assert len(np.unique(forward)) == len(forward)  # no duplicate ties
    degree = np.diff(m.friend_indptr)
    # Poisson(4) within + Poisson(1) across, each tie counted at both ends: about 10 friends
    assert 8 < degree.mean() < 11


def test_homophily_followers_of_a_niche_like_it(medium_market: Market):
    m = medium_market
    creator_niche = m.niche[m.follow_creator]
    for k, name in enumerate(NICHES):
        followers_of_k = m.follow_follower[creator_niche == k]
        inside = m.interests[followers_of_k, k].mean()
        average = m.interests[:, k].mean()
        assert inside > 1.8 * average, name


def test_homophily_switch_off():
    p = resolve({"market.followers": 3_000, "creators.homophily": 0.0})
    m = generate_market(p, seed=2)
    creator_niche = m.niche[m.follow_creator]
    for k in range(len(NICHES)):
        inside = m.interests[m.follow_follower[creator_niche == k], k].mean()
        assert inside == pytest.approx(m.interests[:, k].mean(), rel=0.15)


def test_friends_share_a_favourite_niche(medium_market: Market):
    m = medium_market
    favourite = m.interests.argmax(axis=1)
    rows = np.repeat(np.arange(m.n_followers), np.diff(m.friend_indptr))
    same = (favourite[rows] == favourite[m.friend_index]).mean()
    chance = (np.bincount(favourite) / m.n_followers) ** 2
    assert same > 0.9 and same > 5 * chance.sum()


def test_friend_graph_is_clustered(small_market: Market):
    m = small_market
    friends = nx.Graph()
    friends.add_nodes_from(range(m.n_followers))
    rows = np.repeat(np.arange(m.n_followers), np.diff(m.friend_indptr))
    friends.add_edges_from(zip(rows.tolist(), m.friend_index.tolist()))
    clustering = nx.average_clustering(friends)
    density = nx.density(friends)
    random = nx.gnm_random_graph(friends.number_of_nodes(), friends.number_of_edges(), seed=1)
    random_clustering = nx.average_clustering(random)
    assert random_clustering < 3 * density  # an Erdos-Renyi graph clusters at about its density
    assert clustering > 0.08  # measured about 0.15 (0.003 for the random graph)
    assert clustering > 20 * max(random_clustering, density)


def test_friend_subgraph_of_to_networkx_is_clustered(tiny):
    g = to_networkx(tiny[1])
    friends = nx.Graph((u, v) for u, v, kind in g.edges(data="kind") if kind == "friend")
    random = nx.gnm_random_graph(friends.number_of_nodes(), friends.number_of_edges(), seed=1)
    assert nx.average_clustering(friends) > 5 * nx.average_clustering(random)


def test_same_seed_same_market():
    p = resolve({"market.followers": 1_000})
    a, b = generate_market(p, seed=3), generate_market(p, seed=3)
    c = generate_market(p, seed=4)
    for name in ("interests", "followers", "fee", "follow_follower", "trust", "friend_index"):
        np.testing.assert_array_equal(getattr(a, name), getattr(b, name))
    assert not np.array_equal(a.followers, c.followers)


def test_helpers():
    rng = np.random.default_rng(0)
    x = truncated_pareto(rng, 10.0, 1000.0, 1.0, 100_000)
    assert x.min() >= 10 and x.max() < 1000
    # Pareto(1) truncated to [10, 1000]: P(X < 100) = (1 - 0.1) / (1 - 0.01)
    assert (x < 100).mean() == pytest.approx(0.9 / 0.99, abs=0.005)
    r = stochastic_round(np.full(100_000, 2.3), rng)
    assert set(np.unique(r).tolist()) == {2, 3}
    assert r.mean() == pytest.approx(2.3, abs=0.01)
    interests = np.array([[0.5, 0.25, 0.25], [0.1, 0.1, 0.8]])
    fit = interest_fit(interests, np.array([0, 0, 1]), np.array([0, 1, 0]))
    np.testing.assert_allclose(fit, [1.0, 0.5, 0.125])


@pytest.mark.parametrize("size", [0, 1, 7, 5_000])
def test_sorted_unique_is_numpy_unique(size):
    values = np.random.default_rng(size).integers(0, max(size // 3, 1), size)
    np.testing.assert_array_equal(sorted_unique(values), np.unique(values))
    got, first = sorted_unique(values, return_first=True)
    want, want_first = np.unique(values, return_index=True)
    np.testing.assert_array_equal(got, want)
    np.testing.assert_array_equal(first, want_first)
    assert got.dtype == values.dtype


def test_csr_row_entries():
    indptr = np.array([0, 3, 3, 4, 8])
    assert csr_row_entries(indptr, np.array([3, 0, 2])).tolist() == [4, 5, 6, 7, 0, 1, 2, 3]
    assert csr_row_entries(indptr, np.array([1])).tolist() == []
    assert csr_row_entries(indptr, np.array([], dtype=np.int64)).tolist() == []


# --------------------------------------------------------------------------- NetworkX
def _assert_same_market(a: Market, b: Market, exact_trust=True):
    assert a.n_followers == b.n_followers and a.n_creators == b.n_creators
    assert a.population == b.population
    np.testing.assert_array_equal(a.follow_indptr, b.follow_indptr)
    np.testing.assert_array_equal(a.follow_follower, b.follow_follower)
    if exact_trust:
        np.testing.assert_array_equal(a.trust, b.trust)
    else:
        np.testing.assert_allclose(a.trust, b.trust, rtol=1e-12)
    np.testing.assert_array_equal(a.friend_indptr, b.friend_indptr)
    np.testing.assert_array_equal(a.friend_index, b.friend_index)
    np.testing.assert_array_equal(a.niche, b.niche)
    np.testing.assert_array_equal(a.tier, b.tier)
    np.testing.assert_allclose(a.followers, b.followers, rtol=1e-12)
    np.testing.assert_allclose(a.interests, b.interests, rtol=1e-12)
    for name in CREATOR_ATTRIBUTES + FOLLOWER_ATTRIBUTES:
        np.testing.assert_allclose(getattr(a, name), getattr(b, name), rtol=1e-12, err_msg=name)


@pytest.fixture(scope="module")
def tiny():
    """A small market with few creators: fast to turn into NetworkX and GraphML."""
    p = resolve({"market.followers": 600, "market.population": 600_000, "creators.count": 300})
    return p, generate_market(p, seed=9)


def test_to_networkx_counts(tiny):
    _, m = tiny
    g = to_networkx(m)
    kinds = dict(g.nodes(data="kind"))
    assert sum(k == "creator" for k in kinds.values()) == m.n_creators
    assert sum(k == "follower" for k in kinds.values()) == m.n_followers
    edge_kinds = [k for _, _, k in g.edges(data="kind")]
    assert edge_kinds.count("follows") == len(m.follow_follower)
    assert edge_kinds.count("friend") == len(m.friend_index)  # both directions
    assert g.graph["population"] == m.population
    k = int(np.argmax(np.diff(m.follow_indptr)))
    assert g.nodes[f"c{k}"]["niche"] == NICHES[m.niche[k]]
    assert g.nodes[f"c{k}"]["tier"] == TIERS[m.tier[k]]
    f = int(m.audience(k)[0])
    assert g.edges[f"f{f}", f"c{k}"]["trust"] == pytest.approx(m.trust[m.follow_indptr[k]])


def test_to_networkx_overrides_trust(tiny):
    _, m = tiny
    g = to_networkx(m, trust=np.full(len(m.trust), 0.25))
    assert {d for _, _, d in g.edges(data="trust") if d is not None} == {0.25}


def test_round_trip_through_networkx(tiny):
    p, m = tiny
    back = market_from_graph(to_networkx(m), p, seed=123)
    _assert_same_market(m, back)


def test_build_graph_is_generate_then_convert(tiny):
    p, m = tiny
    g = build_graph(p, seed=9)
    assert g.number_of_nodes() == m.n_creators + m.n_followers
    assert g.number_of_edges() == len(m.follow_follower) + len(m.friend_index)


def test_graphml_round_trip(tiny, tmp_path):
    p, m = tiny
    path = tmp_path / "market.graphml"
    save_graph(to_networkx(m), path)
    loaded = load_graph(path)
    back = market_from_graph(loaded, p, seed=99)
    _assert_same_market(m, back, exact_trust=False)
    assert back.labels["creators"][:3] == ["c0", "c1", "c2"]


def test_model_runs_on_a_loaded_graph(tiny, tmp_path):
    p, m = tiny
    g = to_networkx(m)
    model = InfluencerModel(seed=1, graph=g, market__days=5, campaign__strategy="micro", brand__budget=20_000)
    assert model.market.n_followers == m.n_followers  # the graph fixes the agent count
    np.testing.assert_array_equal(model.market.follow_follower, m.follow_follower)
    model.run()
    s = model.summary().iloc[0]
    assert 0 < s.spend <= 20_000
    assert s.unique_reach <= m.population


def _graph_with(population=None) -> nx.DiGraph:
    g = nx.DiGraph()
    g.add_nodes_from(["a", "b"], kind="creator")
    g.add_edges_from((f"f{i}", "a" if i % 2 else "b") for i in range(40))
    g.add_edges_from((f"f{i}", f"f{i + 1}") for i in range(39))
    g.add_edges_from((f"f{i + 1}", f"f{i}") for i in range(39))  # friendships are mutual
    if population is not None:
        g.graph["population"] = population
    return g


@pytest.mark.parametrize(
    ("population", "fallback", "expected"),
    [(None, 8_000, 8_000), (12_345.4, 8_000, 12_345), ("2000", 8_000, 2_000), (3, 8_000, 40), (None, 10, 40)],
)
def test_graph_population_rule(population, fallback, expected):
    assert graph_population(_graph_with(population), fallback) == (40, expected)


def test_graph_population_that_is_no_number_is_a_scenario_error():
    with pytest.raises(ScenarioError, match="population='many'"):
        graph_population(_graph_with("many"), 1_000)


@pytest.mark.parametrize("population", [None, 12_345.6])
def test_model_experiment_and_market_agree_on_a_graphs_population(population):
    """One rule: the scenario a run on a graph records, its model's parameters and the
    market the metrics scale by carry the same population."""
    g = _graph_with(population)
    params = resolve({"market": {"followers": 40, "population": 9_000, "days": 3}, "campaign": {"strategy": "none"}})
    expected = graph_population(g, 9_000)[1]
    model = InfluencerModel(seed=1, graph=g, params=params)
    recorded = on_graph(params, g)["market"]
    assert recorded["population"] == model.params["market"]["population"] == model.market.population == expected
    assert recorded["followers"] == model.market.n_followers == 40
    assert market_from_graph(g, params).population == expected
    runs = run_experiment(params, strategy_arms(["none"]), replications=1, seed=1, graph=g).runs
    assert runs.conversion_rate.iloc[0] == pytest.approx(runs.conversions.iloc[0] / expected)


# --------------------------------------------------------------------------- edge lists
EDGE_LIST = """\
# follower creator kind trust
alice  star  follows 0.9
bob,star,follows
carol star follows 0.2
alice bob friend
bob   carol            # kind defaults to friend
dave  alice friend
"""


def test_edge_list_loader(tmp_path):
    path = tmp_path / "edges.txt"
    path.write_text(EDGE_LIST, encoding="utf-8")
    g = load_graph(path)
    assert g.nodes["star"]["kind"] == "creator"
    assert {v for v, k in g.nodes(data="kind") if k == "follower"} == {"alice", "bob", "carol", "dave"}
    assert g.edges["alice", "star"] == {"kind": "follows", "trust": 0.9}
    assert g.edges["bob", "star"] == {"kind": "follows"}
    assert g.edges["bob", "carol"]["kind"] == "friend"

    m = market_from_graph(g, resolve(), seed=1)
    assert m.n_creators == 1 and m.n_followers == 4
    assert m.labels["followers"] == ["alice", "bob", "carol", "dave"]
    followers = [m.labels["followers"][i] for i in m.audience(0)]
    assert followers == ["alice", "bob", "carol"]
    trust = dict(zip(followers, m.trust))
    assert trust["alice"] == pytest.approx(0.9) and trust["carol"] == pytest.approx(0.2)
    assert 0 < trust["bob"] <= 1  # drawn from the scenario's distribution
    # three friendships, stored both ways
    assert len(m.friend_index) == 6
    alice = m.labels["followers"].index("alice")
    assert sorted(m.labels["followers"][j] for j in m.friends(alice)) == ["bob", "dave"]


def test_edge_list_bad_kind_names_line(tmp_path):
    path = tmp_path / "bad_kind.txt"
    path.write_text("a b friend\n\n# comment\nc d likes\n", encoding="utf-8")
    with pytest.raises(ScenarioError, match=r"bad_kind.txt:4: kind 'likes' not allowed: expected follows or friend"):
        load_graph(path)


def test_edge_list_bad_trust_names_line(tmp_path):
    path = tmp_path / "bad_trust.csv"
    path.write_text("a,c,follows,0.5\nb,c,follows,high\n", encoding="utf-8")
    with pytest.raises(ScenarioError, match=r"bad_trust.csv:2: trust 'high' is not a number"):
        load_graph(path)


def test_edge_list_short_line_names_line(tmp_path):
    path = tmp_path / "short.txt"
    path.write_text("a b\nlonely\n", encoding="utf-8")
    with pytest.raises(ScenarioError, match=r"short.txt:2: expected 'source target"):
        load_graph(path)


def test_missing_and_unreadable_graph_files(tmp_path):
    with pytest.raises(ScenarioError, match="graph file not found"):
        load_graph(tmp_path / "none.graphml")
    broken = tmp_path / "broken.graphml"
    broken.write_text("<graphml><graph", encoding="utf-8")
    with pytest.raises(ScenarioError, match=r"broken.graphml: cannot read graph"):
        load_graph(broken)


def _one_way_friend_graphml(tmp_path):
    g = nx.DiGraph()
    g.add_node("star", kind="creator")
    g.add_edges_from([("ann", "star"), ("ben", "star"), ("cat", "star")])
    g.add_edges_from([("ann", "ben"), ("ben", "ann"), ("ann", "cat")])  # ann -> cat: cat does not listen back
    path = tmp_path / "one_way.graphml"
    nx.write_graphml(g, path)
    return g, path


def test_directed_graph_with_a_one_way_friendship_is_refused(tmp_path):
    g, path = _one_way_friend_graphml(tmp_path)
    with pytest.raises(ScenarioError) as err:
        load_graph(path)
    message = str(err.value)
    assert message.startswith(f"{path}: 1 of 3 friend edges has no reverse edge (first: 'ann' -> 'cat')")
    assert "give each both ways in a directed graph, or use an undirected graph" in message
    assert "\n" not in message
    with pytest.raises(ScenarioError, match=r"^graph: 1 of 3 friend edges"):
        market_from_graph(g, resolve(), seed=1)  # in memory too
    # both ways, or undirected: accepted, one mutual tie each
    g.add_edge("cat", "ann")
    nx.write_graphml(g, path)
    assert len(market_from_graph(load_graph(path), resolve(), seed=1).friend_index) == 2 * 2
    undirected = nx.Graph(g)
    assert len(market_from_graph(undirected, resolve(), seed=1).friend_index) == 2 * 2


def test_one_way_friendship_on_the_command_line_is_one_line_exit_2(tmp_path, capsys):
    from simulation.cli import main

    _, path = _one_way_friend_graphml(tmp_path)
    code = main(["run", "--graph", str(path), "--set", "campaign.strategy=none", "--out", str(tmp_path / "out")])
    err = capsys.readouterr().err
    assert code == 2
    assert len(err.strip().splitlines()) == 1 and "one_way.graphml: 1 of 3 friend edges has no reverse edge" in err
    assert not (tmp_path / "out").exists()


def test_edge_list_friend_lines_are_mutual_ties(tmp_path):
    path = tmp_path / "edges.txt"
    path.write_text(EDGE_LIST, encoding="utf-8")
    g = load_graph(path)
    assert g.has_edge("alice", "bob") and g.has_edge("bob", "alice")
    assert not g.has_edge("star", "alice")  # follows stay one way
    save_graph(g, tmp_path / "edges.graphml")  # and what load_graph returns loads again
    assert load_graph(tmp_path / "edges.graphml").number_of_edges() == g.number_of_edges()


def test_trust_on_edges_is_clipped_into_unit_interval(tmp_path):
    path = tmp_path / "edges.txt"
    path.write_text("a c follows 1.7\nb c follows -0.3\na b\n", encoding="utf-8")
    m = market_from_graph(load_graph(path), resolve(), seed=0)
    np.testing.assert_array_equal(m.trust, [1.0, 0.0])


# --------------------------------------------------------------------------- bare topologies
def test_bare_topology_gets_drawn_attributes():
    g = nx.karate_club_graph()
    for v in (0, 33):
        g.nodes[v]["kind"] = "creator"
    m = market_from_graph(g, resolve(), seed=4)
    assert m.n_creators == 2 and m.n_followers == 32
    assert m.population == resolve()["market"]["population"]
    between = int(g.has_edge(0, 33))  # a creator-creator tie is no follow
    np.testing.assert_array_equal(np.diff(m.follow_indptr), [g.degree(0) - between, g.degree(33) - between])
    # followers' friendships are the karate club's ties that avoid the two creators
    friend_ties = sum(1 for u, v in g.edges if u not in (0, 33) and v not in (0, 33))
    assert len(m.friend_index) == 2 * friend_ties
    # missing attributes are drawn and valid
    np.testing.assert_allclose(m.interests.sum(axis=1), 1.0)
    assert ((m.trust > 0) & (m.trust <= 1)).all()
    assert (m.fee > 0).all() and np.isfinite(m.followers).all()
    # a creator's follower count falls back to its audience in people
    np.testing.assert_allclose(m.followers, np.diff(m.follow_indptr) * m.people_per_agent)


def test_model_runs_on_a_bare_topology():
    g = nx.karate_club_graph()
    for v in (0, 33):
        g.nodes[v]["kind"] = "creator"
    model = InfluencerModel(
        seed=2, graph=g, market__days=10, campaign__strategy="list", campaign__creators=[0, 1], brand__budget=1e9
    )
    model.run()
    s = model.summary().iloc[0]
    assert s.creators_hired == 2
    assert 0 < s.spend <= 1e9
    assert len(model.followers) == 32 and len(model.creators) == 2
    assert s.conversions <= s.unique_reach <= model.market.population


def test_graph_without_followers_is_rejected():
    g = nx.Graph()
    g.add_node("c", kind="creator")
    g.add_node("f")
    with pytest.raises(ScenarioError, match="at least two follower nodes"):
        market_from_graph(g, resolve())


def test_graph_with_bad_attributes_is_rejected():
    g = nx.path_graph(["a", "b", "c"])
    g.nodes["c"]["kind"] = "creator"
    g.nodes["c"]["niche"] = "cars"
    with pytest.raises(ScenarioError, match=r"node 'c' has niche='cars'"):
        market_from_graph(g, resolve())
    g.nodes["c"]["niche"] = "food"
    g.nodes["a"]["skepticism"] = "very"
    with pytest.raises(ScenarioError, match=r"node 'a' has skepticism='very', expected a number"):
        market_from_graph(g, resolve())
