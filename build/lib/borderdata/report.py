"""Execute the notebooks headless (papermill, in parallel), render them to HTML and write the index.

``borderdata report`` (``make report``) runs the data step when the tables are
stale, executes every ``notebooks/[0-9]*.ipynb`` in its own process with the
``python3`` kernel, renders each with nbconvert (code hidden unless
``--with-code``), and writes ``reports/index.html``: title, date of the run, the
corpus in one line, and per notebook its title, summary and first chart. A
failing notebook is named with its cell and error; the others still render and
the command exits 1. ``--baseline`` re-executes the notebooks in place with
nbclient (no timestamps) to refresh the nbval baseline.

>>> parse_value("2.5"), parse_value("lb"), parse_value("3")
(2.5, 'lb', 3)
"""

from __future__ import annotations

import argparse
import base64
import datetime as dt
import html
import multiprocessing
import os
import re
import sys
import time
from collections.abc import Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import nbformat

from borderdata.corpus import PROJECT_ROOT
from borderdata.tables import write_bytes_atomic

NOTEBOOKS = PROJECT_ROOT / "notebooks"
REPORTS = PROJECT_ROOT / "reports"
DOCS = PROJECT_ROOT / "docs"
KERNEL = "python3"
CELL_TIMEOUT = 600
REPORT_TITLE = "borderdata: numbers in Canada–U.S. border-security news"
PAPERMILL_KEYS = ("papermill",)
PAPERMILL_TAGS = {"injected-parameters", "papermill-error-cell-tag"}  # cells papermill adds
CELL_VOLATILE_KEYS = ("papermill", "execution")

MSG_FAILED = "{name}: FAILED in cell {cell}: {error}"
MSG_NO_NOTEBOOKS = "no notebooks matching [0-9]*.ipynb in {folder}"


@dataclass
class NotebookResult:
    """What happened to one notebook: where its page is, its title, summary, first chart or error."""

    name: str
    html_path: Path | None
    executed_path: Path | None
    title: str
    summary: str
    thumbnail: bytes | None
    seconds: float
    error: str = ""
    failing_cell: int | None = None

    @property
    def ok(self) -> bool:
        return not self.error


# --------------------------------------------------------------------------- parameters


def write_public(path: Path, data: str | bytes) -> Path:
    """Write ``data`` to ``path`` atomically, readable by everyone (pages and images are shared)."""
    payload = data.encode("utf-8") if isinstance(data, str) else data
    write_bytes_atomic(path, lambda tmp: tmp.write_bytes(payload))
    path.chmod(0o644)
    return path


def parse_value(text: str) -> Any:
    """A command-line parameter value: integers and decimals as numbers, the rest as text."""
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            continue
    return {"true": True, "false": False}.get(text.lower(), text)


def parse_parameters(pairs: Iterable[Sequence[str]]) -> dict[str, Any]:
    """``[("mass_unit", "lb"), ("usd_per_cad", "0.7")]`` -> ``{"mass_unit": "lb", "usd_per_cad": 0.7}``."""
    return {name: parse_value(value) for name, value in pairs}


def find_notebooks(folder: Path = NOTEBOOKS) -> list[Path]:
    """The numbered notebooks of ``folder`` in reading order."""
    return sorted(folder.glob("[0-9]*.ipynb"))


# --------------------------------------------------------------------------- reading a notebook


def notebook_title(nb: nbformat.NotebookNode, fallback: str) -> str:
    """The first ``# heading`` of the notebook's markdown, else ``fallback``."""
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            match = re.search(r"^#\s+(.+)$", cell.source, flags=re.MULTILINE)
            if match:
                return match.group(1).strip()
    return fallback


def notebook_summary(nb: nbformat.NotebookNode) -> str:
    """The first sentence after the title in the first markdown cell."""
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            text = " ".join(line for line in cell.source.splitlines() if not line.startswith("#")).strip()
            match = re.match(r"(.+?[.!?])(\s|$)", text)
            return (match.group(1) if match else text).replace("`", "").replace("*", "")
    return ""


def first_chart(nb: nbformat.NotebookNode) -> bytes | None:
    """The PNG bytes of the first image output, the index thumbnail."""
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            if "image/png" in data:
                return base64.b64decode(data["image/png"])
    return None


def failing_cell(nb: nbformat.NotebookNode) -> tuple[int | None, str]:
    """Position (1-based, as in the source notebook) and ``ename: evalue`` of the first failing cell."""
    position = 0
    for cell in nb.cells:
        if PAPERMILL_TAGS & set(cell.get("metadata", {}).get("tags", [])):
            continue
        position += 1
        for output in cell.get("outputs", []):
            if output.get("output_type") == "error":
                return position, f"{output.get('ename', 'Error')}: {output.get('evalue', '')}"
    return None, ""


# --------------------------------------------------------------------------- executing and rendering


OFFLINE_TEMPLATE = Path(__file__).with_name("offline.html.j2")


def render_html(nb: nbformat.NotebookNode, with_code: bool = False) -> str:
    """The notebook as a standalone HTML page (nbconvert lab template), code hidden by default."""
    from nbconvert import HTMLExporter

    exporter = HTMLExporter(
        template_name="lab",
        template_file=str(OFFLINE_TEMPLATE),
        exclude_input=not with_code,
        exclude_input_prompt=not with_code,
        exclude_output_prompt=True,
    )
    body, _ = exporter.from_notebook_node(nb)
    return body


# The kernel's own log (a TCP-transport warning at start, KeyboardInterrupt at shutdown) is noise
# on the report's console; cell errors still reach the notebook and the progress lines.
QUIET_KERNEL = ["--IPKernelApp.log_level=CRITICAL"]


def execute_with_papermill(path: Path, out_path: Path, parameters: dict[str, Any]) -> nbformat.NotebookNode:
    """Run ``path`` with papermill into ``out_path``; raises on a failing cell (output still written)."""
    import papermill as pm

    return pm.execute_notebook(
        str(path),
        str(out_path),
        parameters=parameters,
        kernel_name=KERNEL,
        cwd=str(path.parent),
        progress_bar=False,
        log_output=False,
        execution_timeout=CELL_TIMEOUT,
        extra_arguments=QUIET_KERNEL,
    )


def run_notebook(path: Path, out_dir: Path, parameters: dict[str, Any], with_code: bool) -> NotebookResult:
    """Execute one notebook and render its page (runs in a worker process)."""
    from borderdata.charts import NO_REFRESH_ENV

    os.environ[NO_REFRESH_ENV] = "1"  # the data step ran once before the notebooks; none re-runs it
    started = time.perf_counter()
    executed_dir = out_dir / "executed"
    executed_dir.mkdir(parents=True, exist_ok=True)
    executed = executed_dir / path.name
    error = ""
    try:
        execute_with_papermill(path, executed, parameters)
    except Exception as exc:  # a failing cell, a missing kernel, a bad notebook: reported, not raised
        error = f"{type(exc).__name__}: {exc}".strip()
    nb = nbformat.read(executed, as_version=4) if executed.is_file() else nbformat.read(path, as_version=4)
    cell, cell_error = failing_cell(nb)
    if cell_error:
        error = cell_error
    page = out_dir / f"{path.stem}.html"
    write_public(page, render_html(nb, with_code))
    return NotebookResult(
        name=path.stem,
        html_path=page,
        executed_path=executed if executed.is_file() else None,
        title=notebook_title(nb, path.stem),
        summary=notebook_summary(nb),
        thumbnail=first_chart(nb),
        seconds=time.perf_counter() - started,
        error=_one_line(error),
        failing_cell=cell,
    )


def _one_line(text: str, limit: int = 300) -> str:
    lines = [line for line in re.sub(r"\x1b\[[0-9;]*m", "", text).splitlines() if line.strip()]
    line = " ".join(lines[-1:] if len(lines) > 3 else lines)
    return line if len(line) <= limit else line[: limit - 1] + "…"


def strip_volatile(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Remove papermill's and nbclient's timestamps and run metadata (deterministic baselines)."""
    for key in PAPERMILL_KEYS:
        nb.metadata.pop(key, None)
    for cell in nb.cells:
        for key in CELL_VOLATILE_KEYS:
            cell.metadata.pop(key, None)
    spec = {
        **nb.metadata.get("kernelspec", {}),
        "name": KERNEL,
        "display_name": "Python 3",
        "language": "python",
    }
    nb.metadata["kernelspec"] = nbformat.from_dict(spec)
    return nb


def execute_baseline(path: Path) -> NotebookResult:
    """Re-execute ``path`` in place with nbclient from its own folder (as nbval does), outputs kept."""
    from nbclient import NotebookClient

    from borderdata.charts import NO_REFRESH_ENV

    os.environ[NO_REFRESH_ENV] = "1"
    started = time.perf_counter()
    nb = nbformat.read(path, as_version=4)
    error = ""
    try:
        NotebookClient(
            nb,
            kernel_name=KERNEL,
            timeout=CELL_TIMEOUT,
            record_timing=False,
            extra_arguments=QUIET_KERNEL,
            resources={"metadata": {"path": str(path.parent)}},
        ).execute()
    except Exception as exc:
        error = f"{type(exc).__name__}: {exc}"
    cell, cell_error = failing_cell(nb)
    if not error:
        write_public(path, nbformat.writes(strip_volatile(nb)) + "\n")
    return NotebookResult(
        name=path.stem,
        html_path=None,
        executed_path=path,
        title=notebook_title(nb, path.stem),
        summary=notebook_summary(nb),
        thumbnail=first_chart(nb),
        seconds=time.perf_counter() - started,
        error=_one_line(cell_error or error),
        failing_cell=cell,
    )


def _pool(n_jobs: int) -> ProcessPoolExecutor:
    context = multiprocessing.get_context("forkserver" if sys.platform != "win32" else "spawn")
    return ProcessPoolExecutor(max_workers=n_jobs, mp_context=context)


def run_all(
    notebooks: Sequence[Path],
    out_dir: Path = REPORTS,
    parameters: dict[str, Any] | None = None,
    *,
    with_code: bool = False,
    baseline: bool = False,
    jobs: int | None = None,
    progress: bool = True,
) -> list[NotebookResult]:
    """Execute (and render) ``notebooks`` in parallel worker processes, in reading order."""
    jobs = max(1, min(len(notebooks), jobs or os.cpu_count() or 1))
    results: dict[str, NotebookResult] = {}
    with _pool(jobs) as pool:
        futures = {
            (
                pool.submit(execute_baseline, nb)
                if baseline
                else pool.submit(run_notebook, nb, out_dir, parameters or {}, with_code)
            ): nb
            for nb in notebooks
        }
        for done, future in enumerate(as_completed(futures), start=1):
            result = future.result()
            results[result.name] = result
            if progress:
                print(_progress_line(result, done, len(notebooks)), file=sys.stderr, flush=True)
    return [results[nb.stem] for nb in notebooks]


def _progress_line(result: NotebookResult, done: int, total: int) -> str:
    status = "ok" if result.ok else f"FAILED in cell {result.failing_cell or '?'}: {result.error}"
    return f"[{done}/{total}] {result.name}: {status} ({result.seconds:.1f} s)"


# --------------------------------------------------------------------------- the index page


def corpus_line(tables_dir: Path) -> str:
    """The corpus in one line: documents, outlets, date span, facts and claims."""
    from borderdata.tables import read_table

    def rows(name: str) -> Any:
        path = tables_dir / f"{name}.csv"
        return read_table(path) if path.is_file() else None

    documents, facts, claims = rows("documents"), rows("facts"), rows("claims")
    if documents is None:
        return "No tables yet: run `make data`."
    dates = sorted(d for d in documents["published"] if d)
    outlets = sorted({o for o in documents["outlet"] if o})
    span = f", published {dates[0]} to {dates[-1]}" if dates else ""
    parts = [f"{len(documents):,} articles from {len(outlets):,} named outlets{span}"]
    if facts is not None:
        parts.append(f"{len(facts):,} numeric facts")
    if claims is not None:
        parts.append(f"{len(claims):,} claims")
    return "; ".join(parts) + "."


def _card(result: NotebookResult, out_dir: Path) -> str:
    href = html.escape(result.html_path.relative_to(out_dir).as_posix()) if result.html_path else "#"
    thumb = (
        f'<img src="data:image/png;base64,{base64.b64encode(result.thumbnail).decode()}" '
        f'alt="first chart of {html.escape(result.title)}">'
        if result.thumbnail
        else '<div class="nochart">no chart</div>'
    )
    failed = (
        f'<p class="failed">Failed in cell {result.failing_cell or "?"}: {html.escape(result.error)}</p>'
        if not result.ok
        else ""
    )
    return (
        f'<li class="card"><a href="{href}">{thumb}</a><div><h2><a href="{href}">'
        f"{html.escape(result.title)}</a></h2><p>{html.escape(result.summary)}</p>{failed}</div></li>"
    )


INDEX_CSS = """
body { font-family: "DejaVu Sans", Helvetica, Arial, sans-serif; max-width: 980px; margin: 2em auto;
       color: #222; line-height: 1.45; padding: 0 1em; }
h1 { margin-bottom: 0.2em; } .meta { color: #555; margin-top: 0; }
ul.cards { list-style: none; padding: 0; }
li.card { display: flex; gap: 1.2em; align-items: flex-start; border-top: 1px solid #ddd; padding: 1em 0; }
li.card img { width: 320px; border: 1px solid #ddd; } .nochart { width: 320px; color: #999; }
li.card h2 { font-size: 1.15em; margin: 0 0 0.3em; } .failed { color: #b00020; font-weight: bold; }
"""


def write_index(
    results: Sequence[NotebookResult], out_dir: Path, tables_dir: Path, parameters: dict[str, Any]
) -> Path:
    """Write ``out_dir/index.html`` listing every notebook page; every text escaped."""
    run_at = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    params = ", ".join(f"{k} = {v!r}" for k, v in sorted(parameters.items())) or "defaults"
    cards = "\n".join(_card(r, out_dir) for r in results)
    page = f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{html.escape(REPORT_TITLE)}</title><style>{INDEX_CSS}</style></head>
<body class="tex2jax_ignore mathjax_ignore">
<h1>{html.escape(REPORT_TITLE)}</h1>
<p class="meta">Run {html.escape(run_at)} · parameters: {html.escape(params)}</p>
<p class="corpus">{html.escape(corpus_line(tables_dir))}</p>
<ul class="cards">
{cards}
</ul>
</body></html>
"""
    index = out_dir / "index.html"
    write_public(index, page)
    return index


def refresh_docs(results: Sequence[NotebookResult], docs_dir: Path = DOCS) -> list[Path]:
    """Copy each notebook's first chart to ``docs/<notebook>.png`` (the README's images), if changed."""
    written = []
    for result in results:
        if not (result.ok and result.thumbnail):
            continue
        target = docs_dir / f"{result.name}.png"
        if target.is_file() and target.read_bytes() == result.thumbnail:
            continue
        write_public(target, result.thumbnail)
        written.append(target)
    return written


# --------------------------------------------------------------------------- entry points


def ensure_tables() -> None:
    """Run the data step first when a table is missing or older than its inputs."""
    from borderdata.pipeline import run_data, tables_are_stale

    if tables_are_stale():
        print("tables are stale: running the data step (borderdata data)", file=sys.stderr, flush=True)
        run_data()


def build_report(
    notebooks: Sequence[Path],
    out_dir: Path = REPORTS,
    parameters: dict[str, Any] | None = None,
    *,
    with_code: bool = False,
    tables_dir: Path | None = None,
    docs_dir: Path | None = None,
    jobs: int | None = None,
) -> list[NotebookResult]:
    """Execute and render ``notebooks`` into ``out_dir`` and write the index; returns the results."""
    from borderdata.charts import project_path

    parameters = parameters or {}
    out_dir.mkdir(parents=True, exist_ok=True)
    results = run_all(notebooks, out_dir, parameters, with_code=with_code, jobs=jobs)
    tables = tables_dir or project_path(str(parameters.get("tables_dir", "data/processed")))
    write_index(results, out_dir, tables, parameters)
    if docs_dir is not None and not parameters:
        refresh_docs(results, docs_dir)
    return results


def main(args: argparse.Namespace) -> int:
    """``borderdata report``: 0 when every notebook ran, 1 when one failed, 2 when there is nothing to run."""
    notebooks = find_notebooks(Path(getattr(args, "notebooks", None) or NOTEBOOKS))
    if not notebooks:
        print(MSG_NO_NOTEBOOKS.format(folder=NOTEBOOKS), file=sys.stderr)
        return 2
    parameters = parse_parameters(getattr(args, "parameter", []) or [])
    started = time.perf_counter()
    if "tables_dir" not in parameters:
        ensure_tables()
    if getattr(args, "baseline", False):
        if parameters:
            print("--baseline ignores -p: baselines use the notebooks' defaults", file=sys.stderr)
        results = run_all(notebooks, baseline=True)
        print(f"baseline refreshed in place ({time.perf_counter() - started:.1f} s)", file=sys.stderr)
    else:
        out_dir = Path(getattr(args, "out", None) or REPORTS)
        results = build_report(
            notebooks, out_dir, parameters, with_code=bool(getattr(args, "with_code", False)), docs_dir=DOCS
        )
        print(f"{out_dir / 'index.html'} ({time.perf_counter() - started:.1f} s)", file=sys.stderr)
    failed = [r for r in results if not r.ok]
    for result in failed:
        print(
            MSG_FAILED.format(name=result.name, cell=result.failing_cell or "?", error=result.error),
            file=sys.stderr,
        )
    return 1 if failed else 0
