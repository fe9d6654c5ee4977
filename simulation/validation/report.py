"""The validation report: :func:`run_validation` runs every check and writes the table, report and plots."""

from __future__ import annotations

import math
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

from .base import Z_MC, CheckResult, _mean_se, results_table
from .bass import BASS_P, BASS_Q, bass_curve

FULL = {
    "ic_exact": {"runs": 2000},
    "ic_reference": {"nodes": 1000, "runs": 2000, "ndlib_runs": 1000, "cynetdiff_runs": 100_000},
    "bass": {"n": 100_000, "dts": (1.0, 0.5, 0.2, 0.1, 0.05), "runs": 8},
    "engagement": {"n": 20_000, "runs": 32},
    "scale": {"n": 50_000, "runs": 24},
}
QUICK = {
    "ic_exact": {"runs": 400},
    "ic_reference": {"nodes": 1000, "runs": 400, "ndlib_runs": 200, "cynetdiff_runs": 20_000},
    "bass": {"n": 100_000, "dts": (1.0, 0.2, 0.05), "runs": 2, "strict": False},
    "engagement": {"n": 10_000, "runs": 32},
    "scale": {"n": 10_000, "runs": 8},
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
        ("engagement by tier", package.check_engagement, sizes["engagement"]),
        ("scale invariance", package.check_scale_invariance, sizes["scale"]),
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


def _fmt(x: float) -> str:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "—"
    if math.isinf(x):
        return "—"
    if x == 0:
        return "0"
    return f"{x:.4g}" if abs(x) < 1e4 else f"{x:,.0f}"


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
        elif r.group == "Bass" and r.expected == 0:
            tol = "≤ " + _fmt(r.tolerance)
        else:
            tol = "± " + _fmt(r.tolerance)
        if r.group == "engagement by tier":
            lo, hi = r.expected - r.tolerance, r.expected + r.tolerance
            expected, tol = f"{lo:g} to {hi:g}", "range"
        else:
            expected = _fmt(r.expected)
        check = r.check.replace("|", "\\|")
        lines.append(f"| {check} | {expected} | {_fmt(r.measured)} | {tol} | {verdict} |")
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


def write_plots(results: list[CheckResult], out_dir: Path) -> dict[str, str]:
    """Draw the validation plots (PNG, Agg backend); return ``{title: file name}``."""
    import matplotlib.ticker
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    def subplots(*shape, **kwargs):
        # a Figure on an Agg canvas: no pyplot, so no global backend or figure state is touched
        fig = Figure(figsize=kwargs.pop("figsize"))
        FigureCanvasAgg(fig)
        return fig, fig.subplots(*shape, **kwargs)

    plots: dict[str, str] = {}
    ic = [r for r in results if r.group == "independent cascade"]
    if ic:
        exact = [r for r in ic if "vs" not in r.check]
        ref = [r for r in ic if "vs" in r.check and r.passed is not None]
        fig, axes = subplots(1, 2, figsize=(11, 4.5), gridspec_kw={"width_ratios": [3, 2]})
        ax = axes[0]
        y = np.arange(len(exact))[::-1]
        rel = [r.measured / r.expected for r in exact]
        err = [r.tolerance / r.expected for r in exact]
        ax.errorbar(rel, y, xerr=err, fmt="o", color="C0", capsize=3, label=f"model mean ± {Z_MC} SE")
        ax.axvline(1.0, color="k", lw=1, label="exact")
        ax.set_yticks(y, [r.check.split(",")[0] + f" ({r.expected:.3g})" for r in exact], fontsize=8)
        ax.set_xlabel("mean spread / exact expected spread")
        ax.set_title("Independent cascade: model vs exact")
        ax.legend(fontsize=8, loc="lower right")
        ax = axes[1]
        if ref:
            model = ref[0].data["model"]
            entries = [("model", model)] + [(r.data["name"], r.data["reference"]) for r in ref]
            for k, (_, x) in enumerate(entries):
                mean, se = _mean_se(x)
                ax.errorbar([k], [mean], yerr=[Z_MC * se], fmt="o", capsize=4, color=f"C{k}")
                ax.annotate(
                    f"{mean:.2f}\n({len(x):,} runs)", (k, mean), textcoords="offset points", xytext=(8, -4), fontsize=8
                )
            ax.set_xticks(range(len(entries)), [e[0] for e in entries])
            ax.set_xlim(-0.5, len(entries) - 0.3)
            ax.set_ylabel(f"mean spread ± {Z_MC} SE")
            ax.set_title(ref[0].check.split(":")[1].split(",")[0].strip(), fontsize=9)
        else:
            ax.text(0.5, 0.5, "reference implementations not installed", ha="center", transform=ax.transAxes)
        fig.tight_layout()
        fig.savefig(out_dir / "ic_spread.png", dpi=120)
        plots["Independent cascade: spread against exact values and reference implementations"] = "ic_spread.png"

    bass = [r for r in results if r.group == "Bass" and "dt" in r.data]
    if bass:
        fig, axes = subplots(1, 3, figsize=(15, 4.5))
        t_fine = np.linspace(0, max(r.data["t"][-1] for r in bass), 400)
        axes[0].plot(t_fine, bass_curve(t_fine), "k-", lw=2.5, alpha=0.35, label="Bass (1969)")
        for k, r in enumerate(bass):
            d = r.data
            axes[0].plot(d["t"], d["mean"], "-", color=f"C{k}", lw=1, label=f"model, dt = {d['dt']:g}")
            axes[1].plot(d["t"], d["mean"] - bass_curve(d["t"]), "-", color=f"C{k}", lw=1, label=f"dt = {d['dt']:g}")
        axes[0].set(
            xlabel="day", ylabel="F(t), share who bought", title=f"Adoption, p = {BASS_P}, q = {BASS_Q} per day"
        )
        axes[0].legend(fontsize=8)
        axes[1].axhline(0, color="k", lw=0.8)
        for s in (-0.01, 0.01):
            axes[1].axhline(s, color="r", ls=":", lw=1)
        axes[1].set(xlabel="day", ylabel="F_abm(t) - F_bass(t)", title="Gap over time (red: ±0.01)")
        axes[1].legend(fontsize=8)
        dts = np.array([r.data["dt"] for r in bass])
        gaps = np.array([r.measured for r in bass])
        lo = np.array([r.data["single_gaps"].min() for r in bass])
        hi = np.array([r.data["single_gaps"].max() for r in bass])
        ax = axes[2]
        ax.loglog(dts, gaps, "o-", label="mean curve")
        ax.vlines(dts, lo, hi, color="C0", alpha=0.4, label="single runs (range)")
        ax.loglog(dts, gaps[0] * dts / dts[0], "k--", lw=0.8, label="∝ dt")
        ax.axhline(0.01, color="r", ls=":", label="0.01")
        ax.set(xlabel="step dt (days)", ylabel="max |F_abm - F_bass|", title="Gap shrinks with the step")
        ax.legend(fontsize=8)
        fig.tight_layout()
        fig.savefig(out_dir / "bass_curve.png", dpi=120)
        plots["Bass: model against the Bass curve for several step lengths"] = "bass_curve.png"

    eng = [r for r in results if r.group == "engagement by tier"]
    if eng:
        d = eng[0].data
        bins, published = d["bins"], d["published"]
        fig, ax = subplots(figsize=(7.5, 5))
        ax.scatter(
            bins["followers"], 100 * bins["rate"], s=12 + 6 * np.sqrt(bins["creators"]), color="C0", zorder=3, alpha=0.8
        )
        ax.plot([], [], "o", color="C0", label="model: creators pooled in half-decade bins (area ~ creators)")
        x = np.logspace(3, np.log10(2e7), 50)
        ci = d.get("ci", (np.nan, np.nan))
        ax.plot(
            x,
            100 * d["level"] * x ** d["slope"],
            "C0-",
            label=f"fit: F^{d['slope']:.3f} (95% CI {ci[0]:.3f} to {ci[1]:.3f})",
        )
        for k, (source, pts) in enumerate(published.groupby("source", sort=False)):
            short = source.split(" (")[0]
            year = int(pts["year"].iloc[0])
            ax.plot(
                pts["followers"],
                100 * pts["rate"],
                "s--",
                color=f"C{k + 1}",
                ms=7,
                lw=0.8,
                label=f"{short} {year} (published)",
            )
        for b in (-0.22, -0.17):
            ax.plot(x, 100 * d["level"] * 1e4 ** (d["slope"] - b) * x**b, ":", color="grey", lw=0.8)
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.yaxis.set_major_formatter(matplotlib.ticker.FormatStrFormatter("%g"))
        ax.yaxis.set_minor_formatter(matplotlib.ticker.FormatStrFormatter("%g"))
        ax.set(
            xlabel="followers",
            ylabel="engagement per follower per post (%)",
            title="Engagement by tier (dotted: slopes -0.22 and -0.17)",
        )
        ax.legend(fontsize=8)
        fig.tight_layout()
        fig.savefig(out_dir / "engagement_by_tier.png", dpi=120)
        plots["Engagement by tier against the published points"] = "engagement_by_tier.png"

    scale = [r for r in results if r.group == "scale invariance"]
    if scale:
        fig, axes = subplots(1, len(scale), figsize=(4 * len(scale), 3.8))
        for ax, r in zip(np.atleast_1d(axes), scale, strict=True):
            a, b = r.data["small"], r.data["large"]
            n = [
                label.replace(" agents", "") + " agents"
                for label in r.check.split(": ")[1].split(" (")[0].split(" vs ")
            ]
            for k, x in enumerate((a, b)):
                mean, se = _mean_se(x)
                ax.errorbar([k], [mean], yerr=[1.96 * se], fmt="o", capsize=4, color=f"C{k}")
                ax.scatter(np.full(len(x), k + 0.15), x, s=6, color=f"C{k}", alpha=0.4)
            ax.set_xticks([0, 1], n)
            ax.set_xlim(-0.5, 1.6)
            ax.set_title(r.data["metric"].replace("_", " ") + (" (pass)" if r.passed else " (FAIL)"))
        fig.suptitle("Scale invariance: mean ± 95% CI, dots are markets (the same markets at both sizes)")
        fig.tight_layout()
        fig.savefig(out_dir / "scale_invariance.png", dpi=120)
        plots["Scale invariance"] = "scale_invariance.png"
    return plots
