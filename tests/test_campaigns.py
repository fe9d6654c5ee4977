"""Campaigns: who is hired, what it costs, when posts go up."""

from __future__ import annotations

import copy

import numpy as np
import pytest

from simulation.campaigns import (
    Campaign,
    audience_overlap,
    expected_initial_trust,
    most_posts,
    plan_campaign,
    published_engagement_rate,
    scheduled_posts,
)
from simulation.graph import generate_market, initial_trust
from simulation.params import NICHES, STRATEGIES, TIERS, ScenarioError, resolve

SCHEDULES = ("one_off", "partnership")


def with_(params: dict, **changes) -> dict:
    """A copy of resolved ``params`` with ``section__name=value`` changes, re-checked."""
    flat = {k.replace("__", "."): v for k, v in changes.items()}
    base = {s: dict(t) for s, t in copy.deepcopy(params).items() if s != "scenario"}
    for key, value in flat.items():
        section, name = key.split(".")
        base[section][name] = value
    return resolve(base)


# --------------------------------------------------------------------------- budget
@pytest.mark.parametrize("fill", [True, False])
@pytest.mark.parametrize("schedule", SCHEDULES)
@pytest.mark.parametrize("strategy", [s for s in STRATEGIES if s != "optimised"])  # tests/test_portfolio.py
@pytest.mark.parametrize("budget", [20_000.0, 100_000.0, 1_234_567.89])
def test_spend_never_exceeds_budget(medium_market, medium_params, strategy, schedule, budget, fill):
    params = with_(
        medium_params,
        campaign__strategy=strategy,
        campaign__schedule=schedule,
        campaign__creators=list(range(0, 5_000, 37)),
        campaign__fill_budget=fill,
        brand__budget=budget,
    )
    try:
        campaign = plan_campaign(medium_market, params)
    except ScenarioError as err:  # only a budget too small for the tier may refuse
        assert str(err).startswith("brand.budget")
        assert strategy == "mega" and budget < 100_000
        return
    assert campaign.spend <= budget
    assert campaign.budget == budget
    assert campaign.unspent == pytest.approx(budget - campaign.spend) and campaign.unspent >= 0
    assert campaign.budget_spent_share == pytest.approx(campaign.spend / budget)
    assert (campaign.posts >= 1).all() or strategy == "none"
    assert len(np.unique(campaign.creators)) == len(campaign.creators)
    n_posts = scheduled_posts(schedule, 1.0, 7.0, medium_params["market"]["days"])  # 1 or 5
    n_max = most_posts(schedule, 1.0, 7.0, medium_params["market"]["days"], 3)  # 1 or 12
    assert (campaign.posts <= (n_max if fill else n_posts)).all()
    if strategy == "none":
        assert len(campaign.creators) == 0 and campaign.spend == 0
    else:
        assert len(campaign.creators) >= 1
        # the greedy walk leaves less than one post of the cheapest remaining creator unspent
        assert campaign.spend > 0


@pytest.mark.parametrize("strategy", ["micro", "nano", "macro", "mixed", "list"])
def test_spend_within_budget_for_many_random_budgets(small_market, small_params, strategy):
    rng = np.random.default_rng(1)
    ids = rng.choice(small_market.n_creators, 200, replace=False).tolist()
    for budget in rng.uniform(3_000, 3_000_000, 40).round(2):
        params = with_(small_params, campaign__strategy=strategy, campaign__creators=ids, brand__budget=float(budget))
        campaign = plan_campaign(small_market, params)
        assert campaign.spend <= budget
        # posts are bought at the listed fee (20% partnership discount by default)
        np.testing.assert_allclose(campaign.fee_per_post, small_market.fee[campaign.creators] * 0.8)


def test_budget_exactly_one_fee_short_hires_nobody(small_market, small_params):
    creator = 100
    fee = small_market.fee[creator]  # one-off posts carry no partnership discount
    params = with_(
        small_params,
        campaign__strategy="list",
        campaign__creators=[creator],
        campaign__schedule="one_off",
        brand__budget=float(fee),
    )
    assert plan_campaign(small_market, params).spend == pytest.approx(fee)
    short = with_(params, brand__budget=float(fee) * (1 - 1e-10))
    with pytest.raises(ScenarioError, match="brand.budget"):
        plan_campaign(small_market, short)


@pytest.mark.parametrize("strategy", ["mega", "micro", "nano", "macro", "mixed"])
def test_budget_too_small_names_brand_budget(small_market, small_params, strategy):
    params = with_(small_params, campaign__strategy=strategy, brand__budget=1.0)
    with pytest.raises(ScenarioError) as err:
        plan_campaign(small_market, params)
    message = str(err.value)
    assert message.startswith("brand.budget = 1 USD hires nobody")
    assert repr(strategy) in message and "cheapest eligible creator costs" in message


def test_missing_tier_is_reported(small_params):
    from simulation.graph import generate_market

    params = with_(small_params, creators__share_mega=0.0, creators__count=500, campaign__strategy="mega")
    market = generate_market(params, seed=1)
    assert not (market.tier == TIERS.index("mega")).any()
    with pytest.raises(ScenarioError, match="no creator of that tier"):
        plan_campaign(market, params)


# --------------------------------------------------------------------------- who is hired
def test_mega_hires_exactly_one_on_the_schedule(medium_market, medium_params):
    for budget in (1e5, 1e6, 1e8):
        params = with_(medium_params, campaign__strategy="mega", brand__budget=budget, campaign__fill_budget=False)
        campaign = plan_campaign(medium_market, params)
        assert len(campaign.creators) == 1
        assert medium_market.tier[campaign.creators[0]] == TIERS.index("mega")
    two = plan_campaign(
        medium_market,
        with_(
            medium_params,
            campaign__strategy="mega",
            brand__budget=1e8,
            campaign__max_creators=2,
            campaign__fill_budget=False,
        ),
    )
    assert len(two.creators) == 2


def test_mega_fills_its_creator_before_hiring_the_next(medium_market, medium_params):
    m = medium_market
    fee = 0.8 * m.fee
    one = plan_campaign(m, with_(medium_params, campaign__strategy="mega", campaign__fill_budget=False))
    top = int(one.creators[0])
    # 100,000 USD: this market's best mega costs 13,039 USD a post; 5 scheduled posts leave
    # 34,807 USD, which buy 2 more; the 8,730 USD left is less than any other mega's fee
    # (the cheapest is 11,424 USD), so the campaign spends 91% and says so
    filled = plan_campaign(m, with_(medium_params, campaign__strategy="mega"))
    assert filled.creators.tolist() == [top]
    assert filled.posts.tolist() == [int(np.floor(1e5 / fee[top]))] == [7]
    assert filled.unspent == pytest.approx(1e5 - 7 * fee[top]) == pytest.approx(8_729.55)
    assert filled.unspent < fee[m.tier == TIERS.index("mega")].min()
    assert filled.budget_spent_share == pytest.approx(0.9127, abs=1e-4)
    np.testing.assert_allclose(filled.interval, [29 / 7])  # spread evenly over days 1 to 30
    # 1 million USD: the best mega at 12 posts (3 a week over 29 days), then the next-best, ...
    big = plan_campaign(m, with_(medium_params, campaign__strategy="mega", brand__budget=1e6))
    assert big.creators[0] == top and big.posts[0] == 12 and len(big.creators) >= 2
    assert (m.tier[big.creators] == TIERS.index("mega")).all()
    assert big.spend <= 1e6 and big.budget_spent_share > 0.95
    # ... unless the brand caps the creators it hires
    capped = plan_campaign(
        m, with_(medium_params, campaign__strategy="mega", brand__budget=1e6, campaign__max_creators=1)
    )
    assert capped.creators.tolist() == [top] and capped.posts.tolist() == [12]
    assert capped.unspent == pytest.approx(1e6 - 12 * fee[top])


def test_micro_hires_many_micro_creators(medium_market, medium_params):
    params = with_(medium_params, campaign__strategy="micro", campaign__fill_budget=False)
    campaign = plan_campaign(medium_market, params)
    assert len(campaign.creators) > 50
    assert (medium_market.tier[campaign.creators] == TIERS.index("micro")).all()
    # 100,000 USD buys whole 30-day partnerships (5 posts) from all but the last few
    assert (campaign.posts[:-3] == 5).all()
    capped = plan_campaign(medium_market, with_(params, campaign__max_creators=10))
    np.testing.assert_array_equal(capped.creators, campaign.creators[:10])
    # filling the budget keeps those creators and only adds posts where a little money is left
    filled = plan_campaign(medium_market, with_(params, campaign__fill_budget=True))
    np.testing.assert_array_equal(filled.creators, campaign.creators)
    assert (filled.posts >= campaign.posts).all() and filled.spend >= campaign.spend
    assert (filled.posts > campaign.posts).sum() <= 3
    # ten creators cannot absorb 100,000 USD at 5 posts; at 12 posts each they spend more
    capped_filled = plan_campaign(medium_market, with_(params, campaign__max_creators=10, campaign__fill_budget=True))
    np.testing.assert_array_equal(capped_filled.creators, capped.creators)
    assert (capped_filled.posts == 12).all() or capped_filled.budget_spent_share > 0.95


@pytest.mark.parametrize("strategy", ["nano", "micro", "macro", "mega"])
def test_single_tier_strategies_hire_only_that_tier(medium_market, medium_params, strategy):
    campaign = plan_campaign(medium_market, with_(medium_params, campaign__strategy=strategy, brand__budget=3e5))
    assert (medium_market.tier[campaign.creators] == TIERS.index(strategy)).all()


def test_mixed_splits_budget_across_tiers(medium_market, medium_params):
    params = with_(medium_params, campaign__strategy="mixed", brand__budget=1e6, campaign__fill_budget=False)
    campaign = plan_campaign(medium_market, params)
    tiers = medium_market.tier[campaign.creators]
    spend = campaign.posts * campaign.fee_per_post
    for t in range(4):
        assert (tiers == t).any()
        assert spend[tiers == t].sum() <= 0.25 * 1e6 + 1e-6
    zero_mega = plan_campaign(medium_market, with_(params, campaign__mix_mega=0.0))
    assert not (medium_market.tier[zero_mega.creators] == TIERS.index("mega")).any()


def test_ranking_is_by_fit_times_engagement(medium_market, medium_params):
    params = with_(medium_params, campaign__strategy="micro", brand__budget=1e9)
    campaign = plan_campaign(medium_market, params)
    m = medium_market
    fit = np.where(m.niche[campaign.creators] == NICHES.index("beauty"), 1.0, 0.3)
    score = fit * published_engagement_rate(m, 0.2, medium_params["trust"]["initial_sd"])[campaign.creators]
    assert (np.diff(score) <= 0).all()
    assert len(campaign.creators) == (m.tier == 1).sum()  # a huge budget hires the whole tier


def test_in_niche_creators_ranked_first(medium_market, medium_params):
    m = medium_market
    beauty = NICHES.index("beauty")
    # with no value off-niche, every in-niche creator comes before any other
    params = with_(medium_params, campaign__strategy="micro", brand__budget=1e9, funnel__off_niche_fit=0.0)
    order = plan_campaign(m, params).creators
    in_niche = m.niche[order] == beauty
    n_in = int(in_niche.sum())
    assert n_in == ((m.tier == 1) & (m.niche == beauty)).sum()
    assert in_niche[:n_in].all() and not in_niche[n_in:].any()
    # at the default fit (0.3) a 100,000 USD micro campaign is almost all in-niche
    default = plan_campaign(m, with_(medium_params, campaign__strategy="micro"))
    share_in = (m.niche[default.creators] == beauty).mean()
    assert share_in > 0.8  # 0.89 for this market; 1/7 by chance
    assert (m.niche[default.creators[: len(default.creators) // 2]] == beauty).all()
    # and the one mega creator is the brand's niche
    mega = plan_campaign(m, with_(medium_params, campaign__strategy="mega"))
    assert m.niche[mega.creators[0]] == beauty


def test_brand_niche_changes_who_is_hired(medium_market, medium_params):
    food = plan_campaign(medium_market, with_(medium_params, campaign__strategy="micro", brand__niche="food"))
    assert (medium_market.niche[food.creators] == NICHES.index("food")).mean() > 0.9


def test_list_strategy_hires_listed_creators_in_order(medium_market, medium_params):
    ids = [4500, 12, 300, 4000]
    params = with_(medium_params, campaign__strategy="list", campaign__creators=ids, brand__budget=1e9)
    campaign = plan_campaign(medium_market, with_(params, campaign__fill_budget=False))
    np.testing.assert_array_equal(campaign.creators, ids)
    assert (campaign.posts == 5).all() and campaign.interval == 7.0
    # filling the budget buys 3 posts a week over the 29 days from day 1: 12 each, every 29/12 days
    filled = plan_campaign(medium_market, params)
    np.testing.assert_array_equal(filled.creators, ids)
    assert (filled.posts == 12).all()
    np.testing.assert_allclose(filled.interval, 29 / 12)


def test_list_strategy_ignores_repeated_ids(medium_market, medium_params):
    params = with_(
        medium_params,
        campaign__strategy="list",
        campaign__creators=[5, 5, 7, 5],
        brand__budget=1e9,
        campaign__fill_budget=False,
    )
    campaign = plan_campaign(medium_market, params)
    np.testing.assert_array_equal(campaign.creators, [5, 7])
    assert campaign.spend == pytest.approx(5 * 0.8 * medium_market.fee[[5, 7]].sum())


@pytest.mark.parametrize("bad", [[1, 99_999], [-1], [5_002]])
def test_list_strategy_bad_id(medium_market, medium_params, bad):
    params = with_(medium_params, campaign__strategy="list", campaign__creators=bad)
    with pytest.raises(ScenarioError, match=r"campaign.creators: no creator -?\d+; ids run from 0 to 5001"):
        plan_campaign(medium_market, params)


def test_partnership_discount_and_posts(medium_market, medium_params):
    params = with_(
        medium_params,
        campaign__strategy="list",
        campaign__creators=[10, 20],
        brand__budget=1e9,
        campaign__fill_budget=False,
    )
    partner = plan_campaign(medium_market, params)
    once = plan_campaign(medium_market, with_(params, campaign__schedule="one_off"))
    fee = medium_market.fee[[10, 20]]
    np.testing.assert_allclose(once.fee_per_post, fee)
    np.testing.assert_allclose(partner.fee_per_post, 0.8 * fee)
    np.testing.assert_array_equal(once.posts, [1, 1])
    np.testing.assert_array_equal(partner.posts, [5, 5])  # days 1, 8, 15, 22 and 29 of a 30-day run


def test_strategy_none_hires_nobody(small_market, small_params):
    campaign = plan_campaign(small_market, with_(small_params, campaign__strategy="none"))
    assert len(campaign.creators) == 0 and campaign.spend == 0.0
    creators, counts = campaign.posts_between(0, 100)
    assert len(creators) == 0 and len(counts) == 0


# --------------------------------------------------------------------------- schedule
@pytest.mark.parametrize(
    ("schedule", "start", "interval", "days", "expected"),
    [
        ("one_off", 1.0, 7.0, 30, 1),
        ("partnership", 1.0, 7.0, 30, 5),  # days 1, 8, 15, 22, 29
        ("partnership", 2.0, 7.0, 30, 4),  # day 30 is past the end
        ("partnership", 0.0, 7.0, 28, 4),
        ("partnership", 0.0, 0.5, 3, 6),
        ("partnership", 30.0, 7.0, 30, 0),
        ("one_off", 30.0, 7.0, 30, 0),  # starts after the run: nothing to buy
    ],
)
def test_scheduled_posts(schedule, start, interval, days, expected):
    assert scheduled_posts(schedule, start, interval, days) == expected


def test_campaign_starting_after_the_run_is_refused(small_params):
    for schedule in SCHEDULES:  # the small market runs 20 days: such a campaign could never post (issue 12)
        with pytest.raises(ScenarioError, match="campaign.start_day = 25 is at or after the end of the run"):
            with_(small_params, campaign__strategy="micro", campaign__schedule=schedule, campaign__start_day=25.0)


def _sweep(campaign: Campaign, dt: float, days: float) -> tuple[np.ndarray, dict]:
    """Step ``[t, t + dt)`` windows over the run as the model does (t accumulates floats)."""
    seen = np.zeros(len(campaign.creators), dtype=np.int64)
    where = {}
    index = {c: k for k, c in enumerate(campaign.creators.tolist())}
    t = 0.0
    for step in range(int(round(days / dt))):
        creators, counts = campaign.posts_between(t, t + dt)
        for c, n in zip(creators.tolist(), counts.tolist()):
            seen[index[c]] += n
            where.setdefault(c, []).extend([step] * n)
        t = t + dt
    return seen, where


@pytest.mark.parametrize("dt", [1.0, 0.5, 0.25, 0.1, 0.05, 1 / 3, 0.07])
@pytest.mark.parametrize(("start", "interval"), [(1.0, 7.0), (0.0, 1.0), (2.5, 0.3), (0.35, 0.05), (1.0, 0.1)])
def test_posts_between_returns_each_post_once(dt, start, interval):
    days = 12.0
    n_posts = scheduled_posts("partnership", start, interval, days)
    posts = np.array([n_posts, 1, max(n_posts - 2, 1)])  # a creator may have bought fewer posts
    campaign = Campaign(np.array([3, 8, 1]), posts, np.ones(3), start, interval, 1e9)
    seen, where = _sweep(campaign, dt, days)
    np.testing.assert_array_equal(seen, posts)
    # post j of a creator falls in the window holding start + j * interval
    for c, k in zip(campaign.creators.tolist(), posts.tolist()):
        expected = [int(np.floor((start + j * interval) / dt + 1e-7)) for j in range(k)]
        assert where[c] == expected


def test_posts_between_one_off_and_tiny_steps():
    campaign = Campaign(np.array([0, 1]), np.array([1, 1]), np.ones(2), 1.0, 7.0, 10.0)
    seen, where = _sweep(campaign, 0.05, 30)
    np.testing.assert_array_equal(seen, [1, 1])
    assert where[0] == where[1] == [20]  # day 1.0 starts the 21st window of 0.05
    # nothing before the start, and a window ending at the start is still empty
    assert len(campaign.posts_between(0.0, 1.0)[0]) == 0
    assert len(campaign.posts_between(0.95, 1.0)[0]) == 0
    np.testing.assert_array_equal(campaign.posts_between(1.0, 1.05)[1], [1, 1])
    # a window spanning several posts counts them all
    long = Campaign(np.array([4]), np.array([5]), np.ones(1), 1.0, 2.0, 10.0)
    creators, counts = long.posts_between(0.0, 100.0)
    np.testing.assert_array_equal(creators, [4])
    np.testing.assert_array_equal(counts, [5])
    np.testing.assert_array_equal(long.posts_between(2.0, 6.0)[1], [2])  # days 3 and 5


# --------------------------------------------------------------------------- overlap
def test_audience_overlap(small_market):
    m = small_market
    sizes = np.diff(m.follow_indptr)
    a = int(np.flatnonzero(sizes > 20)[0])
    assert audience_overlap(m, np.array([], dtype=np.int64)) == 0.0
    assert audience_overlap(m, np.array([a])) == 0.0
    assert audience_overlap(m, np.array([a, a])) == pytest.approx(0.5)
    b = int(np.flatnonzero(sizes > 20)[1])
    union = len(set(m.audience(a).tolist()) | set(m.audience(b).tolist()))
    expected = 1 - union / (sizes[a] + sizes[b])
    assert audience_overlap(m, np.array([a, b])) == pytest.approx(expected)


def test_published_engagement_rate_falls_with_size(medium_market):
    er = published_engagement_rate(medium_market, 0.2, 0.1)
    assert ((er >= 0) & (er <= 0.2)).all()
    by_tier = [np.median(er[medium_market.tier == t]) for t in range(4)]
    assert by_tier == sorted(by_tier, reverse=True)


# --------------------------------------------------------------------------- scale invariance
@pytest.mark.parametrize("seed", [0, 7])
def test_same_seed_hires_same_creators_at_any_agent_count(seed):
    # creator traits and fees are drawn before any follower, and the ranking uses only
    # them: 25,000, 50,000 and 100,000 agents hire the same creators for the same posts
    plans = {}
    for n in (25_000, 50_000, 100_000):
        market = generate_market(resolve({"market.followers": n}), seed=seed)
        for strategy in ("mega", "macro", "micro", "nano", "mixed"):
            for fill in (True, False):
                params = resolve({"market.followers": n, "campaign.strategy": strategy, "campaign.fill_budget": fill})
                c = plan_campaign(market, params)
                plans.setdefault((strategy, fill), []).append(
                    (
                        c.creators.tolist(),
                        c.posts.tolist(),
                        c.fee_per_post.tolist(),
                        np.broadcast_to(c.interval, c.posts.shape).tolist(),
                    )
                )
    for key, (first, *rest) in plans.items():
        assert len(first[0]) >= 1, key
        assert all(plan == first for plan in rest), key


def test_published_engagement_rate_uses_creator_traits_only():
    small = generate_market(resolve({"market.followers": 3_000}), seed=3)
    large = generate_market(resolve({"market.followers": 30_000}), seed=3)
    np.testing.assert_array_equal(
        published_engagement_rate(small, 0.2, 0.1), published_engagement_rate(large, 0.2, 0.1)
    )
    m = small
    expected = (
        (1 - m.fake_share)
        * m.reach
        * 0.2
        * m.relatability
        * expected_initial_trust(m.authenticity, m.relatability, 0.1)
    )
    np.testing.assert_allclose(published_engagement_rate(m, 0.2, 0.1), expected)


@pytest.mark.parametrize("sd", [0.0, 0.05, 0.2, 0.6])
def test_expected_initial_trust_is_the_mean_of_initial_trust(sd):
    # the clipped-normal mean against 200,000 draws of graph.initial_trust per creator type,
    # from near the lower clip (A R = 0.0004) to the upper one (A R = 1)
    rng = np.random.default_rng(2)
    a = np.array([0.02, 0.1, 0.5, 0.9, 1.0])
    r = np.array([0.02, 0.3, 0.5, 0.95, 1.0])
    draws = initial_trust(np.repeat(a, 200_000), np.repeat(r, 200_000), sd, rng).reshape(5, -1)
    se = draws.std(axis=1) / np.sqrt(draws.shape[1])
    assert (np.abs(draws.mean(axis=1) - expected_initial_trust(a, r, sd)) <= 4 * se + 1e-12).all()


# --------------------------------------------------------------------------- filling the budget
def test_both_arms_spend_the_budget_at_the_default_scenario():
    # 16 default markets (20 million people, 100,000 USD) at 20,000 agents. The schedule alone
    # spent 68% on one mega creator on average (35% to 97%); filling the budget spends 97%
    # (91% to 100%: a mega post is 6,000 to 60,000 USD, so what is left can be less than any
    # other mega's fee). Micro creators spent all of it before and still do.
    shares = {"mega": [], "micro": [], "mega_schedule": []}
    for seed in range(16):
        market = generate_market(resolve({"market.followers": 20_000}), seed=seed)
        for arm, fill in (("mega", True), ("micro", True), ("mega_schedule", False)):
            params = resolve(
                {"market.followers": 20_000, "campaign.strategy": arm.split("_")[0], "campaign.fill_budget": fill}
            )
            campaign = plan_campaign(market, params)
            assert campaign.spend <= 100_000
            shares[arm].append(campaign.budget_spent_share)
    mega, micro, schedule = (np.array(shares[k]) for k in ("mega", "micro", "mega_schedule"))
    assert mega.mean() >= 0.95 and mega.min() >= 0.9, mega.round(3)
    assert micro.min() >= 0.995, micro.round(4)
    assert schedule.mean() < 0.75 and (mega >= schedule).all()


def test_weekly_limit_and_even_spacing(medium_market, medium_params):
    # in every 7-day window of the run no creator posts more than max_posts_per_week times,
    # and every bought post goes up before the run ends
    for per_week in (1, 2, 3, 5):
        params = with_(
            medium_params,
            campaign__strategy="list",
            campaign__creators=[3, 40, 900],
            brand__budget=1e9,
            campaign__max_posts_per_week=per_week,
        )
        campaign = plan_campaign(medium_market, params)
        expected = max(5, int(np.floor(per_week * 29 / 7)))  # the weekly schedule has 5 posts
        assert (campaign.posts == expected).all()
        creators, counts = campaign.posts_between(0.0, 30.0)
        np.testing.assert_array_equal(counts, campaign.posts)
        for start in np.arange(0.0, 30.0, 0.25):
            _, counts = campaign.posts_between(start, start + 7.0)
            assert (counts <= per_week).all()
    assert most_posts("partnership", 1.0, 7.0, 30, 0) == 5  # no extra posts: next-best creators only


def test_fill_budget_false_is_the_schedule(medium_market, medium_params):
    for strategy in ("mega", "macro", "micro", "nano", "mixed"):
        params = with_(medium_params, campaign__strategy=strategy, campaign__fill_budget=False)
        plan = plan_campaign(medium_market, params)
        assert np.isscalar(plan.interval) and plan.interval == 7.0
        assert (plan.posts <= 5).all()
        filled = plan_campaign(medium_market, with_(params, campaign__fill_budget=True))
        # filling only adds: the scheduled creators keep at least their posts
        kept = np.isin(filled.creators, plan.creators)
        assert kept.sum() == len(plan.creators)
        order = np.argsort(plan.creators)
        np.testing.assert_array_less(plan.posts[order] - 1, filled.posts[kept][np.argsort(filled.creators[kept])])
        assert plan.spend <= filled.spend <= plan.budget


def test_mixed_passes_what_a_tier_cannot_spend_to_the_next_smaller(medium_market, medium_params):
    params = with_(medium_params, campaign__strategy="mixed")
    plan = plan_campaign(medium_market, with_(params, campaign__fill_budget=False))
    filled = plan_campaign(medium_market, params)
    tiers_plan, tiers_filled = medium_market.tier[plan.creators], medium_market.tier[filled.creators]
    spend_plan = np.bincount(tiers_plan, weights=plan.posts * plan.fee_per_post, minlength=4)
    spend_filled = np.bincount(tiers_filled, weights=filled.posts * filled.fee_per_post, minlength=4)
    assert plan.budget_spent_share < 0.995 < 0.9999 < filled.budget_spent_share  # 99.4% -> all
    assert (spend_filled >= spend_plan - 1e-6).all()
    # every tier's part is its 25,000 USD plus what the larger tiers left
    left = 0.0
    for t in (3, 2, 1, 0):
        assert spend_filled[t] <= 25_000 + left + 1e-6
        left += 25_000 - spend_filled[t]


def test_campaign_spend_properties():
    c = Campaign(np.array([1, 2]), np.array([3, 1]), np.array([10.0, 5.0]), 0.0, 7.0, 50.0)
    assert c.spend == 35.0 and c.unspent == 15.0 and c.budget_spent_share == 0.7
    empty = Campaign(np.array([], dtype=np.int64), np.array([], dtype=np.int64), np.empty(0), 0.0, 7.0, 0.0)
    assert empty.spend == 0.0 and empty.unspent == 0.0 and empty.budget_spent_share == 1.0


def test_summary_reports_planned_spend_and_unspent_budget(run_model, small_settings):
    model = run_model(3, small_settings | {"campaign.strategy": "mega"})
    summary = model.summary().iloc[0]
    campaign = model.brands[0].campaign
    assert summary.planned_spend == campaign.spend == pytest.approx(summary.spend)  # every post went up
    assert summary.unspent_budget == pytest.approx(summary.budget - summary.planned_spend)
    assert 0 <= summary.unspent_budget < summary.budget
