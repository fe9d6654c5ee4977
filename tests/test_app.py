"""The dashboard's pieces: controls from the declaration, the paired model, the views, the command."""

from __future__ import annotations

import math

import numpy as np
import pytest

from simulation import cli
from simulation import dashboard_model as dm
from simulation.dashboard_model import ComparisonModel, control_for, declared_controls, model_params
from simulation.params import BY_KEY, ScenarioError

pytest.importorskip("solara", reason="the dashboard extra is not installed (pip install -e '.[dashboard]')")
app = pytest.importorskip("simulation.app")

SMALL = {"market__followers": 2_000, "market__days": 4}


def extremes(key: str) -> list:
    """Every value a control allows at its edges: both ends of a slider, every choice, both ticks."""
    control = control_for(key)
    kind = control["type"]
    if kind == "Select":
        return list(control["values"])
    if kind == "Checkbox":
        return [False, True]
    if kind == "InputText":
        return [control["value"]]
    return [control["min"], control["max"]]


def advance(model: ComparisonModel, steps: int) -> None:
    for _ in range(steps):
        model.step()


def figures_are_sane(model: ComparisonModel) -> None:
    assert model.problem is None
    for label, arm in model.arms.items():
        figures = model.figures[label]
        assert set(figures) == set(dm.ARM_FIGURES)
        for name, value in figures.items():
            assert math.isnan(value) or math.isfinite(value), (label, name, value)
        assert figures["conversions"] >= 0
        assert 0 <= figures["spend"] <= arm.params["brand"]["budget"] + 1e-6
        assert figures["purchased"] == pytest.approx(figures["conversions"], abs=arm.market.people_per_agent)


# ---------------------------------------------------------------- controls
def test_every_listed_control_that_is_declared_is_shown_and_nothing_else():
    shown = [k.replace("__", ".") for k in model_params() if k not in ("seed", "strategy_a", "strategy_b")]
    assert shown == [k for k in dm.CONTROL_KEYS if k in BY_KEY]
    # the first tries are there (those declared today)
    for key in ("brand.budget", "brand.niche", "brand.price", "word_of_mouth.tell_probability", "market.followers"):
        assert key in shown


@pytest.mark.parametrize("key", declared_controls())
def test_control_comes_from_the_declaration(key):
    param, control = BY_KEY[key], control_for(key)
    assert control["help"] == param.help
    assert control["label"] == dm.label_of(param)
    if param.choices is not None:
        assert control["type"] == "Select" and tuple(control["values"]) == param.choices
    elif control["type"] in ("SliderInt", "SliderFloat"):
        assert (control["type"] == "SliderInt") == (param.kind is int)
        # the slider stays inside what the declaration allows, and its default is allowed
        assert param.low <= control["min"] < control["max"] <= param.high
        assert control["min"] <= control["value"] <= control["max"]
        assert 0 < control["step"] <= (control["max"] - control["min"]) / 10
        param.check(control["min"]) and param.check(control["max"])
    param.check(control["value"])


@pytest.mark.parametrize("key", [k for k in declared_controls() if control_for(k)["type"].startswith("Slider")])
def test_slider_default_lies_on_the_slider_grid(key):
    control = control_for(key)
    notches = (control["value"] - control["min"]) / control["step"]
    assert notches == pytest.approx(round(notches), abs=1e-6), (key, control)


def test_slider_spans_lie_inside_the_declared_ranges():
    for key, (low, high) in dm.SLIDER_SPAN.items():
        if key in BY_KEY:
            assert BY_KEY[key].low <= low < high <= BY_KEY[key].high, key


def test_follower_agents_are_few_by_default():
    assert control_for("market.followers")["value"] == 10_000
    assert control_for("market.followers")["max"] <= 50_000


def test_nice_steps():
    assert dm.nice_step(1.9, integer=False) == 0.02
    assert dm.nice_step(990_000, integer=True) == 10_000
    assert dm.nice_step(0, integer=False) == 0.01


def test_model_params_are_accepted_by_mesa():
    from mesa.visualization.solara_viz import _check_model_params

    _check_model_params(ComparisonModel(seed="x"), model_params())  # raises on a parameter the model cannot take


def test_mesa_reset_rebuilds_the_model_from_the_controls():
    from mesa.visualization.solara_viz import _build_model_init_kwargs

    chosen = {name: control["value"] for name, control in model_params().items()}
    chosen |= {"seed": "9", "strategy_b": "nano", "brand__budget": 1_000_000.0} | SMALL
    model = ComparisonModel(seed="1", **SMALL)
    kwargs = _build_model_init_kwargs(model, chosen, add_scenario_when_empty=True, require_model_accepts_scenario=True)
    rebuilt = type(model)(**kwargs)  # what the Reset button does
    assert rebuilt.problem is None and list(rebuilt.arms) == ["A: mega", "B: nano"]
    assert rebuilt.arms["B: nano"].params["brand"]["budget"] == 1_000_000


# ---------------------------------------------------------------- every allowed value builds and steps
@pytest.mark.parametrize("key", [k for k in declared_controls() if k != "market.followers"])
def test_model_builds_and_steps_at_every_control_extreme(key):
    for value in extremes(key):
        model = ComparisonModel(seed="1", **(SMALL | {key.replace(".", "__"): value}))
        if model.problem is not None:  # allowed: a budget too small for a strategy, said as a message
            assert "hires nobody" in model.problem, (key, value, model.problem)
            assert "hires nobody" in rendered_texts(app.Summary, model)[0][0]
            continue
        model.step()
        model.step()
        figures_are_sane(model)
        assert model.ahead_line().startswith("Day 2")


def test_model_builds_at_the_follower_extremes_and_defaults():
    for value in extremes("market.followers"):
        model = ComparisonModel(seed=0, market__followers=value, market__days=3)
        assert model.market.n_followers == value
        model.step()
        figures_are_sane(model)
    defaults = {name: control["value"] for name, control in model_params().items()}
    model = ComparisonModel(**defaults)
    assert model.market.n_followers == 10_000 and model.problem is None
    model.step()
    figures_are_sane(model)


@pytest.mark.parametrize("a", ["mega", "macro", "micro", "nano", "mixed", "none"])
def test_every_strategy_a_control_allows_builds(a):
    model = ComparisonModel(seed=2, strategy_a=a, strategy_b="micro", **SMALL)
    advance(model, 2)
    figures_are_sane(model)
    assert list(model.arms) == [f"A: {a}", "B: micro"]


@pytest.mark.parametrize("seed", ["abc", "", "-1", "1.5", "1e3", None])
def test_a_seed_that_is_not_a_whole_number_shows_a_message(seed):
    model = ComparisonModel(seed=seed, **SMALL)
    assert model.problem is not None and "seed" in model.problem
    assert model.arms == {} and not model.running
    model.step()  # a no-op, not a crash
    assert model.ahead_line().startswith("The controls were not accepted: seed")
    assert model.datacollector.model_vars == {}


def test_a_seed_with_spaces_is_a_seed():
    assert ComparisonModel(seed=" 12 ", **SMALL).problem is None


def test_an_unknown_strategy_is_a_message():
    model = ComparisonModel(seed=0, strategy_b="list", **SMALL)
    assert "strategy_b = 'list' is not allowed" in model.problem


# ---------------------------------------------------------------- the comparison
def test_both_arms_share_one_market_and_step_in_lockstep():
    model = ComparisonModel(seed=4, **SMALL)
    a, b = model.arms.values()
    assert a.market is b.market
    advance(model, 3)
    assert a.steps == b.steps == 3 and model.day == 3
    table = model.datacollector.get_model_vars_dataframe()
    assert len(table) == 4  # the start and three steps
    assert (np.diff(table["A: mega conversions"]) >= 0).all()
    assert table["B: micro spend"].iloc[-1] == model.figures["B: micro"]["spend"] > 0


def test_the_same_strategy_twice_gives_the_same_numbers():
    model = ComparisonModel(seed=5, strategy_a="micro", strategy_b="micro", **SMALL)
    advance(model, 4)
    a, b = model.figures.values()
    assert a == b
    assert "level on conversions" in model.ahead_line()


def test_the_run_stops_at_its_last_day():
    model = ComparisonModel(seed=1, **SMALL)
    advance(model, 4)
    assert not model.running


def test_ahead_line_names_the_leader_and_the_gap():
    model = ComparisonModel(seed=2, market__followers=4_000, market__days=10)
    advance(model, 10)
    (a, fa), (b, fb) = model.figures.items()
    assert fa["conversions"] != fb["conversions"]
    lead, lag = (a, b) if fa["conversions"] > fb["conversions"] else (b, a)
    top, low = max(fa["conversions"], fb["conversions"]), min(fa["conversions"], fb["conversions"])
    line = model.ahead_line()
    assert line.startswith(f"Day 10: {lead} is ahead on conversions")
    assert f"{top:,.0f} against {low:,.0f} people (+{top - low:,.0f}" in line


def test_goal_picks_the_measure():
    assert dm.goal_measure({"brand": {"goal": "awareness"}}) == ("unique_reach", "awareness")
    assert dm.goal_measure({"brand": {"goal": "engagement"}}) == ("engagements", "engagement")
    assert dm.goal_measure({"brand": {"goal": "sales"}}) == ("conversions", "sales")
    assert dm.goal_measure({"brand": {}}) == ("conversions", None)


def test_every_declared_goal_has_a_measure():
    if "brand.goal" in BY_KEY:
        assert set(BY_KEY["brand.goal"].choices) <= set(dm.GOAL_MEASURE)


def test_ahead_line_ranks_on_the_goal_measure(monkeypatch):
    model = ComparisonModel(seed=2, market__followers=4_000, market__days=10)
    advance(model, 10)
    monkeypatch.setattr(model, "measure", "engagements")
    monkeypatch.setattr(model, "goal", "engagement")
    (a, fa), (b, fb) = model.figures.items()
    lead = a if fa["engagements"] > fb["engagements"] else b
    assert model.ahead_line().startswith(f"Day 10: {lead} is ahead on engagements (the engagement goal)")
    assert model.ahead_line().count("engagements") == 2


def test_market_and_layout_are_built_once_per_market(monkeypatch):
    built = []
    real = dm.NetworkSample.__init__

    def counting(self, *args, **kwargs):
        built.append(1)
        real(self, *args, **kwargs)

    monkeypatch.setattr(dm.NetworkSample, "__init__", counting)
    first = ComparisonModel(seed=31, **SMALL)
    again = ComparisonModel(seed=31, **SMALL | {"brand__budget": 50_000, "brand__price": 100})  # reset, brand changed
    assert again.market is first.market and again.sample is first.sample and len(built) == 1
    other = ComparisonModel(seed=31, **SMALL | {"followers__skepticism_mean": 0.9})  # the market itself changed
    assert other.market is not first.market and len(built) == 2
    assert ComparisonModel(seed=32, **SMALL).market is not first.market and len(built) == 3


def test_the_cached_market_is_the_one_the_seed_makes():
    fresh = dm.InfluencerModel(seed=33, market__followers=2_000, market__days=4)
    dm._MARKETS.clear()
    ComparisonModel(seed=33, **SMALL)
    cached = ComparisonModel(seed=33, **SMALL)
    np.testing.assert_array_equal(cached.market.follow_follower, fresh.market.follow_follower)
    np.testing.assert_array_equal(cached.market.fee, fresh.market.fee)


def test_snowball_sample_is_connected_clusters_of_the_market():
    model = ComparisonModel(seed=6, **SMALL)
    sample = model.sample
    assert len(sample.followers) == dm.SAMPLE_SIZE == len(np.unique(sample.followers))
    assert sample.xy.shape == (dm.SAMPLE_SIZE, 2) and np.isfinite(sample.xy).all()
    # walks follow friend ties: far more ties inside the sample than a uniform draw would have
    assert len(sample.friend_edges) > dm.SAMPLE_SIZE
    ids, spots, rows = sample.creators_in_view(model.market, model.arms["A: mega"].brands[0].campaign.creators)
    # the mega arm fills its budget: one mega creator or more, each placed among its sampled audience
    assert len(ids) >= 1 and all(len(r) > 0 for r in rows)
    np.testing.assert_allclose(spots[0], sample.xy[rows[0]].mean(axis=0))


# ---------------------------------------------------------------- the views
def test_views_redraw_what_changed():
    model = ComparisonModel(seed=7, **SMALL)
    charts, network = app.ChartsView(model), app.NetworkView(model)
    before = charts.png(), network.png(), app.figures_html(model)
    advance(model, 3)
    after = charts.png(), network.png(), app.figures_html(model)
    assert all(x.startswith(b"\x89PNG") for x in before[:2] + after[:2])
    assert before[0] != after[0] and before[2] != after[2]
    assert f"<b>{model.ahead_line()}</b>" in after[2]
    assert after[2].count("<tr>") == 1 + len(app.TABLE_ROWS)
    line = charts.lines["A: mega", "conversions"]
    np.testing.assert_array_equal(line.get_ydata(), model.datacollector.model_vars["A: mega conversions"])
    stage = model.arms["B: micro"].brands[0].state[model.sample.followers]
    np.testing.assert_array_equal(network.dots["B: micro"].get_facecolor(), app.STAGE_RGBA[stage])


def pixels(png: bytes) -> np.ndarray:
    import io

    import PIL.Image

    return np.asarray(PIL.Image.open(io.BytesIO(png)))


def test_drawing_over_the_still_frame_gives_the_full_drawing():
    model = ComparisonModel(seed=8, **SMALL)
    charts, network = app.ChartsView(model), app.NetworkView(model)
    charts.png(), network.png()
    for _ in range(3):
        model.step()
        fast = charts.png(), network.png()
        fresh = app.ChartsView(model).png(), app.NetworkView(model).png()  # drawn whole, from nothing
        for a, b in zip(fast, fresh):
            np.testing.assert_array_equal(pixels(a), pixels(b))


def test_value_axes_hold_the_data_and_move_in_round_units():
    model = ComparisonModel(seed=9, **SMALL)
    charts = app.ChartsView(model)
    advance(model, 4)
    charts.update()
    for ax, (name, _) in zip(charts.axes, app.CHARTS):
        values = np.array([model.datacollector.model_vars[f"{label} {name}"] for label in model.arms], dtype=float)
        values = values[np.isfinite(values)]
        low, high = ax.get_ylim()
        if len(values):
            assert low <= values.min() and values.max() <= high, name
    assert charts.funnel.get_ylim()[1] >= max(f["aware"] for f in model.figures.values())


def test_compact_labels():
    assert app.compact(2_500_000) == "2.5M" and app.compact(0) == "0" and app.compact(0.04) == "0.04"


def rendered_texts(component, model) -> list:
    """What a dashboard panel shows for ``model``, rendered as SolaraViz renders it."""
    import ipywidgets
    import reacton
    from mesa.visualization.solara_viz import _wrap_component

    _, context = reacton.render(_wrap_component(component)(model), handle_error=False)
    widgets = context.find(ipywidgets.Widget).widgets
    return [getattr(w, "children", None) or type(w).__name__ for w in widgets]


def test_components_show_a_message_for_bad_controls_and_images_for_good_ones():
    bad = ComparisonModel(seed="x")
    assert "seed = 'x' is not allowed" in rendered_texts(app.Summary, bad)[0][0]
    assert rendered_texts(app.Charts, bad) == [["No charts: see the message above."]]
    assert rendered_texts(app.Network, bad) == [["No network: see the message above."]]
    good = ComparisonModel(seed="1", **SMALL)
    assert rendered_texts(app.Charts, good) == rendered_texts(app.Network, good) == ["Image"]


def test_page_is_solaraviz_with_the_derived_controls():
    assert app.page.kwargs["model_params"].keys() == model_params().keys()
    assert isinstance(app.model, ComparisonModel)


# ---------------------------------------------------------------- the command
def test_dashboard_command_rejects_a_bad_port(capsys):
    for port in ("0", "70000", "http"):
        with pytest.raises(SystemExit) as exit_:
            cli.main(["dashboard", "--port", port])
        assert exit_.value.code == 2
        err = capsys.readouterr().err.strip().splitlines()
        assert len(err) == 1 and "port number from 1 to 65535" in err[0]


def test_dashboard_command_becomes_a_quiet_solara_server(monkeypatch, capsys):
    became = []
    monkeypatch.setattr(cli.os, "execv", lambda path, argv: became.append((path, argv)))
    cli.main(["dashboard", "--host", "127.0.0.2", "--port", "9001"])
    assert capsys.readouterr().out.strip() == "influencer-sim dashboard: http://127.0.0.2:9001 (Ctrl+C stops it)"
    (path, argv), *_ = became
    assert argv[:4] == [path, "-m", "solara", "run"] and argv[4].endswith("simulation/app.py")
    assert argv[argv.index("--host") + 1] == "127.0.0.2" and argv[argv.index("--port") + 1] == "9001"
    assert {"--production", "--no-open", "--no-check-version"} <= set(argv)


def test_dashboard_command_without_solara_says_what_to_install(monkeypatch, capsys):
    import importlib.util

    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None)
    assert cli.main(["dashboard"]) == 2
    assert "install the dashboard extra" in capsys.readouterr().err


def test_scenario_error_is_what_the_model_catches():
    with pytest.raises(ScenarioError):
        dm.InfluencerModel(seed="abc")
