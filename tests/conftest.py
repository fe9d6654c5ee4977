"""Shared fixtures: small markets and finished runs, built once per session.

Markets and runs are expensive next to the assertions made on them, so every
fixture here is session-scoped and the run factory caches by its arguments. Tests
only read what they are given.
"""

from __future__ import annotations

import pytest

from simulation import InfluencerModel, generate_market, resolve

#: A small market: 4,000 agents for 2 million people (500 people per agent), with
#: the default creator population. Mega creators' audiences hit the agent count, so
#: the clipping path runs too.
SMALL = {
    "market.followers": 4_000,
    "market.population": 2_000_000,
    "market.days": 20,
}

#: The small market with purchase and word-of-mouth rates turned up, so invariants
#: are checked on runs with many buyers, clicks and tells, not on runs of zeros.
HOT = SMALL | {
    "funnel.click_rate": 0.8,
    "funnel.purchase_rate": 0.5,
    "funnel.consider_rate": 0.3,
    "word_of_mouth.tell_probability": 0.3,
    "word_of_mouth.conversion": 0.6,
    "word_of_mouth.engaged_tell_probability": 0.2,
}


@pytest.fixture(scope="session")
def small_settings() -> dict:
    return dict(SMALL)


@pytest.fixture(scope="session")
def hot_settings() -> dict:
    return dict(HOT)


@pytest.fixture(scope="session")
def small_params() -> dict:
    """Resolved parameters of the small market."""
    return resolve(SMALL)


@pytest.fixture(scope="session")
def small_market(small_params):
    """One generated small market (seed 7)."""
    return generate_market(small_params, seed=7)


@pytest.fixture(scope="session")
def medium_params() -> dict:
    """Defaults at 20,000 follower agents: audiences big enough for stable rankings."""
    return resolve({"market.followers": 20_000})


@pytest.fixture(scope="session")
def medium_market(medium_params):
    return generate_market(medium_params, seed=11)


@pytest.fixture(scope="session")
def run_model():
    """Factory ``run_model(seed, settings_dict)`` -> a finished model, cached per session.

    ``settings`` uses dotted keys (``{"market.followers": 4000}``).
    """
    cache: dict[str, InfluencerModel] = {}

    def run(seed=1, settings: dict | None = None, **kwargs) -> InfluencerModel:
        settings = dict(settings or {})
        key = repr((seed, sorted(settings.items()), sorted(kwargs.items())))
        if key not in cache:
            model = InfluencerModel(seed=seed, **{k.replace(".", "__"): v for k, v in settings.items()}, **kwargs)
            model.run()
            cache[key] = model
        return cache[key]

    return run
