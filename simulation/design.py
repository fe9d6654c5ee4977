"""Designs: a base scenario, parameter points, replications and strategies, run to one tidy table.

A :class:`Design` names what varies (``points``: dotted-key overrides, from a grid or a
sample), which strategies are compared at every point, how many paired replications
each point gets, and one root seed. :func:`run_design` runs it on any executor (see
:mod:`simulation.executors`) and returns

- ``runs``: one row per (point, strategy, replication), every varied parameter and every
  measure as columns;
- ``differences``: per point, each strategy against the first, paired over replications,
  with 95% intervals (:func:`simulation.experiment.paired_differences`);
- ``skipped``: the (point, strategy, replication) that could not run, with the reason
  (a budget that hires nobody, a tier with no creator); the sweep goes on without them.

Seeds. Replication ``r`` at a point runs on
``SeedSequence(root_seed, spawn_key=(point_hash(point), r))``, where ``point_hash`` is
the first 8 bytes of the SHA-256 of the point's canonical JSON (keys sorted, values
checked and typed by :mod:`simulation.params`), read as an unsigned integer. A point's
numbers therefore depend only on the root seed, the point's values and the replication:
adding a point or a replication does not change the others. Within a (point,
replication) all strategies share the market and the random streams (common random
numbers), so strategy differences are paired.

Resuming. With an output directory, each finished (point, replication) is written at
once to ``runs/<key>.json`` (written to a temporary name, then renamed), where ``<key>``
hashes everything its numbers depend on. Running the same design again loads what is
there and runs only what is missing; the final tables are assembled from those files,
so an interrupted and resumed sweep gives the same tables as an uninterrupted one.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import os
import sys
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .boundary import output_root, safe_name
from .experiment import mean_ci, paired_differences, run_replication, strategy_arms, with_overrides
from .params import BY_KEY, STRATEGIES, ScenarioError, flatten

#: measures compared between strategies in ``differences`` (the others are in ``runs``)
DIFFERENCE_MEASURES = (
    "conversions",
    "mean_trust_hired",
    "revenue",
    "profit",
    "roi",
    "cpa",
    "unique_reach",
    "engagement_rate",
    "audience_overlap",
)
#: per-run columns that describe the run, not its outcome (kept out of the tidy table)
_NOT_MEASURES = ("arm", "seconds", "error", "campaign.strategy")


@dataclass(frozen=True)
class Design:
    """What to run: a base scenario, parameter points, strategies, replications, a root seed.

    Parameters
    ----------
    scenario : dict
        Resolved base scenario (:func:`simulation.params.load_scenario`).
    points : sequence of dict
        Dotted-key overrides, one dict per point (``[{}]``: the base scenario only).
    strategies : sequence of str
        Compared at every point; the first is the reference of the paired differences.
    replications : int
        Paired replications per point.
    seed : int
        Root seed.
    name : str
        Name of the output folder.
    tables : tuple of str
        Per-run tables to keep besides the summary (``("daily",)`` for trust over time).
    paired_factors : tuple of str
        Factors left out of the seed: points that differ only in them share their markets
        and random streams, as strategies do, so they can be compared pairwise (one-off
        posts against a partnership, say).

    Examples
    --------
    >>> from simulation.params import resolve
    >>> d = grid(resolve(), {"brand.budget": [5e4, 1e5]}, strategies=["mega", "micro"], replications=3)
    >>> len(d.points), d.factors, len(d.runs())
    (2, ['brand.budget'], 6)
    """

    scenario: dict
    points: tuple[dict[str, Any], ...] = ({},)
    strategies: tuple[str, ...] = ("mega", "micro")
    replications: int = 10
    seed: int = 0
    name: str = "sweep"
    tables: tuple[str, ...] = ()
    paired_factors: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if not self.points:
            raise ScenarioError(f"{self.name}: a design needs at least one parameter point")
        if isinstance(self.replications, bool) or not isinstance(self.replications, int) or self.replications < 1:
            raise ScenarioError(f"replications = {self.replications!r}: expected a whole number of at least 1")
        bad = [s for s in self.strategies if s not in STRATEGIES]
        if bad or not self.strategies:
            raise ScenarioError(f"strategy {bad[0] if bad else None!r}: expected one of {', '.join(STRATEGIES)}")
        if not set(self.tables) <= {"daily"}:
            raise ScenarioError(f"tables = {self.tables!r}: a design keeps the per-day table only, tables=('daily',)")
        points = tuple(canonical_point(p) for p in self.points)
        seen = set()
        for point in points:
            text = _canonical_json(point)
            if text in seen:
                raise ScenarioError(f"{self.name}: the point {point} is listed twice (values are compared as numbers)")
            seen.add(text)
        for point in points:
            if "campaign.strategy" in point:
                raise ScenarioError("campaign.strategy cannot be a factor: list the strategies to compare instead")
            with_overrides(self.scenario, point)  # every point is valid before anything runs
        object.__setattr__(self, "points", points)
        object.__setattr__(self, "strategies", tuple(self.strategies))

    @property
    def factors(self) -> list[str]:
        """The parameters that vary across points, in the order first seen."""
        return list(dict.fromkeys(k for p in self.points for k in p))

    def runs(self) -> list[RunSpec]:
        """One :class:`RunSpec` per (point, replication), in design order."""
        return [RunSpec(self, i, r) for i in range(len(self.points)) for r in range(self.replications)]

    def fingerprint(self) -> dict[str, Any]:
        """Everything besides the point and replication that a run's numbers depend on."""
        base = {k: v for k, v in flatten({k: v for k, v in self.scenario.items() if k != "scenario"}).items()}
        return {
            "scenario": base,
            "strategies": list(self.strategies),
            "seed": self.seed,
            "tables": list(self.tables),
            "paired_factors": list(self.paired_factors),
        }


@dataclass(frozen=True)
class RunSpec:
    """One (point, replication) of a design: every strategy on one shared market."""

    design: Design
    point_index: int
    replication: int

    @property
    def point(self) -> dict[str, Any]:
        return self.design.points[self.point_index]

    @property
    def seed_sequence(self) -> np.random.SeedSequence:
        seeded = {k: v for k, v in self.point.items() if k not in self.design.paired_factors}
        return run_seed(self.design.seed, seeded, self.replication)

    @property
    def key(self) -> str:
        """File name of this run's results: a hash of everything its numbers depend on."""
        text = _canonical_json({**self.design.fingerprint(), "point": self.point, "replication": self.replication})
        return hashlib.sha256(text.encode()).hexdigest()[:24]

    def task(self) -> tuple:
        """The picklable arguments of :func:`run_task` (small: no design object)."""
        params = with_overrides(self.design.scenario, self.point)
        return (params, self.design.strategies, self.seed_sequence, self.replication, self.design.tables)


def canonical_point(point: dict[str, Any]) -> dict[str, Any]:
    """A point with its values checked and typed as the parameters declare (``"5e4"`` -> ``50000.0``)."""
    out = {}
    for key, value in point.items():
        if key not in BY_KEY:
            raise ScenarioError(f"design: unknown parameter {key!r} (`influencer-sim params` lists them all)")
        out[key] = BY_KEY[key].check(value)
    return out


def _canonical_json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), default=str)


def point_hash(point: dict[str, Any]) -> int:
    """A stable 64-bit number for a point: the first 8 bytes of SHA-256 of its canonical JSON.

    Examples
    --------
    >>> point_hash({"brand.budget": 5e4}) == point_hash({"brand.budget": "50000"})
    True
    """
    digest = hashlib.sha256(_canonical_json(canonical_point(point)).encode()).digest()
    return int.from_bytes(digest[:8], "big")


def run_seed(root: int, point: dict[str, Any], replication: int) -> np.random.SeedSequence:
    """``SeedSequence(root, spawn_key=(point_hash(point), replication))``."""
    return np.random.SeedSequence(root, spawn_key=(point_hash(point), replication))


def grid(
    scenario: dict,
    axes: dict[str, Iterable[Any]],
    *,
    strategies: Sequence[str] = ("mega", "micro"),
    replications: int = 10,
    seed: int = 0,
    name: str = "sweep",
    tables: tuple[str, ...] = (),
    paired_factors: tuple[str, ...] = (),
) -> Design:
    """A full-factorial design: every combination of the values of ``axes``."""
    keys = list(axes)
    values = [list(axes[k]) for k in keys]
    for key, vals in zip(keys, values):
        if not vals:
            raise ScenarioError(f"--grid {key}: give at least one value")
    points = tuple(dict(zip(keys, combo)) for combo in itertools.product(*values))
    return Design(scenario, points, tuple(strategies), replications, seed, name, tables, paired_factors)


def run_task(task: tuple) -> dict[str, Any]:
    """Run one (point, replication) for every strategy; what a worker executes.

    Returns ``{"rows": [...], "daily": DataFrame or None, "seconds": float}``; a strategy
    that cannot run is a row with its reason in ``error``.
    """
    params, strategies, seq, replication, tables = task
    start = time.perf_counter()
    rows, daily, _, _ = run_replication(
        params, strategy_arms(strategies), seq, replication, tables=tables, record_errors=True
    )
    return {
        "rows": rows,
        "daily": pd.concat(daily, ignore_index=True) if daily else None,
        "seconds": time.perf_counter() - start,
    }


@dataclass
class SweepResults:
    """The tables of a design (see the module's docstring) and how they were made."""

    design: Design
    runs: pd.DataFrame
    differences: pd.DataFrame
    skipped: pd.DataFrame
    daily: pd.DataFrame
    complete: bool
    timings: dict[str, float] = field(default_factory=dict)
    executor: dict[str, Any] = field(default_factory=dict)
    directory: Path | None = None

    @property
    def skipped_points(self) -> pd.DataFrame:
        """One row per point and strategy that could not run: how many of its runs, and the
        first reason (reasons differ between markets only in their numbers)."""
        if not len(self.skipped):
            return self.skipped
        keys = ["point", *self.design.factors, "strategy"]
        groups = self.skipped.groupby(keys, sort=False, dropna=False)["reason"]
        return groups.agg(runs="size", reason="first").reset_index()


def run_design(
    design: Design,
    out: str | Path | None = None,
    *,
    executor: str = "pool",
    workers: int | None = None,
    scheduler: str | None = None,
    progress: bool = True,
) -> SweepResults:
    """Run what is missing of ``design`` and return its tables.

    Parameters
    ----------
    out : path, optional
        Parent folder; results go to ``out/<design.name>/`` as each run finishes, and a
        second call with the same design runs only what is missing. Without it nothing
        is written and nothing resumes.
    executor : {"serial", "pool", "dask"}
        In this process, a local process pool (default), or Dask distributed.
    workers : int, optional
        Processes (default: the cores); capped at the number of runs and the cores.
    scheduler : str, optional
        Address of a running Dask scheduler (``tcp://HOST:PORT``); implies ``executor="dask"``.
    progress : bool
        A progress bar with an ETA (terminal or notebook).

    Returns
    -------
    SweepResults
        ``complete`` is False when interrupted (Ctrl-C): every finished run is kept.

    Examples
    --------
    >>> from simulation.params import resolve
    >>> base = resolve({"market": {"followers": 1000, "days": 3}})
    >>> d = grid(base, {"brand.budget": [3e4, 6e4]}, replications=2, seed=1)
    >>> r = run_design(d, executor="serial", progress=False)
    >>> len(r.runs), list(r.runs.columns[:4])
    (8, ['point', 'brand.budget', 'strategy', 'replication'])
    """
    from .executors import make_executor

    start = time.perf_counter()
    # the name (``--name`` or a script's) cannot leave ``out``, and ``out`` must be a folder
    directory = output_root(out) / safe_name(design.name) if out is not None else None
    store = _Store(directory / "runs") if directory is not None else None
    specs = design.runs()
    results: dict[int, dict] = {}
    if store is not None:
        for i, spec in enumerate(specs):
            found = store.load(spec.key)
            if found is not None:
                results[i] = found
    todo = [i for i in range(len(specs)) if i not in results]
    reused = len(results)
    complete = True
    bar = _progress_bar(len(specs), reused, design.name, progress)
    info: dict[str, Any] = {"name": executor if scheduler is None else "dask"}
    try:
        if todo:
            with make_executor(executor, workers=workers, scheduler=scheduler, tasks=len(todo)) as pool:
                info = pool.description
                for k, result in pool.map_unordered(run_task, [specs[i].task() for i in todo]):
                    i = todo[k]
                    if store is not None:
                        store.save(specs[i].key, result)
                    results[i] = result
                    bar.update(1)
    except KeyboardInterrupt:
        complete = False
    finally:
        bar.close()
    runs, skipped, daily = _assemble(design, specs, results)
    differences = point_differences(runs, design)
    compute = sum(r["seconds"] for i, r in results.items())
    timings = {
        "wall_seconds": time.perf_counter() - start,
        "runs_total": len(specs),
        "runs_reused": reused,
        "runs_computed": len(results) - reused,
        "compute_seconds_all_runs": compute,
    }
    res = SweepResults(design, runs, differences, skipped, daily, complete, timings, info, directory)
    if directory is not None:
        write_tables(res)
    return res


def _progress_bar(total: int, initial: int, name: str, enabled: bool):
    from tqdm.auto import tqdm

    tqdm.monitor_interval = 0  # no monitor thread: the process stays single-threaded for fork
    return tqdm(
        total=total, initial=initial, disable=not enabled, unit="run", desc=name, leave=False, dynamic_ncols=True
    )


def _assemble(design: Design, specs: list[RunSpec], results: dict[int, dict]):
    factors = design.factors
    rows, skipped, daily = [], [], []
    order = {s: k for k, s in enumerate(design.strategies)}
    for i in sorted(results):
        spec = specs[i]
        front = {"point": f"{point_hash(spec.point):016x}", **{f: spec.point.get(f) for f in factors}}
        for row in results[i]["rows"]:
            head = {**front, "strategy": row["arm"], "replication": spec.replication}
            if row.get("error"):
                skipped.append({**head, "reason": row["error"]})
                continue
            rows.append({**head, **{k: v for k, v in row.items() if k not in _NOT_MEASURES and k not in head}})
        if results[i]["daily"] is not None:
            d = results[i]["daily"].rename(columns={"arm": "strategy"})
            for k, (name, value) in enumerate(front.items()):
                d.insert(k, name, value)
            daily.append(d)
    key = ["_point", "_strategy", "replication"]

    def tidy(records: list[dict]) -> pd.DataFrame:
        df = pd.DataFrame(records)
        if not len(df):
            return df
        index = {f"{point_hash(p):016x}": k for k, p in enumerate(design.points)}
        df["_point"] = df["point"].map(index)
        df["_strategy"] = df["strategy"].map(order)
        return df.sort_values(key, kind="stable").drop(columns=["_point", "_strategy"]).reset_index(drop=True)

    daily_table = pd.concat(daily, ignore_index=True) if daily else pd.DataFrame()
    return tidy(rows), tidy(skipped), daily_table


def point_differences(
    runs: pd.DataFrame, design: Design, measures: Iterable[str] = DIFFERENCE_MEASURES, confidence: float = 0.95
) -> pd.DataFrame:
    """Per point, each strategy minus the first, paired over replications, with intervals."""
    if not len(runs) or len(design.strategies) < 2:
        return pd.DataFrame()
    reference = design.strategies[0]
    measures = [m for m in measures if m in runs.columns]
    tables = []
    for point_id, group in runs.groupby("point", sort=False):
        arms = group.rename(columns={"strategy": "arm"})[["replication", "arm", *measures]]
        present = set(arms["arm"])
        for other in design.strategies[1:]:
            if reference not in present or other not in present:
                continue
            d = paired_differences(arms, reference, other, measures, confidence)
            front = {"point": point_id, **{f: group[f].iloc[0] for f in design.factors}}
            front.update(reference=reference, strategy=other)
            for k, (name, value) in enumerate(front.items()):
                d.insert(k, name, value)
            tables.append(d)
    return pd.concat(tables, ignore_index=True) if tables else pd.DataFrame()


def point_summary(
    runs: pd.DataFrame, factors: Iterable[str], measures: Iterable[str], confidence: float = 0.95
) -> pd.DataFrame:
    """Mean and interval of each measure per point and strategy, points in numeric order.

    Columns: the factors, ``strategy``, ``measure``, ``mean``, ``ci_low``, ``ci_high``, ``n``.
    """
    factors = list(factors)
    rows = []
    for keys, group in runs.groupby([*factors, "strategy"], sort=True):
        keys = keys if isinstance(keys, tuple) else (keys,)
        for measure in measures:
            m, lo, hi = mean_ci(group[measure], confidence)
            n = int(np.isfinite(group[measure].to_numpy(dtype=float)).sum())
            rows.append(
                {
                    **dict(zip([*factors, "strategy"], keys)),
                    "measure": measure,
                    "mean": m,
                    "ci_low": lo,
                    "ci_high": hi,
                    "n": n,
                }
            )
    return pd.DataFrame(rows)


def paired_by(
    runs: pd.DataFrame,
    column: str,
    a: Any,
    b: Any,
    measures: Iterable[str] = DIFFERENCE_MEASURES,
    within: Iterable[str] = ("strategy",),
    confidence: float = 0.95,
) -> pd.DataFrame:
    """Paired differences ``b - a`` between two values of ``column`` (a paired factor), per ``within`` group."""
    within = list(within)
    measures = [m for m in measures if m in runs.columns]
    tables = []
    for keys, group in runs[runs[column].isin([a, b])].groupby(within, sort=False):
        keys = keys if isinstance(keys, tuple) else (keys,)
        arms = group.assign(arm=group[column])[["replication", "arm", *measures]]
        d = paired_differences(arms, a, b, measures, confidence)
        for k, (name, value) in enumerate({**dict(zip(within, keys)), "reference": a, "other": b}.items()):
            d.insert(k, name, value)
        tables.append(d)
    return pd.concat(tables, ignore_index=True) if tables else pd.DataFrame()


class _Store:
    """One JSON file per finished (point, replication), written atomically.

    JSON, not pickle: a results folder is data, and reading a planted file must never run
    code. Floats are written with ``repr`` (exact round trip) and tables keep their
    column order and dtypes, so a resumed sweep assembles exactly the same tables.
    """

    def __init__(self, folder: Path):
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)

    def load(self, key: str) -> dict | None:
        path = self.folder / f"{key}.json"
        try:
            return _from_json(json.loads(path.read_text(encoding="utf-8")))
        except FileNotFoundError:
            return None
        except (ValueError, KeyError, TypeError):  # cannot happen with the rename; be safe anyway
            path.unlink(missing_ok=True)
            return None

    def save(self, key: str, result: dict) -> None:
        tmp = self.folder / f".{key}.{os.getpid()}.tmp"
        with open(tmp, "w", encoding="utf-8") as f:
            json.dump(_to_json(result), f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, self.folder / f"{key}.json")


def _to_json(value: Any) -> Any:
    """Plain JSON values: tables as ``{"columns", "dtypes", "data"}``, numpy scalars as Python ones."""
    if isinstance(value, pd.DataFrame):
        return {
            "__table__": True,
            "columns": [str(c) for c in value.columns],
            "dtypes": [str(t) for t in value.dtypes],
            "data": [_to_json(value[c].tolist()) for c in value.columns],
        }
    if isinstance(value, dict):
        return {str(k): _to_json(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_to_json(v) for v in value]
    if isinstance(value, np.generic):
        return value.item()
    return value


def _from_json(value: Any) -> Any:
    """The inverse of :func:`_to_json`."""
    if isinstance(value, dict) and value.get("__table__") is True:
        frame = pd.DataFrame(dict(zip(value["columns"], value["data"])), columns=value["columns"])
        return frame.astype(dict(zip(value["columns"], value["dtypes"])))
    if isinstance(value, dict):
        return {k: _from_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_from_json(v) for v in value]
    return value


def write_tables(res: SweepResults) -> None:
    """Tables (CSV, and Parquet when pyarrow is installed) and the manifest in ``res.directory``."""
    from . import output

    directory = res.directory
    tables = {"runs": res.runs, "differences": res.differences, "skipped": res.skipped, "daily": res.daily}
    output.write_tables(directory, tables)
    for name, df in tables.items():
        if not len(df) and (directory / f"{name}.csv").exists():
            (directory / f"{name}.csv").unlink()  # a stale table from an earlier design
    try:
        import pyarrow  # noqa: F401
    except ImportError:
        pass
    else:
        for name, df in tables.items():
            if len(df):
                df.to_parquet(directory / f"{name}.parquet", index=False)
    d = res.design
    output.write_manifest(
        directory,
        scenario=d.scenario,
        command=[Path(sys.argv[0]).name, *sys.argv[1:]],
        seed=d.seed,
        replications=d.replications,
        arms=list(d.strategies),
        timings=res.timings,
        status="complete" if res.complete else "interrupted",
        extra={
            "design": {"name": d.name, "factors": d.factors, "points": list(d.points), "tables": list(d.tables)},
            "seeds": {
                "root_seed": d.seed,
                "replications": d.replications,
                "rule": "replication r at a point runs on numpy.random.SeedSequence(root_seed, "
                "spawn_key=(point_hash, r)); point_hash = first 8 bytes (big-endian) of SHA-256 of the "
                "point's canonical JSON; all strategies of a (point, replication) share it "
                "(common random numbers)",
            },
            "executor": res.executor,
            "optional_versions": output.versions(("dask", "distributed", "SALib", "pyarrow", "tqdm")),
            "skipped": res.skipped_points.to_dict("records") if len(res.skipped) else [],
        },
    )
