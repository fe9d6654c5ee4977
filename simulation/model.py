"""The world and its day: :class:`InfluencerModel`.

One step is ``market.dt`` days (one day by default) and runs, in order:

1. creators post organic content (some of it other brands' ads: their ad load);
2. followers see posts (reach falls with audience size and with how many creators
   they follow) and engage; trust moves with what they saw;
3. each brand's sponsored posts go up on schedule; views make followers aware,
   clicks make them interested, some buy at once; trust erodes with ads;
4. interested followers buy later, or lose interest;
5. word of mouth: recent buyers tell friends (an independent cascade), engaged
   followers mention the product, disappointed buyers warn friends;
6. brands book spend and revenue; the DataCollector records the step.

The equations are in :mod:`simulation.rules`; this module only applies them to every
follower and edge at once. All randomness comes from ``numpy.random.Generator``s
spawned from one ``SeedSequence``, one stream per process (market, organic activity,
campaign, word of mouth), so two models with the same seed share the same market and
the same organic day-to-day draws: paired runs use common random numbers.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import mesa
import numpy as np

from . import metrics, rules
from .agents import AgentTraits, BrandAgent, Channel, CreatorAgent, Derived, FollowerAgent, Funnel
from .campaigns import plan_campaign
from .graph import Market, csr_row_entries, generate_market, sorted_unique
from .graph_io import graph_population, market_from_graph, to_networkx
from .params import BY_KEY, ScenarioError, brand_scenario, flatten, nest, resolve

STREAMS = ("market", "organic", "campaign", "word_of_mouth", "mesa")


def seed_sequence(seed) -> np.random.SeedSequence:
    """A SeedSequence from an int, a digit string (the dashboard's text box), or a SeedSequence."""
    if isinstance(seed, np.random.SeedSequence):
        return seed
    if isinstance(seed, str):
        text = seed.strip()
        if not text.lstrip("-").isdigit():
            raise ScenarioError(f"seed = {seed!r} is not allowed: expected a non-negative integer")
        seed = int(text)
    if seed is not None and (not isinstance(seed, (int, np.integer)) or seed < 0):
        raise ScenarioError(f"seed = {seed!r} is not allowed: expected a non-negative integer")
    return np.random.SeedSequence(seed)


def stream(seq: np.random.SeedSequence, name: str) -> np.random.SeedSequence:
    """Child ``name`` of ``seq``, derived without mutating ``seq`` (so it can be reused)."""
    return np.random.SeedSequence(seq.entropy, spawn_key=(*seq.spawn_key, STREAMS.index(name)))


@dataclass(frozen=True)
class SponsoredViews:
    """One step's views of a brand's sponsored posts: one entry per (post, follower) view."""

    edge: np.ndarray  # the follow edge the post was seen on
    follower: np.ndarray
    creator: np.ndarray
    exposure: np.ndarray  # this is the follower's k-th sponsored view of the brand
    undecided: np.ndarray  # the follower had not bought before this step's views
    engaged_followers: np.ndarray  # sorted, distinct: followers who engaged with a post


class InfluencerModel(mesa.Model):
    """An influencer-marketing market: followers, creators and a brand on a social graph.

    Parameters
    ----------
    seed : int, str of digits or numpy.random.SeedSequence, optional
        Source of all randomness. ``rng`` is accepted as an alias (Mesa's name).
    params : dict, optional
        Scenario parameters, nested (``{"brand": {"budget": 5e4}}``) or as returned by
        :func:`simulation.params.load_scenario`.
    market : Market, optional
        A prebuilt market (shared between paired runs to save the build).
    graph : networkx.Graph, optional
        A user's graph (see docs/GRAPH_FORMAT.md); overrides ``market.followers``.
    collect : bool
        Record every step with Mesa's DataCollector (default True).
    brands : list of dict, optional
        Several brands in one market, each ``{"name": ..., "overrides": {dotted key: value}}``
        (:func:`simulation.params.read_brands`); default: ``params["scenario"]["brands"]``
        if present, else the one brand of ``params``.
    **overrides
        Any parameter as ``section__name=value`` (``brand__budget=50000``): what the
        dashboard's sliders pass.

    Attributes
    ----------
    market : Market
        The shared, unchanging market (a paired arm may run on the same object).
    traits : AgentTraits
        This model's follower and creator traits: the market's until an agent writes one.
    trust : numpy.ndarray
        Current trust on each follow edge (this model's own copy).
    brands : list of BrandAgent
        The brands, each owning its funnel arrays and books.
    view_probability : numpy.ndarray
        Chance of seeing one post, per follow edge (recomputed after a reach or attention write).

    Examples
    --------
    >>> m = InfluencerModel(seed=1, market__followers=2000, market__days=5)
    >>> m.run()
    >>> int(m.summary()["spend"].iloc[0]) <= 100_000  # the budget
    True
    """

    def __init__(
        self,
        seed=None,
        *,
        params: dict | None = None,
        market: Market | None = None,
        graph=None,
        collect: bool = True,
        brands: list[dict] | None = None,
        rng=None,
        **overrides: Any,
    ):
        seq = seed_sequence(seed if seed is not None else rng)
        if brands is None:
            brands = (params or {}).get("scenario", {}).get("brands")
        super().__init__(rng=np.random.default_rng(stream(seq, "mesa")))
        self.seed_sequence = seq
        merged = flatten({k: v for k, v in (params or {}).items() if k != "scenario"})
        merged.update({k.replace("__", "."): v for k, v in overrides.items()})
        if graph is not None:  # the graph fixes the number of follower agents and the people they stand for
            merged["market.followers"], merged["market.population"] = graph_population(
                graph, merged.get("market.population", BY_KEY["market.population"].default)
            )
        elif market is not None:
            merged["market.followers"] = market.n_followers
        self.params = resolve(nest(merged))
        p = self.params
        if market is None:
            market = (
                market_from_graph(graph, p, stream(seq, "market"))
                if graph is not None
                else generate_market(p, stream(seq, "market"))
            )
        self.market = market
        self.traits = AgentTraits(market)  # this model's copy-on-write of what agents may change
        self.rng_organic = np.random.default_rng(stream(seq, "organic"))
        self.rng_campaign = np.random.default_rng(stream(seq, "campaign"))
        self.rng_wom = np.random.default_rng(stream(seq, "word_of_mouth"))
        self.dt = float(p["market"]["dt"])
        self.day = 0.0
        self.n_steps = max(1, int(round(p["market"]["days"] / self.dt)))
        self._derive_static_arrays()

        # Follower and creator agents are made when first asked for (model.agents and the
        # like): the step never needs them, and making them is most of a build's time. Their
        # ids are reserved now, so they are the same whenever they are made.
        self._agents_made = False
        self.agent_id_counter += market.n_followers + market.n_creators
        self.portfolios = {}  # brand name -> the Portfolio an optimised campaign was chosen as
        self.brands = [self._make_brand(name, scenario) for name, scenario in self._brand_scenarios(brands)]
        # products of one niche are substitutes: a buyer of one is out of the market for the
        # others for market.repurchase_days (docs/MODEL.md 3.3.14)
        self.rivals = {b.name: [r for r in self.brands if r is not b and r.niche == b.niche] for b in self.brands}
        self.repurchase_steps = int(round(p["market"]["repurchase_days"] / self.dt))

        self.organic = {k: np.zeros(market.n_creators) for k in ("posts", "views", "engagements")}
        self.collect = collect
        self.datacollector = mesa.DataCollector(
            model_reporters=metrics.MODEL_REPORTERS,
            tables={"steps": list(metrics.STEP_COLUMNS), "creator_steps": list(metrics.CREATOR_STEP_COLUMNS)},
        )
        self._record()

    # ------------------------------------------------------------------ setup
    def _brand_scenarios(self, brands: list[dict] | None) -> list[tuple[str, dict]]:
        """(name, scenario) of each brand: the model's scenario with the brand's overrides."""
        p = self.params
        if not brands:
            return [(p["brand"]["niche"], p)]
        return [(b["name"], brand_scenario(p, b.get("overrides", {}))) for b in brands]

    def _make_brand(self, name: str, scenario: dict) -> BrandAgent:
        """A brand with its campaign booked (an optimised one is chosen from the brand's own arrays)."""
        if scenario["campaign"]["strategy"] == "optimised":
            from .portfolio import optimised_portfolio  # it reads the model's probabilities

            brand = BrandAgent(self, name, scenario)
            self.portfolios[name] = optimised_portfolio(self, brand)
            brand.book(self.portfolios[name].campaign)
            return brand
        return BrandAgent(self, name, scenario, plan_campaign(self.market, scenario))

    def _derive_static_arrays(self) -> None:
        m, traits = self.market, self.traits
        self.creator_of_edge = m.follow_creator
        self.trust = np.array(m.trust, dtype=float)  # this model's own copy
        self.edge_fit = m.follow_fit
        self.degree = m.friend_count
        self.people_per_agent = m.people_per_agent
        creators = self.params["creators"]
        self.creator_status = rules.creator_status(m.followers, creators["nano_min"], creators["status_full"])
        self._view_chance = Derived(
            lambda: (traits.version["reach"], traits.version["attention"]), self._compute_view_probability
        )

    def _compute_view_probability(self) -> tuple[np.ndarray, np.ndarray]:
        m, traits = self.market, self.traits
        follower = m.follow_follower
        view_prob = rules.view_probability(
            traits.reach[self.creator_of_edge], traits.attention[follower], m.follows_per_follower[follower]
        )
        # P(view) of one post, as 1 - (1 - view_prob) ** posts rounds it at posts = 1
        return view_prob, 1.0 - (1.0 - view_prob)

    @property
    def view_probability(self) -> np.ndarray:
        """Chance of seeing one post of the creator, per follow edge (current reach and attention)."""
        return self._view_chance.value[0]

    def follower_edges(self, follower: int) -> np.ndarray:
        """Follow-edge indices of one follower."""
        indptr, edges = self.market.follows_by_follower
        return edges[indptr[follower] : indptr[follower + 1]]

    @property
    def graph(self):
        """The market as a NetworkX DiGraph, with current trust on follow edges (built on demand)."""
        return to_networkx(self.market, self.trust)

    def _make_agents(self) -> None:
        """Make the follower and creator agents, with the ids reserved at construction."""
        if self._agents_made:
            return
        self._agents_made = True
        next_id, self.agent_id_counter = self.agent_id_counter, 1
        # Agent(model) registers itself; a plain loop skips the AgentSet that create_agents
        # would build and throw away (a third of the time and half the memory at 1M agents)
        for i in range(self.market.n_followers):
            FollowerAgent(self, i)
        for k in range(self.market.n_creators):
            CreatorAgent(self, k)
        self.agent_id_counter = next_id

    @property
    def agents(self):
        """Every agent (followers and creators are made on first access)."""
        self._make_agents()
        return super().agents

    @property
    def agents_by_type(self):
        self._make_agents()
        return super().agents_by_type

    @property
    def agent_types(self):
        self._make_agents()
        return super().agent_types

    def remove_all_agents(self):
        self._make_agents()
        super().remove_all_agents()

    @property
    def followers(self):
        return self.agents_by_type.get(FollowerAgent, [])

    @property
    def creators(self):
        return self.agents_by_type.get(CreatorAgent, [])

    # ------------------------------------------------------------------ step
    def step(self) -> None:
        t0, t1 = self.day, self.day + self.dt
        for brand in self.brands:
            brand.start_step()
        self._organic_posts()
        for brand in self._brands_in_turn():
            clicked = self._sponsored_posts(brand, t0, t1)
            self._consideration(brand, clicked)
            self._word_of_mouth(brand)
        self.day = t1
        self._record()
        if self.steps >= self.n_steps:
            self.running = False

    def _brands_in_turn(self) -> list[BrandAgent]:
        """The brands in this step's order: the first to act rotates, so that no brand is always
        first to a follower both could sell to (one brand: always the same)."""
        first = self.steps % len(self.brands)
        return self.brands[first:] + self.brands[:first]

    def run(self, steps: int | None = None) -> None:
        """Run to the end of ``market.days`` (or ``steps`` more steps)."""
        for _ in range(self.n_steps - self.steps if steps is None else steps):
            self.step()

    # ---------------------------------------------------- probabilities (one place each)
    def _organic_engagement_probability(self, edges: np.ndarray, creators: np.ndarray) -> np.ndarray:
        """P(engage | view) of an organic post seen on ``edges`` (of ``creators``)."""
        return rules.engagement_probability(
            self.params["engagement"]["rate"],
            self.trust[edges],
            self.traits.relatability[creators],
            self.edge_fit[edges],
        )

    def _sponsored_engagement_probability(
        self, brand: BrandAgent, edges: np.ndarray, creators: np.ndarray
    ) -> np.ndarray:
        """P(engage | view) of ``brand``'s sponsored post seen on ``edges`` (of ``creators``):
        the organic chance, discounted for an ad, times the relationship the creator's size keeps."""
        engagement = self.params["engagement"]
        return (
            rules.engagement_probability(
                engagement["rate"],
                self.trust[edges],
                self.traits.relatability[creators],
                self.edge_fit[edges],
                True,
                self.traits.authenticity[creators],
                engagement["sponsored_discount"],
            )
            * brand.relationship[creators]
        )

    def expected_sponsored_engagements(self, brand: BrandAgent) -> np.ndarray:
        """Expected engagements (people) with one sponsored post of each creator for ``brand``,
        from the model's own view and engagement rules at the current trust."""
        edges = np.arange(len(self.creator_of_edge))
        per_edge = self.view_probability * self._sponsored_engagement_probability(brand, edges, self.creator_of_edge)
        n = self.market.n_creators
        return np.bincount(self.creator_of_edge, weights=per_edge, minlength=n) * self.people_per_agent

    def sponsored_post_chance(self, brand: BrandAgent, goal: str) -> np.ndarray:
        """Per follow edge, the chance one sponsored post of the edge's creator for ``brand``
        brings the goal's event from the follower: a view (``awareness``), an engagement
        (``engagement``), or a purchase, at once or later (``sales``).

        The same view, engagement, click and purchase rules a run applies, at the current
        trust, for a follower's first sponsored view of the brand (no wear-out yet) and with
        the friends who bought so far; what :mod:`simulation.portfolio` optimises.
        """
        view = self.view_probability
        edges = np.arange(len(self.creator_of_edge))
        creators = self.creator_of_edge
        if goal == "awareness":
            return view
        if goal == "engagement":
            return view * self._sponsored_engagement_probability(brand, edges, creators)
        followers = self.market.follow_follower.astype(np.int64)
        first_views = SponsoredViews(
            edge=edges,
            follower=followers,
            creator=creators,
            exposure=np.ones(len(edges), dtype=np.int32),
            undecided=np.ones(len(edges), dtype=bool),
            engaged_followers=np.empty(0, dtype=np.int64),
        )
        funnel = self.params["funnel"]
        at_once = self._purchase_probability(brand, funnel["purchase_rate"], followers, edges)
        later = self._purchase_probability(brand, rules.per_step(funnel["consider_rate"], self.dt), followers, edges)
        buys = rules.eventual_purchase_probability(at_once, later, rules.per_step(funnel["interest_decay"], self.dt))
        return view * self._click_probability(brand, first_views) * buys

    def _click_probability(self, brand: BrandAgent, views: SponsoredViews) -> np.ndarray:
        """P(click | view) of each sponsored view."""
        funnel, traits = self.params["funnel"], self.traits
        creator_fit = np.where(self.market.niche[views.creator] == brand.niche, 1.0, funnel["off_niche_fit"])
        return rules.click_probability(
            funnel["click_rate"],
            self.trust[views.edge],
            rules.source_appeal(
                traits.relatability[views.creator],
                self.creator_status[views.creator],
                brand.status_weight[views.follower],
            ),
            creator_fit,
            brand.involvement[views.follower],
            rules.ad_acceptance(traits.skepticism[views.follower], traits.authenticity[views.creator]),
            rules.wearout(views.exposure, funnel["wearout"]),
        )

    def _purchase_probability(
        self, brand: BrandAgent, rate, followers: np.ndarray, source_edges: np.ndarray
    ) -> np.ndarray:
        """P(buy now) of interested ``followers`` at base ``rate``, recommended on ``source_edges``
        (-1: no recommending creator, whose pull is then 1)."""
        known = source_edges >= 0
        edge = np.maximum(source_edges, 0)
        trust = np.where(known, self.trust[edge], 1.0)
        status = np.where(known, self.creator_status[self.creator_of_edge[edge]], 1.0)
        return rules.purchase_probability(
            rate,
            rules.recommender_pull(trust, status, brand.status_weight[followers]),
            brand.price_kept[followers],
            self._social_proof(brand, followers),
            brand.warned[followers],
            self.params["word_of_mouth"]["negative_effect"],
        )

    def _social_proof(self, brand: BrandAgent, followers: np.ndarray) -> np.ndarray:
        return rules.social_proof(
            brand.friends_who_bought(followers), self.degree[followers], self.params["funnel"]["social_proof"]
        )

    # ------------------------------------------------------------------ organic day
    def _organic_posts(self) -> None:
        """Creators post; followers see posts, engage, and their trust moves with what they saw."""
        m, p, traits = self.market, self.params, self.traits
        if m.n_creators == 0:  # a friends-only graph: nobody posts (and nothing is drawn)
            return
        rng = self.rng_organic
        rate = p["creators"]["posts_per_day"] * self.dt
        posts = (rng.random(m.n_creators) < rate).astype(np.int64) if rate <= 1 else rng.poisson(rate, m.n_creators)
        creator_of_edge = self.creator_of_edge
        u = rng.random(len(creator_of_edge))  # drawn for every edge, posting or not: stable streams
        view_prob, view_once = self._view_chance.value
        # P(view) = 1 - (1 - view_prob) ** posts; with at most one post per creator (the
        # usual day) that is view_once, so no power over every edge
        if posts.max(initial=0) <= 1:
            viewed = u < view_once
            if not posts.all():
                viewed &= posts.astype(bool)[creator_of_edge]
            edges = np.flatnonzero(viewed)  # sorted: edges are grouped by creator
            p_view = view_once[edges]
        else:
            p_view = 1.0 - (1.0 - view_prob) ** posts[creator_of_edge]
            edges = np.flatnonzero(u < p_view)
            p_view = p_view[edges]
        # engagement needs a view (u < p_view * p_engage <= p_view): only viewed edges count
        creators = creator_of_edge[edges]
        engaged = u[edges] < p_view * self._organic_engagement_probability(edges, creators)
        self.organic["posts"] += posts
        self.organic["views"] += np.diff(np.searchsorted(edges, m.follow_indptr))
        self.organic["engagements"] += np.diff(np.searchsorted(edges[engaged], m.follow_indptr))
        if p["trust"]["dynamics"]:
            self.trust[edges] = rules.trust_after_organic_view(
                self.trust[edges],
                authenticity=traits.authenticity[creators],
                ad_load=traits.ad_load[creators],
                engaged=engaged,
                responsiveness=traits.responsiveness[creators],
                gain=p["trust"]["organic_gain"],
                erosion=p["trust"]["ad_erosion"],
            )

    # ------------------------------------------------------------------ a brand's day
    def _sponsored_posts(self, brand: BrandAgent, t0: float, t1: float) -> np.ndarray:
        """The brand's posts of ``[t0, t1)``, phase by phase. Returns the followers who clicked."""
        posters, counts = brand.campaign.posts_between(t0, t1)
        if len(posters) == 0:
            return np.empty(0, dtype=np.int64)
        edges = self._book_posts(brand, posters, counts)
        views = self._sponsored_views(brand, edges)
        clickers, source_edges = self._clicks(brand, views)
        self._immediate_purchases(brand, clickers, source_edges)
        self._ad_erosion(brand, views)
        self._mentions(brand, views.engaged_followers)
        return clickers

    def _book_posts(self, brand: BrandAgent, posters: np.ndarray, counts: np.ndarray) -> np.ndarray:
        """Pay for the posts; return the follow edges they go out on (once per post)."""
        m = self.market
        brand.book_posts(posters, counts)
        edges = csr_row_entries(m.follow_indptr, posters)
        audience = m.follow_indptr[posters + 1] - m.follow_indptr[posters]
        return np.repeat(edges, np.repeat(counts, audience))

    def _sponsored_views(self, brand: BrandAgent, edges: np.ndarray) -> SponsoredViews:
        """Who sees and who engages with the posts; a view makes the follower aware."""
        creator = self.creator_of_edge[edges]
        follower = self.market.follow_follower[edges].astype(np.int64)
        u = self.rng_campaign.random(len(edges))
        p_view = self.view_probability[edges]
        viewed = u < p_view
        engaged = u < p_view * self._sponsored_engagement_probability(brand, edges, creator)
        brand.count("impressions", creator[viewed])
        brand.count("engagements", creator[engaged])
        seen_by = follower[viewed]
        views = SponsoredViews(
            edge=edges[viewed],
            follower=seen_by,
            creator=creator[viewed],
            exposure=brand.views[seen_by] + 1,
            undecided=brand.state[seen_by] != Funnel.PURCHASED,
            engaged_followers=sorted_unique(follower[engaged]),
        )
        np.add.at(brand.views, seen_by, np.int32(1))  # a scalar of the array's dtype keeps add.at on its fast path
        brand.post_reached[seen_by] = True
        brand.state[seen_by] = np.maximum(brand.state[seen_by], Funnel.AWARE)
        return views

    def _clicks(self, brand: BrandAgent, views: SponsoredViews) -> tuple[np.ndarray, np.ndarray]:
        """Undecided viewers click (aware -> interested). Returns each clicker and the edge of its first click."""
        clicked = views.undecided & (self.rng_campaign.random(len(views.edge)) < self._click_probability(brand, views))
        brand.count("clicks", views.creator[clicked])
        clickers, first = sorted_unique(views.follower[clicked], return_first=True)
        source_edges = views.edge[clicked][first]
        brand.state[clickers] = Funnel.INTERESTED
        brand.source_edge[clickers] = source_edges
        return clickers, source_edges

    def _immediate_purchases(self, brand: BrandAgent, clickers: np.ndarray, source_edges: np.ndarray) -> None:
        """Some clickers buy at once, credited to the creator they clicked on."""
        p_buy = self._purchase_probability(brand, self.params["funnel"]["purchase_rate"], clickers, source_edges)
        buy = self.rng_campaign.random(len(clickers)) < p_buy
        self.record_purchases(brand, clickers[buy], Channel.DIRECT, self.creator_of_edge[source_edges[buy]])

    def _ad_erosion(self, brand: BrandAgent, views: SponsoredViews) -> None:
        """Each sponsored view costs trust in the creator (more from inauthentic ones, off niche)."""
        if not self.params["trust"]["dynamics"]:
            return
        off_niche = (self.market.niche[views.creator] != brand.niche).astype(float)
        self.trust[views.edge] = rules.trust_after_ad_view(
            self.trust[views.edge],
            authenticity=self.traits.authenticity[views.creator],
            off_niche=off_niche,
            erosion=self.params["trust"]["ad_erosion"],
        )

    def _mentions(self, brand: BrandAgent, engaged_followers: np.ndarray) -> None:
        """Followers who engaged mention the product to friends (per engagement, not per day): awareness only."""
        _, heard = self._tell(engaged_followers, self.params["word_of_mouth"]["engaged_tell_probability"])
        brand.state[heard] = np.maximum(brand.state[heard], Funnel.AWARE)

    def _consideration(self, brand: BrandAgent, just_clicked: np.ndarray) -> None:
        """Interested followers buy later with a daily chance, or lose interest."""
        p, rng = self.params, self.rng_campaign
        interested = brand.state == Funnel.INTERESTED
        interested[just_clicked] = False
        idx = np.flatnonzero(interested)
        if len(idx) == 0:
            return
        src = brand.source_edge[idx]
        p_buy = self._purchase_probability(brand, rules.per_step(p["funnel"]["consider_rate"], self.dt), idx, src)
        buy = rng.random(len(idx)) < p_buy
        origin = np.where(src >= 0, self.creator_of_edge[np.maximum(src, 0)], -1)
        self.record_purchases(brand, idx[buy], Channel.DIRECT, origin[buy])
        fade = ~buy & (rng.random(len(idx)) < rules.per_step(p["funnel"]["interest_decay"], self.dt))
        brand.state[idx[fade]] = Funnel.AWARE

    def _tell(self, tellers: np.ndarray, p_tell: float) -> tuple[np.ndarray, np.ndarray]:
        """Each teller tells each friend with chance ``p_tell``: (teller, friend) pairs."""
        m = self.market
        if len(tellers) == 0 or p_tell <= 0:
            empty = np.empty(0, dtype=np.int64)
            return empty, empty
        # one draw per (teller, friend) slot; only the hits are turned into friend indices
        starts = m.friend_indptr[tellers]
        lens = m.friend_indptr[tellers + 1] - starts
        ends = np.cumsum(lens)
        hit = np.flatnonzero(self.rng_wom.random(int(ends[-1])) < p_tell)
        owner = np.searchsorted(ends, hit, side="right")
        slots = starts[owner] + hit - (ends[owner] - lens[owner])
        return tellers[owner], m.friend_index[slots].astype(np.int64)

    def _word_of_mouth(self, brand: BrandAgent) -> None:
        """Recent buyers recommend (satisfied) or warn (disappointed) their friends."""
        p, rng, m = self.params, self.rng_wom, self.market
        wom = p["word_of_mouth"]
        recent = brand.recent_buyers(self.steps, max(1, int(round(wom["active_days"] / self.dt))))
        if len(recent) == 0:  # nobody to talk (and nothing is drawn)
            return
        happy = recent[brand.satisfied[recent]]
        unhappy = recent[~brand.satisfied[recent]]
        if wom["network"] == "friends":
            teller, target = self._tell(happy, rules.per_step(wom["tell_probability"], self.dt))
            _, warned = self._tell(unhappy, rules.per_step(wom["negative_tell_probability"], self.dt))
        else:
            n = m.n_followers
            p_hear = rules.mean_field_tell_probability(wom["mean_field_contacts"], self.dt, len(happy), n)
            target = np.flatnonzero(rng.random(n) < p_hear) if len(happy) else np.empty(0, np.int64)
            teller = happy[rng.integers(0, max(len(happy), 1), len(target))] if len(happy) else target
            p_warn = rules.mean_field_tell_probability(
                wom["mean_field_contacts"] * wom["negative_tell_probability"], self.dt, len(unhappy), n
            )
            warned = np.flatnonzero(rng.random(n) < p_warn) if len(unhappy) else np.empty(0, np.int64)
        brand.warned[warned] = True
        open_ = brand.state[target] != Funnel.PURCHASED
        teller, target = teller[open_], target[open_]
        brand.state[target] = np.maximum(brand.state[target], Funnel.AWARE)
        p_buy = rules.told_conversion_probability(
            wom["conversion"],
            brand.involvement[target],
            brand.price_kept[target],
            brand.warned[target],
            wom["negative_effect"],
            wom["persuasion"],
        )
        buy = rng.random(len(target)) < p_buy
        buyers, first = sorted_unique(target[buy], return_first=True)
        self.record_purchases(brand, buyers, Channel.WORD_OF_MOUTH, brand.origin[teller[buy][first]])

    def record_purchases(self, brand: BrandAgent, followers: np.ndarray, channel: Channel, origin: np.ndarray) -> None:
        """Book purchases: funnel, attribution, satisfaction, social proof, revenue, trust."""
        followers, origin = np.asarray(followers), np.asarray(origin)
        if np.any(followers[1:] <= followers[:-1]):  # already sorted and distinct is the usual case
            followers, first = sorted_unique(followers, return_first=True)
            origin = origin[first]
        new = brand.state[followers] != Funnel.PURCHASED
        if channel != Channel.SEEDED and self.rivals[brand.name]:
            new &= ~self.out_of_market(brand, followers)
        followers, origin = followers[new], origin[new]
        if len(followers) == 0:
            return
        satisfied = self.rng_wom.random(len(followers)) < brand.quality
        brand.book_purchases(followers, channel, origin, satisfied, self.steps, self.people_per_agent)
        if self.params["trust"]["dynamics"]:
            src = brand.source_edge[followers[~satisfied]]
            src = src[src >= 0]
            self.trust[src] = rules.disappointment(self.trust[src], self.params["trust"]["disappointment_loss"])

    def out_of_market(self, brand: BrandAgent, followers: np.ndarray) -> np.ndarray:
        """Whether each of ``followers`` bought a rival of ``brand`` (same niche) within the
        repurchase interval (:func:`simulation.rules.out_of_market`)."""
        rivals = self.rivals[brand.name]
        if not rivals:
            return np.zeros(len(followers), dtype=bool)
        bought = np.stack([rival.bought_step[followers] for rival in rivals])
        return rules.out_of_market(bought, self.steps, self.repurchase_steps)

    # ------------------------------------------------------------------ results
    def _record(self) -> None:
        if not self.collect:
            return
        self.datacollector.collect(self)
        for brand in self.brands:
            self.datacollector.add_table_row("steps", metrics.step_row(self, brand))
            for row in metrics.creator_step_rows(self, brand):  # hired creators only: a few hundred at most
                self.datacollector.add_table_row("creator_steps", row)

    def creator_daily(self):
        """Per-step table of each hired creator's cumulative tallies (people and USD)."""
        return self.datacollector.get_table_dataframe("creator_steps")

    def daily(self):
        """Per-step table (one row per brand per step, counts in real people and USD)."""
        return self.datacollector.get_table_dataframe("steps")

    def summary(self):
        """One row per brand: totals and ratios of the run so far."""
        return metrics.summary_table(self)

    def creator_table(self):
        """One row per creator: traits, organic engagement rate, and campaign tallies."""
        return metrics.creator_table(self)
