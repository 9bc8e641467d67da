"""The import direction of the package's modules.

config <- units/taxonomy/schema <- corpus <- extract <- claims <- pipeline <- report/cli.

A module imports only modules of its own level or below. A module not named here counts as
extract level (the extractor's own helpers), so a new one fits without editing this file;
charts and views never import the pipeline or the engine.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "borderdata"

LEVELS = {
    "config": 0,
    "tables": 0,
    "units": 1,
    "taxonomy": 1,
    "schema": 1,
    "numbers": 1,
    "corpus": 2,
    "synth": 2,
    # 3: extract and every module not listed (readings, guards, places, periods, ...)
    "overrides": 4,
    "claims": 4,
    "check": 5,
    "checkpage": 5,
    "cache": 5,
    "engine": 5,
    "pipeline": 6,
    "charts": 7,
    "views": 7,
    "display": 7,
    "parameters": 7,
    "report": 7,
    "cli": 7,
    "__init__": 7,
}
EXTRACT_LEVEL = 3
NEVER = {"charts": {"pipeline", "engine", "cache"}, "views": {"pipeline", "engine", "cache"}}


def level(module: str) -> int:
    return LEVELS.get(module, EXTRACT_LEVEL)


def imported(path: Path) -> set[str]:
    """The borderdata modules a module imports (at the top or inside functions)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {a.name.split(".")[1] for a in node.names if a.name.startswith("borderdata.")}
        elif isinstance(node, ast.ImportFrom) and node.module:
            if node.module == "borderdata":
                found |= {a.name for a in node.names}
            elif node.module.startswith("borderdata."):
                found.add(node.module.split(".")[1])
    return found


# Known exceptions to the levels, each with its reason (strict: a mark must go when its import does).
KNOWN: dict[str, str] = {}
MODULES = [
    pytest.param(m, marks=pytest.mark.xfail(reason=KNOWN[m], strict=True)) if m in KNOWN else m
    for m in sorted(p.stem for p in PACKAGE.glob("*.py"))
]


def test_the_levels_hold_the_chain_the_design_names():
    chain = ["config", "units", "corpus", "extract", "claims", "pipeline", "report"]
    assert [level(m) for m in chain] == sorted(level(m) for m in chain)
    assert len({level(m) for m in chain}) == len(chain)


@pytest.mark.parametrize("module", MODULES)
def test_a_module_imports_only_its_level_or_below(module):
    upward = {m for m in imported(PACKAGE / f"{module}.py") if level(m) > level(module)}
    assert not upward, f"{module} (level {level(module)}) imports {sorted(upward)} from above"
    forbidden = imported(PACKAGE / f"{module}.py") & NEVER.get(module, set())
    assert not forbidden, f"{module} must not import {sorted(forbidden)}"


def test_an_upward_import_is_caught(tmp_path):
    bad = tmp_path / "units.py"
    bad.write_text("def f():\n    from borderdata.pipeline import run_data\n")
    assert imported(bad) == {"pipeline"} and level("pipeline") > level("units")
