"""The whole chain from article files to the tables on disk (what `make data` runs).

files -> documents.csv -> facts.csv (overrides applied) -> claims.csv, each table
written atomically, the three renamed into place only when all are ready, and a
lock file so that two runs at once never interleave their writes.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from borderdata.cache import extraction_inputs
from borderdata.claims import build_claims
from borderdata.config import project_root
from borderdata.corpus import Document, Problem, iter_documents
from borderdata.engine import extract_tables
from borderdata.overrides import apply_overrides, read_overrides
from borderdata.tables import TABLE_NAMES, read_tables, remove_stale_temps, write_tables

PROCESSED = project_root() / "data" / "processed"
OVERRIDES = project_root() / "data" / "overrides.csv"
LOCK_NAME = ".borderdata.lock"
CACHE_NAME = ".cache"
# The project's own inputs; with extraction_inputs() (the code and rule files the extractor
# version hashes) they are what the tables are made from: any of them newer means stale.
INPUT_GLOBS = ("seeds/**/*", "data/raw/**/*", "data/overrides.csv")
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
        try:
            fd = os.open(lock, os.O_CREAT | os.O_RDWR | os.O_NOFOLLOW, 0o644)
        except OSError as exc:
            if exc.errno != errno.ELOOP:
                raise
            lock.unlink()  # a symbolic link where the lock goes: removed, its target never opened
            continue
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


def _documents_for_overrides(paths: Iterable[Path | str] | None, overrides: Path | None) -> list[Document]:
    """The documents that ``add`` rows quote from (read again only when there are such rows)."""
    rows, _ = read_overrides(overrides)
    wanted = {row.fact_id.split(":")[0] for row in rows if row.action == "add"}
    if not wanted:
        return []
    return [d for d in iter_documents(paths, problems=[]) if d.doc_id in wanted]


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
        # Only changed documents are re-extracted (cache keyed by content and extractor version).
        documents, facts = extract_tables(paths, problems, cache=out_dir / CACHE_NAME, jobs=jobs)
        corrected = apply_overrides(facts, overrides, _documents_for_overrides(paths, overrides))
        result = DataResult(documents=documents, facts=corrected.facts, problems=problems)
        result.messages.extend(corrected.messages)
        result.claims = build_claims(result.facts, documents=result.documents, decisions=corrected.decisions)
        # Renamed into place only when all three are written: never a new facts.csv beside an old claims.csv.
        write_tables({
            out_dir / "documents.csv": result.documents,
            out_dir / "facts.csv": result.facts,
            out_dir / "claims.csv": result.claims,
        })  # fmt: skip
    return result


def _newest_input(root: Path | None = None) -> float:
    root = root or project_root()
    files = [p for pattern in INPUT_GLOBS for p in root.glob(pattern)] + extraction_inputs()
    return max((p.stat().st_mtime for p in files if p.is_file()), default=0.0)


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
    return read_tables(out_dir)
