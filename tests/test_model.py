"""Whole runs: invariants, determinism, agents.

Scale invariance and the engagement-by-tier shape are checked once, in tests/test_validation.py.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from simulation import BrandAgent, Channel, CreatorAgent, FollowerAgent, Funnel, InfluencerModel, ScenarioError

COUNT_COLUMNS = [
    "impressions",
    "engagements",
    "clicks",
    "conversions_direct",
    "conversions_wom",
    "seeded",
    "spend",
    "revenue",
    "unique_reach",
    "post_reach",
    "aware",
    "interested",
    "purchased",
    "mean_trust",
]
MARKET_ARRAYS = [
    "interests",
    "skepticism",
    "price_sensitivity",
    "attention",
    "niche",
    "followers",
    "tier",
    "relatability",
    "authenticity",
    "responsiveness",
    "reach",
    "fake_share",
    "ad_load",
    "fee",
    "follow_indptr",
    "follow_follower",
    "trust",
    "friend_indptr",
    "friend_index",
]
HOT_FUNNEL = {"funnel.click_rate": 0.8, "funnel.purchase_rate": 0.5}  # enough buyers a step to see a change
LIST_IDS = list(range(4_100, 4_160))  # micro creators of the default creator population


def strategy_settings(strategy: str) -> dict:
    return {"campaign.strategy": strategy} | ({"campaign.creators": LIST_IDS} if strategy == "list" else {})


def check_invariants(model: InfluencerModel) -> pd.Series:
    """Everything that must hold at the end of any run; returns the summary row."""
    m, brand = model.market, model.brands[0]
    s = model.summary().iloc[0]
    daily = model.daily()
    k = model.people_per_agent

    # people: conversions <= unique reach <= population, in people and in agents
    assert 0 <= s.conversions <= s.unique_reach <= m.population
    assert s.post_reach <= s.unique_reach
    assert s.conversions_direct + s.conversions_wom == pytest.approx(s.conversions)
    bought = brand.state == Funnel.PURCHASED
    assert s.conversions == pytest.approx((bought & (brand.channel != Channel.SEEDED)).sum() * k)
    assert s.conversion_rate == pytest.approx(s.conversions / m.population)

    # funnel states valid, and purchases carry a channel
    assert set(np.unique(brand.state).tolist()) <= {int(f) for f in Funnel}
    np.testing.assert_array_equal(bought, brand.channel != Channel.NONE)
    assert (brand.bought_step[bought] >= 0).all() and (brand.bought_step[~bought] == -1).all()

    # money: spend <= budget, booked as the posts went up; revenue is price x buyers
    assert 0 <= s.spend <= s.budget
    assert s.spend == pytest.approx(brand.campaign.spend, rel=1e-9)
    assert daily.spend.sum() == pytest.approx(s.spend, rel=1e-9)
    assert s.revenue == pytest.approx(s.conversions * brand.price)
    if s.spend > 0:
        assert s.roi == pytest.approx((s.revenue * brand.margin - s.spend) / s.spend)

    # trust stays a probability
    assert np.isfinite(model.trust).all()
    assert ((model.trust >= 0) & (model.trust <= 1)).all()

    # the daily table: one row per step plus the start, finite counts, totals that add up
    assert len(daily) == model.n_steps + 1
    assert not daily[COUNT_COLUMNS].isna().any().any()
    assert (daily[COUNT_COLUMNS] >= 0).all().all()
    for column in ("unique_reach", "post_reach", "purchased"):
        assert (daily[column].diff().dropna() >= 0).all(), column  # nobody forgets or un-buys
    last = daily.iloc[-1]
    assert last.aware + last.interested + last.purchased == pytest.approx(last.unique_reach)
    assert last.unique_reach == pytest.approx(s.unique_reach)
    assert daily.conversions_direct.sum() == pytest.approx(s.conversions_direct)
    assert daily.conversions_wom.sum() == pytest.approx(s.conversions_wom)
    assert daily.impressions.sum() == pytest.approx(s.impressions)
    assert s.engagements <= s.impressions and s.clicks <= s.impressions
    model_vars = model.datacollector.get_model_vars_dataframe()
    assert (model_vars.conversions <= model_vars.unique_reach + 1e-6).all()
    assert (model_vars.unique_reach <= m.population).all()
    return s


# --------------------------------------------------------------------------- invariants
@pytest.mark.parametrize("schedule", ["one_off", "partnership"])
@pytest.mark.parametrize("strategy", ["mega", "macro", "micro", "nano", "mixed", "list", "none"])
def test_run_invariants(run_model, hot_settings, strategy, schedule):
    model = run_model(3, hot_settings | strategy_settings(strategy) | {"campaign.schedule": schedule})
    s = check_invariants(model)
    if strategy == "none":
        assert s.spend == 0 and s.impressions == 0 and s.conversions == 0 and s.unique_reach == 0
    else:
        assert s.impressions > 0 and s.conversions > 0 and s.spend > 0  # the run was not all zeros


def test_hot_runs_exercise_word_of_mouth(run_model, hot_settings):
    s = run_model(3, hot_settings | {"campaign.strategy": "micro"}).summary().iloc[0]
    assert s.conversions_wom > 0 and s.conversions_direct > 0
    assert s.unique_reach > s.post_reach  # friends heard of it without seeing a post


@pytest.mark.parametrize(
    "variant",
    [
        {"market.dt": 0.25},
        {"word_of_mouth.network": "mean_field"},
        {"trust.dynamics": False},
        {"funnel.wearout": 1e12, "word_of_mouth.persuasion": False},
        {"brand.budget": 2e6, "brand.quality": 0.2},
    ],
    ids=["dt", "mean_field", "static_trust", "no_wearout", "disappointing"],
)
def test_run_invariants_variants(run_model, hot_settings, variant):
    model = run_model(4, hot_settings | {"campaign.strategy": "micro"} | variant)
    s = check_invariants(model)
    assert s.conversions > 0
    if variant.get("trust.dynamics") is False:
        np.testing.assert_array_equal(model.trust, model.market.trust)


def test_trust_moves_with_content(run_model, hot_settings):
    model = run_model(4, hot_settings | {"campaign.strategy": "micro", "brand.budget": 2e6, "brand.quality": 0.2})
    hired = model.brands[0].hired_edges
    changed = model.trust != model.market.trust
    assert changed.mean() > 0.1
    # heavy advertising and disappointing products erode trust in the hired creators
    assert model.trust[hired].mean() < model.market.trust[hired].mean()


def test_the_default_doctest_size_run_is_consistent(run_model, small_settings):
    check_invariants(run_model(5, small_settings | {"campaign.strategy": "mega"}))


# --------------------------------------------------------------------------- determinism
def tables(model: InfluencerModel):
    return model.daily(), model.summary(), model.creator_table()


def test_same_seed_same_results(small_settings, run_model):
    settings = small_settings | {"campaign.strategy": "micro"}
    a = run_model(42, settings)
    b = InfluencerModel(seed=42, **{k.replace(".", "__"): v for k, v in settings.items()})
    b.run()
    for x, y in zip(tables(a), tables(b)):
        pd.testing.assert_frame_equal(x, y)
    np.testing.assert_array_equal(a.trust, b.trust)


def test_different_seeds_differ(small_settings, run_model):
    settings = small_settings | {"campaign.strategy": "micro"}
    a, b = run_model(42, settings), run_model(43, settings)
    assert not a.daily().equals(b.daily())
    assert not np.array_equal(a.market.followers, b.market.followers)
    assert a.summary().impressions.iloc[0] != b.summary().impressions.iloc[0]


def test_seed_sequence_reused_gives_identical_runs(small_settings):
    kwargs = {k.replace(".", "__"): v for k, v in small_settings.items()} | {"campaign__strategy": "micro"}
    seq = np.random.SeedSequence(2024)
    before = (seq.entropy, seq.spawn_key, seq.n_children_spawned, seq.generate_state(4).tolist())
    a = InfluencerModel(seed=seq, **kwargs)
    a.run()
    b = InfluencerModel(seed=seq, **kwargs)
    b.run()
    after = (seq.entropy, seq.spawn_key, seq.n_children_spawned, seq.generate_state(4).tolist())
    assert before == after  # the model did not spawn from (mutate) the caller's sequence
    for x, y in zip(tables(a), tables(b)):
        pd.testing.assert_frame_equal(x, y)
    c = InfluencerModel(seed=2024, **kwargs)  # an int seeds the same SeedSequence
    c.run()
    pd.testing.assert_frame_equal(a.daily(), c.daily())


def test_spawned_seed_sequences_give_distinct_replications(small_settings):
    kwargs = {k.replace(".", "__"): v for k, v in small_settings.items()} | {"market__days": 5}
    children = np.random.SeedSequence(7).spawn(2)
    again = np.random.SeedSequence(7).spawn(2)
    a, b, a2 = (InfluencerModel(seed=s, **kwargs) for s in (children[0], children[1], again[0]))
    for model in (a, b, a2):
        model.run()
    pd.testing.assert_frame_equal(a.daily(), a2.daily())
    assert not np.array_equal(a.market.followers, b.market.followers)


def test_digit_string_seed_equals_int_seed(small_settings):
    kwargs = {k.replace(".", "__"): v for k, v in small_settings.items()} | {"market__days": 8}
    a, b = InfluencerModel(seed="42", **kwargs), InfluencerModel(seed=42, **kwargs)
    c = InfluencerModel(seed=" 42 ", **kwargs)
    for model in (a, b, c):
        model.run()
    pd.testing.assert_frame_equal(a.daily(), b.daily())
    pd.testing.assert_frame_equal(a.summary(), c.summary())
    assert InfluencerModel(rng=42, **kwargs).market.fee.tolist() == a.market.fee.tolist()  # Mesa's name


@pytest.mark.parametrize("bad", ["abc", "4.2", -1, 2.5])
def test_bad_seed_is_a_scenario_error(bad):
    with pytest.raises(ScenarioError, match="seed"):
        InfluencerModel(seed=bad, market__followers=100)


def test_paired_runs_share_the_market(small_settings, run_model):
    mega = run_model(11, small_settings | {"campaign.strategy": "mega"})
    micro = run_model(11, small_settings | {"campaign.strategy": "micro"})
    for name in MARKET_ARRAYS:
        np.testing.assert_array_equal(getattr(mega.market, name), getattr(micro.market, name), err_msg=name)
    assert mega.market.population == micro.market.population
    # common random numbers: the organic posting draws are the same day by day
    np.testing.assert_array_equal(mega.organic["posts"], micro.organic["posts"])
    # and the campaigns differ
    assert mega.summary().creators_hired.iloc[0] < 5 < micro.summary().creators_hired.iloc[0]


def test_prebuilt_market_gives_the_same_run(small_settings, run_model):
    settings = small_settings | {"campaign.strategy": "micro"}
    a = run_model(42, settings)
    b = InfluencerModel(seed=42, market=a.market, **{k.replace(".", "__"): v for k, v in settings.items()})
    b.run()
    pd.testing.assert_frame_equal(a.daily(), b.daily())


def test_params_argument_equals_keywords(small_settings, run_model):
    from simulation.params import load_scenario, model_kwargs

    settings = small_settings | {"campaign.strategy": "micro"}
    scenario = load_scenario(None, [f"{k}={v}" for k, v in settings.items()])
    a = run_model(42, settings)
    b = InfluencerModel(seed=42, params=scenario)
    b.run()
    c = InfluencerModel(seed=42, **model_kwargs(scenario))
    c.run()
    pd.testing.assert_frame_equal(a.daily(), b.daily())
    pd.testing.assert_frame_equal(a.daily(), c.daily())


# --------------------------------------------------------------------------- agents
@pytest.fixture(scope="module")
def fresh_model(small_settings):
    return InfluencerModel(seed=8, **{k.replace(".", "__"): v for k, v in small_settings.items()})


def test_agents_mirror_the_market(fresh_model):
    model, m = fresh_model, fresh_model.market
    assert len(model.agents) == m.n_followers + m.n_creators + 1
    followers = model.agents_by_type[FollowerAgent]
    creators = model.agents_by_type[CreatorAgent]
    brands = model.agents_by_type[BrandAgent]
    assert len(followers) == m.n_followers and len(creators) == m.n_creators and len(brands) == 1
    assert sorted(a.index for a in followers) == list(range(m.n_followers))
    assert sorted(a.index for a in creators) == list(range(m.n_creators))
    assert model.brands[0] is list(brands)[0]
    assert len(model.followers) == m.n_followers and len(model.creators) == m.n_creators


def test_agents_made_on_demand_change_nothing(small_settings):
    """Follower and creator agents are made when first asked for, with the ids an eager
    build gives them; a run is the same whether they were made, and whenever."""
    kwargs = _kwargs(small_settings | HOT_FUNNEL, campaign__strategy="micro", market__days=10)
    lazy = InfluencerModel(seed=5, **kwargs)
    lazy.run()
    eager = InfluencerModel(seed=5, **kwargs)
    n, c = eager.market.n_followers, eager.market.n_creators
    assert len(eager.agents) == n + c + 1  # made here, before any step
    eager.run(4)
    midway = InfluencerModel(seed=5, market=eager.market, **kwargs)
    midway.run(4)
    assert len(midway.followers) == n  # made between steps
    eager.run()
    midway.run()
    pd.testing.assert_frame_equal(lazy.daily(), eager.daily())
    pd.testing.assert_frame_equal(lazy.daily(), midway.daily())
    ids = {type(a).__name__: [] for a in eager.agents}
    for agent in eager.agents:
        ids[type(agent).__name__].append((agent.index if hasattr(agent, "index") else 0, agent.unique_id))
    assert sorted(ids["FollowerAgent"]) == [(i, i + 1) for i in range(n)]
    assert sorted(ids["CreatorAgent"]) == [(k, n + k + 1) for k in range(c)]
    assert ids["BrandAgent"] == [(0, n + c + 1)]


def test_follower_agent_reads_and_writes_the_arrays(fresh_model):
    model, m = fresh_model, fresh_model.market
    agent = next(a for a in model.followers if len(model.follower_edges(a.index)) >= 2)
    i = agent.index
    old = agent.skepticism
    assert old == m.skepticism[i] == model.traits.skepticism[i]
    agent.skepticism = 0.123
    assert agent.skepticism == 0.123 and model.traits.skepticism[i] == 0.123
    assert m.skepticism[i] == old  # the write is the model's own: the shared market keeps its value
    agent.skepticism = old
    assert sum(agent.interests.values()) == pytest.approx(1.0)
    np.testing.assert_array_equal(agent.friends, m.friends(i))
    following = agent.following
    assert len(following) == len(model.follower_edges(i)) >= 2
    for c in following.tolist():
        assert i in m.audience(c)
        edge = m.follow_indptr[c] + int(np.flatnonzero(m.audience(c) == i)[0])
        assert agent.trust_in(c) == model.trust[edge]
    not_followed = next(c for c in range(m.n_creators) if c not in set(following.tolist()))
    assert np.isnan(agent.trust_in(not_followed))


def test_creator_agent_properties(fresh_model):
    model, m = fresh_model, fresh_model.market
    creator = next(a for a in model.creators if len(m.audience(a.index)) > 0)
    c = creator.index
    assert creator.niche == ["fitness", "beauty", "fashion", "food", "tech", "travel", "gaming"][m.niche[c]]
    assert creator.tier == ["nano", "micro", "macro", "mega"][m.tier[c]]
    assert creator.followers == m.followers[c]
    np.testing.assert_array_equal(creator.audience, m.audience(c))
    lo, hi = m.follow_indptr[c], m.follow_indptr[c + 1]
    assert creator.mean_trust == pytest.approx(model.trust[lo:hi].mean())


def test_funnel_through_the_agent():
    model = InfluencerModel(
        seed=9,
        market__followers=2_000,
        market__days=10,
        campaign__strategy="none",
        word_of_mouth__tell_probability=1.0,
        word_of_mouth__conversion=0.0,
    )
    follower = next(a for a in model.followers if len(a.friends) > 0)
    assert follower.funnel() is Funnel.UNAWARE
    model.brands[0].seed_buyers([follower.index])
    assert follower.funnel() is Funnel.PURCHASED
    assert follower.funnel(model.brands[0]) == Funnel.PURCHASED
    model.step()
    model.step()
    friend = next(a for a in model.followers if a.index == int(follower.friends[0]))
    assert friend.funnel() is Funnel.AWARE  # told for sure, bought for sure not
    s = model.summary().iloc[0]
    assert s.conversions == 0 and s.unique_reach > 0  # a seeded buyer is no conversion


def test_agent_writes_change_the_next_step(small_settings):
    kwargs = {k.replace(".", "__"): v for k, v in small_settings.items()} | {"campaign__strategy": "micro"}
    model = InfluencerModel(seed=12, **kwargs)
    for follower in model.followers:
        follower.skepticism = 1.0
    for creator in model.creators:
        creator.authenticity = 0.0  # a total skeptic accepts nothing from an inauthentic creator
    model.run()
    s = model.summary().iloc[0]
    assert s.impressions > 0 and s.clicks == 0 and s.conversions_direct == 0
    control = InfluencerModel(seed=12, **kwargs)
    control.run()
    assert control.summary().clicks.iloc[0] > 0


def _kwargs(settings: dict, **extra) -> dict:
    return {k.replace(".", "__"): v for k, v in settings.items()} | extra


@pytest.mark.parametrize(
    ("agents", "trait", "value", "changed"),
    [
        ("followers", "attention", 1e-6, "impressions"),  # view chance derives from attention
        ("creators", "reach", 0.0, "impressions"),  # and from reach
        ("followers", "price_sensitivity", 50.0, "conversions_direct"),  # the price factor derives from it
        ("followers", "skepticism", 1.0, "clicks"),
        ("creators", "relatability", 0.0, "engagements"),
    ],
)
def test_every_writable_trait_changes_the_next_step(small_settings, agents, trait, value, changed):
    kwargs = _kwargs(small_settings | HOT_FUNNEL, campaign__strategy="micro")
    model, control = InfluencerModel(seed=12, **kwargs), InfluencerModel(seed=12, **kwargs)
    model.run(8)  # posts go up every 7 days from day 1: step 9 is a posting day
    control.run(8)
    pd.testing.assert_frame_equal(model.daily(), control.daily())
    for agent in getattr(model, agents):
        setattr(agent, trait, value)
    if trait == "skepticism":
        for creator in model.creators:
            creator.authenticity = 0.0  # a total skeptic accepts nothing from an inauthentic creator
    model.step()
    control.step()
    assert model.daily()[changed].iloc[-1] == 0 < control.daily()[changed].iloc[-1]


def test_a_write_is_derived_once_and_only_after_a_write(fresh_model):
    model = InfluencerModel(seed=8, **_kwargs({"market.followers": 2_000, "market.days": 3}))
    before = model.view_probability
    assert model.view_probability is before  # cached: nothing written
    creator = next(c for c in model.creators if len(c.audience) > 0)
    creator.reach = creator.reach / 2
    after = model.view_probability
    assert after is not before and model.view_probability is after
    edges = slice(model.market.follow_indptr[creator.index], model.market.follow_indptr[creator.index + 1])
    np.testing.assert_allclose(after[edges], before[edges] / 2)
    np.testing.assert_array_equal(np.delete(after, np.r_[edges]), np.delete(before, np.r_[edges]))
    brand = model.brands[0]
    kept = brand.price_kept
    brand.price = brand.price * 2
    assert (brand.price_kept <= kept).all() and (brand.price_kept < kept).any()


def test_read_only_traits_refuse_writes(fresh_model):
    creator = next(iter(fresh_model.creators))
    for name in ("followers", "fake_share", "fee"):
        with pytest.raises(AttributeError):
            setattr(creator, name, 1.0)
    with pytest.raises(AttributeError):
        fresh_model.brands[0].budget = 1.0
    with pytest.raises(ValueError):  # the shared arrays cannot be written around the agents
        InfluencerModel(seed=1, market=fresh_model.market, **_kwargs({"market.days": 2})).traits.reach[0] = 0.5


def test_a_paired_arm_never_sees_the_other_arms_writes(small_settings):
    kwargs = _kwargs(small_settings | HOT_FUNNEL, campaign__strategy="micro")
    first = InfluencerModel(seed=21, **kwargs)
    market = first.market
    snapshot = {name: getattr(market, name).copy() for name in MARKET_ARRAYS}
    fresh = InfluencerModel(seed=21, market=market, **kwargs)
    fresh.run()
    writer = InfluencerModel(seed=21, market=market, **kwargs)
    for follower in writer.followers:
        follower.skepticism, follower.price_sensitivity, follower.attention = 1.0, 9.0, 0.5
    for creator in writer.creators:
        creator.reach, creator.authenticity, creator.ad_load = 0.01, 0.0, 0.9
    paired = InfluencerModel(seed=21, market=market, **kwargs)  # built after the writes, run after too
    writer.run()
    paired.run()
    for name in MARKET_ARRAYS:
        np.testing.assert_array_equal(getattr(market, name), snapshot[name], err_msg=name)
    pd.testing.assert_frame_equal(paired.daily(), fresh.daily())
    assert writer.summary().impressions.iloc[0] < fresh.summary().impressions.iloc[0]
    assert not paired.traits.owns("reach") and writer.traits.owns("reach")


def test_brand_owns_what_it_derives(fresh_model):
    model, brand = fresh_model, fresh_model.brands[0]
    m = model.market
    creators = brand.campaign.creators
    np.testing.assert_array_equal(
        brand.hired_edges, np.concatenate([np.arange(m.follow_indptr[c], m.follow_indptr[c + 1]) for c in creators])
    )
    assert brand.fee_of[creators] == pytest.approx(brand.campaign.fee_per_post)
    assert brand.fee_of.sum() == pytest.approx(brand.campaign.fee_per_post.sum())
    interests = m.interests
    np.testing.assert_allclose(brand.product_fit, interests[:, brand.niche] / interests.max(axis=1))
    beta = model.traits.price_sensitivity
    np.testing.assert_allclose(brand.price_kept, np.exp(-beta * brand.price / model.params["funnel"]["price_ref"]))
    follower = int(np.argmax(np.diff(m.friend_indptr)))
    assert brand.friends_who_bought(np.array([follower])).tolist() == [0]


def test_friends_bought_counts_buyers_among_friends():
    model = InfluencerModel(seed=9, market__followers=2_000, market__days=3, campaign__strategy="none")
    brand, m = model.brands[0], model.market
    buyers = np.arange(0, 2_000, 3)
    brand.seed_buyers(buyers)
    expected = [np.isin(m.friends(i), buyers).sum() for i in range(m.n_followers)]
    np.testing.assert_array_equal(brand.friends_bought, expected)


def test_graph_property_has_current_trust(fresh_model):
    model = InfluencerModel(
        seed=3, market__followers=500, market__population=500_000, creators__count=200, market__days=3
    )
    model.run()
    g = model.graph
    m = model.market
    c = int(np.argmax(np.diff(m.follow_indptr)))
    f = int(m.audience(c)[0])
    assert g.edges[f"f{f}", f"c{c}"]["trust"] == model.trust[m.follow_indptr[c]]
