"""The dashboard's world: two strategies on one simulated market, stepped in lockstep.

:class:`ComparisonModel` holds two :class:`~simulation.model.InfluencerModel` arms
(strategy A and B, mega and micro by default) built on the same generated market with
the same seed, so they share the market and its organic day-to-day draws (common
random numbers): every difference between the arms comes from the campaign. Its
DataCollector records a few numbers per arm per step (:func:`arm_figures`), which the
dashboard's charts read.

The dashboard's controls are derived here from :data:`simulation.params.PARAMETERS`
(:func:`control_for`): label, range, step and help text come from the declaration.
Nothing in this module needs Solara; :mod:`simulation.app` draws it.
"""

from __future__ import annotations

import math
import threading
from collections import OrderedDict, deque
from typing import Any

import mesa
import networkx as nx
import numpy as np

from .agents import Funnel
from .graph import Market
from .model import InfluencerModel
from .params import BY_KEY, STRATEGIES, Param, ScenarioError, flatten, resolve

#: Parameters the dashboard exposes, in the order of the sidebar: what a student tries
#: first. Keys not declared in :mod:`simulation.params` are skipped, so a parameter
#: listed here appears once it is declared. "Trust and relatability weights" are the
#: declared parameters nearest to that meaning: how fast relatability and authenticity
#: fall with audience size (initial trust is sqrt(authenticity x relatability)) and how
#: much trust a sponsored post erodes.
CONTROL_KEYS: tuple[str, ...] = (
    "brand.goal",
    "brand.budget",
    "brand.niche",
    "brand.luxury",
    "brand.price",
    "brand.category_interest",
    "campaign.max_creators",
    "campaign.max_posts_per_week",
    "campaign.fill_budget",
    "creators.relatability_exponent",
    "creators.authenticity_exponent",
    "trust.ad_erosion",
    "word_of_mouth.tell_probability",
    "followers.skepticism_mean",
    "creators.fee_exponent",
    "market.followers",
    "market.days",
)

#: Slider spans for parameters whose declared range is too wide to slide through
#: (a budget of 0 to 10 billion USD). Each lies inside the declared range (tested).
SLIDER_SPAN: dict[str, tuple[float, float]] = {
    "brand.budget": (20_000, 1_000_000),
    "brand.price": (5, 500),
    "campaign.max_creators": (0, 300),
    "campaign.max_posts_per_week": (1, 14),
    # 1,000 to 50,000 agents: one step of both arms stays well under the redraw's time
    "market.followers": (1_000, 50_000),
    "market.days": (10, 180),
}

#: Dashboard defaults that differ from the declared ones: a small market, so a step is quick.
DASHBOARD_DEFAULTS: dict[str, Any] = {"market.followers": 10_000}

#: The measure that decides who is ahead, per campaign goal (``brand.goal``).
GOAL_MEASURE = {"awareness": "unique_reach", "engagement": "engagements", "sales": "conversions"}

#: Numbers recorded per arm per step (people and USD), in chart order.
ARM_FIGURES = (
    "conversions",
    "spend",
    "roi",
    "unique_reach",
    "engagements",
    "engagement_rate",
    "mean_trust_reached",
    "aware",
    "interested",
    "purchased",
)

#: Followers drawn in the network view.
SAMPLE_SIZE = 300

# markets, follower samples and their layouts by (seed, market-defining parameters)
_MARKETS: OrderedDict[tuple, tuple[Market, NetworkSample]] = OrderedDict()
_MARKETS_KEPT = 4
_MARKETS_LOCK = threading.Lock()  # browser sessions reset in their own threads


def declared_controls() -> tuple[str, ...]:
    """The keys of :data:`CONTROL_KEYS` that :mod:`simulation.params` declares."""
    return tuple(key for key in CONTROL_KEYS if key in BY_KEY)


def label_of(param: Param) -> str:
    """A control's label from its key and unit: ``brand.budget`` -> ``Budget (USD)``.

    Examples
    --------
    >>> label_of(BY_KEY["brand.budget"])
    'Budget (USD)'
    >>> label_of(BY_KEY["word_of_mouth.tell_probability"])
    'Word of mouth: tell probability (0-1)'
    """
    section, name = param.key.split(".")
    words = name.replace("_", " ")
    text = words.capitalize() if section in ("brand", "market") else f"{section.replace('_', ' ')}: {words}"
    text = text[0].upper() + text[1:]
    return f"{text} ({param.unit})" if param.unit else text


def nice_step(span: float, integer: bool) -> float:
    """A round slider step (1, 2 or 5 times a power of ten) near ``span / 100``.

    Examples
    --------
    >>> nice_step(1.0, integer=False)
    0.01
    >>> nice_step(990_000, integer=True)
    10000
    >>> nice_step(13, integer=True)
    1
    """
    if span <= 0:
        return 1 if integer else 0.01
    raw = span / 100
    power = 10 ** math.floor(math.log10(raw))
    step = min((m * power for m in (1, 2, 5, 10)), key=lambda s: abs(math.log(s / raw)))
    if integer:
        return max(1, int(round(step)))
    return float(f"{step:.6g}")


def control_for(key: str) -> dict[str, Any]:
    """One dashboard control for a declared parameter, as Mesa's SolaraViz expects it.

    Choices become a Select, booleans a Checkbox, numbers a slider over the declared
    range (or :data:`SLIDER_SPAN`), anything else a text box. The help text is kept
    under ``"help"``.

    Examples
    --------
    >>> control_for("followers.skepticism_mean")["type"], control_for("followers.skepticism_mean")["max"]
    ('SliderFloat', 1.0)
    >>> control_for("brand.niche")["values"][:2]
    ['fitness', 'beauty']
    """
    param = BY_KEY[key]
    value = DASHBOARD_DEFAULTS.get(key, param.default)
    control: dict[str, Any] = {"label": label_of(param), "value": value, "help": param.help}
    if param.choices is not None:
        return control | {"type": "Select", "values": list(param.choices)}
    if param.kind is bool:
        return control | {"type": "Checkbox"}
    low, high = SLIDER_SPAN.get(key, (param.low, param.high))
    if param.kind not in (int, float) or low is None or high is None:
        return control | {"type": "InputText", "value": str(value)}
    integer = param.kind is int
    step = nice_step(high - low, integer)
    kind = int if integer else float
    return control | {
        "type": "SliderInt" if integer else "SliderFloat",
        "min": kind(low),
        "max": kind(high),
        "step": step,
    }


def model_params() -> dict[str, Any]:
    """SolaraViz's ``model_params``: the seed box, the strategy pair and every declared control."""
    strategies = [s for s in STRATEGIES if s != "list"]  # a list of creator ids has no control here
    params: dict[str, Any] = {
        "seed": {"type": "InputText", "value": "0", "label": "Seed (a whole number)"},
        "strategy_a": {"type": "Select", "value": "mega", "values": strategies, "label": "Strategy A"},
        "strategy_b": {"type": "Select", "value": "micro", "values": strategies, "label": "Strategy B"},
    }
    for key in declared_controls():
        params[key.replace(".", "__")] = control_for(key)
    return params


def goal_measure(params: dict[str, dict[str, Any]]) -> tuple[str, str | None]:
    """The measure that ranks the arms and the goal it serves (None before ``brand.goal`` exists)."""
    goal = params["brand"].get("goal")
    return GOAL_MEASURE.get(goal, "conversions"), goal


class NetworkSample:
    """A few hundred followers of one market, with friend ties among them and a layout.

    Followers are gathered by breadth-first walks over the friend graph from random
    starts, so communities show as clusters; the spring layout runs once, on this
    sample only.
    """

    def __init__(self, market: Market, size: int, seed: np.random.SeedSequence):
        rng = np.random.default_rng(seed)
        self.followers = snowball_sample(market, size, rng)
        self.position_of = np.full(market.n_followers, -1, dtype=np.int64)
        self.position_of[self.followers] = np.arange(len(self.followers))
        graph = nx.Graph()
        graph.add_nodes_from(range(len(self.followers)))
        for i, f in enumerate(self.followers.tolist()):
            friends = self.position_of[market.friends(f)]
            graph.add_edges_from((i, int(j)) for j in friends[friends > i])
        self.friend_edges = np.array(list(graph.edges()), dtype=np.int64).reshape(-1, 2)
        layout = nx.spring_layout(graph, seed=int(rng.integers(2**31)), iterations=50)
        self.xy = np.array([layout[i] for i in range(len(self.followers))]).reshape(-1, 2)

    def creators_in_view(self, market: Market, creators: np.ndarray) -> tuple[np.ndarray, np.ndarray, list]:
        """Hired creators with sampled followers: (creator ids, positions, follower rows per creator).

        A creator sits at the centre of its sampled followers.
        """
        ids, xy, rows = [], [], []
        for c in np.asarray(creators, dtype=np.int64).tolist():
            audience = self.position_of[market.audience(c)]
            audience = audience[audience >= 0]
            if len(audience):
                ids.append(c)
                xy.append(self.xy[audience].mean(axis=0))
                rows.append(audience)
        return np.array(ids, dtype=np.int64), np.array(xy).reshape(-1, 2), rows


def snowball_sample(market: Market, size: int, rng: np.random.Generator, walk: int = 50) -> np.ndarray:
    """About ``size`` followers from breadth-first walks of ``walk`` followers over friend ties.

    Examples
    --------
    >>> from simulation.graph import generate_market
    >>> m = generate_market(resolve({"market.followers": 2000}), seed=1)
    >>> s = snowball_sample(m, 300, np.random.default_rng(0))
    >>> len(s), len(np.unique(s)) == len(s)
    (300, True)
    """
    n = market.n_followers
    size = min(size, n)
    taken = np.zeros(n, dtype=bool)
    chosen: list[int] = []
    while len(chosen) < size:
        start = int(rng.choice(np.flatnonzero(~taken)))
        queue, this_walk = deque([start]), 0
        taken[start] = True
        while queue and this_walk < walk and len(chosen) < size:
            f = queue.popleft()
            chosen.append(f)
            this_walk += 1
            for g in market.friends(f).tolist():
                if not taken[g]:
                    taken[g] = True
                    queue.append(g)
        for g in queue:  # seen but not taken in this walk: free for the next one
            taken[g] = False
    return np.array(sorted(chosen), dtype=np.int64)


def _market_key(seed: Any, params: dict[str, dict[str, Any]]) -> tuple:
    """What fixes a market: the seed and every parameter outside the brand and its campaign.

    Generous on purpose: a funnel rate does not change the market either, but a key
    that includes it only costs a rebuild, never a wrong market.
    """
    flat = flatten(params)
    market_side = tuple(sorted((k, repr(v)) for k, v in flat.items() if k.split(".")[0] not in ("brand", "campaign")))
    return str(seed).strip(), market_side


def arm_figures(model: InfluencerModel) -> dict[str, float]:
    """The numbers the dashboard shows for one arm so far (people and USD).

    ``mean_trust_reached`` is the mean trust of followers who saw a sponsored post in
    the creators they follow among the hired ones; the funnel counts are people per
    stage now.
    """
    row = model.summary().iloc[0]
    brand = model.brands[0]
    k = model.market.people_per_agent
    figures = {key: float(row[key]) for key in ("conversions", "spend", "roi", "unique_reach", "engagements")}
    figures["engagement_rate"] = float(row["engagement_rate"])
    edges = brand.hired_edges
    reached = brand.post_reached[model.market.follow_follower[edges]]
    figures["mean_trust_reached"] = float(model.trust[edges][reached].mean()) if reached.any() else float("nan")
    counts = np.bincount(brand.state, minlength=len(Funnel)) * k
    for stage in (Funnel.AWARE, Funnel.INTERESTED, Funnel.PURCHASED):
        figures[stage.name.lower()] = float(counts[stage])
    return figures


class ComparisonModel(mesa.Model):
    """Two campaign strategies on the same simulated market, stepped together.

    Parameters
    ----------
    seed : int or str of digits
        Seed of both arms (the dashboard's text box hands over a string).
    strategy_a, strategy_b : str
        The two strategies compared (any of :data:`simulation.params.STRATEGIES` but
        ``list``).
    scenario : mesa.experimental.scenarios.Scenario, optional
        What SolaraViz's Reset passes; kept for Mesa, unused (the seed seeds the arms).
    **controls
        Parameters as ``section__name=value``, the same for both arms; unset ones take
        :data:`DASHBOARD_DEFAULTS`, then the declared defaults.

    A value that is not allowed (a seed that is not a whole number) does not raise:
    the model keeps the message in :attr:`problem`, has no arms and does not run, so
    the page shows the message instead of failing.

    Examples
    --------
    >>> m = ComparisonModel(seed="3", market__followers=2000, market__days=5)
    >>> m.step()
    >>> list(m.arms), m.arms["A: mega"].market is m.arms["B: micro"].market
    (['A: mega', 'B: micro'], True)
    >>> ComparisonModel(seed="abc").problem
    "seed = 'abc' is not allowed: expected a non-negative integer"
    """

    def __init__(
        self,
        seed: int | str = 0,
        strategy_a: str = "mega",
        strategy_b: str = "micro",
        scenario: Any = None,
        **controls: Any,
    ):
        super().__init__(scenario=scenario)  # SolaraViz's reset hands Mesa's (empty) scenario over; it draws nothing
        # Play steps in a worker thread while the page redraws: views read under this lock
        self.lock = threading.RLock()
        self.problem: str | None = None
        self.arms: dict[str, InfluencerModel] = {}
        self.sample: NetworkSample | None = None
        self.figures: dict[str, dict[str, float]] = {}
        self.measure, self.goal = "conversions", None
        try:
            self._build(seed, strategy_a, strategy_b, controls)
        except ScenarioError as exc:
            self.problem = str(exc)
            self.arms = {}
            self.running = False
        self.datacollector = mesa.DataCollector(
            model_reporters={f"{label} {name}": _reporter(label, name) for label in self.arms for name in ARM_FIGURES}
        )
        self._record()

    def _build(self, seed, strategy_a: str, strategy_b: str, controls: dict[str, Any]) -> None:
        if seed is None:  # a random seed would make the market cache hand out one market for every None
            raise ScenarioError("seed = None is not allowed: expected a non-negative integer")
        for which, strategy in (("strategy_a", strategy_a), ("strategy_b", strategy_b)):
            if strategy not in STRATEGIES or strategy == "list":
                allowed = ", ".join(s for s in STRATEGIES if s != "list")
                raise ScenarioError(f"{which} = {strategy!r} is not allowed: expected one of {allowed}")
        chosen = {key.replace("__", "."): value for key, value in controls.items()}
        params = resolve(DASHBOARD_DEFAULTS | chosen, source="dashboard")
        self.measure, self.goal = goal_measure(params)
        key = _market_key(seed, params)
        market = None
        with _MARKETS_LOCK:
            if key in _MARKETS:
                _MARKETS.move_to_end(key)
                market, self.sample = _MARKETS[key]
        labels = (f"A: {strategy_a}", f"B: {strategy_b}")
        for label, strategy in zip(labels, (strategy_a, strategy_b)):
            arm = InfluencerModel(seed=seed, params=params, market=market, campaign__strategy=strategy)
            market = arm.market
            self.arms[label] = arm
        if self.sample is None:
            first = next(iter(self.arms.values())).seed_sequence
            # a child stream of the arms' seed reserved for the view (the model uses the first five)
            view_seed = np.random.SeedSequence(first.entropy, spawn_key=(*first.spawn_key, 100))
            self.sample = NetworkSample(market, SAMPLE_SIZE, view_seed)
            with _MARKETS_LOCK:
                _MARKETS[key] = (market, self.sample)
                while len(_MARKETS) > _MARKETS_KEPT:
                    _MARKETS.popitem(last=False)

    @property
    def market(self) -> Market | None:
        """The market both arms share (None when the controls were not accepted)."""
        return next(iter(self.arms.values())).market if self.arms else None

    @property
    def day(self) -> float:
        return next(iter(self.arms.values())).day if self.arms else 0.0

    def step(self) -> None:
        """One step of both arms."""
        if not self.arms:
            self.running = False
            return
        with self.lock:
            for arm in self.arms.values():
                arm.step()
            self._record()
            self.running = all(arm.running for arm in self.arms.values())

    def _record(self) -> None:
        self.figures = {label: arm_figures(arm) for label, arm in self.arms.items()}
        self.datacollector.collect(self)

    def ahead_line(self) -> str:
        """Who is ahead on the goal's measure, and by how much.

        Examples
        --------
        >>> m = ComparisonModel(seed=1, market__followers=2000, market__days=3)
        >>> m.ahead_line()
        'Day 0: A: mega and B: micro are level on conversions (the sales goal): 0 people each.'
        """
        if self.problem:
            return f"The controls were not accepted: {self.problem}"
        measure = self.measure
        why = f"the {self.goal} goal" if self.goal else "the default measure"
        what = measure.replace("_", " ")
        unit = {"engagements": "engagements"}.get(measure, "people")
        (a, va), (b, vb) = ((label, figures[measure]) for label, figures in self.figures.items())
        day = f"Day {self.day:g}"
        if va == vb:
            return f"{day}: {a} and {b} are level on {what} ({why}): {va:,.0f} {unit} each."
        (lead, top), (lag, low) = sorted(((a, va), (b, vb)), key=lambda t: -t[1])
        share = f", {top / low - 1:+.0%}" if low > 0 else ""
        return f"{day}: {lead} is ahead on {what} ({why}): {top:,.0f} against {low:,.0f} {unit} ({top - low:+,.0f}{share})."


def _reporter(label: str, name: str):
    def report(model: ComparisonModel) -> float:
        return model.figures[label][name]

    report.__name__ = f"{name}_of_{label[0]}"
    return report
