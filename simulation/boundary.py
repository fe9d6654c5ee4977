"""The boundary: everything that comes from outside is checked here, once.

Scenario files, ``--set`` values, graph files and command-line options all pass
through these functions before anything is built, so a bad input ends with one
:class:`~simulation.params.ScenarioError` naming the file or key and what is
allowed, on the command line and in the Python API alike. Inside, the model trusts
its arrays. What is checked:

- **documents**: a scenario is TOML (data, never executed), its top level is tables,
  ``[scenario]`` holds only :data:`SCENARIO_KEYS`, nesting is at most
  :data:`MAX_NESTING` deep (in a file or in ``--set``);
- **values**: numbers are finite and in their declared range, counts are integers
  that fit, creator ids fit in int64, a campaign starts before the run ends;
- **graphs**: the ``population`` and every numeric node or edge attribute is a
  finite number in its range (:data:`GRAPH_RANGES`);
- **resources**: a scenario whose estimated memory exceeds what the machine has is
  refused before the market is built (:func:`estimate_memory`); workers are capped at
  the replications, the cores and the memory (:func:`worker_count`);
- **outputs**: ``--out`` is a folder (created if missing), an output name cannot leave
  it (:func:`safe_name`), and Ctrl-C while results are written is deferred until they
  are on disk (:func:`deferred_interrupt`).
"""

from __future__ import annotations

import math
import os
import re
import signal
import threading
import tomllib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from .params import BY_KEY, NICHES, STRATEGIES, TIERS, ScenarioError

#: keys a ``[scenario]`` table may hold (metadata, not model parameters)
SCENARIO_KEYS = ("name", "description", "compare")
#: top-level tables that are not parameter sections but are read by other layers
OTHER_TABLES = ("scenario", "sweep")
#: deepest nesting of tables and lists a scenario may use (parameters need 2)
MAX_NESTING = 8
#: largest id a creator list may name (ids are int64 inside the model)
MAX_ID = np.iinfo(np.int64).max

#: creator and follower traits a graph file may carry (docs/GRAPH_FORMAT.md); the
#: creators' are shares from 0 to 1 except the fee
CREATOR_ATTRIBUTES = ("relatability", "authenticity", "responsiveness", "reach", "fake_share", "ad_load", "fee")
FOLLOWER_ATTRIBUTES = ("skepticism", "price_sensitivity", "attention")

#: allowed range of numeric graph attributes: (low, high, what to say)
GRAPH_RANGES: dict[str, tuple[float, float, str]] = {
    "population": (1.0, math.inf, "a number of people >= 1"),
    "followers": (1.0, math.inf, "a number of people >= 1"),
    "fee": (0.0, math.inf, "a fee in USD >= 0"),
    "price_sensitivity": (0.0, math.inf, "a number >= 0"),
    "attention": (1e-9, math.inf, "a number > 0"),
    "trust": (-math.inf, math.inf, "a finite number (clipped to 0-1)"),
    **{name: (0.0, math.inf, "a number >= 0") for name in (f"interest_{n}" for n in NICHES)},
    **{
        name: (0.0, 1.0, "a number from 0 to 1")
        for name in (*(a for a in CREATOR_ATTRIBUTES if a != "fee"), "skepticism")
    },
}

# Peak resident memory (ru_maxrss) of building and running a market, fitted to seven
# 3-day runs at 50,000-1,000,000 followers with follow and friend edges varied apart
# (least squares: -20 B per follower, 99 B per follow edge, 50 B per friend entry), then
# rounded up so the estimate is an upper bound: at 1M followers (4.9M follow edges, 8.8M
# friend entries) the run peaked at 952 MB and the estimate says 1,250 MB; at 200,000
# followers with 3.6M follow edges, 538 MB against 585 MB.
BYTES_PER_FOLLOWER = 250
BYTES_PER_FOLLOW_EDGE = 100
BYTES_PER_FRIEND_ENTRY = 50
BYTES_INTERPRETER = 120 * 2**20


# ----------------------------------------------------------------------------
# scenario documents
# ----------------------------------------------------------------------------


def parse_toml(text: str, source: str) -> dict[str, Any]:
    """TOML text as a dict, with nesting bounded; ScenarioError naming ``source`` otherwise.

    Examples
    --------
    >>> parse_toml("[brand]\\nbudget = 5", "x.toml")
    {'brand': {'budget': 5}}
    >>> parse_toml("v = " + "[" * 2000 + "]" * 2000, "x.toml")
    Traceback (most recent call last):
    ...
    simulation.params.ScenarioError: x.toml: lists or tables nested too deep (at most 8 levels)
    """
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ScenarioError(f"{source}: not valid TOML ({exc})") from None
    except ValueError:  # Python refuses to read integers of more than 4,300 digits
        raise ScenarioError(f"{source}: a number has thousands of digits; numbers must fit their ranges") from None
    except RecursionError:
        raise ScenarioError(f"{source}: lists or tables nested too deep (at most {MAX_NESTING} levels)") from None
    if _depth(document) > MAX_NESTING:
        raise ScenarioError(f"{source}: lists or tables nested too deep (at most {MAX_NESTING} levels)")
    return document


def _depth(value: Any) -> int:
    """Nesting depth of dicts and lists, without recursion."""
    deepest, stack = 0, [(value, 0)]
    while stack:
        item, level = stack.pop()
        if isinstance(item, dict):
            item = list(item.values())
        if isinstance(item, list):
            deepest = max(deepest, level + 1)
            if level < MAX_NESTING + 1:
                stack.extend((v, level + 1) for v in item)
    return deepest


def split_scenario(document: dict[str, Any], source: str, name: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """Split a parsed scenario file into (metadata, parameter tables), checking its shape.

    Every top-level entry must be a table; ``[scenario]`` may hold only
    :data:`SCENARIO_KEYS` (a model parameter put there is named with its own table);
    a ``[sweep]`` table goes into the metadata as ``"sweep"`` for the sweep command.
    Unknown parameter tables are left to :func:`simulation.params.resolve`, which
    suggests the nearest key.

    Examples
    --------
    >>> split_scenario({"scenario": {"name": "x"}, "brand": {"budget": 5}}, "s.toml", "s")
    ({'name': 'x', 'description': ''}, {'brand': {'budget': 5}})
    >>> split_scenario({"scenario": {"budget": 5}}, "s.toml", "s")
    Traceback (most recent call last):
    ...
    simulation.params.ScenarioError: s.toml: [scenario] budget is not allowed: [scenario] holds only name, description, compare (did you mean [brand] budget?)
    """
    for key, value in document.items():
        if not isinstance(value, dict):
            kind = "an array of tables" if isinstance(value, list) else f"the value {value!r}"
            if key == "scenario":
                raise ScenarioError(
                    f"{source}: 'scenario' must be a [scenario] table of {', '.join(SCENARIO_KEYS)}, not {kind}"
                )
            raise ScenarioError(f"{source}: {key!r} must be a [section] table of parameters, not {kind}")
    tables = dict(document)
    meta = {"name": name, "description": ""} | tables.pop("scenario", {})
    for key in meta:
        if key not in SCENARIO_KEYS:
            homes = [p.key for p in BY_KEY.values() if p.key.split(".", 1)[1] == key]
            hint = f" (did you mean [{homes[0].split('.')[0]}] {key}?)" if homes else ""
            raise ScenarioError(
                f"{source}: [scenario] {key} is not allowed: [scenario] holds only {', '.join(SCENARIO_KEYS)}{hint}"
            )
    for key in ("name", "description"):
        if not isinstance(meta[key], str):
            raise ScenarioError(f"{source}: [scenario] {key} = {meta[key]!r}: expected a string")
    if "compare" in meta:
        check_compare(meta["compare"], source)
    if "sweep" in tables:  # a sweep's grid (``influencer-sim sweep``), not a model parameter
        meta["sweep"] = tables.pop("sweep")
    return meta, tables


def check_compare(pair: Any, source: str) -> list[str]:
    """A ``[scenario] compare`` pair: two different strategies."""
    if not (isinstance(pair, list) and len(pair) == 2 and all(s in STRATEGIES for s in pair) and pair[0] != pair[1]):
        raise ScenarioError(
            f"{source}: [scenario] compare = {pair!r}: expected two different strategies, e.g. "
            f'["mega", "micro"] (from {", ".join(STRATEGIES)})'
        )
    return pair


def check_scenario(flat: dict[str, Any]) -> None:
    """Cross-parameter checks on a flat, type-checked scenario (called by ``resolve``).

    Examples
    --------
    >>> from simulation.params import resolve
    >>> resolve({"market.days": 5, "campaign.start_day": 5})
    Traceback (most recent call last):
    ...
    simulation.params.ScenarioError: campaign.start_day = 5 is at or after the end of the run (market.days = 5): the campaign could never post; expected a day from 0 to below 5
    """
    ids = flat["campaign.creators"]
    bad = [i for i in ids if not -MAX_ID <= i <= MAX_ID]  # ids outside the market are named by plan_campaign
    if bad:
        raise ScenarioError(
            f"campaign.creators: {bad[0]} is not a creator id: expected integers from 0 to the number of creators - 1"
        )
    start, days = flat["campaign.start_day"], flat["market.days"]
    if flat["campaign.strategy"] != "none" and start >= days:
        raise ScenarioError(
            f"campaign.start_day = {start:g} is at or after the end of the run (market.days = {days:g}): "
            f"the campaign could never post; expected a day from 0 to below {days:g}"
        )


def parse_strategies(text: str) -> list[str]:
    """``--strategy`` text: comma-separated, known, each once.

    Examples
    --------
    >>> parse_strategies("mega, micro")
    ['mega', 'micro']
    >>> parse_strategies("")
    Traceback (most recent call last):
    ...
    simulation.params.ScenarioError: --strategy '': expected comma-separated strategies from mega, macro, micro, nano, mixed, list, optimised, none
    """
    names = [s.strip() for s in text.split(",")]
    allowed = ", ".join(STRATEGIES)
    for name in names:
        if name not in STRATEGIES:
            what = f"--strategy {text!r}" if not name else f"--strategy {name!r} is not allowed"
            raise ScenarioError(f"{what}: expected comma-separated strategies from {allowed}")
    if len(set(names)) < len(names):
        raise ScenarioError(f"--strategy {text!r} names a strategy twice: expected each at most once")
    return names


def parse_counts(text: str, option: str, low: int, high: int) -> tuple[int, ...]:
    """Comma-separated whole numbers from ``low`` to ``high`` (``1e5`` and ``100_000`` allowed).

    Examples
    --------
    >>> parse_counts("1e4,100_000", "--sizes", 100, 10**8)
    (10000, 100000)
    >>> parse_counts("inf", "--sizes", 100, 10**8)
    Traceback (most recent call last):
    ...
    simulation.params.ScenarioError: --sizes 'inf': expected comma-separated whole numbers from 100 to 100,000,000
    """
    bad = ScenarioError(f"{option} {text!r}: expected comma-separated whole numbers from {low:,} to {high:,}")
    values = []
    for part in text.split(","):
        try:
            number = float(part.strip().replace("_", ""))
        except ValueError:
            raise bad from None
        if not (math.isfinite(number) and number.is_integer() and low <= number <= high):
            raise bad
        values.append(int(number))
    return tuple(values)


# ----------------------------------------------------------------------------
# graphs
# ----------------------------------------------------------------------------


def graph_number(value: Any, name: str, where: str) -> float:
    """A numeric graph attribute as a float in its :data:`GRAPH_RANGES` range.

    Examples
    --------
    >>> graph_number("0.5", "trust", "edge ('a', 'b')")
    0.5
    >>> graph_number(float("nan"), "population", "graph")
    Traceback (most recent call last):
    ...
    simulation.params.ScenarioError: graph: graph has population=nan, expected a number of people >= 1
    """
    low, high, allowed = GRAPH_RANGES[name]
    try:
        number = float(value)
    except (TypeError, ValueError, OverflowError):
        number = math.nan
    if not (math.isfinite(number) and low <= number <= high):
        raise ScenarioError(f"graph: {where} has {name}={value!r}, expected {allowed}")
    return number


def check_graph(graph, *, attributes: bool = False) -> None:
    """A user's graph: its ``population``, and with ``attributes`` every numeric node
    attribute and follow-edge ``trust`` (:func:`simulation.graph_io.market_from_graph`
    checks those itself as it reads them; ``load_graph`` checks them all up front).
    """
    if "population" in graph.graph:
        graph_number(graph.graph["population"], "population", "graph")
    if not attributes:
        return
    for node, data in graph.nodes(data=True):
        for name in GRAPH_RANGES.keys() & data.keys():
            graph_number(data[name], name, f"node {node!r}")
    for u, v, data in graph.edges(data=True):
        if "trust" in data:
            graph_number(data["trust"], "trust", f"edge {(u, v)!r}")


# ----------------------------------------------------------------------------
# resources
# ----------------------------------------------------------------------------


@dataclass(frozen=True)
class MemoryEstimate:
    """Expected size of one market and run, from the scenario alone (nothing built)."""

    followers: int
    follow_edges: float
    friend_entries: float

    @property
    def bytes(self) -> float:
        return (
            BYTES_INTERPRETER
            + BYTES_PER_FOLLOWER * self.followers
            + BYTES_PER_FOLLOW_EDGE * self.follow_edges
            + BYTES_PER_FRIEND_ENTRY * self.friend_entries
        )

    def describe(self) -> str:
        return (
            f"about {self.bytes / 2**30:,.1f} GB for {self.followers:,} followers, "
            f"{self.follow_edges:,.0f} follow edges and {self.friend_entries:,.0f} friend entries"
        )


def estimate_memory(params: dict[str, dict[str, Any]]) -> MemoryEstimate:
    """Peak memory of building and running ``params``' market, before building it.

    Follow edges are each creator tier's expected audience in agents (its truncated
    Pareto follower counts, less fakes, scaled to agents, capped at the agent count),
    integrated over 256 quantiles; friend entries are both directions of every tie.

    Examples
    --------
    >>> from simulation.params import resolve
    >>> e = estimate_memory(resolve({"market.followers": 1_000_000}))
    >>> round(float(e.follow_edges) / 1e6, 1), round(e.friend_entries / 1e6)  # one market had 4.9M and 8.8M
    (4.3, 10)
    >>> round(e.bytes / 2**20)  # MB; that market's run peaked at 952 MB
    1250
    """
    mp, cp, fp = params["market"], params["creators"], params["followers"]
    n = int(mp["followers"])
    agents_per_person = n / mp["population"]
    shares = np.array([cp[f"share_{t}"] for t in TIERS], dtype=float)
    counts = np.floor(shares / shares.sum() * cp["count"] + 0.5)
    counts = np.where(shares > 0, np.maximum(counts, cp["min_per_niche"] * len(NICHES)), 0)
    bounds = [cp["nano_min"], cp["micro_min"], cp["macro_min"], cp["mega_min"], cp["mega_max"]]
    u = (np.arange(256) + 0.5) / 256
    edges = 0.0
    for t, count in enumerate(counts):
        low, high, alpha = bounds[t], bounds[t + 1], cp["size_alpha"]
        people = low * (1.0 - u * (1.0 - (low / high) ** alpha)) ** (-1.0 / alpha)
        fake = np.clip(cp["fake_share_ref"] + cp["fake_share_per_decade"] * np.log10(people / 1e4), 0.0, 0.95)
        edges += count * float(np.minimum(people * (1 - fake) * agents_per_person, n).mean())
    friends = 2.0 * (fp["friends_within"] + fp["friends_across"]) * n
    return MemoryEstimate(n, edges, friends)


def available_memory() -> int | None:
    """Bytes of memory the machine can give now (MemAvailable on Linux), or None if unknown."""
    try:
        with open("/proc/meminfo", encoding="ascii") as f:
            for line in f:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    try:
        return os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (AttributeError, ValueError, OSError):
        return None


def check_memory(params: dict[str, dict[str, Any]]) -> MemoryEstimate:
    """Refuse a scenario whose market would not fit in the memory available now."""
    estimate = estimate_memory(params)
    available = available_memory()
    if available is not None and estimate.bytes > available:
        raise ScenarioError(
            f"market.followers = {estimate.followers:,} needs {estimate.describe()}; this machine has "
            f"{available / 2**30:,.1f} GB available: use fewer followers (each agent may stand for more people)"
        )
    return estimate


def cores() -> int:
    """Cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def worker_count(requested: int, tasks: int, params: dict | None = None) -> int:
    """Processes worth starting: at most the tasks, the cores and what memory holds.

    Examples
    --------
    >>> worker_count(999, 2) <= 2
    True
    """
    workers = max(1, min(int(requested), int(tasks), cores()))
    if params is not None and workers > 1:
        available = available_memory()
        if available is not None:
            per_worker = check_memory(params).bytes
            workers = max(1, min(workers, int(available // per_worker)))
    return workers


# ----------------------------------------------------------------------------
# outputs
# ----------------------------------------------------------------------------


def output_root(out: str | Path) -> Path:
    """The ``--out`` folder, created if missing; ScenarioError if it cannot be one."""
    path = Path(out)
    where = f"--out {str(out)!r}"
    if path.exists() and not path.is_dir():
        raise ScenarioError(f"{where} is a file: expected a folder (created if missing)")
    try:
        path.mkdir(parents=True, exist_ok=True)
    except (NotADirectoryError, FileExistsError):
        raise ScenarioError(f"{where} lies below a file: expected a folder (created if missing)") from None
    except OSError as exc:
        raise ScenarioError(f"{where}: cannot create the folder ({exc.strerror})") from None
    if not os.access(path, os.W_OK | os.X_OK):
        raise ScenarioError(f"{where}: the folder is not writable")
    return path


def safe_name(name: str) -> str:
    """An output directory name that stays inside the output root.

    Path separators, ``..`` and leading dots (hidden names) cannot come through.

    Examples
    --------
    >>> safe_name("../../etc/passwd"), safe_name(".hidden"), safe_name("mega_vs_micro-run")
    ('etc-passwd', 'hidden', 'mega_vs_micro-run')
    """
    cleaned = re.sub(r"[^A-Za-z0-9_.+=-]+", "-", str(name))
    cleaned = re.sub(r"\.{2,}", ".", cleaned).strip(".-")
    return cleaned[:120] or "results"


@contextmanager
def deferred_interrupt() -> Iterator[threading.Event]:
    """Hold Ctrl-C (SIGINT) until the block ends; the event says whether one came.

    Used around writing results and renaming them into place, so a second Ctrl-C
    cannot discard finished replications. Outside the main thread it does nothing.
    """
    received = threading.Event()
    if threading.current_thread() is not threading.main_thread():
        yield received
        return

    def hold(signum, frame):
        received.set()

    previous = signal.signal(signal.SIGINT, hold)
    try:
        yield received
    finally:
        signal.signal(signal.SIGINT, previous)
