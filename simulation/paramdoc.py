"""The parameter documentation, generated from the declaration in :mod:`simulation.params`.

``docs/MODEL.md`` carries the table between two marker comments; this module renders
the table and rewrites that block, so the docs cannot drift from the code. After adding
or changing a parameter, run::

    python -m simulation.paramdoc          # rewrite the block in docs/MODEL.md
    python -m simulation.paramdoc --check  # exit 1 if the block is out of date (CI)

``tests/test_paramdoc.py`` fails while the block is out of date.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from .params import PARAMETERS, SECTIONS, Param

START = "<!-- params:start -->"
END = "<!-- params:end -->"
NOTICE = "<!-- generated from simulation/params.py by `python -m simulation.paramdoc`: do not edit by hand -->"
PROJECT_ROOT = Path(__file__).resolve().parents[1]
MODEL_DOC = Path("docs/MODEL.md")

SECTION_TITLES = {
    "market": "Market, scale and time",
    "followers": "Followers and their friendships",
    "creators": "Creators",
    "engagement": "Engagement",
    "funnel": "Purchase funnel",
    "word_of_mouth": "Word of mouth",
    "trust": "Trust",
    "brand": "Brand and product",
    "campaign": "Campaign",
}


def default_text(value: Any) -> str:
    """A default as it would be written in a scenario file (TOML).

    Examples
    --------
    >>> [default_text(v) for v in (20_000_000, 0.3, 100_000.0, True, "beauty", [])]
    ['20_000_000', '0.3', '100_000.0', 'true', '"beauty"', '[]']
    """
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return f"{value:_}"
    if isinstance(value, float):
        if value.is_integer() and abs(value) >= 10_000:
            return f"{int(value):_}.0"
        return repr(value)
    if isinstance(value, str):
        return f'"{value}"'
    if isinstance(value, list):
        return "[" + ", ".join(default_text(v) for v in value) + "]"
    return str(value)


def _cell(text: str) -> str:
    """Text made safe for one Markdown table cell."""
    return text.replace("|", "\\|").replace("\n", " ").strip()


def _row(p: Param) -> str:
    unit = p.unit or "–"
    cells = (f"`{p.key}`", f"`{default_text(p.default)}`", unit, p.allowed(), p.help)
    return "| " + " | ".join(_cell(c) for c in cells) + " |"


def parameter_table_markdown() -> str:
    """Every declared parameter as Markdown tables, one per section, in declaration order.

    Columns: key (as used in scenario files and ``--set``), default, unit, allowed
    values (:meth:`Param.allowed`) and the one-line meaning.

    Examples
    --------
    >>> text = parameter_table_markdown()
    >>> text.splitlines()[0]
    '#### `market`: Market, scale and time'
    >>> "| `brand.budget` | `100_000.0` | USD |" in text
    True
    """
    blocks = []
    for section in SECTIONS:
        title = SECTION_TITLES.get(section)
        heading = f"#### `{section}`" + (f": {title}" if title else "")
        lines = [
            heading,
            "",
            "| key | default | unit | allowed | meaning |",
            "|---|---|---|---|---|",
        ]
        lines += [_row(p) for p in PARAMETERS if p.key.split(".")[0] == section]
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks) + "\n"


def generated_block() -> str:
    """The whole marked block of ``docs/MODEL.md``, markers included."""
    return f"{START}\n{NOTICE}\n\n{parameter_table_markdown()}\n{END}"


def write_parameter_doc(path: str | Path) -> Path:
    """Write a stand-alone Markdown page with the parameter tables to ``path``."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    text = (
        "# Parameters\n\n"
        "Every scenario parameter with its default, unit, allowed values and meaning, generated "
        "from `simulation/params.py`. A scenario file (TOML) names only what differs from these "
        "defaults; `--set section.key=value` overrides one on the command line.\n\n"
        f"{NOTICE}\n\n{parameter_table_markdown()}"
    )
    path.write_text(text, encoding="utf-8")
    return path


def _resolve_doc(path: str | Path) -> Path:
    """``path`` as given, or, when relative and absent from here, under the project root."""
    path = Path(path)
    if not path.is_absolute() and not path.exists() and (PROJECT_ROOT / path).exists():
        return PROJECT_ROOT / path
    return path


def current_block(text: str, path: str | Path = MODEL_DOC) -> str:
    """The marked block of a document's text, markers included.

    Raises
    ------
    ValueError
        When the markers are missing, repeated or out of order.
    """
    starts, ends = text.count(START), text.count(END)
    i, j = text.find(START), text.find(END)
    if starts != 1 or ends != 1 or j < i:
        raise ValueError(f"{path}: expected one {START} ... {END} block, found {starts} start and {ends} end markers")
    return text[i : j + len(END)]


def model_doc_is_current(path: str | Path = MODEL_DOC) -> bool:
    """True when the parameter block of ``path`` matches the declaration."""
    path = _resolve_doc(path)
    return current_block(path.read_text(encoding="utf-8"), path) == generated_block()


def sync_model_doc(path: str | Path = MODEL_DOC) -> bool:
    """Rewrite the parameter block of ``docs/MODEL.md``; True if the file changed.

    Only the text between ``<!-- params:start -->`` and ``<!-- params:end -->``
    is replaced; the rest of the document is left as written.
    """
    path = _resolve_doc(path)
    text = path.read_text(encoding="utf-8")
    old = current_block(text, path)
    new = generated_block()
    if old == new:
        return False
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return True


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m simulation.paramdoc",
        description="Regenerate the parameter table in docs/MODEL.md from simulation/params.py.",
    )
    parser.add_argument("path", nargs="?", default=str(MODEL_DOC), help="document to update (default: docs/MODEL.md)")
    parser.add_argument("--check", action="store_true", help="only check; exit 1 if the table is out of date")
    parser.add_argument("--write", metavar="FILE", help="also write a stand-alone parameter page to FILE")
    args = parser.parse_args(argv)
    path = _resolve_doc(args.path)
    try:
        if args.check:
            if model_doc_is_current(path):
                print(f"{path}: parameter table is up to date")
                return 0
            print(f"{path}: parameter table is out of date; run `python -m simulation.paramdoc`", file=sys.stderr)
            return 1
        changed = sync_model_doc(path)
    except (OSError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(f"{path}: parameter table {'updated' if changed else 'already up to date'} ({len(PARAMETERS)} parameters)")
    if args.write:
        print(f"wrote {write_parameter_doc(args.write)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
