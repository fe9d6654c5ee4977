"""Figures for strategists: conversions over time, ROI and CPA with intervals, the funnel.

Every function takes tidy tables (as written by ``influencer-sim``) and a path, and
writes one PNG. Matplotlib runs headless (Agg).
"""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from .experiment import mean_ci  # noqa: E402

COLOURS = ["#c2185b", "#1565c0", "#2e7d32", "#ef6c00", "#6a1b9a", "#00838f", "#5d4037"]


def _colour(arms: list[str], arm: str) -> str:
    return COLOURS[arms.index(arm) % len(COLOURS)]


def _band(values: np.ndarray, confidence: float = 0.95):
    """Per-column mean and t-interval of a (replications x time) array."""
    stats = np.array([mean_ci(col, confidence) for col in values.T])
    return stats[:, 0], stats[:, 1], stats[:, 2]


def conversions_over_time(daily: pd.DataFrame, path: Path, title: str = "") -> Path:
    """Cumulative conversions (direct + word of mouth) per arm with 95% bands."""
    arms = list(dict.fromkeys(daily["arm"]))
    fig, ax = plt.subplots(figsize=(7, 4.2))
    for arm in arms:
        d = daily[daily["arm"] == arm].copy()
        d["conversions"] = d["conversions_direct"] + d["conversions_wom"]
        wide = d.pivot_table(index="replication", columns="day", values="conversions", aggfunc="sum")
        cum = wide.cumsum(axis=1).to_numpy()
        mean, lo, hi = _band(cum)
        days = wide.columns.to_numpy(dtype=float)
        ax.plot(days, mean, color=_colour(arms, arm), lw=2, label=f"{arm} (n={cum.shape[0]})")
        if cum.shape[0] > 1:
            ax.fill_between(days, lo, hi, color=_colour(arms, arm), alpha=0.2, lw=0)
    ax.set_xlabel("day")
    ax.set_ylabel("cumulative conversions (people)")
    ax.set_title(title or "Conversions over time (mean and 95% CI)")
    ax.grid(alpha=0.3)
    ax.legend(frameon=False)
    fig.tight_layout()
    fig.savefig(path, dpi=130)
    plt.close(fig)
    return path


def roi_cpa(runs: pd.DataFrame, path: Path, title: str = "") -> Path:
    """ROI and cost per acquisition per arm: replications as dots, mean with 95% CI."""
    arms = list(dict.fromkeys(runs["arm"]))
    fig, axes = plt.subplots(1, 2, figsize=(8, 3.8))
    for ax, metric, label in (
        (axes[0], "roi", "ROI ((revenue x margin - spend) / spend)"),
        (axes[1], "cpa", "cost per acquisition (USD)"),
    ):
        for i, arm in enumerate(arms):
            vals = runs.loc[runs["arm"] == arm, metric].to_numpy(dtype=float)
            vals = vals[np.isfinite(vals)]
            jitter = np.random.default_rng(i).uniform(-0.12, 0.12, len(vals))  # fixed, for display only
            ax.scatter(i + jitter, vals, s=10, color=_colour(arms, arm), alpha=0.35)
            m, lo, hi = mean_ci(vals)
            if np.isfinite(lo):
                ax.errorbar(i, m, yerr=[[m - lo], [hi - m]], fmt="o", color="black", capsize=6, ms=6)
            else:
                ax.plot(i, m, "o", color="black")
        ax.set_xticks(range(len(arms)), arms)
        ax.set_title(label, fontsize=10)
        ax.grid(axis="y", alpha=0.3)
        if metric == "roi":
            ax.axhline(0, color="grey", lw=1)
    fig.suptitle(title or "Return and cost per customer (mean and 95% CI)")
    fig.tight_layout()
    fig.savefig(path, dpi=130)
    plt.close(fig)
    return path


FUNNEL_STAGES = (
    ("post_reach", "saw a post"),
    ("unique_reach", "heard of it"),
    ("clicks", "clicked"),
    ("conversions", "bought"),
)


def funnel(runs: pd.DataFrame, path: Path, title: str = "") -> Path:
    """The purchase funnel per arm (mean people at each stage, log scale)."""
    arms = list(dict.fromkeys(runs["arm"]))
    fig, ax = plt.subplots(figsize=(7, 4))
    width = 0.8 / max(len(arms), 1)
    x = np.arange(len(FUNNEL_STAGES))
    for i, arm in enumerate(arms):
        g = runs[runs["arm"] == arm]
        means = [float(g[key].mean()) for key, _ in FUNNEL_STAGES]
        bars = ax.bar(x + (i - (len(arms) - 1) / 2) * width, means, width, color=_colour(arms, arm), label=arm)
        for bar, v in zip(bars, means):
            ax.annotate(
                f"{v:,.0f}", (bar.get_x() + bar.get_width() / 2, max(v, 1)), ha="center", va="bottom", fontsize=7
            )
    ax.set_yscale("log")
    ax.set_xticks(x, [label for _, label in FUNNEL_STAGES])
    ax.set_ylabel("people (mean over replications)")
    ax.set_title(title or "Purchase funnel")
    ax.legend(frameon=False)
    ax.grid(axis="y", alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=130)
    plt.close(fig)
    return path


def standard_plots(runs: pd.DataFrame, daily: pd.DataFrame, directory: Path, title: str = "") -> list[Path]:
    """The three standard figures of a run directory."""
    directory = Path(directory)
    out = []
    if len(daily):
        out.append(conversions_over_time(daily, directory / "conversions_over_time.png", title))
    if len(runs):
        out.append(roi_cpa(runs, directory / "roi_cpa.png"))
        out.append(funnel(runs, directory / "funnel.png"))
    return out
