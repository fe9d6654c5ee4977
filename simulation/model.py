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

from typing import Any

import mesa
import numpy as np

from . import metrics, rules
from .agents import BrandAgent, Channel, CreatorAgent, FollowerAgent, Funnel
from .campaigns import audience_overlap, plan_campaign
from .graph import Market, generate_market, interest_fit
from .graph_io import market_from_graph, to_networkx
from .params import BY_KEY, ScenarioError, flatten, nest, resolve

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


def _edge_ranges(indptr: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """Concatenated ``range(indptr[r], indptr[r+1])`` for each row ``r``."""
    starts = indptr[rows]
    lens = indptr[rows + 1] - starts
    total = int(lens.sum())
    if total == 0:
        return np.empty(0, dtype=np.int64)
    return np.repeat(starts - np.cumsum(lens) + lens, lens) + np.arange(total)


def _unique_first(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``np.unique(values, return_index=True)`` by one sort of ``value * n + position``.

    An int64 sort is several times faster than the stable argsort ``np.unique`` uses, and
    the position in the key keeps the first occurrence of each value first.
    """
    n = len(values)
    if n == 0 or int(values.max()) >= np.iinfo(np.int64).max // n - 1:
        return np.unique(values, return_index=True)
    key = values.astype(np.int64) * n + np.arange(n)
    key.sort()
    value = key // n
    keep = np.ones(n, dtype=bool)
    np.not_equal(value[1:], value[:-1], out=keep[1:])
    return value[keep].astype(values.dtype, copy=False), key[keep] % n


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
    **overrides
        Any parameter as ``section__name=value`` (``brand__budget=50000``): what the
        dashboard's sliders pass.

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
        rng=None,
        **overrides: Any,
    ):
        seq = seed_sequence(seed if seed is not None else rng)
        super().__init__(rng=np.random.default_rng(stream(seq, "mesa")))
        self.seed_sequence = seq
        merged = flatten({k: v for k, v in (params or {}).items() if k != "scenario"})
        merged.update({k.replace("__", "."): v for k, v in overrides.items()})
        if graph is not None:  # the graph fixes the number of follower agents (and may carry the population)
            merged["market.followers"] = sum(1 for _, kind in graph.nodes(data="kind") if kind != "creator")
            population = graph.graph.get(
                "population", merged.get("market.population", BY_KEY["market.population"].default)
            )
            merged["market.population"] = max(int(round(float(population))), merged["market.followers"])
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
        self.rng_organic = np.random.default_rng(stream(seq, "organic"))
        self.rng_campaign = np.random.default_rng(stream(seq, "campaign"))
        self.rng_wom = np.random.default_rng(stream(seq, "word_of_mouth"))
        self.dt = float(p["market"]["dt"])
        self.day = 0.0
        self.n_steps = max(1, int(round(p["market"]["days"] / self.dt)))
        self._purchase_log: dict[BrandAgent, list[tuple[int, np.ndarray]]] = {}  # (step, buyers) per booking
        self._derive_static_arrays()

        # Agent(model) registers itself; a plain loop skips the AgentSet that create_agents
        # would build and throw away (a third of the time and half the memory at 1M agents)
        for i in range(market.n_followers):
            FollowerAgent(self, i)
        for k in range(market.n_creators):
            CreatorAgent(self, k)
        campaign = plan_campaign(market, p)
        brand = BrandAgent(self, p["brand"]["niche"], p["brand"], campaign, market.n_followers)
        self.brands = [brand]
        self._prepare_brand(brand)

        self.organic = {k: np.zeros(market.n_creators) for k in ("posts", "views", "engagements")}
        self.collect = collect
        self.datacollector = mesa.DataCollector(
            model_reporters=metrics.MODEL_REPORTERS,
            tables={"steps": list(metrics.STEP_COLUMNS), "creator_steps": list(metrics.CREATOR_STEP_COLUMNS)},
        )
        self._record()

    # ------------------------------------------------------------------ setup
    def _derive_static_arrays(self) -> None:
        m = self.market
        self.creator_of_edge = m.follow_creator
        self.trust = m.trust.astype(float).copy()
        n_follows = np.bincount(m.follow_follower, minlength=m.n_followers)
        self._edges_by_follower = np.argsort(m.follow_follower, kind="stable")
        self._follower_edge_indptr = np.concatenate([[0], np.cumsum(n_follows)])
        c = self.creator_of_edge
        self.view_prob = rules.view_probability(
            m.reach[c], m.attention[m.follow_follower], n_follows[m.follow_follower]
        )
        self._view_once = 1.0 - (1.0 - self.view_prob)  # P(view) of one post, as the general formula rounds it
        self.edge_fit = interest_fit(m.interests, m.follow_follower, m.niche[c])
        self.degree = np.diff(m.friend_indptr)
        self.people_per_agent = m.people_per_agent

    def _prepare_brand(self, brand: BrandAgent) -> None:
        m, p = self.market, self.params
        brand.product_fit = interest_fit(m.interests, np.arange(m.n_followers), np.full(m.n_followers, brand.niche))
        brand.price_kept = rules.price_factor(brand.price, m.price_sensitivity, p["funnel"]["price_ref"])
        brand.hired_edges = _edge_ranges(m.follow_indptr, brand.campaign.creators)
        brand.overlap = audience_overlap(m, brand.campaign.creators)
        brand.fee_of = np.zeros(m.n_creators)
        brand.fee_of[brand.campaign.creators] = brand.campaign.fee_per_post
        brand.tally = dict.fromkeys(metrics.STEP_TALLIES, 0.0)

    def follower_edges(self, follower: int) -> np.ndarray:
        """Follow-edge indices of one follower."""
        a, b = self._follower_edge_indptr[follower], self._follower_edge_indptr[follower + 1]
        return self._edges_by_follower[a:b]

    @property
    def graph(self):
        """The market as a NetworkX DiGraph, with current trust on follow edges (built on demand)."""
        return to_networkx(self.market, self.trust)

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
            brand.tally = dict.fromkeys(metrics.STEP_TALLIES, 0.0)
        self._organic_posts()
        for brand in self.brands:
            clicked = self._sponsored_posts(brand, t0, t1)
            self._consideration(brand, clicked)
            self._word_of_mouth(brand)
        self.day = t1
        self._record()
        if self.steps >= self.n_steps:
            self.running = False

    def run(self, steps: int | None = None) -> None:
        """Run to the end of ``market.days`` (or ``steps`` more steps)."""
        for _ in range(self.n_steps - self.steps if steps is None else steps):
            self.step()

    def _organic_posts(self) -> None:
        m, p = self.market, self.params
        if m.n_creators == 0:  # a friends-only graph: nobody posts (and nothing is drawn)
            return
        rng = self.rng_organic
        rate = p["creators"]["posts_per_day"] * self.dt
        posts = (rng.random(m.n_creators) < rate).astype(np.int64) if rate <= 1 else rng.poisson(rate, m.n_creators)
        c = self.creator_of_edge
        u = rng.random(len(c))  # drawn for every edge, posting or not: stable streams
        # P(view) = 1 - (1 - view_prob) ** posts; with at most one post per creator (the
        # usual day) that is the static _view_once, so no power over every edge
        if posts.max(initial=0) <= 1:
            viewed = u < self._view_once
            if not posts.all():
                viewed &= posts.astype(bool)[c]
            e = np.flatnonzero(viewed)  # sorted: edges are grouped by creator
            p_view = self._view_once[e]
        else:
            p_view = 1.0 - (1.0 - self.view_prob) ** posts[c]
            e = np.flatnonzero(u < p_view)
            p_view = p_view[e]
        # engagement needs a view (u < p_view * p_engage <= p_view): only viewed edges count
        ce = c[e]
        p_engage = rules.engagement_probability(
            p["engagement"]["rate"], self.trust[e], m.relatability[ce], self.edge_fit[e]
        )
        engaged = u[e] < p_view * p_engage
        self.organic["posts"] += posts
        self.organic["views"] += np.diff(np.searchsorted(e, m.follow_indptr))
        self.organic["engagements"] += np.diff(np.searchsorted(e[engaged], m.follow_indptr))
        if p["trust"]["dynamics"]:
            self.trust[e] = rules.trust_after_views(
                self.trust[e],
                m.authenticity[ce],
                1,
                0,
                m.ad_load[ce],
                engaged,
                m.responsiveness[ce],
                p["trust"]["organic_gain"],
                p["trust"]["ad_erosion"],
                0,
            )

    def _sponsored_posts(self, brand: BrandAgent, t0: float, t1: float) -> np.ndarray:
        """Post, view, engage, click, buy at once. Returns followers who clicked this step."""
        m, p = self.market, self.params
        rng = self.rng_campaign
        posters, counts = brand.campaign.posts_between(t0, t1)
        if len(posters) == 0:
            return np.empty(0, dtype=np.int64)
        fees = brand.fee_of[posters] * counts
        brand.spend += float(fees.sum())
        brand.tally["spend"] += float(fees.sum())
        brand.by_creator["posts"][posters] += counts
        brand.by_creator["spend"][posters] += fees

        edges = _edge_ranges(m.follow_indptr, posters)
        lens = m.follow_indptr[posters + 1] - m.follow_indptr[posters]
        edges = np.repeat(edges, np.repeat(counts, lens))
        c = self.creator_of_edge[edges]
        f = m.follow_follower[edges].astype(np.int64)
        auth = m.authenticity[c]
        u = rng.random(len(edges))
        p_view = self.view_prob[edges]
        p_engage = rules.engagement_probability(
            p["engagement"]["rate"],
            self.trust[edges],
            m.relatability[c],
            self.edge_fit[edges],
            True,
            auth,
            p["engagement"]["sponsored_discount"],
        )
        viewed = u < p_view
        engaged = u < p_view * p_engage
        ve, vf, vc = edges[viewed], f[viewed], c[viewed]
        brand.by_creator["impressions"] += np.bincount(vc, minlength=m.n_creators)
        brand.by_creator["engagements"] += np.bincount(c[engaged], minlength=m.n_creators)
        brand.tally["impressions"] += len(ve)
        brand.tally["engagements"] += int(engaged.sum())

        # views: awareness, exposure count, clicks
        open_ = brand.state[vf] != Funnel.PURCHASED
        k = brand.views[vf] + 1
        np.add.at(brand.views, vf, np.int32(1))  # a scalar of the array's dtype keeps add.at on its fast path
        brand.post_reached[vf] = True
        brand.state[vf] = np.maximum(brand.state[vf], Funnel.AWARE)
        fu = p["funnel"]
        creator_fit = np.where(m.niche[vc] == brand.niche, 1.0, fu["off_niche_fit"])
        p_click = rules.click_probability(
            fu["click_rate"],
            self.trust[ve],
            m.relatability[vc],
            creator_fit,
            brand.product_fit[vf],
            rules.ad_acceptance(m.skepticism[vf], auth[viewed]),
            rules.wearout(k, fu["wearout"]),
        )
        clicked = open_ & (rng.random(len(ve)) < p_click)
        brand.by_creator["clicks"] += np.bincount(vc[clicked], minlength=m.n_creators)
        brand.tally["clicks"] += int(clicked.sum())
        cf, first = _unique_first(vf[clicked])
        ce = ve[clicked][first]
        brand.state[cf] = Funnel.INTERESTED
        brand.source_edge[cf] = ce

        p_buy = rules.purchase_probability(
            fu["purchase_rate"],
            self.trust[ce],
            brand.price_kept[cf],
            self._proof(brand, cf),
            brand.warned[cf],
            p["word_of_mouth"]["negative_effect"],
        )
        buy = rng.random(len(cf)) < p_buy
        self.record_purchases(brand, cf[buy], Channel.DIRECT, self.creator_of_edge[ce[buy]])

        if p["trust"]["dynamics"]:
            self.trust[ve] = rules.trust_after_views(
                self.trust[ve],
                auth[viewed],
                0,
                1,
                0.0,
                0,
                0.0,
                0.0,
                p["trust"]["ad_erosion"],
                (m.niche[vc] != brand.niche).astype(float),
            )
        # engaged followers mention the product to friends: awareness only
        wom = p["word_of_mouth"]
        _, heard = self._tell(
            _unique_first(f[engaged])[0], wom["engaged_tell_probability"]
        )  # per engagement, not per day
        brand.state[heard] = np.maximum(brand.state[heard], Funnel.AWARE)
        return cf

    def _consideration(self, brand: BrandAgent, just_clicked: np.ndarray) -> None:
        """Interested followers buy later with a daily chance, or lose interest."""
        p, rng = self.params, self.rng_campaign
        interested = brand.state == Funnel.INTERESTED
        interested[just_clicked] = False
        idx = np.flatnonzero(interested)
        if len(idx) == 0:
            return
        src = brand.source_edge[idx]
        trust = np.where(src >= 0, self.trust[np.maximum(src, 0)], 1.0)
        p_buy = rules.purchase_probability(
            rules.per_step(p["funnel"]["consider_rate"], self.dt),
            trust,
            brand.price_kept[idx],
            self._proof(brand, idx),
            brand.warned[idx],
            p["word_of_mouth"]["negative_effect"],
        )
        u = rng.random(len(idx))
        buy = u < p_buy
        origin = np.where(src >= 0, self.creator_of_edge[np.maximum(src, 0)], -1)
        self.record_purchases(brand, idx[buy], Channel.DIRECT, origin[buy])
        fade = ~buy & (rng.random(len(idx)) < rules.per_step(p["funnel"]["interest_decay"], self.dt))
        brand.state[idx[fade]] = Funnel.AWARE

    def _proof(self, brand: BrandAgent, followers: np.ndarray) -> np.ndarray:
        return rules.social_proof(
            self._friends_bought(brand, followers), self.degree[followers], self.params["funnel"]["social_proof"]
        )

    def _friends_bought(self, brand: BrandAgent, followers: np.ndarray) -> np.ndarray:
        """How many friends of each of ``followers`` have bought, counted when asked.

        Reads only these followers' friend lists; keeping a count for everyone would
        touch every buyer's friends at each purchase, the cost of a word-of-mouth cascade.
        """
        m = self.market
        lens = m.friend_indptr[followers + 1] - m.friend_indptr[followers]
        owner = np.repeat(np.arange(len(followers)), lens)
        bought = brand.state[m.friend_index[_edge_ranges(m.friend_indptr, followers)]] == Funnel.PURCHASED
        return np.bincount(owner[bought], minlength=len(followers))

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
        active = max(1, int(round(wom["active_days"] / self.dt)))
        # recent buyers (bought 1..active steps ago) from the purchase log, not a sweep of
        # every follower's bought_step: record_purchases writes both
        log = self._purchase_log.setdefault(brand, [])
        log[:] = [(step, who) for step, who in log if self.steps - step <= active]
        recent = [who for step, who in log if self.steps - step >= 1]
        recent = np.sort(np.concatenate(recent)) if recent else np.empty(0, dtype=np.int64)
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
            brand.product_fit[target],
            brand.price_kept[target],
            brand.warned[target],
            wom["negative_effect"],
            wom["persuasion"],
        )
        buy = rng.random(len(target)) < p_buy
        buyers, first = _unique_first(target[buy])
        self.record_purchases(brand, buyers, Channel.WORD_OF_MOUTH, brand.origin[teller[buy][first]])

    def record_purchases(self, brand: BrandAgent, followers: np.ndarray, channel: Channel, origin: np.ndarray) -> None:
        """Book purchases: funnel, attribution, satisfaction, social proof, revenue, trust."""
        followers, origin = np.asarray(followers), np.asarray(origin)
        if np.any(followers[1:] <= followers[:-1]):  # already sorted and distinct is the usual case
            followers, first = _unique_first(followers)
            origin = origin[first]
        new = brand.state[followers] != Funnel.PURCHASED
        followers, origin = followers[new], origin[new]
        if len(followers) == 0:
            return
        brand.state[followers] = Funnel.PURCHASED
        brand.channel[followers] = channel
        brand.origin[followers] = origin
        brand.bought_step[followers] = self.steps
        self._purchase_log.setdefault(brand, []).append((self.steps, followers))
        satisfied = self.rng_wom.random(len(followers)) < brand.quality
        brand.satisfied[followers] = satisfied
        credited = origin[origin >= 0]
        np.add.at(brand.by_creator["conversions"], credited, 1.0)
        key = {Channel.DIRECT: "conversions_direct", Channel.WORD_OF_MOUTH: "conversions_wom"}.get(channel, "seeded")
        brand.tally[key] += len(followers)
        revenue = len(followers) * self.people_per_agent * brand.price if channel != Channel.SEEDED else 0.0
        brand.revenue += revenue
        brand.tally["revenue"] += revenue
        if self.params["trust"]["dynamics"]:
            src = brand.source_edge[followers[~satisfied]]
            src = src[src >= 0]
            self.trust[src] = rules.disappointment(self.trust[src], self.params["trust"]["disappointment_loss"])

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
