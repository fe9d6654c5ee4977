"""The experiment scripts run end to end at a tiny size."""

import importlib.util
import sys
from pathlib import Path

import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parent.parent
TINY = ["--set", "market.followers=2000", "--set", "market.days=5", "--replications", "2"]


def _load(name):
    sys.path.insert(0, str(ROOT / "experiments"))
    try:
        spec = importlib.util.spec_from_file_location(name, ROOT / "experiments" / f"{name}.py")
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        return module
    finally:
        sys.path.remove(str(ROOT / "experiments"))


def test_budget_sweep(tmp_path):
    assert _load("budget_sweep").main([*TINY, "--out", str(tmp_path)]) == 0
    summary = pd.read_csv(tmp_path / "budget_sweep" / "summary.csv")
    spend = summary[summary.metric == "spend"]
    assert (spend["mean"] <= spend["budget"] + 1e-6).all()
    assert sorted(summary.budget.unique()) == [25_000, 50_000, 100_000, 200_000, 400_000]
    assert (tmp_path / "budget_sweep" / "budget_sweep.png").is_file()


@pytest.mark.slow
def test_brand_profiles(tmp_path):
    assert _load("brand_profiles").main([*TINY, "--out", str(tmp_path)]) == 0
    verdicts = (tmp_path / "brand_profiles" / "verdicts.txt").read_text().splitlines()
    assert [v.split(":")[0] for v in verdicts] == [
        "startup",
        "small_business",
        "ecommerce",
        "local_brand",
        "global_brand",
    ]
