"""Competing brands in one market: one-brand identity, substitutes, market share, the command."""

import numpy as np
import pandas as pd
import pytest

from simulation.agents import Funnel
from simulation.cli import main
from simulation.compete import leader_and_runner_up, market_verdict
from simulation.experiment import run_experiment
from simulation.model import InfluencerModel
from simulation.params import ScenarioError, find_scenario, load_scenario

SMALL = ["market.followers=6000", "market.days=12"]


def _scenario_with(tmp_path, brands: str, base: str = "mega_vs_micro"):
    """The shipped ``base`` scenario with ``brands`` ([[brands]] tables) appended."""
    path = tmp_path / "market.toml"
    path.write_text(find_scenario(base).read_text() + "\n" + brands)
    return path


def _run(params, seed=11):
    model = InfluencerModel(seed=seed, params=params)
    model.run()
    return model


@pytest.mark.parametrize(
    ("brands", "sets"),
    [
        ("[[brands]]\n", []),  # the scenario's own brand, declared as its one [[brands]] table
        ('[[brands]]\nstrategy = "micro"\nbudget = 60_000\n', ["campaign.strategy=micro", "brand.budget=60000"]),
    ],
)
def test_one_brand_market_gives_exactly_the_single_brand_numbers(tmp_path, brands, sets):
    single = _run(load_scenario("mega_vs_micro", [*SMALL, *sets]))
    declared = _run(load_scenario(_scenario_with(tmp_path, brands), SMALL))
    assert len(declared.brands) == 1 and declared.brands[0].name == "beauty"
    pd.testing.assert_frame_equal(single.summary(), declared.summary(), check_exact=True)
    pd.testing.assert_frame_equal(single.daily(), declared.daily(), check_exact=True)
    pd.testing.assert_frame_equal(single.creator_daily(), declared.creator_daily(), check_exact=True)
    assert single.summary()["conversions"].iloc[0] > 0  # the check compares real sales, not zeros


#: a market where many people buy: every sponsored click and every told friend is persuaded
PERSUADED = [
    "market.followers=6000",
    "market.days=20",
    "funnel.click_rate=1",
    "funnel.purchase_rate=1",
    "funnel.consider_rate=0.5",
    "word_of_mouth.conversion=1",
]


def _bought_both(model):
    glow, dew = model.brands
    both = (glow.bought_step >= 0) & (dew.bought_step >= 0)
    return both, np.abs(glow.bought_step - dew.bought_step)[both]


def test_rivals_of_one_niche_never_share_a_buyer_within_the_repurchase_interval():
    model = _run(load_scenario("rivals", [*PERSUADED, "market.repurchase_days=30"]))
    glow, dew = model.brands
    assert [b.name for b in model.brands] == ["glow", "dew"] and model.repurchase_steps == 30
    assert (glow.state == Funnel.PURCHASED).sum() > 30 and (dew.state == Funnel.PURCHASED).sum() > 100
    both, _ = _bought_both(model)
    assert not both.any()  # a run of 20 days is shorter than the interval: nobody buys both serums
    free = _run(load_scenario("rivals", [*PERSUADED, "market.repurchase_days=0"]))
    assert _bought_both(free)[0].sum() >= 2  # with no interval the same market has people who buy both
    short = _run(load_scenario("rivals", [*PERSUADED, "market.repurchase_days=5"]))
    both, gap = _bought_both(short)
    assert both.any() and gap.min() >= 5  # the second serum only after the first ran out


def test_brands_in_different_niches_do_not_compete(tmp_path):
    path = _scenario_with(
        tmp_path, '[[brands]]\nname = "serum"\n\n[[brands]]\nname = "snack"\nniche = "food"\nstrategy = "micro"\n'
    )
    model = _run(load_scenario(path, SMALL))
    assert model.rivals == {"serum": [], "snack": []}
    summary = model.summary().set_index("brand")
    assert summary.loc["snack", "strategy"] == "micro" and summary.loc["serum", "strategy"] == "mega"
    assert (summary["market_share"] == 1.0).all()  # each alone in its category


def test_market_share_is_the_share_of_category_buyers_and_sums_to_one():
    model = _run(load_scenario("rivals", PERSUADED))
    daily = model.daily()
    shares = daily.pivot(index="step", columns="brand", values="market_share").dropna()
    assert len(shares) > 5
    np.testing.assert_allclose(shares.sum(axis=1), 1.0)
    buyers = {b.name: int(((b.state == Funnel.PURCHASED) & (b.channel != 3)).sum()) for b in model.brands}
    summary = model.summary().set_index("brand")
    assert summary.loc["glow", "market_share"] == pytest.approx(buyers["glow"] / sum(buyers.values()))


def test_trust_moves_with_every_brands_posts():
    """The second brand's ads erode trust in the creators it shares with the first."""
    alone = load_scenario("rivals", [*SMALL])
    alone["scenario"]["brands"] = alone["scenario"]["brands"][:1]
    one, two = _run(alone), _run(load_scenario("rivals", SMALL))
    hired = two.brands[1].hired_edges  # the micro brand's creators: the mega brand never posts there
    assert two.trust[hired].mean() < one.trust[hired].mean()


def test_bad_brand_tables_fail_with_one_line(tmp_path):
    with pytest.raises(ScenarioError, match=r"'market.days' cannot differ between brands"):
        load_scenario(_scenario_with(tmp_path, '[[brands]]\n"market.days" = 5\n'))
    with pytest.raises(ScenarioError, match=r"name 'a' is used by another brand"):
        load_scenario(_scenario_with(tmp_path, '[[brands]]\nname = "a"\n[[brands]]\nname = "a"\n'))
    with pytest.raises(ScenarioError, match=r"\[\[brands\]\] #2.*brand.budget"):
        load_scenario(_scenario_with(tmp_path, "[[brands]]\n[[brands]]\nbudget = -5\n"))
    two = load_scenario(_scenario_with(tmp_path, "[[brands]]\n[[brands]]\n"))
    assert [b["name"] for b in two["scenario"]["brands"]] == ["beauty", "beauty-2"]


def test_market_verdict_names_the_leader_on_each_goal():
    params = load_scenario("rivals", SMALL)
    runs = run_experiment(params, {"market": {}}, replications=4, seed=2).runs
    assert sorted(runs["brand"].unique()) == ["dew", "glow"] and len(runs) == 8
    leader, runner_up = leader_and_runner_up(runs, "conversions")
    line = market_verdict(runs)
    assert line.startswith("Market verdict: sales goal (glow, dew): ")
    assert "not measured" not in line
    assert (
        f"{leader} beats {runner_up} on" in line
        or f"{runner_up} beats {leader} on" in line
        or "no clear winner" in line
    )


def test_compete_command_writes_tables_share_figure_and_verdict(tmp_path, capsys):
    sets = [a for s in SMALL for a in ("--set", s)]
    assert main(["compete", "rivals", *sets, "--replications", "2", "--out", str(tmp_path), "--quiet"]) == 0
    out = capsys.readouterr().out
    assert "glow (mega), dew (micro)" in out and "Market verdict:" in out and "market_share" in out
    (directory,) = tmp_path.iterdir()
    for name in ("runs.csv", "daily.csv", "summary.csv", "market_share.csv", "market_share.png", "verdict.txt"):
        assert (directory / name).is_file(), name
    runs = pd.read_csv(directory / "runs.csv")
    assert len(runs) == 4 and set(runs["brand"]) == {"glow", "dew"}


def test_compete_needs_two_brands(capsys):
    assert main(["compete", "mega_vs_micro", "--quiet"]) == 2
    err = capsys.readouterr().err
    assert "compete needs a market of two or more brands" in err and err.count("\n") == 1


def test_compete_writes_an_optimised_brands_portfolio(tmp_path, capsys):
    path = _scenario_with(tmp_path, '[[brands]]\nname = "glow"\n\n[[brands]]\nname = "smart"\nstrategy = "optimised"\n')
    sets = [a for s in ["market.followers=3000", "market.days=6"] for a in ("--set", s)]
    out = tmp_path / "out"
    assert main(["compete", str(path), *sets, "--replications", "2", "--out", str(out), "--quiet", "--no-plots"]) == 0
    assert "smart (optimised)" in capsys.readouterr().out
    (directory,) = out.iterdir()
    table = pd.read_csv(directory / "portfolio.csv")
    assert set(table["brand"]) == {"smart"} and set(table["replication"]) == {0, 1}
    spend = table.groupby("replication")["spend"].sum()
    assert (spend <= 100_000).all() and (spend > 95_000).all()
    assert (table["fee"] * table["posts"]).sum() == pytest.approx(table["spend"].sum())


def test_compare_refuses_a_market_of_several_brands(capsys):
    assert main(["compare", "rivals", "--quiet"]) == 2
    err = capsys.readouterr().err
    assert "declares several [[brands]]: run `influencer-sim compete" in err and err.count("\n") == 1
