"""The article's brand profiles: mega against micro (or the pair a scenario names) for each, with a verdict."""

import sys
from pathlib import Path

from _common import out_dir, parser

from simulation.experiment import paired_differences, run_experiment, strategy_arms, verdict
from simulation.params import load_scenario

PROFILES = ["startup", "small_business", "ecommerce", "local_brand", "global_brand"]


def main(argv=None) -> int:
    args = parser(__doc__).parse_args(argv)
    out = out_dir(args, "brand_profiles")
    root = Path(__file__).resolve().parent.parent / "scenarios"
    lines = []
    for name in PROFILES:
        params = load_scenario(root / f"{name}.toml", args.sets)
        a, b = params["scenario"].get("compare", ["mega", "micro"])
        res = run_experiment(
            params, strategy_arms([a, b]), replications=args.replications, seed=args.seed, workers=args.workers
        )
        res.runs.assign(profile=name).to_csv(out / f"{name}_runs.csv", index=False)
        diffs = paired_differences(res.runs, a, b)
        lines.append(f"{name}: {verdict(diffs, a, b)}")
        print(lines[-1])
    (out / "verdicts.txt").write_text("\n".join(lines) + "\n")
    print(f"written to {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
