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
    "optimised": "#000000",  # black
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
    "optimised": "an optimised portfolio",
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
                    f"{v:.0f}%" if v >= 10 else f"{v:.2g}%",
                    (bar.get_x() + bar.get_width() / 2, v),
                    ha="center",
                    va="bottom",
                    fontsize=7,
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


# ----------------------------------------------------------------------------
# figures of designs (sweeps, maps, sensitivity); inputs are the tables of
# simulation.design (point_summary, differences, daily)
# ----------------------------------------------------------------------------


def _factor_axis(ax, values, log_x: bool) -> None:
    """Ticks at the factor's values, written plainly (no 3x10^4 on a log axis); big numbers with commas."""
    from matplotlib.ticker import FuncFormatter, NullFormatter

    values = sorted(set(float(v) for v in values))
    if log_x:
        ax.set_xscale("log")
        ax.xaxis.set_minor_formatter(NullFormatter())
    if len(values) <= 10:
        ax.set_xticks(values, [fmt_value(v) for v in values], rotation=30 if len(values) > 4 else 0)
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:,.0f}" if abs(v) >= 1000 else f"{v:g}"))


def by_factor(
    summary: pd.DataFrame, factor: str, measures: dict[str, str], path: Path, title: str, xlabel: str, log_x=False
) -> Path:
    """One panel per measure (``{measure: axis label with unit}``): mean and 95% band per strategy."""
    fig, axes = plt.subplots(1, len(measures), figsize=(4.2 * len(measures), 3.8), squeeze=False)
    for ax, (measure, ylabel) in zip(axes[0], measures.items()):
        part = summary[summary["measure"] == measure]
        strategies = list(dict.fromkeys(part["strategy"]))
        for strategy in strategies:
            g = part[part["strategy"] == strategy].sort_values(factor)
            x = g[factor].to_numpy(dtype=float)
            ax.plot(x, g["mean"], marker="o", color=colour(strategy, strategies), label=label(strategy))
            ax.fill_between(x, g["ci_low"], g["ci_high"], color=colour(strategy, strategies), alpha=0.2, lw=0)
        _factor_axis(ax, part[factor], log_x)
        ax.set_xlabel(xlabel)
        ax.set_ylabel(ylabel)
        ax.grid(alpha=0.3)
    axes[0][0].legend(frameon=False)
    fig.suptitle(title)
    fig.tight_layout()
    return save(fig, path)


def difference_by_factor(
    differences: pd.DataFrame,
    factor: str,
    metrics: dict[str, str],
    path: Path,
    title: str,
    xlabel: str,
    log_x=False,
) -> Path:
    """Paired difference (each strategy minus the reference) with its 95% interval, per factor value."""
    fig, axes = plt.subplots(1, len(metrics), figsize=(4.2 * len(metrics), 3.8), squeeze=False)
    for ax, (metric, ylabel) in zip(axes[0], metrics.items()):
        part = differences[differences["metric"] == metric]
        others = list(dict.fromkeys(part["strategy"]))
        for k, strategy in enumerate(others):
            g = part[part["strategy"] == strategy].sort_values(factor)
            x = g[factor].to_numpy(dtype=float) * (1 + 0.03 * (k - (len(others) - 1) / 2) if log_x else 1)
            ax.errorbar(
                x,
                g["difference"],
                yerr=[g["difference"] - g["ci_low"], g["ci_high"] - g["difference"]],
                marker="o",
                capsize=4,
                color=colour(strategy, others),
                label=f"{label(strategy)} minus {label(g['reference'].iloc[0])}",
            )
        ax.axhline(0, color="grey", lw=1)
        _factor_axis(ax, part[factor], log_x)
        ax.set_xlabel(xlabel)
        ax.set_ylabel(ylabel)
        ax.grid(alpha=0.3)
    axes[0][0].legend(frameon=False, fontsize=8)
    fig.suptitle(title)
    fig.tight_layout()
    return save(fig, path)


def crossover_map(
    differences: pd.DataFrame,
    x: str,
    y: str,
    metric: str,
    path: Path,
    title: str,
    xlabel: str,
    ylabel: str,
    higher_is_better: bool = True,
    margin: str = "relative",
) -> Path:
    """Each cell coloured by the winning strategy, stronger with a larger margin; ties (the 95%
    interval of the paired difference covers zero) grey and hatched. The margin is printed:
    ``"relative"`` (% of the loser's mean) or a format for the absolute difference (``"{:.2f}x"``)."""
    from matplotlib.patches import Patch, Rectangle

    part = differences[differences["metric"] == metric]
    largest = float(np.nanmax(np.abs(part["difference"].to_numpy(dtype=float)), initial=0.0)) or 1.0
    xs, ys = sorted(part[x].unique()), sorted(part[y].unique())
    fig, ax = plt.subplots(figsize=(1.0 * len(xs) + 3, 0.75 * len(ys) + 2))
    winners = set()
    for _, row in part.iterrows():
        i, j = xs.index(row[x]), ys.index(row[y])
        d, lo, hi = row["difference"], row["ci_low"], row["ci_high"]
        tie = not (np.isfinite(lo) and np.isfinite(hi)) or lo <= 0 <= hi
        b_wins = (d > 0) == higher_is_better
        winner = row["strategy"] if b_wins else row["reference"]
        rel = abs(row["relative"]) if np.isfinite(row["relative"]) else 0.0
        if tie:
            patch = Rectangle((i - 0.5, j - 0.5), 1, 1, facecolor="#eeeeee", hatch="//", edgecolor="#bbbbbb")
            text = "tie"
        else:
            winners.add(winner)
            strength = 0.3 + 0.7 * abs(d) / largest  # the largest margin on the map is full colour
            patch = Rectangle((i - 0.5, j - 0.5), 1, 1, facecolor=colour(winner), alpha=strength, edgecolor="white")
            if margin == "relative":
                text = f"{rel:.0%}" if np.isfinite(row["relative"]) else ""
            else:
                text = margin.format(abs(d))
        ax.add_patch(patch)
        ax.text(i, j, text, ha="center", va="center", fontsize=7)
    ax.set_xlim(-0.5, len(xs) - 0.5)
    ax.set_ylim(-0.5, len(ys) - 0.5)
    ax.set_xticks(range(len(xs)), [fmt_value(v) for v in xs], rotation=45 if len(xs) > 6 else 0)
    ax.set_yticks(range(len(ys)), [fmt_value(v) for v in ys])
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    handles = [Patch(facecolor=colour(w), label=f"{label(w)} win") for w in sorted(winners)]
    handles.append(Patch(facecolor="#eeeeee", hatch="//", edgecolor="#bbbbbb", label="tie (95% range covers 0)"))
    ax.legend(handles=handles, frameon=False, fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1))
    how = "% of the other's result" if margin == "relative" else "difference"
    ax.set_title(f"{title}\n(number in a cell: the winner's margin, {how})", fontsize=10)
    fig.tight_layout()
    return save(fig, path)


def fmt_value(v) -> str:
    """A factor value for a tick label."""
    if isinstance(v, float | np.floating):
        return f"{v:,.0f}" if abs(v) >= 1000 else f"{v:.3g}"
    return str(v).replace("_", " ")


def over_time(
    daily: pd.DataFrame, value: str, path: Path, title: str, ylabel: str, style_by: str | None = None
) -> Path:
    """Mean of a per-day ``value`` with its 95% band: colour by strategy, line style by ``style_by``."""
    fig, ax = plt.subplots(figsize=(7.5, 4.2))
    styles = ["-", "--", ":", "-."]
    strategies = list(dict.fromkeys(daily["strategy"]))
    kinds = list(dict.fromkeys(daily[style_by])) if style_by else [None]
    for strategy in strategies:
        for k, kind in enumerate(kinds):
            d = daily[daily["strategy"] == strategy]
            if style_by:
                d = d[d[style_by] == kind]
            wide = d.pivot_table(index="replication", columns="day", values=value, aggfunc="mean")
            mean, lo, hi = _band(wide.to_numpy(dtype=float))
            days = wide.columns.to_numpy(dtype=float)
            name = label(strategy) + (f", {str(kind).replace('_', '-')}" if style_by else "")
            ax.plot(days, mean, styles[k % len(styles)], color=colour(strategy, strategies), lw=2, label=name)
            ax.fill_between(days, lo, hi, color=colour(strategy, strategies), alpha=0.15, lw=0)
    ax.set_xlabel("day of the campaign (days)")
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    ax.grid(alpha=0.3)
    ax.legend(frameon=False, fontsize=8)
    fig.tight_layout()
    return save(fig, path)


def grouped_bars(summary: pd.DataFrame, category: str, measures: dict[str, str], path: Path, title: str) -> Path:
    """Mean and 95% interval of each measure (one panel each, ``{measure: axis label}``) per
    category (bars grouped) and strategy (colour)."""
    fig, axes = plt.subplots(len(measures), 1, figsize=(1.4 * summary[category].nunique() + 3, 3.4 * len(measures)))
    for ax, (measure, ylabel) in zip(np.atleast_1d(axes), measures.items()):
        _grouped_bars(ax, summary[summary["measure"] == measure], category, ylabel)
    np.atleast_1d(axes)[0].legend(frameon=False, fontsize=8)
    fig.suptitle(title)
    fig.tight_layout()
    return save(fig, path)


def _grouped_bars(ax, part: pd.DataFrame, category: str, ylabel: str) -> None:
    cats = list(dict.fromkeys(part[category]))
    strategies = list(dict.fromkeys(part["strategy"]))
    width = 0.8 / max(len(strategies), 1)
    for k, strategy in enumerate(strategies):
        g = part[part["strategy"] == strategy].set_index(category).reindex(cats)
        x = np.arange(len(cats)) + (k - (len(strategies) - 1) / 2) * width
        yerr = np.array([g["mean"] - g["ci_low"], g["ci_high"] - g["mean"]])
        ax.bar(x, g["mean"], width, color=colour(strategy, strategies), label=label(strategy))
        ax.errorbar(x, g["mean"], yerr=np.nan_to_num(yerr), fmt="none", color="black", capsize=3)
    ax.axhline(0, color="grey", lw=1)
    ax.set_xticks(range(len(cats)), [str(c).replace("_", " ") for c in cats])
    ax.set_ylabel(ylabel)
    ax.grid(axis="y", alpha=0.3)


def ranking(table: pd.DataFrame, path: Path, title: str, xlabel: str) -> Path:
    """Horizontal bars of an index per factor (columns ``factor``, ``value``, ``error``, ``panel``)."""
    panels = list(dict.fromkeys(table["panel"]))
    fig, axes = plt.subplots(1, len(panels), figsize=(4.6 * len(panels), 0.45 * table["factor"].nunique() + 1.8))
    axes = np.atleast_1d(axes)
    for ax, panel in zip(axes, panels):
        g = table[table["panel"] == panel].sort_values("value")
        ax.barh(g["factor"], g["value"], xerr=g["error"].fillna(0), color=COLOURS[3], capsize=3)
        ax.set_title(panel, fontsize=10)
        ax.set_xlabel(xlabel)
        ax.grid(axis="x", alpha=0.3)
    fig.suptitle(title)
    fig.tight_layout()
    return save(fig, path)


def brand_colours(strategies: dict[str, str]) -> dict[str, str]:
    """A colour per brand (``{brand: strategy}``): its strategy's when no two brands share a
    strategy, else the palette in order.

    Examples
    --------
    >>> brand_colours({"glow": "mega", "dew": "micro"})
    {'glow': '#E69F00', 'dew': '#009E73'}
    """
    if len(set(strategies.values())) == len(strategies):
        return {brand: colour(strategy) for brand, strategy in strategies.items()}
    return {brand: COLOURS[k % len(COLOURS)] for k, brand in enumerate(strategies)}


def market_share(daily: pd.DataFrame, strategies: dict[str, str], path: Path, title: str) -> Path:
    """Each brand's share of its category's buyers over time (mean and 95% band over replications)."""
    fig, ax = plt.subplots(figsize=(7.5, 4.2))
    colours = brand_colours(strategies)
    for brand, strategy in strategies.items():
        wide = daily[daily["brand"] == brand].pivot_table(index="replication", columns="day", values="market_share")
        mean, lo, hi = _band(wide.to_numpy(dtype=float))
        days = wide.columns.to_numpy(dtype=float)
        ax.plot(days, mean, color=colours[brand], lw=2, label=f"{brand} ({label(strategy)})")
        ax.fill_between(days, lo, hi, color=colours[brand], alpha=0.15, lw=0)
    ax.set_ylim(0, 1)
    ax.set_xlabel("day of the campaign (days)")
    ax.set_ylabel("market share (share of the category's buyers)")
    ax.set_title(title)
    ax.grid(alpha=0.3)
    ax.legend(frameon=False, fontsize=8)
    fig.tight_layout()
    return save(fig, path)
