"""report.py: every notebook executed headless twice (default and other parameters), pages, index, failures.

The notebooks run on a small hand-made corpus of tables (``tests/test_charts.py``'s
sample, with hostile text in titles and sentences) written to a temporary folder
and passed as ``tables_dir``, so these tests do not depend on the seeds or on the
tables in ``data/processed``. The nbval run (``make test-notebooks``) covers the
defaults on the seeds' tables, built in a temporary folder.
"""

from __future__ import annotations

import argparse
import ast
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from borderdata import report
from borderdata.tables import write_table
from tests.test_charts import sample_documents, sample_facts

NOTEBOOK_NAMES = (
    "00-explore-the-corpus",
    "01-compare-fentanyl-seizures",
    "02-track-funding-commitments",
    "03-count-enforcement-assets",
    "04-check-claims-across-outlets",
    "05-fact-check-an-article",
)
OTHER_PARAMETERS = {
    "mass_unit": "lb",
    "currency": "USD",
    "usd_per_cad": 0.5,
    "usd_per_cad_date": "2024-06-01",
}


def write_sample_tables(folder: Path) -> Path:
    """documents.csv and facts.csv of the hand-made sample (claims are built from the facts)."""
    write_table(sample_documents(), folder / "documents.csv")
    write_table(sample_facts(), folder / "facts.csv")
    return folder


@pytest.fixture
def tables(sample_tables) -> Path:
    return sample_tables


@pytest.fixture
def runs(sample_report) -> dict[str, tuple[Path, list[report.NotebookResult]]]:
    """The whole report twice, default parameters then lb / USD (conftest: built once, read-only)."""
    return sample_report


def page(runs, run: str, name: str) -> str:
    return (runs[run][0] / f"{name}.html").read_text(encoding="utf-8")


def chart_labels(runs, run: str, name: str) -> list[dict[str, str]]:
    nb = json.loads((runs[run][0] / "executed" / f"{name}.ipynb").read_text(encoding="utf-8"))
    return [
        output["metadata"]["image/png"]["borderdata"]
        for cell in nb["cells"]
        for output in cell.get("outputs", [])
        if "borderdata" in output.get("metadata", {}).get("image/png", {})
    ]


# --------------------------------------------------------------------------- parameters


def test_parameter_values_are_parsed():
    assert report.parse_parameters([("mass_unit", "lb"), ("usd_per_cad", "0.72"), ("n", "3")]) == {
        "mass_unit": "lb",
        "usd_per_cad": 0.72,
        "n": 3,
    }


def test_every_notebook_is_numbered_and_found():
    assert [p.stem for p in report.find_notebooks()] == list(NOTEBOOK_NAMES)


@pytest.mark.parametrize("name", NOTEBOOK_NAMES)
def test_notebook_contract(name):
    """Kernel python3, first code cell tagged parameters (literals only), markdown above each code cell."""
    nb = nbformat.read(report.NOTEBOOKS / f"{name}.ipynb", as_version=4)
    assert nb.metadata.kernelspec.name == "python3"
    code = [i for i, c in enumerate(nb.cells) if c.cell_type == "code"]
    assert "parameters" in nb.cells[code[0]].metadata.get("tags", [])
    for statement in ast.parse(nb.cells[code[0]].source).body:
        assert isinstance(statement, ast.Assign), ast.dump(statement)
        ast.literal_eval(statement.value)
    assert all(nb.cells[i - 1].cell_type == "markdown" for i in code)
    assert "papermill" not in nb.metadata


# --------------------------------------------------------------------------- the two runs


@pytest.mark.parametrize("run", ["default", "other"])
def test_every_notebook_runs_and_renders(runs, run):
    folder, results = runs[run]
    assert [r.name for r in results] == list(NOTEBOOK_NAMES)
    assert all(r.ok for r in results), [(r.name, r.failing_cell, r.error) for r in results if not r.ok]
    index = (folder / "index.html").read_text(encoding="utf-8")
    for result in results:
        assert f'href="{result.name}.html"' in index
        assert result.thumbnail and result.thumbnail.startswith(b"\x89PNG")
    assert index.count("data:image/png;base64,") == len(results)


def test_mass_unit_changes_tables_and_axis_labels(runs):
    name = "01-compare-fentanyl-seizures"
    assert "amount (kg)" in page(runs, "default", name) and "amount (lb)" not in page(runs, "default", name)
    assert "amount (lb)" in page(runs, "other", name) and "amount (kg)" not in page(runs, "other", name)
    assert "kg" in chart_labels(runs, "default", name)[0]["xlabel"]
    assert "lb" in chart_labels(runs, "other", name)[0]["xlabel"]


def test_currency_changes_tables_and_axis_labels(runs):
    name = "02-track-funding-commitments"
    assert "amount (CAD)" in page(runs, "default", name)
    assert "amount (USD)" in page(runs, "other", name)
    assert "CAD" in chart_labels(runs, "default", name)[0]["ylabel"]
    assert "USD" in chart_labels(runs, "other", name)[0]["ylabel"]
    assert "0.5 USD per CAD (2024-06-01)" in page(runs, "other", name)
    assert "(2024-06-01)" not in page(runs, "default", name)


def test_code_is_hidden_unless_asked(runs):
    executed = runs["default"][0] / "executed" / "00-explore-the-corpus.ipynb"
    assert "report_tables" not in page(runs, "default", "00-explore-the-corpus")
    nb = nbformat.read(executed, as_version=4)
    assert "report_tables" in report.render_html(nb, with_code=True)


def test_article_text_is_escaped_in_pages(runs):
    html = page(runs, "default", "00-explore-the-corpus")
    assert "&lt;script&gt;document.title" in html
    assert '<script>document.title="pwned"' not in html
    assert "<img src=x" not in html and '<img src="x"' not in html
    assert 'class="borderdata-table tex2jax_ignore mathjax_ignore"' in html


# --------------------------------------------------------------------------- a failing notebook


def test_failing_notebook_is_named_and_others_still_render(tables, tmp_path, capsys):
    folder = tmp_path / "notebooks"
    folder.mkdir()
    good = report.NOTEBOOKS / "03-count-enforcement-assets.ipynb"
    (folder / good.name).write_bytes(good.read_bytes())
    bad = new_notebook(
        metadata={
            "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
            "language_info": {"name": "python"},
        }
    )
    params = new_code_cell('tables_dir = "data/processed"')
    params.metadata["tags"] = ["parameters"]
    bad.cells = [
        new_markdown_cell("# Fail on purpose\n\nA notebook whose second code cell raises."),
        params,
        new_markdown_cell("Raise an error."),
        new_code_cell('raise ValueError("boom on purpose")'),
    ]
    nbformat.write(bad, folder / "05-fail-on-purpose.ipynb")
    out = previous_report(tmp_path / "reports")
    args = argparse.Namespace(
        notebooks=folder, out=out, parameter=[["tables_dir", str(tables)]], with_code=False, baseline=False
    )
    assert report.main(args) == 1
    err = capsys.readouterr().err
    assert "05-fail-on-purpose: FAILED in cell 4: ValueError: boom on purpose" in err
    assert "03-count-enforcement-assets: ok" in err
    assert (out / "index.html").read_text(encoding="utf-8") == PREVIOUS  # the good report stays
    failed = report.failed_folder(out)
    assert (failed / "03-count-enforcement-assets.html").is_file()
    index = (failed / "index.html").read_text(encoding="utf-8")
    assert "Failed in cell 4: ValueError: boom on purpose" in index
    assert "&lt;span" not in index and "<span style" not in index  # the summary is plain text


def _notebook(*sources: str) -> nbformat.NotebookNode:
    nb = new_notebook(
        metadata={
            "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
            "language_info": {"name": "python"},
        }
    )
    nb.cells = [new_markdown_cell("# A page")]
    for source in sources:
        nb.cells += [new_markdown_cell("A step."), new_code_cell(source)]
    return nb


def test_notebooks_sharing_a_worker_kernel_start_from_an_empty_namespace(tables, tmp_path):
    """One worker runs both notebooks in its one kernel (same process id), yet the second sees no
    variable of the first, exports into its own folder, and numbers its cells from 1."""
    folder = tmp_path / "notebooks"
    folder.mkdir()
    report_lines = "import os\nprint(os.getpid(), os.environ.get('BORDERDATA_EXPORT_DIR', ''))"
    nbformat.write(_notebook("leaked = 'from the first page'", report_lines), folder / "10-first.ipynb")
    nbformat.write(_notebook("print('leaked' in dir())", report_lines), folder / "11-second.ipynb")
    out = tmp_path / "reports"
    results = report.build_report(report.find_notebooks(folder), out, {}, tables_dir=tables, jobs=1)
    assert all(r.ok for r in results), [r.error for r in results]

    def outputs(name: str) -> list[str]:
        nb = nbformat.read(out / "executed" / f"{name}.ipynb", as_version=4)
        code = [c for c in nb.cells if c.cell_type == "code"]
        assert [c.execution_count for c in code] == list(range(1, len(code) + 1))
        assert all(report.SETUP_TAG not in c.metadata.get("tags", []) for c in nb.cells)
        assert nb.metadata.papermill.input_path == str(folder / f"{name}.ipynb")
        return ["".join(o.get("text", "")) for c in code for o in c.outputs]

    first, second = outputs("10-first"), outputs("11-second")
    assert second[0].strip() == "False"
    (pid_1, export_1), (pid_2, export_2) = first[-1].split(), second[-1].split()
    assert pid_1 == pid_2  # the kernel was reused
    assert Path(export_1).name == "10-first_files" and Path(export_2).name == "11-second_files"


def test_strip_volatile_removes_run_metadata():
    nb = new_notebook(metadata={"papermill": {"start_time": "now"}})
    nb.cells = [new_code_cell("1")]
    nb.cells[0].metadata.update({"papermill": {"duration": 1}, "execution": {"iopub.status.busy": "now"}})
    clean = report.strip_volatile(nb)
    assert "papermill" not in clean.metadata and clean.cells[0].metadata == {}
    assert clean.metadata.kernelspec.name == "python3"


# --------------------------------------------------------------------------- parameters checked first

PREVIOUS = "<html>the previous good report</html>"


def previous_report(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "index.html").write_text(PREVIOUS, encoding="utf-8")
    (folder / report.REPORT_MARKER).write_text("", encoding="utf-8")
    return folder


@pytest.mark.parametrize(
    ("pairs", "fragment"),
    [
        ([["mass_units", "lb"]], "unknown parameter 'mass_units'; the parameters are: "),
        ([["mass_unit", "stone"]], "mass_unit='stone' is not allowed: one of kg, lb, g, t"),
        ([["usd_per_cad", "0.5"]], "needs usd_per_cad_date"),
    ],
)
def test_bad_parameters_stop_before_any_notebook_and_keep_the_report(tmp_path, capsys, pairs, fragment):
    out = previous_report(tmp_path / "reports")
    args = argparse.Namespace(notebooks=None, out=out, parameter=pairs, with_code=False, baseline=False)
    started = time.perf_counter()
    assert report.main(args) == 2
    assert time.perf_counter() - started < 5  # nothing was executed
    err = capsys.readouterr().err
    assert fragment in err and "[1/" not in err
    assert (out / "index.html").read_text(encoding="utf-8") == PREVIOUS
    assert sorted(p.name for p in out.iterdir()) == sorted(["index.html", report.REPORT_MARKER])


def test_a_folder_borderdata_did_not_write_is_never_replaced(tmp_path, capsys):
    out = tmp_path / "notes"
    out.mkdir()
    (out / "notes.txt").write_text("mine", encoding="utf-8")
    args = argparse.Namespace(notebooks=None, out=out, parameter=[], with_code=False, baseline=False)
    assert report.main(args) == 2
    assert "refusing to replace it" in capsys.readouterr().err
    assert (out / "notes.txt").read_text(encoding="utf-8") == "mine"


# --------------------------------------------------------------------------- what a reader sees


@pytest.mark.parametrize("name", NOTEBOOK_NAMES[:4])
def test_notes_for_notebook_users_are_left_out_of_pages(runs, name):
    nb = nbformat.read(report.NOTEBOOKS / f"{name}.ipynb", as_version=4)
    hidden = [c for c in nb.cells if report.NOTEBOOK_ONLY_TAG in c.metadata.get("tags", [])]
    assert hidden, "the parameters and loading cells are tagged"
    html = page(runs, "default", name)
    for cell in hidden:
        if cell.cell_type == "markdown":
            assert cell.source[:40] not in html
    assert "For notebook users" not in html
    assert "For notebook users" in report.render_html(nb, with_code=True)


@pytest.mark.parametrize("name", NOTEBOOK_NAMES[:4])
def test_every_page_has_a_sources_section_with_links(runs, name):
    html = page(runs, "default", name)
    assert '<h2 id="sources">Sources</h2>' in html
    assert "Gazette" in html
    if name != "02-track-funding-commitments":
        assert 'href="https://www.gazette.example/seizures"' in html


def test_index_lists_every_source_and_plain_summaries(runs):
    index = (runs["default"][0] / "index.html").read_text(encoding="utf-8")
    assert '<h2 id="sources">Sources</h2>' in index
    assert 'href="https://news.example.org/money?a=1&amp;b=2"' in index
    assert "news.example.org" in index
    assert "`" not in index.split("<ul")[1].split("</ul>")[0]


@pytest.mark.parametrize(
    ("name", "chart"),
    [
        ("00-explore-the-corpus", "facts-per-article"),
        ("01-compare-fentanyl-seizures", "seizures-by-border"),
        ("01-compare-fentanyl-seizures", "seizures-by-period"),
        ("02-track-funding-commitments", "funding-over-time"),
        ("03-count-enforcement-assets", "assets-by-type"),
        ("04-check-claims-across-outlets", "claims-by-status"),
        ("05-fact-check-an-article", "verdicts"),
    ],
)
def test_every_chart_is_exported_beside_its_page(runs, name, chart):
    folder = runs["default"][0]
    files = report.export_folder(folder, name)
    for kind in ("png", "svg", "csv"):
        assert (files / f"{chart}.{kind}").is_file(), f"{chart}.{kind}"
        assert f'href="{files.name}/{chart}.{kind}"' in page(runs, "default", name)
    assert (files / f"{chart}.svg").read_bytes().startswith(b"<?xml")


def test_exported_csv_holds_the_numbers_of_the_chart(runs, tables):
    from borderdata import views
    from borderdata.tables import read_table

    exported = read_table(
        report.export_folder(runs["other"][0], "01-compare-fentanyl-seizures") / "seizures-by-border.csv"
    )
    facts = views.report_tables(str(tables))["facts"]
    expected = views.mass_seizures(facts, "lb")
    assert exported["amount (lb)"].astype(float).tolist() == pytest.approx(expected["amount (lb)"].tolist())
    assert exported["period"].tolist() == expected["period"].tolist()


# --------------------------------------------------------------------------- processes die with the command

SLOW_NOTEBOOK = """
import time
time.sleep(60)
"""


def descendants(pid: int) -> set[int]:
    """Every process below ``pid`` (read from /proc)."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    found, todo = set(), [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.add(child)
            todo.append(child)
    return found


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="parent-death signal is Linux's")
def test_kill_9_of_the_report_leaves_no_worker_behind(tables, tmp_path):
    folder = tmp_path / "notebooks"
    folder.mkdir()
    for n in (1, 2):
        nb = new_notebook(
            metadata={"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}}
        )
        params = new_code_cell('tables_dir = ""')
        params.metadata["tags"] = ["parameters"]
        nb.cells = [
            new_markdown_cell("# Sleep"),
            params,
            new_markdown_cell("Wait."),
            new_code_cell(SLOW_NOTEBOOK),
        ]
        nbformat.write(nb, folder / f"0{n}-sleep.ipynb")
    out = tmp_path / "reports"
    code = (
        "import argparse, sys; from borderdata import report; "
        f"sys.exit(report.main(argparse.Namespace(notebooks={str(folder)!r}, out={str(out)!r}, "
        f"parameter=[['tables_dir', {str(tables)!r}]], with_code=False, baseline=False)))"
    )
    proc = subprocess.Popen([sys.executable, "-c", code], stderr=subprocess.DEVNULL)
    try:
        deadline = time.time() + 60
        while time.time() < deadline and len(descendants(proc.pid)) < 4:  # two workers and their kernels
            time.sleep(0.5)
        below = descendants(proc.pid)
        assert len(below) >= 2, "the workers did not start"
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
    deadline = time.time() + 20
    while time.time() < deadline and any(alive(p) for p in below):
        time.sleep(0.5)
    assert not [p for p in below if alive(p)], "processes outlived the report"
    assert not out.exists()  # nothing half-built was swapped in


# --------------------------------------------------------------------------- the data step's problems


def test_the_data_step_problems_and_status_are_surfaced(monkeypatch, capsys):
    import pandas as pd

    from borderdata import pipeline
    from borderdata.corpus import Problem

    bad = Problem(Path("data/raw/broken.txt"), "not UTF-8 and not cp1252")
    result = pipeline.DataResult(documents=pd.DataFrame(), facts=pd.DataFrame(), problems=[bad])
    monkeypatch.setattr(pipeline, "tables_are_stale", lambda *a, **k: True)
    monkeypatch.setattr(pipeline, "run_data", lambda *a, **k: result)
    assert report.ensure_tables(pipeline.PROCESSED) == 1
    err = capsys.readouterr().err
    assert "error: data/raw/broken.txt: not UTF-8 and not cp1252" in err
    assert "the data step reported 1 problem(s)" in err


def test_a_locked_data_step_is_one_line_and_exit_2(monkeypatch, tmp_path, capsys):
    from borderdata import pipeline

    def locked(*args, **kwargs):
        raise pipeline.LockedError("another `borderdata data` run holds the lock (pid 1)")

    monkeypatch.setattr(pipeline, "tables_are_stale", lambda *a, **k: True)
    monkeypatch.setattr(pipeline, "run_data", locked)
    args = argparse.Namespace(
        notebooks=None, out=tmp_path / "r", parameter=[], with_code=False, baseline=False
    )
    assert report.main(args) == 2
    err = capsys.readouterr().err
    assert "error: the data step stopped: another `borderdata data` run holds the lock" in err
    assert "Traceback" not in err


def test_a_page_without_its_own_sources_gets_the_corpus_sources(tables):
    page = "<html><body><main><p>a notebook by someone else</p></main></body></html>"
    added = report.with_sources(page, tables)
    assert '<h2 id="sources">Sources</h2>' in added and added.index("Sources") < added.index("</main>")
    assert 'href="https://www.gazette.example/seizures"' in added
    assert report.with_sources(added, tables) == added  # a page that has them keeps its own


# --------------------------------------------------------------------------- the user's articles and docs/

SEED_TABLES_SCRIPT = """
import sys
from pathlib import Path
from borderdata import report
from borderdata.pipeline import PROCESSED
seeds = report.build_seed_tables(Path(sys.argv[1]))
print(report.is_seed_corpus(PROCESSED), report.is_seed_corpus(seeds))
"""


def test_an_article_in_data_raw_never_reaches_the_tables_of_nbval_and_docs(tmp_path):
    """A fresh project with the seeds and one article of the user's in ``data/raw``: the data step takes
    the article and prints no warning; the tables nbval and ``make docs`` run on hold the seeds alone,
    and only those count as the seed corpus (``make report`` leaves docs/ alone on the user's)."""
    project = tmp_path / "project"
    shutil.copytree(report.SEEDS, project / "seeds")
    (project / "data" / "raw").mkdir(parents=True)
    (project / "data" / "raw" / "mine.txt").write_text(
        "Officers seized 12 kilograms of fentanyl at the northern border.\n", encoding="utf-8"
    )
    env = {
        **os.environ,
        "BORDERDATA_PROJECT": str(project),
        "PYTHONPATH": str(Path(report.__file__).parents[1]),
    }
    env.pop("BORDERDATA_TABLES", None)
    data = subprocess.run(
        [sys.executable, "-m", "borderdata.cli", "data"], cwd=project, env=env, capture_output=True, text=True
    )
    assert data.returncode == 0, data.stderr
    assert "warn" not in data.stderr.lower(), data.stderr
    documents = (project / "data" / "processed" / "documents.csv").read_text(encoding="utf-8")
    assert "mine.txt" in documents
    done = subprocess.run(
        [sys.executable, "-c", SEED_TABLES_SCRIPT, str(tmp_path / "seed-tables")],
        cwd=project, env=env, capture_output=True, text=True,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["False", "True"]
    assert "mine.txt" not in (tmp_path / "seed-tables" / "documents.csv").read_text(encoding="utf-8")


def test_page_screenshots_are_whole_pages_at_1280_px(tmp_path):
    """``make docs`` screenshots: 1280 px wide, as tall as the page (not a fixed window), few colours."""
    if report.shutil.which("chromium") is None and report.shutil.which("chromium-browser") is None:
        pytest.skip("chromium not installed (make browser installs it)")
    from PIL import Image

    page = tmp_path / "long.html"
    page.write_text(
        '<!DOCTYPE html><html><body style="margin:0"><div style="height:3000px;background:#1f5f8b"></div>'
        "<p>the end</p></body></html>",
        encoding="utf-8",
    )
    result = report.NotebookResult("long", page, None, "Long", "", None, 0.0)
    [shot] = report.screenshot_pages([result], tmp_path / "shots")
    image = Image.open(shot)
    assert image.width == 1280
    assert 3000 < image.height < 3000 + 200  # the whole page and its last line, no empty window below
    assert image.mode == "P" and len(image.getcolors(maxcolors=256) or []) <= report.PAGE_COLOURS
