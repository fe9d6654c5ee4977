"""Budget: return, cost per customer and profit against budget for mega, micro and mixed portfolios."""

import sys

from simulation import plots
from simulation.cli import experiment_parser, parse_values, run_design_from_args, run_script
from simulation.design import grid, point_summary
from simulation.report import Report, caveats, method_text, money_lines, publish, tally

BUDGETS = "25000,50000,100000,200000,400000"  # below ~15,000 USD no mega creator is affordable
USD = "budget for creator fees (USD)"


def run(args, scenario) -> int:
    design = grid(
        scenario,
        {"brand.budget": args.budgets},
        strategies=("mega", "micro", "mixed"),
        replications=args.replications,
        seed=args.seed,
        name="budget",
    )
    res = run_design_from_args(args, design)
    out = res.directory
    summary = point_summary(res.runs, ["brand.budget"], ["roi", "cpa", "profit", "conversions", "spend"])
    summary.to_csv(out / "summary.csv", index=False)
    figures = [
        (
            plots.by_factor(
                summary,
                "brand.budget",
                {"roi": "return on fees (x)", "cpa": "cost per customer (USD)", "profit": "profit after fees (USD)"},
                out / "by_budget.png",
                "Return, cost per customer and profit as the budget grows",
                USD,
                log_x=True,
            ),
            "Mean and 95% range over the simulated markets at each budget.",
        ),
        (
            plots.difference_by_factor(
                res.differences,
                "brand.budget",
                {"roi": "difference in return on fees (x)", "profit": "difference in profit (USD)"},
                out / "differences_by_budget.png",
                "How much better each portfolio does than mega creators, same markets",
                USD,
                log_x=True,
            ),
            "Paired differences against mega creators with their 95% intervals; above zero is better than mega.",
        ),
    ]
    diffs = res.differences.sort_values(["strategy", "brand.budget"])
    recs = tally(diffs, "roi", "return on fees", lambda row: f"${row['brand.budget']:,.0f}")
    recs += tally(diffs, "conversions", "sales", lambda row: f"${row['brand.budget']:,.0f}")
    table = summary[summary["measure"].isin(["roi", "cpa", "profit"])]
    print(table.sort_values(["measure", "brand.budget", "strategy"]).to_string(index=False))
    money = money_lines(res.runs[res.runs["brand.budget"] == max(args.budgets)])
    report = Report(
        "What a bigger budget buys: mega creators, micro creators or a mix",
        recs,
        [f"At the largest budget, ${max(args.budgets):,.0f}:", *money],
        figures,
        caveats(res),
        [("Method", method_text(res)), ("Means by budget", table), ("Paired differences", res.differences)],
    )
    return publish(res, report)


def main(argv=None) -> int:
    parser = experiment_parser("budget", __doc__)
    parser.add_argument(
        "--budgets",
        type=parse_values,
        default=parse_values(BUDGETS),
        metavar="USD,USD,...",
        help=f"budgets to compare (default {BUDGETS})",
    )
    return run_script(parser, argv, run)


if __name__ == "__main__":
    sys.exit(main())
