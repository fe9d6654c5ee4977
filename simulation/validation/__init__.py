"""Validation: the model's own machinery reproduces known results.

Four checks, each a function that runs :class:`~simulation.model.InfluencerModel`
(never a separate toy) in a setting where the answer is known, and returns rows of
``check, expected, measured, tolerance, passed``:

1. **Independent cascade** (Kempe, Kleinberg & Tardos 2003; :mod:`.cascade`). Word of
   mouth alone, a constant telling probability ``p`` on every friend edge, buyers
   telling once, the step after they buy: the spread's mean over many runs matches the
   exact expected spread on small graphs (:func:`check_ic_exact`), and the mean spread
   of NDlib's and CyNetDiff's independent cascades on a 1,000-node graph
   (:func:`check_ic_reference`).
2. **Bass diffusion** (Bass 1969; :mod:`.bass`). One creator followed by everyone posts
   every step (innovation ``p``), buyers talk to random people (mean-field word of
   mouth, imitation ``q``): the adoption curve approaches
   ``F(t) = (1 - e^{-(p+q)t}) / (1 + (q/p) e^{-(p+q)t})`` as the step shrinks
   (:func:`check_bass`); at the step ``dt = BASS_STEP / (p + q)`` the gap is at most
   0.01 for every ``p`` in 0.005-0.05 and ``q`` in 0.1-0.8 (:func:`check_bass_grid`).
3. **Engagement by tier** (:mod:`.engagement`): organic engagement per follower per
   post, pooled in log-spaced follower bins, falls as ``F^b`` with
   ``-0.22 <= b <= -0.17``, the shape of the published figures (:func:`check_engagement`).
4. **Scale invariance** (:mod:`.scale`): per-capita results do not move when the number
   of agents doubles at a fixed population (:func:`check_scale_invariance`).
5. **Where each strategy wins** (:mod:`.directions`): the published conditions under
   which a large creator gains (luxury, low category interest; customization and brand
   familiarity moderating the inverted U of sponsored engagement) move micro's advantage
   over mega in the reported direction (:func:`check_directions`), and sponsored
   engagement per post peaks at an interior follower count
   (:func:`check_sponsored_engagement_peak`).

:func:`run_validation` (:mod:`.report`) runs them at full size and writes
``validation.csv``, ``VALIDATION_REPORT.md`` and the plots; ``influencer-sim validate``
calls it. The result row, seeding helpers and the Monte-Carlo tolerance are in
:mod:`.base`. The method and the latest figures are in ``docs/VALIDATION.md``.

Everything is importable from here (``from simulation.validation import check_bass``),
and :func:`run_validation` reads its sizes (``QUICK``, ``FULL``) and checks from this
package, so replacing ``simulation.validation.QUICK`` changes what it runs.

All randomness comes from ``numpy.random.Generator``s seeded through
``SeedSequence``: a check's seed ``s`` gives run ``r`` of case ``k`` the sequence
``SeedSequence(s, spawn_key=(k, r))``, so every figure is reproducible.
"""

from .base import Z_MC, CheckResult, results_table
from .base import _child as _child
from .base import _mean_se as _mean_se
from .base import _seq as _seq
from .bass import (
    BASS_GRID_P,
    BASS_GRID_Q,
    BASS_P,
    BASS_Q,
    BASS_STEP,
    BASS_STEPS,
    BASS_TOLERANCE,
    bass_curve,
    bass_days,
    bass_graph,
    bass_scenario,
    bass_step,
    check_bass,
    check_bass_grid,
    simulate_bass,
)
from .bass import _complete_graph_row as _complete_graph_row
from .cascade import (
    CascadeCase,
    cascade_market,
    check_ic_exact,
    check_ic_reference,
    cynetdiff_ic_spreads,
    exact_ic_spread,
    friend_graph,
    ic_cases,
    ic_scenario,
    ndlib_ic_spreads,
    path_spread,
    run_cascade,
    simulate_ic,
    star_spread,
    tree_spread,
    triangle_spread,
)
from .directions import FINDINGS, Finding, check_directions, check_sponsored_engagement_peak, direction_change
from .engagement import (
    ENGAGEMENT_BIN_HIGH,
    ENGAGEMENT_BIN_LOW,
    ENGAGEMENT_BINS_PER_DECADE,
    ENGAGEMENT_SLOPE_RANGE,
    PUBLISHED_ENGAGEMENT_FILE,
    check_engagement,
    engagement_by_tier,
    fit_power_law,
    published_engagement,
    tier_rates,
)
from .engagement import _bin_edges as _bin_edges
from .engagement import _bin_sums as _bin_sums
from .engagement import _published_slope as _published_slope
from .engagement import _slope_of_sums as _slope_of_sums
from .report import FULL, QUICK, run_validation, write_plots, write_report
from .scale import SCALE_METRICS, check_scale_invariance, scale_runs

__all__ = [
    "FINDINGS",
    "Finding",
    "check_directions",
    "check_sponsored_engagement_peak",
    "direction_change",
    "BASS_GRID_P",
    "BASS_GRID_Q",
    "BASS_P",
    "BASS_Q",
    "BASS_STEP",
    "BASS_STEPS",
    "BASS_TOLERANCE",
    "ENGAGEMENT_BIN_HIGH",
    "ENGAGEMENT_BIN_LOW",
    "ENGAGEMENT_BINS_PER_DECADE",
    "ENGAGEMENT_SLOPE_RANGE",
    "FULL",
    "PUBLISHED_ENGAGEMENT_FILE",
    "QUICK",
    "SCALE_METRICS",
    "Z_MC",
    "CascadeCase",
    "CheckResult",
    "bass_curve",
    "bass_days",
    "bass_graph",
    "bass_scenario",
    "bass_step",
    "cascade_market",
    "check_bass",
    "check_bass_grid",
    "check_engagement",
    "check_ic_exact",
    "check_ic_reference",
    "check_scale_invariance",
    "cynetdiff_ic_spreads",
    "engagement_by_tier",
    "exact_ic_spread",
    "fit_power_law",
    "friend_graph",
    "ic_cases",
    "ic_scenario",
    "ndlib_ic_spreads",
    "path_spread",
    "published_engagement",
    "tier_rates",
    "results_table",
    "run_cascade",
    "run_validation",
    "scale_runs",
    "simulate_bass",
    "simulate_ic",
    "star_spread",
    "tree_spread",
    "triangle_spread",
    "write_plots",
    "write_report",
]
