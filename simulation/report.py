"""A one-page report for a strategist: ``report.md`` and the same as a standalone HTML page.

The page reads top to bottom: the recommendation in one sentence per goal (by how
much, how sure, in plain words), spend and profit in dollars, the figures, the
caveats; the method and the numbers go in an appendix. Above the appendix the text
uses words a reader who does not program knows: "simulated markets", not the names of
columns or of random-number machinery.
"""

from __future__ import annotations

import base64
import html
import math
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from .experiment import fmt_number
from .plots import fmt_value, label

#: how a measure reads in a sentence: (noun for "more ...", unit, more is better)
MEASURES = {
    "conversions": ("customers", "people", True),
    "unique_reach": ("people reached", "people", True),
    "profit": ("profit after fees", "USD", True),
    "roi": ("return on every dollar of fees", "x", True),
    "revenue": ("revenue", "USD", True),
    "cpa": ("cost per customer", "USD", False),
    "engagement_rate": ("engagement per view", "share", True),
    "audience_overlap": ("audience overlap", "share", False),
    "mean_trust_hired": ("trust in the hired creators (0 to 1)", "", True),
}
#: the goals a strategist asks about, and the measure that decides each
GOALS = {"sales": "conversions", "return on fees": "roi", "awareness": "unique_reach"}


def amount(value: float, unit: str) -> str:
    """A number as a reader says it: ``$12,300``, ``4,100 people``, ``1.3x``, ``12%``.

    Examples
    --------
    >>> amount(12345.6, "USD"), amount(4100.2, "people"), amount(0.125, "share"), amount(1.26, "x")
    ('$12,346', '4,100', '12.5%', '1.26x')
    """
    if value is None or not np.isfinite(value):
        return "not measurable"
    if unit == "USD":
        return f"-${abs(value):,.0f}" if value < 0 else f"${value:,.0f}"
    if unit == "share":
        return f"{value:.1%}"
    if unit == "x":
        return f"{value:.2f}x"
    if unit == "people":  # the measure's name says who they are
        return f"{value:,.0f}"
    return f"{fmt_number(value)} {unit}".strip()


def sureness(low: float, high: float, wins: float) -> str:
    """How sure, in words, from a 95% interval of a difference and the share of markets won."""
    if not (np.isfinite(low) and np.isfinite(high)):
        return "we cannot tell yet (too few simulated markets)"
    if low <= 0 <= high:
        return "but this is not clear: the difference could go either way"
    share = wins if np.isfinite(wins) else math.nan
    if np.isfinite(share) and share >= 0.9:
        return f"and we are confident: it won in {share:.0%} of the simulated markets"
    return f"and this is likely (it won in {share:.0%} of the simulated markets)"


def recommendation(
    diff: pd.Series, a: str, b: str, measure: str, goal: str, names: dict[str, str] | None = None
) -> str:
    """One sentence for one goal from one row of paired differences (``b - a``).

    Examples
    --------
    >>> row = pd.Series({"difference": 120.0, "ci_low": 80.0, "ci_high": 160.0, "relative": 0.3, "wins_b": 0.95})
    >>> recommendation(row, "mega", "micro", "conversions", "sales")
    'For sales, choose micro creators: about 120 more customers than mega creators (+30%), and we are confident: it won in 95% of the simulated markets.'
    >>> row = pd.Series({"difference": -30.0, "ci_low": -40.0, "ci_high": -20.0, "relative": -0.3, "wins_b": 0.2})
    >>> recommendation(row, "mega", "micro", "conversions", "sales")[:75]
    'For sales, choose mega creators: about 30 more customers than micro creator'
    >>> recommendation(row, "mega", "micro", "conversions", "sales")[75:]
    's (+43%), and this is likely (it won in 80% of the simulated markets).'
    """
    names = names or {}

    def name(x: str) -> str:
        return names.get(x, label(x))

    noun, unit, higher = MEASURES.get(measure, (measure, "", True))
    m, lo, hi = float(diff["difference"]), float(diff["ci_low"]), float(diff["ci_high"])
    if not np.isfinite(m):
        return f"For {goal}, we could not compare {name(a)} and {name(b)}."
    if np.isfinite(lo) and lo <= 0 <= hi:
        return (
            f"For {goal}, neither is clearly better: {name(b)} and {name(a)} differ by about "
            f"{amount(abs(m), unit)} in {noun}, and the difference could go either way "
            f"(95% range {amount(lo, unit)} to {amount(hi, unit)})."
        )
    b_better = (m > 0) == higher
    winner, loser = (b, a) if b_better else (a, b)
    wins = float(diff.get("wins_b", math.nan))
    wins = wins if b_better else 1 - wins
    direction = "more" if higher else "less"
    relative = float(diff.get("relative", math.nan))  # m / mean of a
    mean_a = m / relative if np.isfinite(relative) and relative else math.nan
    loser_mean = mean_a if winner == b else mean_a + m
    # the margin as a share of the loser's result; of a loss or of nothing it would mislead: left out
    rel_text = f" ({'+' if higher else '-'}{abs(m) / loser_mean:.0%})" if loser_mean > 0 else ""
    return (
        f"For {goal}, choose {name(winner)}: about {amount(abs(m), unit)} {direction} {noun} than "
        f"{name(loser)}{rel_text}, {sureness(lo, hi, wins)}."
    )


def goal_sentences(differences: pd.DataFrame, goals: dict[str, str] = GOALS) -> list[str]:
    """One recommendation per goal from the paired differences of one point (rows per metric)."""
    out = []
    for goal, measure in goals.items():
        rows = differences[differences["metric"] == measure]
        for _, row in rows.iterrows():
            out.append(recommendation(row, row["reference"], row["strategy"], measure, goal))
    return out


def tally(differences: pd.DataFrame, measure: str, goal: str, where) -> list[str]:
    """One sentence per compared strategy: at which points it wins, loses or ties against the reference.

    ``where(row)`` names a point in words (``"$25,000"``). A win or a loss is a 95% interval
    of the paired difference that excludes zero.
    """
    _, _, higher = MEASURES.get(measure, (measure, "", True))
    part = differences[differences["metric"] == measure]
    out = []
    for other, rows in part.groupby("strategy", sort=False):
        reference = rows["reference"].iloc[0]
        better = rows["ci_low"] > 0 if higher else rows["ci_high"] < 0
        worse = rows["ci_high"] < 0 if higher else rows["ci_low"] > 0
        ties = int((~(better | worse)).sum())
        wins, losses = (", ".join(where(r) for _, r in rows[mask].iterrows()) for mask in (better, worse))
        out.append(
            f"For {goal}, {label(other)} beat {label(reference)} at {int(better.sum())} of {len(rows)} settings"
            f"{f' ({wins})' if wins else ''}, lose at {int(worse.sum())}{f' ({losses})' if losses else ''}, "
            f"and {ties} {'is' if ties == 1 else 'are'} too close to call."
        )
    return out


def money_lines(runs: pd.DataFrame, by: str = "strategy") -> list[str]:
    """Spend and profit in dollars per strategy (means over the simulated markets)."""
    lines = []
    for key, g in runs.groupby(by, sort=False):
        name = label(key) if by == "strategy" else str(key)
        lines.append(
            f"{name[:1].upper() + name[1:]}: spent {amount(g['spend'].mean(), 'USD')} on creator fees, "
            f"sold to {amount(g['conversions'].mean(), 'people')} customers for {amount(g['revenue'].mean(), 'USD')}, "
            f"a profit after fees of {amount(g['profit'].mean(), 'USD')} "
            f"({amount(g['cpa'].mean(), 'USD')} per customer)."
        )
    return lines


CAVEATS = (
    "These are simulated markets built from published averages (creator sizes, engagement, fees), "
    "not a forecast for one brand: read the direction and the size of a difference, not the exact numbers.",
    "Spend counts creator fees only; production, agency and product costs are not included.",
    "Every creator of a tier is drawn from the same rules; a real shortlist can be better or worse than average.",
)


def caveats(results) -> list[str]:
    """The standard caveats, and the settings that could not run."""
    return [*CAVEATS, *[c for c in [skipped_text(results)] if c]]


def publish(results, report: Report) -> int:
    """Write the report next to the tables, print the recommendations; exit status 0, or 130 if interrupted."""
    report.write(results.directory)
    for line in report.recommendations:
        print(line)
    state = "" if results.complete else " (interrupted: run the same command again to finish)"
    print(f"results written to {results.directory}{state}")
    return 0 if results.complete else 130


def parameter_label(key: str) -> str:
    """A parameter as words with its unit, for axes and sentences: ``product price (USD)``."""
    from .params import BY_KEY

    p = BY_KEY.get(key)
    if p is None:
        return key
    unit = {"0-1": "0 to 1", "": ""}.get(p.unit, p.unit)
    return p.help + (f" ({unit})" if unit else "")


@dataclass
class Report:
    """The parts of the page, in reading order."""

    title: str
    recommendations: list[str]
    money: list[str] = field(default_factory=list)
    figures: list[tuple[Path, str]] = field(default_factory=list)  # (PNG path, caption in words)
    caveats: list[str] = field(default_factory=list)
    appendix: list[tuple[str, str | pd.DataFrame]] = field(default_factory=list)  # (heading, text or table)
    intro: str = ""

    def write(self, directory: Path) -> tuple[Path, Path]:
        """Write ``report.md`` and ``report.html`` (figures inline) into ``directory``."""
        directory = Path(directory)
        md = directory / "report.md"
        page = directory / "report.html"
        md.write_text(self.markdown(directory), encoding="utf-8")
        page.write_text(self.html(), encoding="utf-8")
        return md, page

    def markdown(self, directory: Path) -> str:
        out = [f"# {self.title}", ""]
        if self.intro:
            out += [self.intro, ""]
        out += ["## What to do", ""] + [f"- {r}" for r in self.recommendations] + [""]
        if self.money:
            out += ["## Spend and profit", ""] + [f"- {m}" for m in self.money] + [""]
        for path, caption in self.figures:
            out += [f"![{caption}]({Path(path).relative_to(directory).as_posix()})", "", f"*{caption}*", ""]
        if self.caveats:
            out += ["## Caveats", ""] + [f"- {c}" for c in self.caveats] + [""]
        out += ["---", "", "## Appendix: method and numbers", ""]
        for heading, body in self.appendix:
            out += [f"### {heading}", "", markdown_table(body) if isinstance(body, pd.DataFrame) else body, ""]
        return "\n".join(out)

    def html(self) -> str:
        e = html.escape
        parts = [f"<h1>{e(self.title)}</h1>"]
        if self.intro:
            parts.append(f"<p>{e(self.intro)}</p>")
        parts.append("<h2>What to do</h2><ul>" + "".join(f"<li>{e(r)}</li>" for r in self.recommendations) + "</ul>")
        if self.money:
            parts.append("<h2>Spend and profit</h2><ul>" + "".join(f"<li>{e(m)}</li>" for m in self.money) + "</ul>")
        for path, caption in self.figures:
            data = base64.b64encode(Path(path).read_bytes()).decode("ascii")
            parts.append(
                f'<figure><img src="data:image/png;base64,{data}" alt="{e(caption)}">'
                f"<figcaption>{e(caption)}</figcaption></figure>"
            )
        if self.caveats:
            parts.append("<h2>Caveats</h2><ul>" + "".join(f"<li>{e(c)}</li>" for c in self.caveats) + "</ul>")
        parts.append("<hr><h2>Appendix: method and numbers</h2>")
        for heading, body in self.appendix:
            parts.append(f"<h3>{e(heading)}</h3>")
            if isinstance(body, pd.DataFrame):
                parts.append(body.to_html(index=False, float_format=fmt_number, border=0))
            else:
                parts.append(f"<p>{e(body)}</p>")
        style = (
            "body{font-family:system-ui,sans-serif;max-width:60em;margin:2em auto;padding:0 1em;line-height:1.45}"
            "img{max-width:100%}figcaption{font-style:italic;color:#444}table{border-collapse:collapse;"
            "font-size:85%}td,th{padding:2px 8px;border-bottom:1px solid #ddd;text-align:right}"
        )
        return (
            f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{e(self.title)}</title>'
            f"<style>{style}</style></head><body>{''.join(parts)}</body></html>\n"
        )


def markdown_table(df: pd.DataFrame) -> str:
    """A pipe table (numbers compact), without the optional tabulate package."""
    if not len(df):
        return "(none)"

    def cell(v) -> str:
        if isinstance(v, float | np.floating):
            return fmt_number(float(v))
        return str(v).replace("|", "/")

    lines = ["| " + " | ".join(map(str, df.columns)) + " |", "|" + "---|" * len(df.columns)]
    lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in df.itertuples(index=False)]
    return "\n".join(lines)


def method_text(results) -> str:
    """The appendix paragraph on how the numbers were made."""
    d = results.design
    p = d.scenario
    return (
        f"{len(d.points)} parameter point(s) x {len(d.strategies)} strategies ({', '.join(d.strategies)}) x "
        f"{d.replications} paired replications; root seed {d.seed}; replication r at a point runs on "
        f"SeedSequence(root seed, spawn_key=(point hash, r)) and all strategies of a replication share "
        f"its market and random streams (common random numbers). {p['market']['followers']:,} follower "
        f"agents stand for {p['market']['population']:,} people over {p['market']['days']} days. "
        f"Intervals are 95% Student-t intervals of the paired differences. Executor: "
        f"{results.executor.get('name')} with {results.executor.get('workers', '?')} worker(s); "
        f"{results.timings.get('wall_seconds', math.nan):.0f} s."
    )


def skipped_text(results) -> str | None:
    """One caveat listing the points that could not run, or None."""
    sk = results.skipped_points
    if not len(sk):
        return None
    items = []
    for _, row in sk.iterrows():
        where = ", ".join(f"{parameter_label(f)} {fmt_value(row[f])}" for f in results.design.factors)
        items.append(f"{label(row['strategy'])} at {where or 'the base scenario'} ({row['reason']})")
    return "Some settings could not run and are left out: " + "; ".join(dict.fromkeys(items)) + "."


def sweep_report(results, title: str | None = None) -> Path:
    """The report of a generic sweep: per point, the paired differences in words."""
    d = results.design
    directory = results.directory
    recs = []
    diffs = results.differences
    if len(diffs):
        for _, row in diffs[diffs["metric"] == "conversions"].iterrows():
            where = ", ".join(f"{parameter_label(f)} {fmt_value(row[f])}" for f in d.factors)
            recs.append(
                f"At {where}: " + recommendation(row, row["reference"], row["strategy"], "conversions", "sales")
            )
    notes = caveats(results)
    appendix = [("Method", method_text(results))]
    if len(diffs):
        appendix.append(("Paired differences (strategy minus reference)", diffs.drop(columns=["point"])))
    Report(
        title or f"Sweep: {d.name.replace('_', ' ')}",
        recs or ["No point could run."],
        caveats=notes,
        appendix=appendix,
    ).write(directory)
    return directory / "report.md"
