"""Shared pieces of the validation checks: the result row, seeding and the Monte-Carlo tolerance.

Every check returns :class:`CheckResult` rows. All randomness comes from
``numpy.random.Generator``s seeded through ``SeedSequence``: a check's seed ``s`` gives
run ``r`` of case ``k`` the sequence ``SeedSequence(s, spawn_key=(k, r))`` (:func:`_child`).
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
import pandas as pd

#: Two-sided 99.9% normal quantile: a Monte-Carlo mean passes when it lies within this
#: many standard errors of the exact value (a false alarm once in 1,000 checks).
Z_MC = 3.29


@dataclass
class CheckResult:
    """One row of the validation table.

    ``passed`` is ``None`` when the check could not run (a reference implementation
    is not installed); ``tolerance`` is the largest allowed ``|measured - expected|``.
    """

    group: str
    check: str
    expected: float
    measured: float
    tolerance: float
    passed: bool | None
    runs: int = 0
    detail: str = ""
    data: dict[str, Any] = field(default_factory=dict, repr=False)

    def row(self) -> dict[str, Any]:
        out = asdict(self)
        out.pop("data")
        return out


def results_table(results: list[CheckResult]) -> pd.DataFrame:
    """The rows as a DataFrame (columns group, check, expected, measured, tolerance, passed, runs, detail)."""
    return pd.DataFrame([r.row() for r in results])


def _seq(seed) -> np.random.SeedSequence:
    return seed if isinstance(seed, np.random.SeedSequence) else np.random.SeedSequence(seed)


def _child(seed, *key: int) -> np.random.SeedSequence:
    """``SeedSequence(seed)`` extended by ``key``, without mutating anything."""
    base = _seq(seed)
    return np.random.SeedSequence(base.entropy, spawn_key=(*base.spawn_key, *key))


def _mean_se(x) -> tuple[float, float]:
    x = np.asarray(x, dtype=float)
    return float(x.mean()), float(x.std(ddof=1) / math.sqrt(len(x))) if len(x) > 1 else float("nan")
