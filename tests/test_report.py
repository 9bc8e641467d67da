"""report.py: every notebook executed headless twice (default and other parameters), pages, index, failures.

The notebooks run on a small hand-made corpus of tables (``tests/test_charts.py``'s
sample, with hostile text in titles and sentences) written to a temporary folder
and passed as ``tables_dir``, so these tests do not depend on the seeds or on the
tables in ``data/processed``. The nbval run (``make test-notebooks``) covers the
defaults on the real tables.
"""

from __future__ import annotations

import argparse
import ast
import json
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
OTHER_PARAMETERS = {"mass_unit": "lb", "currency": "USD", "usd_per_cad": 0.5}


def write_sample_tables(folder: Path) -> Path:
    """documents.csv and facts.csv of the hand-made sample (claims are built from the facts)."""
    write_table(sample_documents(), folder / "documents.csv")
    write_table(sample_facts(), folder / "facts.csv")
    return folder


@pytest.fixture(scope="module")
def tables(tmp_path_factory) -> Path:
    return write_sample_tables(tmp_path_factory.mktemp("tables"))


@pytest.fixture(scope="module")
def runs(tables, tmp_path_factory) -> dict[str, tuple[Path, list[report.NotebookResult]]]:
    """The whole report twice: default parameters, then lb / USD."""
    out = {}
    for name, extra in (("default", {}), ("other", OTHER_PARAMETERS)):
        folder = tmp_path_factory.mktemp(f"report-{name}")
        results = report.build_report(report.find_notebooks(), folder, {"tables_dir": str(tables), **extra})
        out[name] = (folder, results)
    return out


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
    assert "0.5 USD per CAD" in page(runs, "other", name)


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
    out = tmp_path / "reports"
    args = argparse.Namespace(
        notebooks=folder, out=out, parameter=[["tables_dir", str(tables)]], with_code=False, baseline=False
    )
    assert report.main(args) == 1
    err = capsys.readouterr().err
    assert "05-fail-on-purpose: FAILED in cell 4: ValueError: boom on purpose" in err
    assert "03-count-enforcement-assets: ok" in err
    assert (out / "03-count-enforcement-assets.html").is_file()
    index = (out / "index.html").read_text(encoding="utf-8")
    assert "Failed in cell 4: ValueError: boom on purpose" in index


def test_strip_volatile_removes_run_metadata():
    nb = new_notebook(metadata={"papermill": {"start_time": "now"}})
    nb.cells = [new_code_cell("1")]
    nb.cells[0].metadata.update({"papermill": {"duration": 1}, "execution": {"iopub.status.busy": "now"}})
    clean = report.strip_volatile(nb)
    assert "papermill" not in clean.metadata and clean.cells[0].metadata == {}
    assert clean.metadata.kernelspec.name == "python3"
