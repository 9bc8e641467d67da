"""A wheel installed non-editable: its packaged defaults are found, and every subcommand (extract,
data, check, report) runs from another folder without writing next to the installed package."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tests.conftest import SEEDS

ROOT = Path(__file__).resolve().parents[1]
TIMEOUT = 600

# Every packaged default, read through its own loader, in the installed copy.
DEFAULTS = """
import sys
from pathlib import Path

import borderdata
import matplotlib.pyplot as plt
import matplotlib.style as mstyle
import nbformat

from borderdata.claims import load_claim_rules
from borderdata.corpus import load_rules
from borderdata.display import STYLE
from borderdata.places import load_places
from borderdata.report import render_html
from borderdata.taxonomy import load_taxonomy
from borderdata.views import view_rules

assert Path(borderdata.__file__).is_relative_to(sys.argv[1]), borderdata.__file__
assert load_taxonomy().raw and load_rules() and load_claim_rules() and load_places() and view_rules()
with mstyle.context(STYLE, after_reset=True):
    assert plt.rcParams["axes.titlesize"] == 12 != plt.rcParamsDefault["axes.titlesize"]
nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("packaged template")])
page = render_html(nb)
assert "packaged template" in page and "require.js" not in page
"""


def _listing(folder: Path) -> dict[str, tuple[int, int]]:
    """Every file under ``folder`` but bytecode, with its size and mtime."""
    return {
        str(p.relative_to(folder)): (p.stat().st_size, p.stat().st_mtime_ns)
        for p in folder.rglob("*")
        if p.is_file() and "__pycache__" not in p.parts
    }


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    """The project built as a wheel and installed into a folder (no dependencies: this venv's serve)."""
    wheels = tmp_path_factory.mktemp("wheels")
    target = tmp_path_factory.mktemp("site")
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check", "-q"]
    build = subprocess.run(
        [*pip, "wheel", "--no-deps", "-w", str(wheels), str(ROOT)],
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
    )
    if build.returncode != 0:
        pytest.skip(
            f"no wheel could be built here (the build backend is not installable): {build.stderr[-300:]}"
        )
    (wheel,) = wheels.glob("borderdata-*.whl")
    subprocess.run(
        [*pip, "install", "--no-deps", "--target", str(target), str(wheel)], check=True, timeout=TIMEOUT
    )
    return target


def _run(args: list[str], site: Path, cwd: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(site), "XDG_CACHE_HOME": str(cwd / "user-cache")}
    env.pop("BORDERDATA_PROJECT", None)
    return subprocess.run(
        [sys.executable, *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=TIMEOUT
    )


def test_an_installed_wheel_reads_its_packaged_defaults_and_writes_nothing_beside_them(installed, tmp_path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    before = _listing(installed / "borderdata")
    assert {"taxonomy.toml", "corpus.toml", "claims.toml", "places.toml", "views.toml", "borderdata.mplstyle",
            "offline.html.j2"} <= set(before)  # fmt: skip

    defaults = _run(["-c", textwrap.dedent(DEFAULTS), str(installed)], installed, elsewhere)
    assert defaults.returncode == 0, defaults.stderr[-2000:]

    articles = elsewhere / "articles"
    shutil.copytree(SEEDS, articles)
    extract = _run(
        ["-m", "borderdata.cli", "extract", "articles", "--out", "facts.csv"], installed, elsewhere
    )
    assert extract.returncode == 0, extract.stderr[-2000:]
    assert (elsewhere / "facts.csv").read_text().startswith("fact_id,")
    assert list((elsewhere / "user-cache" / "borderdata").glob("*.sqlite3"))  # the user's cache folder

    project = tmp_path / "project"
    shutil.copytree(SEEDS, project / "seeds")
    data = _run(["-m", "borderdata.cli", "--project", str(project), "data"], installed, elsewhere)
    assert data.returncode == 0, data.stderr[-2000:]
    assert (project / "data" / "processed" / "claims.csv").is_file()

    article = str(project / "seeds" / "002_6b0f9d32bb2bd3fb.txt")
    check = _run(["-m", "borderdata.cli", "--project", str(project), "check", article, "--out", "check.html"],
                 installed, elsewhere)  # fmt: skip
    assert check.returncode == 0, check.stderr[-2000:]
    assert "corroborated" in check.stdout and (elsewhere / "check.html").read_text().startswith("<!DOCTYPE")

    shutil.copytree(ROOT / "notebooks", project / "notebooks", ignore=shutil.ignore_patterns("*.py", "__*"))
    report = _run(["-m", "borderdata.cli", "--project", str(project), "report"], installed, elsewhere)
    assert report.returncode == 0, report.stderr[-2000:]
    assert (project / "reports" / "index.html").is_file()

    assert _listing(installed / "borderdata") == before
