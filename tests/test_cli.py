"""The command line end to end, including bad input."""

import json
import subprocess
import sys
import tomllib

import pandas as pd
import pytest

from simulation.cli import main
from simulation.experiment import headline_metrics
from simulation.params import BY_KEY, defaults

FAST = ["--set", "market.followers=3000", "--set", "market.days=6", "--quiet"]


def _only_dir(out):
    dirs = [p for p in out.iterdir()]
    assert len(dirs) == 1, dirs
    return dirs[0]


def test_compare_writes_tables_plots_manifest_and_verdict(tmp_path, capsys):
    assert main(["compare", *FAST, "--replications", "3", "--seed", "7", "--out", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "micro - mega" in out and "Verdict (sales goal):" in out
    assert "Why: engagement per impression" in out and "(mega) vs" in out
    d = _only_dir(tmp_path)
    for name in (
        "runs.csv",
        "daily.csv",
        "creators.csv",
        "creators_daily.csv",
        "summary.csv",
        "paired_differences.csv",
        "manifest.json",
        "report.md",
        "verdict.txt",
        "conversions_over_time.png",
        "roi_cpa.png",
        "funnel.png",
    ):
        assert (d / name).is_file(), name
    runs = pd.read_csv(d / "runs.csv")
    assert sorted(runs.arm.unique()) == ["mega", "micro"] and len(runs) == 6
    summary = pd.read_csv(d / "summary.csv")
    assert list(summary.metric.unique()) == headline_metrics("sales")  # spend first, then the goal's measures
    manifest = json.loads((d / "manifest.json").read_text())
    assert manifest["status"] == "complete"
    assert manifest["seeds"]["base_seed"] == 7 and manifest["seeds"]["replications"] == 3
    assert manifest["scenario"]["market"]["followers"] == 3000
    assert "mesa" in manifest["versions"] and manifest["git_commit"]
    per_creator_day = pd.read_csv(d / "creators_daily.csv")
    last = per_creator_day[per_creator_day.step == per_creator_day.step.max()]
    creators = pd.read_csv(d / "creators.csv")
    assert last["spend"].sum() == pytest.approx(creators["spend"].sum())  # cumulative by creator and day
    assert (
        per_creator_day.groupby(["replication", "arm", "creator"])["impressions"]
        .apply(lambda s: s.is_monotonic_increasing)
        .all()
    )
    daily = pd.read_csv(d / "daily.csv")
    assert daily.groupby(["replication", "arm"]).size().eq(7).all()  # day 0 and 6 steps


def test_same_seed_same_numbers_from_the_command_line(tmp_path):
    for sub in ("a", "b"):
        assert (
            main(["run", *FAST, "--strategy", "micro", "--seed", "3", "--out", str(tmp_path / sub), "--no-plots"]) == 0
        )
    a = pd.read_csv(_only_dir(tmp_path / "a") / "runs.csv").drop(columns="seconds")
    b = pd.read_csv(_only_dir(tmp_path / "b") / "runs.csv").drop(columns="seconds")
    pd.testing.assert_frame_equal(a, b)


def test_run_several_strategies(tmp_path, capsys):
    assert main(["run", "startup", *FAST, "--strategy", "micro,nano", "--out", str(tmp_path), "--no-plots"]) == 0
    runs = pd.read_csv(_only_dir(tmp_path) / "runs.csv")
    assert sorted(runs.arm) == ["micro", "nano"]
    assert "startup" in capsys.readouterr().out


def test_params_lists_every_parameter(capsys):
    assert main(["params"]) == 0
    out = capsys.readouterr().out
    for key in BY_KEY:
        assert key in out


def test_params_toml_round_trips_to_the_defaults(capsys):
    assert main(["params", "--format", "toml"]) == 0
    parsed = tomllib.loads(capsys.readouterr().out)
    assert parsed == defaults()


BAD = [
    (["--set", "brand.budgt=5"], "brand.budgt"),
    (["--set", "brand.budget=lots"], "brand.budget"),
    (["--set", "brand.margin=2"], "from 0 to 1"),
    (["--set", "campaign.strategy=celebrity"], "one of mega"),
    (["--set", "brand.budget=5"], "brand.budget = 5 USD hires nobody"),
    (["--set", "nodots"], "KEY=VALUE"),
    (["no_such_scenario"], "scenario file not found"),
    (["--graph", "missing.graphml"], "graph file not found"),
    (["--replications", "0"], "--replications"),
    (["--seed", "x"], "--seed"),
]


def _exit_code(args) -> int:
    """main()'s status whether it returns it or argparse exits with it."""
    try:
        return main(args)
    except SystemExit as exc:
        return exc.code


@pytest.mark.parametrize("extra,needle", BAD)
def test_bad_input_is_one_line_exit_2_and_no_output(tmp_path, capsys, extra, needle):
    code = _exit_code(["run", *extra, "--set", "market.followers=2000", "--out", str(tmp_path / "out")])
    err = capsys.readouterr().err
    assert code == 2
    assert needle in err
    assert len(err.strip().splitlines()) == 1, err
    assert "Traceback" not in err
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())


def test_bad_scenario_files(tmp_path, capsys):
    bad_toml = tmp_path / "bad.toml"
    bad_toml.write_text("[brand\nbudget = 1")
    unknown = tmp_path / "unknown.toml"
    unknown.write_text("[brand]\ncolour = 'red'\n")
    not_table = tmp_path / "flat.toml"
    not_table.write_text("budget = 5\n")
    for path, needle in ((bad_toml, "not valid TOML"), (unknown, "brand.colour"), (not_table, "[section]")):
        assert main(["run", str(path), "--out", str(tmp_path / "o")]) == 2
        err = capsys.readouterr().err
        assert needle in err and len(err.strip().splitlines()) == 1
    assert not (tmp_path / "o").exists()


def test_console_script_exit_status_and_no_traceback(tmp_path):
    exe = [sys.executable, "-m", "simulation.cli"]
    proc = subprocess.run(
        [*exe, "compare", "--set", "brand.margin=7", "--out", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 2
    assert (
        proc.stderr.strip() == "influencer-sim: error: brand.margin = 7 is out of range: expected a number from 0 to 1"
    )
    assert not any(tmp_path.iterdir())
