"""The experiment layer: seeds, paired runs, intervals, verdicts, workers."""

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from simulation.experiment import (
    mean_ci,
    paired_differences,
    run_experiment,
    strategy_arms,
    summarize,
    verdict,
    with_overrides,
)
from simulation.params import ScenarioError, resolve

SMALL = resolve({"market": {"followers": 3000, "days": 8}})


def test_mean_ci_matches_t_interval():
    x = np.array([3.0, 5.0, 4.0, 8.0, 6.0])
    m, lo, hi = mean_ci(x, 0.95)
    half = stats.t.ppf(0.975, 4) * x.std(ddof=1) / math.sqrt(5)
    assert m == pytest.approx(5.2)
    assert (lo, hi) == pytest.approx((5.2 - half, 5.2 + half))


def test_mean_ci_ignores_nan_and_handles_one_value():
    assert mean_ci([1.0, np.nan, 3.0])[0] == 2.0
    m, lo, hi = mean_ci([7.0])
    assert m == 7.0 and math.isnan(lo) and math.isnan(hi)


def _synthetic_runs():
    rng = np.random.default_rng(0)
    rows = []
    for k in range(30):
        base = rng.normal(100, 30)  # shared market effect: pairing removes it
        rows.append({"replication": k, "arm": "a", "conversions": base, "roi": 0.5, "cpa": 10.0})
        rows.append({"replication": k, "arm": "b", "conversions": base + 5 + rng.normal(0, 1), "roi": 0.7, "cpa": 8.0})
    return pd.DataFrame(rows)


def test_paired_difference_removes_the_shared_market_effect():
    runs = _synthetic_runs()
    d = paired_differences(runs, "a", "b", ["conversions", "cpa"]).set_index("metric")
    assert d.loc["conversions", "difference"] == pytest.approx(5, abs=0.6)
    width = d.loc["conversions", "ci_high"] - d.loc["conversions", "ci_low"]
    assert width < 1.5  # unpaired, the market's sd of 30 would make it ~30 wide
    assert d.loc["conversions", "wins_b"] == 1.0
    assert d.loc["cpa", "wins_b"] == 1.0  # lower CPA is better


def test_verdict_names_the_winner_and_the_tie():
    runs = _synthetic_runs()
    line = verdict(paired_differences(runs, "a", "b", ["conversions", "roi"]), "a", "b")
    assert line.startswith("Verdict (sales goal): b beats a on conversions")
    assert "cpa: not measured" in line
    runs.loc[runs.arm == "b", "conversions"] = runs.loc[runs.arm == "a", "conversions"].to_numpy() + np.tile(
        [1, -1], 15
    )
    line = verdict(paired_differences(runs, "a", "b", ["conversions", "roi"]), "a", "b")
    assert "no clear winner on conversions" in line


def test_experiment_is_paired_and_reproducible():
    arms = strategy_arms(["mega", "micro"])
    r1 = run_experiment(SMALL, arms, replications=3, seed=11)
    r2 = run_experiment(SMALL, arms, replications=3, seed=11)
    cols = [c for c in r1.runs.columns if c != "seconds"]
    pd.testing.assert_frame_equal(r1.runs[cols], r2.runs[cols])
    assert len(r1.runs) == 6 and set(r1.runs.arm) == {"mega", "micro"}
    assert (r1.runs.spend <= r1.runs.budget + 1e-6).all()
    # replications differ from each other
    assert r1.runs[r1.runs.arm == "micro"].impressions.nunique() > 1


def test_replication_k_is_the_same_in_a_slice_and_across_workers():
    arms = strategy_arms(["mega", "micro"])
    whole = run_experiment(SMALL, arms, replications=3, seed=5)
    tail = run_experiment(SMALL, arms, replications=1, seed=5, first=2)
    parallel = run_experiment(SMALL, arms, replications=3, seed=5, workers=2)
    cols = [c for c in whole.runs.columns if c != "seconds"]
    pd.testing.assert_frame_equal(
        whole.runs[whole.runs.replication == 2][cols].reset_index(drop=True), tail.runs[cols].reset_index(drop=True)
    )
    pd.testing.assert_frame_equal(whole.runs[cols], parallel.runs[cols])


def test_interrupt_keeps_finished_replications():
    def stop_after_one(done):
        if done == 1:
            raise KeyboardInterrupt

    r = run_experiment(SMALL, strategy_arms(["mega"]), replications=4, seed=1, on_result=stop_after_one)
    assert not r.complete
    assert r.replications == 1 and list(r.runs.replication) == [0]


def test_bad_arm_fails_before_any_work():
    with pytest.raises(ScenarioError, match="campaign.strategy"):
        run_experiment(SMALL, {"x": {"campaign.strategy": "celebrity"}}, replications=1)


def test_with_overrides_checks_values():
    assert with_overrides(SMALL, {"brand.budget": 5})["brand"]["budget"] == 5.0
    with pytest.raises(ScenarioError, match="brand.margin"):
        with_overrides(SMALL, {"brand.margin": 3})


def test_summarize_long_format():
    s = summarize(_synthetic_runs(), ["conversions", "roi"])
    assert set(s.columns) >= {"arm", "metric", "mean", "ci_low", "ci_high", "n"}
    assert len(s) == 4 and (s["n"] == 30).all()


def test_workers_in_a_script_without_a_main_guard(tmp_path):
    """Researchers write scripts without `if __name__ == "__main__":`; workers must still run."""
    import subprocess
    import sys

    script = tmp_path / "study.py"
    script.write_text(
        "from simulation.experiment import run_experiment, strategy_arms\n"
        "from simulation.params import resolve\n"
        "p = resolve({'market': {'followers': 2000, 'days': 4}})\n"
        "r = run_experiment(p, strategy_arms(['mega', 'micro']), replications=2, seed=3, workers=2)\n"
        "print(len(r.runs), r.complete)\n"
    )
    proc = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert proc.stdout.strip() == "4 True"
