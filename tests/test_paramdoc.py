"""The parameter table in docs/MODEL.md is generated from simulation/params.py and kept current.

If a test here fails after adding or changing a parameter, run ``python -m simulation.paramdoc``.
"""

from pathlib import Path

import pytest

from simulation import paramdoc
from simulation.params import PARAMETERS, SECTIONS

MODEL_DOC = Path(__file__).resolve().parents[1] / "docs" / "MODEL.md"
FIX = "run `python -m simulation.paramdoc` to regenerate the parameter table in docs/MODEL.md"


def table_rows(block: str) -> dict[str, list[str]]:
    """``{key: cells}`` for every parameter row of a generated block."""
    rows = {}
    for line in block.splitlines():
        if line.startswith("| `"):
            cells = [c.strip() for c in line.strip("|").split(" | ")]
            rows[cells[0].strip("`")] = cells
    return rows


@pytest.fixture
def model_doc_copy(tmp_path):
    path = tmp_path / "MODEL.md"
    path.write_text(MODEL_DOC.read_text(encoding="utf-8"), encoding="utf-8")
    return path


def test_every_declared_parameter_is_in_model_doc():
    block = paramdoc.current_block(MODEL_DOC.read_text(encoding="utf-8"))
    rows = table_rows(block)
    missing = [p.key for p in PARAMETERS if p.key not in rows]
    assert not missing, f"docs/MODEL.md lacks {missing}: {FIX}"
    stale = sorted(set(rows) - {p.key for p in PARAMETERS})
    assert not stale, f"docs/MODEL.md documents undeclared parameters {stale}: {FIX}"


def test_model_doc_parameter_block_is_up_to_date():
    assert paramdoc.model_doc_is_current(MODEL_DOC), FIX


def test_rows_carry_default_unit_range_and_meaning():
    rows = table_rows(paramdoc.parameter_table_markdown())
    assert len(rows) == len(PARAMETERS)
    for p in PARAMETERS:
        key, default, unit, allowed, meaning = rows[p.key]
        assert default == f"`{paramdoc.default_text(p.default)}`"
        assert unit == (p.unit or "–")
        assert allowed == p.allowed()
        assert meaning == p.help
    assert rows["brand.niche"][3].startswith("one of fitness, beauty")
    assert rows["market.population"][1:4] == ["`20_000_000`", "people", "an integer from 1 to 10,000,000,000"]


def test_tables_are_grouped_by_section_in_declaration_order():
    text = paramdoc.parameter_table_markdown()
    positions = [text.index(f"#### `{s}`") for s in SECTIONS]
    assert positions == sorted(positions)
    for p in PARAMETERS:
        section = p.key.split(".")[0]
        start = text.index(f"#### `{section}`")
        following = [text.index(f"#### `{s}`") for s in SECTIONS if text.index(f"#### `{s}`") > start]
        assert start < text.index(f"| `{p.key}` |") < min(following, default=len(text))


def test_sync_rewrites_only_the_marked_block(model_doc_copy):
    original = model_doc_copy.read_text(encoding="utf-8")
    assert paramdoc.sync_model_doc(model_doc_copy) is False
    block = paramdoc.current_block(original)
    stale_block = "\n".join(line for line in block.splitlines() if "`brand.price`" not in line)
    model_doc_copy.write_text(original.replace(block, stale_block), encoding="utf-8")
    assert not paramdoc.model_doc_is_current(model_doc_copy)
    assert paramdoc.sync_model_doc(model_doc_copy) is True
    assert model_doc_copy.read_text(encoding="utf-8") == original
    assert paramdoc.sync_model_doc(model_doc_copy) is False


def test_missing_markers_are_an_error(tmp_path):
    path = tmp_path / "MODEL.md"
    path.write_text("# Model\n\nno table here\n", encoding="utf-8")
    with pytest.raises(ValueError, match="params:start"):
        paramdoc.sync_model_doc(path)


def test_command_checks_and_fixes(model_doc_copy, capsys):
    text = model_doc_copy.read_text(encoding="utf-8")
    model_doc_copy.write_text(text.replace("| `market.days` |", "| `market.dayz` |"), encoding="utf-8")
    assert paramdoc.main([str(model_doc_copy), "--check"]) == 1
    assert "out of date" in capsys.readouterr().err
    assert paramdoc.main([str(model_doc_copy)]) == 0
    assert paramdoc.main([str(model_doc_copy), "--check"]) == 0
    assert model_doc_copy.read_text(encoding="utf-8") == text


def test_write_parameter_doc(tmp_path):
    path = paramdoc.write_parameter_doc(tmp_path / "docs" / "PARAMETERS.md")
    rows = table_rows(path.read_text(encoding="utf-8"))
    assert list(rows) == [p.key for p in PARAMETERS]
