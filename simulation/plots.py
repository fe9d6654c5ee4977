"""Figures for strategists: conversions over time, ROI and CPA with intervals, the funnel.

Every function takes tidy tables (as written by ``influencer-sim``) and a path, and
writes one PNG and the same figure as SVG. Matplotlib runs headless (Agg). Every
strategy has one colour (Okabe-Ito, colour-blind safe) in every figure:
:data:`STRATEGY_COLOURS`.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from .experiment import mean_ci  # noqa: E402

#: Okabe-Ito, a palette readable with every common colour-vision deficiency
COLOURS = ["#E69F00", "#56B4E9", "#009E73", "#0072B2", "#D55E00", "#CC79A7", "#000000", "#999999"]
#: one colour per strategy, the same in every figure
STRATEGY_COLOURS = {
    "mega": "#E69F00",  # orange
    "macro": "#56B4E9",  # sky blue
    "micro": "#009E73",  # bluish green
    "nano": "#CC79A7",  # reddish purple
    "mixed": "#0072B2",  # blue
    "list": "#D55E00",  # vermillion
    "none": "#999999",  # grey
}
#: how a strategy reads in a figure or a report
STRATEGY_LABELS = {
    "mega": "mega creators",
    "macro": "macro creators",
    "micro": "micro creators",
    "nano": "nano creators",
    "mixed": "a mix of tiers",
    "list": "chosen creators",
    "none": "no creators",
}


def colour(strategy: str, others: list[str] | None = None) -> str:
    """The strategy's colour; an arm that is not a strategy gets the next free Okabe-Ito colour."""
    if strategy in STRATEGY_COLOURS:
        return STRATEGY_COLOURS[strategy]
    free = [c for c in COLOURS if c not in STRATEGY_COLOURS.values()] or COLOURS
    k = others.index(strategy) if others and strategy in others else 0
    return free[k % len(free)]


def label(strategy: str) -> str:
    return STRATEGY_LABELS.get(strategy, strategy)


def _colour(arms: list[str], arm: str) -> str:
    return colour(arm, arms)


def save(fig, path: Path) -> Path:
    """Write ``path`` (PNG) and the same figure as SVG beside it; close the figure."""
    path = Path(path)
    fig.savefig(path, dpi=130)
    fig.savefig(path.with_suffix(".svg"))
    plt.close(fig)
    return path


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
        ax.plot(days, mean, color=_colour(arms, arm), lw=2, label=f"{label(arm)} (n={cum.shape[0]})")
        if cum.shape[0] > 1:
            ax.fill_between(days, lo, hi, color=_colour(arms, arm), alpha=0.2, lw=0)
    ax.set_xlabel("day of the campaign (days)")
    ax.set_ylabel("cumulative conversions (people)")
    ax.set_title(title or "Conversions over time (mean and 95% CI)")
    ax.grid(alpha=0.3)
    ax.legend(frameon=False)
    fig.tight_layout()
    return save(fig, path)


def roi_cpa(runs: pd.DataFrame, path: Path, title: str = "") -> Path:
    """ROI and cost per acquisition per arm: replications as dots, mean with 95% CI."""
    arms = list(dict.fromkeys(runs["arm"]))
    fig, axes = plt.subplots(1, 2, figsize=(8, 3.8))
    for ax, metric, unit in (
        (axes[0], "roi", "return on spend (profit after fees / fees, x)"),
        (axes[1], "cpa", "cost per customer (USD)"),
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
        ax.set_xticks(range(len(arms)), [label(a) for a in arms])
        ax.set_ylabel(unit, fontsize=9)
        ax.grid(axis="y", alpha=0.3)
        if metric == "roi":
            ax.axhline(0, color="grey", lw=1)
    fig.suptitle(title or "Return on spend and cost per customer (each dot a simulated market; mean and 95% range)")
    fig.tight_layout()
    return save(fig, path)


FUNNEL_STAGES = (
    ("post_reach", "saw a post"),
    ("unique_reach", "heard of it"),
    ("clicks", "clicked"),
    ("conversions", "bought"),
)


def funnel(runs: pd.DataFrame, path: Path, title: str = "") -> Path:
    """The purchase funnel per arm: people at each stage (log scale), and each stage's
    share of the one before, so a fourfold gap at any stage is visible."""
    arms = list(dict.fromkeys(runs["arm"]))
    fig, (ax, ax_ratio) = plt.subplots(1, 2, figsize=(10, 4))
    width = 0.8 / max(len(arms), 1)
    x = np.arange(len(FUNNEL_STAGES))
    xr = np.arange(len(FUNNEL_STAGES) - 1)
    for i, arm in enumerate(arms):
        g = runs[runs["arm"] == arm]
        means = np.array([float(g[key].mean()) for key, _ in FUNNEL_STAGES])
        offset = (i - (len(arms) - 1) / 2) * width
        bars = ax.bar(x + offset, means, width, color=_colour(arms, arm), label=label(arm))
        for bar, v in zip(bars, means):
            ax.annotate(
                f"{v:,.0f}", (bar.get_x() + bar.get_width() / 2, max(v, 1)), ha="center", va="bottom", fontsize=7
            )
        with np.errstate(divide="ignore", invalid="ignore"):
            ratios = 100 * means[1:] / means[:-1]
        bars = ax_ratio.bar(xr + offset, ratios, width, color=_colour(arms, arm), label=label(arm))
        for bar, v in zip(bars, ratios):
            if np.isfinite(v) and v > 0:
                ax_ratio.annotate(
                    f"{v:.2g}%", (bar.get_x() + bar.get_width() / 2, v), ha="center", va="bottom", fontsize=7
                )
    ax.set_yscale("log")
    ax.set_xticks(x, [text for _, text in FUNNEL_STAGES])
    ax.set_ylabel("people (mean, log scale)")
    ax.set_title("People at each stage")
    ax.legend(frameon=False)
    ax.grid(axis="y", alpha=0.3)
    ax_ratio.set_yscale("log")
    names = [text for _, text in FUNNEL_STAGES]
    ax_ratio.set_xticks(xr, [f"{b}\nof {a}" for a, b in zip(names, names[1:])], fontsize=8)
    ax_ratio.set_ylabel("share of the stage before (%, log scale)")
    ax_ratio.set_title("Conversion from stage to stage")
    ax_ratio.grid(axis="y", alpha=0.3)
    fig.suptitle(title or "Purchase funnel")
    fig.tight_layout()
    return save(fig, path)


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
