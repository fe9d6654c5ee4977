"""Global sensitivity of the micro-minus-mega difference (return on fees, and reach): Morris, then Sobol.

Stage 1 screens every factor with Morris elementary effects (SALib); stage 2 estimates
Sobol first-order and total indices for the factors that matter (Morris mu* at least a
tenth of the largest, at most --top). Every point of a stage runs on the same simulated
markets (common random numbers across points), so the indices measure the factors, not
the noise between markets. Needs the optional extra: pip install 'influencer-sim[sensitivity]'.
"""

import sys

import numpy as np
import pandas as pd

from simulation import output, plots
from simulation.cli import experiment_parser, run_design_from_args, run_script
from simulation.design import Design, point_hash
from simulation.params import ScenarioError
from simulation.report import Report, caveats, method_text, parameter_label, publish

FACTORS = (
    "brand.price=10:200",
    "brand.margin=0.2:0.8",
    "brand.quality=0.5:1",
    "creators.fee_exponent=0.8:1.2",
    "creators.relatability_exponent=0:0.15",
    "creators.reach_exponent=0:0.15",
)
OUTPUTS = {"roi": "return on fees (x)", "unique_reach": "people reached"}


def problem(factors: list[str]) -> dict:
    names, bounds = [], []
    for text in factors:
        key, _, rng = text.partition("=")
        try:
            low, high = (float(v) for v in rng.split(":"))
        except ValueError:
            raise ScenarioError(f"--factor {text!r}: expected KEY=LOW:HIGH, e.g. brand.price=10:200") from None
        if not low < high:
            raise ScenarioError(f"--factor {text!r}: LOW must be below HIGH")
        names.append(key.strip())
        bounds.append([low, high])
    return {"num_vars": len(names), "names": names, "bounds": bounds}


def differences_at(args, scenario, prob: dict, sample: np.ndarray, name: str):
    """Run the sample's points; per point, the mean micro-minus-mega difference of each output."""
    points = tuple(dict(zip(prob["names"], map(float, row))) for row in sample)
    design = Design(
        scenario, points, ("mega", "micro"), args.replications, args.seed, name, paired_factors=tuple(prob["names"])
    )
    res = run_design_from_args(args, design, out=f"{args.out}/sensitivity")
    if not res.complete:
        raise KeyboardInterrupt
    d = res.differences.pivot_table(index="point", columns="metric", values="difference")
    order = [f"{point_hash(p):016x}" for p in points]
    y = d.reindex(order)[list(OUTPUTS)]
    return res, y.fillna(y.mean()).to_numpy(dtype=float)


def run(args, scenario) -> int:
    from SALib.analyze import morris as morris_analyze
    from SALib.analyze import sobol as sobol_analyze
    from SALib.sample import morris as morris_sample
    from SALib.sample import sobol as sobol_sample

    prob = problem(args.factor or list(FACTORS))
    x = morris_sample.sample(prob, args.trajectories, num_levels=4, seed=args.seed)
    morris_res, y = differences_at(args, scenario, prob, x, "morris")
    rows = []
    for j, measure in enumerate(OUTPUTS):
        m = morris_analyze.analyze(prob, x, y[:, j], num_levels=4, seed=args.seed)
        for k, factor in enumerate(prob["names"]):
            rows.append(
                {
                    "stage": "morris",
                    "output": measure,
                    "factor": factor,
                    "index": "mu_star",
                    "value": m["mu_star"][k],
                    "error": m["mu_star_conf"][k],
                    "sigma": m["sigma"][k],
                }
            )
    morris = pd.DataFrame(rows)
    scaled = morris.assign(share=morris["value"] / morris.groupby("output")["value"].transform("max"))
    ranked = scaled.groupby("factor")["share"].max().sort_values(ascending=False)
    keep = list(ranked[ranked >= 0.1].index[: args.top]) or list(ranked.index[:2])
    keep = keep if len(keep) >= 2 else list(ranked.index[:2])
    sub = {"num_vars": len(keep), "names": keep, "bounds": [prob["bounds"][prob["names"].index(k)] for k in keep]}
    xs = sobol_sample.sample(sub, args.sobol_samples, calc_second_order=False, seed=args.seed)
    sobol_res, ys = differences_at(args, scenario, sub, xs, "sobol")
    for j, measure in enumerate(OUTPUTS):
        s = sobol_analyze.analyze(sub, ys[:, j], calc_second_order=False, seed=args.seed)
        for k, factor in enumerate(keep):
            for index in ("S1", "ST"):
                rows.append(
                    {
                        "stage": "sobol",
                        "output": measure,
                        "factor": factor,
                        "index": index,
                        "value": s[index][k],
                        "error": s[f"{index}_conf"][k],
                    }
                )
    indices = pd.DataFrame(rows)
    out = morris_res.directory.parent
    indices.to_csv(out / "indices.csv", index=False)
    shown = indices[(indices["index"] != "S1")].assign(
        factor=lambda t: t["factor"].map(lambda k: parameter_label(k).split(" (")[0]),
        panel=lambda t: (
            t["stage"].map({"morris": "Screening", "sobol": "Share of variance"}) + ": " + t["output"].map(OUTPUTS)
        ),
    )
    figure = plots.ranking(
        shown,
        out / "ranking.png",
        "What decides whether micro beats mega",
        "importance (screening: mean absolute effect; variance: total Sobol index, 0 to 1)",
    )
    n_morris, n_sobol = len(x), len(xs)
    runs = (n_morris + n_sobol) * args.replications * 2
    top = [parameter_label(k).split(" (")[0] for k in keep]
    sobol_st = indices[(indices["stage"] == "sobol") & (indices["index"] == "ST")]
    recs = []
    for measure, words in OUTPUTS.items():
        best = sobol_st[sobol_st["output"] == measure].sort_values("value", ascending=False).iloc[0]
        recs.append(
            f"For the gap in {words} between micro and mega creators, the setting that matters most is "
            f"{parameter_label(best['factor']).split(' (')[0]}: it accounts for about "
            f"{min(max(best['value'], 0), 1):.0%} of the variation (including its interactions)."
        )
    recs.append(f"Screening {len(prob['names'])} settings kept {len(keep)} that matter: {', '.join(top)}.")
    report = Report(
        "Which market conditions decide between micro and mega creators",
        recs,
        [],
        [(figure, "Importance of each setting; screening first, then the share of variance for those that matter.")],
        [
            f"Sample sizes: {n_morris} screening points ({args.trajectories} Morris trajectories), {n_sobol} "
            f"variance points (Saltelli N = {args.sobol_samples}), {args.replications} paired markets each, "
            f"{runs:,} simulations in all; with small samples the indices are rough (see the intervals).",
            *caveats(morris_res),
        ],
        [("Method", method_text(morris_res)), ("Indices", indices)],
    )
    output.write_manifest(
        out,
        scenario=scenario,
        command=sys.argv,
        seed=args.seed,
        replications=args.replications,
        arms=["mega", "micro"],
        timings={"wall_seconds": morris_res.timings["wall_seconds"] + sobol_res.timings["wall_seconds"]},
        status="complete",
        extra={"factors": prob, "sobol_factors": keep, "points": {"morris": n_morris, "sobol": n_sobol}},
    )
    morris_res.directory = out
    return publish(morris_res, report)


def main(argv=None) -> int:
    parser = experiment_parser("sensitivity", __doc__, replications=2, sets=("market.followers=20000",))
    parser.add_argument(
        "--factor",
        action="append",
        default=[],
        metavar="KEY=LOW:HIGH",
        help="a factor and its range (repeatable; default: " + ", ".join(FACTORS) + ")",
    )
    parser.add_argument("--trajectories", type=int, default=10, help="Morris trajectories (default 10)")
    parser.add_argument(
        "--sobol-samples", type=int, default=64, help="Saltelli base sample N, a power of 2 (default 64)"
    )
    parser.add_argument("--top", type=int, default=4, help="most factors kept for Sobol (default 4)")
    return run_script(parser, argv, run)


if __name__ == "__main__":
    sys.exit(main())
