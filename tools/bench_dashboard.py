"""Time one dashboard step at its default size: both strategies step, then every panel redraws.

Usage: .venv/bin/python tools/bench_dashboard.py [steps]

Builds the model from the dashboard's own control defaults, then, per step, times
``ComparisonModel.step()`` and the redraw the page does after it (the charts PNG, the
network PNG and the figures table). Prints medians and the worst step, as wall-clock
and as this process's CPU time (the CPU time is what other load on the machine does
not inflate). Not a test: it asserts nothing.
"""

from __future__ import annotations

import sys
import time

import numpy as np

from simulation import app
from simulation.dashboard_model import ComparisonModel, model_params


def main(steps: int = 30) -> None:
    model = ComparisonModel(**{name: control["value"] for name, control in model_params().items()})
    charts, network = app.ChartsView(model), app.NetworkView(model)
    charts.png(), network.png()  # the first draw loads fonts and draws the still frame: not a step
    parts = ("step", "charts", "network", "table")
    wall, cpu = [], []
    for _ in range(min(steps, model.arms["A: mega"].n_steps)):
        w, c = [time.perf_counter()], [time.process_time()]
        for work in (
            model.step,
            charts.png,
            network.png,
            lambda: app.figures_html(model),
        ):
            work()
            w.append(time.perf_counter())
            c.append(time.process_time())
        wall.append(np.diff(w))
        cpu.append(np.diff(c))
    wall, cpu = np.array(wall) * 1000, np.array(cpu) * 1000
    print(f"{model.market.n_followers:,} follower agents, {len(wall)} steps of {' and '.join(model.arms)}")
    for name, table in (("wall ms", wall), ("cpu ms", cpu)):
        each = ", ".join(f"{p} {v:.0f}" for p, v in zip(parts, np.median(table, axis=0)))
        total = table.sum(axis=1)
        print(f"{name}: median {np.median(total):.0f} (worst {total.max():.0f}); median parts: {each}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 30)
