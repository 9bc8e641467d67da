"""environment.yml (for conda users) names the same packages as pyproject.toml."""

from __future__ import annotations

import re
import tomllib

import yaml

from borderdata.corpus import PROJECT_ROOT

# conda-forge names that differ from PyPI's.
CONDA_NAMES = {"dask[distributed]": {"dask", "distributed"}}


def _name(requirement: str) -> str:
    return re.split(r"[<>=!~ ;]", requirement, maxsplit=1)[0].strip().lower()


def test_environment_yml_matches_pyproject():
    project = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text())["project"]
    wanted: set[str] = set()
    for req in project["dependencies"] + [
        r for extra in project["optional-dependencies"].values() for r in extra
    ]:
        wanted |= CONDA_NAMES.get(_name(req), {_name(req)})
    env = yaml.safe_load((PROJECT_ROOT / "environment.yml").read_text())
    assert env["channels"] == ["conda-forge"]
    deps = env["dependencies"]
    conda = {_name(d) for d in deps if isinstance(d, str)} - {"python", "pip"}
    pip = next(d["pip"] for d in deps if isinstance(d, dict))
    assert conda == wanted
    assert pip == ["-e ."]


def test_lower_bounds_agree():
    project = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text())["project"]
    bounds = {_name(r): r.split(">=")[1] for r in project["dependencies"] if ">=" in r}
    env = yaml.safe_load((PROJECT_ROOT / "environment.yml").read_text())
    for dep in env["dependencies"]:
        if isinstance(dep, str) and _name(dep) in bounds:
            assert dep.split(">=")[1] == bounds[_name(dep)], dep
