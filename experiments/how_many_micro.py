"""How many micro creators: 1 to 50 at a fixed budget; diminishing returns and audience overlap."""

import sys

import numpy as np

from simulation import plots
from simulation.cli import experiment_parser, parse_values, run_design_from_args, run_script
from simulation.design import grid, point_summary
from simulation.report import Report, caveats, method_text, money_lines, publish

COUNTS = "1,2,5,10,20,50"
CREATORS = "most micro creators hired (creators)"


def run(args, scenario) -> int:
    counts = [int(c) for c in args.counts]
    design = grid(
        scenario,
        {"campaign.max_creators": counts},
        strategies=("micro",),
        replications=args.replications,
        seed=args.seed,
        name="how_many_micro",
    )
    res = run_design_from_args(args, design)
    out = res.directory
    measures = ["conversions", "unique_reach", "audience_overlap", "cpa", "creators_hired", "spend"]
    summary = point_summary(res.runs, ["campaign.max_creators"], measures)
    wide = summary.pivot(index="campaign.max_creators", columns="measure", values="mean").sort_index()
    # customers added by each extra creator hired, between neighbouring counts
    wide["customers_per_extra_creator"] = wide["conversions"].diff() / wide["creators_hired"].diff()
    wide.reset_index().to_csv(out / "summary.csv", index=False)
    figures = [
        (
            plots.by_factor(
                summary,
                "campaign.max_creators",
                {
                    "conversions": "customers (people)",
                    "unique_reach": "people reached (people)",
                    "audience_overlap": "audience overlap (share of followers)",
                },
                out / "by_creators.png",
                "More micro creators at the same budget: customers, reach and overlap",
                CREATORS,
                log_x=True,
            ),
            "Mean and 95% range over the simulated markets for each number of creators.",
        )
    ]
    marginal = wide["customers_per_extra_creator"].dropna()
    first = float(marginal.iloc[0]) if len(marginal) else np.nan
    fading = marginal[marginal < first / 2] if np.isfinite(first) and first > 0 else marginal.iloc[:0]
    budget = scenario["brand"]["budget"]
    best = wide["conversions"].idxmax()
    recs = [
        f"With ${budget:,.0f}, hiring up to {best} micro creators sold the most: about "
        f"{wide.loc[best, 'conversions']:,.0f} customers, reaching {wide.loc[best, 'unique_reach']:,.0f} people.",
        (
            f"Returns diminish: beyond {fading.index[0]} creators each extra creator adds fewer than half the "
            f"customers the first extra ones did ({fading.iloc[0]:,.0f} against {first:,.0f})."
            if len(fading)
            else "Returns did not diminish by half over this range: each extra creator still adds customers."
        ),
        f"Audiences overlap more as creators are added: {wide['audience_overlap'].iloc[0]:.0%} with "
        f"{wide.index[0]} against {wide['audience_overlap'].iloc[-1]:.0%} with {wide.index[-1]}.",
    ]
    report = Report(
        "How many micro creators should a budget buy?",
        recs,
        money_lines(
            res.runs.assign(strategy=res.runs["campaign.max_creators"].map(lambda n: f"up to {n} creators")), "strategy"
        ),
        figures,
        caveats(res),
        [("Method", method_text(res)), ("Means by number of creators", wide.reset_index())],
    )
    print(wide.reset_index().to_string(index=False))
    return publish(res, report)


def main(argv=None) -> int:
    parser = experiment_parser("how_many_micro", __doc__)
    parser.add_argument(
        "--counts",
        type=parse_values,
        default=parse_values(COUNTS),
        metavar="N,N,...",
        help=f"most micro creators hired (default {COUNTS})",
    )
    return run_script(parser, argv, run)


if __name__ == "__main__":
    sys.exit(main())
