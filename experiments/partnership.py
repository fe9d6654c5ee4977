"""One-off posts against a long-term partnership over 90 days, with trust over time.

Both schedules run on the same simulated markets (the schedule is a paired factor), so
their difference is paired like the strategies'.
"""

import sys

from simulation import plots
from simulation.cli import experiment_parser, run_design_from_args, run_script
from simulation.design import grid, paired_by
from simulation.report import Report, caveats, method_text, money_lines, publish, recommendation

SCHEDULES = {"one_off": "one-off posts", "partnership": "a long-term partnership"}


def run(args, scenario) -> int:
    design = grid(
        scenario,
        {"campaign.schedule": list(SCHEDULES)},
        strategies=("mega", "micro"),
        replications=args.replications,
        seed=args.seed,
        name="partnership",
        tables=("daily",),
        paired_factors=("campaign.schedule",),
    )
    res = run_design_from_args(args, design)
    out = res.directory
    diffs = paired_by(res.runs, "campaign.schedule", "one_off", "partnership")
    diffs.to_csv(out / "schedule_differences.csv", index=False)
    daily = res.daily
    figures = [
        (
            plots.over_time(
                daily,
                "mean_trust_hired",
                out / "trust_over_time.png",
                "Followers' trust in the hired creators, day by day",
                "mean trust in hired creators (0 to 1)",
                style_by="campaign.schedule",
            ),
            "Trust in the hired creators over the campaign: solid one-off posts, dashed a partnership.",
        ),
        (
            plots.over_time(
                daily,
                "purchased",
                out / "customers_over_time.png",
                "Customers so far, day by day",
                "customers so far (people)",
                style_by="campaign.schedule",
            ),
            "Customers won so far, mean and 95% range over the simulated markets.",
        ),
    ]
    recs = []
    for strategy in design.strategies:
        for measure, goal in (("conversions", "sales"), ("mean_trust_hired", "trust")):
            rows = diffs[(diffs["strategy"] == strategy) & (diffs["metric"] == measure)]
            for _, row in rows.iterrows():
                recs.append(
                    f"With {plots.label(strategy)}: "
                    + recommendation(row, "one_off", "partnership", measure, goal, SCHEDULES)
                )
    report = Report(
        "One-off posts or a long-term partnership?",
        recs,
        money_lines(
            res.runs.assign(
                strategy=res.runs["strategy"].map(plots.label) + ", " + res.runs["campaign.schedule"].map(SCHEDULES)
            ),
            "strategy",
        ),
        figures,
        caveats(res),
        [("Method", method_text(res)), ("Paired differences (partnership minus one-off)", diffs)],
    )
    return publish(res, report)


def main(argv=None) -> int:
    return run_script(experiment_parser("partnership", __doc__, sets=("market.days=90",)), argv, run)


if __name__ == "__main__":
    sys.exit(main())
