"""The article's brand profiles (start-up, small business, e-commerce, local brand, global brand) against each strategy.

Each profile is one point of the design: its scenario file with the --set overrides,
written as what it changes from the base scenario, so each point runs exactly that profile.
"""

import sys

import pandas as pd

from simulation import plots
from simulation.cli import experiment_parser, run_design_from_args, run_script
from simulation.design import Design, point_hash, point_summary, write_tables
from simulation.params import flatten, load_scenario
from simulation.report import Report, caveats, goal_sentences, method_text, publish

PROFILES = ["startup", "small_business", "ecommerce", "local_brand", "global_brand"]
STRATEGIES = ("mega", "micro", "mixed")


def profile_point(profile: str, base: dict, sets: list[str]) -> dict:
    """The profile's scenario (with the user's --set) as overrides of ``base``: exactly the profile."""
    target = flatten({k: v for k, v in load_scenario(profile, sets).items() if k != "scenario"})
    reference = flatten({k: v for k, v in base.items() if k != "scenario"})
    return {k: v for k, v in target.items() if v != reference[k]}


def run(args, scenario) -> int:
    points = [profile_point(p, scenario, [*args.base_sets, *args.sets]) for p in PROFILES]
    design = Design(scenario, tuple(points), STRATEGIES, args.replications, args.seed, "brand_profiles")
    res = run_design_from_args(args, design)
    out = res.directory
    names = {f"{point_hash(p):016x}": name for p, name in zip(points, PROFILES)}
    for table in (res.runs, res.differences, res.skipped):
        if len(table):
            table.insert(1, "profile", table["point"].map(names))
    write_tables(res)  # again, with the profile's name as a column
    summary = point_summary(res.runs, ["profile"], ["roi", "conversions", "unique_reach", "profit"])
    summary["profile"] = pd.Categorical(summary["profile"], PROFILES, ordered=True)
    summary = summary.sort_values(["profile", "strategy", "measure"])
    table = summary.pivot_table(index=["profile", "strategy"], columns="measure", values="mean", observed=True)
    table.reset_index().to_csv(out / "profiles.csv", index=False)
    figure = plots.grouped_bars(
        summary,
        "profile",
        {"roi": "return on fees (x)", "unique_reach": "people reached (people)"},
        out / "profiles.png",
        "Each brand profile with each strategy",
    )
    recs = []
    for profile in PROFILES:
        d = res.differences[(res.differences["profile"] == profile) & (res.differences["strategy"] == "micro")]
        name = profile.replace("_", " ").replace("ecommerce", "e-commerce").replace("startup", "start-up")
        recs += [f"{name[:1].upper() + name[1:]}: {s}" for s in goal_sentences(d, {"sales": "conversions"})]
    print(table.to_string(float_format=lambda v: f"{v:,.3g}"))
    report = Report(
        "Which strategy suits which kind of brand",
        recs,
        [],
        [(figure, "Return on fees and people reached for each brand profile and strategy (95% ranges).")],
        caveats(res),
        [("Method", method_text(res)), ("Means per profile and strategy", table.reset_index())],
    )
    return publish(res, report)


def main(argv=None) -> int:
    return run_script(experiment_parser("brand_profiles", __doc__), argv, run)


if __name__ == "__main__":
    sys.exit(main())
