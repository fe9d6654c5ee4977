"""``influencer-sim``: the command line, a thin layer over the Python API.

Bad input (an unknown key, a wrong type, a value out of range, a budget too small,
a missing file) prints one line naming what is wrong and what is allowed, exits with
status 2 and writes no output directory; the checks live in :mod:`simulation.boundary`.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import pandas as pd

from . import boundary
from .experiment import fmt_number as _fmt
from .params import (
    BY_KEY,
    DEFAULT_SCENARIO,
    PARAMETERS,
    SECTIONS,
    STRATEGIES,
    ScenarioError,
    find_scenario,
    load_scenario,
)

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class OneLineParser(argparse.ArgumentParser):
    """argparse, but a usage error is one line and exit status 2."""

    def error(self, message: str):
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


#: most replications one command runs (each is a full simulation; more is a typo)
MAX_REPLICATIONS = 1_000_000


def _whole_number(text: str, minimum: int, allowed: str, maximum: int | None = None) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not {allowed}") from None
    if value < minimum or (maximum is not None and value > maximum):
        raise argparse.ArgumentTypeError(f"{text!r} is not {allowed}")
    return value


def _positive_int(text: str) -> int:
    return _whole_number(text, 1, "a whole number of at least 1")


def _replications(text: str) -> int:
    return _whole_number(text, 1, f"a whole number from 1 to {MAX_REPLICATIONS:,}", MAX_REPLICATIONS)


def _seed(text: str) -> int:
    return _whole_number(text, 0, "a non-negative integer")


def _port(text: str) -> int:
    value = _whole_number(text, 1, "a port number from 1 to 65535")
    if value > 65535:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port number from 1 to 65535")
    return value


def _workers(text: str) -> int:
    """Processes to ask for; run_experiment caps them at the replications, cores and memory."""
    if text == "auto":
        return boundary.cores()
    return _positive_int(text)


def add_set_option(parser: argparse.ArgumentParser, help: str) -> None:
    """``--set KEY=VALUE`` (repeatable), collected in ``args.sets``."""
    parser.add_argument("--set", dest="sets", action="append", default=[], metavar="KEY=VALUE", help=help)


def _common(parser: argparse.ArgumentParser, replications: int) -> None:
    parser.add_argument(
        "scenario",
        nargs="?",
        default=None,
        help=f"scenario TOML file, or the name of one in ./scenarios/ or shipped with the package "
        f"(default: {DEFAULT_SCENARIO})",
    )
    add_set_option(parser, "override a parameter, e.g. --set brand.budget=50000 (repeatable)")
    parser.add_argument("--seed", type=_seed, default=0, help="base seed (default 0)")
    parser.add_argument(
        "--replications", type=_replications, default=replications, help=f"paired replications (default {replications})"
    )
    parser.add_argument(
        "--first",
        type=_seed,
        default=0,
        metavar="K",
        help="start at replication K (split replications across machines; default 0)",
    )
    parser.add_argument(
        "--workers",
        type=_workers,
        default=1,
        help="processes to use, or 'auto' (results do not depend on it; default 1)",
    )
    parser.add_argument("--out", default="results", help="parent folder of the new output directory (default results/)")
    parser.add_argument(
        "--graph",
        default=None,
        metavar="FILE",
        help="run on your own graph (GraphML or edge list; see docs/GRAPH_FORMAT.md)",
    )
    parser.add_argument("--no-plots", action="store_true", help="skip the PNG figures")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")


def build_parser() -> argparse.ArgumentParser:
    parser = OneLineParser(
        prog="influencer-sim",
        description=(
            "Agent-based simulation of influencer marketing: one mega creator or many micro creators "
            "at an equal budget?"
        ),
    )
    sub = parser.add_subparsers(dest="command", required=True, parser_class=OneLineParser)

    run = sub.add_parser(
        "run",
        help="run one scenario with one or more strategies",
        description="Run a scenario; write per-run, per-day and per-creator tables, a manifest and plots.",
    )
    _common(run, replications=1)
    run.add_argument(
        "--strategy",
        default=None,
        help=f"comma-separated strategies to run side by side ({', '.join(STRATEGIES)}); "
        "default: the scenario's campaign.strategy",
    )
    run.set_defaults(func=cmd_run)

    compare = sub.add_parser(
        "compare",
        help="the headline comparison: mega against micro, paired",
        description="Two strategies on the same simulated markets (common random numbers), "
        "with means, 95%% confidence intervals, paired differences and a verdict.",
    )
    _common(compare, replications=20)
    compare.add_argument(
        "--a",
        default=None,
        choices=STRATEGIES,
        help="first strategy (default: the scenario's [scenario] compare pair, else mega)",
    )
    compare.add_argument(
        "--b",
        default=None,
        choices=STRATEGIES,
        help="second strategy (default: the scenario's [scenario] compare pair, else micro)",
    )
    compare.set_defaults(func=cmd_compare)

    compete = sub.add_parser(
        "compete",
        help="competing brands in one market: results per brand, market share, who wins",
        description="Run a scenario's [[brands]] in one market (the same followers, the same days), with "
        "replications: per-brand means and 95%% intervals, market share over time, and who leads on each "
        "brand's goal (brands paired within a replication).",
    )
    _common(compete, replications=20)
    compete.set_defaults(func=cmd_compete)

    params = sub.add_parser("params", help="list every parameter with its default, range and meaning")
    params.add_argument(
        "--format",
        choices=("table", "toml"),
        default="table",
        help="table (default) or a TOML file of all defaults to start a scenario from",
    )
    params.set_defaults(func=cmd_params)

    validate = sub.add_parser("validate", help="reproduce known results and write a validation report")
    validate.add_argument("--out", default="results", help="parent folder of the report directory")
    validate.add_argument("--quick", action="store_true", help="smaller sizes (a minute instead of several)")
    validate.add_argument("--quiet", action="store_true", help="no progress bar")
    validate.set_defaults(func=cmd_validate)

    bench = sub.add_parser(
        "bench", help="speed and memory benchmarks at several sizes (from a source checkout: benchmarks/)"
    )
    bench.add_argument(
        "--sizes", default="10000,100000,1000000", help="comma-separated follower counts (default 10000,100000,1000000)"
    )
    bench.add_argument("--out", default="results", help="parent folder of the benchmark directory")
    bench.add_argument("--quiet", action="store_true", help="no progress output")
    bench.set_defaults(func=cmd_bench)

    dashboard = sub.add_parser(
        "dashboard",
        help="the interactive dashboard: two strategies side by side on one market",
        description="Start the dashboard (Solara) and print its address; opens no browser. Needs the dashboard "
        "extra: pip install -e '.[dashboard]'.",
    )
    dashboard.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    dashboard.add_argument("--port", type=_port, default=8765, help="port to listen on (default 8765)")
    dashboard.set_defaults(func=cmd_dashboard)
    _add_design_commands(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except ScenarioError as exc:
        print(f"influencer-sim: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("influencer-sim: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # the reader went away (`influencer-sim params | head`): stop quietly, as the Python docs advise,
        # pointing stdout at devnull so the interpreter's final flush does not complain either
        try:
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        except (OSError, ValueError, AttributeError):  # stdout is not a real file (under a test harness)
            pass
        return 1


# ----------------------------------------------------------------------------
# commands
# ----------------------------------------------------------------------------


def _load(args) -> tuple[dict, Path]:
    """The scenario with ``--set`` applied; with ``--graph``, the graph's follower count.

    The loaded graph is kept on ``args.loaded_graph`` for :func:`_simulate`.
    """
    from .graph_io import load_graph

    path = find_scenario(args.scenario)
    args.loaded_graph = load_graph(args.graph) if getattr(args, "graph", None) else None
    return load_scenario(path, args.sets, graph=args.loaded_graph), path


def _one_brand(scenario: dict, path: Path, command: str) -> None:
    """Strategies are compared one brand at a time: a market of several brands is `compete`'s."""
    if len(scenario["scenario"].get("brands") or []) > 1:
        raise ScenarioError(
            f"{path}: {command} compares strategies for one brand, and this scenario declares several "
            f"[[brands]]: run `influencer-sim compete {path}`"
        )


def _simulate(args, scenario: dict, arms: dict[str, dict]):
    """Run the experiment (after checking that ``--out`` can hold its results)."""
    from .experiment import run_experiment

    boundary.output_root(args.out)
    progress = not args.quiet and sys.stderr.isatty()
    results = run_experiment(
        scenario,
        arms,
        replications=args.replications,
        seed=args.seed,
        workers=args.workers,
        progress=progress,
        graph=getattr(args, "loaded_graph", None),
        first=args.first,
    )
    if len(results.runs) == 0:
        raise KeyboardInterrupt
    return results


def _write_results(
    args, scenario: dict, results, name: str, command: str, files: dict, figures=None
) -> tuple[Path, bool]:
    """Write the run directory: tables, plots, manifest and ``files`` (name -> text or DataFrame).

    ``figures(results, directory)`` draws the figures (default: the standard plots).

    Everything goes into a hidden temporary directory renamed into place at the end;
    Ctrl-C meanwhile is held until the directory is complete, so finished replications
    are never discarded. Returns (directory, whether Ctrl-C was pressed while writing).
    """
    from . import output, plots
    from .portfolio import portfolio_rows

    with boundary.deferred_interrupt() as interrupted:
        tmp, final = output.new_run_dir(args.out, f"{name}-{command}")
        try:
            tables = {
                "runs": results.runs,
                "daily": results.daily,
                "creators": results.creators,
                "creators_daily": results.creator_daily,
                "portfolio": portfolio_rows(results.creators, scenario["brand"]["goal"]),
            }
            output.write_tables(tmp, tables)
            if not args.no_plots and figures is not None:
                figures(results, tmp)
            elif not args.no_plots:
                plots.standard_plots(results.runs, results.daily, tmp, title=f"{name}: conversions over time")
            output.write_manifest(
                tmp,
                scenario=scenario,
                command=["influencer-sim", *sys.argv[1:]],
                seed=results.seed,
                replications=results.replications,
                arms=results.arms,
                timings=results.timings,
                status="complete" if results.complete else "interrupted",
                first=results.first,
                finished=results.finished,
            )
            for filename, content in files.items():
                if isinstance(content, pd.DataFrame):
                    content.to_csv(tmp / filename, index=False)
                else:
                    (tmp / filename).write_text(content)
            final = output.finish(tmp, final)
        except BaseException:
            output.discard(tmp)
            raise
    return final, interrupted.is_set()


def _finished(results, final: Path, interrupted_while_writing: bool) -> int:
    """The last line and the exit status: 130 after any Ctrl-C, with what was kept."""
    print(f"results written to {final}")
    if results.complete and not interrupted_while_writing:
        return 0
    print(
        f"influencer-sim: interrupted; kept {results.replications} finished replication(s): "
        f"{', '.join(map(str, results.finished))}",
        file=sys.stderr,
    )
    return 130


def cmd_run(args) -> int:
    from .experiment import strategy_arms, summarize

    scenario, path = _load(args)
    _one_brand(scenario, path, "run")
    strategies = boundary.parse_strategies(
        args.strategy if args.strategy is not None else scenario["campaign"]["strategy"]
    )
    results = _simulate(args, scenario, strategy_arms(strategies))
    table = summarize(
        results.runs,
        [
            "conversions",
            "revenue",
            "spend",
            "roi",
            "cpa",
            "engagement_rate",
            "ctr",
            "unique_reach",
            "mean_trust_hired",
            "audience_overlap",
        ],
    )
    summary = table.pivot(index="metric", columns="arm", values="mean").loc[table["metric"].unique()]
    final, interrupted = _write_results(args, scenario, results, path.stem, "run", {"summary.csv": table})
    print(f"{path.stem}: {', '.join(strategies)}; {results.replications} replication(s), seed {results.seed}")
    print(summary.to_string(float_format=_fmt))
    return _finished(results, final, interrupted)


def cmd_compare(args) -> int:
    from .experiment import explain, headline_metrics, paired_differences, summarize, verdict

    scenario, path = _load(args)
    _one_brand(scenario, path, "compare")
    pair = scenario.get("scenario", {}).get("compare", ["mega", "micro"])  # checked when the file was read
    args.a, args.b = args.a or pair[0], args.b or pair[1]
    if args.a == args.b:
        raise ScenarioError(f"--a and --b are both {args.a!r}: compare two different strategies")
    arms = {args.a: {"campaign.strategy": args.a}, args.b: {"campaign.strategy": args.b}}
    results = _simulate(args, scenario, arms)
    goal = scenario["brand"]["goal"]
    measures = headline_metrics(goal)
    summary = summarize(results.runs, measures)
    diffs = paired_differences(results.runs, args.a, args.b, measures)
    line = verdict(diffs, args.a, args.b, goal=goal, runs=results.runs)
    why = explain(results.runs, args.a, args.b)
    table = comparison_table(summary, diffs, args.a, args.b)
    files = {
        "summary.csv": summary,
        "paired_differences.csv": diffs,
        "verdict.txt": line + "\n" + why + "\n",
        "report.md": _report(path.stem, scenario, results, table, line, why),
    }
    final, interrupted = _write_results(args, scenario, results, path.stem, "compare", files)
    budget = scenario["brand"]["budget"]
    print(
        f"{path.stem}: {args.a} vs {args.b} at an equal budget of {budget:,.0f} USD; "
        f"{results.replications} paired replications, seed {results.seed}"
    )
    print(table.to_string(index=False))
    print(line)
    print(why)
    return _finished(results, final, interrupted)


def cmd_compete(args) -> int:
    from . import compete, plots
    from .portfolio import portfolio_rows

    scenario, path = _load(args)
    brands = scenario["scenario"].get("brands") or []
    if len(brands) < 2:
        raise ScenarioError(
            f"{path}: compete needs a market of two or more brands: declare them as [[brands]] tables "
            "(see scenarios/rivals.toml)"
        )

    def figures(results, directory):
        strategies = dict(zip(results.runs["brand"], results.runs["strategy"]))
        plots.market_share(
            results.daily, strategies, directory / "market_share.png", f"{path.stem}: share of the category's buyers"
        )

    results = _simulate(args, scenario, {compete.MARKET_ARM: {}})
    summary = compete.brand_summary(results.runs)
    table = compete.brand_table(summary)
    line = compete.market_verdict(results.runs)
    files = {
        "summary.csv": summary,
        "market_share.csv": compete.share_over_time(results.daily),
        "verdict.txt": line + "\n",
    }
    chosen = [
        portfolio_rows(results.creators, goal, brand) for brand, goal in compete.brand_goals(results.runs).items()
    ]
    if any(len(part) for part in chosen):
        files["portfolio.csv"] = pd.concat(chosen, ignore_index=True)
    final, interrupted = _write_results(args, scenario, results, path.stem, "compete", files, figures)
    names = ", ".join(
        f"{b['name']} ({b['overrides'].get('campaign.strategy', scenario['campaign']['strategy'])})" for b in brands
    )
    print(f"{path.stem}: {names} in one market; {results.replications} replications, seed {results.seed}")
    print(table.to_string())
    print(line)
    return _finished(results, final, interrupted)


def comparison_table(summary: pd.DataFrame, diffs: pd.DataFrame, a: str, b: str) -> pd.DataFrame:
    """Metric rows; columns: each arm's mean [95% CI] and the paired difference b - a."""
    rows = []
    for metric in summary["metric"].unique():
        row = {"metric": metric}
        for arm in (a, b):
            s = summary[(summary["metric"] == metric) & (summary["arm"] == arm)].iloc[0]
            row[arm] = f"{_fmt(s['mean'])} [{_fmt(s['ci_low'])}, {_fmt(s['ci_high'])}]"
        d = diffs[diffs["metric"] == metric].iloc[0]
        row[f"{b} - {a}"] = f"{_fmt(d['difference'])} [{_fmt(d['ci_low'])}, {_fmt(d['ci_high'])}]"
        rows.append(row)
    return pd.DataFrame(rows)


def _markdown(table: pd.DataFrame) -> str:
    from .report import markdown_table

    return markdown_table(table)


def _report(name: str, scenario: dict, results, table: pd.DataFrame, line: str, why: str) -> str:
    b = scenario["brand"]
    return (
        f"# {name}: {' vs '.join(results.arms)}\n\n{scenario.get('scenario', {}).get('description', '')}\n\n"
        f"Product: {b['niche']}, {b['price']:,.2f} USD, margin {b['margin']:.0%}; budget {b['budget']:,.0f} USD "
        f"per strategy. {results.replications} paired replications (seed {results.seed}); "
        f"{scenario['market']['followers']:,} follower agents for {scenario['market']['population']:,} people.\n\n"
        f"{_markdown(table)}\n\n**{line}**\n\n{why}\n\n"
        "Figures: conversions_over_time.png, roi_cpa.png, funnel.png. Raw data: runs.csv, daily.csv, creators.csv.\n"
    )


def cmd_params(args) -> int:
    if args.format == "toml":
        for section in SECTIONS:
            print(f"[{section}]")
            for p in PARAMETERS:
                if p.key.startswith(section + "."):
                    value = str(p.default).lower() if isinstance(p.default, bool) else repr(p.default).replace("'", '"')
                    print(f"# {p.help} ({p.unit + '; ' if p.unit else ''}{p.allowed()})")
                    print(f"{p.key.split('.', 1)[1]} = {value}")
            print()
        return 0
    rows = [
        {"parameter": p.key, "default": p.default, "unit": p.unit, "allowed": p.allowed(), "meaning": p.help}
        for p in PARAMETERS
    ]
    with pd.option_context("display.max_colwidth", 90, "display.width", 250):
        print(pd.DataFrame(rows).to_string(index=False))
    return 0


def cmd_validate(args) -> int:
    from . import output
    from .validation import run_validation

    tmp, final = output.new_run_dir(args.out, "validation")
    t = time.perf_counter()
    try:
        table = run_validation(tmp, quick=args.quick, progress=not args.quiet)
    except BaseException:
        output.discard(tmp)
        raise
    final = output.finish(tmp, final)
    with pd.option_context("display.max_colwidth", 60, "display.width", 200):
        print(table.to_string(index=False))
    print(f"validation report written to {final} ({time.perf_counter() - t:.0f} s)")
    failed = [v is not None and not pd.isna(v) and not bool(v) for v in table["passed"]]  # None: not run
    return 1 if any(failed) else 0


def _benchmark_suite():
    """``benchmarks.bench.run_benchmarks`` from the source checkout; the wheel does not ship it."""
    if (PROJECT_ROOT / "benchmarks" / "__init__.py").is_file() and str(PROJECT_ROOT) not in sys.path:
        sys.path.insert(0, str(PROJECT_ROOT))  # spawned benchmark processes inherit it
    try:
        from benchmarks.bench import run_benchmarks
    except ModuleNotFoundError as exc:
        if exc.name not in ("benchmarks", "benchmarks.bench"):
            raise
        raise ScenarioError(
            "bench needs a source checkout: the benchmarks/ folder is not installed with the package "
            "(clone the repository and run `make bench` there)"
        ) from None
    return run_benchmarks


def cmd_bench(args) -> int:
    from . import output

    sizes = boundary.parse_counts(args.sizes, "--sizes", 100, int(BY_KEY["market.followers"].high))
    run_benchmarks = _benchmark_suite()
    tmp, final = output.new_run_dir(args.out, "bench")
    try:
        table = run_benchmarks(sizes, tmp, progress=not args.quiet)
    except BaseException:
        output.discard(tmp)
        raise
    final = output.finish(tmp, final)
    print(table.to_string(index=False))
    print(f"benchmark written to {final}")
    return 0


def cmd_dashboard(args) -> int:
    """Become ``solara run simulation/app.py`` in production mode (no reloader, no browser)."""
    import importlib.util

    if importlib.util.find_spec("solara") is None:
        raise ScenarioError("the dashboard needs Solara: install the dashboard extra, pip install -e '.[dashboard]'")
    app = Path(__file__).with_name("app.py")
    command = [sys.executable, "-m", "solara", "run", str(app), "--host", args.host, "--port", str(args.port)]
    command += ["--production", "--no-open", "--no-check-version", "--log-level", "warning"]
    print(f"influencer-sim dashboard: http://{args.host}:{args.port} (Ctrl+C stops it)", flush=True)
    os.execv(sys.executable, command)  # the server replaces this process: one process to stop
    return 0  # pragma: no cover


# ----------------------------------------------------------------------------
# designs: sweeps and the experiment scripts
# ----------------------------------------------------------------------------

EXPERIMENTS_DIR = PROJECT_ROOT / "experiments"


def experiment_names() -> list[str]:
    """The scripts in ``experiments/`` (``influencer-sim experiment NAME``)."""
    return sorted(p.stem for p in EXPERIMENTS_DIR.glob("*.py") if not p.stem.startswith("_"))


def add_design_options(parser: argparse.ArgumentParser, replications: int = 10) -> None:
    """Options shared by ``sweep``, ``experiment`` and every script in ``experiments/``."""
    from .executors import EXECUTORS

    add_set_option(parser, "override a parameter of the base scenario, e.g. --set market.followers=20000 (repeatable)")
    parser.add_argument(
        "--replications",
        type=_positive_int,
        default=replications,
        help=f"paired replications per point (default {replications})",
    )
    parser.add_argument("--seed", type=_seed, default=0, help="root seed (default 0)")
    parser.add_argument(
        "--workers", type=_workers, default=None, help="processes, or 'auto' (default: the cores; capped at the runs)"
    )
    parser.add_argument(
        "--executor", choices=EXECUTORS, default="pool", help="serial, a local process pool (default) or dask"
    )
    parser.add_argument(
        "--scheduler",
        default=None,
        metavar="tcp://HOST:PORT",
        help="run on an existing Dask scheduler (implies --executor dask)",
    )
    parser.add_argument(
        "--out",
        default="results",
        help="parent folder; results go to OUT/NAME and a rerun runs only what is missing (default results/)",
    )
    parser.add_argument("--quiet", action="store_true", help="no progress bar")


def experiment_parser(
    name: str,
    description: str,
    *,
    scenario: str = DEFAULT_SCENARIO,
    replications: int = 10,
    sets: tuple[str, ...] = (),
):
    """The command line of experiment script ``name``: a base scenario and the design options.

    ``sets`` are the script's own ``KEY=VALUE`` defaults; the user's ``--set`` overrides them.
    """
    lines = (description or "").strip().splitlines()
    prog = f"influencer-sim experiment {name}" if Path(sys.argv[0]).name == "influencer-sim" else f"{name}.py"
    parser = OneLineParser(prog=prog, description=lines[0] if lines else None)
    parser.add_argument("--scenario", default=scenario, help=f"base scenario file or name (default {scenario})")
    add_design_options(parser, replications)
    if sets:
        parser.epilog = "Defaults of this experiment (override with --set): " + ", ".join(sets)
    parser.set_defaults(base_sets=list(sets))
    return parser


def parse_values(text: str, allowed: str = "comma-separated numbers") -> list[float]:
    """``"1e4,2e4"`` -> ``[10000.0, 20000.0]`` for options such as ``--budgets``."""
    try:
        values = [float(v) for v in text.split(",") if v.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not {allowed}") from None
    if not values:
        raise argparse.ArgumentTypeError(f"{text!r} is not {allowed}")
    return values


def run_design_from_args(args, design, out: str | Path | None = None):
    """Run ``design`` with the executor, workers, output folder and progress bar of ``args``."""
    from .design import run_design

    return run_design(
        design,
        out if out is not None else args.out,
        executor=args.executor,
        workers=args.workers,
        scheduler=args.scheduler,
        progress=not args.quiet,
    )


def run_script(parser: argparse.ArgumentParser, argv: list[str] | None, body) -> int:
    """Parse ``argv``, load the base scenario and call ``body(args, scenario)``.

    Bad input is one line on stderr and exit status 2; Ctrl-C keeps every finished run
    (run the same command again to finish) and exits 130.
    """
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # --help, or a usage error already printed in one line
        return int(exc.code or 0)
    try:
        scenario = load_scenario(find_scenario(args.scenario), [*getattr(args, "base_sets", []), *args.sets])
        return int(body(args, scenario) or 0)
    except ScenarioError as exc:
        print(f"{parser.prog}: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"{parser.prog}: interrupted; finished runs are kept: run the same command to finish", file=sys.stderr)
        return 130


def _add_design_commands(sub) -> None:
    sweep = sub.add_parser(
        "sweep",
        help="run strategies over a grid of parameter values (resumable)",
        description="Every combination of the --grid values (or the scenario's [sweep] table), each strategy, "
        "paired replications; tables, paired differences, figures and a report in OUT/NAME.",
    )
    sweep.add_argument("scenario", nargs="?", default=None, help=f"base scenario (default {DEFAULT_SCENARIO})")
    sweep.add_argument(
        "--grid",
        action="append",
        default=[],
        metavar="KEY=V1,V2,...",
        help="a parameter and its values, e.g. --grid brand.budget=25000,50000,100000 (repeatable)",
    )
    sweep.add_argument(
        "--strategies",
        default=None,
        help="comma-separated strategies; the first is the reference (default: the scenario's compare pair, "
        "else mega,micro)",
    )
    sweep.add_argument("--name", default=None, help="output folder name (default SCENARIO-sweep)")
    add_design_options(sweep)
    sweep.set_defaults(func=cmd_sweep)

    experiment = sub.add_parser(
        "experiment",
        help="run one of the scripts in experiments/ (see --help of each)",
        description="Run experiments/NAME.py with the options that follow (influencer-sim experiment NAME --help).",
        add_help=False,
    )
    experiment.add_argument("-h", "--help", action="store_true", help="list the experiments")
    experiment.add_argument("name", nargs="?", help="one of: " + ", ".join(experiment_names()))
    experiment.add_argument("options", nargs=argparse.REMAINDER, help="options of the script")
    experiment.set_defaults(func=cmd_experiment)


def parse_grid(items: list[str]) -> dict[str, list[str]]:
    """``["brand.budget=1e4,2e4"]`` -> ``{"brand.budget": ["1e4", "2e4"]}``."""
    axes: dict[str, list[str]] = {}
    for text in items:
        key, _, values = text.partition("=")
        key = key.strip()
        if not key or not values.strip():
            raise ScenarioError(f"--grid {text!r}: expected KEY=V1,V2,..., for example brand.budget=25000,50000")
        axes[key] = [v.strip() for v in values.split(",") if v.strip()]
    return axes


def cmd_sweep(args) -> int:
    from .design import grid
    from .params import flatten
    from .report import sweep_report

    scenario, path = _load(args)
    meta = scenario.get("scenario", {})
    axes: dict = parse_grid(args.grid) if args.grid else flatten(meta.get("sweep", {}))
    if not axes:
        raise ScenarioError("sweep: give at least one --grid KEY=V1,V2,... or a [sweep] table in the scenario file")
    for key, values in axes.items():
        if not isinstance(values, list):
            raise ScenarioError(f"[sweep] {key} = {values!r}: expected a list of values")
    strategies = args.strategies.split(",") if args.strategies else meta.get("compare", ["mega", "micro"])
    design = grid(
        scenario,
        axes,
        strategies=strategies,
        replications=args.replications,
        seed=args.seed,
        name=args.name or f"{path.stem}-sweep",
    )
    results = run_design_from_args(args, design)
    sweep_report(results)
    print(
        f"{design.name}: {len(design.points)} points x {len(design.strategies)} strategies x "
        f"{design.replications} replications; {results.timings['runs_computed']} runs computed, "
        f"{results.timings['runs_reused']} reused"
    )
    if len(results.skipped):
        print(f"{results.skipped['point'].nunique()} point(s) could not run for some strategy (see skipped.csv)")
    state = "" if results.complete else " (interrupted: run the same command again to finish)"
    print(f"results written to {results.directory}{state}")
    return 0 if results.complete else 130


def cmd_experiment(args) -> int:
    import importlib.util

    names = experiment_names()
    if args.name is None:  # --help, or no name: what there is to run
        print("usage: influencer-sim experiment NAME [options]  (influencer-sim experiment NAME --help)\n")
        for name in names:
            text = (EXPERIMENTS_DIR / f"{name}.py").read_text(encoding="utf-8")
            doc = text.split('"""')[1].strip().splitlines()[0] if text.startswith('"""') else ""
            print(f"  {name:16} {doc}")
        return 0 if args.help else 2
    if args.name not in names:
        raise ScenarioError(f"experiment {args.name!r} not found: expected one of {', '.join(names)}")
    spec = importlib.util.spec_from_file_location(f"experiments_{args.name}", EXPERIMENTS_DIR / f"{args.name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return int(module.main(args.options) or 0)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
