"""Every scenario parameter, declared once.

Each :class:`Param` carries its key, default, unit, allowed range and a one-line
meaning. Scenario files (TOML), ``--set KEY=VALUE`` overrides, the dashboard's
sliders, ``influencer-sim params`` and the parameter table in ``docs/MODEL.md``
are all derived from :data:`PARAMETERS`. Values are checked here, once, at load
time; the model trusts what it is given.
"""

from __future__ import annotations

import copy
import tomllib
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

NICHES = ("fitness", "beauty", "fashion", "food", "tech", "travel", "gaming")
TIERS = ("nano", "micro", "macro", "mega")
STRATEGIES = ("mega", "macro", "micro", "nano", "mixed", "list", "optimised", "none")
GOALS = ("awareness", "engagement", "sales")


class ScenarioError(ValueError):
    """A scenario value, key or file is not acceptable; the message says why."""


@dataclass(frozen=True)
class Param:
    """One declared parameter: ``section.name`` with its default and limits."""

    key: str
    default: Any
    unit: str
    help: str
    low: float | None = None
    high: float | None = None
    choices: tuple[str, ...] | None = None

    @property
    def kind(self) -> type:
        return type(self.default)

    def allowed(self) -> str:
        """Human-readable description of the allowed values."""
        if self.choices is not None:
            return "one of " + ", ".join(self.choices)
        if self.kind is bool:
            return "true or false"
        if self.kind is list:
            return "a list of creator ids (integers)"
        name = "an integer" if self.kind is int else "a number"
        if self.low is not None and self.high is not None:
            return f"{name} from {_fmt(self.low)} to {_fmt(self.high)}"
        if self.low is not None:
            return f"{name} >= {_fmt(self.low)}"
        return name

    def check(self, value: Any) -> Any:
        """Return ``value`` converted to this parameter's type, or raise ScenarioError."""
        value = self._convert(value)
        if self.choices is not None and value not in self.choices:
            raise ScenarioError(f"{self.key} = {value!r} is not allowed: expected {self.allowed()}")
        if self.kind in (int, float):
            if (self.low is not None and value < self.low) or (self.high is not None and value > self.high):
                raise ScenarioError(f"{self.key} = {_fmt(value)} is out of range: expected {self.allowed()}")
        return value

    def _convert(self, value: Any) -> Any:
        shown = repr(value) if len(repr(value)) <= 60 else repr(value)[:50] + "..."  # a line, not a page
        bad = ScenarioError(f"{self.key} = {shown} has the wrong type: expected {self.allowed()}")
        kind = self.kind
        if isinstance(value, str) and kind is not str:
            value = _parse_text(value, kind, bad)
        if kind is bool:
            if not isinstance(value, bool):
                raise bad
            return value
        if kind is int:
            if isinstance(value, bool):
                raise bad
            if isinstance(value, float) and value.is_integer():
                return int(value)
            if not isinstance(value, int):
                raise bad
            return value
        if kind is float:
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                raise bad
            if value != value:  # NaN
                raise bad
            try:
                return float(value)
            except OverflowError:  # an integer with hundreds of digits
                digits = len(str(abs(value))) if value.bit_length() < 14_000 else "over 4,000"
                raise ScenarioError(
                    f"{self.key} = a number of {digits} digits is out of range: expected {self.allowed()}"
                ) from None
        if kind is list:
            if not isinstance(value, list) or not all(isinstance(v, int) and not isinstance(v, bool) for v in value):
                raise bad
            return list(value)
        if not isinstance(value, str):
            raise bad
        return value


def _fmt(x: float) -> str:
    return f"{x:,.0f}" if float(x).is_integer() and abs(x) >= 1000 else f"{x:g}"


def _parse_text(text: str, kind: type, bad: ScenarioError) -> Any:
    """Parse a command-line string the way TOML would read it."""
    text = text.strip()
    if kind is bool:
        if text.lower() in ("true", "yes", "1", "on"):
            return True
        if text.lower() in ("false", "no", "0", "off"):
            return False
        raise bad
    if kind is list:
        try:
            return tomllib.loads(f"v = {text}")["v"]
        except (ValueError, RecursionError):  # not TOML, an integer of thousands of digits, or nested thousands deep
            raise bad from None
    try:
        number = float(text.replace("_", ""))
    except ValueError:
        raise bad from None
    if kind is int:
        if not number.is_integer():
            raise bad
        return int(number)
    return number


def _p(key, default, unit, help, low=None, high=None, choices=None) -> Param:
    return Param(key, default, unit, help, low, high, choices)


#: The declaration. Order is the order of ``influencer-sim params`` and the docs.
PARAMETERS: tuple[Param, ...] = (
    # --- market ---------------------------------------------------------
    _p("market.population", 20_000_000, "people", "people in the simulated market", 1, 1e10),
    _p("market.followers", 100_000, "agents", "follower agents standing for the population", 2, 5e7),
    _p("market.days", 30, "days", "length of a run", 1, 3650),
    _p("market.dt", 1.0, "days", "length of one model step (shorter for the Bass check)", 0.001, 1),
    _p(
        "market.repurchase_days",
        30.0,
        "days",
        "a follower who bought one brand's product is out of the market for rival products "
        "of the same niche (substitutes) for this long",
        0,
        3650,
    ),
    # --- followers ------------------------------------------------------
    _p(
        "followers.interest_concentration",
        0.3,
        "",
        "Dirichlet concentration of interests over niches (small = focused)",
        0.01,
        1000,
    ),
    _p("followers.skepticism_mean", 0.4, "0-1", "mean ad skepticism", 0, 1),
    _p("followers.skepticism_sd", 0.15, "0-1", "spread of ad skepticism", 0, 1),
    _p(
        "followers.price_sensitivity_mean",
        1.0,
        "",
        "mean price sensitivity (1 = purchase chance falls e-fold at the reference price)",
        0,
        20,
    ),
    _p("followers.price_sensitivity_sd", 0.3, "", "spread of price sensitivity", 0, 10),
    _p(
        "followers.attention",
        8.0,
        "creators",
        "creators a follower can keep up with before seeing less of each (median)",
        0.1,
        1000,
    ),
    _p("followers.attention_sd", 0.5, "log", "log-normal spread of attention", 0, 3),
    _p("followers.community_size", 30, "agents", "mean size of a tight-knit friend community", 2, 10_000),
    _p("followers.friends_within", 4.0, "friends", "friend ties each follower forms inside its community", 0, 100),
    _p("followers.friends_across", 1.0, "friends", "friend ties each follower forms outside its community", 0, 100),
    _p(
        "followers.friend_homophily",
        0.8,
        "0-1",
        "chance a tie outside the community stays within the same favourite niche",
        0,
        1,
    ),
    # --- creators -------------------------------------------------------
    _p("creators.count", 5_000, "creators", "creators in the market (of all tiers)", 1, 1_000_000),
    _p("creators.share_nano", 0.815, "0-1", "share of creators that are nano (HypeAuditor 2026)", 0, 1),
    _p("creators.share_micro", 0.144, "0-1", "share of creators that are micro (HypeAuditor 2026)", 0, 1),
    _p("creators.share_macro", 0.040, "0-1", "share of creators that are macro (remainder of HypeAuditor 2026)", 0, 1),
    _p("creators.share_mega", 0.001, "0-1", "share of creators that are mega (HypeAuditor 2026)", 0, 1),
    _p("creators.min_per_niche", 1, "creators", "at least this many creators of every tier in every niche", 0, 1000),
    _p("creators.nano_min", 1_000, "people", "smallest follower count of a nano creator", 1, 1e9),
    _p("creators.micro_min", 10_000, "people", "nano/micro boundary (the article uses 5,000)", 1, 1e9),
    _p("creators.macro_min", 100_000, "people", "micro/macro boundary", 1, 1e9),
    _p("creators.mega_min", 1_000_000, "people", "macro/mega boundary", 1, 1e10),
    _p("creators.mega_max", 20_000_000, "people", "largest follower count of a mega creator", 1, 1e10),
    _p("creators.size_alpha", 1.0, "", "Pareto exponent of follower counts within a tier", 0.05, 5),
    _p(
        "creators.homophily",
        0.8,
        "0-1",
        "weight of interest in the creator's niche when followers choose whom to follow",
        0,
        1,
    ),
    _p("creators.relatability_ref", 0.6, "0-1", "relatability of a creator with 10,000 followers", 0, 1),
    _p("creators.relatability_exponent", 0.05, "", "relatability falls as followers^-exponent", 0, 1),
    _p("creators.authenticity_ref", 0.7, "0-1", "authenticity of a creator with 10,000 followers", 0, 1),
    _p("creators.authenticity_exponent", 0.03, "", "authenticity falls as followers^-exponent", 0, 1),
    _p(
        "creators.responsiveness_ref", 0.5, "0-1", "share of comments answered by a creator with 10,000 followers", 0, 1
    ),
    _p("creators.responsiveness_exponent", 0.2, "", "responsiveness falls as followers^-exponent", 0, 2),
    _p("creators.trait_sd", 0.15, "log", "log-normal spread of relatability, authenticity and responsiveness", 0, 2),
    _p("creators.reach_ref", 0.3, "0-1", "share of a 10,000-follower creator's audience that sees a post", 0, 1),
    _p("creators.reach_exponent", 0.05, "", "organic reach falls as followers^-exponent", 0, 1),
    _p("creators.fake_share_ref", 0.08, "0-1", "share of fake or inactive followers at 10,000 followers", 0, 0.95),
    _p("creators.fake_share_per_decade", 0.05, "0-1", "extra fake share per tenfold more followers", 0, 0.5),
    _p("creators.ad_load", 0.15, "0-1", "share of a creator's own posts sponsored by other brands (median)", 0, 1),
    _p("creators.ad_load_sd", 0.3, "log", "log-normal spread of ad load across creators", 0, 2),
    _p(
        "creators.status_full",
        10_000_000,
        "people",
        "follower count at which a creator's status (celebrity appeal) reaches 1; it is 0 at creators.nano_min",
        1,
        1e10,
    ),
    _p("creators.posts_per_day", 1.0, "posts/day", "organic posting rate", 0, 24),
    _p(
        "creators.fee_per_follower",
        0.01,
        "USD",
        "fee per follower for a sponsored post at 10,000 followers (Hootsuite: USD 100 per 10k)",
        0,
        100,
    ),
    _p(
        "creators.fee_exponent",
        1.0,
        "",
        "fee grows as followers^exponent (Hootsuite's rule: 1; rate-card mid-points fit 0.8-1.2)",
        0.8,
        1.2,
    ),
    _p("creators.fee_sd", 0.3, "log", "log-normal spread of fees around the rate card", 0, 2),
    # --- engagement -----------------------------------------------------
    _p(
        "engagement.rate",
        0.2,
        "0-1",
        "chance a follower who sees a post engages, at full trust, relatability and interest",
        0,
        1,
    ),
    _p(
        "engagement.sponsored_discount",
        0.5,
        "0-1",
        "engagement lost on sponsored posts by a wholly inauthentic creator",
        0,
        1,
    ),
    _p(
        "engagement.tie_scale",
        200_000,
        "people",
        "follower count at which a weaker relationship halves sponsored engagement (at tie_weakening 1; Wies et al. 2023)",
        1,
        1e10,
    ),
    _p(
        "engagement.tie_weakening",
        1.8,
        "",
        "how steeply sponsored engagement falls with audience size past tie_scale (> 0.8: an inverted U)",
        0,
        5,
    ),
    _p(
        "engagement.customization_effect",
        0.5,
        "0-1",
        "share of the tie weakening that full content customization removes",
        0,
        1,
    ),
    _p(
        "engagement.familiarity_effect",
        0.5,
        "0-1",
        "share of the tie weakening that a wholly unfamiliar brand removes",
        0,
        1,
    ),
    # --- funnel ---------------------------------------------------------
    _p("funnel.click_rate", 0.2, "0-1", "chance a sponsored view makes a follower click, at full persuasion", 0, 1),
    _p(
        "funnel.purchase_rate",
        0.2,
        "0-1",
        "chance a click becomes a purchase at once, at full persuasion and a free product",
        0,
        1,
    ),
    _p("funnel.consider_rate", 0.05, "1/day", "daily chance an interested follower buys later", 0, 1),
    _p("funnel.interest_decay", 0.1, "1/day", "daily chance an interested follower loses interest", 0, 1),
    _p(
        "funnel.wearout",
        3.0,
        "views",
        "exposures over which repeated sponsored views lose effect (e-fold; huge = no wear-out)",
        0.1,
        1e12,
    ),
    _p("funnel.social_proof", 2.0, "", "purchase chance multiplies by 1 + this x share of friends who bought", 0, 100),
    _p(
        "funnel.price_ref",
        50.0,
        "USD",
        "price at which a sensitivity-1 follower's purchase chance falls e-fold",
        0.01,
        1e6,
    ),
    _p("funnel.off_niche_fit", 0.3, "0-1", "fit of a product outside a creator's niche, relative to one inside", 0, 1),
    # --- word of mouth --------------------------------------------------
    _p(
        "word_of_mouth.network",
        "friends",
        "",
        "who hears a recommendation: friends on the graph, or anyone (mean field)",
        choices=("friends", "mean_field"),
    ),
    _p("word_of_mouth.tell_probability", 0.05, "0-1", "chance a buyer tells a given friend, per day of telling", 0, 1),
    _p(
        "word_of_mouth.mean_field_contacts",
        5.0,
        "people/day",
        "people a buyer talks to per day under the mean-field network",
        0,
        1e6,
    ),
    _p(
        "word_of_mouth.active_days",
        3.0,
        "days",
        "days a buyer keeps recommending (one step = independent cascade)",
        0.001,
        3650,
    ),
    _p("word_of_mouth.conversion", 0.3, "0-1", "chance a told friend buys at once, at full persuasion", 0, 1),
    _p(
        "word_of_mouth.persuasion",
        True,
        "",
        "scale a tell's conversion by the listener's interest fit, price and warnings heard (false: constant)",
        None,
        None,
    ),
    _p(
        "word_of_mouth.engaged_tell_probability",
        0.01,
        "0-1",
        "chance a follower who engaged with a sponsored post mentions it to a given friend",
        0,
        1,
    ),
    _p(
        "word_of_mouth.negative_tell_probability",
        0.1,
        "0-1",
        "chance a disappointed buyer warns a given friend, per day of telling",
        0,
        1,
    ),
    _p("word_of_mouth.negative_effect", 0.5, "0-1", "share of purchase chance lost by a warned follower", 0, 1),
    # --- trust ----------------------------------------------------------
    _p("trust.dynamics", True, "", "let trust move with content (false: trust stays at its initial value)", None, None),
    _p("trust.initial_sd", 0.1, "0-1", "spread of initial trust around sqrt(authenticity x relatability)", 0, 1),
    _p("trust.organic_gain", 0.01, "0-1", "trust gained per organic post seen, x authenticity x (1 - trust)", 0, 1),
    _p(
        "trust.ad_erosion",
        0.03,
        "0-1",
        "trust lost per sponsored post seen, x (1 - authenticity) x trust (x2 off-niche)",
        0,
        1,
    ),
    _p(
        "trust.disappointment_loss",
        0.3,
        "0-1",
        "share of trust lost in the recommending creator when a product disappoints",
        0,
        1,
    ),
    # --- brand and campaign --------------------------------------------
    _p("brand.niche", "beauty", "", "the product's niche", choices=NICHES),
    _p("brand.price", 40.0, "USD", "product price", 0.01, 1e7),
    _p("brand.margin", 0.5, "0-1", "share of the price that is profit", 0, 1),
    _p("brand.quality", 0.85, "0-1", "chance a buyer is satisfied", 0, 1),
    _p("brand.budget", 100_000.0, "USD", "campaign budget (fees)", 0, 1e10),
    _p(
        "brand.goal",
        "sales",
        "",
        "what the campaign is for: the verdict ranks strategies on this goal's measures",
        choices=GOALS,
    ),
    _p(
        "brand.luxury",
        0.0,
        "0-1",
        "product type: 0 an everyday staple, 1 a luxury or aspirational good (status sells it)",
        0,
        1,
    ),
    _p(
        "brand.category_interest",
        1.0,
        "0-1",
        "customers' interest in the product category (scales every follower's interest fit)",
        0.01,
        1,
    ),
    _p(
        "brand.familiarity",
        0.5,
        "0-1",
        "how familiar followers already are with the brand (0 a new brand, 1 a household name)",
        0,
        1,
    ),
    _p(
        "campaign.strategy",
        "mega",
        "",
        "how creators are chosen (none = no campaign: organic baseline)",
        choices=STRATEGIES,
    ),
    _p("campaign.creators", [], "ids", "creator ids for strategy = list", None, None),
    _p(
        "campaign.schedule",
        "partnership",
        "",
        "one post per creator, or a long-term partnership",
        choices=("one_off", "partnership"),
    ),
    _p("campaign.start_day", 1.0, "days", "day the first sponsored posts go up", 0, 3650),
    _p("campaign.post_interval", 7.0, "days", "days between posts of a partnership", 0.001, 3650),
    _p("campaign.partnership_discount", 0.2, "0-1", "fee discount per post in a long-term partnership", 0, 1),
    _p(
        "campaign.customization",
        0.5,
        "0-1",
        "how far creators adapt the sponsored content to their own style and audience",
        0,
        1,
    ),
    _p(
        "campaign.max_creators",
        0,
        "creators",
        "most creators hired (0 = one for mega, as many as the budget allows otherwise)",
        0,
        1_000_000,
    ),
    _p(
        "campaign.fill_budget",
        True,
        "",
        "spend the whole budget: buy more posts from the hired creators (up to max_posts_per_week), "
        "then hire the next-best of the tier (false: the schedule's posts only)",
        None,
        None,
    ),
    _p(
        "campaign.max_posts_per_week",
        3,
        "posts/week",
        "most sponsored posts one creator makes for the brand a week when filling the budget",
        0,
        21,
    ),
    _p("campaign.mix_mega", 0.25, "0-1", "budget share for mega creators in a mixed campaign", 0, 1),
    _p("campaign.mix_macro", 0.25, "0-1", "budget share for macro creators in a mixed campaign", 0, 1),
    _p("campaign.mix_micro", 0.25, "0-1", "budget share for micro creators in a mixed campaign", 0, 1),
    _p("campaign.mix_nano", 0.25, "0-1", "budget share for nano creators in a mixed campaign", 0, 1),
)

BY_KEY: dict[str, Param] = {p.key: p for p in PARAMETERS}
SECTIONS: tuple[str, ...] = tuple(dict.fromkeys(p.key.split(".")[0] for p in PARAMETERS))


def defaults() -> dict[str, dict[str, Any]]:
    """All defaults as a nested ``{section: {name: value}}`` dict."""
    out: dict[str, dict[str, Any]] = {s: {} for s in SECTIONS}
    for p in PARAMETERS:
        section, name = p.key.split(".")
        out[section][name] = copy.copy(p.default)
    return out


def flatten(nested: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    """``{"a": {"b": 1}}`` -> ``{"a.b": 1}``."""
    flat: dict[str, Any] = {}
    for key, value in nested.items():
        path = f"{prefix}{key}"
        if isinstance(value, dict):
            flat.update(flatten(value, path + "."))
        else:
            flat[path] = value
    return flat


def nest(flat: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """``{"a.b": 1}`` -> ``{"a": {"b": 1}}``."""
    out: dict[str, dict[str, Any]] = {}
    for key, value in flat.items():
        section, name = key.split(".", 1)
        out.setdefault(section, {})[name] = value
    return out


def resolve(overrides: dict[str, Any] | None = None, *, source: str = "parameters") -> dict[str, dict[str, Any]]:
    """Defaults updated by ``overrides`` (nested or dotted keys), every value checked.

    Raises
    ------
    ScenarioError
        Naming the first unknown key or bad value, and what is allowed.

    Examples
    --------
    >>> resolve({"brand": {"budget": 5000}})["brand"]["budget"]
    5000.0
    >>> resolve({"brand.niche": "food"})["brand"]["niche"]
    'food'
    """
    flat = flatten(defaults())
    for key, value in flatten(overrides or {}).items():
        if key not in BY_KEY:
            raise ScenarioError(f"{source}: unknown parameter {key!r}{_suggest(key)}")
        flat[key] = BY_KEY[key].check(value)
    _check_consistency(flat)
    return nest(flat)


def _suggest(key: str) -> str:
    import difflib

    close = difflib.get_close_matches(key, list(BY_KEY), n=1)
    if close:
        return f" (did you mean {close[0]!r}? `influencer-sim params` lists them all)"
    return " (`influencer-sim params` lists them all)"


def _check_consistency(flat: dict[str, Any]) -> None:
    bounds = [flat[f"creators.{t}_min"] for t in TIERS] + [flat["creators.mega_max"]]
    if any(b >= c for b, c in zip(bounds, bounds[1:])):
        raise ScenarioError(
            "creators.nano_min < micro_min < macro_min < mega_min < mega_max must hold, got "
            + " < ".join(_fmt(b) for b in bounds)
        )
    if sum(flat[f"creators.share_{t}"] for t in TIERS) <= 0:
        raise ScenarioError("creators.share_*: at least one tier share must be positive")
    if flat["market.followers"] > flat["market.population"]:
        raise ScenarioError(
            f"market.followers = {_fmt(flat['market.followers'])} exceeds market.population = "
            f"{_fmt(flat['market.population'])}: an agent stands for at least one person"
        )
    if flat["campaign.strategy"] == "list" and not flat["campaign.creators"]:
        raise ScenarioError("campaign.creators must name creator ids when campaign.strategy = list")
    if flat["campaign.strategy"] == "mixed" and sum(flat[f"campaign.mix_{t}"] for t in TIERS) <= 0:
        raise ScenarioError("campaign.mix_*: a mixed campaign needs at least one positive share")
    from .boundary import check_scenario  # boundary imports this module

    check_scenario(flat)


def parse_assignment(text: str) -> tuple[str, str]:
    """Split ``section.key=value`` from the command line."""
    if "=" not in text:
        raise ScenarioError(f"--set {text!r}: expected KEY=VALUE, for example brand.budget=50000")
    key, value = text.split("=", 1)
    return key.strip(), value.strip()


DEFAULT_SCENARIO = "mega_vs_micro"


def shipped_scenarios() -> Path:
    """The folder of the scenarios that come with the package.

    Installed from a wheel, they are package data (``simulation/scenarios``, built from
    the checkout's top-level ``scenarios/``, the one copy); from a source checkout or an
    editable install they are that top-level ``scenarios/`` folder itself.
    """
    installed = resources.files("simulation") / "scenarios"
    if installed.is_dir():
        return Path(str(installed))
    return Path(__file__).resolve().parent.parent / "scenarios"


def find_scenario(name: str | Path | None = None) -> Path:
    """A scenario file from a path, or a name in ``./scenarios/`` or among the shipped scenarios.

    ``None`` gives the default scenario (``mega_vs_micro``). A bare name (``"startup"``
    or ``"startup.toml"``) is looked up in the current folder's ``scenarios/`` first,
    then in :func:`shipped_scenarios`.

    Examples
    --------
    >>> find_scenario("startup").name
    'startup.toml'
    """
    name = name or DEFAULT_SCENARIO
    path = Path(name)
    if path.is_file():
        return path
    if len(path.parts) == 1 and path.suffix in ("", ".toml"):
        for folder in (Path("scenarios"), shipped_scenarios()):
            candidate = folder / f"{path.stem}.toml"
            if candidate.is_file():
                return candidate
    known = sorted(p.stem for p in shipped_scenarios().glob("*.toml"))
    raise ScenarioError(f"{name}: scenario file not found (give a .toml path or one of: {', '.join(known)})")


def load_scenario(
    path: str | Path | None = None, sets: list[str] | tuple[str, ...] = (), *, graph=None
) -> dict[str, dict[str, Any]]:
    """Read a TOML scenario file (only what differs from the defaults), apply ``--set`` overrides.

    ``path`` is a file or the name of a shipped scenario (``load_scenario("startup")``;
    see :func:`find_scenario`); ``None`` gives the defaults alone. A scenario file may
    carry a ``[scenario]`` table with ``name``, ``description`` and ``compare``, and a
    ``[sweep]`` table of parameter values to sweep (``"brand.budget" = [5e4, 1e5]``);
    both are kept under ``"scenario"`` in the result and are not model parameters.
    With a ``graph`` (a user's NetworkX graph), the graph fixes ``market.followers`` and
    the population (:func:`simulation.graph_io.graph_population`), so the checks use the
    graph's numbers. The file is data: it is parsed (:mod:`simulation.boundary`), never
    executed.

    Examples
    --------
    >>> load_scenario("startup")["scenario"]["name"]
    'startup'
    """
    from . import boundary  # boundary imports this module

    raw: dict[str, Any] = {}
    brand_tables = None  # a [[brands]] array: several brands in one market
    meta = {"name": "defaults", "description": ""}
    source = "parameters"
    if path is not None:
        path = find_scenario(path)
        source = str(path)
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            raise ScenarioError(f"{path}: scenario file not found") from None
        except (OSError, UnicodeDecodeError) as exc:
            raise ScenarioError(f"{path}: cannot read scenario file ({exc.__class__.__name__})") from None
        document = boundary.parse_toml(text, source)
        brand_tables = document.pop("brands", None)  # [[brands]]: several brands in one market
        meta, raw = boundary.split_scenario(document, source, path.stem)
    flat = flatten(raw)
    for text in sets:
        key, value = parse_assignment(text)
        if key not in BY_KEY:
            raise ScenarioError(f"--set: unknown parameter {key!r}{_suggest(key)}")
        flat[key] = value
    if graph is not None:
        from .graph_io import graph_population  # graph_io imports this module

        boundary.check_graph(graph)
        population = BY_KEY["market.population"].check(
            flat.get("market.population", BY_KEY["market.population"].default)
        )
        flat["market.followers"], flat["market.population"] = graph_population(graph, population)
    resolved = resolve(nest(flat) if flat else {}, source=source)
    if path is not None and brand_tables is not None:
        meta["brands"] = read_brands(brand_tables, resolved, source)
    resolved["scenario"] = meta
    return resolved


#: what may differ between the brands of one market: the product and its campaign
BRAND_SECTIONS = ("brand", "campaign")
#: labels of a ``[[brands]]`` table that are not parameters
BRAND_LABELS = ("name", "product")


def brand_key(key: str) -> str | None:
    """The parameter a ``[[brands]]`` key names: a dotted ``brand.*``/``campaign.*`` key, a
    ``brand.*`` or ``campaign.*`` name (``budget``, ``max_creators``), or ``strategy``.

    Examples
    --------
    >>> brand_key("budget"), brand_key("strategy"), brand_key("campaign.schedule"), brand_key("market.days")
    ('brand.budget', 'campaign.strategy', 'campaign.schedule', None)
    """
    if "." in key:
        return key if key.split(".")[0] in BRAND_SECTIONS and key in BY_KEY else None
    return next((f"{s}.{key}" for s in BRAND_SECTIONS if f"{s}.{key}" in BY_KEY), None)


def read_brands(tables: Any, base: dict[str, dict[str, Any]], source: str = "parameters") -> list[dict[str, Any]]:
    """The brands of a ``[[brands]]`` array: each one's ``name``, ``product`` and its overrides of the
    scenario's ``brand.*`` and ``campaign.*`` values (dotted keys), every value checked.

    A brand's name defaults to its niche (then ``niche-2``, ``niche-3`` for a repeated one).

    Raises
    ------
    ScenarioError
        Naming the brand and the key that is not allowed, or the value out of range.

    Examples
    --------
    >>> brands = read_brands([{"name": "glow", "strategy": "mega"}, {"budget": 5e4}], resolve())
    >>> [(b["name"], b["overrides"]) for b in brands]
    [('glow', {'campaign.strategy': 'mega'}), ('beauty', {'brand.budget': 50000.0})]
    """
    if not isinstance(tables, list) or not tables or not all(isinstance(t, dict) for t in tables):
        raise ScenarioError(f"{source}: brands must be an array of [[brands]] tables, one per brand")
    base_flat = flatten({k: v for k, v in base.items() if k != "scenario"})
    brands: list[dict[str, Any]] = []
    for k, table in enumerate(tables, start=1):
        where = f"{source}: [[brands]] #{k}"
        labels = {key: table[key] for key in BRAND_LABELS if key in table}
        if not all(isinstance(v, str) and v.strip() for v in labels.values()):
            raise ScenarioError(f"{where}: name and product must be non-empty text")
        overrides = {}
        for key, value in flatten({key: v for key, v in table.items() if key not in BRAND_LABELS}).items():
            full = brand_key(key)
            if full is None:
                raise ScenarioError(
                    f"{where}: {key!r} cannot differ between brands: a brand sets name, product, "
                    "and brand.* or campaign.* keys (strategy, budget, niche, price, goal, ...)"
                )
            overrides[full] = value
        try:
            checked = resolve(nest({**base_flat, **overrides}), source=where)
        except ScenarioError as exc:
            message = str(exc)
            raise ScenarioError(message if message.startswith(where) else f"{where}: {message}") from None
        overrides = {key: checked[key.split(".")[0]][key.split(".")[1]] for key in overrides}
        niche = checked["brand"]["niche"]
        name = labels.get("name") or niche
        taken = {b["name"] for b in brands}
        if "name" in labels and name in taken:
            raise ScenarioError(f"{where}: name {name!r} is used by another brand: give each brand its own name")
        n = 2
        while name in taken:
            name, n = f"{niche}-{n}", n + 1
        brands.append({"name": name, "product": labels.get("product", name), "overrides": overrides})
    return brands


def brand_scenario(params: dict[str, dict[str, Any]], overrides: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The scenario one brand of a market runs under: ``params`` with its ``brand.*`` and
    ``campaign.*`` overrides (``params`` itself when there are none)."""
    if not overrides:
        return params
    flat = flatten({k: v for k, v in params.items() if k != "scenario"})
    return resolve(nest({**flat, **overrides}))


def model_kwargs(scenario: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """Flat ``section__name`` keyword arguments for :class:`simulation.model.InfluencerModel`."""
    return {
        key.replace(".", "__"): value
        for key, value in flatten({k: v for k, v in scenario.items() if k != "scenario"}).items()
    }
