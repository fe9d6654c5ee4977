"""Headline: mega creators against micro creators at an equal budget (the default scenario), paired."""

import sys

from simulation import plots
from simulation.cli import experiment_parser, run_design_from_args, run_script
from simulation.design import Design
from simulation.report import Report, caveats, goal_sentences, method_text, money_lines, publish


def run(args, scenario) -> int:
    design = Design(
        scenario,
        strategies=("mega", "micro"),
        replications=args.replications,
        seed=args.seed,
        name="headline",
        tables=("daily",),
    )
    res = run_design_from_args(args, design)
    out, runs, daily = res.directory, res.runs.assign(arm=res.runs["strategy"]), res.daily
    budget = scenario["brand"]["budget"]
    figures = [
        (
            plots.conversions_over_time(
                daily.assign(arm=daily["strategy"]), out / "customers_over_time.png", "Customers won day by day"
            ),
            "Customers won over the campaign, mean and 95% range over the simulated markets.",
        ),
        (
            plots.roi_cpa(runs, out / "return_and_cost.png"),
            "Return on fees and cost per customer: each dot is one simulated market.",
        ),
        (
            plots.funnel(runs, out / "funnel.png", "From seeing a post to buying"),
            "The purchase funnel: people at each stage, and the share who go on to the next stage.",
        ),
    ]
    report = Report(
        f"Mega or micro creators for a {scenario['brand']['niche']} product with ${budget:,.0f}?",
        goal_sentences(res.differences),
        money_lines(res.runs),
        figures,
        caveats(res),
        [
            ("Method", method_text(res)),
            ("Paired differences (micro minus mega)", res.differences.drop(columns="point")),
        ],
        intro=scenario.get("scenario", {}).get("description", ""),
    )
    return publish(res, report)


def main(argv=None) -> int:
    return run_script(experiment_parser("headline", __doc__, replications=20), argv, run)


if __name__ == "__main__":
    sys.exit(main())
