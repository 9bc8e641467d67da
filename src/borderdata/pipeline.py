"""The whole chain from article files to the tables on disk (what `make data` runs).

files -> documents.csv -> facts.csv (overrides applied) -> claims.csv, each table
written atomically, the three renamed into place only when all are ready, and a
lock file so that two runs at once never interleave their writes.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from borderdata.claims import build_claims
from borderdata.corpus import DOCUMENT_COLUMNS, PROJECT_ROOT, Document, Problem, load_corpus
from borderdata.engine import extract_documents
from borderdata.overrides import apply_overrides
from borderdata.tables import read_table, remove_stale_temps, write_tables

PROCESSED = PROJECT_ROOT / "data" / "processed"
OVERRIDES = PROJECT_ROOT / "data" / "overrides.csv"
LOCK_NAME = ".borderdata.lock"
CACHE_NAME = ".cache"
TABLE_NAMES = ("documents", "facts", "claims")
# What the tables are made from: if any of these is newer than a table, the tables are stale.
INPUT_GLOBS = (
    "seeds/**/*",
    "data/raw/**/*",
    "data/overrides.csv",
    "src/borderdata/*.py",
    "src/borderdata/*.toml",
)
MSG_LOCKED = "another `borderdata data` run holds {lock} (pid {pid}); wait for it to finish"


class LockedError(Exception):
    """Another run is writing the same output folder."""


@dataclass
class DataResult:
    """What a run produced and what it could not read."""

    documents: pd.DataFrame
    facts: pd.DataFrame
    claims: pd.DataFrame | None = None
    problems: list[Problem] = field(default_factory=list)
    messages: list[str] = field(default_factory=list)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]


def _read_pid(fd: int) -> str:
    try:
        return os.pread(fd, 32, 0).decode(errors="replace").strip() or "unknown"
    except OSError:
        return "unknown"


def _acquire(lock: Path) -> int:
    """An open descriptor of ``lock`` holding an exclusive ``flock``; LockedError when another run has it.

    The kernel drops the lock when its holder dies, so a killed run never blocks the next one;
    the inode check makes sure the file locked is still the one at ``lock``.
    """
    while True:
        fd = os.open(lock, os.O_CREAT | os.O_RDWR, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            pid = _read_pid(fd)
            os.close(fd)
            raise LockedError(MSG_LOCKED.format(lock=lock, pid=pid)) from None
        try:
            if os.fstat(fd).st_ino == os.stat(lock).st_ino:
                return fd
        except FileNotFoundError:
            pass
        os.close(fd)  # the previous holder removed the file meanwhile: lock the new one


@contextlib.contextmanager
def output_lock(folder: Path) -> Iterator[Path]:
    """Hold ``folder/.borderdata.lock`` (an ``flock``) for the block: one run at a time writes ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    lock = folder / LOCK_NAME
    fd = _acquire(lock)
    try:
        os.ftruncate(fd, 0)
        os.write(fd, str(os.getpid()).encode())
        yield lock
    finally:
        lock.unlink(missing_ok=True)
        os.close(fd)


def documents_table(documents: Iterable[Document]) -> pd.DataFrame:
    """One row per document (the ``documents.csv`` columns)."""
    rows = [d.to_record() for d in documents]
    return pd.DataFrame(rows, columns=list(DOCUMENT_COLUMNS)).sort_values("doc_id", kind="stable")


def run_data(
    paths: Iterable[Path | str] | None = None,
    out_dir: Path = PROCESSED,
    overrides: Path | None = OVERRIDES,
    *,
    jobs: int | None = None,
) -> DataResult:
    """Read the corpus, extract facts, apply overrides, build claims; write the tables atomically."""
    problems: list[Problem] = []
    with output_lock(out_dir):
        remove_stale_temps(out_dir, [f"{name}.csv" for name in TABLE_NAMES])  # left by a killed run
        documents = load_corpus(paths, problems=problems)
        # Only changed documents are re-extracted (cache keyed by content and extractor version).
        facts = extract_documents(documents, jobs=jobs, cache=out_dir / CACHE_NAME)
        corrected = apply_overrides(facts, overrides, documents)
        result = DataResult(documents=documents_table(documents), facts=corrected.facts, problems=problems)
        result.messages.extend(corrected.messages)
        result.claims = build_claims(result.facts, documents=result.documents, decisions=corrected.decisions)
        # Renamed into place only when all three are written: never a new facts.csv beside an old claims.csv.
        write_tables({
            out_dir / "documents.csv": result.documents,
            out_dir / "facts.csv": result.facts,
            out_dir / "claims.csv": result.claims,
        })  # fmt: skip
    return result


def _newest_input(root: Path = PROJECT_ROOT) -> float:
    times = [p.stat().st_mtime for pattern in INPUT_GLOBS for p in root.glob(pattern) if p.is_file()]
    return max(times, default=0.0)


def tables_are_stale(out_dir: Path = PROCESSED) -> bool:
    """True when a table is missing or older than an article, the overrides or the library."""
    tables = [out_dir / f"{name}.csv" for name in TABLE_NAMES]
    if not all(t.is_file() for t in tables):
        return True
    return min(t.stat().st_mtime for t in tables) < _newest_input()


def load_tables(out_dir: Path = PROCESSED, *, refresh: bool = True) -> dict[str, pd.DataFrame]:
    """The processed tables by name (documents, facts, claims), re-made first when stale."""
    if refresh and out_dir == PROCESSED and tables_are_stale(out_dir):
        run_data(out_dir=out_dir)
    return {
        name: read_table(out_dir / f"{name}.csv")
        for name in TABLE_NAMES
        if (out_dir / f"{name}.csv").is_file()
    }
