"""Crossover map: where mega creators beat micro creators and where they lose, over two factors.

Default factors: how luxurious the product is (brand.luxury, 0 everyday to 1 luxury)
against customers' interest in its category (brand.category_interest, 0.1 to 1): the two
conditions under which Doshi, Ranganathan & Rao (2021) find celebrities gaining
(docs/MODEL.md 3.3.12).
Each cell is paired (common random numbers); a cell whose 95% interval covers zero is a tie.
"""

import sys

import numpy as np

from simulation import plots
from simulation.cli import experiment_parser, run_design_from_args, run_script
from simulation.design import grid
from simulation.params import ScenarioError
from simulation.report import Report, caveats, method_text, parameter_label, publish

X = "brand.luxury=" + ",".join(f"{v:.3g}" for v in np.linspace(0, 1, 8))
Y = "brand.category_interest=" + ",".join(f"{v:.3g}" for v in np.linspace(0.1, 1, 8))
#: the map of each goal: (measure, title, whether more is better)
GOALS = {
    "sales": ("roi", "Sales: return on fees", "{:.2f}x"),
    "awareness": ("unique_reach", "Awareness: people reached", "relative"),
}


def factor(text: str) -> tuple[str, list[str]]:
    key, _, values = text.partition("=")
    if not key.strip() or not values.strip():
        raise ScenarioError(f"{text!r}: expected KEY=V1,V2,..., for example brand.price=10,50,200")
    return key.strip(), [v.strip() for v in values.split(",") if v.strip()]


def run(args, scenario) -> int:
    (x, xs), (y, ys) = factor(args.x), factor(args.y)
    design = grid(
        scenario,
        {x: xs, y: ys},
        strategies=("mega", "micro"),
        replications=args.replications,
        seed=args.seed,
        name="crossover",
    )
    res = run_design_from_args(args, design)
    out, diffs = res.directory, res.differences
    figures, recs = [], []
    for goal, (measure, title, margin) in GOALS.items():
        path = plots.crossover_map(
            diffs, x, y, measure, out / f"map_{goal}.png", title, parameter_label(x), parameter_label(y), margin=margin
        )
        figures.append((path, f"{title}: who wins where (colour), by how much (number), and ties (grey)."))
        recs.append(region_sentence(diffs[diffs["metric"] == measure], x, y, goal))
    report = Report(
        "Where micro creators win, and where mega creators do",
        recs,
        [],
        figures,
        caveats(res),
        [("Method", method_text(res)), ("Paired differences per cell (micro minus mega)", diffs.drop(columns="point"))],
    )
    return publish(res, report)


def region_sentence(part, x: str, y: str, goal: str) -> str:
    """Counts of cells won by each side, and where each side's wins lie."""
    tie = ~((part["ci_low"] > 0) | (part["ci_high"] < 0))
    micro = part[~tie & (part["difference"] > 0)]
    mega = part[~tie & (part["difference"] < 0)]
    text = (
        f"For {goal}, micro creators win {len(micro)} of {len(part)} settings, mega creators "
        f"{len(mega)}, and {int(tie.sum())} are too close to call"
    )
    for name, cells in (("micro creators", micro), ("mega creators", mega)):
        if 0 < len(cells) < len(part):
            where = [
                f"{'higher' if cells[k].mean() > part[k].mean() else 'lower'} {parameter_label(k).split(' (')[0]}"
                for k in (x, y)
            ]
            text += f"; {name} win mostly at {where[0]} and {where[1]}"
    return text + "."


def main(argv=None) -> int:
    parser = experiment_parser("crossover", __doc__, sets=("market.followers=50000",))
    parser.add_argument("--x", default=X, metavar="KEY=V1,V2,...", help=f"first factor (default {X})")
    parser.add_argument("--y", default=Y, metavar="KEY=V1,V2,...", help=f"second factor (default {Y})")
    return run_script(parser, argv, run)


if __name__ == "__main__":
    sys.exit(main())
