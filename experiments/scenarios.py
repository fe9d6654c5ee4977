"""When does mega win? Every shipped scenario's own comparison (its strategy pair, its goal), one table.

Each scenario runs its two strategies on the same simulated markets (paired), and the
verdict ranks them on the scenario's goal (brand.goal). The table is the one in
docs/MODEL.md, "When does mega win?".
"""

import sys

import pandas as pd

from simulation.cli import experiment_parser, run_script
from simulation.experiment import scenario_verdicts
from simulation.params import shipped_scenarios
from simulation.report import markdown_table


def run(args, scenario) -> int:
    names = args.scenarios.split(",") if args.scenarios else sorted(p.stem for p in shipped_scenarios().glob("*.toml"))
    rows = []
    for name in names:  # one scenario at a time: a row is printed (and kept) as soon as it is known
        rows.append(
            scenario_verdicts(
                [name], replications=args.replications, seed=args.seed, sets=args.sets, workers=args.workers or 1
            )
        )
        print(" | ".join(str(v) for v in rows[-1].iloc[0]), flush=True)
        markdown = markdown_table(pd.concat(rows, ignore_index=True))
        if args.table:
            with open(args.table, "w", encoding="utf-8") as f:
                f.write(markdown + "\n")
    print(markdown)
    return 0


def main(argv=None) -> int:
    parser = experiment_parser("scenarios", __doc__, replications=10)
    parser.add_argument("--scenarios", default=None, help="comma-separated scenario names (default: every shipped one)")
    parser.add_argument("--table", default=None, help="also write the markdown table to this file")
    return run_script(parser, argv, run)


if __name__ == "__main__":
    sys.exit(main())
