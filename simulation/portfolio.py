"""The ``optimised`` strategy: which creators, and how many posts each, within the budget.

The brand's goal is scored as the expected number of people who, from at least one of the
portfolio's sponsored posts, see it (``awareness``), engage with it (``engagement``) or buy
(``sales``). With ``r_e`` the chance that one post of creator ``c`` brings that event from
the follower on follow edge ``e`` (:meth:`simulation.model.InfluencerModel.sponsored_post_chance`,
the model's own view, engagement, click and purchase rules) and ``k_c`` posts bought from
``c``, follower ``i`` is missed with ``m_i = prod_{e of i} (1 - r_e) ** k_c``, and

    ``f(portfolio) = (P / N) * sum_i (1 - m_i)``.

One more post of ``c`` adds ``(P / N) * sum_{e of c} m_i r_e``: the gain of a creator falls
with the share of its audience the portfolio already reaches (audience overlap), and with
the posts already bought from it. ``f`` is a coverage function of the posts, so it is
monotone and submodular (docs/MODEL.md 3.3.15 says what this guarantees).

The choice is greedy on marginal gain per dollar with lazy re-evaluation (CELF, Leskovec et
al. 2007): gains only fall as the portfolio grows, so a creator whose gain was computed
for a smaller portfolio and still tops the queue is re-evaluated, and taken if it stays
on top. The result is then compared with the best single creator alone (as many posts as
the budget and ``campaign.max_posts_per_week`` allow), and the better is kept
(Khuller, Moss & Naor 1999): within ``(1 - 1/e) / 2`` of the optimum.
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from .campaigns import ROUNDING_SLACK, Campaign, fee_per_post, post_limits, spread_intervals
from .params import NICHES, TIERS, ScenarioError

if TYPE_CHECKING:
    from .agents import BrandAgent
    from .model import InfluencerModel

#: what each goal counts, and the creator tally the run reports for it
GOAL_EVENTS = {"awareness": "impressions", "engagement": "engagements", "sales": "conversions"}
#: a chance of exactly 1 is kept just below it, so that a post's effect can be divided out
CERTAIN = 1.0 - 1e-12


@dataclass(frozen=True)
class Portfolio:
    """A chosen portfolio: its campaign and, per hired creator, what the choice expected.

    ``table`` has one row per hired creator in the order they joined: ``creator``, ``tier``,
    ``niche``, ``followers``, ``fee`` (USD per post), ``posts``, ``cost`` (USD),
    ``expected_contribution`` (people its posts added to the objective when taken),
    ``marginal_value`` (people the final portfolio loses without it),
    ``marginal_value_per_1000_usd`` and ``expected_events`` (expected impressions,
    engagements or credited conversions of its posts, the counts a run tallies).
    """

    campaign: Campaign
    table: pd.DataFrame
    goal: str
    expected_value: float  # the objective, people
    method: str  # "greedy" or "best single creator"


def expected_value(chance: np.ndarray, creator_of_edge, follower_of_edge, posts: np.ndarray, people_per_agent) -> float:
    """The objective ``(P/N) sum_i (1 - prod (1 - r_e) ** k_c)`` of ``posts`` per creator.

    Examples
    --------
    >>> r = np.array([0.5, 0.5, 0.2])  # creator 0 -> followers 0 and 1, creator 1 -> follower 1
    >>> expected_value(r, np.array([0, 0, 1]), np.array([0, 1, 1]), np.array([1, 1]), 1.0)  # 0.5 + (1 - 0.5 * 0.8)
    1.1
    """
    missed = np.ones(int(follower_of_edge.max(initial=-1)) + 1)
    k = posts[creator_of_edge]
    np.multiply.at(missed, follower_of_edge[k > 0], (1.0 - np.minimum(chance, CERTAIN)[k > 0]) ** k[k > 0])
    return float((1.0 - missed).sum() * people_per_agent)


def choose_portfolio(
    chance: np.ndarray,
    follow_indptr: np.ndarray,
    follower_of_edge: np.ndarray,
    fee: np.ndarray,
    budget: float,
    max_posts: int,
    people_per_agent: float = 1.0,
    max_creators: int = 0,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, str]:
    """Posts per creator maximising the expected coverage within ``budget`` (CELF greedy on gain
    per dollar, then the best single creator if it does better).

    Parameters
    ----------
    chance : numpy.ndarray
        ``r_e``, per follow edge (edges grouped by creator: ``follow_indptr``).
    follower_of_edge : numpy.ndarray
        The follower of each edge.
    fee : numpy.ndarray
        USD per post of each creator.
    budget : float
        USD.
    max_posts : int
        Most posts bought from one creator.
    max_creators : int
        Most creators hired (0: no limit).

    Returns
    -------
    posts : numpy.ndarray
        Posts bought per creator.
    order : numpy.ndarray
        Hired creators in the order they joined.
    gain : numpy.ndarray
        Each creator's expected contribution when its posts were taken (people).
    method : str
        ``"greedy"`` or ``"best single creator"``.

    Examples
    --------
    Two creators share follower 1; a third reaches follower 2 alone. With money for two
    posts, greedy takes creator 0 and then the one whose audience is not yet reached:

    >>> r = np.array([0.9, 0.9, 0.9, 0.5])
    >>> posts, order, gain, _ = choose_portfolio(r, np.array([0, 2, 3, 4]), np.array([0, 1, 1, 2]),
    ...                                          np.ones(3), 2.0, 1)
    >>> posts.tolist(), order.tolist(), np.round(gain, 2).tolist()
    ([1, 0, 1], [0, 2], [1.8, 0.5])
    """
    n_creators = len(fee)
    chance = np.minimum(chance, CERTAIN)
    missed = np.ones(int(follower_of_edge.max(initial=-1)) + 1)
    posts = np.zeros(n_creators, dtype=np.int64)
    gain = np.zeros(n_creators)
    audience = np.diff(follow_indptr)
    creator_of_edge = np.repeat(np.arange(n_creators), audience)
    first_gain = np.bincount(creator_of_edge, weights=chance, minlength=n_creators)
    left = float(budget)
    order: list[int] = []
    if max_posts <= 0:
        return posts, np.array(order, dtype=np.int64), gain[:0], "greedy"

    def per_dollar(value: float, c: int) -> float:
        return value / float(fee[c]) if value < float(fee[c]) * 1e300 else np.inf  # a denormal fee: no overflow

    # queue entries: (-gain per dollar, creator, portfolio size the gain was computed for)
    affordable = np.flatnonzero((fee <= left * (1 + ROUNDING_SLACK)) & (first_gain > 0))
    queue = [(-per_dollar(first_gain[c], c), int(c), 0) for c in affordable]
    heapq.heapify(queue)
    size = 0
    while queue:
        _, c, computed_for = heapq.heappop(queue)
        if fee[c] > left * (1 + ROUNDING_SLACK) or (max_creators and posts[c] == 0 and len(order) >= max_creators):
            continue  # the budget only shrinks, the hired only grow: it will never fit again
        lo, hi = follow_indptr[c], follow_indptr[c + 1]
        if computed_for != size:  # stale: re-evaluate against the current portfolio
            value = float(missed[follower_of_edge[lo:hi]] @ chance[lo:hi])
            if value > 0:
                heapq.heappush(queue, (-per_dollar(value, c), c, size))
            continue
        followers = follower_of_edge[lo:hi]
        gain[c] += float(missed[followers] @ chance[lo:hi])
        missed[followers] *= 1.0 - chance[lo:hi]
        if posts[c] == 0:
            order.append(c)
        posts[c] += 1
        left -= fee[c]
        size += 1
        if posts[c] < max_posts:
            value = float(missed[followers] @ chance[lo:hi])
            heapq.heappush(queue, (-per_dollar(value, c), c, size))
    greedy_value = float((1.0 - missed).sum())

    # the best single creator, with as many posts as fit: value sum_e 1 - (1 - r_e) ** k_c
    alone = np.minimum(max_posts, np.floor(budget / np.maximum(fee, 1e-300) + ROUNDING_SLACK)).astype(np.int64)
    alone[fee > budget * (1 + ROUNDING_SLACK)] = 0
    single = np.bincount(creator_of_edge, weights=1.0 - (1.0 - chance) ** alone[creator_of_edge], minlength=n_creators)
    best = int(np.argmax(single)) if n_creators else 0
    if n_creators and single[best] > greedy_value * (1 + 1e-12):
        posts = np.zeros(n_creators, dtype=np.int64)
        posts[best] = alone[best]
        return posts, np.array([best]), np.array([single[best] * people_per_agent]), "best single creator"
    order_arr = np.array(order, dtype=np.int64)
    return posts, order_arr, gain[order_arr] * people_per_agent, "greedy"


def marginal_values(chance, follow_indptr, follower_of_edge, posts, creators, people_per_agent) -> np.ndarray:
    """People the portfolio ``posts`` loses without each of ``creators``:
    ``(P/N) sum_{e of c} m_i ((1 - r_e) ** -k_c - 1)``."""
    chance = np.minimum(chance, CERTAIN)
    n_creators = len(follow_indptr) - 1
    creator_of_edge = np.repeat(np.arange(n_creators), np.diff(follow_indptr))
    k = posts[creator_of_edge]
    missed = np.ones(int(follower_of_edge.max(initial=-1)) + 1)
    np.multiply.at(missed, follower_of_edge[k > 0], (1.0 - chance[k > 0]) ** k[k > 0])
    loss = missed[follower_of_edge] * ((1.0 - chance) ** (-k.astype(float)) - 1.0)
    return np.bincount(creator_of_edge, weights=loss, minlength=n_creators)[creators] * people_per_agent


def optimised_portfolio(model: InfluencerModel, brand: BrandAgent) -> Portfolio:
    """Choose ``brand``'s creators and posts for its goal from the model's own probabilities.

    Raises
    ------
    ScenarioError
        When the budget buys no post of any creator who could bring the goal's event.
    """
    params, market = brand.params, model.market
    goal, budget = brand.goal, brand.budget
    n_posts, n_max = post_limits(params)
    camp = params["campaign"]
    fee = fee_per_post(market, params)
    empty = np.empty(0, dtype=np.int64)
    if n_posts == 0:
        campaign = Campaign(empty, empty, np.empty(0), camp["start_day"], camp["post_interval"], budget)
        return Portfolio(
            campaign, _table(market, fee, empty, empty, np.empty(0), np.empty(0), empty), goal, 0.0, "greedy"
        )
    most = max(n_max, n_posts) if camp["fill_budget"] else n_posts
    chance = model.sponsored_post_chance(brand, goal)
    follower = market.follow_follower
    k = model.people_per_agent
    posts, order, gain, method = choose_portfolio(
        chance, market.follow_indptr, follower, fee, budget, most, k, camp["max_creators"]
    )
    if len(order) == 0:
        raise ScenarioError(
            f"brand.budget = {budget:,.0f} USD hires nobody under strategy 'optimised': "
            f"the cheapest creator costs {fee.min(initial=np.inf):,.0f} USD per post"
        )
    chosen = posts[order]
    marginal = marginal_values(chance, market.follow_indptr, follower, posts, order, k)
    per_edge_posts = posts[model.creator_of_edge]
    if goal == "sales":  # one purchase per person: credited conversions are people
        events_per_edge = 1.0 - (1.0 - np.minimum(chance, CERTAIN)) ** per_edge_posts
    else:  # impressions and engagements repeat with every post
        events_per_edge = chance * per_edge_posts
    events = np.bincount(model.creator_of_edge, weights=events_per_edge, minlength=market.n_creators)[order] * k
    intervals = spread_intervals(params, chosen)
    campaign = Campaign(order, chosen, fee[order], camp["start_day"], intervals, budget)
    value = expected_value(chance, model.creator_of_edge, follower, posts, k)
    return Portfolio(campaign, _table(market, fee, order, chosen, gain, marginal, events), goal, value, method)


def _table(market, fee, order, posts, gain, marginal, events) -> pd.DataFrame:
    cost = fee[order] * posts
    return pd.DataFrame(
        {
            "creator": order,
            "tier": [TIERS[t] for t in market.tier[order]],
            "niche": [NICHES[n] for n in market.niche[order]],
            "followers": market.followers[order],
            "fee": fee[order],
            "posts": posts,
            "cost": cost,
            "expected_contribution": gain,
            "marginal_value": marginal,
            "marginal_value_per_1000_usd": np.divide(
                1000 * marginal, cost, out=np.full(len(order), np.nan), where=cost > 1000 * marginal / 1e300
            ),
            "expected_events": events,
        }
    )


def portfolio_value(model: InfluencerModel, brand: BrandAgent, goal: str | None = None) -> float:
    """The optimiser's objective for ``brand``'s booked campaign, whatever chose it: expected
    people reached, engaged or buying (``goal``, default the brand's)."""
    goal = goal or brand.goal
    posts = np.zeros(model.market.n_creators, dtype=np.int64)
    posts[brand.campaign.creators] = brand.campaign.posts
    chance = model.sponsored_post_chance(brand, goal)
    return expected_value(chance, model.creator_of_edge, model.market.follow_follower, posts, model.people_per_agent)


def realised_table(model: InfluencerModel, brand: BrandAgent) -> pd.DataFrame:
    """The chosen portfolio of ``brand`` beside what its creators did in the run so far:
    ``realised_events`` is the creator's tally of the goal's event (people)."""
    portfolio = model.portfolios[brand.name]
    table = portfolio.table.copy()
    tally = brand.by_creator[GOAL_EVENTS[portfolio.goal]][table["creator"].to_numpy()]
    table["realised_events"] = tally * model.people_per_agent
    table.insert(0, "goal", portfolio.goal)
    table.insert(0, "brand", brand.name)
    return table


def portfolio_rows(creators: pd.DataFrame, goal: str, brand: str | None = None) -> pd.DataFrame:
    """The optimised portfolios in an experiment's creator table: per replication and arm, each
    chosen creator's tier, niche, fee paid per post, expected contribution, marginal value, and
    its expected and realised count of the goal's event (people). ``brand`` names the brand in
    a table of several brands (its columns carry the brand's name as a prefix)."""
    prefix = f"{brand}_" if brand else ""
    if prefix + "in_portfolio" not in creators:
        return pd.DataFrame()
    chosen = creators[creators[prefix + "in_portfolio"].fillna(False).astype(bool)]
    keep = ["replication", "arm", "creator", "tier", "niche", "followers"]
    own = [
        "posts",
        "spend",
        "expected_contribution",
        "marginal_value",
        "marginal_value_per_1000_usd",
        "expected_events",
    ]
    table = chosen[keep + [prefix + key for key in own]].rename(columns={prefix + key: key for key in own})
    if brand:
        table.insert(2, "brand", brand)
    # the fee a brand pays per post (after a partnership's discount), not the list fee
    return table.assign(
        fee=table["spend"] / table["posts"], goal=goal, realised_events=chosen[prefix + GOAL_EVENTS[goal]].to_numpy()
    )
