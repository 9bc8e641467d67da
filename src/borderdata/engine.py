"""Extraction at scale: documents streamed to worker processes or a Dask cluster, in bounded memory.

The parent process walks the inputs in the same order as :func:`borderdata.corpus.iter_documents`
and reads raw bytes (a file, or one line of a ``.jsonl(.gz)`` archive; a file whose stat the
cache's stat index vouches for is not read at all); it looks each one up in the
:class:`~borderdata.cache.FactCache`, and sends the misses in chunks to workers, a bounded
number of chunks at a time. A worker builds the documents with the corpus reader's own
functions, calls :func:`borderdata.extract.extract_facts` on them and returns each document's
fact rows (and the same rows already formatted as CSV lines); the parent stores them in the
cache. Results are taken back in input order, so duplicate ``doc_id`` s resolve exactly as in a
single-process run; they are spooled to sorted runs on disk and merged by ``doc_id`` while the
output is written, so neither the texts nor the facts of the whole corpus are ever in memory at
once. The output is identical, row for row and byte for byte, to
``write_table(extract_facts(load_corpus(paths)), out)``.

Engines: ``local`` (a ``ProcessPoolExecutor``; ``jobs=1`` or a one-chunk input runs in this
process) and ``dask`` (a ``distributed.Client`` on ``scheduler``, or a two-worker
``LocalCluster``; needs the ``scale`` extra). Outputs: ``.csv``, ``.parquet``, or a folder
(``out/``) holding a Parquet dataset, one sorted part file per 50,000 rows.

>>> from borderdata.corpus import PROJECT_ROOT
>>> facts = extract_corpus([PROJECT_ROOT / "seeds"], jobs=1, cache=None)
>>> facts.columns[0]
'fact_id'
"""

from __future__ import annotations

import contextlib
import gc
import heapq
import logging
import os
import pickle
import shutil
import sys
import tempfile
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import pandas as pd

from borderdata.cache import (
    CacheError,
    Entry,
    FactCache,
    Stored,
    content_digest,
    digest_key,
    document_key,
    jsonl_key,
)
from borderdata.corpus import (
    DEFAULT_MAX_BYTES,
    DEFAULT_PATHS,
    MSG_DUPLICATE,
    PROJECT_ROOT,
    CorpusError,
    CorpusWarning,
    Document,
    Manifests,
    Problem,
    _apply_manifest,
    document_from_bytes,
    document_from_jsonl,
    is_jsonl,
    iter_jsonl_lines,
    iter_paths,
    read_source_bytes,
)
from borderdata.extract import extract_facts
from borderdata.schema import FACT_COLUMNS, conform_facts
from borderdata.tables import atomic_path, neutralise_formulas, write_table

ENGINES = ("local", "dask")
DEFAULT_CACHE = PROJECT_ROOT / "data" / "processed" / ".cache"
DEFAULT_DASK_WORKERS = 2
DASK_DEFAULT_START = "spawn"  # distributed's own default start method for worker processes
# Text sent to a worker at a time. The first chunks are small and each is twice the last,
# up to CHUNK_BYTES: workers start at once and a small input still splits, while a large one
# goes in few chunks (each costs a worker ~7 ms of fixed DataFrame and CSV work, and Dask
# more per task).
FIRST_CHUNK_BYTES = 64_000
CHUNK_BYTES = 1_000_000
CHUNK_SOURCES = 1024
IN_FLIGHT_PER_WORKER = 2  # chunks queued per worker: bounds the texts held in memory
SPILL_BYTES = 16_000_000  # results held in memory before a sorted run goes to disk
WRITE_BLOCK = 256  # entries joined into one write of the CSV
STORED_BYTES = 600  # what an unread cache entry (its location and source) costs in the spool, roughly
SPILL_BLOCK = 256  # entries pickled together in a spilled run (one pickle call per block, not per entry)
BATCH_ROWS = 50_000  # rows per DataFrame batch when writing Parquet (one dataset part each)
PROGRESS_MIN_FILES = 5
PART_NAME = "part-{index:05d}.parquet"

MSG_CACHE_NOT_SAVED = "the cache index in %s was not saved (%s): the next run extracts anew"
MSG_EXTRACTED_AGAIN = "%s: extracted again"
MSG_ENGINE = "unknown engine {engine!r} (use one of: {engines})"
MSG_JOBS = "jobs must be at least 1, got {jobs}"
MSG_NO_DASK = (
    "the dask engine needs the optional 'scale' dependencies (dask[distributed], pyarrow): "
    "pip install -e '.[scale]'"
)
MSG_NO_PYARROW = "Parquet output needs pyarrow: pip install -e '.[scale]'"
MSG_OUT_FORMAT = (
    "{out}: unsupported output (use FILE.csv, FILE.parquet or a folder DIR/ for a Parquet dataset)"
)


log = logging.getLogger(__name__)


class EngineError(Exception):
    """A run cannot start: an unknown engine, a missing optional dependency, a bad output path."""


# --- units of work ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Source:
    """One document's input: a file's bytes, an archive line, or an already-built Document.

    A file that the cache's stat index vouches for has ``data=None`` and its recorded
    ``digest`` (sha256 of its bytes) and ``nbytes``; it is read only if its entry is missing.
    """

    kind: str  # "file", "jsonl" or "doc"
    path: Path
    data: Any  # bytes for "file" and "jsonl", a Document for "doc"; None for a file not read yet
    lineno: int = 0
    manifest: dict[str, str] | None = None
    key: str = ""
    digest: str = ""
    nbytes: int = 0

    @property
    def size(self) -> int:
        if self.data is None:
            return self.nbytes
        return len(self.data.text) if isinstance(self.data, Document) else len(self.data)


@dataclass(frozen=True)
class Outcome:
    """What became of one source: an entry (the document's facts; unread if from the cache) or a problem."""

    entry: Entry | Stored | None = None
    problem: Problem | None = None


@dataclass
class RunStats:
    """What a run did: documents and facts written, how many came from the cache, how long it took."""

    documents: int = 0
    facts: int = 0
    chars: int = 0
    extracted: int = 0
    cached: int = 0
    seconds: float = 0.0
    problems: list[Problem] = field(default_factory=list)


def iter_sources(
    paths: Iterable[Path | str] | None,
    problems: list[Problem],
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
    listed: bool = False,
    cache: FactCache | None = None,
    roots: Iterable[Path | str] | None = None,
) -> Iterator[Source]:
    """Sources in :func:`~borderdata.corpus.iter_documents` order; unreadable files go to ``problems``.

    ``listed=True``: ``paths`` already are the article files, as :func:`iter_paths` lists them
    from the folders ``roots`` (where manifests are looked for). With a ``cache``, files whose
    stat is unchanged since they were hashed are not read here.
    """
    if not listed:
        roots = list(paths if paths is not None else DEFAULT_PATHS)
    manifests = Manifests(roots or (), problems)
    files = paths if listed else iter_paths(roots or (), problems)
    for path in (f if isinstance(f, Path) else Path(f) for f in files):
        if is_jsonl(path):
            try:
                for lineno, line in iter_jsonl_lines(path, max_bytes=max_bytes, problems=problems):
                    yield Source("jsonl", path, line, lineno=lineno)
            except CorpusError as exc:
                problems.append(Problem(exc.path, exc.reason))
            continue
        try:
            data, digest, nbytes = file_bytes(path, cache, max_bytes)
        except CorpusError as exc:
            problems.append(Problem(exc.path, exc.reason))
            continue
        manifest = manifests.row(path)
        key = digest_key(path.name, digest, manifest)
        yield Source("file", path, data, manifest=manifest, key=key, digest=digest, nbytes=nbytes)


def file_bytes(path: Path, cache: FactCache | None, max_bytes: int = DEFAULT_MAX_BYTES) -> tuple:
    """(bytes, sha256, size) of an article file; bytes None if the cache's stat index knows it.

    The stat is taken before the file is read, so a write during the read leaves a stat that
    no longer matches (the file is hashed again next run). CorpusError if it cannot be read.
    """
    name = str(path)
    if not name.startswith(os.sep):  # cheaper than abspath (no normpath) for thousands of files
        name = os.path.join(os.getcwd(), name)
    try:
        st = os.stat(name) if cache is not None else None
    except OSError:
        st = None
    if st is not None and st.st_size <= max_bytes and (digest := cache.known_digest(name, st)):
        return None, digest, st.st_size
    data = read_source_bytes(path, max_bytes=max_bytes)
    digest = content_digest(data)
    if st is not None:
        cache.remember(name, st, digest)
    return data, digest, len(data)


def read_source(source: Source, max_bytes: int = DEFAULT_MAX_BYTES) -> Source:
    """``source`` with its bytes, read now (and its digest and key from those bytes)."""
    if source.data is not None:
        return source
    data = read_source_bytes(source.path, max_bytes=max_bytes)
    loaded = replace(source, data=data, digest=content_digest(data))
    return replace(loaded, key=source_key(loaded))


def source_key(source: Source) -> str:
    """The cache key of a source (see :mod:`borderdata.cache`)."""
    if source.kind == "file":
        digest = source.digest or content_digest(source.data)
        return digest_key(source.path.name, digest, source.manifest)
    if source.kind == "jsonl":
        return jsonl_key(source.path, source.data)
    return document_key(source.data)


# --- the worker side ----------------------------------------------------------------------------


def build_source(source: Source, max_bytes: int = DEFAULT_MAX_BYTES) -> Document:
    """The Document of a source, made by the corpus reader's own functions (CorpusError if bad)."""
    if source.kind == "file":
        return _apply_manifest(document_from_bytes(source.path, source.data), source.manifest)
    if source.kind == "jsonl":
        return document_from_jsonl(source.path, source.lineno, source.data, max_bytes=max_bytes)
    return source.data


def split_csv_records(text: str) -> list[str]:
    """CSV text cut into records (a newline inside a quoted cell does not end a record)."""
    records: list[str] = []
    pending: list[str] = []
    odd = False
    for line in text.split("\n")[:-1]:
        pending.append(line)
        odd ^= line.count('"') % 2 == 1
        if not odd:
            records.append("\n".join(pending) + "\n")
            pending = []
    return records


def csv_lines(facts: pd.DataFrame) -> list[str]:
    """Each fact row as the exact CSV line :func:`borderdata.tables.write_table` writes for it."""
    if facts.empty:
        return []
    text = neutralise_formulas(facts).to_csv(index=False, header=False, lineterminator="\n")
    return split_csv_records(text)


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


def _entries_of(batch: list[tuple[int, Document]]) -> dict[int, Entry]:
    """Extract a batch of documents with one extract_facts call and split the rows per document."""
    facts = extract_facts([doc for _, doc in batch])
    rows = list(facts.itertuples(index=False, name=None))
    lines = csv_lines(facts)
    spans: dict[str, tuple[int, int]] = {}
    for i, doc_id in enumerate(facts["doc_id"].tolist()):
        start = spans.get(doc_id, (i, i))[0]
        spans[doc_id] = (start, i + 1)
    out = {}
    for index, doc in batch:
        a, b = spans.get(doc.doc_id, (0, 0))
        out[index] = Entry.of(doc.doc_id, len(doc.text), tuple(rows[a:b]), "".join(lines[a:b]))
    return out


def extract_chunk(sources: list[Source], max_bytes: int = DEFAULT_MAX_BYTES) -> list[Outcome]:
    """Worker task: build and extract a chunk of sources (the parent stores the entries)."""
    outcomes: dict[int, Outcome] = {}
    docs: list[tuple[int, Document]] = []
    for index, source in enumerate(sources):
        try:
            docs.append((index, build_source(source, max_bytes)))
        except CorpusError as exc:
            outcomes[index] = Outcome(problem=Problem(exc.path, exc.reason))
    for batch in _unique_batches(docs):
        for index, entry in _entries_of(batch).items():
            outcomes[index] = Outcome(entry=entry)
    return [outcomes[i] for i in range(len(sources))]


# --- runners: where chunks are extracted --------------------------------------------------------


class _Done:
    """A result computed on demand in this process (the in-process runner's future)."""

    def __init__(self, compute: Callable[[], list[Outcome]]) -> None:
        self._compute = compute

    def result(self) -> list[Outcome]:
        return self._compute()


class InProcessRunner:
    """Extract in this process (``jobs=1``, or an input of one chunk)."""

    workers = 1

    def submit(self, chunk: list[Source], max_bytes: int) -> _Done:
        return _Done(lambda: extract_chunk(chunk, max_bytes))

    def close(self) -> None:
        """Nothing to release."""


class PoolRunner:
    """Extract in ``jobs`` local worker processes."""

    def __init__(self, jobs: int) -> None:
        self.workers = jobs
        self.pool = ProcessPoolExecutor(max_workers=jobs)

    def submit(self, chunk: list[Source], max_bytes: int) -> Any:
        return self.pool.submit(extract_chunk, chunk, max_bytes)

    def close(self) -> None:
        self.pool.shutdown(wait=True, cancel_futures=True)


def extract_pickled_chunk(blob: bytes, max_bytes: int = DEFAULT_MAX_BYTES) -> bytes:
    """Dask task: :func:`extract_chunk` on a pickled chunk, its outcomes pickled."""
    outcomes = extract_chunk(pickle.loads(blob), max_bytes)
    return pickle.dumps(outcomes, protocol=pickle.HIGHEST_PROTOCOL)


class _Unpickling:
    """A Dask future whose result is pickled outcomes, unpickled when asked for."""

    def __init__(self, future: Any) -> None:
        self.future = future

    def result(self) -> list[Outcome]:
        return pickle.loads(self.future.result())


class DaskRunner:
    """Extract on a Dask cluster: the one at ``scheduler``, or a local one with ``workers`` workers."""

    def __init__(self, scheduler: str | None, workers: int) -> None:
        try:
            from dask.distributed import Client, LocalCluster
        except ImportError as exc:
            raise EngineError(MSG_NO_DASK) from exc
        self.cluster = None
        if scheduler:
            self.client = Client(scheduler)
        else:
            with local_cluster_config():
                self.cluster = LocalCluster(
                    n_workers=workers,
                    threads_per_worker=1,
                    dashboard_address=None,
                    silence_logs=logging.ERROR,
                )
            # Results come straight from the worker, not relayed through the scheduler (this process).
            self.client = Client(self.cluster, direct_to_workers=True)
        self.workers = max(1, len(self.client.scheduler_info().get("workers", {})) or workers)

    def submit(self, chunk: list[Source], max_bytes: int) -> _Unpickling:
        # One pickle each way: Dask would otherwise serialise (and its scheduler, in this process
        # for a LocalCluster, deserialise) the chunk's sources and outcomes one by one.
        blob = pickle.dumps(chunk, protocol=pickle.HIGHEST_PROTOCOL)
        return _Unpickling(self.client.submit(extract_pickled_chunk, blob, max_bytes, pure=False))

    def close(self) -> None:
        self.client.close()
        if self.cluster is not None:
            self.cluster.close()


def fork_is_safe() -> bool:
    """Linux, and a Python older than 3.12 (which deprecates fork in a process with threads)."""
    return sys.platform == "linux" and sys.version_info < (3, 12)


@contextlib.contextmanager
def local_cluster_config() -> Iterator[None]:
    """Dask settings for the workers of a LocalCluster that borderdata starts itself.

    Workers start by fork where that is the platform's way (Linux) and Python does not warn
    against forking a threaded process (before 3.12), unless another method is configured:
    dask's default, spawn, makes every worker import pandas, pint and the extractor afresh
    (about 1 s on two cores), while a forked worker has them already, as the local pool's
    workers do. The workers' statistical profiler is off: it only feeds the
    dashboard, which this cluster does not start, and sampling the extractor's stacks every
    10 ms cost about a tenth of the workers' time.
    """
    import dask

    settings: dict[str, Any] = {"distributed.worker.profile.enabled": False}
    key = "distributed.worker.multiprocessing-method"
    if fork_is_safe() and dask.config.get(key) == DASK_DEFAULT_START:
        settings[key] = "fork"
    with dask.config.set(settings):
        yield


def make_runner_check(engine: str, jobs: int | None) -> None:
    """EngineError for an unknown engine or a job count below one."""
    if engine not in ENGINES:
        raise EngineError(MSG_ENGINE.format(engine=engine, engines=", ".join(ENGINES)))
    if jobs is not None and jobs < 1:
        raise EngineError(MSG_JOBS.format(jobs=jobs))


def make_runner(engine: str, jobs: int | None, scheduler: str | None) -> Any:
    """The runner for ``engine`` with ``jobs`` workers (None: all cores; dask: 2 local workers)."""
    make_runner_check(engine, jobs)
    if engine == "dask":
        return DaskRunner(scheduler, jobs or DEFAULT_DASK_WORKERS)
    jobs = jobs or default_jobs()
    return InProcessRunner() if jobs == 1 else PoolRunner(jobs)


def default_jobs() -> int:
    """All the cores this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1


# --- chunking and the ordered window -------------------------------------------------------------


def _chunks(sources: Iterable[Source]) -> Iterator[list[Source]]:
    chunk: list[Source] = []
    size = 0
    limit = min(FIRST_CHUNK_BYTES, CHUNK_BYTES)
    for source in sources:
        chunk.append(source)
        size += source.size
        if size >= limit or len(chunk) >= CHUNK_SOURCES:
            yield chunk
            chunk, size = [], 0
            limit = min(2 * limit, CHUNK_BYTES)
    if chunk:
        yield chunk


@dataclass
class _Pending:
    sources: list[Source]
    known: dict[int, Outcome]  # found in the cache, or a file that could no longer be read
    misses: list[int]
    future: Any = None


def _lookup(chunk: list[Source], cache: FactCache | None, max_bytes: int) -> _Pending:
    """Key a chunk, take what the cache has, and read the files that missed but were not read yet."""
    keyed = [s if s.key else replace(s, key=source_key(s)) for s in chunk]
    known: dict[int, Outcome] = {}
    if cache is not None:
        for i, source in enumerate(keyed):
            if (entry := cache.get(source.key)) is not None:
                # What to extract again should the entry turn out damaged when it is read.
                entry.origin = replace(source, data=None) if source.kind == "file" and source.data else source
                known[i] = Outcome(entry=entry)
            elif source.data is None:
                try:
                    keyed[i] = read_source(source, max_bytes)
                except CorpusError as exc:
                    known[i] = Outcome(problem=Problem(exc.path, exc.reason))
    return _Pending(keyed, known, [i for i in range(len(keyed)) if i not in known])


class LazyRunner:
    """Starts the pool or cluster only for a chunk with real work (half a first chunk of uncached text),
    so a run that finds (nearly) everything in the cache never forks workers or starts Dask."""

    def __init__(self, engine: str, jobs: int | None, scheduler: str | None) -> None:
        make_runner_check(engine, jobs)
        self.engine, self.jobs, self.scheduler = engine, jobs, scheduler
        self.runner: Any = None
        self.local = InProcessRunner()
        expected = (jobs or DEFAULT_DASK_WORKERS) if engine == "dask" else (jobs or default_jobs())
        self.limit = max(2, IN_FLIGHT_PER_WORKER * expected)

    def for_work(self, nbytes: int) -> Any:
        if self.runner is None and nbytes < min(FIRST_CHUNK_BYTES, CHUNK_BYTES) // 2:
            return self.local
        if self.runner is None:
            self.runner = make_runner(self.engine, self.jobs, self.scheduler)
        return self.runner

    def close(self) -> None:
        if self.runner is not None:
            self.runner.close()


def run_sources(
    sources: Iterable[Source],
    *,
    engine: str = "local",
    jobs: int | None = None,
    scheduler: str | None = None,
    cache: FactCache | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
    stats: RunStats | None = None,
) -> Iterator[tuple[Source, Outcome]]:
    """(source, outcome) in input order, extracting cache misses on ``engine``, a bounded window at a time."""
    stats = stats if stats is not None else RunStats()
    runners = LazyRunner(engine, jobs, scheduler)
    window: deque[_Pending] = deque()

    def feed(chunk: list[Source]) -> None:
        pending = _lookup(chunk, cache, max_bytes)
        if pending.misses:
            todo = [pending.sources[i] for i in pending.misses]
            runner = runners.for_work(sum(s.size for s in todo))
            pending.future = runner.submit(todo, max_bytes)
        window.append(pending)

    def drain() -> Iterator[tuple[Source, Outcome]]:
        pending = window.popleft()
        done = dict(zip(pending.misses, pending.future.result() if pending.future else [], strict=True))
        stats.cached += sum(1 for outcome in pending.known.values() if outcome.entry is not None)
        stats.extracted += len(done)
        for i, source in enumerate(pending.sources):
            outcome = pending.known[i] if i in pending.known else done[i]
            if cache is not None and i in done and outcome.entry is not None:
                cache.put(source.key, outcome.entry)
            yield source, outcome

    try:
        for chunk in _chunks(sources):
            feed(chunk)
            while len(window) >= runners.limit:
                yield from drain()
        while window:
            yield from drain()
    finally:
        runners.close()


# --- spooling and merging by doc_id ---------------------------------------------------------------


class Spool:
    """Entries gathered in input order, given back sorted by doc_id; sorted runs spill to disk.

    Entries still in the cache (:class:`~borderdata.cache.Stored`) are held as their location
    and read with ``load`` as they are given back.
    """

    def __init__(
        self, folder: Path, limit: int = SPILL_BYTES, load: Callable[[Stored], Entry] | None = None
    ) -> None:
        self.folder = folder
        self.limit = limit
        self.load = load
        self.buffer: list[Entry | Stored] = []
        self.size = 0
        self.runs: list[Path] = []

    def add(self, entry: Entry | Stored) -> None:
        self.buffer.append(entry)
        self.size += _spool_bytes(entry)
        if self.size >= self.limit:
            self._spill()

    def _spill(self) -> None:
        run = self.folder / f"run-{len(self.runs):05d}.pkl"
        ordered = sorted(self.buffer, key=_doc_id)
        with open(run, "wb") as fh:
            for start in range(0, len(ordered), SPILL_BLOCK):
                pickle.dump(ordered[start : start + SPILL_BLOCK], fh, protocol=pickle.HIGHEST_PROTOCOL)
        self.runs.append(run)
        self.buffer, self.size = [], 0

    def __iter__(self) -> Iterator[Entry]:
        if not self.runs:
            merged: Iterable[Entry | Stored] = sorted(self.buffer, key=_doc_id)
        else:
            if self.buffer:
                self._spill()
            merged = heapq.merge(*(_read_run(run) for run in self.runs), key=_doc_id)
        load = self.load
        for entry in merged:
            yield load(entry) if load is not None and isinstance(entry, Stored) else entry


def _spool_bytes(entry: Entry | Stored) -> int:
    """Roughly what an entry costs in memory while it waits in the spool."""
    if not isinstance(entry, Stored):
        return len(entry.csv) + len(entry.packed_rows) + 200
    origin = entry.origin.data if entry.origin is not None else None
    return STORED_BYTES + (len(origin) if isinstance(origin, bytes) else 0)


def _doc_id(entry: Entry | Stored) -> str:
    return entry.doc_id


def _read_run(path: Path) -> Iterator[Entry]:
    """The entries of a spilled run, a block at a time."""
    with open(path, "rb") as fh:
        while True:
            try:
                yield from pickle.load(fh)
            except EOFError:
                return


# --- progress -----------------------------------------------------------------------------------


class Progress:
    """A tqdm bar on stderr: documents, megabytes read and facts per second."""

    def __init__(self, total: int | None, enabled: bool) -> None:
        self.bar = None
        self.start = time.perf_counter()
        self.chars = self.facts = 0
        if enabled:
            from tqdm import tqdm

            self.bar = tqdm(total=total, unit="doc", file=sys.stderr, dynamic_ncols=True, smoothing=0.1)

    def update(self, docs: int, chars: int, facts: int) -> None:
        self.chars += chars
        self.facts += facts
        if self.bar is not None:
            rate = self.facts / max(time.perf_counter() - self.start, 1e-9)
            self.bar.set_postfix_str(f"{self.chars / 1e6:,.1f} MB, {rate:,.0f} facts/s", refresh=False)
            self.bar.update(docs)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


def _want_progress(progress: bool | None, n_files: int, has_archive: bool) -> bool:
    if progress is not None:
        return progress
    return sys.stderr.isatty() and (n_files > PROGRESS_MIN_FILES or has_archive)


# --- the whole run ------------------------------------------------------------------------------


@contextlib.contextmanager
def imports_frozen() -> Iterator[None]:
    """Leave the objects that exist before a run (modules, registries, pandas) out of the cyclic GC's scans.

    A run makes tens of thousands of long-lived objects (sources, index records), which set off
    full collections; each would walk every object imported so far. ``gc.freeze`` sets those
    aside until the run ends (worker processes forked meanwhile inherit the frozen set);
    ``gc.unfreeze`` hands them back, so nothing is kept from collection for good. A caller's
    own freeze is left as it is.
    """
    if gc.get_freeze_count():
        yield
        return
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


def _open_cache(cache: Path | str | FactCache | None) -> FactCache | None:
    if cache is None or isinstance(cache, FactCache):
        return cache
    opened = FactCache(cache)
    opened.prune()
    return opened


@contextlib.contextmanager
def sorted_entries(
    sources: Iterable[Source],
    *,
    problems: list[Problem],
    engine: str = "local",
    jobs: int | None = None,
    scheduler: str | None = None,
    cache: Path | str | FactCache | None = DEFAULT_CACHE,
    progress: Progress | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
    stats: RunStats | None = None,
) -> Iterator[Iterator[Entry]]:
    """Extract everything, then yield the kept entries sorted by doc_id (duplicates reported)."""
    stats = stats if stats is not None else RunStats()
    progress = progress or Progress(None, enabled=False)
    fact_cache = _open_cache(cache)
    with imports_frozen(), tempfile.TemporaryDirectory(prefix="borderdata-spool-") as tmp:
        spool = Spool(
            Path(tmp), load=_cache_loader(fact_cache, max_bytes) if fact_cache is not None else None
        )
        outcomes = run_sources(
            sources,
            engine=engine,
            jobs=jobs,
            scheduler=scheduler,
            cache=fact_cache,
            max_bytes=max_bytes,
            stats=stats,
        )
        try:
            _gather(outcomes, spool, problems, stats, progress)
        except BaseException:
            if fact_cache is not None:
                fact_cache.close()
            raise
        progress.close()
        # The cache is committed after the output is written: cached entries are read until then.
        try:
            yield iter(spool)
        except Exception:
            if fact_cache is not None:
                _commit_quietly(fact_cache)  # keep what was extracted; the writer's error is the news
            raise
        except BaseException:
            if fact_cache is not None:
                fact_cache.close()
            raise
        if fact_cache is not None:
            fact_cache.commit()


def _commit_quietly(cache: FactCache) -> None:
    try:
        cache.commit()
    except Exception as exc:
        log.warning(MSG_CACHE_NOT_SAVED, cache.folder, exc)


def _cache_loader(cache: FactCache, max_bytes: int) -> Callable[[Stored], Entry]:
    """Read a cached entry; one found damaged is extracted again from its source (and stored anew)."""

    def load(stored: Stored) -> Entry:
        try:
            return cache.load(stored)
        except CacheError as exc:
            if stored.origin is None:
                raise
            entry = _extract_again(stored, max_bytes)
            if entry is None:
                raise CacheError(f"{exc}; its source changed since it was looked up: run again") from exc
            log.warning(MSG_EXTRACTED_AGAIN, exc)
            cache.put(stored.key, entry)
            return entry

    return load


def _extract_again(stored: Stored, max_bytes: int) -> Entry | None:
    """The entry of ``stored``'s source, extracted now; None if the source no longer gives that key."""
    try:
        source = read_source(stored.origin, max_bytes)
    except CorpusError:
        return None
    if source_key(source) != stored.key:
        return None
    entry = extract_chunk([source], max_bytes)[0].entry
    return entry if entry is not None and entry.doc_id == stored.doc_id else None


def _gather(
    outcomes: Iterable[tuple[Source, Outcome]],
    spool: Spool,
    problems: list[Problem],
    stats: RunStats,
    progress: Progress,
) -> None:
    """Spool the entries in input order; failures and duplicate ids go to ``problems``."""
    seen: dict[str, Path] = {}
    for source, outcome in outcomes:
        entry = outcome.entry
        if entry is None:
            problems.append(outcome.problem)
        elif entry.doc_id in seen:
            other = seen[entry.doc_id]
            problems.append(Problem(source.path, MSG_DUPLICATE.format(doc_id=entry.doc_id, other=other)))
        else:
            seen[entry.doc_id] = source.path
            spool.add(entry)
            stats.documents += 1
            stats.facts += entry.n_rows
            stats.chars += entry.n_chars
            progress.update(1, entry.n_chars, entry.n_rows)


def _batches(entries: Iterable[Entry], rows_per_batch: int | None = None) -> Iterator[pd.DataFrame]:
    rows_per_batch = rows_per_batch or BATCH_ROWS
    rows: list[tuple] = []
    for entry in entries:
        rows.extend(entry.rows)
        if len(rows) >= rows_per_batch:
            yield _frame(rows)
            rows = []
    if rows:
        yield _frame(rows)


def _frame(rows: list[tuple]) -> pd.DataFrame:
    return conform_facts(pd.DataFrame.from_records(rows, columns=list(FACT_COLUMNS)))


def collect(entries: Iterable[Entry]) -> pd.DataFrame:
    """All entries as one facts DataFrame (the contract's columns and order)."""
    frames = list(_batches(entries))
    if not frames:
        return conform_facts(pd.DataFrame())
    return conform_facts(pd.concat(frames, ignore_index=True)) if len(frames) > 1 else frames[0]


# --- writers ------------------------------------------------------------------------------------


def output_kind(out: Path | str) -> str:
    """``csv``, ``parquet`` (one file) or ``dataset`` (a folder: ``DIR/`` or an existing folder)."""
    text = str(out)
    path = Path(text)
    if text.endswith(("/", os.sep)) or path.is_dir():
        return "dataset"
    if path.suffix.lower() in (".csv", ".parquet"):
        return path.suffix.lower().lstrip(".")
    raise EngineError(MSG_OUT_FORMAT.format(out=out))


def write_csv(entries: Iterable[Entry], out: Path) -> None:
    """The facts CSV, byte for byte what ``write_table`` writes, streamed entry by entry."""
    with atomic_path(out) as tmp, open(tmp, "w", encoding="utf-8", newline="") as fh:
        fh.write(",".join(FACT_COLUMNS) + "\n")
        block: list[str] = []
        for entry in entries:
            block.append(entry.csv)
            if len(block) >= WRITE_BLOCK:
                fh.write("".join(block))
                block = []
        fh.write("".join(block))


def _pyarrow() -> Any:
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError as exc:
        raise EngineError(MSG_NO_PYARROW) from exc
    return pa, pq


def write_parquet(entries: Iterable[Entry], out: Path) -> None:
    """One Parquet file, a row group per batch."""
    pa, pq = _pyarrow()
    with atomic_path(out) as tmp:
        writer = None
        for frame in _batches(entries):
            table = pa.Table.from_pandas(frame, preserve_index=False)
            writer = writer or pq.ParquetWriter(tmp, table.schema)
            writer.write_table(table)
        if writer is None:
            write_table(conform_facts(pd.DataFrame()), tmp.with_suffix(".parquet"))
            os.replace(tmp.with_suffix(".parquet"), tmp)
        else:
            writer.close()


def write_dataset(entries: Iterable[Entry], out: Path) -> None:
    """A folder of sorted Parquet parts (``part-00000.parquet`` ...), swapped into place whole."""
    pa, pq = _pyarrow()
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    try:
        frames = _batches(entries)
        for index, frame in enumerate(_nonempty(frames)):
            pq.write_table(
                pa.Table.from_pandas(frame, preserve_index=False), tmp / PART_NAME.format(index=index)
            )
        old = out.with_name(f".{out.name}.old") if out.exists() else None
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
            os.replace(out, old)
        os.replace(tmp, out)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _nonempty(frames: Iterator[pd.DataFrame]) -> Iterator[pd.DataFrame]:
    empty = True
    for frame in frames:
        empty = False
        yield frame
    if empty:
        yield conform_facts(pd.DataFrame())


WRITERS = {"csv": write_csv, "parquet": write_parquet, "dataset": write_dataset}


# --- public entry points ------------------------------------------------------------------------


def _path_sources(
    paths: Iterable[Path | str] | None,
    problems: list[Problem],
    max_bytes: int,
    progress: bool | None,
    cache: FactCache | None,
) -> tuple[Iterator[Source], Progress]:
    roots = list(paths if paths is not None else DEFAULT_PATHS)
    listed = list(iter_paths(roots, problems))
    archives = any(is_jsonl(p) for p in listed)
    bar = Progress(None if archives else len(listed), _want_progress(progress, len(listed), archives))
    return iter_sources(listed, problems, max_bytes=max_bytes, listed=True, cache=cache, roots=roots), bar


def write_facts(
    paths: Iterable[Path | str] | None,
    out: Path | str,
    *,
    jobs: int | None = None,
    engine: str = "local",
    scheduler: str | None = None,
    cache: Path | str | FactCache | None = DEFAULT_CACHE,
    problems: list[Problem] | None = None,
    progress: bool | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> RunStats:
    """Extract the facts of every article under ``paths`` and write them to ``out``, streaming.

    ``out`` is ``.csv``, ``.parquet`` or a folder (``DIR/``) for a Parquet dataset. Problems
    (unreadable files, bad archive lines, duplicate ids) go to ``problems`` or are warned.
    Returns counts and timings.
    """
    kind = output_kind(out)
    if kind != "csv":
        _pyarrow()
    sink: list[Problem] = [] if problems is None else problems
    stats = RunStats(problems=sink)
    start = time.perf_counter()
    options = {"engine": engine, "jobs": jobs, "scheduler": scheduler, "cache": cache, "max_bytes": max_bytes}
    with _corpus_entries(paths, sink, progress, stats, **options) as entries:
        WRITERS[kind](entries, Path(out))
    stats.seconds = time.perf_counter() - start
    _warn_unless_collected(problems, sink)
    return stats


@contextlib.contextmanager
def _corpus_entries(
    paths: Iterable[Path | str] | None,
    sink: list[Problem],
    progress: bool | None,
    stats: RunStats | None,
    *,
    engine: str,
    jobs: int | None,
    scheduler: str | None,
    cache: Path | str | FactCache | None,
    max_bytes: int,
) -> Iterator[Iterator[Entry]]:
    """The entries of every article under ``paths``, sorted by doc_id (what both front ends consume)."""
    fact_cache = _open_cache(cache)
    sources, bar = _path_sources(paths, sink, max_bytes, progress, fact_cache)
    with sorted_entries(
        sources,
        problems=sink,
        engine=engine,
        jobs=jobs,
        scheduler=scheduler,
        cache=fact_cache,
        progress=bar,
        max_bytes=max_bytes,
        stats=stats,
    ) as entries:
        yield entries


def extract_corpus(
    paths: Iterable[Path | str] | None = None,
    *,
    jobs: int | None = None,
    engine: str = "local",
    scheduler: str | None = None,
    cache: Path | str | FactCache | None = DEFAULT_CACHE,
    problems: list[Problem] | None = None,
    progress: bool | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> pd.DataFrame:
    """The facts of every article under ``paths`` as one DataFrame, extracted in parallel.

    Equal, row for row, to ``extract_facts(load_corpus(paths))``. See :func:`write_facts`
    to stream a large corpus straight to disk instead.
    """
    sink: list[Problem] = [] if problems is None else problems
    options = {"engine": engine, "jobs": jobs, "scheduler": scheduler, "cache": cache, "max_bytes": max_bytes}
    with _corpus_entries(paths, sink, progress, None, **options) as entries:
        facts = collect(entries)
    _warn_unless_collected(problems, sink)
    return facts


def extract_documents(
    documents: Iterable[Document],
    *,
    jobs: int | None = None,
    engine: str = "local",
    scheduler: str | None = None,
    cache: Path | str | FactCache | None = DEFAULT_CACHE,
    progress: bool | None = None,
) -> pd.DataFrame:
    """``extract_facts(documents)``, with the cache and in parallel (what ``make data`` runs)."""
    documents = list(documents)
    problems: list[Problem] = []
    sources = (Source("doc", doc.path, doc) for doc in documents)
    bar = Progress(len(documents), _want_progress(progress, len(documents), False))
    with sorted_entries(
        sources, problems=problems, engine=engine, jobs=jobs, scheduler=scheduler, cache=cache, progress=bar
    ) as entries:
        facts = collect(entries)
    _warn_unless_collected(None, problems)
    return facts


def _warn_unless_collected(problems: list[Problem] | None, sink: list[Problem]) -> None:
    if problems is None:
        import warnings

        for problem in sink:
            warnings.warn(str(problem), CorpusWarning, stacklevel=3)
