"""Every experiment script runs end to end at a tiny size (small markets, 2 replications, 2x2 grids)."""

import importlib.util
import json
from pathlib import Path

import pandas as pd

from simulation.cli import experiment_names, main

ROOT = Path(__file__).resolve().parent.parent
TINY = ["--set", "market.followers=1500", "--set", "market.days=5", "--replications", "2", "--quiet"]
TINY += ["--executor", "serial"]


def _load(name):
    spec = importlib.util.spec_from_file_location(name, ROOT / "experiments" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _report(directory: Path) -> str:
    text = (directory / "report.md").read_text()
    above_fold = text.split("## Appendix")[0].lower()
    assert "replication" not in above_fold and "seed" not in above_fold
    assert "_" not in above_fold.split("![")[0]  # no snake_case names in the recommendations
    assert (directory / "report.html").read_text().count("data:image/png;base64,") >= 1
    assert json.loads((directory / "manifest.json").read_text())["status"] == "complete"
    return text


def test_every_script_has_a_test():
    tested = {name.removeprefix("test_") for name in globals() if name.startswith("test_")}
    assert set(experiment_names()) <= tested


def test_headline(tmp_path):
    assert _load("headline").main([*TINY, "--out", str(tmp_path)]) == 0
    out = tmp_path / "headline"
    runs = pd.read_csv(out / "runs.csv")
    assert len(runs) == 4 and set(runs["strategy"]) == {"mega", "micro"}
    assert {"funnel.png", "funnel.svg", "customers_over_time.png", "return_and_cost.png"} <= {
        p.name for p in out.iterdir()
    }
    assert "For sales" in _report(out)


def test_budget(tmp_path, capsys):
    argv = [*TINY, "--budgets", "100000,25000", "--out", str(tmp_path)]
    assert main(["experiment", "budget", *argv]) == 0
    out = tmp_path / "budget"
    summary = pd.read_csv(out / "summary.csv")
    assert summary["brand.budget"].tolist() == sorted(summary["brand.budget"])  # numeric order
    spend = summary[summary.measure == "spend"]
    assert (spend["mean"] <= spend["brand.budget"] + 1e-6).all()
    diffs = pd.read_csv(out / "differences.csv")
    assert set(diffs["strategy"]) == {"micro", "mixed"} and set(diffs["reference"]) == {"mega"}
    assert (diffs["ci_low"] <= diffs["difference"]).all() or diffs["ci_low"].isna().any()
    assert "With $25,000" in _report(out)
    capsys.readouterr()
    assert main(["experiment", "budget", "--budgets", "lots", "--out", str(tmp_path)]) == 2
    assert len(capsys.readouterr().err.strip().splitlines()) == 1
