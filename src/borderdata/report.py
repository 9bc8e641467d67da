"""Execute the notebooks headless (papermill, in parallel), render them to HTML and write the index.

``borderdata report`` (``make report``) first checks the parameters against the
notebooks' ``parameters`` cells (a bad one is one error, exit 2, nothing run),
then runs the data step once when the tables are stale (its problems printed,
its exit status kept), executes every ``notebooks/[0-9]*.ipynb`` in a worker
process that dies with the command (each worker keeps one kernel and empties its
namespace before each notebook), renders each with nbconvert (code hidden
unless ``--with-code``; cells tagged ``notebook-only`` left out), each chart
exported beside its page, and writes ``index.html``: date of the run, the corpus
in one line, per notebook its title, summary and first chart, and the sources.
Everything is built in a temporary folder and swapped in whole when every
notebook ran; otherwise the previous report stays and the failed one is kept in
``reports.failed/``. ``--baseline`` re-executes the notebooks in place with nbclient
on the seeds' tables (never the user's) to refresh the nbval baseline; ``--docs``
refreshes ``docs/*.png`` from the seeds.

>>> parse_value("2.5"), parse_value("lb"), parse_value("3")
(2.5, 'lb', 3)
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import ctypes
import datetime as dt
import html
import io
import multiprocessing
import multiprocessing.util
import os
import re
import shutil
import signal
import sys
import tempfile
import threading
import time
from collections.abc import Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

# jsonschema (under nbformat) imports rfc3987_syntax when it is installed, only to check "iri" strings,
# which no notebook holds; it compiles a grammar at import (1.5 s in each of the report's processes).
sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[arg-type]  # None: "not importable"

import nbformat  # noqa: E402

from borderdata import parameters as params  # noqa: E402
from borderdata.config import PACKAGE_NAME  # noqa: E402
from borderdata.corpus import PROJECT_ROOT  # noqa: E402
from borderdata.parameters import EXPORT_ENV, TABLES_ENV, tables_folder  # noqa: E402

NOTEBOOKS = PROJECT_ROOT / "notebooks"
REPORTS = PROJECT_ROOT / "reports"
DOCS = PROJECT_ROOT / "docs"
SEEDS = PROJECT_ROOT / "seeds"
REPORT_MARKER = ".borderdata-report"
NOTEBOOK_ONLY_TAG = "notebook-only"  # cells for people running the notebook, left out of the pages
PR_SET_PDEATHSIG = 1
KERNEL = "python3"
CELL_TIMEOUT = 600
REPORT_TITLE = "borderdata: numbers in Canada–U.S. border-security news"
PAPERMILL_KEYS = ("papermill",)
PAPERMILL_TAGS = {"injected-parameters", "papermill-error-cell-tag"}  # cells papermill adds
CELL_VOLATILE_KEYS = ("papermill", "execution")

MSG_FAILED = "{name}: FAILED in cell {cell}: {error}"
MSG_NO_NOTEBOOKS = "no notebooks matching [0-9]*.ipynb in {folder}"
MSG_NOT_A_REPORT = (
    "{folder} exists and is not a report borderdata wrote (no {marker}): refusing to replace it; "
    "choose another folder or empty it"
)
MSG_KEPT = "a notebook failed: the previous report in {out} is kept; this run's pages are in {failed}"
MSG_DOCS_KEPT = (
    "docs/*.png left as they are: the corpus is not the seeds alone (or parameters were given); "
    "`make docs` refreshes them from the seeds"
)
MSG_DATA_FAILED = "the data step reported {n} problem(s) (above); the report shows what could be read"


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
    from borderdata.tables import write_bytes_atomic

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


def _reader_cells(nb: nbformat.NotebookNode) -> list[nbformat.NotebookNode]:
    """Cells a reader sees: none that papermill added, none tagged for notebook users only."""
    skip = PAPERMILL_TAGS | {NOTEBOOK_ONLY_TAG}
    return [c for c in nb.cells if not skip & set(c.get("metadata", {}).get("tags", []))]


def notebook_title(nb: nbformat.NotebookNode, fallback: str) -> str:
    """The first ``# heading`` of the notebook's markdown, else ``fallback``."""
    for cell in _reader_cells(nb):
        if cell.cell_type == "markdown":
            match = re.search(r"^#\s+(.+)$", cell.source, flags=re.MULTILINE)
            if match:
                return plain_text(match.group(1))
    return fallback


def plain_text(markdown: str) -> str:
    """Markdown or HTML reduced to plain text: tags, emphasis, code marks and link targets removed.

    >>> plain_text('<span style="color:red">Error</span> in **`cell`** [here](http://x)')
    'Error in cell here'
    """
    text = re.sub(r"<[^>]*>", "", markdown)
    text = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", text)
    text = re.sub(r"[`*_]{1,3}", "", text)
    return html.unescape(" ".join(text.split()))


def notebook_summary(nb: nbformat.NotebookNode) -> str:
    """The first sentence after the title in the first markdown cell a reader sees, as plain text."""
    for cell in _reader_cells(nb):
        if cell.cell_type == "markdown":
            text = " ".join(line for line in cell.source.splitlines() if not line.startswith("#"))
            text = plain_text(text)
            match = re.match(r"(.+?[.!?])(\s|$)", text)
            return match.group(1) if match else text
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


OFFLINE_TEMPLATE = "offline.html.j2"  # packaged beside this module, read with importlib.resources


def render_html(nb: nbformat.NotebookNode, with_code: bool = False) -> str:
    """The notebook as a standalone HTML page (nbconvert lab template), code hidden by default and
    cells tagged ``notebook-only`` (and papermill's own) left out unless the code is shown."""
    import jinja2
    from nbconvert import HTMLExporter
    from nbconvert.preprocessors import TagRemovePreprocessor

    template = resources.files(PACKAGE_NAME).joinpath(OFFLINE_TEMPLATE).read_text(encoding="utf-8")
    exporter = HTMLExporter(
        template_name="lab",
        template_file=OFFLINE_TEMPLATE,
        extra_loaders=[jinja2.DictLoader({OFFLINE_TEMPLATE: template})],
        exclude_input=not with_code,
        exclude_input_prompt=not with_code,
        exclude_output_prompt=True,
    )
    if not with_code:
        remove = TagRemovePreprocessor(remove_cell_tags={NOTEBOOK_ONLY_TAG, *PAPERMILL_TAGS}, enabled=True)
        exporter.register_preprocessor(remove, enabled=True)
    body, _ = exporter.from_notebook_node(nb)
    return body


# The kernel's own log (a TCP-transport warning at start, KeyboardInterrupt at shutdown) is noise
# on the report's console; cell errors still reach the notebook and the progress lines.
QUIET_KERNEL = ["--IPKernelApp.log_level=CRITICAL"]


def execute_with_papermill(
    path: Path, out_path: Path, parameters: dict[str, Any], export_dir: Path | None = None
) -> nbformat.NotebookNode:
    """Run ``path`` with papermill into ``out_path`` in this worker's kernel, after a setup cell that
    gives it a fresh namespace (:func:`setup_cell`); raises on a failing cell (output still written)."""
    import papermill as pm

    nb = nbformat.read(path, as_version=4)
    nb.cells.insert(0, setup_cell(export_dir, path.parent))
    return pm.execute_notebook(
        nb,
        str(out_path),
        parameters=parameters,
        kernel_name=KERNEL,
        cwd=str(path.parent),
        progress_bar=False,
        log_output=False,
        execution_timeout=CELL_TIMEOUT,
        extra_arguments=QUIET_KERNEL,
        km=worker_kernel(),
        request_save_on_cell_execute=False,  # written once at the end (or on the failing cell)
    )


# Each worker process keeps one kernel and runs every notebook it is given in it: starting a kernel
# and importing pandas, pint and matplotlib into it is most of a small notebook's time. Before each
# notebook a setup cell empties the namespace (``%reset -f``: no variable of the previous notebook
# survives), goes back to the notebook's folder, points the chart exports at this page's folder, makes
# library warnings show again and numbers the cells from 1, so a page is the same as from a kernel of
# its own. Modules stay imported (that is the point): a notebook that changes a library's state or the
# environment changes it for the notebooks after it in that worker.
SETUP_TAG = "borderdata-setup"
_WORKER_KERNEL: dict[str, Any] = {}


def setup_cell(export_dir: Path | None, cwd: Path) -> nbformat.NotebookNode:
    """The cell run before a notebook in a reused kernel (tagged, left out of pages and numbering)."""
    export = (
        f"_os.environ[{EXPORT_ENV!r}] = {str(export_dir)!r}"
        if export_dir
        else f"_os.environ.pop({EXPORT_ENV!r}, None)"
    )
    source = "\n".join(
        [
            'get_ipython().run_line_magic("reset", "-f")',
            "import os as _os, warnings as _warnings",
            f"_os.chdir({str(cwd)!r})",
            export,
            '_warnings.simplefilter("default", append=True)  # changes no filter; resets "shown once"',
            "get_ipython().execution_count = 1",
            "del _os, _warnings",
        ]
    )
    return nbformat.v4.new_code_cell(source, metadata={"tags": [SETUP_TAG]})


def worker_kernel() -> Any:
    """This worker's kernel manager (its kernel is started by the first notebook, and again if it died);
    the kernel is shut down when the worker exits."""
    from jupyter_client.manager import KernelManager

    km = _WORKER_KERNEL.get("km")
    if km is not None and km.has_kernel and km.is_alive():
        return km
    if km is None:
        multiprocessing.util.Finalize(None, _shutdown_worker_kernel, exitpriority=10)
    elif km.has_kernel:
        with contextlib.suppress(Exception):
            km.shutdown_kernel(now=True)
    km = KernelManager(kernel_name=KERNEL)
    _WORKER_KERNEL["km"] = km
    return km


def _shutdown_worker_kernel() -> None:
    km = _WORKER_KERNEL.pop("km", None)
    if km is not None and km.has_kernel:
        with contextlib.suppress(Exception):
            km.shutdown_kernel(now=True)


def export_folder(out_dir: Path, name: str) -> Path:
    """Where a page's charts are exported: ``<out>/<notebook>_files/``."""
    return out_dir / f"{name}_files"


def run_notebook(path: Path, out_dir: Path, parameters: dict[str, Any], with_code: bool) -> NotebookResult:
    """Execute one notebook and render its page (runs in a worker process)."""
    started = time.perf_counter()
    executed_dir = out_dir / "executed"
    executed_dir.mkdir(parents=True, exist_ok=True)
    executed = executed_dir / path.name
    error = ""
    try:
        execute_with_papermill(
            path, executed, params.for_notebook(parameters, path), export_folder(out_dir, path.stem)
        )
    except Exception as exc:  # a failing cell, a missing kernel, a bad notebook: reported, not raised
        error = f"{type(exc).__name__}: {exc}".strip()
    if executed.is_file():
        nb = without_setup(nbformat.read(executed, as_version=4))
        if "papermill" in nb.metadata:
            nb.metadata.papermill["input_path"] = str(path)  # papermill stored the notebook it was given
        write_public(executed, nbformat.writes(nb) + "\n")
    else:
        nb = nbformat.read(path, as_version=4)
    cell, cell_error = failing_cell(nb)
    if cell_error:
        error = cell_error
    page = out_dir / f"{path.stem}.html"
    tables = tables_folder(str(parameters.get("tables_dir", "")))
    write_public(page, with_sources(render_html(nb, with_code), tables))
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


def without_setup(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """``nb`` without the setup cell the report ran first (it is no part of the notebook)."""
    nb.cells = [c for c in nb.cells if SETUP_TAG not in c.get("metadata", {}).get("tags", [])]
    return nb


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


# ------------------------------------------------------------------ workers that die with the command


def die_with_parent(parent: int) -> None:
    """Ask Linux to kill this process when its parent dies (``prctl(PR_SET_PDEATHSIG)``); exit now if
    the parent is already gone. Elsewhere a no-op: the temporary build folder still keeps a killed
    run's pages out of the report."""
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:
        os._exit(1)


def _start_worker(parent: int, environment: dict[str, str]) -> None:
    die_with_parent(parent)
    os.environ.update(environment)


def _pool(n_jobs: int, environment: dict[str, str] | None = None) -> ProcessPoolExecutor:
    """Worker processes started by this process itself (``spawn``: no forkserver left behind), each
    killed by the kernel when this process dies, even by ``kill -9``; their kernels follow them
    (ipykernel exits when its parent process is gone)."""
    context = multiprocessing.get_context("spawn")
    return ProcessPoolExecutor(
        max_workers=n_jobs,
        mp_context=context,
        initializer=_start_worker,
        initargs=(os.getpid(), dict(environment or {})),
    )


def run_all(
    notebooks: Sequence[Path],
    out_dir: Path = REPORTS,
    parameters: dict[str, Any] | None = None,
    *,
    with_code: bool = False,
    baseline: bool = False,
    jobs: int | None = None,
    progress: bool = True,
    environment: dict[str, str] | None = None,
) -> list[NotebookResult]:
    """Execute (and render) ``notebooks`` in parallel worker processes, in reading order."""
    jobs = max(1, min(len(notebooks), jobs or os.cpu_count() or 1))
    results: dict[str, NotebookResult] = {}
    with _pool(jobs, environment) as pool:
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


def _tables(tables_dir: Path) -> dict[str, Any]:
    from borderdata.tables import read_table

    return {
        name: read_table(tables_dir / f"{name}.csv")
        for name in ("documents", "facts", "claims")
        if (tables_dir / f"{name}.csv").is_file()
    }


def corpus_line(tables_dir: Path) -> str:
    """The corpus in one line: documents, outlets, date span, facts and claims."""
    tables = _tables(tables_dir)
    documents = tables.get("documents")
    if documents is None:
        return "No tables yet: run `make data`."
    dates = sorted(d for d in documents["published"] if d)
    outlets = sorted({o for o in documents["outlet"] if o})
    span = f", published {dates[0]} to {dates[-1]}" if dates else ""
    parts = [f"{len(documents):,} articles from {len(outlets):,} named outlets{span}"]
    if "facts" in tables:
        parts.append(f"{len(tables['facts']):,} numeric facts")
    if "claims" in tables:
        parts.append(f"{len(tables['claims']):,} claims")
    return "; ".join(parts) + "."


def sources_html(tables_dir: Path) -> str:
    """The index's Sources section: every article in the tables (source, date, title, link)."""
    from borderdata.display import sources_section

    documents = _tables(tables_dir).get("documents")
    if documents is None:
        return ""
    return sources_section(documents)._repr_html_()


def with_sources(page: str, tables_dir: Path) -> str:
    """``page`` with the corpus's Sources section at its end when the notebook shows none itself
    (every page names its articles, whoever wrote the notebook)."""
    if 'id="sources"' in page:
        return page
    section = f'<div class="jp-RenderedHTMLCommon" style="padding: 0 1em">{sources_html(tables_dir)}</div>'
    at = page.rfind("</main>") if "</main>" in page else page.rfind("</body>")
    return page[:at] + section + page[at:] if at >= 0 else page + section


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
.borderdata-table table { border-collapse: collapse; font-size: 0.9em; }
.borderdata-table td, .borderdata-table th { border-bottom: 1px solid #eee; padding: 0.2em 0.5em; }
"""


def _import_for_index() -> None:
    """Import what the index needs (pandas, the views) while the notebooks run instead of after."""
    import borderdata.display  # noqa: F401


def write_index(
    results: Sequence[NotebookResult], out_dir: Path, tables_dir: Path, parameters: dict[str, Any]
) -> Path:
    """Write ``out_dir/index.html`` listing every notebook page and every source; every text escaped."""
    run_at = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    shown = ", ".join(f"{k} = {v!r}" for k, v in sorted(parameters.items())) or "defaults"
    cards = "\n".join(_card(r, out_dir) for r in results)
    page = f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{html.escape(REPORT_TITLE)}</title><style>{INDEX_CSS}</style></head>
<body class="tex2jax_ignore mathjax_ignore">
<h1>{html.escape(REPORT_TITLE)}</h1>
<p class="meta">Run {html.escape(run_at)} · parameters: {html.escape(shown)}</p>
<p class="corpus">{html.escape(corpus_line(tables_dir))}</p>
<ul class="cards">
{cards}
</ul>
{sources_html(tables_dir)}
</body></html>
"""
    index = out_dir / "index.html"
    write_public(index, page)
    return index


def is_seed_corpus(tables_dir: Path, seeds: Path = SEEDS) -> bool:
    """True when the tables hold the seed articles and nothing else (docs/ may then be refreshed)."""
    documents = _tables(tables_dir).get("documents")
    if documents is None:
        return False
    seed_files = {p.name for p in seeds.glob("*") if p.suffix in {".txt", ".md", ".html", ".htm"}}
    return set(documents["source_file"].astype(str)) == seed_files


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


# --------------------------------------------------------------------------- building in a temporary folder


def _check_replaceable(out_dir: Path) -> None:
    """Refuse to replace a folder that is not a report borderdata wrote."""
    ours = (out_dir / REPORT_MARKER).is_file() or (out_dir / "index.html").is_file()
    foreign = out_dir.is_dir() and any(out_dir.iterdir()) and not ours
    if foreign or (out_dir.exists() and not out_dir.is_dir()):
        raise ReportFolderError(MSG_NOT_A_REPORT.format(folder=out_dir, marker=REPORT_MARKER))


class ReportFolderError(Exception):
    """The report's folder holds something borderdata did not write."""


def _remove_stale_builds(out_dir: Path) -> None:
    """Build folders left by a killed run (their process is gone)."""
    for folder in out_dir.parent.glob(f".{out_dir.name}.build-*"):
        pid = folder.name.rsplit("-", 1)[-1]
        if pid.isdigit() and not _alive(int(pid)):
            shutil.rmtree(folder, ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def swap_in(build: Path, out_dir: Path) -> None:
    """Replace ``out_dir`` with ``build`` (two renames; the old report is removed after)."""
    old = out_dir.parent / f".{out_dir.name}.old-{os.getpid()}"
    if out_dir.exists():
        out_dir.rename(old)
    build.rename(out_dir)
    shutil.rmtree(old, ignore_errors=True)


def failed_folder(out_dir: Path) -> Path:
    """Where a run with a failing notebook leaves its pages: ``<out>.failed/``."""
    return out_dir.parent / f"{out_dir.name}.failed"


# --------------------------------------------------------------------------- entry points


def ensure_tables(tables_dir: Path) -> int:
    """Run the data step once when a table is missing or older than its inputs; print its problems.

    Returns the data step's exit status (0 when it ran cleanly or was not needed).
    """
    from borderdata.pipeline import PROCESSED, run_data, tables_are_stale

    if tables_dir.resolve() != PROCESSED.resolve() or not tables_are_stale(tables_dir):
        return 0
    print("tables are stale: running the data step (borderdata data)", file=sys.stderr, flush=True)
    result = run_data(out_dir=tables_dir)
    for problem in result.problems:
        print(problem, file=sys.stderr)
    for message in result.messages:
        print(message, file=sys.stderr)
    if result.errors:
        print(MSG_DATA_FAILED.format(n=len(result.errors)), file=sys.stderr, flush=True)
        return 1
    return 0


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
    """Execute and render ``notebooks`` in a temporary folder, swap it in as ``out_dir`` when every
    notebook ran (else keep the previous report and leave the pages in ``<out>.failed/``)."""
    parameters = parameters or {}
    tables = tables_dir or tables_folder(str(parameters.get("tables_dir", "")))
    _check_replaceable(out_dir)
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    _remove_stale_builds(out_dir)
    build = out_dir.parent / f".{out_dir.name}.build-{os.getpid()}"
    shutil.rmtree(build, ignore_errors=True)
    build.mkdir()
    try:
        (build / REPORT_MARKER).write_text("written by borderdata report\n", encoding="utf-8")
        environment = {TABLES_ENV: str(tables)}
        warm = threading.Thread(target=_import_for_index, daemon=True)
        warm.start()
        results = run_all(
            notebooks, build, parameters, with_code=with_code, jobs=jobs, environment=environment
        )
        warm.join()
        write_index(results, build, tables, parameters)
        for folder in build.rglob("*"):
            if folder.is_dir():
                folder.chmod(0o755)
        build.chmod(0o755)
        if all(r.ok for r in results):
            swap_in(build, out_dir)
            final = out_dir
        else:
            final = failed_folder(out_dir)
            shutil.rmtree(final, ignore_errors=True)
            build.rename(final)
            print(MSG_KEPT.format(out=out_dir, failed=final), file=sys.stderr)
    finally:
        shutil.rmtree(build, ignore_errors=True)
    results = [_moved(r, build, final) for r in results]
    if docs_dir is not None and all(r.ok for r in results):
        if not parameters and is_seed_corpus(tables):
            refresh_docs(results, docs_dir)
        else:
            print(MSG_DOCS_KEPT, file=sys.stderr)
    return results


def _moved(result: NotebookResult, build: Path, out_dir: Path) -> NotebookResult:
    """``result`` with its paths pointing into ``out_dir`` instead of the build folder."""

    def move(path: Path | None) -> Path | None:
        return out_dir / path.relative_to(build) if path is not None else None

    result.html_path, result.executed_path = move(result.html_path), move(result.executed_path)
    return result


def build_seed_tables(folder: Path) -> Path:
    """The seeds' tables (no user articles, no overrides) written into ``folder``: what the nbval
    baselines, the notebook tests and ``docs/`` are made from, whatever ``data/raw`` holds."""
    from borderdata.pipeline import run_data

    result = run_data([SEEDS], out_dir=folder, overrides=None)
    if result.errors:
        raise RuntimeError("; ".join(str(p) for p in result.errors))
    return folder


def refresh_baselines(notebooks: Sequence[Path]) -> list[NotebookResult]:
    """Re-execute ``notebooks`` in place on the seeds' tables built in a temporary folder."""
    with tempfile.TemporaryDirectory(prefix="borderdata-seed-tables-") as tmp:
        tables = build_seed_tables(Path(tmp))
        return run_all(notebooks, baseline=True, environment={TABLES_ENV: str(tables)})


def refresh_docs_from_seeds(notebooks: Sequence[Path], docs_dir: Path = DOCS) -> list[NotebookResult]:
    """``make docs``: the report on the seeds' tables in a temporary folder, its charts to ``docs/``."""
    with tempfile.TemporaryDirectory(prefix="borderdata-docs-") as tmp:
        tables = build_seed_tables(Path(tmp) / "tables")
        out = Path(tmp) / "report"
        results = build_report(notebooks, out, {}, tables_dir=tables)
        if all(r.ok for r in results):
            refresh_docs(results, docs_dir)
            screenshot_pages(results, docs_dir / "pages")
        return results


PAGE_WIDTH = 1280  # px: the width the pages are checked at (tests/test_browser.py) and shown in docs/pages
PAGE_MAX_HEIGHT = 16000  # px: a whole page; a longer one is cut here (about Chromium's largest capture)
PAGE_COLOURS = 64  # screenshots keep this many colours: text and charts stay sharp at a fifth of the size
PAGE_MARGIN = 24  # px of background kept under the page's last line


def screenshot_pages(
    results: Sequence[NotebookResult],
    folder: Path,
    width: int = PAGE_WIDTH,
    max_height: int = PAGE_MAX_HEIGHT,
) -> list[Path]:
    """A full-page screenshot of each page at ``width`` pixels (headless Chromium, when installed): the
    window is ``max_height`` tall, the empty background under the page is cut off, and the image is
    saved with :data:`PAGE_COLOURS` colours."""
    import subprocess

    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        print("chromium not installed (`make browser`): page screenshots not refreshed", file=sys.stderr)
        return []
    folder.mkdir(parents=True, exist_ok=True)
    shots = []
    for result in results:
        if result.html_path is None:
            continue
        target = folder / f"{result.name}.png"
        with tempfile.TemporaryDirectory() as tmp:
            raw = Path(tmp) / "page.png"
            window = f"--window-size={width},{max_height}"
            subprocess.run(
                [chromium, *CHROMIUM_FLAGS, f"--user-data-dir={tmp}/profile", window, f"--screenshot={raw}",
                 result.html_path.as_uri()],
                capture_output=True, timeout=120, check=False,
            )  # fmt: skip
            if raw.is_file():
                write_public(target, compact_screenshot(raw.read_bytes()))
                shots.append(target)
    return shots


def compact_screenshot(png: bytes, margin: int = PAGE_MARGIN, colours: int = PAGE_COLOURS) -> bytes:
    """A page screenshot cut under its last non-background row (plus ``margin``) and saved with
    ``colours`` colours, without dithering (text stays crisp).

    >>> from PIL import Image
    >>> page = Image.new("RGB", (40, 400), "white"); page.paste((0, 0, 0), (5, 10, 30, 50))
    >>> out = io.BytesIO(); page.save(out, "PNG")
    >>> Image.open(io.BytesIO(compact_screenshot(out.getvalue(), margin=10))).size
    (40, 60)
    """
    from PIL import Image, ImageChops

    image = Image.open(io.BytesIO(png)).convert("RGB")
    background = Image.new("RGB", image.size, image.getpixel((image.width - 1, image.height - 1)))
    box = ImageChops.difference(image, background).getbbox()
    bottom = min(image.height, (box[3] if box else 0) + margin)
    page = image.crop((0, 0, image.width, max(1, bottom)))
    small = page.quantize(colors=colours, method=Image.Quantize.FASTOCTREE, dither=Image.Dither.NONE)
    out = io.BytesIO()
    small.save(out, format="PNG", optimize=True)
    return out.getvalue()


CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
    "--virtual-time-budget=3000",
)


def main(args: argparse.Namespace) -> int:
    """``borderdata report``: 0 when every notebook ran, 1 when one failed or the data step reported
    a problem, 2 when the parameters are not valid or there is nothing to run."""
    notebooks = find_notebooks(Path(getattr(args, "notebooks", None) or NOTEBOOKS))
    if not notebooks:
        print(MSG_NO_NOTEBOOKS.format(folder=NOTEBOOKS), file=sys.stderr)
        return 2
    started = time.perf_counter()
    if getattr(args, "baseline", False):
        results = refresh_baselines(notebooks)
        print(f"baseline refreshed in place ({time.perf_counter() - started:.1f} s)", file=sys.stderr)
        return _report_failures(results)
    if getattr(args, "docs", False):
        results = refresh_docs_from_seeds(notebooks)
        print(f"docs/ refreshed from the seeds ({time.perf_counter() - started:.1f} s)", file=sys.stderr)
        return _report_failures(results)
    try:
        parameters = params.checked(
            parse_parameters(getattr(args, "parameter", []) or []), params.all_defaults(notebooks)
        )
        out_dir = Path(getattr(args, "out", None) or REPORTS)
        _check_replaceable(out_dir)
    except (params.ParameterError, ReportFolderError) as exc:
        print(exc, file=sys.stderr)
        return 2
    tables = tables_folder(str(parameters.get("tables_dir", "")))
    try:
        data_status = ensure_tables(tables)
    except Exception as exc:  # a locked run, a full disk, a read-only folder: one line, not a traceback
        print(f"error: the data step stopped: {exc}", file=sys.stderr)
        return 2
    results = build_report(
        notebooks, out_dir, parameters, with_code=bool(getattr(args, "with_code", False)), docs_dir=DOCS
    )
    print(f"{out_dir / 'index.html'} ({time.perf_counter() - started:.1f} s)", file=sys.stderr)
    return max(_report_failures(results), data_status)


def _report_failures(results: Sequence[NotebookResult]) -> int:
    failed = [r for r in results if not r.ok]
    for result in failed:
        print(
            MSG_FAILED.format(name=result.name, cell=result.failing_cell or "?", error=result.error),
            file=sys.stderr,
        )
    return 1 if failed else 0
