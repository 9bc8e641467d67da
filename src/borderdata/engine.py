"""Extraction at scale: the corpus's inputs sent in chunks to worker processes or a Dask cluster.

The parent walks the inputs with :func:`borderdata.corpus.iter_sources` (the one walker), looks
each one up in the :class:`~borderdata.cache.Store` and sends the misses in chunks to workers, a
bounded number of chunks at a time. A worker builds the documents and extracts them with
:func:`borderdata.extract.extract_facts`; the parent stores each document's result and marks the
kept ones in input order (the first of two equal ``doc_id`` s wins, as in
:func:`~borderdata.corpus.load_corpus`). The output is then read back from the store in ``doc_id``
order (CSV as the records workers rendered, Parquet through pyarrow a batch at a time), so neither
the texts nor the facts of the whole corpus are ever in memory. It equals, row for row and byte
for byte, ``write_table(extract_facts(load_corpus(paths)), out)``.

Engines: ``local`` (a ``ProcessPoolExecutor``; ``jobs=1``, or a run with little to extract, stays
in this process) and ``dask`` (a ``distributed.Client`` on ``scheduler``, or a ``LocalCluster``).
The library changes no process-wide setting: how Dask starts its workers is the caller's choice
(the ``borderdata`` command makes its own, :func:`borderdata.cli.dask_settings`).
Outputs: ``.csv``, ``.parquet``, ``-`` (CSV on standard output), or a folder (``DIR/``) for a
Parquet dataset, which replaces only a folder borderdata wrote itself.

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
import time
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, TextIO

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
LOCAL_CLUSTER = {"threads_per_worker": 1, "dashboard_address": None, "silence_logs": logging.ERROR}
# Chunks start small and grow to CHUNK_BYTES: workers start at once and a small input still splits.
# A chunk costs fixed work (one DataFrame and one CSV rendering, about as much as ten articles),
# so chunks are large, yet short enough that the last ones leave no worker idle for long.
FIRST_CHUNK_BYTES = 64_000
CHUNK_BYTES = 500_000
CHUNK_SOURCES = 1024
IN_FLIGHT_PER_WORKER = 2  # chunks queued per worker: bounds the texts held in memory
BATCH_ROWS = 50_000  # rows per DataFrame written at a time (a row group, or a dataset part)
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


def capped(doc: Document) -> tuple[Document, str]:
    """``doc`` with its body cut before its (MAX_FACTS_PER_DOCUMENT + 1)-th number, and why; or as it is.

    A document's facts are built in memory (about 6 KB each while extracted): a cap keeps a
    worker well under 1 GB on any input under the size limit ("1 1 1 ..." for 20 MB). Offsets
    stay exact: the text is unchanged, only the part read as the article is shorter.
    """
    if sum(end - start + 1 for start, end in doc.body_spans) <= 2 * MAX_FACTS_PER_DOCUMENT:
        return doc, ""  # too short to hold that many numbers (each takes a character and a separator)
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


def _unique_batches(docs: list[tuple[Document, str]]) -> Iterator[list[tuple[Document, str]]]:
    """Consecutive groups of documents with distinct ids (extract_facts keys its rows by doc_id)."""
    batch: list[tuple[Document, str]] = []
    ids: set[str] = set()
    for item in docs:
        if item[0].doc_id in ids:
            yield batch
            batch, ids = [], set()
        batch.append(item)
        ids.add(item[0].doc_id)
    if batch:
        yield batch


def csv_records(facts: pd.DataFrame) -> list[str]:
    """Each fact row as the CSV record :func:`borderdata.tables.write_table` writes for it.

    >>> csv_records(pd.DataFrame({"a": ["x", "two\\nlines"], "b": [1, 2]}))
    ['x,1\\n', '"two\\nlines",2\\n']
    """
    text = neutralise_formulas(facts).to_csv(index=False, header=False, lineterminator="\n")
    lines = [line + "\n" for line in text.split("\n")[:-1]]
    if len(lines) == len(facts):
        return lines
    records, taken = [], 0  # a cell holds a newline: the csv module says where each record ends
    reader = csv.reader(lines)
    for _ in reader:
        records.append("".join(lines[taken : reader.line_num]))
        taken = reader.line_num
    return records


def _entries(batch: list[tuple[Document, str]]) -> list[Entry]:
    """Extract a batch of (document, warning) with one extract_facts call; split the result per document.

    Each document's facts are kept as the CSV records the output writes (rendered here, in the
    workers, so writing a CSV is a copy of text) and as JSON rows (for DataFrame and Parquet).
    """
    facts = extract_facts([doc for doc, _ in batch])
    records, rows = csv_records(facts), facts.to_dict("split", index=False)["data"]
    spans: dict[str, tuple[int, int]] = {}
    for i, doc_id in enumerate(facts["doc_id"].tolist()):
        spans[doc_id] = (spans.get(doc_id, (i, i))[0], i + 1)
    out = []
    for doc, warning in batch:
        a, b = spans.get(doc.doc_id, (0, 0))
        document = json.dumps(doc.to_record(), ensure_ascii=False)
        csv_text, json_rows = "".join(records[a:b]), json.dumps(rows[a:b])
        out.append(Entry(doc.doc_id, len(doc.text), b - a, document, csv_text, json_rows, warning))
    return out


def extract_chunk(sources: list[Source], max_bytes: int = DEFAULT_MAX_BYTES) -> list[Entry | Problem]:
    """Worker task: build and extract a chunk of inputs; a result or a problem for each, in order."""
    rules = load_rules()
    problems: list[Problem | None] = []
    docs: list[tuple[Document, str]] = []
    for source in sources:
        try:
            docs.append(capped(source.document(max_bytes=max_bytes, rules=rules)))
            problems.append(None)
        except CorpusError as exc:
            problems.append(Problem(exc.path, exc.reason))
    entries = iter([entry for batch in _unique_batches(docs) for entry in _entries(batch)])
    return [problem or next(entries) for problem in problems]


def extract_pickled_chunk(blob: bytes, max_bytes: int = DEFAULT_MAX_BYTES) -> bytes:
    """Dask task: :func:`extract_chunk` on a chunk sent as one pickle (in memory, never on disk)."""
    return pickle.dumps(extract_chunk(pickle.loads(blob), max_bytes), protocol=pickle.HIGHEST_PROTOCOL)


# --- where chunks are extracted -----------------------------------------------------------------


def default_jobs() -> int:
    """All the cores this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1


class Runner:
    """Where a run's chunks go: this process (``jobs=1``), or a pool or cluster started only once there
    is real work (half a first chunk of text): a run that finds (nearly) all in the cache starts none."""

    def __init__(self, engine: str, jobs: int | None, scheduler: str | None) -> None:
        if engine not in ENGINES:
            raise EngineError(MSG_ENGINE.format(engine=engine, engines=", ".join(ENGINES)))
        if jobs is not None and jobs < 1:
            raise EngineError(MSG_JOBS.format(jobs=jobs))
        self.engine, self.scheduler = engine, scheduler
        self.workers = jobs or (DEFAULT_DASK_WORKERS if engine == "dask" else default_jobs())
        self.window = max(2, IN_FLIGHT_PER_WORKER * self.workers)  # chunks in flight
        self.parallel = engine == "dask" or self.workers > 1
        self.pool: ProcessPoolExecutor | None = None
        self.client: Any = None
        self.cluster: Any = None

    def start(self) -> None:
        """Start the local worker processes, or connect to (or start) the Dask cluster."""
        if self.engine == "local":
            self.pool = ProcessPoolExecutor(self.workers)
            return
        try:
            from dask.distributed import Client, LocalCluster
        except ImportError as exc:
            raise EngineError(MSG_NO_DASK) from exc
        if not self.scheduler:
            self.cluster = LocalCluster(n_workers=self.workers, **LOCAL_CLUSTER)
        self.client = Client(self.scheduler or self.cluster, direct_to_workers=self.cluster is not None)

    def submit(self, chunk: list[Source], max_bytes: int) -> Any:
        """A future of the chunk's results (for a chunk extracted here, one already done)."""
        started = self.pool is not None or self.client is not None
        if not started and self.parallel and sum(len(s.data) for s in chunk) >= FIRST_CHUNK_BYTES // 2:
            self.start()
        if self.client is not None:
            # One pickle each way: Dask would otherwise (de)serialise every source and result on its own.
            blob = pickle.dumps(chunk, protocol=pickle.HIGHEST_PROTOCOL)
            return self.client.submit(extract_pickled_chunk, blob, max_bytes, pure=False)
        if self.pool is not None:
            return self.pool.submit(extract_chunk, chunk, max_bytes)
        done: Future = Future()
        done.set_result(extract_chunk(chunk, max_bytes))
        return done

    def close(self) -> None:
        if self.pool is not None:
            self.pool.shutdown(cancel_futures=True)
        if self.client is not None:
            self.client.close()
        if self.cluster is not None:
            self.cluster.close()


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


Found = tuple[str, int, int, str]  # what the store holds of a result: doc_id, n_chars, n_rows, warning
Pending = tuple[list[Source], list[str], list[Found | None], Any]  # a chunk, its keys, hits, future


def _settle(pending: Pending, store: Store, stats: RunStats, bar: Any) -> None:
    """Store a chunk's new results and keep its documents in input order (duplicates reported)."""
    chunk, keys, found, future = pending
    result = future.result() if future is not None else []
    results = iter(pickle.loads(result) if isinstance(result, bytes) else result)  # bytes: from Dask
    new: list[tuple[str, Entry]] = []
    kept: list[tuple[Source, str, Found]] = []
    for source, key, hit in zip(chunk, keys, found, strict=True):
        if hit is None:
            entry = next(results)
            if isinstance(entry, Problem):
                stats.problems.append(entry)
                continue
            new.append((key, entry))
            hit = (entry.doc_id, entry.n_chars, entry.n_rows, entry.warning)
        kept.append((source, key, hit))
    stats.extracted += len(new)
    stats.cached += len(kept) - len(new)
    with store.transaction():  # one per chunk: a killed run loses at most the chunks in flight
        store.put_many(new)
        others = [store.keep(hit[0], key, str(source.path)) for source, key, hit in kept]
    for (source, _, (doc_id, n_chars, n_rows, warning)), other in zip(kept, others, strict=True):
        if other is not None:
            stats.problems.append(Problem(source.path, MSG_DUPLICATE.format(doc_id=doc_id, other=other)))
            continue
        if warning:
            stats.problems.append(Problem(source.path, warning, "warning"))
        stats.documents += 1
        stats.facts += n_rows
        stats.chars += n_chars
        bar.update(1)


@contextlib.contextmanager
def extraction(
    paths: Iterable[Path | str] | None,
    problems: list[Problem] | None,
    cache: Path | str | None,
    *,
    engine: str = "local",
    jobs: int | None = None,
    scheduler: str | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
    progress: bool | None = None,
) -> Iterator[tuple[Store, RunStats]]:
    """Extract every input under ``paths`` the store lacks; yield the store holding the run's kept
    results (and the run's figures) once the workers are stopped.

    ``cache``: a folder for the incremental cache, or None for a private temporary store. Problems
    (unreadable files, bad archive lines, duplicate ids) go to ``problems``, or are warned.
    """
    from tqdm import tqdm

    start = time.perf_counter()
    stats = RunStats(problems=[] if problems is None else problems)
    runner = Runner(engine, jobs, scheduler)
    store = Store(Path(cache) / "facts.sqlite3" if cache is not None else None)
    show = sys.stderr.isatty() if progress is None else progress
    window: deque[Pending] = deque()
    try:
        with contextlib.closing(runner), tqdm(unit="doc", file=sys.stderr, disable=not show) as bar:
            for chunk in _chunks(iter_sources(paths, stats.problems, max_bytes=max_bytes)):
                keys = [source.key(store.version) for source in chunk]
                found = store.get_many(keys)
                todo = [source for source, hit in zip(chunk, found, strict=True) if hit is None]
                window.append((chunk, keys, found, runner.submit(todo, max_bytes) if todo else None))
                if len(window) >= runner.window:
                    _settle(window.popleft(), store, stats, bar)
            while window:
                _settle(window.popleft(), store, stats, bar)
        yield store, stats
        store.finish()
    finally:
        store.close()
        stats.seconds = time.perf_counter() - start
    if problems is None:
        import warnings

        for problem in stats.problems:
            warnings.warn(str(problem), CorpusWarning, stacklevel=4)


# --- reading the kept results back, in doc_id order, and writing them ----------------------------


def fact_frames(store: Store) -> Iterator[pd.DataFrame]:
    """The kept facts as DataFrames of about BATCH_ROWS rows, in doc_id order (at least one frame)."""
    rows: list[list] = []
    empty = True
    for (blob,) in store.kept("rows"):
        rows.extend(json.loads(blob))
        if len(rows) >= BATCH_ROWS:
            yield conform_facts(pd.DataFrame.from_records(rows, columns=list(FACT_COLUMNS)))
            rows, empty = [], False
    if rows or empty:
        yield conform_facts(pd.DataFrame.from_records(rows, columns=list(FACT_COLUMNS)))


def documents_table(store: Store) -> pd.DataFrame:
    """One row per kept document (the ``documents.csv`` columns), in doc_id order."""
    records = [json.loads(blob) for (blob,) in store.kept("document")]
    return pd.DataFrame(records, columns=list(DOCUMENT_COLUMNS))


def output_kind(out: Path | str) -> str:
    """``csv`` (a file, or ``-``: standard output), ``parquet`` or ``dataset`` (``DIR/`` or a folder)."""
    text = str(out)
    if text == STDOUT:
        return "csv"
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


def _write_csv_to(store: Store, fh: TextIO) -> None:
    fh.write(",".join(FACT_COLUMNS) + "\n")
    for (text,) in store.kept("csv"):
        fh.write(text)


def write_csv(store: Store, out: Path) -> None:
    """The facts CSV, byte for byte what ``write_table`` writes, from each document's stored records;
    ``-``: on standard output."""
    if str(out) == STDOUT:
        _write_csv_to(store, sys.stdout)
        sys.stdout.flush()
        return
    with atomic_path(out) as tmp, open(tmp, "w", encoding="utf-8", newline="") as fh:
        _write_csv_to(store, fh)


def write_parquet(store: Store, out: Path) -> None:
    """One Parquet file, a row group per batch."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    with atomic_path(out) as tmp:
        writer: Any = None
        for frame in fact_frames(store):
            table = pa.Table.from_pandas(frame, preserve_index=False)
            writer = writer or pq.ParquetWriter(tmp, table.schema)
            writer.write_table(table)
        writer.close()


def write_dataset(store: Store, out: Path) -> None:
    """A folder of sorted Parquet parts and a marker, built beside ``out`` and swapped in whole.

    Only a folder that holds nothing but a dataset borderdata wrote is ever replaced.
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    out = Path(os.path.abspath(out))
    check_dataset_folder(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    for left in [*out.parent.glob(f".{out.name}.*.partial"), *out.parent.glob(f".{out.name}.*.replaced")]:
        shutil.rmtree(left, ignore_errors=True)  # staging folders of a killed run (named by us alone)
    new, old = (out.parent / f".{out.name}.{os.getpid()}.{end}" for end in ("partial", "replaced"))
    new.mkdir()
    try:
        for index, frame in enumerate(fact_frames(store)):
            pq.write_table(
                pa.Table.from_pandas(frame, preserve_index=False), new / PART_NAME.format(index=index)
            )
        (new / DATASET_MARKER).write_text("a Parquet dataset written by borderdata extract\n")
        if out.exists():
            os.replace(out, old)
        os.replace(new, out)
        shutil.rmtree(old, ignore_errors=True)
    finally:
        shutil.rmtree(new, ignore_errors=True)


WRITERS = {"csv": write_csv, "parquet": write_parquet, "dataset": write_dataset}


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
    with extraction(paths, problems, cache, **options) as (store, stats):
        WRITERS[kind](store, Path(out))
    return stats


def extract_tables(
    paths: Iterable[Path | str] | None = None,
    problems: list[Problem] | None = None,
    *,
    cache: Path | str | None = None,
    **options: Any,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(documents, facts) of every article under ``paths``: what ``make data`` writes."""
    with extraction(paths, problems, cache, **options) as (store, _):
        frames = list(fact_frames(store))
        facts = frames[0] if len(frames) == 1 else conform_facts(pd.concat(frames, ignore_index=True))
        return documents_table(store), facts


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
    return extract_tables(paths, problems, cache=cache, **options)[1]
