"""Every experiment script runs end to end at a tiny size (small markets, 2 replications, 2x2 grids)."""

import importlib.util
import json
from pathlib import Path

import pandas as pd
import pytest

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
    assert "For return on fees, micro creators beat mega creators at" in _report(out)
    capsys.readouterr()
    assert main(["experiment", "budget", "--budgets", "lots", "--out", str(tmp_path)]) == 2
    assert len(capsys.readouterr().err.strip().splitlines()) == 1


def test_how_many_micro(tmp_path):
    assert _load("how_many_micro").main([*TINY, "--counts", "1,5", "--out", str(tmp_path)]) == 0
    out = tmp_path / "how_many_micro"
    summary = pd.read_csv(out / "summary.csv")
    assert summary["campaign.max_creators"].tolist() == [1, 5]
    assert (summary["creators_hired"] <= summary["campaign.max_creators"]).all()
    assert summary["creators_hired"].iloc[1] > summary["creators_hired"].iloc[0]
    assert "micro creators sold the most" in _report(out)


def test_crossover(tmp_path):
    argv = [*TINY, "--x", "brand.price=10,200", "--y", "creators.fee_exponent=0.9,1.1", "--out", str(tmp_path)]
    assert _load("crossover").main(argv) == 0
    out = tmp_path / "crossover"
    runs = pd.read_csv(out / "runs.csv")
    assert (
        len(runs) == 2 * 2 * 2 * 2 and runs["market.followers"].eq(1500).all() if "market.followers" in runs else True
    )
    diffs = pd.read_csv(out / "differences.csv")
    assert len(diffs[diffs.metric == "roi"]) == 4
    assert {"map_sales.png", "map_sales.svg", "map_awareness.png"} <= {p.name for p in out.iterdir()}
    text = _report(out)
    assert "For sales, micro creators win" in text and "For awareness" in text


def test_brand_profiles(tmp_path):
    assert _load("brand_profiles").main([*TINY, "--set", "market.days=3", "--out", str(tmp_path)]) == 0
    out = tmp_path / "brand_profiles"
    table = pd.read_csv(out / "profiles.csv")
    assert table["profile"].unique().tolist() == [
        "startup",
        "small_business",
        "ecommerce",
        "local_brand",
        "global_brand",
    ]
    assert set(table["strategy"]) == {"mega", "micro", "mixed"}
    runs = pd.read_csv(out / "runs.csv")
    budgets = runs.groupby("profile", sort=False)["budget"].first().to_dict()
    assert budgets == {
        "startup": 25_000,
        "small_business": 10_000,
        "ecommerce": 60_000,
        "local_brand": 8_000,
        "global_brand": 500_000,
    }  # each point runs exactly its profile's scenario
    assert (out / "profiles.png").is_file() and (out / "profiles.svg").is_file()
    assert "Start-up: For sales" in _report(out)


def test_partnership(tmp_path):
    assert _load("partnership").main([*TINY, "--set", "market.days=15", "--out", str(tmp_path)]) == 0
    out = tmp_path / "partnership"
    runs = pd.read_csv(out / "runs.csv")
    assert set(runs["campaign.schedule"]) == {"one_off", "partnership"}
    # the schedule is paired: both schedules of a replication share the market (same organic reach on day 0)
    daily = pd.read_csv(out / "daily.csv")
    first = daily[daily["step"] == 0].groupby(["strategy", "replication"])["mean_trust"].nunique()
    assert (first == 1).all()
    assert runs.groupby(["strategy", "campaign.schedule"])["posts"].mean().loc["micro"].idxmax() == "partnership"
    diffs = pd.read_csv(out / "schedule_differences.csv")
    assert set(diffs["strategy"]) == {"mega", "micro"}
    assert {"trust_over_time.png", "customers_over_time.png"} <= {p.name for p in out.iterdir()}
    assert "a long-term partnership" in _report(out)


def test_sensitivity(tmp_path):
    pytest.importorskip("SALib", reason="SALib is not installed (pip install '.[sensitivity]')")
    argv = [*TINY, "--factor", "brand.price=10:200", "--factor", "brand.margin=0.2:0.8"]
    argv += ["--factor", "creators.fee_exponent=0.8:1.2", "--trajectories", "2", "--sobol-samples", "2"]
    assert _load("sensitivity").main([*argv, "--out", str(tmp_path)]) == 0
    out = tmp_path / "sensitivity"
    indices = pd.read_csv(out / "indices.csv")
    morris = indices[indices["stage"] == "morris"]
    assert len(morris) == 3 * 2 and (morris["value"] >= 0).all()
    sobol = indices[indices["stage"] == "sobol"]
    assert set(sobol["index"]) == {"S1", "ST"} and sobol["factor"].nunique() >= 2
    assert len(pd.read_csv(out / "morris" / "runs.csv")) == 2 * (3 + 1) * 2 * 2
    text = _report(out)
    assert "Sample sizes: 8 screening points" in text


def test_experiment_command_lists_scripts_and_rejects_unknown_names(capsys):
    assert main(["experiment", "--help"]) == 0
    listing = capsys.readouterr().out
    assert all(name in listing for name in experiment_names())
    assert main(["experiment", "no_such_experiment"]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "headline" in err


def test_scenarios(tmp_path, capsys):
    table = tmp_path / "table.md"
    argv = [*TINY, "--scenarios", "mega_vs_micro,luxury_launch,small_business", "--table", str(table)]
    assert main(["experiment", "scenarios", *argv]) == 0
    lines = table.read_text().splitlines()
    assert lines[0].startswith("| scenario | product | goal | compared | measure |")
    assert len(lines) == 2 + 3
    assert "| luxury_launch |" in lines[3] and "| sales | mega vs micro |" in lines[3]
    assert "| small_business |" in lines[4] and "| awareness | macro vs micro |" in lines[4]
    assert lines[-1] in capsys.readouterr().out
