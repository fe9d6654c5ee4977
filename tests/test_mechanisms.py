"""Where each strategy wins: the status, involvement and relationship-strength rules,
campaign goals in the verdict, and the published directions (slow)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from simulation import InfluencerModel, rules
from simulation.experiment import GOAL_MEASURES, headline_metrics, paired_differences, verdict
from simulation.validation.directions import (
    FINDINGS,
    check_directions,
    check_sponsored_engagement_peak,
    direction_change,
)


def test_status_grows_with_each_tenfold_of_followers():
    followers = np.array([500, 1_000, 10_000, 100_000, 1_000_000, 10_000_000, 50_000_000])
    status = rules.creator_status(followers, 1_000, 1e7)
    assert status.tolist() == pytest.approx([0.0, 0.0, 0.25, 0.5, 0.75, 1.0, 1.0])


def test_appeal_is_relatability_for_an_everyday_product_and_an_involved_follower():
    relatability, status = np.array([0.6, 0.4]), np.array([0.2, 0.9])
    weight = rules.status_weight(0.0, rules.involvement(1.0, 1.0))
    assert rules.source_appeal(relatability, status, weight).tolist() == pytest.approx([0.6, 0.4])


def test_status_weight_rises_with_luxury_and_falls_with_involvement():
    assert rules.status_weight(0.8, 1.0) > rules.status_weight(0.2, 1.0)
    assert rules.status_weight(0.2, 0.2) > rules.status_weight(0.2, 1.0)
    # a large creator's appeal overtakes a small one's only when status carries the message
    small = rules.source_appeal(0.55, rules.creator_status(30_000, 1_000, 1e7), rules.status_weight(0.0, 1.0))
    large = rules.source_appeal(0.45, rules.creator_status(3e6, 1_000, 1e7), rules.status_weight(0.0, 1.0))
    large_lux = rules.source_appeal(0.45, rules.creator_status(3e6, 1_000, 1e7), rules.status_weight(1.0, 1.0))
    assert small > large and large_lux > small


def test_relationship_strength_gives_an_interior_peak_where_the_formula_says():
    followers = np.logspace(3, 8, 2001)
    q, tie = 1.2, 2e5
    per_post = followers**0.8 * rules.relationship_strength(followers, tie, q)
    peak = followers[np.argmax(per_post)]
    assert peak == pytest.approx(tie * 0.8 / (q - 0.8), rel=0.02)
    # a flattened curve (q below 0.8) has no interior peak
    flat = followers**0.8 * rules.relationship_strength(followers, tie, 0.45)
    assert np.argmax(flat) == len(followers) - 1


def test_customization_and_an_unfamiliar_brand_flatten_the_curve():
    base = rules.tie_weakening(1.8, 0.5, 0.5, 0.5, 0.5)
    assert rules.tie_weakening(1.8, 1.0, 0.5, 0.5, 0.5) < base
    assert rules.tie_weakening(1.8, 0.5, 0.0, 0.5, 0.5) < base
    assert base == pytest.approx(1.0125)


def test_sponsored_engagement_per_post_peaks_inside_the_follower_range():
    (row,) = check_sponsored_engagement_peak(followers=20_000, seed=3)
    assert row.passed, row.detail
    means, counts = row.data["means"], row.data["counts"]
    filled = np.flatnonzero(counts > 0)
    assert means[filled[0]] < means[filled].max() and means[filled[-1]] < means[filled].max()


def test_expected_sponsored_engagements_match_a_run():
    """The expectation the shape check uses is what a run realises, on average."""
    model = InfluencerModel(seed=4, market__followers=40_000, campaign__strategy="micro", market__days=15)
    expected = model.expected_sponsored_engagements(model.brands[0])
    model.run()
    table = model.creator_table()
    hired = table[table["posts"] > 0]
    realised = hired["engagements"].sum()
    predicted = float((expected[hired["creator"]] * hired["posts"]).sum())
    # engagements are a sum of many rare events: Poisson noise, 3.5 standard deviations
    # (trust moves a little during the run, a few per cent at most over these days)
    k = model.people_per_agent
    assert abs(realised - predicted) / k < 3.5 * np.sqrt(predicted / k) + 0.05 * predicted / k


def test_summary_reports_what_each_goal_needs():
    model = InfluencerModel(seed=2, market__followers=5_000, market__days=10, campaign__strategy="micro")
    model.run()
    s = model.summary().iloc[0]
    for goal, measures in GOAL_MEASURES.items():
        for measure in measures:
            assert np.isfinite(s[measure]), (goal, measure)
    assert s["aware_not_bought"] + s["conversions"] == pytest.approx(s["unique_reach"])
    assert s["unspent_budget"] == pytest.approx(s["budget"] - s["spend"])
    assert s["cost_per_thousand_reached"] == pytest.approx(1000 * s["spend"] / s["unique_reach"])
    assert s["goal"] == "sales"
    assert 0.1 < s["mean_status_posted"] < 0.5  # micro creators: 10,000-100,000 followers
    assert 0.0 <= s["status_weight_clicked"] <= 1.0


def _runs(values_a, values_b, **columns):
    n = len(values_a)
    base = {"replication": list(range(n)) * 2, "arm": ["a"] * n + ["b"] * n}
    base.update({k: list(v[0]) + list(v[1]) for k, v in columns.items()})
    return pd.DataFrame(base)


def test_verdict_ranks_on_the_goal_measures():
    runs = _runs(
        [0] * 5,
        [0] * 5,
        conversions=([100, 110, 105, 98, 102], [50, 52, 49, 51, 55]),
        roi=([1.0, 1.1, 1.0, 0.9, 1.05], [0.5, 0.4, 0.6, 0.5, 0.45]),
        cpa=([10, 9, 10, 11, 9], [20, 19, 21, 20, 22]),
        unique_reach=([1e5, 1.1e5, 1.0e5, 0.9e5, 1.05e5], [3e5, 3.1e5, 2.9e5, 3e5, 3.2e5]),
        share_aware=([0.1, 0.11, 0.1, 0.09, 0.105], [0.3, 0.31, 0.29, 0.3, 0.32]),
        cost_per_thousand_reached=([500, 480, 510, 520, 490], [160, 150, 170, 165, 155]),
        spend=([5e4] * 5, [5e4] * 5),
        budget=([5e4] * 5, [5e4] * 5),
    )
    metrics = [*GOAL_MEASURES["sales"], *GOAL_MEASURES["awareness"]]
    diffs = paired_differences(runs, "a", "b", metrics)
    sales = verdict(diffs, "a", "b", goal="sales", runs=runs)
    awareness = verdict(diffs, "a", "b", goal="awareness", runs=runs)
    assert sales.startswith("Verdict (sales goal): a beats b on conversions")
    assert "unique reach" not in sales
    assert awareness.startswith("Verdict (awareness goal): b beats a on unique reach")
    assert "b beats a on cost per thousand reached" in awareness


def test_verdict_says_when_an_arm_could_not_spend_and_compares_on_profit():
    runs = _runs(
        [0] * 4,
        [0] * 4,
        conversions=([100, 110, 105, 98], [150, 152, 149, 151]),
        profit=([9e4, 9.5e4, 9.2e4, 9.1e4], [5e4, 5.2e4, 4.9e4, 5.1e4]),
        roi=([2.0, 2.1, 2.0, 1.9], [0.5, 0.52, 0.49, 0.51]),
        spend=([3e4] * 4, [1e5] * 4),
        budget=([1e5] * 4, [1e5] * 4),
    )
    diffs = paired_differences(runs, "a", "b", ["conversions", "profit", "roi"])
    line = verdict(diffs, "a", "b", goal="sales", runs=runs)
    assert "a could not spend the budget (a spent 30%, b spent 100%)" in line
    assert "conversions" not in line.split("totals;")[1]
    assert "a beats b on profit" in line and "a beats b on roi" in line


def test_headline_table_starts_with_spend_then_the_goal():
    assert headline_metrics("sales")[:5] == ["spend", "unspent_budget", "conversions", "roi", "cpa"]
    assert headline_metrics("engagement")[2:4] == ["engagements", "cpe"]


def test_direction_change_is_scale_free_for_totals():
    """A factor that halves both strategies' sales alike moves nothing on the log scale."""
    finding = next(f for f in FINDINGS if f.measure == "conversions")
    rows = []
    for r in range(5):
        for level, scale in ((finding.low, 1.0), (finding.high, 0.5)):
            rows.append({"replication": r, "arm": f"mega@{level}", "conversions": 100.0 * scale * (1 + r / 10)})
            rows.append({"replication": r, "arm": f"micro@{level}", "conversions": 300.0 * scale * (1 + r / 10)})
    mean, lo, hi = direction_change(pd.DataFrame(rows), finding)
    assert mean == pytest.approx(0.0, abs=1e-12)


@pytest.mark.slow
def test_published_directions_hold():
    """Each finding of docs/MODEL.md 3.3.12, paired, with a 95% interval that excludes zero."""
    results = check_directions(replications=10, workers=2)
    failed = [f"{r.check}: {r.detail}" for r in results if not r.passed]
    assert not failed, failed


def test_recommender_pull_is_trust_for_an_everyday_product_and_status_for_luxury():
    assert rules.recommender_pull(0.6, 0.9, 0.0) == pytest.approx(0.6)
    assert rules.recommender_pull(0.6, 0.9, 1.0) == pytest.approx(0.9)


def test_luxury_raises_a_mega_creators_sales_and_lowers_a_micro_portfolios_on_one_market():
    """The same market and seed, only brand.luxury changes: the mechanism, not noise."""

    def conversions(strategy, luxury):
        model = InfluencerModel(
            seed=6, market__followers=20_000, campaign__strategy=strategy, brand__luxury=luxury, collect=False
        )
        model.run()
        return model.summary().iloc[0]["conversions"]

    assert conversions("mega", 1.0) > conversions("mega", 0.0)
    assert conversions("micro", 1.0) < conversions("micro", 0.0)
