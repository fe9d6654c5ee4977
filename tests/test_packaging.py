"""What the wheel ships: the package, its published figures and its scenarios; no tooling."""

import tomllib
from pathlib import Path

import simulation

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = Path(simulation.__file__).resolve().parent
SETUPTOOLS = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]


def test_every_subpackage_is_listed_and_nothing_else():
    found = {
        ".".join(init.parent.relative_to(ROOT).parts)
        for init in PACKAGE.rglob("__init__.py")
        if "__pycache__" not in str(init)
    }
    assert found | {"simulation.scenarios"} == set(SETUPTOOLS["packages"])
    assert not [p.name for p in PACKAGE.glob("*.py") if "bench" in p.name or "baseline" in p.name]


def test_scenarios_ship_from_the_one_top_level_folder():
    assert SETUPTOOLS["package-dir"] == {"simulation.scenarios": "scenarios"}
    assert SETUPTOOLS["package-data"]["simulation.scenarios"] == ["*.toml"]
    assert not (PACKAGE / "scenarios").exists()  # one copy: scenarios/ at the top
    assert len(list((ROOT / "scenarios").glob("*.toml"))) >= 6


def test_published_figures_ship_as_package_data_only():
    assert "data/*.csv" in SETUPTOOLS["package-data"]["simulation"]
    assert {p.name for p in (PACKAGE / "data").glob("*.csv")} == {"engagement_by_tier.csv", "creator_market.csv"}
    assert not (ROOT / "data").exists()  # one copy: simulation/data/
    assert "url" in (PACKAGE / "data" / "engagement_by_tier.csv").read_text(encoding="utf-8").splitlines()[0]
