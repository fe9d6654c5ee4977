"""Shared command-line options of the experiment scripts."""

import argparse
import sys
from pathlib import Path

from simulation.params import ScenarioError, load_scenario


def parser(description: str) -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(description=description)
    p.add_argument("--scenario", default="scenarios/mega_vs_micro.toml")
    p.add_argument("--set", dest="sets", action="append", default=[], metavar="KEY=VALUE")
    p.add_argument("--replications", type=int, default=10)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--workers", type=int, default=1)
    p.add_argument("--out", default="results")
    return p


def scenario(args):
    try:
        return load_scenario(args.scenario, args.sets)
    except ScenarioError as exc:
        sys.exit(f"error: {exc}")


def out_dir(args, name: str) -> Path:
    path = Path(args.out) / name
    path.mkdir(parents=True, exist_ok=True)
    return path
