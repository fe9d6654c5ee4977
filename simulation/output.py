"""Writing results: one new directory per run, with tables, a manifest and plots.

The directory is assembled under a hidden temporary name and renamed into place
when complete, so a failed run never leaves a half-written output directory. An
interrupted run keeps what it had computed, marked ``"status": "interrupted"``, with
the replications it holds listed in the manifest. Names cannot leave the output
folder and an existing directory is never replaced (see :mod:`simulation.boundary`).
"""

from __future__ import annotations

import json
import platform
import shutil
import subprocess
import sys
import time
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

import pandas as pd

from .boundary import output_root, safe_name

PACKAGES = ("influencer-sim", "mesa", "networkx", "numpy", "pandas", "scipy", "matplotlib")


def versions(packages: tuple[str, ...] = PACKAGES) -> dict[str, str]:
    """Installed versions of ``packages`` (and Python)."""
    out = {"python": platform.python_version()}
    for name in packages:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = "not installed"
    return out


def git_commit() -> str:
    """The project's git commit (``+dirty`` when the tree has changes), or ``unknown``."""
    root = Path(__file__).resolve().parent.parent
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=root, capture_output=True, text=True, timeout=5, check=True
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=root,
            capture_output=True,
            text=True,
            timeout=5,
        ).stdout.strip()
        return commit + ("+dirty" if dirty else "")
    except (OSError, subprocess.SubprocessError):
        return "unknown"


def new_run_dir(out: str | Path, name: str) -> tuple[Path, Path]:
    """(temporary dir to write into, final dir name) under ``out``; the final name is new."""
    out = output_root(out)
    final = _free_name(out, f"{safe_name(name)}-{datetime.now().strftime('%Y%m%d-%H%M%S')}")
    tmp = out / f".{final.name}.partial"
    tmp.mkdir()
    return tmp, final


def _free_name(out: Path, stem: str) -> Path:
    final, k = out / stem, 1
    while final.exists():
        k += 1
        final = out / f"{stem}-{k}"
    return final


def finish(tmp: Path, final: Path) -> Path:
    """Rename ``tmp`` to ``final``, or to a fresh name if ``final`` appeared meanwhile (never over it)."""
    if final.exists():
        final = _free_name(final.parent, final.name)
    tmp.rename(final)
    return final


def discard(tmp: Path) -> None:
    shutil.rmtree(tmp, ignore_errors=True)


def write_tables(directory: Path, tables: dict[str, pd.DataFrame]) -> None:
    for name, df in tables.items():
        if df is not None and len(df):
            df.to_csv(directory / f"{name}.csv", index=False)


def write_manifest(
    directory: Path,
    *,
    scenario: dict,
    command: list[str],
    seed: Any,
    replications: int,
    arms: list[str],
    timings: dict,
    status: str,
    first: int = 0,
    finished: list[int] | None = None,
    extra: dict | None = None,
) -> None:
    manifest = {
        "status": status,
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "command": command,
        "scenario": scenario,
        "seeds": {
            "base_seed": seed,
            "replications": replications,
            "first_replication": first,
            "finished_replications": list(range(first, first + replications)) if finished is None else finished,
            "rule": "replication k runs on numpy.random.SeedSequence(base_seed).spawn(R)[k]; "
            "all arms of a replication share it (common random numbers)",
        },
        "arms": arms,
        "versions": versions(),
        "git_commit": git_commit(),
        "machine": {"platform": platform.platform(), "cpus": _cpus(), "executable": sys.executable},
        "timings": timings | {"written_at_unix": time.time()},
    }
    if extra:
        manifest.update(extra)
    (directory / "manifest.json").write_text(json.dumps(manifest, indent=2, default=_json_default))


def _cpus() -> int:
    import os

    return os.cpu_count() or 1


def _json_default(value):
    if hasattr(value, "tolist"):
        return value.tolist()
    return str(value)
