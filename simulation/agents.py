"""Who acts: followers, creators and brands, as Mesa agents.

Follower and creator state lives in arrays owned by the model (one entry per agent),
so a day's update is array arithmetic over everyone at once; each agent object reads
and writes its own entries through properties. ``model.agents`` is therefore always
true: change ``agent.skepticism`` and the next step uses it.
"""

from __future__ import annotations

from enum import IntEnum
from typing import TYPE_CHECKING

import mesa
import numpy as np

from .params import NICHES, TIERS

if TYPE_CHECKING:
    from .model import InfluencerModel


class Funnel(IntEnum):
    """A follower's state for one brand. Order matters: states only move forward,
    except that interest can fade back to awareness."""

    UNAWARE = 0
    AWARE = 1
    INTERESTED = 2
    PURCHASED = 3


class Channel(IntEnum):
    """How a purchase came about."""

    NONE = 0
    DIRECT = 1  # a sponsored post
    WORD_OF_MOUTH = 2  # a friend
    SEEDED = 3  # placed by the experimenter (validation)


def _array_property(array: str, doc: str):
    """An attribute that reads and writes this agent's entry of a market array."""

    def get(self):
        return getattr(self.model.market, array)[self.index].item()

    def set(self, value):
        getattr(self.model.market, array)[self.index] = value

    return property(get, set, doc=doc)


class FollowerAgent(mesa.Agent):
    """A consumer. ``index`` is its row in the model's follower arrays."""

    def __init__(self, model: InfluencerModel, index: int):
        super().__init__(model)
        self.index = int(index)

    skepticism = _array_property("skepticism", "Ad skepticism, 0-1.")
    price_sensitivity = _array_property("price_sensitivity", "Price sensitivity (e-folds per reference price).")
    attention = _array_property("attention", "Creators followed before each is seen less.")

    @property
    def interests(self) -> dict[str, float]:
        """Interest share per niche."""
        return dict(zip(NICHES, self.model.market.interests[self.index].tolist()))

    @property
    def following(self) -> np.ndarray:
        """Indices of creators this follower follows."""
        return self.model.creator_of_edge[self.model.follower_edges(self.index)]

    @property
    def friends(self) -> np.ndarray:
        return self.model.market.friends(self.index)

    def trust_in(self, creator: int) -> float:
        """Current trust in a creator (nan when not following)."""
        edges = self.model.follower_edges(self.index)
        hit = edges[self.model.creator_of_edge[edges] == creator]
        return float(self.model.trust[hit[0]]) if len(hit) else float("nan")

    def funnel(self, brand: BrandAgent | None = None) -> Funnel:
        """Funnel state for a brand (the first brand by default)."""
        brand = brand or self.model.brands[0]
        return Funnel(int(brand.state[self.index]))


class CreatorAgent(mesa.Agent):
    """A content creator. ``index`` is its row in the model's creator arrays."""

    def __init__(self, model: InfluencerModel, index: int):
        super().__init__(model)
        self.index = int(index)

    followers = _array_property("followers", "Real follower count (people, fakes included).")
    authenticity = _array_property("authenticity", "Authenticity, 0-1.")
    relatability = _array_property("relatability", "Relatability to the audience, 0-1.")
    responsiveness = _array_property("responsiveness", "Share of comments answered, 0-1.")
    reach = _array_property("reach", "Share of the real audience that sees one post.")
    fake_share = _array_property("fake_share", "Share of fake or inactive followers.")
    ad_load = _array_property("ad_load", "Share of own posts sponsored by other brands.")
    fee = _array_property("fee", "Fee per sponsored post, USD.")

    @property
    def niche(self) -> str:
        return NICHES[self.model.market.niche[self.index]]

    @property
    def tier(self) -> str:
        return TIERS[self.model.market.tier[self.index]]

    @property
    def audience(self) -> np.ndarray:
        """Follower indices of the (simulated) audience."""
        return self.model.market.audience(self.index)

    @property
    def mean_trust(self) -> float:
        m = self.model.market
        t = self.model.trust[m.follow_indptr[self.index] : m.follow_indptr[self.index + 1]]
        return float(t.mean()) if len(t) else float("nan")


class BrandAgent(mesa.Agent):
    """A brand with a product, a budget, a booked campaign and its books.

    Holds its own per-follower arrays (funnel state, exposures, attribution); the
    model's step advances them with the rules in :mod:`simulation.rules`.
    """

    def __init__(self, model: InfluencerModel, name: str, product: dict, campaign, n_followers: int):
        super().__init__(model)
        self.name = name
        self.niche = NICHES.index(product["niche"])
        self.price = float(product["price"])
        self.margin = float(product["margin"])
        self.quality = float(product["quality"])
        self.budget = float(product["budget"])
        self.campaign = campaign
        n = n_followers
        self.state = np.zeros(n, dtype=np.int8)  # Funnel
        self.views = np.zeros(n, dtype=np.int32)  # sponsored views so far
        self.post_reached = np.zeros(n, dtype=bool)
        self.source_edge = np.full(n, -1, dtype=np.int64)  # follow edge that made them interested
        self.origin = np.full(n, -1, dtype=np.int32)  # creator credited with the purchase
        self.channel = np.zeros(n, dtype=np.int8)  # Channel
        self.bought_step = np.full(n, -1, dtype=np.int32)
        self.satisfied = np.zeros(n, dtype=bool)
        self.warned = np.zeros(n, dtype=bool)
        # books, in real people and USD
        self.spend = 0.0
        self.revenue = 0.0
        # per-creator tallies (simulated agents, scaled on report)
        c = model.market.n_creators
        self.by_creator = {
            key: np.zeros(c) for key in ("posts", "spend", "impressions", "engagements", "clicks", "conversions")
        }

    @property
    def friends_bought(self) -> np.ndarray:
        """Friends of each follower who have bought (counted from the funnel states when read)."""
        return self.model._friends_bought(self, np.arange(len(self.state)))

    @property
    def profit(self) -> float:
        return self.revenue * self.margin - self.spend

    def seed_buyers(self, followers) -> None:
        """Make ``followers`` buyers now (for word-of-mouth experiments and validation)."""
        self.model.record_purchases(
            self, np.asarray(followers, dtype=np.int64), Channel.SEEDED, np.full(len(followers), -1, dtype=np.int32)
        )
