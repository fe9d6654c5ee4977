"""Fuzz the command line: mutated scenario files, command lines and graph files.

150 cases from a fixed seed, run in-process through ``simulation.cli.main``. Every
case must end in one of two ways: exit status 2 with one line naming the file or key
and what is allowed (and no output directory), or exit status 0 with one complete,
sane output directory. Never a traceback, never a partial or hidden directory.

Markets are tiny (300 follower agents, 40 creators, 3 days). Parameters that set the
cost of a run (agents, creators, days, step length) are mutated to invalid values or to
small valid ones, and the machine is made to look like it has 400 MB free, so a large
valid market is refused by the memory guard instead of being built.
"""

from __future__ import annotations

import json
from pathlib import Path

import networkx as nx
import numpy as np
import pandas as pd
import pytest
from test_invariants import RATIOS  # the outputs that may be NaN (0 / 0)

from simulation import boundary, build_graph, resolve
from simulation.cli import main
from simulation.params import PARAMETERS, STRATEGIES

SEED = 20261128
CASES = {"scenario": 60, "command": 50, "graph": 40}
SIZE = {"market.followers": 300, "market.days": 3, "creators.count": 40}
SIZE_SETS = [f"--set={k}={v}" for k, v in SIZE.items()] + ["--quiet", "--no-plots"]
#: parameters that set the cost of a run: their valid mutations stay small
SMALL_VALID = {
    "market.followers": (2, 3000),
    "market.population": (3000, 10**9),
    "market.days": (1, 6),
    "market.dt": (0.25, 1),
    "creators.count": (1, 200),
    "creators.min_per_niche": (0, 3),
    "campaign.post_interval": (0.5, 10),
    "word_of_mouth.mean_field_contacts": (0, 100),
}
WEIRD = [
    "0",
    "-1",
    "1e400",
    "-1e400",
    "inf",
    "-inf",
    "nan",
    "9" * 400,
    "'abc'",
    '""',
    "true",
    "[]",
    "[[1]]",
    "[1, 2]",
    "{a = 1}",
    "1.5",
    "1e-300",
    "3.0e9",
    "[" * 20 + "]" * 20,
    "[" * 3000 + "]" * 3000,
    "2026-01-01",
    "0x10",
    "1_000",
]
NUMERIC = [p for p in PARAMETERS if p.kind in (int, float)]


def _literal(rng: np.random.Generator, key: str | None = None) -> str:
    """A TOML literal: weird most of the time, sometimes valid for ``key``."""
    p = next((q for q in NUMERIC if q.key == key), None)
    if p is not None and rng.random() < 0.4:
        low, high = SMALL_VALID.get(p.key, (p.low, p.high))
        value = low + rng.random() * (min(high, 1e12) - low)
        return str(int(value)) if p.kind is int else repr(float(value))
    if p is not None and rng.random() < 0.3 and p.key not in SMALL_VALID:
        return repr(rng.choice([p.low, p.high, p.low - 1, p.high * 10]))
    return str(rng.choice(WEIRD))


def _pick(rng: np.random.Generator, values: list):
    """One of ``values`` as the Python object it is (``rng.choice`` would make numpy scalars)."""
    return values[int(rng.integers(0, len(values)))]


def _key(rng: np.random.Generator) -> str:
    return str(rng.choice([p.key for p in PARAMETERS]))


# ----------------------------------------------------------------------------
# case generators: each returns (argv, description)
# ----------------------------------------------------------------------------


def scenario_case(rng: np.random.Generator, folder) -> tuple[list[str], str]:
    tables = {"scenario": {"name": '"fuzz"'}, "market": {"followers": "300", "days": "3"}, "creators": {"count": "40"}}
    kind = rng.integers(0, 10)
    raw: bytes | None = None
    if kind <= 3:  # a parameter with a weird or valid value
        key = _key(rng)
        section, name = key.split(".")
        tables.setdefault(section, {})[name] = _literal(rng, key)
    elif kind == 4:  # a parameter in the wrong table, or an unknown one
        section = str(rng.choice(["scenario", "market", "brand", "nonsense"]))
        tables.setdefault(section, {})[_key(rng).split(".")[1] + str(rng.choice(["", "x"]))] = "5"
    elif kind == 5:  # scenario metadata of the wrong shape
        tables["scenario"][str(rng.choice(["name", "description", "compare"]))] = str(
            rng.choice(['["mega", "micro"]', '["mega"]', '["mega", "mega"]', '["x", "y"]', "5", '"text"', "[[1]]"])
        )
    text = "\n".join(
        f"[{section}]\n" + "".join(f"{k} = {v}\n" for k, v in table.items()) for section, table in tables.items()
    )
    if kind == 6:  # a top level that is not a table
        text = str(rng.choice(["scenario = 5\n", '[[scenario]]\nname = "x"\n', "budget = 5\n", "[market]\n[market]\n"]))
    elif kind == 7:  # cut short
        text = text[: int(rng.integers(0, len(text)))]
    elif kind == 8:  # garbage bytes, maybe not UTF-8
        at = int(rng.integers(0, len(text)))
        raw = (
            text[:at].encode()
            + bytes(rng.integers(0, 256, int(rng.integers(1, 8))).astype(np.uint8))
            + text[at:].encode()
        )
    elif kind == 9:
        text = str(rng.choice(["", "\n", "[brand]\nbudget = 1\nbudget = 2\n", '[scenario]\nname = """x\n']))
    path = folder / "scenario.toml"
    if raw is not None:
        path.write_bytes(raw)
    else:
        path.write_text(text, encoding="utf-8")
    command = str(rng.choice(["run", "compare"]))
    argv = [command, str(path), "--quiet", "--no-plots", "--replications", str(rng.integers(1, 3))]
    return argv, f"{command} with scenario file:\n{path.read_bytes()[:300]!r}"


def command_case(rng: np.random.Generator, folder) -> tuple[list[str], str]:
    command = str(rng.choice(["run", "run", "compare", "compare", "bench", "validate", "params"]))
    a_file = folder / "afile"
    a_file.write_text("x")
    if command == "bench":  # only malformed sizes: a real benchmark is not a unit test
        sizes = str(rng.choice(["inf", "nan", "-5", "1e99", "10,abc", "50.5", "", "99", ",", "1e400"]))
        return ["bench", "--sizes", sizes, "--out", str(folder / "out")], f"bench --sizes {sizes!r}"
    if command == "validate":  # only a bad --out: a real validation is not a unit test
        out = str(rng.choice([a_file, a_file / "sub"]))
        return ["validate", "--quick", "--quiet", "--out", out], f"validate --out {out}"
    if command == "params":
        fmt = str(rng.choice(["table", "toml", "json", ""]))
        return ["params", "--format", fmt], f"params --format {fmt!r}"
    argv = [command, *SIZE_SETS, "--replications", "1"]
    for _ in range(int(rng.integers(1, 4))):
        option = rng.integers(0, 9)
        if option == 0:
            argv += ["--seed", str(rng.choice(["-1", "abc", "1e3", str(10**30), "0", "7"]))]
        elif option == 1:
            argv += ["--replications", str(rng.choice(["0", "-3", "1000001", "abc", str(10**30), "2"]))]
        elif option == 2:
            argv += ["--workers", str(rng.choice(["0", "999", "auto", "abc", "2", "-1"]))]
        elif option == 3:
            argv += ["--first", str(rng.choice([str(10**12), "-1", "x", "3"]))]
        elif option == 4:
            argv += ["--out", str(rng.choice([a_file, a_file / "sub", folder / "out" / "deeper"]))]
        elif option == 5:
            key = _key(rng)
            argv += ["--set", str(rng.choice([f"{key}={_literal(rng, key)}", key, f"{key}x=1", "=5", f"{key}="]))]
        elif option == 6 and command == "run":
            argv += ["--strategy", str(rng.choice(["", "micro,", "micro,micro", "mega,nano", "bogus", "none", " "]))]
        elif option == 7 and command == "compare":
            argv += ["--a", str(rng.choice(STRATEGIES)), "--b", str(rng.choice([*STRATEGIES, "x"]))]
        elif option == 8:
            argv += [str(rng.choice(["--graph=/no/such/file", "--bogus", "extra-positional", "--set"]))]
    if "--out" not in argv:
        argv += ["--out", str(folder / "out")]
    return argv, " ".join(argv)


@pytest.fixture(scope="module")
def base_graph() -> nx.DiGraph:
    return build_graph(resolve({"market.followers": 200, "creators.count": 40, "market.population": 20_000}), seed=3)


def graph_case(rng: np.random.Generator, folder, base: nx.DiGraph) -> tuple[list[str], str]:
    g = base.copy()
    kind = rng.integers(0, 6)
    what = ""
    if kind <= 2:  # one node attribute
        node = list(g.nodes)[int(rng.integers(0, g.number_of_nodes()))]
        name = str(rng.choice([*boundary.GRAPH_RANGES, "niche", "kind"]))
        value = _pick(rng, [float("nan"), float("inf"), -1.0, 0.0, 2.0, 1e300, "abc", "0.5", "beauty", "creator"])
        g.nodes[node][name] = value
        what = f"node {node} {name}={value!r}"
    elif kind == 3:  # the population
        value = _pick(rng, [float("nan"), float("inf"), -5.0, 0.0, "abc", 10.0, 1e12])
        g.graph["population"] = value
        what = f"population={value!r}"
    elif kind == 4:  # a trust
        u, v = list(g.edges)[int(rng.integers(0, g.number_of_edges()))]
        value = _pick(rng, [float("nan"), "high", -3.0, 7.0, float("-inf")])
        g.edges[u, v]["trust"] = value
        what = f"edge {u}-{v} trust={value!r}"
    path = folder / "g.graphml"
    if kind == 5:  # an edge list with damaged lines
        path = folder / "g.txt"
        lines = ["a star follows 0.5", "b star follows", "a b friend", "c a"]
        lines.append(str(rng.choice(["x", "a b enemy", "a star follows high", "a star follows nan", "a b c d e", ""])))
        path.write_text("\n".join(lines) + "\n")
        what = f"edge list {lines[-1]!r}"
    else:
        nx.write_graphml(g, path)
    strategy = str(rng.choice(["micro", "nano", "none", "mega"]))
    argv = ["run", "--graph", str(path), "--strategy", strategy, "--set", "market.days=3"]
    argv += ["--quiet", "--no-plots", "--out", str(folder / "out")]
    return argv, f"graph with {what}, strategy {strategy}"


# ----------------------------------------------------------------------------
# the oracle
# ----------------------------------------------------------------------------


def check_outcome(status: int, err: str, folder, out_root, description: str) -> str:
    hidden = [p for p in folder.rglob(".*")]
    assert not hidden, f"hidden leftover: {hidden}\n{description}"
    assert "Traceback" not in err, f"{description}\n{err}"
    results = [p for p in out_root.iterdir()] if out_root.is_dir() else []
    if status == 2:
        lines = err.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("influencer-sim") and "error: " in lines[0], (
            f"{description}\n{err}"
        )
        assert results == [], f"output left after an error: {results}\n{description}"
        return "refused"
    assert status == 0, f"exit status {status}\n{description}\n{err}"
    if argv_command(description) == "params":
        return "ran"
    (directory,) = results
    manifest = json.loads((directory / "manifest.json").read_text())
    assert manifest["status"] == "complete", description
    runs = pd.read_csv(directory / "runs.csv")
    assert len(runs) == manifest["seeds"]["replications"] * len(manifest["arms"]), description
    numbers = runs.select_dtypes("number")
    assert not np.isinf(numbers.to_numpy(dtype=float)).any(), description
    plain = numbers[[c for c in numbers.columns if c not in RATIOS]]
    assert not plain.isna().any().any(), f"NaN in {list(plain.columns[plain.isna().any()])}\n{description}"
    population = manifest["scenario"]["market"]["population"]
    assert (runs.conversions <= runs.unique_reach * (1 + 1e-9) + 1e-9).all(), description
    assert (runs.unique_reach <= population * (1 + 1e-9)).all(), description
    assert (runs.spend <= runs.budget * (1 + 1e-9) + 1e-9).all(), description
    return "ran"


def argv_command(description: str) -> str:
    return description.split(":", 1)[1].split()[0]


def test_fuzzed_inputs_end_in_one_line_or_a_complete_result(tmp_path, capsys, monkeypatch, base_graph):
    monkeypatch.setattr(boundary, "available_memory", lambda: 400 * 2**20)
    rng = np.random.default_rng(SEED)
    outcomes: dict[str, int] = {}
    case = 0
    for family, count in CASES.items():
        for _ in range(count):
            case += 1
            folder = tmp_path / f"case{case}"
            folder.mkdir()
            if family == "scenario":
                argv, description = scenario_case(rng, folder)
                argv += ["--out", str(folder / "out")]
            elif family == "command":
                argv, description = command_case(rng, folder)
            else:
                argv, description = graph_case(rng, folder, base_graph)
            outs = [argv[i + 1] for i, token in enumerate(argv[:-1]) if token == "--out"]
            out_root = Path(outs[-1]) if outs else folder / "out"
            try:
                status = main(argv)
            except SystemExit as exc:  # argparse: usage errors exit 2 with one line
                status = exc.code
            except BaseException as exc:  # anything else escaping main is a failure
                pytest.fail(f"case {case}: {exc.__class__.__name__}: {exc}\n{description}")
            err = capsys.readouterr().err
            result = check_outcome(status, err, folder, out_root, f"case {case}: {argv[0]} | {description}")
            outcomes[f"{family} {result}"] = outcomes.get(f"{family} {result}", 0) + 1
    assert case == sum(CASES.values()) == 150
    print(f"fuzz outcomes: {outcomes}")  # shown with pytest -s
    # every family must take both paths: refusals and complete runs
    for family in CASES:
        assert outcomes.get(f"{family} refused", 0) >= 5, outcomes
        assert outcomes.get(f"{family} ran", 0) >= 3, outcomes
