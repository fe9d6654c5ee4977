"""Campaigns: which creators a brand hires, how often they post, what it costs.

Strategies pick creators of one tier (``mega``, ``macro``, ``micro``, ``nano``), split
the budget across tiers (``mixed``), take an explicit ``list`` of creator ids, or hire
nobody (``none``: an organic baseline, and the word-of-mouth-only setting used by the
validation). Within a tier, creators are ranked by niche fit times their published
engagement rate, a figure computed from the creator's own traits (never from the
follower agents, so the same market hires the same creators at any agent count), and
hired greedily while the budget lasts. With ``campaign.fill_budget`` the brand then
buys more posts from the creators it picked, up to ``campaign.max_posts_per_week``,
and hires the next-best creators of the tier, until the budget is spent or nothing
more fits. Spend never exceeds the budget.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import special

from .graph import Market
from .params import NICHES, TIERS, ScenarioError

#: Slack for quantities that should be whole numbers but are ratios or sums of floats
#: (a day over a post interval, a budget over a fee): 1e-9 of a post or of a fee.
ROUNDING_SLACK = 1e-9
DAYS_PER_WEEK = 7.0
#: ``graph.initial_trust`` clips trust to this range.
INITIAL_TRUST_RANGE = (0.01, 1.0)


@dataclass(frozen=True)
class Campaign:
    """A booked campaign: hired creators, their posting times and fees.

    Post ``j`` of creator ``creators[k]`` (``0 <= j < posts[k]``) goes up on day
    ``start_day + j * interval[k]``; ``interval`` may also be one number for all.
    """

    creators: np.ndarray  # hired creator indices, in ranking order
    posts: np.ndarray  # sponsored posts bought from each
    fee_per_post: np.ndarray  # USD, after any partnership discount
    start_day: float
    interval: float | np.ndarray  # days between a creator's posts: one for all, or one per creator
    budget: float

    @property
    def spend(self) -> float:
        """Planned spend, USD: every bought post at its fee."""
        return float((self.posts * self.fee_per_post).sum())

    @property
    def unspent(self) -> float:
        """Budget left over, USD (``budget - spend``, never negative)."""
        return self.budget - self.spend

    @property
    def budget_spent_share(self) -> float:
        """Share of the budget the campaign spends, 0-1 (1 for a zero budget)."""
        return self.spend / self.budget if self.budget > 0 else 1.0

    def posts_between(self, t0: float, t1: float) -> tuple[np.ndarray, np.ndarray]:
        """Creators with posts scheduled in ``[t0, t1)`` and how many each."""
        if len(self.creators) == 0 or t1 <= self.start_day:
            return self.creators[:0], self.posts[:0]
        # step boundaries are sums of floats: a post on a boundary belongs to the later step
        first = np.ceil((t0 - self.start_day) / self.interval - ROUNDING_SLACK)
        last = np.ceil((t1 - self.start_day) / self.interval - ROUNDING_SLACK) - 1
        first = np.maximum(first, 0)
        last = np.minimum(last, self.posts - 1)
        count = np.maximum(last - first + 1, 0).astype(np.int64)
        keep = count > 0
        return self.creators[keep], count[keep]


def expected_initial_trust(authenticity, relatability, sd: float):
    """Mean initial trust of a creator's followers, as ``graph.initial_trust`` draws it.

    Trust on a follow edge is ``clip(mu + sd * Z, a, b)`` with ``mu = sqrt(A * R)``,
    ``Z`` standard normal and ``[a, b] = [0.01, 1]``; its mean is the clipped-normal mean

    ``E[T] = a * Phi(alpha) + b * (1 - Phi(beta)) + mu * (Phi(beta) - Phi(alpha)) + sd * (phi(alpha) - phi(beta))``

    with ``alpha = (a - mu) / sd`` and ``beta = (b - mu) / sd`` (``clip(mu, a, b)`` when ``sd = 0``).

    Examples
    --------
    >>> float(expected_initial_trust(0.25, 0.25, 0.0))
    0.25
    >>> round(float(expected_initial_trust(0.25, 0.25, 0.05)), 6)  # far from both bounds: the mean
    0.25
    >>> round(float(expected_initial_trust(1.0, 1.0, 0.1)), 4)  # half the draws clip at 1
    0.9601
    """
    low, high = INITIAL_TRUST_RANGE
    mu = np.sqrt(np.asarray(authenticity, dtype=float) * np.asarray(relatability, dtype=float))
    if sd <= 0:
        return np.clip(mu, low, high)
    alpha, beta = (low - mu) / sd, (high - mu) / sd
    cdf_a, cdf_b = special.ndtr(alpha), special.ndtr(beta)
    with np.errstate(over="ignore"):  # a tiny sd sends alpha**2 to inf, whose exp is the right 0
        pdf_a, pdf_b = np.exp(-0.5 * alpha**2), np.exp(-0.5 * beta**2)
    return low * cdf_a + high * (1 - cdf_b) + mu * (cdf_b - cdf_a) + sd * (pdf_a - pdf_b) / np.sqrt(2 * np.pi)


def published_engagement_rate(market: Market, engagement_rate: float, trust_sd: float) -> np.ndarray:
    """Engagements per follower per post each creator's profile promises a brand.

    ``ER_c = (1 - fake_c) * reach_c * rate * R_c * E[T_c]``, with ``E[T_c]`` the mean
    initial trust of the creator's followers (:func:`expected_initial_trust`). It uses
    the creator's traits only, which are drawn before any follower agent, so it is the
    same at any agent count; the followers' attention and interests, which a brand does
    not see, are left out.
    """
    trust = expected_initial_trust(market.authenticity, market.relatability, trust_sd)
    return (1 - market.fake_share) * market.reach * engagement_rate * market.relatability * trust


def scheduled_posts(schedule: str, start_day: float, interval: float, days: float) -> int:
    """Posts one creator makes: 1 for a one-off, every ``interval`` days to the run's end otherwise
    (none when ``start_day`` is at or after the end of the run)."""
    if start_day >= days:
        return 0
    if schedule == "one_off":
        return 1
    return int(np.floor((days - start_day) / interval - ROUNDING_SLACK)) + 1


def most_posts(schedule: str, start_day: float, interval: float, days: float, per_week: float) -> int:
    """Most posts the brand may buy from one creator when filling its budget.

    A partnership runs ``L = days - start_day`` days; the limit is
    ``floor(per_week * L / 7)`` posts, never fewer than the schedule's own
    (:func:`scheduled_posts`). A one-off stays one post.

    Examples
    --------
    >>> most_posts("partnership", 1.0, 7.0, 30, 3)  # 29 days at 3 a week; the schedule alone has 5
    12
    >>> most_posts("partnership", 0.0, 1.0, 20, 3)  # a daily schedule already exceeds the limit
    20
    >>> most_posts("one_off", 1.0, 7.0, 30, 3)
    1
    """
    scheduled = scheduled_posts(schedule, start_day, interval, days)
    if schedule == "one_off" or scheduled == 0:
        return scheduled
    return max(scheduled, int(np.floor(per_week * (days - start_day) / DAYS_PER_WEEK + ROUNDING_SLACK)))


def post_limits(params: dict[str, Any]) -> tuple[int, int]:
    """Posts per hired creator: the schedule's (:func:`scheduled_posts`) and the most a brand
    may buy when filling its budget (:func:`most_posts`)."""
    camp, days = params["campaign"], params["market"]["days"]
    start, interval = camp["start_day"], camp["post_interval"]
    return (
        scheduled_posts(camp["schedule"], start, interval, days),
        most_posts(camp["schedule"], start, interval, days, camp["max_posts_per_week"]),
    )


def fee_per_post(market: Market, params: dict[str, Any]) -> np.ndarray:
    """What one sponsored post of each creator costs the brand, USD (after a partnership's discount)."""
    camp = params["campaign"]
    discount = camp["partnership_discount"] if camp["schedule"] == "partnership" else 0.0
    return market.fee * (1.0 - discount)


def spread_intervals(params: dict[str, Any], posts: np.ndarray) -> np.ndarray:
    """Days between the posts of each creator when its ``posts`` are spread evenly over the campaign."""
    return (params["market"]["days"] - params["campaign"]["start_day"]) / np.maximum(posts, 1)


def plan_campaign(market: Market, params: dict[str, Any]) -> Campaign:
    """Choose creators and posts for the brand in ``params`` within its budget.

    Raises
    ------
    ScenarioError
        When the strategy hires nobody with the budget, or a listed id does not exist.
    """
    brand, camp = params["brand"], params["campaign"]
    strategy, budget = camp["strategy"], float(brand["budget"])
    start, interval = camp["start_day"], camp["post_interval"]
    n_posts, n_max = post_limits(params)
    fill = bool(camp["fill_budget"])
    fee = fee_per_post(market, params)
    empty = np.empty(0, dtype=np.int64)
    if strategy == "none" or n_posts == 0:
        return Campaign(empty, empty, np.empty(0), start, interval, budget)
    if strategy == "optimised":
        raise ScenarioError(
            "campaign.strategy = 'optimised' is chosen from a model's own probabilities: "
            "build an InfluencerModel (simulation.portfolio.optimised_portfolio), not a campaign alone"
        )

    product = NICHES.index(brand["niche"])
    creator_fit = np.where(market.niche == product, 1.0, params["funnel"]["off_niche_fit"])
    score = creator_fit * published_engagement_rate(market, params["engagement"]["rate"], params["trust"]["initial_sd"])

    if strategy == "list":
        ids = np.asarray(list(dict.fromkeys(camp["creators"])), dtype=np.int64)  # each creator once, in order
        bad = ids[(ids < 0) | (ids >= market.n_creators)]
        if len(bad):
            raise ScenarioError(
                f"campaign.creators: no creator {int(bad[0])}; ids run from 0 to {market.n_creators - 1}"
            )
        pools = [(ids, budget, 0, 0)]
    else:
        shares = {t: camp[f"mix_{t}"] for t in TIERS} if strategy == "mixed" else {strategy: 1.0}
        total = sum(shares.values())
        chosen_limit = camp["max_creators"]
        # one mega creator by default; filling the budget may hire the next-best ones
        limit = chosen_limit or (1 if strategy == "mega" else 0)
        pools = []
        for tier_name, share in shares.items():
            if share <= 0:
                continue
            members = np.flatnonzero(market.tier == TIERS.index(tier_name))
            ranked = members[np.lexsort((members, -score[members]))]
            pools.append((ranked, budget * share / total, limit, chosen_limit))

    bought = [_buy_posts(fee[ranked], pool_budget, n_posts, limit) for ranked, pool_budget, limit, _ in pools]
    if fill:
        # largest tier first: what one tier of a mixed campaign cannot spend goes to the next smaller
        carried = 0.0
        for k in reversed(range(len(pools))):
            ranked, pool_budget, _, fill_limit = pools[k]
            bought[k] = _fill_budget(fee[ranked], pool_budget + carried, bought[k], n_max, fill_limit)
            carried = pool_budget + carried - float((bought[k] * fee[ranked]).sum())
    hired_arr = np.concatenate([ranked[posts > 0] for (ranked, *_), posts in zip(pools, bought)])
    posts_arr = np.concatenate([posts[posts > 0] for posts in bought])
    if len(hired_arr) == 0:
        cheapest = min((fee[r].min() for r, *_ in pools if len(r)), default=float("nan"))
        raise ScenarioError(
            f"brand.budget = {budget:,.0f} USD hires nobody under strategy {strategy!r}: "
            f"the cheapest eligible creator costs {cheapest:,.0f} USD per post"
            if np.isfinite(cheapest)
            else f"campaign.strategy = {strategy!r}: the market has no creator of that tier"
        )
    # creators bought beyond the schedule spread their posts evenly over the campaign
    spread = spread_intervals(params, posts_arr)
    intervals = np.where(posts_arr > n_posts, spread, interval) if fill else interval
    return Campaign(hired_arr, posts_arr, fee[hired_arr], start, intervals, budget)


def _affordable(budget_left: float, fee: float, wanted: int) -> int:
    """Posts at ``fee`` that ``budget_left`` pays for, at most ``wanted``; never overspends."""
    if fee <= 0 or fee * wanted <= budget_left:  # all of them (and budget / fee may overflow for a tiny fee)
        return wanted
    k = min(wanted, int(np.floor(budget_left / fee + ROUNDING_SLACK)))
    if k * fee > budget_left:  # the slack above must not overspend
        k -= 1
    return max(k, 0)


def _hire_in_order(fee: np.ndarray, posts: np.ndarray, left: float, candidates, wanted: int, limit: int) -> float:
    """Walk ``candidates`` (positions in the ranking, best first), hiring each for as many of
    ``wanted`` posts as ``left`` still pays for, until ``limit`` creators are hired (0: no
    limit). Writes ``posts`` in place; returns the budget left."""
    hired = int((posts > 0).sum())
    for i in candidates:
        if limit and hired >= limit:
            break
        posts[i] = _affordable(left, fee[i], wanted)
        if posts[i]:
            left -= posts[i] * fee[i]
            hired += 1
    return left


def _buy_posts(fee: np.ndarray, budget: float, n_posts: int, limit: int) -> np.ndarray:
    """Posts bought from each ranked creator (fees ``fee``, best first) on the schedule: all of a
    creator's posts, or as many as still fit, until ``limit`` creators (0: no limit)."""
    posts = np.zeros(len(fee), dtype=np.int64)
    _hire_in_order(fee, posts, budget, range(len(fee)), n_posts, limit)
    return posts


def _fill_budget(fee: np.ndarray, budget: float, posts: np.ndarray, n_max: int, limit: int) -> np.ndarray:
    """Spend what the schedule left: more posts from the hired creators, best first, up to
    ``n_max`` each; then the next-best creators, ``n_max`` posts each if they fit, until
    ``limit`` creators are hired (0: no limit)."""
    posts = posts.copy()
    left = budget - float((posts * fee).sum())
    for i in np.flatnonzero(posts):
        extra = _affordable(left, fee[i], n_max - int(posts[i]))
        posts[i] += extra
        left -= extra * fee[i]
    _hire_in_order(fee, posts, left, np.flatnonzero(posts == 0), n_max, limit)
    return posts


def audience_overlap(market: Market, creators: np.ndarray) -> float:
    """Share of the hired creators' combined audience that is counted twice or more.

    ``1 - |union of audiences| / sum of audience sizes``; 0 for disjoint audiences.
    """
    if len(creators) == 0:
        return 0.0
    parts = [market.audience(int(c)) for c in creators]
    total = sum(len(p) for p in parts)
    if total == 0:
        return 0.0
    return 1.0 - len(np.unique(np.concatenate(parts))) / total
