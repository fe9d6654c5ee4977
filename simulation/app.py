"""The dashboard: Mesa's SolaraViz over :class:`~simulation.dashboard_model.ComparisonModel`.

Start it with ``influencer-sim dashboard`` (or ``solara run simulation/app.py``). The
sidebar's controls come from :mod:`simulation.params`; a changed control takes effect
on Reset. Both strategies run on the same market in lockstep, so every chart compares
them. Charts are drawn with matplotlib on the server (one PNG for all charts, one for
the network view), which needs no JavaScript beyond Solara's own.
"""

from __future__ import annotations

import io
from html import escape

import numpy as np
import PIL.Image
import solara
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import LineCollection
from matplotlib.colors import to_rgba_array
from matplotlib.figure import Figure
from matplotlib.patches import Patch
from matplotlib.ticker import FuncFormatter, LogLocator, MaxNLocator, NullLocator
from mesa.visualization import SolaraViz

from simulation.agents import Funnel
from simulation.dashboard_model import ComparisonModel, declared_controls, label_of, model_params
from simulation.params import BY_KEY

ARM_COLOURS = ("#7b3294", "#1b7837")  # strategy A, strategy B
STAGE_COLOURS = {
    Funnel.UNAWARE: "#d9d9d9",
    Funnel.AWARE: "#fdb863",
    Funnel.INTERESTED: "#e66101",
    Funnel.PURCHASED: "#0571b0",
}

#: The time-series charts: (figure recorded per arm, title).
CHARTS = (
    ("conversions", "Conversions (people)"),
    ("spend", "Spend (USD)"),
    ("roi", "ROI"),
    ("unique_reach", "People reached"),
    ("engagement_rate", "Engagement rate"),
    ("mean_trust_reached", "Mean trust of reached followers"),
)
STAGE_RGBA = to_rgba_array([STAGE_COLOURS[s] for s in Funnel])  # row = funnel stage
FUNNEL = ("aware", "interested", "purchased")


def _quiet_axes(ax, title: str) -> None:
    ax.set_title(title, fontsize=10)
    ax.tick_params(labelsize=8)
    # few ticks: tick labels are most of a redraw's time
    ax.xaxis.set_major_locator(MaxNLocator(3, integer=True))
    ax.yaxis.set_major_locator(MaxNLocator(3))
    ax.yaxis.set_major_formatter(FuncFormatter(compact))  # plain text: no offset or math text to lay out


def compact(value: float, _position=None) -> str:
    """A tick label in a few characters: 1.5M, 20k, 0.25.

    Examples
    --------
    >>> compact(1_500_000), compact(20_000), compact(0.25), compact(-3000)
    ('1.5M', '20k', '0.25', '-3k')
    """
    for size, suffix in ((1e9, "G"), (1e6, "M"), (1e3, "k")):
        if abs(value) >= size:
            return f"{value / size:g}{suffix}"
    return f"{value:.3g}"


def round_limits(low: float, high: float) -> tuple[float, float]:
    """Axis limits around ``[low, high]`` on multiples of a round unit, so they change rarely.

    Only a change of limits redraws the ticks and labels (most of a redraw's time);
    otherwise the lines are drawn over the cached frame.

    Examples
    --------
    >>> round_limits(0, 4200)
    (0.0, 5000.0)
    >>> round_limits(0.47, 0.64)
    (0.4, 0.7)
    >>> round_limits(float("nan"), float("nan"))
    (0.0, 1.0)
    >>> round_limits(3, 3)
    (2.0, 4.0)
    """
    if not (np.isfinite(low) and np.isfinite(high)):
        return 0.0, 1.0
    span = high - low if high > low else max(abs(high), 1.0)
    unit = 10.0 ** np.floor(np.log10(span))
    lo, hi = np.floor(low / unit) * unit, np.ceil(high / unit) * unit
    if hi <= lo:
        lo, hi = lo - unit, hi + unit
    return float(f"{lo:.12g}"), float(f"{hi:.12g}")


class BlitCanvas:
    """A figure drawn to PNG, whose moving artists are drawn over a cached still frame.

    The still frame (axes, ticks, labels, titles: most of the drawing time) is drawn
    again only after :meth:`invalidate`, when limits changed.
    """

    def __init__(self, figure: Figure, moving: list):
        self.figure = figure
        self.canvas = FigureCanvasAgg(figure)
        self.moving = moving
        for artist in moving:
            artist.set_animated(True)  # left out of canvas.draw(): drawn on top by png()
        self.still = None

    def invalidate(self) -> None:
        self.still = None

    def png(self) -> bytes:
        if self.still is None:
            self.canvas.draw()
            self.still = self.canvas.copy_from_bbox(self.figure.bbox)
        else:
            self.canvas.restore_region(self.still)
        for artist in self.moving:
            self.figure.draw_artist(artist)
        width, height = self.canvas.get_width_height()
        image = PIL.Image.frombuffer("RGBA", (width, height), self.canvas.buffer_rgba(), "raw", "RGBA", 0, 1)
        buffer = io.BytesIO()
        image.save(buffer, format="png", compress_level=1)  # on loopback a PNG's size hardly matters, its time does
        return buffer.getvalue()


class ChartsView:
    """Every chart in one figure, built once per model and updated in place at each redraw.

    Time series of both arms (one panel per figure in :data:`CHARTS`) and the funnel
    now. The step axis spans the whole run and value axes move in round units
    (:func:`round_limits`), so most steps only redraw the lines and bars.
    """

    def __init__(self, model: ComparisonModel):
        self.model = model
        self.figure = Figure(figsize=(9, 5.2), dpi=72)
        self.figure.subplots_adjust(left=0.07, right=0.98, bottom=0.06, top=0.94, wspace=0.3, hspace=0.5)
        grid = self.figure.add_gridspec(3, 3)
        axes = [self.figure.add_subplot(grid[i // 3, i % 3]) for i in range(len(CHARTS))]
        self.lines = {}
        steps = max((arm.n_steps for arm in model.arms.values()), default=1)
        for i, (ax, (name, title)) in enumerate(zip(axes, CHARTS)):
            _quiet_axes(ax, title)
            ax.set_xlim(0, steps)  # the whole run from the start: the step axis never moves
            if i < 3:  # the step axis is labelled once, under the second row
                ax.tick_params(labelbottom=False)
            for label, colour in zip(model.arms, ARM_COLOURS):
                (self.lines[label, name],) = ax.plot([], [], color=colour, label=label)
        if model.arms:
            axes[0].legend(fontsize=8, loc="upper left")
        self.funnel = self.figure.add_subplot(grid[2, :])
        _quiet_axes(self.funnel, "Funnel now (people, log scale)")
        x = np.arange(len(FUNNEL))
        self.bars = {
            label: self.funnel.bar(x + (i - 0.5) * 0.4, np.ones(len(FUNNEL)), width=0.4, color=colour)
            for i, (label, colour) in enumerate(zip(model.arms, ARM_COLOURS))
        }
        self.funnel.set_xticks(x, FUNNEL)
        self.funnel.set_yscale("log")
        self.funnel.yaxis.set_major_locator(LogLocator(numticks=4))
        self.funnel.yaxis.set_minor_locator(NullLocator())
        self.funnel.yaxis.set_major_formatter(FuncFormatter(compact))
        self.axes = axes
        moving = [*self.lines.values(), *(bar for bars in self.bars.values() for bar in bars)]
        self.blit = BlitCanvas(self.figure, moving)

    def update(self) -> Figure:
        """The figure, showing the model as it is now."""
        table = self.model.datacollector.get_model_vars_dataframe()
        limits_changed = False
        for ax, (name, _) in zip(self.axes, CHARTS):
            values = []
            for label in self.model.arms:
                series = table[f"{label} {name}"]
                self.lines[label, name].set_data(table.index, series)
                values.append(series.to_numpy(dtype=float))
            values = np.concatenate(values) if values else np.empty(0)
            values = values[np.isfinite(values)]
            limits = round_limits(values.min(), values.max()) if len(values) else (0.0, 1.0)
            if limits != ax.get_ylim():
                ax.set_ylim(*limits)
                limits_changed = True
        top = 1.0
        for label, bars in self.bars.items():
            for bar, stage in zip(bars, FUNNEL):
                height = max(self.model.figures[label][stage], 1.0)  # log scale: zero shows as 1
                bar.set_height(height)
                top = max(top, height)
        limits = (1.0, float(10 ** np.ceil(np.log10(top * 1.5))))
        if limits != self.funnel.get_ylim():
            self.funnel.set_ylim(*limits)
            limits_changed = True
        if limits_changed:
            self.blit.invalidate()
        return self.figure

    def png(self) -> bytes:
        """The charts as they are now, as PNG."""
        with self.model.lock:
            self.update()
        return self.blit.png()


class NetworkView:
    """The sampled followers of the shared market, coloured by funnel stage, one panel per arm.

    Followers sit where the market's layout put them (computed once per market); each
    hired creator with followers in the sample is a star at their centre, tied to
    them. Only the followers' colours change from step to step: the rest is a still frame.
    """

    def __init__(self, model: ComparisonModel):
        self.model = model
        self.figure = Figure(figsize=(8, 4.6), dpi=72)
        self.figure.subplots_adjust(left=0.01, right=0.99, bottom=0.08, top=0.93, wspace=0.04)
        sample, market = model.sample, model.market
        xy = sample.xy
        self.dots = {}
        moving = []
        for ax, (label, arm), colour in zip(self.figure.subplots(1, 2), model.arms.items(), ARM_COLOURS):
            ax.add_collection(LineCollection(xy[sample.friend_edges], colors="#bbbbbb", linewidths=0.4, zorder=1))
            hired = arm.brands[0].campaign.creators
            ids, spots, audiences = sample.creators_in_view(market, hired)
            ties = [[spot, xy[row]] for spot, rows in zip(spots, audiences) for row in rows]
            if ties:
                ax.add_collection(LineCollection(ties, colors=colour, linewidths=0.5, alpha=0.5, zorder=2))
            self.dots[label] = ax.scatter(xy[:, 0], xy[:, 1], s=18, edgecolors="#555555", linewidths=0.3, zorder=3)
            moving.append(self.dots[label])
            if len(ids):  # drawn after the dots, so above them
                moving.append(
                    ax.scatter(spots[:, 0], spots[:, 1], s=160, marker="*", c=colour, edgecolors="black", zorder=4)
                )
            ax.set_title(
                f"{label}: {len(ids)} of {len(hired)} hired creators\nhave followers in this sample", fontsize=9
            )
            ax.set_xticks([])
            ax.set_yticks([])
            ax.autoscale_view()
        handles = [Patch(color=c, label=s.name.lower()) for s, c in STAGE_COLOURS.items()]
        self.figure.legend(handles=handles, loc="lower center", ncols=4, fontsize=9, frameon=False)
        self.blit = BlitCanvas(self.figure, moving)

    def update(self) -> Figure:
        """The figure, coloured by each sampled follower's funnel stage now."""
        followers = self.model.sample.followers
        for label, dots in self.dots.items():
            dots.set_facecolor(STAGE_RGBA[self.model.arms[label].brands[0].state[followers]])
        return self.figure

    def png(self) -> bytes:
        """The network view as it is now, as PNG."""
        with self.model.lock:
            self.update()
        return self.blit.png()


#: The table under the ahead-line: (figure, row title, format).
TABLE_ROWS = (
    ("conversions", "conversions (people)", "{:,.0f}"),
    ("spend", "spend (USD)", "{:,.0f}"),
    ("roi", "ROI", "{:.2f}"),
    ("unique_reach", "people reached", "{:,.0f}"),
    ("engagements", "engagements", "{:,.0f}"),
    ("engagement_rate", "engagement rate", "{:.2%}"),
    ("mean_trust_reached", "mean trust of reached followers", "{:.3f}"),
)


def figures_html(model: ComparisonModel) -> str:
    """The ahead-line and a table of each arm's numbers so far, as HTML.

    HTML rather than Solara's Markdown, which loads KaTeX from a CDN even for text
    without math (a request that fails offline).
    """
    head = "".join(f"<th style='text-align:right'>{escape(label)}</th>" for label in model.arms)
    rows = "".join(
        f"<tr><td>{title}</td>"
        + "".join(
            "<td style='text-align:right'>"
            + ("–" if np.isnan(model.figures[label][name]) else fmt.format(model.figures[label][name]))
            + "</td>"
            for label in model.arms
        )
        + "</tr>"
        for name, title, fmt in TABLE_ROWS
    )
    return (
        f"<p class='ahead-line'><b>{escape(model.ahead_line())}</b></p>"
        f"<table class='figures'><tr><th></th>{head}</tr>{rows}</table>"
    )


def help_html() -> str:
    """What each control means, from its declaration."""
    items = "".join(
        f"<li><b>{escape(label_of(BY_KEY[key]))}</b>: {escape(BY_KEY[key].help)} (<code>{key}</code>)</li>"
        for key in declared_controls()
    )
    return (
        "<p><b>What the controls mean</b> (a changed control takes effect on Reset; both strategies get the "
        f"same budget, product and market)</p><ul>{items}</ul>"
    )


def Summary(model: ComparisonModel):
    if model.problem:
        return solara.Error(f"The controls were not accepted: {model.problem}. Fix the value and press Reset.")
    with model.lock:
        text = figures_html(model)
    return solara.HTML(unsafe_innerHTML=text)  # every text in it is escaped


def Charts(model: ComparisonModel):
    # hooks first and always (reacton counts them): a view per model, none for a model with a problem
    view = solara.use_memo(lambda: None if model.problem else ChartsView(model), [model])
    if view is None:
        return solara.Text("No charts: see the message above.")
    return solara.Image(view.png(), width="100%")  # scales with its panel


def Network(model: ComparisonModel):
    view = solara.use_memo(lambda: None if model.problem else NetworkView(model), [model])
    if view is None:
        return solara.Text("No network: see the message above.")
    return solara.Image(view.png(), width="100%")


def Help(model: ComparisonModel):
    return solara.HTML(unsafe_innerHTML=help_html())


model = ComparisonModel()
page = SolaraViz(
    model,
    components=[(Summary, 0), (Charts, 0), (Network, 0), (Help, 0)],
    model_params=model_params(),
    name="Influencer marketing: two strategies on one market",
)
