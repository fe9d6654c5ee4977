"""Directional checks: the published conditions under which a large creator gains.

Each :class:`Finding` is a result from the literature (``../shared/LITERATURE.md``,
docs/MODEL.md "Where each strategy wins") stated as the direction in which the paired
difference (micro - mega) of a measure moves when one factor goes from a low to a high
level. The check runs both strategies at both levels on the same markets (common random
numbers: replication ``r`` uses the same seed at every level and for both strategies),
so the change

``Delta = (micro - mega | high) - (micro - mega | low)``

is a paired quantity per replication. Totals (conversions, engagements) are compared on
a log scale, ``ln micro - ln mega``, so that a factor that scales both strategies alike
(fewer interested customers sell less for everyone) moves nothing: only a change in
micro's *relative* advantage counts. ROI, already a ratio, is compared as a difference.
The check it passes when the 95% t interval of its mean
excludes zero on the side the source reports. The shape check
(:func:`check_sponsored_engagement_peak`) asks for the inverted U of sponsored
engagement per post against follower count (Wies, Bleier & Edeling 2023).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from ..experiment import run_experiment
from ..model import InfluencerModel
from ..params import resolve
from .base import CheckResult, _seq

DOSHI = "Doshi, Ranganathan & Rao 2021 (arXiv 2106.01750)"
WIES = "Wies, Bleier & Edeling 2023 (J. Marketing 87(3))"


@dataclass(frozen=True)
class Finding:
    """A published direction: as ``key`` goes from ``low`` to ``high``, (micro - mega) of
    ``measure`` moves with the sign ``direction`` (+1 up, -1 down)."""

    name: str
    source: str
    key: str
    low: float
    high: float
    measure: str
    direction: int
    statement: str

    @property
    def log_scale(self) -> bool:
        """Totals are compared as ``ln micro - ln mega``; ratios (ROI) as differences."""
        return self.measure != "roi"


FINDINGS: tuple[Finding, ...] = (
    Finding(
        "product type: everyday to luxury (sales)",
        DOSHI,
        "brand.luxury",
        0.0,
        1.0,
        "conversions",
        -1,
        "towards luxury, celebrities gain and small creators lose",
    ),
    Finding(
        "product type: everyday to luxury (ROI)",
        DOSHI,
        "brand.luxury",
        0.0,
        1.0,
        "roi",
        -1,
        "towards luxury, celebrities gain and small creators lose",
    ),
    Finding(
        "customers' interest in the category: low to high (sales)",
        DOSHI,
        "brand.category_interest",
        0.15,
        1.0,
        "conversions",
        +1,
        "as interest falls, small creators lose and celebrities gain",
    ),
    Finding(
        "content customization: none to full (engagement)",
        WIES,
        "campaign.customization",
        0.0,
        1.0,
        "engagements",
        -1,
        "customization flattens the inverted U: large creators lose less engagement",
    ),
    Finding(
        "brand familiarity: new brand to household name (engagement)",
        WIES,
        "brand.familiarity",
        0.0,
        1.0,
        "engagements",
        +1,
        "a familiar brand steepens the inverted U: large creators lose more engagement",
    ),
)

#: the small market the directional checks run on (fast, enough to see a direction)
DIRECTION_MARKET = {"market.followers": 20_000, "market.days": 30}


def finding_runs(finding: Finding, replications: int = 12, seed=11, workers: int = 1, base: dict | None = None):
    """Runs of mega and micro at the finding's two levels: one row per (replication, arm)."""
    params = resolve({**DIRECTION_MARKET, **(base or {})})
    arms = {
        f"{strategy}@{level}": {"campaign.strategy": strategy, finding.key: level}
        for level in (finding.low, finding.high)
        for strategy in ("mega", "micro")
    }
    seed = int(_seq(seed).generate_state(1)[0])
    return run_experiment(params, arms, replications=replications, seed=seed, workers=workers).runs


def direction_change(runs: pd.DataFrame, finding: Finding, confidence: float = 0.95) -> tuple[float, float, float]:
    """Mean of ``Delta`` over replications with its t interval (see the module docstring)."""
    wide = runs.pivot(index="replication", columns="arm", values=finding.measure)

    def gap(level):
        micro, mega = wide[f"micro@{level}"], wide[f"mega@{level}"]
        if finding.log_scale:
            return np.log(micro.where(micro > 0)) - np.log(mega.where(mega > 0))
        return micro - mega

    delta = (gap(finding.high) - gap(finding.low)).to_numpy(dtype=float)
    delta = delta[np.isfinite(delta)]
    mean = float(delta.mean())
    half = float(stats.t.ppf(0.5 + confidence / 2, len(delta) - 1) * delta.std(ddof=1) / math.sqrt(len(delta)))
    return mean, mean - half, mean + half


def check_directions(
    replications: int = 12, seed=11, workers: int = 1, findings: tuple[Finding, ...] = FINDINGS
) -> list[CheckResult]:
    """One row per finding: expected direction, measured change with its 95% CI, pass."""
    out = []
    for k, finding in enumerate(findings):
        runs = finding_runs(finding, replications, (seed, k) if isinstance(seed, int) else seed, workers)
        mean, lo, hi = direction_change(runs, finding)
        passed = bool(lo > 0) if finding.direction > 0 else bool(hi < 0)
        arrow = "rises" if finding.direction > 0 else "falls"
        gap = f"ln micro - ln mega ({finding.measure})" if finding.log_scale else f"micro - mega ({finding.measure})"
        out.append(
            CheckResult(
                "where each strategy wins",
                finding.name,
                float(finding.direction),
                mean,
                (hi - lo) / 2,
                passed,
                replications,
                f"{finding.source}: {finding.statement}. Expected: {gap} {arrow} as "
                f"{finding.key} goes {finding.low:g} -> {finding.high:g}; measured change {mean:+,.4g} "
                f"(95% CI {lo:+,.4g} to {hi:+,.4g})",
                {"finding": finding, "ci": (lo, hi), "runs": runs},
            )
        )
    return out


def expected_sponsored_engagements(model: InfluencerModel) -> np.ndarray:
    """Expected engagements (people) with one sponsored post of each creator, from the model's own rules."""
    return model.expected_sponsored_engagements(model.brands[0])


def check_sponsored_engagement_peak(followers: int = 50_000, seed=3, bins: int = 12) -> list[CheckResult]:
    """Sponsored engagement per post against follower count: an interior peak (Wies et al. 2023).

    Expected engagements per post (from the model's view and engagement rules, the
    relationship strength included) are averaged in log-spaced follower-count bins; the
    check passes when the highest bin is neither the first nor the last, and the last
    bin is below the peak by more than its own spread.
    """
    model = InfluencerModel(seed=_seq(seed), params={"market": {"followers": followers}}, collect=False)
    per_post = expected_sponsored_engagements(model)
    fol = model.market.followers
    edges = np.logspace(np.log10(fol.min()), np.log10(fol.max() * 1.000001), bins + 1)
    which = np.clip(np.searchsorted(edges, fol, side="right") - 1, 0, bins - 1)
    counts = np.bincount(which, minlength=bins)
    means = np.bincount(which, weights=per_post, minlength=bins) / np.maximum(counts, 1)
    filled = np.flatnonzero(counts > 0)
    peak = filled[np.argmax(means[filled])]
    centre = float(np.sqrt(edges[peak] * edges[peak + 1]))
    passed = bool(filled[0] < peak < filled[-1])
    return [
        CheckResult(
            "where each strategy wins",
            "sponsored engagement per post peaks at an interior follower count",
            1.0,
            float(passed),
            0.0,
            passed,
            1,
            f"{WIES}: engagement with sponsored content first rises, then falls with follower count. "
            f"Peak in the bin around {centre:,.0f} followers ({means[peak]:,.0f} engagements per post); "
            f"first bin {means[filled[0]]:,.0f}, last bin {means[filled[-1]]:,.0f}",
            {"edges": edges, "means": means, "counts": counts},
        )
    ]
