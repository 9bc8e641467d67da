"""Extraction at scale: the corpus's inputs sent in chunks to worker processes or a Dask cluster.

The parent walks the inputs with :func:`borderdata.corpus.iter_sources` (the one walker; a file's
bytes or an archive line each), looks each one up in the :class:`~borderdata.cache.Store` and
sends the misses in chunks to workers, a bounded number of chunks at a time. A worker builds the
documents (:meth:`Source.document`) and extracts them with
:func:`borderdata.extract.extract_facts`; the parent stores each document's result in the store
and marks the kept ones in input order (the first of two equal ``doc_id`` s wins, as in
:func:`~borderdata.corpus.load_corpus`). The output is then read back from the store in
``doc_id`` order and written through pandas and pyarrow, a batch at a time, so neither the texts
nor the facts of the whole corpus are ever in memory. It equals, row for row and byte for byte,
``write_table(extract_facts(load_corpus(paths)), out)``.

Engines: ``local`` (a ``ProcessPoolExecutor``; ``jobs=1``, or a run with little to extract, stays
in this process) and ``dask`` (a ``distributed.Client`` on ``scheduler``, or a two-worker
``LocalCluster``). Outputs: ``.csv``, ``.parquet``, ``-`` (CSV on standard output), or a folder
(``DIR/``) for a Parquet dataset, which replaces only a folder borderdata wrote itself.

>>> from borderdata.config import project_root
>>> facts = extract_corpus([project_root() / "seeds"], jobs=1, cache=None)
>>> facts.columns[0]
'fact_id'
"""

from __future__ import annotations

import contextlib
import csv
import json
import logging
import os
import pickle
import re
import shutil
import sys
import tempfile
import time
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import pandas as pd

from borderdata.cache import Entry, Store
from borderdata.corpus import (
    DEFAULT_MAX_BYTES,
    DOCUMENT_COLUMNS,
    MSG_DUPLICATE,
    CorpusError,
    CorpusWarning,
    Document,
    Problem,
    Source,
    iter_sources,
    load_rules,
)
from borderdata.extract import extract_facts
from borderdata.numbers import COLLECTIVES, SCALES, TENS, UNITS
from borderdata.schema import FACT_COLUMNS, conform_facts
from borderdata.tables import atomic_path, neutralise_formulas

ENGINES = ("local", "dask")
DEFAULT_DASK_WORKERS = 2
DASK_DEFAULT_START = "spawn"  # distributed's own default start method for worker processes
# Chunks start small and double up to CHUNK_BYTES: workers start at once and a small input still
# splits, while a large one goes in few chunks (each costs a worker a few ms of fixed work).
FIRST_CHUNK_BYTES = 64_000
CHUNK_BYTES = 1_000_000
CHUNK_SOURCES = 1024
IN_FLIGHT_PER_WORKER = 2  # chunks queued per worker: bounds the texts held in memory
BATCH_ROWS = 50_000  # rows per DataFrame batch when writing Parquet (a row group, or a dataset part)
PROGRESS_MIN_FILES = 5
PART_NAME = "part-{index:05d}.parquet"
PART_PATTERN = re.compile(r"part-\d{5}\.parquet")
DATASET_MARKER = ".borderdata-dataset"
STDOUT = "-"

MSG_ENGINE = "unknown engine {engine!r} (use one of: {engines})"
MSG_JOBS = "jobs must be at least 1, got {jobs}"
MSG_NO_DASK = "the dask engine needs the optional 'scale' dependencies: pip install 'borderdata[scale]'"
MSG_OUT_FORMAT = "{out}: unsupported output (use FILE.csv, FILE.parquet, - for standard output, or DIR/)"
MSG_NOT_OURS = (
    "{out}: the folder holds files borderdata did not write; refusing to replace it "
    "(a Parquet dataset goes to a new folder, or to one an earlier `borderdata extract` wrote)"
)
MSG_NOT_FOLDER = "{out}: exists and is not a folder"
MSG_CAPPED = "more than {limit:,} numbers: facts kept up to character {offset:,}, the rest not read"
MAX_FACTS_PER_DOCUMENT = 50_000
# What may start a fact: a run of digits or a number word. Counted to cap a document's facts.
NUMBER_TOKEN = re.compile(
    r"\d+(?:[.,]\d+)*|\b(?:" + "|".join(sorted({*UNITS, *TENS, *SCALES, *COLLECTIVES})) + r")\b",
    re.IGNORECASE,
)

log = logging.getLogger(__name__)


class EngineError(Exception):
    """A run cannot start: an unknown engine, a missing optional dependency, a bad output path."""


@dataclass
class RunStats:
    """What a run did: documents and facts kept, how many were extracted or came from the cache."""

    documents: int = 0
    facts: int = 0
    chars: int = 0
    extracted: int = 0
    cached: int = 0
    seconds: float = 0.0
    problems: list[Problem] = field(default_factory=list)


# --- the worker side ----------------------------------------------------------------------------


def _unique_batches(docs: list[tuple[int, Document]]) -> Iterator[list[tuple[int, Document]]]:
    """Consecutive groups of documents with distinct ids (extract_facts keys its rows by doc_id)."""
    batch: list[tuple[int, Document]] = []
    ids: set[str] = set()
    for item in docs:
        if item[1].doc_id in ids:
            yield batch
            batch, ids = [], set()
        batch.append(item)
        ids.add(item[1].doc_id)
    if batch:
        yield batch


def csv_records(facts: pd.DataFrame) -> list[str]:
    """Each fact row as the CSV record :func:`borderdata.tables.write_table` writes for it.

    >>> csv_records(pd.DataFrame({"a": ["x", "two\\nlines"], "b": [1, 2]}))
    ['x,1\\n', '"two\\nlines",2\\n']
    """
    if facts.empty:
        return []
    lines = neutralise_formulas(facts).to_csv(index=False, header=False, lineterminator="\n").split("\n")
    lines = [line + "\n" for line in lines[:-1]]
    if len(lines) == len(facts):
        return lines
    records, taken = [], 0  # a cell holds a newline: the csv module says where each record ends
    reader = csv.reader(lines)
    for _ in reader:
        records.append("".join(lines[taken : reader.line_num]))
        taken = reader.line_num
    return records


def capped(doc: Document) -> tuple[Document, str]:
    """``doc`` with its body cut before its (MAX_FACTS_PER_DOCUMENT + 1)-th number, and why; or as it is.

    A document's facts are built in memory (about 6 KB each while extracted): a cap keeps a
    worker well under 1 GB on any input under the size limit ("1 1 1 ..." for 20 MB). Offsets
    stay exact: the text is unchanged, only the part read as the article is shorter.
    """
    count = 0
    for start, end in doc.body_spans:
        for match in NUMBER_TOKEN.finditer(doc.text, start, end):
            count += 1
            if count > MAX_FACTS_PER_DOCUMENT:
                cut = match.start()
                spans = tuple((a, min(b, cut)) for a, b in doc.body_spans if a < cut)
                message = MSG_CAPPED.format(limit=MAX_FACTS_PER_DOCUMENT, offset=cut)
                return replace(doc, body_spans=spans), message
    return doc, ""


def _json_rows(facts: pd.DataFrame) -> list[list]:
    return facts.to_dict("split", index=False)["data"]


def _entries(batch: list[tuple[int, Document]]) -> dict[int, Entry]:
    """Extract a batch of documents with one extract_facts call and split the result per document."""
    warnings = {}
    for i, (index, doc) in enumerate(batch):
        doc, warnings[index] = capped(doc)
        batch[i] = (index, doc)
    facts = extract_facts([doc for _, doc in batch])
    records, rows = csv_records(facts), _json_rows(facts)
    spans: dict[str, tuple[int, int]] = {}
    for i, doc_id in enumerate(facts["doc_id"].tolist()):
        spans[doc_id] = (spans.get(doc_id, (i, i))[0], i + 1)
    out = {}
    for index, doc in batch:
        a, b = spans.get(doc.doc_id, (0, 0))
        document = json.dumps(doc.to_record(), ensure_ascii=False)
        csv_text, json_rows = "".join(records[a:b]), json.dumps(rows[a:b])
        out[index] = Entry(doc.doc_id, len(doc.text), b - a, document, csv_text, json_rows, warnings[index])
    return out


def extract_chunk(sources: list[Source], max_bytes: int = DEFAULT_MAX_BYTES) -> list[Entry | Problem]:
    """Worker task: build and extract a chunk of inputs; a result or a problem for each."""
    rules = load_rules()
    out: dict[int, Entry | Problem] = {}
    docs: list[tuple[int, Document]] = []
    for index, source in enumerate(sources):
        try:
            docs.append((index, source.document(max_bytes=max_bytes, rules=rules)))
        except CorpusError as exc:
            out[index] = Problem(exc.path, exc.reason)
    for batch in _unique_batches(docs):
        out.update(_entries(batch))
    return [out[i] for i in range(len(sources))]


def extract_pickled_chunk(blob: bytes, max_bytes: int = DEFAULT_MAX_BYTES) -> bytes:
    """Dask task: :func:`extract_chunk` on a chunk sent as one pickle (in memory, never on disk)."""
    return pickle.dumps(extract_chunk(pickle.loads(blob), max_bytes), protocol=pickle.HIGHEST_PROTOCOL)


# --- where chunks are extracted -----------------------------------------------------------------


class _Now:
    """A chunk extracted in this process when its result is asked for (an in-process future)."""

    def __init__(self, chunk: list[Source], max_bytes: int) -> None:
        self.chunk, self.max_bytes = chunk, max_bytes

    def result(self) -> list[Entry | Problem]:
        return extract_chunk(self.chunk, self.max_bytes)


class _Unpickled:
    """A Dask future whose result is one pickle of the chunk's results."""

    def __init__(self, future: Any) -> None:
        self.future = future

    def result(self) -> list[Entry | Problem]:
        return pickle.loads(self.future.result())


class DaskPool:
    """Chunks on a Dask cluster: the one at ``scheduler``, or a LocalCluster of ``workers`` workers."""

    def __init__(self, scheduler: str | None, workers: int) -> None:
        try:
            from dask.distributed import Client, LocalCluster
        except ImportError as exc:
            raise EngineError(MSG_NO_DASK) from exc
        self.cluster = None
        if not scheduler:
            with local_cluster_config():
                self.cluster = LocalCluster(
                    n_workers=workers,
                    threads_per_worker=1,
                    dashboard_address=None,
                    silence_logs=logging.ERROR,
                )
        self.client = Client(scheduler or self.cluster, direct_to_workers=self.cluster is not None)

    def submit(self, chunk: list[Source], max_bytes: int) -> Any:
        # One pickle each way: Dask would otherwise (de)serialise every source and result on its own.
        blob = pickle.dumps(chunk, protocol=pickle.HIGHEST_PROTOCOL)
        return _Unpickled(self.client.submit(extract_pickled_chunk, blob, max_bytes, pure=False))

    def shutdown(self) -> None:
        self.client.close()
        if self.cluster is not None:
            self.cluster.close()


class LocalPool(ProcessPoolExecutor):
    """Chunks in ``jobs`` local worker processes."""

    def submit(self, chunk: list[Source], max_bytes: int) -> Any:  # type: ignore[override]
        return super().submit(extract_chunk, chunk, max_bytes)

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = True) -> None:
        super().shutdown(wait=wait, cancel_futures=cancel_futures)


def fork_is_safe() -> bool:
    """Linux, and a Python older than 3.12 (which deprecates fork in a process with threads)."""
    return sys.platform == "linux" and sys.version_info < (3, 12)


@contextlib.contextmanager
def local_cluster_config() -> Iterator[None]:
    """Dask settings, for this block only, for the workers of a LocalCluster that borderdata starts.

    Workers fork where that is safe unless another method is configured (spawned workers import
    pandas, pint and the extractor afresh, about 1 s on two cores); the workers' statistical
    profiler, which only feeds a dashboard this cluster does not start, is off.
    """
    import dask

    settings: dict[str, Any] = {"distributed.worker.profile.enabled": False}
    key = "distributed.worker.multiprocessing-method"
    if fork_is_safe() and dask.config.get(key) == DASK_DEFAULT_START:
        settings[key] = "fork"
    with dask.config.set(settings):
        yield


def default_jobs() -> int:
    """All the cores this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1


def make_runner(engine: str, jobs: int | None, scheduler: str | None) -> Any:
    """The pool or cluster of ``engine`` (jobs None: all cores; dask: 2 local workers); None: this process."""
    if engine == "dask":
        return DaskPool(scheduler, jobs or DEFAULT_DASK_WORKERS)
    jobs = jobs or default_jobs()
    return LocalPool(jobs) if jobs > 1 else None


class Runner:
    """Where a run's chunks go: the pool or cluster is started only once there is real work (half a
    first chunk of text), so a run that finds (nearly) everything in the cache starts none."""

    def __init__(self, engine: str, jobs: int | None, scheduler: str | None) -> None:
        if engine not in ENGINES:
            raise EngineError(MSG_ENGINE.format(engine=engine, engines=", ".join(ENGINES)))
        if jobs is not None and jobs < 1:
            raise EngineError(MSG_JOBS.format(jobs=jobs))
        self.engine, self.jobs, self.scheduler = engine, jobs, scheduler
        self.pool: Any = None
        self.started = False
        expected = (jobs or DEFAULT_DASK_WORKERS) if engine == "dask" else (jobs or default_jobs())
        self.window = max(2, IN_FLIGHT_PER_WORKER * expected)  # chunks in flight

    def submit(self, chunk: list[Source], max_bytes: int) -> Any:
        if not self.started and sum(len(s.data) for s in chunk) >= FIRST_CHUNK_BYTES // 2:
            self.pool, self.started = make_runner(self.engine, self.jobs, self.scheduler), True
        return self.pool.submit(chunk, max_bytes) if self.pool is not None else _Now(chunk, max_bytes)

    def close(self) -> None:
        if self.pool is not None:
            self.pool.shutdown()


# --- the run: look up, extract, store, keep -------------------------------------------------------


def _chunks(sources: Iterable[Source]) -> Iterator[list[Source]]:
    chunk: list[Source] = []
    size, limit = 0, min(FIRST_CHUNK_BYTES, CHUNK_BYTES)
    for source in sources:
        chunk.append(source)
        size += len(source.data)
        if size >= limit or len(chunk) >= CHUNK_SOURCES:
            yield chunk
            chunk, size, limit = [], 0, min(2 * limit, CHUNK_BYTES)
    if chunk:
        yield chunk


@dataclass
class _Pending:
    """A chunk in flight: its inputs, their row keys, what the store had, and the workers' future."""

    sources: list[Source]
    keys: list[str]
    found: list[tuple[str, int, int, str] | None]
    future: Any = None


def _settle(pending: _Pending, store: Store, problems: list[Problem], stats: RunStats, bar: Any) -> None:
    """Store a chunk's new results and keep its documents in input order (duplicates reported)."""
    results = iter(pending.future.result() if pending.future is not None else [])
    new: list[tuple[str, Entry]] = []
    kept: list[tuple[Source, str, tuple[str, int, int, str]]] = []
    for source, key, found in zip(pending.sources, pending.keys, pending.found, strict=True):
        if found is None:
            result = next(results)
            if isinstance(result, Problem):
                problems.append(result)
                continue
            new.append((key, result))
            found = (result.doc_id, result.n_chars, result.n_rows, result.warning)
        kept.append((source, key, found))
    stats.extracted += len(new)
    stats.cached += len(kept) - len(new)
    with store.transaction():  # one per chunk: a killed run loses at most the chunks in flight
        store.put_many(new)
        others = [store.keep(found[0], key, str(source.path)) for source, key, found in kept]
    for (source, _, (doc_id, n_chars, n_rows, warning)), other in zip(kept, others, strict=True):
        if other is not None:
            problems.append(Problem(source.path, MSG_DUPLICATE.format(doc_id=doc_id, other=other)))
            continue
        if warning:
            problems.append(Problem(source.path, warning, "warning"))
        stats.documents += 1
        stats.facts += n_rows
        stats.chars += n_chars
        bar.update(1)


def run_into(
    store: Store,
    paths: Iterable[Path | str] | None,
    problems: list[Problem],
    stats: RunStats,
    *,
    engine: str = "local",
    jobs: int | None = None,
    scheduler: str | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
    progress: bool | None = None,
) -> None:
    """Extract every input under ``paths`` that ``store`` lacks, and keep each document's result there."""
    runner = Runner(engine, jobs, scheduler)
    from tqdm import tqdm

    bar = tqdm(
        unit="doc", file=sys.stderr, disable=not (sys.stderr.isatty() if progress is None else progress)
    )
    window: deque[_Pending] = deque()
    try:
        for chunk in _chunks(iter_sources(paths, problems, max_bytes=max_bytes)):
            keys = [store.key(source.key) for source in chunk]
            with store.transaction("DEFERRED"):
                pending = _Pending(chunk, keys, [store.get(key) for key in keys])
            todo = [s for s, found in zip(chunk, pending.found, strict=True) if found is None]
            if todo:
                pending.future = runner.submit(todo, max_bytes)
            window.append(pending)
            while len(window) >= runner.window:
                _settle(window.popleft(), store, problems, stats, bar)
        while window:
            _settle(window.popleft(), store, problems, stats, bar)
    finally:
        runner.close()
        bar.close()


@contextlib.contextmanager
def extraction(
    paths: Iterable[Path | str] | None,
    problems: list[Problem],
    *,
    cache: Path | str | None,
    stats: RunStats | None = None,
    **options: Any,
) -> Iterator[Store]:
    """Run the extraction; yield the store holding its kept results (read them with :meth:`Store.kept`).

    ``cache``: a folder for the incremental cache, or None for a private temporary store.
    """
    start = time.perf_counter()
    store = Store(Path(cache) / "facts.sqlite3" if cache is not None else None)
    try:
        run_into(store, paths, problems, stats if stats is not None else RunStats(), **options)
        yield store
        store.finish()
    finally:
        store.close()
        if stats is not None:
            stats.seconds = time.perf_counter() - start


# --- reading the kept results back, in doc_id order ------------------------------------------------


def fact_frames(store: Store, rows_per_batch: int | None = None) -> Iterator[pd.DataFrame]:
    """The kept facts as DataFrames of about ``rows_per_batch`` rows, in doc_id order."""
    limit = rows_per_batch or BATCH_ROWS
    rows: list[list] = []
    for (blob,) in store.kept("rows"):
        rows.extend(json.loads(blob))
        if len(rows) >= limit:
            yield _frame(rows)
            rows = []
    if rows:
        yield _frame(rows)


def _frame(rows: list[list]) -> pd.DataFrame:
    return conform_facts(pd.DataFrame.from_records(rows, columns=list(FACT_COLUMNS)))


def facts_table(store: Store) -> pd.DataFrame:
    """All kept facts as one DataFrame (the contract's columns and order)."""
    frames = list(fact_frames(store))
    if len(frames) == 1:
        return frames[0]
    return conform_facts(pd.concat(frames, ignore_index=True) if frames else pd.DataFrame())


def documents_table(store: Store) -> pd.DataFrame:
    """One row per kept document (the ``documents.csv`` columns), in doc_id order."""
    records = [json.loads(blob) for (blob,) in store.kept("document")]
    return pd.DataFrame(records, columns=list(DOCUMENT_COLUMNS))


# --- writers ------------------------------------------------------------------------------------


def output_kind(out: Path | str) -> str:
    """``stdout``, ``csv``, ``parquet`` (one file) or ``dataset`` (a folder: ``DIR/`` or an existing one)."""
    text = str(out)
    if text == STDOUT:
        return "stdout"
    if text.endswith(("/", os.sep)) or Path(text).is_dir():
        return "dataset"
    suffix = Path(text).suffix.lower()
    if suffix in (".csv", ".parquet"):
        return suffix.lstrip(".")
    raise EngineError(MSG_OUT_FORMAT.format(out=out))


def check_dataset_folder(out: Path) -> None:
    """EngineError unless ``out`` is absent or a dataset borderdata wrote (its marker and parts only)."""
    if not out.exists() and not out.is_symlink():
        return
    if out.is_symlink() or not out.is_dir():
        raise EngineError(MSG_NOT_FOLDER.format(out=out))
    names = set(os.listdir(out))
    if DATASET_MARKER not in names or any(not PART_PATTERN.fullmatch(n) for n in names - {DATASET_MARKER}):
        raise EngineError(MSG_NOT_OURS.format(out=out))


def _write_csv_text(store: Store, fh: Any) -> None:
    fh.write(",".join(FACT_COLUMNS) + "\n")
    for (text,) in store.kept("csv"):
        fh.write(text)


def write_csv(store: Store, out: Path) -> None:
    """The facts CSV, byte for byte what ``write_table`` writes, from each document's stored records."""
    with atomic_path(out) as tmp, open(tmp, "w", encoding="utf-8", newline="") as fh:
        _write_csv_text(store, fh)


def write_stdout(store: Store, out: Path) -> None:
    """The facts CSV on standard output."""
    _write_csv_text(store, sys.stdout)
    sys.stdout.flush()


def _arrow(frame: pd.DataFrame) -> Any:
    import pyarrow as pa

    return pa.Table.from_pandas(frame, preserve_index=False)


def _frames_or_empty(store: Store) -> Iterator[pd.DataFrame]:
    empty = True
    for frame in fact_frames(store):
        empty = False
        yield frame
    if empty:
        yield conform_facts(pd.DataFrame())


def write_parquet(store: Store, out: Path) -> None:
    """One Parquet file, a row group per batch."""
    import pyarrow.parquet as pq

    with atomic_path(out) as tmp:
        writer: Any = None
        for frame in _frames_or_empty(store):
            table = _arrow(frame)
            writer = writer or pq.ParquetWriter(tmp, table.schema)
            writer.write_table(table)
        writer.close()


def write_dataset(store: Store, out: Path) -> None:
    """A folder of sorted Parquet parts and a marker, built beside ``out`` and swapped in whole.

    Only a folder that holds nothing but a dataset borderdata wrote is ever replaced.
    """
    import pyarrow.parquet as pq

    out = Path(os.path.abspath(out))
    check_dataset_folder(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    for left in [*out.parent.glob(f".{out.name}.*.partial"), *out.parent.glob(f".{out.name}.*.replaced")]:
        shutil.rmtree(left, ignore_errors=True)  # staging folders of a killed run (named by us alone)
    new = Path(tempfile.mkdtemp(prefix=f".{out.name}.", suffix=".partial", dir=out.parent))
    try:
        for index, frame in enumerate(_frames_or_empty(store)):
            pq.write_table(_arrow(frame), new / PART_NAME.format(index=index))
        (new / DATASET_MARKER).write_text("a Parquet dataset written by borderdata extract\n")
        new.chmod(0o777 & ~_umask())
        if out.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{out.name}.", suffix=".replaced", dir=out.parent))
            os.replace(out, old / out.name)
            os.replace(new, out)
            shutil.rmtree(old)
        else:
            os.replace(new, out)
    finally:
        shutil.rmtree(new, ignore_errors=True)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


WRITERS = {"csv": write_csv, "parquet": write_parquet, "dataset": write_dataset, "stdout": write_stdout}


# --- public entry points ------------------------------------------------------------------------


def write_facts(
    paths: Iterable[Path | str] | None,
    out: Path | str,
    *,
    cache: Path | str | None = None,
    problems: list[Problem] | None = None,
    **options: Any,
) -> RunStats:
    """Extract the facts of every article under ``paths`` and write them to ``out``, streaming.

    ``out``: ``.csv``, ``.parquet``, ``-`` (standard output) or a folder ``DIR/`` (Parquet dataset).
    ``cache``: the cache folder (see :func:`borderdata.config.cache_dir`), or None. ``options``:
    ``engine``, ``jobs``, ``scheduler``, ``max_bytes``, ``progress``. Problems (unreadable files,
    bad archive lines, duplicate ids) go to ``problems``, or are warned.
    """
    kind = output_kind(out)
    if kind == "dataset":
        check_dataset_folder(Path(os.path.abspath(out)))
    sink: list[Problem] = [] if problems is None else problems
    stats = RunStats(problems=sink)
    with extraction(paths, sink, cache=cache, stats=stats, **options) as store:
        WRITERS[kind](store, Path(out))
    _warn_unless_collected(problems, sink)
    return stats


def extract_corpus(
    paths: Iterable[Path | str] | None = None,
    *,
    cache: Path | str | None = None,
    problems: list[Problem] | None = None,
    **options: Any,
) -> pd.DataFrame:
    """The facts of every article under ``paths`` as one DataFrame, extracted in parallel.

    Equal, row for row, to ``extract_facts(load_corpus(paths))``; :func:`write_facts` streams
    a large corpus to disk instead.
    """
    sink: list[Problem] = [] if problems is None else problems
    with extraction(paths, sink, cache=cache, **options) as store:
        facts = facts_table(store)
    _warn_unless_collected(problems, sink)
    return facts


def extract_tables(
    paths: Iterable[Path | str] | None,
    problems: list[Problem],
    *,
    cache: Path | str | None = None,
    **options: Any,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(documents, facts) of every article under ``paths``: what ``make data`` writes."""
    with extraction(paths, problems, cache=cache, **options) as store:
        return documents_table(store), facts_table(store)


def _warn_unless_collected(problems: list[Problem] | None, sink: list[Problem]) -> None:
    if problems is None:
        import warnings

        for problem in sink:
            warnings.warn(str(problem), CorpusWarning, stacklevel=3)
