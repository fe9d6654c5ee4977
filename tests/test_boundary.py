"""The boundary (simulation/boundary.py): each family of bad input from issue 12 ends
with one line and exit status 2, valid inputs are accepted, interrupted runs keep what
finished, and resources are bounded."""

from __future__ import annotations

import io
import json
import os
import signal
import subprocess
import sys

import networkx as nx
import numpy as np
import pandas as pd
import pytest

from simulation import InfluencerModel, ScenarioError, boundary, load_graph, load_scenario, resolve
from simulation import experiment as experiment_module
from simulation import output as output_module
from simulation.cli import main
from simulation.experiment import paired_differences, run_experiment, strategy_arms, verdict

FAST = [
    "--set",
    "market.followers=600",
    "--set",
    "market.days=5",
    "--set",
    "creators.count=200",
    "--quiet",
    "--no-plots",
]


def fails_with_one_line(capsys, argv, *fragments) -> str:
    """Run the CLI; it must exit 2 with exactly one stderr line holding every fragment."""
    assert main(argv) == 2
    err = capsys.readouterr().err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("influencer-sim: error: ") and "Traceback" not in err
    for fragment in fragments:
        assert fragment in lines[0], (fragment, lines[0])
    return lines[0]


def no_output(root) -> None:
    assert not root.exists() or list(root.iterdir()) == [], list(root.iterdir())


# ----------------------------------------------------------------------------
# tracebacks that became one line
# ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, fragments",
    [
        ("scenario = 5\n", ["'scenario' must be a [scenario] table", "not the value 5"]),
        ('[[scenario]]\nname = "x"\n', ["'scenario' must be a [scenario] table", "array of tables"]),
        ("[brand]\nbudget = " + "9" * 400 + "\n", ["brand.budget = a number of 400 digits is out of range"]),
        ("[brand]\nbudget = " + "9" * 5000 + "\n", ["a number has thousands of digits"]),
        ("[campaign]\ncreators = " + "[" * 3000 + "]" * 3000 + "\n", ["nested too deep (at most 8 levels)"]),
        ("[campaign]\ncreators = " + "[" * 20 + "]" * 20 + "\n", ["nested too deep"]),
        ("[scenario]\nbudget = 5\n", ["[scenario] budget is not allowed", "did you mean [brand] budget?"]),
        ("[scenario]\nname = 5\n", ["[scenario] name = 5: expected a string"]),
        ('[scenario]\ncompare = ["mega"]\n', ["expected two different strategies"]),
        ("[market]\ndays = 5\n[campaign]\nstart_day = 5\n", ["campaign.start_day = 5 is at or after the end"]),
    ],
)
def test_bad_scenario_files_get_one_line(tmp_path, capsys, text, fragments):
    path = tmp_path / "bad.toml"
    path.write_text(text, encoding="utf-8")
    fails_with_one_line(capsys, ["run", str(path), *FAST, "--out", str(tmp_path / "out")], *fragments)
    no_output(tmp_path / "out")
    with pytest.raises(ScenarioError):  # the Python API goes through the same checks
        load_scenario(path)


@pytest.mark.parametrize(
    "sets, fragments",
    [
        (["campaign.creators=" + "[" * 5000 + "]" * 5000], ["campaign.creators = '[[[[", "...", "wrong type"]),
        (["campaign.strategy=list", "campaign.creators=[99999999999999999999999]"], ["is not a creator id"]),
        (["brand.budget=1e400"], ["brand.budget = inf is out of range"]),
        (["brand.price=nan"], ["brand.price = 'nan' has the wrong type"]),
        (["campaign.start_day=30"], ["campaign.start_day = 30 is at or after the end of the run (market.days = 5)"]),
    ],
)
def test_bad_set_values_get_one_line(tmp_path, capsys, sets, fragments):
    argv = ["run", *FAST, "--out", str(tmp_path)]
    for s in sets:
        argv += ["--set", s]
    fails_with_one_line(capsys, argv, *fragments)
    no_output(tmp_path)


def test_out_must_be_a_folder_in_run_compare_and_validate(tmp_path, capsys):
    a_file = tmp_path / "afile"
    a_file.write_text("x")
    for command in (["run", *FAST], ["compare", *FAST, "--replications", "2"], ["validate", "--quick"]):
        fails_with_one_line(capsys, [*command, "--out", str(a_file)], "is a file: expected a folder")
        fails_with_one_line(capsys, [*command, "--out", str(a_file / "sub")], "lies below a file")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["afile"]


@pytest.mark.parametrize("sizes", ["inf", "nan", "-5", "1e99", "100,abc", "50.5"])
def test_bench_sizes_are_whole_numbers_in_range(tmp_path, capsys, sizes):
    fails_with_one_line(capsys, ["bench", "--sizes", sizes, "--out", str(tmp_path)], "--sizes", "whole numbers")
    no_output(tmp_path)


class ClosedPipe(io.StringIO):
    """stdout after the reader went away (`influencer-sim params | head -1`)."""

    def write(self, text):
        raise BrokenPipeError(32, "Broken pipe")


def test_params_into_a_closed_pipe_exits_quietly(capsys, monkeypatch):
    monkeypatch.setattr(sys, "stdout", ClosedPipe())
    assert main(["params"]) == 1
    assert capsys.readouterr().err == ""


def test_params_into_head_has_no_traceback():
    head = subprocess.run(
        f"{sys.executable} -m simulation.cli params | head -1", shell=True, capture_output=True, text=True, timeout=120
    )
    assert head.stdout.split()[0] == "parameter" and head.stderr == ""


def _graph(tmp_path, name="g.graphml", population=30_000, **creator) -> str:
    g = nx.DiGraph(population=population) if population is not None else nx.DiGraph()
    g.add_nodes_from((f"p{i}", {"kind": "follower"}) for i in range(300))
    g.add_edges_from((f"p{i}", f"p{i + 1}") for i in range(299))
    g.add_edges_from((f"p{i + 1}", f"p{i}") for i in range(299))  # friendships are mutual
    g.add_node("star", kind="creator", niche="beauty", **creator)
    g.add_edges_from((f"p{i}", "star") for i in range(0, 300, 2))
    path = tmp_path / name
    nx.write_graphml(g, path)
    return str(path)


@pytest.mark.parametrize(
    "population, creator, fragment",
    [
        ("abc", {}, "population='abc', expected a number of people >= 1"),
        (float("nan"), {}, "population=nan"),
        (float("inf"), {}, "population=inf"),
        (30_000, {"fee": -5.0}, "node 'star' has fee=-5.0, expected a fee in USD >= 0"),
        (30_000, {"fee": float("nan")}, "node 'star' has fee=nan"),
        (30_000, {"followers": 0.0}, "node 'star' has followers=0.0, expected a number of people >= 1"),
        (30_000, {"followers": -10.0}, "followers=-10.0"),
        (30_000, {"authenticity": 1.5}, "authenticity=1.5, expected a number from 0 to 1"),
    ],
)
def test_bad_graph_attributes_get_one_line(tmp_path, capsys, population, creator, fragment):
    path = _graph(tmp_path, population=population, **creator)
    with np.errstate(all="raise"):  # no numpy RuntimeWarning may come first
        fails_with_one_line(capsys, ["run", *FAST, "--graph", path, "--out", str(tmp_path / "out")], path, fragment)
    no_output(tmp_path / "out")
    graph = nx.read_graphml(path)  # the Python API refuses the same graph
    with pytest.raises(ScenarioError, match="graph: "):
        InfluencerModel(seed=1, graph=graph, market__days=3)


def test_edge_list_trust_that_is_not_a_number(tmp_path, capsys):
    path = tmp_path / "edges.txt"
    path.write_text("a star follows high\nb star follows nan\na b friend\n")
    fails_with_one_line(capsys, ["run", *FAST, "--graph", str(path)], "trust 'high' is not a number")
    path.write_text("a star follows 0.5\nb star follows nan\na b friend\nc a\n")
    fails_with_one_line(capsys, ["run", *FAST, "--graph", str(path)], "edge ('b', 'star') has trust=nan")


# ----------------------------------------------------------------------------
# nonsense no longer accepted, valid input no longer refused
# ----------------------------------------------------------------------------


def test_empty_or_repeated_strategy_is_refused(tmp_path, capsys):
    fails_with_one_line(capsys, ["run", *FAST, "--strategy", "", "--out", str(tmp_path)], "--strategy ''")
    fails_with_one_line(capsys, ["run", *FAST, "--strategy", "micro,", "--out", str(tmp_path)], "'micro,'")
    fails_with_one_line(capsys, ["run", *FAST, "--strategy", "micro,micro", "--out", str(tmp_path)], "twice")
    no_output(tmp_path)


def test_start_day_before_the_end_is_accepted_and_without_a_campaign_any_start_day():
    assert resolve({"market.days": 5, "campaign.start_day": 4.5})["campaign"]["start_day"] == 4.5
    assert resolve({"market.days": 5, "campaign.start_day": 9, "campaign.strategy": "none"})


def test_a_graph_sets_the_follower_count_the_population_check_uses(tmp_path, capsys):
    path = _graph(tmp_path, population=None)  # 300 followers, no population attribute
    argv = ["run", *FAST, "--graph", path, "--set", "market.population=5000", "--strategy", "nano"]
    assert main([*argv, "--set", "brand.budget=3000", "--out", str(tmp_path / "out")]) == 0
    manifest = json.loads(next((tmp_path / "out").iterdir()).joinpath("manifest.json").read_text())
    assert manifest["scenario"]["market"]["followers"] == 300
    assert manifest["scenario"]["market"]["population"] == 5000
    scenario = load_scenario(None, ["market.population=5000"], graph=nx.read_graphml(path))
    assert scenario["market"]["followers"] == 300


def test_verdict_never_prints_nan_or_inf_percentages():
    runs = pd.DataFrame(
        {
            "replication": [0, 0, 1, 1, 2, 2],
            "arm": ["a", "b"] * 3,
            "conversions": [0.0, 5.0, 0.0, 6.0, 0.0, 7.0],  # baseline zero: no relative change
            "roi": [-1.0, 1.0, -1.0, 1.2, -1.0, 1.1],
        }
    )
    line = verdict(paired_differences(runs, "a", "b", ["conversions", "roi"]), "a", "b")
    assert "b beats a on conversions by 6 (95% CI" in line
    assert "nan" not in line and "inf" not in line


# ----------------------------------------------------------------------------
# resources
# ----------------------------------------------------------------------------


def test_workers_are_capped_at_the_work_and_the_cores(monkeypatch):
    assert boundary.worker_count(999, 2) <= 2
    assert boundary.worker_count(999, 50) <= boundary.cores()
    monkeypatch.setattr(boundary, "cores", lambda: 8)
    monkeypatch.setattr(boundary, "available_memory", lambda: 2 * 10**9)
    per_worker = boundary.estimate_memory(resolve({"market.followers": 1_000_000})).bytes
    assert boundary.worker_count(8, 8, resolve({"market.followers": 1_000_000})) == int(2e9 // per_worker)
    r = run_experiment(resolve({"market.followers": 600, "market.days": 3}), strategy_arms(["micro"]), replications=2)
    assert r.timings["workers"] == 1


def test_memory_guard_refuses_before_building_with_the_estimate(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(boundary, "available_memory", lambda: 500 * 2**20)
    line = fails_with_one_line(
        capsys,
        ["run", "--set", "market.followers=5000000", "--quiet", "--out", str(tmp_path)],
        "market.followers = 5,000,000 needs about",
        "GB for 5,000,000 followers",
        "follow edges",
        "0.5 GB available",
    )
    assert "use fewer followers" in line
    no_output(tmp_path)
    with pytest.raises(ScenarioError, match="needs about"):
        InfluencerModel(seed=1, market__followers=5_000_000)


def test_memory_estimate_scales_with_followers_and_edges():
    small = boundary.estimate_memory(resolve({"market.followers": 100_000}))
    big = boundary.estimate_memory(resolve({"market.followers": 1_000_000}))
    dense = boundary.estimate_memory(resolve({"market.followers": 100_000, "market.population": 1_000_000}))
    assert big.follow_edges == pytest.approx(10 * small.follow_edges, rel=0.02)
    assert dense.follow_edges > 5 * small.follow_edges  # 20 people per agent, not 200
    assert big.bytes > 952 * 2**20  # measured peak of a 1M-follower run: the guard must not undershoot it


# ----------------------------------------------------------------------------
# outputs
# ----------------------------------------------------------------------------


def test_output_names_stay_inside_the_output_root(tmp_path):
    for name in ("../../escape", "/etc/passwd", ".hidden", "a/../../b", "..", ""):
        tmp, final = output_module.new_run_dir(tmp_path / "out", name)
        assert tmp.parent == final.parent == tmp_path / "out"
        assert not final.name.startswith(".")
        output_module.discard(tmp)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_an_existing_result_is_never_overwritten(tmp_path):
    tmp, final = output_module.new_run_dir(tmp_path, "x")
    final.mkdir()  # someone else took the name meanwhile
    (final / "keep.txt").write_text("theirs")
    done = output_module.finish(tmp, final)
    assert done != final and (final / "keep.txt").read_text() == "theirs" and done.is_dir()


def test_scenario_files_are_data_not_code(tmp_path):
    path = tmp_path / "s.toml"
    marker = tmp_path / "ran"
    path.write_text(f'__import__("os").mkdir("{marker}")\n')
    with pytest.raises(ScenarioError, match="not valid TOML"):
        load_scenario(path)
    assert not marker.exists()


# ----------------------------------------------------------------------------
# interruptions
# ----------------------------------------------------------------------------


RUN_REPLICATION = experiment_module.run_replication


def _ctrl_c_in_replication_1(params, arms, seq, k, graph=None):
    """Replication 1 ends with Ctrl-C (in whichever process runs it); the others run."""
    if k == 1:
        raise KeyboardInterrupt
    return RUN_REPLICATION(params, arms, seq, k, graph)


@pytest.mark.parametrize("workers", [1, 2])
def test_ctrl_c_keeps_exactly_the_finished_replications_and_says_which(tmp_path, capsys, monkeypatch, workers):
    monkeypatch.setattr(experiment_module, "run_replication", _ctrl_c_in_replication_1)
    argv = ["compare", *FAST, "--replications", "4", "--workers", str(workers), "--out", str(tmp_path)]
    assert main(argv) == 130
    (d,) = list(tmp_path.iterdir())  # one complete directory, no hidden partial one
    manifest = json.loads((d / "manifest.json").read_text())
    runs = pd.read_csv(d / "runs.csv")
    kept = sorted(runs.replication.unique().tolist())
    assert manifest["status"] == "interrupted"
    assert manifest["seeds"]["finished_replications"] == kept
    assert manifest["seeds"]["replications"] == len(kept) >= 1
    assert 1 not in kept and 0 in kept
    assert set(pd.read_csv(d / "daily.csv").replication) == set(kept)
    assert "kept" in capsys.readouterr().err


def test_parallel_interruption_keeps_replications_that_finished_first(monkeypatch):
    params = resolve({"market.followers": 600, "market.days": 3, "creators.count": 200})
    calls = []

    def stop(done):
        calls.append(done)
        raise KeyboardInterrupt

    r = run_experiment(params, strategy_arms(["micro"]), replications=4, workers=2, on_result=stop)
    assert not r.complete and len(calls) == 1
    assert r.finished == sorted(r.runs.replication.unique().tolist()) and len(r.finished) >= 1
    assert r.replications == len(r.finished)


def test_ctrl_c_while_writing_is_held_until_the_directory_is_complete(tmp_path, capsys, monkeypatch):
    original = output_module.write_manifest

    def interrupted_write(*args, **kwargs):
        os.kill(os.getpid(), signal.SIGINT)  # a (second) Ctrl-C in the middle of writing
        return original(*args, **kwargs)

    monkeypatch.setattr(output_module, "write_manifest", interrupted_write)
    assert main(["run", *FAST, "--replications", "2", "--out", str(tmp_path)]) == 130
    (d,) = list(tmp_path.iterdir())
    assert not d.name.startswith(".")
    assert json.loads((d / "manifest.json").read_text())["seeds"]["finished_replications"] == [0, 1]
    assert (d / "summary.csv").is_file() and len(pd.read_csv(d / "runs.csv")) == 2


def test_replication_k_is_the_same_whatever_the_first():
    params = resolve({"market.followers": 600, "market.days": 3, "creators.count": 200})
    whole = run_experiment(params, strategy_arms(["micro"]), replications=3, seed=5)
    tail = run_experiment(params, strategy_arms(["micro"]), replications=1, seed=5, first=2)
    cols = ["conversions", "spend", "unique_reach"]
    pd.testing.assert_frame_equal(
        whole.runs[whole.runs.replication == 2][cols].reset_index(drop=True), tail.runs[cols].reset_index(drop=True)
    )
    assert tail.finished == [2]


def test_load_graph_names_the_file(tmp_path):
    path = _graph(tmp_path, fee=-1.0)
    with pytest.raises(ScenarioError, match=r"g\.graphml: graph: node 'star' has fee=-1\.0"):
        load_graph(path)


def test_the_dashboard_listens_on_localhost_unless_told_otherwise():
    from simulation.cli import build_parser

    assert build_parser().parse_args(["dashboard"]).host == "127.0.0.1"


def test_a_sweep_name_cannot_leave_the_output_folder(tmp_path, capsys):
    out = tmp_path / "out"
    argv = ["sweep", *FAST[:6], "--grid", "brand.budget=50000", "--replications", "1", "--quiet"]
    assert main([*argv, "--executor", "serial", "--name", "../../escaped", "--out", str(out)]) == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]
    assert [p.name for p in out.iterdir()] == ["escaped"]
    a_file = tmp_path / "afile"
    a_file.write_text("x")
    fails_with_one_line(capsys, [*argv, "--executor", "serial", "--out", str(a_file)], "is a file: expected a folder")
