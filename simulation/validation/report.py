"""The validation report: :func:`run_validation` runs every check and writes the table, report and plots."""

from __future__ import annotations

import math
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

from ..experiment import fmt_number
from .base import Z_MC, CheckResult, _mean_se, results_table
from .bass import BASS_GRID_P, BASS_GRID_Q, BASS_STEP, BASS_STEPS, BASS_TOLERANCE, bass_curve
from .engagement import ENGAGEMENT_BIN_HIGH, ENGAGEMENT_BIN_LOW, ENGAGEMENT_SLOPE_RANGE

#: The corners of the Bass grid: the extreme ratios q / p (2 and 160) and both ends of each range.
BASS_CORNERS = {"ps": (BASS_GRID_P[0], BASS_GRID_P[-1]), "qs": (BASS_GRID_Q[0], BASS_GRID_Q[-1])}

FULL = {
    "ic_exact": {"runs": 2000},
    "ic_reference": {"nodes": 1000, "runs": 2000, "ndlib_runs": 1000, "cynetdiff_runs": 100_000},
    "bass": {"n": 100_000, "steps": BASS_STEPS, "runs": 8},
    "bass_grid": {"n": 100_000, "runs": 4, **BASS_CORNERS},
    "engagement": {"n": 20_000, "runs": 32},
    "scale": {"n": 25_000, "runs": 24, "margin": 0.05},
    "directions": {"replications": 16, "workers": 2},
    "sponsored_peak": {"followers": 50_000},
}
QUICK = {
    "ic_exact": {"runs": 400},
    "ic_reference": {"nodes": 1000, "runs": 400, "ndlib_runs": 200, "cynetdiff_runs": 20_000},
    "bass": {"n": 100_000, "steps": (BASS_STEPS[0], BASS_STEPS[2], BASS_STEP), "runs": 2, "strict": False},
    "bass_grid": {"n": 10_000, "runs": 4, **BASS_CORNERS},
    "engagement": {"n": 10_000, "runs": 32},
    "scale": {"n": 10_000, "runs": 8},
    "directions": {"replications": 8, "workers": 2},
    "sponsored_peak": {"followers": 20_000},
}


def run_validation(out_dir: Path, quick: bool = False, progress: bool = True) -> pd.DataFrame:
    """Run every check, write ``validation.csv``, ``VALIDATION_REPORT.md`` and plots to ``out_dir``.

    Parameters
    ----------
    out_dir : pathlib.Path
        Created if missing.
    quick : bool
        Smaller sample sizes (a smoke run of a minute or two); the full sizes are the
        ones quoted in docs/VALIDATION.md.
    progress : bool
        Print each stage and its time to stderr.

    Returns
    -------
    pandas.DataFrame
        The table: group, check, expected, measured, tolerance, passed, runs, detail.
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    # sizes and checks are looked up on the package (``simulation.validation``), so that
    # replacing one there, as the tests do with ``QUICK``, still reaches this function
    package = sys.modules[__package__]
    sizes = package.QUICK if quick else package.FULL
    results: list[CheckResult] = []
    timings: dict[str, float] = {}
    stages = (
        ("independent cascade, exact spreads", package.check_ic_exact, sizes["ic_exact"]),
        ("independent cascade vs NDlib and CyNetDiff", package.check_ic_reference, sizes["ic_reference"]),
        ("Bass curve", package.check_bass, sizes["bass"]),
        ("Bass curve over a grid of p and q", package.check_bass_grid, sizes["bass_grid"]),
        ("engagement by tier", package.check_engagement, sizes["engagement"]),
        ("scale invariance", package.check_scale_invariance, sizes["scale"]),
        ("where each strategy wins: published directions", package.check_directions, sizes["directions"]),
        (
            "sponsored engagement against follower count",
            package.check_sponsored_engagement_peak,
            sizes["sponsored_peak"],
        ),
    )
    start = time.perf_counter()
    for name, fn, kwargs in stages:
        if progress:
            print(f"validate: {name} ...", file=sys.stderr, flush=True)
        t0 = time.perf_counter()
        rows = fn(**kwargs)
        timings[name] = time.perf_counter() - t0
        results.extend(rows)
        if progress:
            bad = sum(r.passed is False for r in rows)
            print(
                f"validate: {name}: {len(rows) - bad}/{len(rows)} passed in {timings[name]:.0f} s",
                file=sys.stderr,
                flush=True,
            )
    table = results_table(results)
    table.to_csv(out_dir / "validation.csv", index=False)
    plots = write_plots(results, out_dir)
    write_report(results, out_dir, plots, timings, quick, time.perf_counter() - start)
    if progress:
        failed = int((table["passed"] == False).sum())  # noqa: E712 (None means not run)
        print(
            f"validate: {len(table) - failed}/{len(table)} checks passed; report in {out_dir / 'VALIDATION_REPORT.md'}",
            file=sys.stderr,
            flush=True,
        )
    return table


def write_report(
    results: list[CheckResult],
    out_dir: Path,
    plots: dict[str, str],
    timings: dict[str, float],
    quick: bool,
    total: float,
) -> Path:
    """Write ``VALIDATION_REPORT.md``: the table, the plots and how the figures were made."""
    import platform

    from .. import __version__

    passed = sum(r.passed is True for r in results)
    failed = sum(r.passed is False for r in results)
    skipped = sum(r.passed is None for r in results)
    lines = [
        "# Validation report",
        "",
        f"influencer-sim {__version__}, Python {platform.python_version()}, "
        f"{'quick sizes (--quick)' if quick else 'full sizes'}; {total:.0f} s in all. "
        "Regenerate with `influencer-sim validate" + (" --quick" if quick else "") + "`; "
        "the method is in docs/VALIDATION.md.",
        "",
        f"**{passed} passed, {failed} failed"
        + (f", {skipped} not run" if skipped else "")
        + f"** of {len(results)} checks.",
        "",
        "| check | expected | measured | tolerance | result |",
        "|---|---|---|---|---|",
    ]
    group = None
    for r in results:
        if r.group != group:
            group = r.group
            lines.append(f"| **{group}** | | | | |")
        verdict = "pass" if r.passed else ("not run" if r.passed is None else "**FAIL**")
        if math.isinf(r.tolerance):
            tol = "—"
        elif r.group.startswith("Bass") and r.expected == 0:
            tol = "≤ " + fmt_number(r.tolerance)
        else:
            tol = "± " + fmt_number(r.tolerance)
        if r.group == "engagement by tier":
            lo, hi = r.expected - r.tolerance, r.expected + r.tolerance
            expected, tol = f"{lo:g} to {hi:g}", "range"
        else:
            expected = fmt_number(r.expected)
        check = r.check.replace("|", "\\|")
        lines.append(f"| {check} | {expected} | {fmt_number(r.measured)} | {tol} | {verdict} |")
    lines += directions_table(results)
    lines += ["", "## Details", ""]
    for r in results:
        lines.append(f"- *{r.check.replace('|', chr(92) + '|')}*: {r.detail}.")
    lines += ["", "## Plots", ""]
    for title, name in plots.items():
        lines += [f"### {title}", "", f"![{title}]({name})", ""]
    lines += ["## Time per check", "", "| check | seconds |", "|---|---|"]
    lines += [f"| {k} | {v:.1f} |" for k, v in timings.items()]
    path = out_dir / "VALIDATION_REPORT.md"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def directions_table(results: list[CheckResult]) -> list[str]:
    """Markdown lines: finding | source | expected direction | measured change with 95% CI | pass."""
    rows = [r for r in results if "finding" in r.data]
    if not rows:
        return []
    lines = [
        "",
        "## Where each strategy wins: published directions",
        "",
        "Change in micro's advantage over mega (ln micro - ln mega for totals, micro - mega for ROI) "
        "when the factor goes from its low to its high level, paired on the same markets.",
        "",
        "| finding | source | expected direction | measured change (95% CI) | pass |",
        "|---|---|---|---|---|",
    ]
    for r in rows:
        finding, (lo, hi) = r.data["finding"], r.data["ci"]
        arrow = "micro gains" if finding.direction > 0 else "mega gains"
        lines.append(
            f"| {finding.name} | {finding.source} | {arrow} as {finding.key} goes "
            f"{finding.low:g} → {finding.high:g} | {r.measured:+.3g} ({lo:+.3g} to {hi:+.3g}) | "
            f"{'pass' if r.passed else '**FAIL**'} |"
        )
    return lines


def write_plots(results: list[CheckResult], out_dir: Path) -> dict[str, str]:
    """Draw the validation plots (PNG, Agg backend), one per check that ran; return ``{title: file name}``."""
    figures = (
        ("independent cascade", _plot_cascade, "ic_spread.png"),
        ("Bass", _plot_bass, "bass_curve.png"),
        ("Bass grid", _plot_bass_grid, "bass_grid.png"),
        ("engagement by tier", _plot_engagement, "engagement_by_tier.png"),
        ("scale invariance", _plot_scale, "scale_invariance.png"),
    )
    plots: dict[str, str] = {}
    for group, draw, name in figures:
        rows = [r for r in results if r.group == group]
        if rows:
            fig, title = draw(rows)
            fig.tight_layout()
            fig.savefig(out_dir / name, dpi=120)
            plots[title] = name
    return plots


def _figure(*shape, figsize, **kwargs):
    """A Figure on an Agg canvas and its axes: no pyplot, so no global backend or figure state is touched."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=figsize)
    FigureCanvasAgg(fig)
    return fig, fig.subplots(*shape, **kwargs)


def _plot_cascade(rows: list[CheckResult]):
    """Model spread over exact spread per small graph; model against the reference libraries."""
    exact = [r for r in rows if "vs" not in r.check]
    ref = [r for r in rows if "vs" in r.check and r.passed is not None]
    fig, (ax_exact, ax_ref) = _figure(1, 2, figsize=(11, 4.5), gridspec_kw={"width_ratios": [3, 2]})
    y = np.arange(len(exact))[::-1]
    rel = [r.measured / r.expected for r in exact]
    err = [r.tolerance / r.expected for r in exact]
    ax_exact.errorbar(rel, y, xerr=err, fmt="o", color="C0", capsize=3, label=f"model mean ± {Z_MC} SE")
    ax_exact.axvline(1.0, color="k", lw=1, label="exact")
    ax_exact.set_yticks(y, [r.check.split(",")[0] + f" ({r.expected:.3g})" for r in exact], fontsize=8)
    ax_exact.set_xlabel("mean spread / exact expected spread")
    ax_exact.set_title("Independent cascade: model vs exact")
    ax_exact.legend(fontsize=8, loc="lower right")
    if not ref:
        ax_ref.text(0.5, 0.5, "reference implementations not installed", ha="center", transform=ax_ref.transAxes)
        return fig, "Independent cascade: spread against exact values and reference implementations"
    entries = [("model", ref[0].data["model"])] + [(r.data["name"], r.data["reference"]) for r in ref]
    for k, (_, spreads) in enumerate(entries):
        mean, se = _mean_se(spreads)
        ax_ref.errorbar([k], [mean], yerr=[Z_MC * se], fmt="o", capsize=4, color=f"C{k}")
        ax_ref.annotate(
            f"{mean:.2f}\n({len(spreads):,} runs)", (k, mean), textcoords="offset points", xytext=(8, -4), fontsize=8
        )
    ax_ref.set_xticks(range(len(entries)), [e[0] for e in entries])
    ax_ref.set_xlim(-0.5, len(entries) - 0.3)
    ax_ref.set_ylabel(f"mean spread ± {Z_MC} SE")
    ax_ref.set_title(ref[0].check.split(":")[1].split(",")[0].strip(), fontsize=9)
    return fig, "Independent cascade: spread against exact values and reference implementations"


def _plot_bass(rows: list[CheckResult]):
    """Adoption curves per step against the Bass curve, the gap over time, and the gap against the step."""
    bass = [r for r in rows if "dt" in r.data]
    p, q = bass[0].data["p"], bass[0].data["q"]
    fig, (ax_curve, ax_gap, ax_order) = _figure(1, 3, figsize=(15, 4.5))
    t_fine = np.linspace(0, max(r.data["t"][-1] for r in bass), 400)
    ax_curve.plot(t_fine, bass_curve(t_fine, p, q), "k-", lw=2.5, alpha=0.35, label="Bass (1969)")
    for k, r in enumerate(bass):
        d = r.data
        ax_curve.plot(d["t"], d["mean"], "-", color=f"C{k}", lw=1, label=f"model, dt = {d['dt']:.3g}")
        ax_gap.plot(d["t"], d["mean"] - bass_curve(d["t"], p, q), "-", color=f"C{k}", lw=1, label=f"dt = {d['dt']:.3g}")
    ax_curve.set(xlabel="day", ylabel="F(t), share who bought", title=f"Adoption, p = {p:g}, q = {q:g} per day")
    ax_curve.legend(fontsize=8)
    ax_gap.axhline(0, color="k", lw=0.8)
    for bound in (-BASS_TOLERANCE, BASS_TOLERANCE):
        ax_gap.axhline(bound, color="r", ls=":", lw=1)
    ax_gap.set(xlabel="day", ylabel="F_abm(t) - F_bass(t)", title=f"Gap over time (red: ±{BASS_TOLERANCE:g})")
    ax_gap.legend(fontsize=8)
    dts = np.array([r.data["dt"] for r in bass])
    gaps = np.array([r.measured for r in bass])
    ax_order.loglog(dts, gaps, "o-", label="mean curve")
    ax_order.vlines(
        dts,
        [r.data["single_gaps"].min() for r in bass],
        [r.data["single_gaps"].max() for r in bass],
        color="C0",
        alpha=0.4,
        label="single runs (range)",
    )
    ax_order.loglog(dts, gaps[0] * dts / dts[0], "k--", lw=0.8, label="∝ dt")
    ax_order.axhline(BASS_TOLERANCE, color="r", ls=":", label=f"{BASS_TOLERANCE:g}")
    ax_order.set(xlabel="step dt (days)", ylabel="max |F_abm - F_bass|", title="Gap shrinks with the step")
    ax_order.legend(fontsize=8)
    return fig, "Bass: model against the Bass curve for several step lengths"


def _plot_bass_grid(rows: list[CheckResult]):
    """Largest gap per (p, q) at the step chosen from p + q, against q / p."""
    fig, ax = _figure(figsize=(7, 4.5))
    for k, p in enumerate(sorted({r.data["p"] for r in rows})):
        at_p = [r for r in rows if r.data["p"] == p]
        ratio = [r.data["q"] / p for r in at_p]
        ax.errorbar(
            ratio,
            [r.measured for r in at_p],
            yerr=[3 * r.data["se"] for r in at_p],
            fmt="o",
            capsize=3,
            color=f"C{k}",
            label=f"p = {p:g}",
        )
    ax.axhline(BASS_TOLERANCE, color="r", ls=":", label=f"{BASS_TOLERANCE:g}")
    ax.set_xscale("log")
    ax.set(
        xlabel="q / p",
        ylabel="max |F_abm - F_bass| (± 3 SE)",
        title=f"Bass grid at dt = {BASS_STEP:g} / (p + q)",
        ylim=(0, None),
    )
    ax.legend(fontsize=8)
    return fig, "Bass: the gap over a grid of p and q, at the step chosen from p + q"


def _plot_engagement(rows: list[CheckResult]):
    """Pooled model bins and the fitted power law against the published points and the target band."""
    import matplotlib.ticker

    d = rows[0].data
    bins, published = d["bins"], d["published"]
    fig, ax = _figure(figsize=(7.5, 5))
    ax.scatter(
        bins["followers"], 100 * bins["rate"], s=12 + 6 * np.sqrt(bins["creators"]), color="C0", zorder=3, alpha=0.8
    )
    ax.plot([], [], "o", color="C0", label="model: creators pooled in half-decade bins (area ~ creators)")
    x = np.logspace(np.log10(ENGAGEMENT_BIN_LOW), np.log10(ENGAGEMENT_BIN_HIGH), 50)
    ci = d.get("ci", (np.nan, np.nan))
    fit_label = f"fit: F^{d['slope']:.3f} (95% CI {ci[0]:.3f} to {ci[1]:.3f})"
    ax.plot(x, 100 * d["level"] * x ** d["slope"], "C0-", label=fit_label)
    for k, (source, pts) in enumerate(published.groupby("source", sort=False)):
        label = f"{source.split(' (')[0]} {int(pts['year'].iloc[0])} (published)"
        ax.plot(pts["followers"], 100 * pts["rate"], "s--", color=f"C{k + 1}", ms=7, lw=0.8, label=label)
    for b in ENGAGEMENT_SLOPE_RANGE:  # the band's slopes, through the fit at 10,000 followers
        ax.plot(x, 100 * d["level"] * 1e4 ** (d["slope"] - b) * x**b, ":", color="grey", lw=0.8)
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.yaxis.set_major_formatter(matplotlib.ticker.FormatStrFormatter("%g"))
    ax.yaxis.set_minor_formatter(matplotlib.ticker.FormatStrFormatter("%g"))
    low, high = ENGAGEMENT_SLOPE_RANGE
    ax.set(
        xlabel="followers",
        ylabel="engagement per follower per post (%)",
        title=f"Engagement by tier (dotted: slopes {low:g} and {high:g})",
    )
    ax.legend(fontsize=8)
    return fig, "Engagement by tier against the published points"


def _plot_scale(rows: list[CheckResult]):
    """Per metric: mean ± 95% CI at both agent counts, and each market's value."""
    fig, axes = _figure(1, len(rows), figsize=(4 * len(rows), 3.8))
    for ax, r in zip(np.atleast_1d(axes), rows, strict=True):
        sizes = [
            label.replace(" agents", "") + " agents" for label in r.check.split(": ")[1].split(" (")[0].split(" vs ")
        ]
        for k, values in enumerate((r.data["small"], r.data["large"])):
            mean, se = _mean_se(values)
            ax.errorbar([k], [mean], yerr=[1.96 * se], fmt="o", capsize=4, color=f"C{k}")
            ax.scatter(np.full(len(values), k + 0.15), values, s=6, color=f"C{k}", alpha=0.4)
        ax.set_xticks([0, 1], sizes)
        ax.set_xlim(-0.5, 1.6)
        ax.set_title(r.data["metric"].replace("_", " ") + (" (pass)" if r.passed else " (FAIL)"))
    fig.suptitle("Scale invariance: mean ± 95% CI, dots are markets (the same markets at both sizes)")
    return fig, "Scale invariance"
