"""Designs: seeds per (point, replication), resuming, skipped points, executors, intervals."""

import json
import os
import signal
import subprocess
import sys
import time

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from simulation.cli import main
from simulation.design import Design, grid, point_differences, point_hash, run_design, run_seed
from simulation.params import ScenarioError, load_scenario, resolve

TINY = {"market": {"followers": 1500, "days": 4}}


def tiny(**extra):
    return resolve({**TINY, **extra})


def test_point_seed_depends_only_on_root_point_and_replication():
    a = run_seed(7, {"brand.budget": 5e4}, 3)
    b = run_seed(7, {"brand.budget": "50000"}, 3)
    assert a.generate_state(4).tolist() == b.generate_state(4).tolist()
    assert run_seed(7, {"brand.budget": 6e4}, 3).generate_state(4).tolist() != a.generate_state(4).tolist()
    assert point_hash({}) != point_hash({"brand.budget": 5e4})


def test_adding_a_point_or_a_replication_keeps_the_other_numbers():
    small = run_design(grid(tiny(), {"brand.budget": [4e4]}, replications=2, seed=3), executor="serial", progress=False)
    big = run_design(
        grid(tiny(), {"brand.budget": [2e4, 4e4]}, replications=3, seed=3), executor="serial", progress=False
    )
    same = big.runs[(big.runs["brand.budget"] == 4e4) & (big.runs["replication"] < 2)].reset_index(drop=True)
    pd.testing.assert_frame_equal(same, small.runs)
    assert len(big.runs) == 2 * 2 * 3


def test_tidy_table_has_one_row_per_point_strategy_replication():
    d = grid(tiny(), {"brand.budget": [3e4, 6e4], "brand.price": [20, 40]}, strategies=["mega", "micro", "mixed"])
    d = Design(d.scenario, d.points, d.strategies, replications=2, seed=1)
    r = run_design(d, executor="serial", progress=False)
    assert len(r.runs) == 4 * 3 * 2
    assert list(r.runs.columns[:5]) == ["point", "brand.budget", "brand.price", "strategy", "replication"]
    assert not r.runs.duplicated(["point", "strategy", "replication"]).any()
    assert {"conversions", "roi", "cpa", "profit", "unique_reach"} <= set(r.runs.columns)
    assert set(r.differences["strategy"]) == {"micro", "mixed"}
    assert set(r.differences["reference"]) == {"mega"}
    assert (r.runs["spend"] <= r.runs["brand.budget"] + 1e-6).all()


def test_unaffordable_point_is_recorded_and_the_sweep_goes_on(tmp_path):
    d = grid(tiny(), {"brand.budget": [3000, 40000]}, replications=2, seed=0, name="afford")
    r = run_design(d, tmp_path, executor="serial", progress=False)
    assert r.complete
    assert set(r.skipped["strategy"]) == {"mega"}
    assert set(r.skipped["brand.budget"]) == {3000.0}
    assert r.skipped["reason"].str.contains("hires nobody").all()
    # micro still ran at the unaffordable point; mega ran where it could
    assert len(r.runs[(r.runs["brand.budget"] == 3000) & (r.runs["strategy"] == "micro")]) == 2
    assert len(r.runs[(r.runs["brand.budget"] == 40000) & (r.runs["strategy"] == "mega")]) == 2
    assert set(r.differences["brand.budget"]) == {40000.0}
    assert (tmp_path / "afford" / "skipped.csv").is_file()
    import json

    manifest = json.loads((tmp_path / "afford" / "manifest.json").read_text())
    assert manifest["skipped"] and manifest["skipped"][0]["strategy"] == "mega"


def test_paired_intervals_match_scipy():
    rng = np.random.default_rng(5)
    a = rng.normal(10, 2, 12)
    b = a + rng.normal(1.5, 1, 12)
    runs = pd.DataFrame(
        {
            "point": "p",
            "strategy": ["mega"] * 12 + ["micro"] * 12,
            "replication": list(range(12)) * 2,
            "conversions": np.concatenate([a, b]),
        }
    )
    d = Design(resolve(), strategies=("mega", "micro"), replications=12)
    diffs = point_differences(runs, d, ["conversions"])
    ci = stats.ttest_rel(b, a).confidence_interval(0.95)
    row = diffs.iloc[0]
    assert row["difference"] == pytest.approx(float(np.mean(b - a)))
    assert row["ci_low"] == pytest.approx(ci.low, rel=1e-12)
    assert row["ci_high"] == pytest.approx(ci.high, rel=1e-12)
    assert row["n"] == 12


def test_bad_designs_fail_before_running():
    with pytest.raises(ScenarioError, match="unknown parameter 'brand.bogus'"):
        grid(tiny(), {"brand.bogus": [1]})
    with pytest.raises(ScenarioError, match="brand.margin"):
        grid(tiny(), {"brand.margin": [0.5, 7]})
    with pytest.raises(ScenarioError, match="listed twice"):
        grid(tiny(), {"brand.budget": ["1e4", 10000]})
    with pytest.raises(ScenarioError, match="strategy 'celebrity'"):
        Design(tiny(), strategies=("mega", "celebrity"))


def _dask_available() -> bool:
    try:
        import dask.distributed  # noqa: F401
    except ImportError:
        return False
    return True


DASK_RUN = """
import pickle, sys
from dask.distributed import LocalCluster
from simulation.design import grid, run_design
from simulation.params import resolve

design = grid(resolve({"market": {"followers": 1500, "days": 4}}), {"brand.budget": [3000, 30000]},
              replications=2, seed=11)
local = run_design(design, executor="dask", workers=2, progress=False)
# an existing scheduler given by address, as on a cluster
with LocalCluster(n_workers=1, threads_per_worker=1, host="127.0.0.1", dashboard_address=None) as cluster:
    remote = run_design(design, scheduler=cluster.scheduler_address, progress=False)
with open(sys.argv[1], "wb") as f:
    pickle.dump([(r.runs, r.differences, r.skipped, r.executor) for r in (local, remote)], f)
"""


@pytest.mark.skipif(not _dask_available(), reason="dask[distributed] is not installed (pip install '.[dask]')")
def test_serial_pool_and_dask_local_cluster_give_identical_tables(tmp_path):
    import pickle

    d = grid(tiny(), {"brand.budget": [3000, 30000]}, replications=2, seed=11)
    serial = run_design(d, executor="serial", progress=False)
    pool = run_design(d, executor="pool", workers=2, progress=False)
    assert pool.executor["name"] == "pool"
    # Dask in its own process: its client threads must not linger in this one (later tests fork)
    subprocess.run([sys.executable, "-c", DASK_RUN, str(tmp_path / "dask.pkl")], check=True, timeout=300)
    (local, remote) = pickle.loads((tmp_path / "dask.pkl").read_bytes())
    assert local[3] == {"name": "dask", "scheduler": "LocalCluster 127.0.0.1", "workers": 2}
    assert remote[3]["scheduler"].startswith("tcp://127.0.0.1:")
    tables = [(pool.runs, pool.differences, pool.skipped), local[:3], remote[:3]]
    for runs, differences, skipped in tables:
        pd.testing.assert_frame_equal(runs, serial.runs)
        pd.testing.assert_frame_equal(differences, serial.differences)
        pd.testing.assert_frame_equal(skipped, serial.skipped)
    assert len(serial.runs) == 6 and len(serial.skipped) == 2


SWEEP = [
    "sweep",
    "mega_vs_micro",
    "--grid",
    "brand.budget=20000,40000,60000,80000",
    "--set",
    "market.followers=4000",
    "--set",
    "market.days=8",
    "--replications",
    "3",
    "--executor",
    "serial",
    "--quiet",
]


def _stop_part_way(out, sig) -> int:
    """Start a real sweep, send ``sig`` once 3 runs are on disk; the sweep's exit status."""
    cmd = [sys.executable, "-m", "simulation.cli", *SWEEP, "--out", str(out)]
    # SIGINT back to its default, in case this test runs where it is ignored (a background job)
    proc = subprocess.Popen(
        cmd,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.default_int_handler),
    )
    store = out / "mega_vs_micro-sweep" / "runs"
    deadline = time.time() + 120
    while time.time() < deadline and proc.poll() is None:
        if store.is_dir() and len(list(store.glob("*.json"))) >= 3:
            break
        time.sleep(0.05)
    assert proc.poll() is None, "the sweep finished before it could be stopped"
    os.kill(proc.pid, sig)
    return proc.wait(timeout=60)


def test_interrupted_sweep_keeps_finished_runs_and_says_so(tmp_path):
    """Ctrl-C (SIGINT): exit status 130, the finished runs in the tables, the manifest says interrupted."""
    assert _stop_part_way(tmp_path, signal.SIGINT) == 130
    import json

    folder = tmp_path / "mega_vs_micro-sweep"
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["status"] == "interrupted"
    done = len(list((folder / "runs").glob("*.json")))
    assert manifest["timings"]["runs_computed"] == done < 12
    assert len(pd.read_csv(folder / "runs.csv")) == 2 * done  # both strategies of each finished run


def test_killed_sweep_resumes_to_the_same_table(tmp_path):
    """SIGKILL a real sweep part-way; the rerun computes only what is missing."""
    killed, clean = tmp_path / "killed", tmp_path / "clean"
    assert _stop_part_way(killed, signal.SIGKILL) == -signal.SIGKILL
    store = killed / "mega_vs_micro-sweep" / "runs"
    done = len(list(store.glob("*.json")))
    assert 3 <= done < 12
    assert not (killed / "mega_vs_micro-sweep" / "runs.csv").exists()

    assert main([*SWEEP, "--out", str(killed)]) == 0
    assert main([*SWEEP, "--out", str(clean)]) == 0
    resumed = pd.read_csv(killed / "mega_vs_micro-sweep" / "runs.csv")
    uninterrupted = pd.read_csv(clean / "mega_vs_micro-sweep" / "runs.csv")
    pd.testing.assert_frame_equal(resumed, uninterrupted)
    assert not resumed.duplicated(["point", "strategy", "replication"]).any()
    assert len(resumed) == 4 * 2 * 3
    import json

    timings = json.loads((killed / "mega_vs_micro-sweep" / "manifest.json").read_text())["timings"]
    assert timings["runs_reused"] == done and timings["runs_computed"] == 12 - done


def test_sweep_table_in_scenario_file_and_bad_input(tmp_path, capsys):
    scenario = tmp_path / "s.toml"
    scenario.write_text(
        '[market]\nfollowers = 1500\ndays = 3\n[sweep]\n"brand.price" = [20.0, 60.0]\n[scenario]\ncompare = ["mega", "micro"]\n'
    )
    args = ["sweep", str(scenario), "--replications", "2", "--out", str(tmp_path), "--quiet", "--executor", "serial"]
    assert main(args) == 0
    runs = pd.read_csv(tmp_path / "s-sweep" / "runs.csv")
    assert sorted(runs["brand.price"].unique()) == [20.0, 60.0]
    assert (tmp_path / "s-sweep" / "report.html").read_text().startswith("<!doctype html>")
    capsys.readouterr()
    for bad in (["--grid", "brand.price"], ["--grid", "brand.price=-5"], ["--grid", "brand.prize=1,2"]):
        assert main(["sweep", str(scenario), *bad, "--out", str(tmp_path), "--quiet"]) == 2
        err = capsys.readouterr().err.strip()
        assert len(err.splitlines()) == 1 and "brand.pri" in err


def test_load_scenario_by_shipped_name():
    assert load_scenario("startup")["brand"]["budget"] == 25_000.0
    assert load_scenario("startup")["scenario"]["name"] == "startup"
    with pytest.raises(ScenarioError, match="not found"):
        load_scenario("no_such_scenario")


def test_parquet_copies_of_the_tables(tmp_path):
    pytest.importorskip("pyarrow", reason="pyarrow is not installed: tables are written as CSV only")
    design = grid(tiny(), {"brand.budget": [3000, 30000]}, replications=2)
    r = run_design(design, tmp_path, executor="serial", progress=False)
    for name in ("runs", "differences", "skipped"):
        table = pd.read_parquet(tmp_path / "sweep" / f"{name}.parquet")
        pd.testing.assert_frame_equal(table, getattr(r, name), check_dtype=False)


def test_stored_runs_are_json_and_round_trip_exactly(tmp_path):
    """A resumed sweep reads JSON, never pickle, and gets back exactly what was stored."""
    from simulation.design import _Store

    daily = pd.DataFrame(
        {
            "step": np.arange(3, dtype=np.int64),
            "conversions": [0.1 + 0.2, np.nan, 1e-300],
            "strategy": ["mega", "micro", "mega"],
            "flag": [True, False, True],
        }
    )
    result = {"rows": [{"roi": np.float64(1 / 3), "posts": np.int64(7), "error": None}], "daily": daily, "seconds": 0.5}
    store = _Store(tmp_path / "runs")
    store.save("k1", result)
    assert json.loads((tmp_path / "runs" / "k1.json").read_text())  # plain JSON on disk
    back = store.load("k1")
    assert back["rows"] == [{"roi": 1 / 3, "posts": 7, "error": None}] and back["seconds"] == 0.5
    pd.testing.assert_frame_equal(back["daily"], daily, check_exact=True)
    # a planted pickle is never read
    (tmp_path / "runs" / "k2.pkl").write_bytes(b"cos\nsystem\n(S'echo planted'\ntR.")
    assert store.load("k2") is None
