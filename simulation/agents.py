"""Who acts: followers, creators and brands, as Mesa agents.

Follower and creator traits live in arrays (one entry per agent), so a day's update is
array arithmetic over everyone at once; each agent object reads its own entries through
properties. The traits a run may change (:attr:`AgentTraits.WRITABLE`) are also written
through the agent: the write goes to the model's own copy of that array (the shared
:class:`~simulation.graph.Market`, and so a paired arm on it, never sees it), and
everything derived from it (the chance of seeing a post, the price factor) is
recomputed before the next step uses it. Traits fixed when the campaign was booked
(follower counts, fake share, fees) are read-only.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from enum import IntEnum
from typing import TYPE_CHECKING, Any

import mesa
import numpy as np

from . import rules
from .campaigns import Campaign, audience_overlap
from .graph import Market, csr_row_entries, interest_fit
from .params import NICHES, TIERS

if TYPE_CHECKING:
    from .model import InfluencerModel

#: What a brand counts each step (agents, posts and USD), reset at the start of a step.
STEP_TALLIES = (
    "impressions",
    "engagements",
    "clicks",
    "conversions_direct",
    "conversions_wom",
    "seeded",
    "spend",
    "revenue",
)
#: What a brand counts per creator over the run.
CREATOR_TALLIES = ("posts", "spend", "impressions", "engagements", "clicks", "conversions")


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


class AgentTraits:
    """The follower and creator traits one model's run may change, copy-on-write.

    Each trait reads as the market's array (read-only) until the first write through
    :meth:`write`, which gives this model its own copy: models sharing a market (the arms
    of a paired run) never see each other's writes, and the big edge arrays are never
    copied. Every write bumps the trait's :attr:`version`; :class:`Derived` arrays compare
    versions to know when to recompute.
    """

    FOLLOWER = ("skepticism", "price_sensitivity", "attention")
    CREATOR = ("relatability", "authenticity", "responsiveness", "reach", "ad_load")
    WRITABLE = FOLLOWER + CREATOR

    skepticism: np.ndarray
    price_sensitivity: np.ndarray
    attention: np.ndarray
    relatability: np.ndarray
    authenticity: np.ndarray
    responsiveness: np.ndarray
    reach: np.ndarray
    ad_load: np.ndarray

    def __init__(self, market: Market):
        self.version = dict.fromkeys(self.WRITABLE, 0)
        self._owned: set[str] = set()
        for name in self.WRITABLE:
            shared = getattr(market, name).view()
            shared.flags.writeable = False  # writes go through write(), never into the market
            setattr(self, name, shared)

    def write(self, name: str, index, value) -> None:
        """Set ``trait[index] = value`` in this model's copy of the trait."""
        if name not in self._owned:
            setattr(self, name, getattr(self, name).copy())
            self._owned.add(name)
        getattr(self, name)[index] = value
        self.version[name] += 1

    def owns(self, name: str) -> bool:
        """Whether this model has its own copy of a trait (it was written)."""
        return name in self._owned


class Derived:
    """An array computed from state that may change, recomputed only when it has.

    ``key()`` returns what the array depends on (trait versions, a price); ``value``
    recomputes with ``compute()`` when the key differs from the last computation's.
    """

    def __init__(self, key: Callable[[], Hashable], compute: Callable[[], Any]):
        self._key, self._compute = key, compute
        self._computed_for: Hashable = object()
        self._value: Any = None

    @property
    def value(self):
        key = self._key()
        if key != self._computed_for:
            self._value, self._computed_for = self._compute(), key
        return self._value


def _trait_property(name: str, doc: str):
    """An attribute for this agent's entry of a writable trait (see :class:`AgentTraits`)."""

    def get(self):
        return getattr(self.model.traits, name)[self.index].item()

    def set(self, value):
        self.model.traits.write(name, self.index, value)

    return property(get, set, doc=doc)


def _market_property(name: str, doc: str):
    """A read-only attribute for this agent's entry of a market array."""

    def get(self):
        return getattr(self.model.market, name)[self.index].item()

    return property(get, doc=doc + " Read-only: fixed when the campaign is booked.")


class FollowerAgent(mesa.Agent):
    """A consumer. ``index`` is its row in the model's follower arrays."""

    def __init__(self, model: InfluencerModel, index: int):
        super().__init__(model)
        self.index = int(index)

    skepticism = _trait_property("skepticism", "Ad skepticism, 0-1.")
    price_sensitivity = _trait_property("price_sensitivity", "Price sensitivity (e-folds per reference price).")
    attention = _trait_property("attention", "Creators followed before each is seen less.")

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

    authenticity = _trait_property("authenticity", "Authenticity, 0-1.")
    relatability = _trait_property("relatability", "Relatability to the audience, 0-1.")
    responsiveness = _trait_property("responsiveness", "Share of comments answered, 0-1.")
    reach = _trait_property("reach", "Share of the real audience that sees one post.")
    ad_load = _trait_property("ad_load", "Share of own posts sponsored by other brands.")
    followers = _market_property("followers", "Real follower count (people, fakes included).")
    fake_share = _market_property("fake_share", "Share of fake or inactive followers.")
    fee = _market_property("fee", "Fee per sponsored post, USD.")

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

    Owns its per-follower arrays (funnel state, exposures, attribution), what it derives
    from the market once (each follower's fit for the product, the hired creators' follow
    edges and audience overlap, the fee per post of each creator) and its books (spend,
    revenue, per-step and per-creator tallies). The model's step advances the arrays with
    the rules in :mod:`simulation.rules` and books events through the ``book_*`` methods.

    Parameters
    ----------
    model : InfluencerModel
        The model; the brand reads its market, traits and parameters.
    name : str
        The brand's name in result tables.
    params : dict
        The scenario the brand runs under: the model's, with the brand's own ``brand.*``
        and ``campaign.*`` values when several brands share the market
        (:func:`simulation.params.brand_scenario`).
    campaign : Campaign, optional
        The booked campaign (:func:`simulation.campaigns.plan_campaign`); without it, the
        brand books one later with :meth:`book` (a campaign chosen from the brand's own
        persuasion arrays, :mod:`simulation.portfolio`).
    """

    def __init__(self, model: InfluencerModel, name: str, params: dict, campaign: Campaign | None = None):
        super().__init__(model)
        m = model.market
        n, c = m.n_followers, m.n_creators
        product = params["brand"]
        self.name = name
        self.params = params
        self._niche = NICHES.index(product["niche"])
        self._price = float(product["price"])
        self.margin = float(product["margin"])
        self.quality = float(product["quality"])
        self._budget = float(product["budget"])
        self.goal = product.get("goal", "sales")
        self.strategy = params["campaign"]["strategy"]
        self.state = np.zeros(n, dtype=np.int8)  # Funnel
        self.views = np.zeros(n, dtype=np.int32)  # sponsored views so far
        self.post_reached = np.zeros(n, dtype=bool)
        self.source_edge = np.full(n, -1, dtype=np.int64)  # follow edge that made them interested
        self.origin = np.full(n, -1, dtype=np.int32)  # creator credited with the purchase
        self.channel = np.zeros(n, dtype=np.int8)  # Channel
        self.bought_step = np.full(n, -1, dtype=np.int32)
        self.satisfied = np.zeros(n, dtype=bool)
        self.warned = np.zeros(n, dtype=bool)
        self._purchases: list[tuple[int, np.ndarray]] = []  # (step, buyers) per booking, recent ones only
        # books, in real people and USD
        self.spend = 0.0
        self.revenue = 0.0
        self.tally = dict.fromkeys(STEP_TALLIES, 0.0)  # this step's counts (agents, posts, USD)
        self.by_creator = {key: np.zeros(c) for key in CREATOR_TALLIES}  # simulated agents, scaled on report
        # derived once: the product's niche and the campaign are fixed
        self.product_fit = interest_fit(m.interests, np.arange(n), np.full(n, self._niche))
        # who is persuaded by what (docs/MODEL.md 3.3.12): involvement, the weight of the
        # creator's status in a sponsored message, the relationship kept per creator
        self.involvement = rules.involvement(product.get("category_interest", 1.0), self.product_fit)
        self.status_weight = rules.status_weight(product.get("luxury", 0.0), self.involvement)
        engagement = model.params["engagement"]
        weakening = rules.tie_weakening(
            engagement["tie_weakening"],
            params["campaign"]["customization"],
            product.get("familiarity", 1.0),
            engagement["customization_effect"],
            engagement["familiarity_effect"],
        )
        self.relationship = rules.relationship_strength(m.followers, engagement["tie_scale"], weakening)
        traits, price_ref = model.traits, model.params["funnel"]["price_ref"]
        self._price_kept = Derived(
            lambda: (traits.version["price_sensitivity"], self._price),
            lambda: rules.price_factor(self._price, traits.price_sensitivity, price_ref),
        )
        self._campaign: Campaign | None = None
        if campaign is not None:
            self.book(campaign)

    def book(self, campaign: Campaign) -> None:
        """Book the campaign (once): the hired creators' follow edges, overlap and fees."""
        if self._campaign is not None:
            raise RuntimeError(f"brand {self.name!r} has booked its campaign already")
        m = self.model.market
        self._campaign = campaign
        self.hired_edges = csr_row_entries(m.follow_indptr, campaign.creators)
        self.overlap = audience_overlap(m, campaign.creators)
        self.fee_of = np.zeros(m.n_creators)
        self.fee_of[campaign.creators] = campaign.fee_per_post

    @property
    def niche(self) -> int:
        """Index into NICHES of the product's niche (read-only: it fixed the campaign)."""
        return self._niche

    @property
    def budget(self) -> float:
        """Creator-fee budget, USD (read-only: it fixed the campaign)."""
        return self._budget

    @property
    def campaign(self) -> Campaign:
        """The booked campaign (read-only)."""
        if self._campaign is None:
            raise RuntimeError(f"brand {self.name!r} has not booked a campaign yet")
        return self._campaign

    @property
    def price(self) -> float:
        """Product price, USD; a new price takes effect at the next purchase decision."""
        return self._price

    @price.setter
    def price(self, value: float) -> None:
        self._price = float(value)

    @property
    def price_kept(self) -> np.ndarray:
        """Purchase odds each follower keeps at this price, ``exp(-beta p / p_ref)``."""
        return self._price_kept.value

    @property
    def profit(self) -> float:
        return self.revenue * self.margin - self.spend

    # ------------------------------------------------------------------ reading
    def friends_who_bought(self, followers: np.ndarray) -> np.ndarray:
        """How many friends of each of ``followers`` have bought, counted when asked.

        Reads only these followers' friend lists; keeping a count for everyone would
        touch every buyer's friends at each purchase, the cost of a word-of-mouth cascade.
        """
        m = self.model.market
        lens = m.friend_indptr[followers + 1] - m.friend_indptr[followers]
        owner = np.repeat(np.arange(len(followers)), lens)
        bought = self.state[m.friend_index[csr_row_entries(m.friend_indptr, followers)]] == Funnel.PURCHASED
        return np.bincount(owner[bought], minlength=len(followers))

    @property
    def friends_bought(self) -> np.ndarray:
        """Friends of each follower who have bought (counted from the funnel states when read)."""
        return self.friends_who_bought(np.arange(len(self.state)))

    def recent_buyers(self, step: int, active_steps: int) -> np.ndarray:
        """Sorted buyers who bought 1 to ``active_steps`` steps before ``step`` (older ones are forgotten)."""
        self._purchases[:] = [(when, who) for when, who in self._purchases if step - when <= active_steps]
        recent = [who for when, who in self._purchases if step - when >= 1]
        return np.sort(np.concatenate(recent)) if recent else np.empty(0, dtype=np.int64)

    # ------------------------------------------------------------------ booking
    def start_step(self) -> None:
        """Zero this step's tallies."""
        self.tally = dict.fromkeys(STEP_TALLIES, 0.0)

    def book_posts(self, creators: np.ndarray, counts: np.ndarray) -> None:
        """Pay for ``counts[i]`` sponsored posts by ``creators[i]``."""
        fees = self.fee_of[creators] * counts
        self.spend += float(fees.sum())
        self.tally["spend"] += float(fees.sum())
        self.by_creator["posts"][creators] += counts
        self.by_creator["spend"][creators] += fees

    def count(self, event: str, creators: np.ndarray) -> None:
        """Count one ``event`` (impressions, engagements, clicks) per entry of ``creators``."""
        self.by_creator[event] += np.bincount(creators, minlength=len(self.fee_of))
        self.tally[event] += len(creators)

    def book_purchases(
        self,
        followers: np.ndarray,
        channel: Channel,
        origin: np.ndarray,
        satisfied: np.ndarray,
        step: int,
        people_per_agent: float,
    ) -> None:
        """Book new buyers (distinct, not yet buyers): funnel, attribution, satisfaction, revenue."""
        self.state[followers] = Funnel.PURCHASED
        self.channel[followers] = channel
        self.origin[followers] = origin
        self.bought_step[followers] = step
        self._purchases.append((step, followers))
        self.satisfied[followers] = satisfied
        np.add.at(self.by_creator["conversions"], origin[origin >= 0], 1.0)
        key = {Channel.DIRECT: "conversions_direct", Channel.WORD_OF_MOUTH: "conversions_wom"}.get(channel, "seeded")
        self.tally[key] += len(followers)
        revenue = len(followers) * people_per_agent * self._price if channel != Channel.SEEDED else 0.0
        self.revenue += revenue
        self.tally["revenue"] += revenue

    def seed_buyers(self, followers) -> None:
        """Make ``followers`` buyers now (for word-of-mouth experiments and validation)."""
        self.model.record_purchases(
            self, np.asarray(followers, dtype=np.int64), Channel.SEEDED, np.full(len(followers), -1, dtype=np.int32)
        )
