"""docs/GRAPH_FORMAT.md cannot rot: its examples run and its conventions match the code."""

import re
from pathlib import Path

import numpy as np
import pytest

from simulation import NICHES, load_graph, market_from_graph
from simulation.graph_io import CREATOR_ATTRIBUTES, FOLLOWER_ATTRIBUTES

DOC = Path(__file__).resolve().parents[1] / "docs" / "GRAPH_FORMAT.md"
TEXT = DOC.read_text(encoding="utf-8")
PYTHON_BLOCKS = re.findall(r"^```python\n(.*?)^```", TEXT, flags=re.DOTALL | re.MULTILINE)
TEXT_BLOCKS = re.findall(r"^```text\n(.*?)^```", TEXT, flags=re.DOTALL | re.MULTILINE)


def run_block(code: str) -> dict:
    namespace: dict = {"__name__": "__graph_format_example__"}
    exec(compile(code, f"{DOC.name} example", "exec"), namespace)
    return namespace


def test_doc_has_examples():
    assert len(PYTHON_BLOCKS) >= 1
    assert any("follows" in block for block in TEXT_BLOCKS)


def test_python_example_builds_saves_loads_and_runs(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    ns = run_block(PYTHON_BLOCKS[0])
    assert (tmp_path / "my_market.graphml").is_file()
    model = ns["model"]
    market = model.market
    assert market.n_followers == 2_000 and market.n_creators == 2
    assert market.population == 60_000 and market.people_per_agent == 30
    assert market.labels["creators"] == ["glowwithmia", "techtom"]
    assert np.diff(market.follow_indptr).tolist() == [1_000, 400]
    # techtom gave no follower count: its follow edges x people per agent
    assert market.followers.tolist() == [33_000, 12_000]
    # the trust written on glowwithmia's edges was kept
    assert np.allclose(model.market.trust[:1_000], 0.6)
    summary = model.summary().iloc[0]
    assert summary["creators_hired"] == 2
    assert 0 < summary["spend"] <= 3_000
    assert summary["conversions"] <= summary["unique_reach"] <= market.population
    assert "creators_hired" in capsys.readouterr().out


@pytest.mark.parametrize("index", range(1, len(PYTHON_BLOCKS)))
def test_other_python_examples_run(index, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    run_block(PYTHON_BLOCKS[index])


def test_edge_list_example_reads_as_described(tmp_path):
    block = next(b for b in TEXT_BLOCKS if "follows" in b)
    path = tmp_path / "market.txt"
    path.write_text(block, encoding="utf-8")
    graph = load_graph(path)
    kinds = dict(graph.nodes(data="kind"))
    assert {v for v, k in kinds.items() if k == "creator"} == {"glowwithmia", "techtom"}
    assert {v for v, k in kinds.items() if k != "creator"} == {"ana", "ben", "carla", "dev"}
    market = market_from_graph(graph, seed=1)
    assert market.n_creators == 2 and market.n_followers == 4
    assert len(market.follow_follower) == 4
    assert len(market.friend_index) == 2 * 3  # three friendships, stored both ways
    followers = market.labels["followers"]
    creators = market.labels["creators"]
    trust = {
        (followers[f], creators[c]): t for f, c, t in zip(market.follow_follower, market.follow_creator, market.trust)
    }
    assert trust[("ana", "glowwithmia")] == 0.7
    assert trust[("ben", "techtom")] == 0.4


def test_every_attribute_the_code_reads_is_documented():
    names = [*CREATOR_ATTRIBUTES, *FOLLOWER_ATTRIBUTES, "niche", "followers", "trust", "population"]
    names += [f"interest_{n}" for n in NICHES]
    missing = [n for n in names if f"`{n}`" not in TEXT]
    assert not missing, f"docs/GRAPH_FORMAT.md does not document {missing}"
