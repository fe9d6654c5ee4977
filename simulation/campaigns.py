"""Campaigns: which creators a brand hires, how often they post, what it costs.

Strategies pick creators of one tier (``mega``, ``macro``, ``micro``, ``nano``), split
the budget across tiers (``mixed``), take an explicit ``list`` of creator ids, or hire
nobody (``none``: an organic baseline, and the word-of-mouth-only setting used by the
validation). Within a tier, creators are ranked by niche fit times their published
engagement rate, and hired greedily while the budget lasts. Spend never exceeds the
budget.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from .graph import Market, interest_fit
from .params import NICHES, TIERS, ScenarioError


@dataclass(frozen=True)
class Campaign:
    """A booked campaign: hired creators, their posting times and fees."""

    creators: np.ndarray  # hired creator indices, in ranking order
    posts: np.ndarray  # sponsored posts bought from each
    fee_per_post: np.ndarray  # USD, after any partnership discount
    start_day: float
    interval: float  # days between a creator's posts
    budget: float

    @property
    def spend(self) -> float:
        return float((self.posts * self.fee_per_post).sum())

    def posts_between(self, t0: float, t1: float) -> tuple[np.ndarray, np.ndarray]:
        """Creators with posts scheduled in ``[t0, t1)`` and how many each.

        Post ``j`` of a creator (``0 <= j < posts``) goes up at ``start_day + j * interval``.
        """
        if len(self.creators) == 0 or t1 <= self.start_day:
            return self.creators[:0], self.posts[:0]
        eps = 1e-9  # step boundaries are sums of floats
        first = np.ceil((t0 - self.start_day) / self.interval - eps)
        last = np.ceil((t1 - self.start_day) / self.interval - eps) - 1
        first = np.maximum(first, 0)
        last = np.minimum(last, self.posts - 1)
        count = np.maximum(last - first + 1, 0).astype(np.int64)
        keep = count > 0
        return self.creators[keep], count[keep]


def published_engagement_rate(market: Market, engagement_rate: float) -> np.ndarray:
    """Expected organic engagements per follower per post for each creator.

    ``(1 - fake) * reach * rate * R * mean(min(1, attention / n_follows) * T * phi)`` over the
    creator's audience: what a brand reads off a creator's profile before hiring.
    """
    creators = market.follow_creator
    f = market.follow_follower
    fit = interest_fit(market.interests, f, market.niche[creators])
    n_follows = np.bincount(f, minlength=market.n_followers)
    seen = np.minimum(1.0, market.attention[f] / np.maximum(n_follows[f], 1))
    sums = np.bincount(creators, weights=seen * market.trust * fit, minlength=market.n_creators)
    counts = np.maximum(np.diff(market.follow_indptr), 1)
    return (1 - market.fake_share) * market.reach * engagement_rate * market.relatability * sums / counts


def scheduled_posts(schedule: str, start_day: float, interval: float, days: float) -> int:
    """Posts one creator makes: 1 for a one-off, every ``interval`` days to the run's end otherwise
    (none when ``start_day`` is at or after the end of the run)."""
    if start_day >= days:
        return 0
    if schedule == "one_off":
        return 1
    return int(np.floor((days - start_day) / interval - 1e-9)) + 1


def plan_campaign(market: Market, params: dict[str, Any]) -> Campaign:
    """Choose creators and posts for the brand in ``params`` within its budget.

    Raises
    ------
    ScenarioError
        When the strategy hires nobody with the budget, or a listed id does not exist.
    """
    brand, camp = params["brand"], params["campaign"]
    strategy, budget = camp["strategy"], float(brand["budget"])
    interval = camp["post_interval"]
    n_posts = scheduled_posts(camp["schedule"], camp["start_day"], interval, params["market"]["days"])
    discount = camp["partnership_discount"] if camp["schedule"] == "partnership" else 0.0
    fee = market.fee * (1.0 - discount)
    empty = np.empty(0, dtype=np.int64)
    if strategy == "none" or n_posts == 0:
        return Campaign(empty, empty, np.empty(0), camp["start_day"], interval, budget)

    product = NICHES.index(brand["niche"])
    creator_fit = np.where(market.niche == product, 1.0, params["funnel"]["off_niche_fit"])
    score = creator_fit * published_engagement_rate(market, params["engagement"]["rate"])

    if strategy == "list":
        ids = np.asarray(list(dict.fromkeys(camp["creators"])), dtype=np.int64)  # each creator once, in order
        bad = ids[(ids < 0) | (ids >= market.n_creators)]
        if len(bad):
            raise ScenarioError(
                f"campaign.creators: no creator {int(bad[0])}; ids run from 0 to {market.n_creators - 1}"
            )
        pools = [(ids, budget, 0)]
    else:
        shares = {t: camp[f"mix_{t}"] for t in TIERS} if strategy == "mixed" else {strategy: 1.0}
        total = sum(shares.values())
        limit = camp["max_creators"] or (1 if strategy == "mega" else 0)
        pools = []
        for tier_name, share in shares.items():
            if share <= 0:
                continue
            members = np.flatnonzero(market.tier == TIERS.index(tier_name))
            ranked = members[np.lexsort((members, -score[members]))]
            pools.append((ranked, budget * share / total, limit))

    hired, posts, fees = [], [], []
    for ranked, pool_budget, limit in pools:
        h, p = _greedy(ranked, fee, pool_budget, n_posts, limit)
        hired.append(h)
        posts.append(p)
        fees.append(fee[h])
    hired_arr = np.concatenate(hired)
    if len(hired_arr) == 0:
        cheapest = min((fee[r].min() for r, _, _ in pools if len(r)), default=float("nan"))
        raise ScenarioError(
            f"brand.budget = {budget:,.0f} USD hires nobody under strategy {strategy!r}: "
            f"the cheapest eligible creator costs {cheapest:,.0f} USD per post"
            if np.isfinite(cheapest)
            else f"campaign.strategy = {strategy!r}: the market has no creator of that tier"
        )
    return Campaign(
        hired_arr,
        np.concatenate(posts),
        np.concatenate(fees),
        camp["start_day"],
        interval,
        budget,
    )


def _greedy(ranked: np.ndarray, fee: np.ndarray, budget: float, n_posts: int, limit: int):
    """Walk the ranking, buying each creator's posts (all, or as many as still fit)."""
    hired, posts = [], []
    left = budget
    for c in ranked.tolist():
        if limit and len(hired) >= limit:
            break
        affordable = int(np.floor(left / fee[c] + 1e-9)) if fee[c] > 0 else n_posts
        k = min(n_posts, affordable)
        if k * fee[c] > left:  # the tolerance above must not overspend
            k -= 1
        if k >= 1:
            hired.append(c)
            posts.append(k)
            left -= k * fee[c]
    return np.asarray(hired, dtype=np.int64), np.asarray(posts, dtype=np.int64)


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
