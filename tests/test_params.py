"""Declared parameters: defaults, checking, --set parsing and scenario files."""

from __future__ import annotations

from pathlib import Path

import pytest

from simulation.params import (
    BY_KEY,
    PARAMETERS,
    SECTIONS,
    ScenarioError,
    defaults,
    find_scenario,
    flatten,
    load_scenario,
    model_kwargs,
    nest,
    parse_assignment,
    resolve,
)

SCENARIOS = Path(__file__).resolve().parent.parent / "scenarios"


# --------------------------------------------------------------------------- declaration
def test_every_parameter_declared_once_with_meaning():
    keys = [p.key for p in PARAMETERS]
    assert len(keys) == len(set(keys))
    for p in PARAMETERS:
        section, name = p.key.split(".")
        assert section in SECTIONS and name
        assert p.help.strip(), p.key
        if p.low is not None and p.high is not None:
            assert p.low <= p.high, p.key


def test_defaults_resolve_and_pass_their_own_checks():
    resolved = resolve()
    flat = flatten(resolved)
    assert set(flat) == set(BY_KEY)
    for p in PARAMETERS:
        assert flat[p.key] == p.default
        assert p.check(p.default) == p.default
        if p.low is not None:
            assert p.default >= p.low, p.key
        if p.high is not None:
            assert p.default <= p.high, p.key
    assert resolved["market"]["followers"] == 100_000
    assert resolved["brand"]["niche"] == "beauty"
    assert resolved["campaign"]["strategy"] == "mega"


def test_defaults_are_copies():
    a = defaults()
    a["campaign"]["creators"].append(3)
    assert defaults()["campaign"]["creators"] == []
    assert BY_KEY["campaign.creators"].default == []


def test_flatten_and_nest_are_inverse():
    nested = {"brand": {"budget": 5.0, "niche": "food"}, "market": {"days": 3}}
    flat = flatten(nested)
    assert flat == {"brand.budget": 5.0, "brand.niche": "food", "market.days": 3}
    assert nest(flat) == nested


def test_resolve_accepts_nested_and_dotted_keys_and_converts_types():
    r = resolve({"brand": {"budget": 5000}, "market.followers": 2000.0, "market.dt": 1})
    assert r["brand"]["budget"] == 5000.0 and isinstance(r["brand"]["budget"], float)
    assert r["market"]["followers"] == 2000 and isinstance(r["market"]["followers"], int)
    assert r["market"]["dt"] == 1.0 and isinstance(r["market"]["dt"], float)


# --------------------------------------------------------------------------- bad values
def test_unknown_key_names_it_and_suggests_the_close_one():
    with pytest.raises(ScenarioError) as err:
        resolve({"brand": {"budgte": 5}})
    message = str(err.value)
    assert "'brand.budgte'" in message
    assert "did you mean 'brand.budget'" in message


def test_unknown_key_without_close_match():
    with pytest.raises(ScenarioError, match=r"unknown parameter 'zzz\.qqq'") as err:
        resolve({"zzz.qqq": 1})
    assert "did you mean" not in str(err.value)


@pytest.mark.parametrize(
    ("overrides", "key", "allowed"),
    [
        ({"market.followers": 2.5}, "market.followers", "an integer from 2 to 50,000,000"),
        ({"market.followers": True}, "market.followers", "an integer"),
        ({"market.followers": "many"}, "market.followers", "an integer"),
        ({"brand.budget": "abc"}, "brand.budget", "a number from 0 to 10,000,000,000"),
        ({"brand.price": float("nan")}, "brand.price", "a number from 0.01"),
        ({"trust.dynamics": "maybe"}, "trust.dynamics", "true or false"),
        ({"trust.dynamics": 1}, "trust.dynamics", "true or false"),
        ({"campaign.creators": [1, "x"]}, "campaign.creators", "a list of creator ids"),
        ({"campaign.creators": 3}, "campaign.creators", "a list of creator ids"),
        ({"brand.niche": 3}, "brand.niche", "one of fitness"),
    ],
)
def test_wrong_type_names_key_and_allowed(overrides, key, allowed):
    with pytest.raises(ScenarioError) as err:
        resolve(overrides)
    message = str(err.value)
    assert message.startswith(key)
    assert "wrong type" in message
    assert allowed in message


@pytest.mark.parametrize(
    ("overrides", "key", "allowed"),
    [
        ({"market.followers": 1}, "market.followers", "from 2 to 50,000,000"),
        ({"brand.margin": 1.5}, "brand.margin", "from 0 to 1"),
        ({"brand.budget": -1}, "brand.budget", "from 0 to 10,000,000,000"),
        ({"market.dt": 0.0}, "market.dt", "from 0.001 to 1"),
        ({"followers.skepticism_mean": 2}, "followers.skepticism_mean", "from 0 to 1"),
        ({"brand.price": float("inf")}, "brand.price", "from 0.01 to 10,000,000"),
    ],
)
def test_out_of_range_names_key_and_range(overrides, key, allowed):
    with pytest.raises(ScenarioError) as err:
        resolve(overrides)
    message = str(err.value)
    assert message.startswith(key)
    assert "out of range" in message
    assert allowed in message


@pytest.mark.parametrize(
    ("key", "value", "allowed"),
    [
        ("brand.niche", "cars", "one of fitness, beauty, fashion, food, tech, travel, gaming"),
        ("campaign.strategy", "celebrity", "one of mega, macro, micro, nano, mixed, list, optimised, none"),
        ("campaign.schedule", "weekly", "one of one_off, partnership"),
        ("word_of_mouth.network", "twitter", "one of friends, mean_field"),
    ],
)
def test_bad_choice_names_key_and_choices(key, value, allowed):
    with pytest.raises(ScenarioError) as err:
        resolve({key: value})
    message = str(err.value)
    assert message.startswith(f"{key} = {value!r} is not allowed")
    assert allowed in message


def test_tier_bounds_must_increase():
    with pytest.raises(ScenarioError, match=r"nano_min < micro_min < macro_min < mega_min < mega_max") as err:
        resolve({"creators.micro_min": 2_000_000})
    assert "2,000,000" in str(err.value)
    with pytest.raises(ScenarioError, match="mega_max"):
        resolve({"creators.mega_min": 20_000_000})  # equal bounds are not increasing
    # moving a bound consistently is fine (the article's 5,000 micro boundary)
    assert resolve({"creators.micro_min": 5_000})["creators"]["micro_min"] == 5_000


def test_other_consistency_checks():
    with pytest.raises(ScenarioError, match="market.followers = 30,000,000 exceeds market.population"):
        resolve({"market.followers": 30_000_000})
    with pytest.raises(ScenarioError, match="campaign.creators"):
        resolve({"campaign.strategy": "list"})
    with pytest.raises(ScenarioError, match="share"):
        resolve({f"creators.share_{t}": 0 for t in ("nano", "micro", "macro", "mega")})
    with pytest.raises(ScenarioError, match="mix"):
        resolve({"campaign.strategy": "mixed"} | {f"campaign.mix_{t}": 0 for t in ("nano", "micro", "macro", "mega")})


# --------------------------------------------------------------------------- --set
def test_parse_assignment():
    assert parse_assignment("brand.budget=5e4") == ("brand.budget", "5e4")
    assert parse_assignment(" brand.niche = food ") == ("brand.niche", "food")
    assert parse_assignment("a.b=x=y") == ("a.b", "x=y")
    with pytest.raises(ScenarioError, match="KEY=VALUE"):
        parse_assignment("brand.budget")


def test_set_strings_parse_like_toml():
    s = load_scenario(
        None,
        [
            "brand.budget=5e4",
            "trust.dynamics=false",
            "word_of_mouth.persuasion=True",
            "campaign.creators=[1, 2,3]",
            "campaign.strategy=list",
            "market.followers=2e4",
            "market.population=1_000_000",
            "brand.niche=food",
        ],
    )
    assert s["brand"]["budget"] == 50_000.0
    assert s["trust"]["dynamics"] is False
    assert s["word_of_mouth"]["persuasion"] is True
    assert s["campaign"]["creators"] == [1, 2, 3]
    assert s["market"]["followers"] == 20_000 and isinstance(s["market"]["followers"], int)
    assert s["market"]["population"] == 1_000_000
    assert s["brand"]["niche"] == "food"
    assert s["scenario"]["name"] == "defaults"


@pytest.mark.parametrize("text", ["yes", "on", "1", "TRUE"])
def test_set_boolean_spellings(text):
    assert load_scenario(None, [f"trust.dynamics={text}"])["trust"]["dynamics"] is True


@pytest.mark.parametrize(
    ("assignment", "key"),
    [
        ("trust.dynamics=perhaps", "trust.dynamics"),
        ("market.followers=2.5e3x", "market.followers"),
        ("market.followers=2500.5", "market.followers"),
        ("campaign.creators=1,2", "campaign.creators"),
        ("campaign.creators=[1, 2.5]", "campaign.creators"),
    ],
)
def test_set_bad_strings_name_the_key(assignment, key):
    with pytest.raises(ScenarioError) as err:
        load_scenario(None, [assignment])
    assert str(err.value).startswith(key)


def test_set_unknown_key_suggests():
    with pytest.raises(ScenarioError, match=r"--set: unknown parameter 'brand.budgte' \(did you mean 'brand.budget'"):
        load_scenario(None, ["brand.budgte=5"])


# --------------------------------------------------------------------------- scenario files
def test_load_scenario_with_only_differences(tmp_path):
    path = tmp_path / "tiny.toml"
    path.write_text(
        '[scenario]\nname = "tiny"\ndescription = "a test"\n\n'
        '[brand]\nbudget = 25_000\nniche = "food"\n\n[campaign]\nstrategy = "micro"\n',
        encoding="utf-8",
    )
    s = load_scenario(path)
    assert s["brand"]["budget"] == 25_000.0 and s["brand"]["niche"] == "food"
    assert s["campaign"]["strategy"] == "micro"
    assert s["scenario"] == {"name": "tiny", "description": "a test"}
    # everything not named keeps its default
    assert s["brand"]["price"] == BY_KEY["brand.price"].default
    assert s["market"] == resolve()["market"]
    # --set wins over the file
    assert load_scenario(path, ["brand.budget=7000"])["brand"]["budget"] == 7000.0


def test_scenario_name_defaults_to_file_stem(tmp_path):
    path = tmp_path / "plain.toml"
    path.write_text("[market]\ndays = 10\n", encoding="utf-8")
    s = load_scenario(path)
    assert s["scenario"]["name"] == "plain"
    assert s["market"]["days"] == 10


def test_scenario_unknown_key_names_file_and_key(tmp_path):
    path = tmp_path / "typo.toml"
    path.write_text("[brand]\nbugdet = 5\n", encoding="utf-8")
    with pytest.raises(ScenarioError) as err:
        load_scenario(path)
    message = str(err.value)
    assert str(path) in message and "'brand.bugdet'" in message and "brand.budget" in message


def test_scenario_bad_value_names_key(tmp_path):
    path = tmp_path / "bad.toml"
    path.write_text("[brand]\nmargin = 2.0\n", encoding="utf-8")
    with pytest.raises(ScenarioError, match=r"brand.margin = 2 is out of range: expected a number from 0 to 1"):
        load_scenario(path)


def test_missing_scenario_file(tmp_path):
    path = tmp_path / "nope.toml"
    with pytest.raises(ScenarioError, match="scenario file not found") as err:
        load_scenario(path)
    assert str(path) in str(err.value)


def test_invalid_toml(tmp_path):
    path = tmp_path / "broken.toml"
    path.write_text("[brand\nbudget = \n", encoding="utf-8")
    with pytest.raises(ScenarioError, match="not valid TOML") as err:
        load_scenario(path)
    assert str(path) in str(err.value)


def test_unreadable_scenario_file(tmp_path):
    path = tmp_path / "binary.toml"
    path.write_bytes(b"\xff\xfe\x00garbage")
    with pytest.raises(ScenarioError, match="cannot read scenario file") as err:
        load_scenario(path)
    assert str(path) in str(err.value)
    with pytest.raises(ScenarioError):  # a directory is not a scenario file
        load_scenario(tmp_path)


def test_top_level_value_must_be_a_section(tmp_path):
    path = tmp_path / "flat.toml"
    path.write_text("budget = 5\n", encoding="utf-8")
    with pytest.raises(ScenarioError, match=r"'budget' must be a \[section\] table"):
        load_scenario(path)


@pytest.mark.parametrize("path", sorted(SCENARIOS.glob("*.toml")), ids=lambda p: p.stem)
def test_shipped_scenarios_load(path):
    s = load_scenario(path)
    assert s["scenario"]["name"]
    assert flatten({k: v for k, v in s.items() if k != "scenario"}).keys() == BY_KEY.keys()


def test_default_scenario_is_beauty_mega_vs_micro():
    s = load_scenario(SCENARIOS / "mega_vs_micro.toml")
    assert s["brand"]["niche"] == "beauty"
    assert s["market"]["followers"] >= 50_000


def test_model_kwargs_are_flat_keywords():
    s = load_scenario(None, ["brand.budget=5e4"])
    kw = model_kwargs(s)
    assert kw["brand__budget"] == 50_000.0
    assert "scenario__name" not in kw
    assert len(kw) == len(PARAMETERS)


# --------------------------------------------------------------------------- scenario names
def test_load_scenario_accepts_a_shipped_name(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # no scenarios/ folder here: the shipped ones answer
    by_name = load_scenario("startup", ["brand.budget=7000"])
    by_path = load_scenario(SCENARIOS / "startup.toml", ["brand.budget=7000"])
    assert by_name == by_path and by_name["scenario"]["name"] == "startup"
    assert find_scenario("startup.toml") == find_scenario("startup") == SCENARIOS / "startup.toml"
    assert find_scenario(None).name == "mega_vs_micro.toml"
    with pytest.raises(ScenarioError, match=r"^nope: scenario file not found \(give a .toml path or one of: .*startup"):
        load_scenario("nope")


def test_a_local_scenarios_folder_comes_first(tmp_path, monkeypatch):
    (tmp_path / "scenarios").mkdir()
    (tmp_path / "scenarios" / "startup.toml").write_text("[brand]\nbudget = 1234\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    assert load_scenario("startup")["brand"]["budget"] == 1234.0


def test_an_installed_package_finds_its_scenarios(tmp_path, monkeypatch):
    # installed from a wheel, the scenarios are package data in simulation/scenarios
    from simulation import params

    shipped = tmp_path / "site-packages" / "simulation" / "scenarios"
    shipped.mkdir(parents=True)
    (shipped / "only_shipped.toml").write_text("[brand]\nbudget = 4321\n", encoding="utf-8")
    monkeypatch.setattr(params.resources, "files", lambda package: shipped.parent)
    monkeypatch.chdir(tmp_path)
    assert params.shipped_scenarios() == shipped
    assert load_scenario("only_shipped")["brand"]["budget"] == 4321.0
