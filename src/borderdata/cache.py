"""The store of extraction results: one sqlite row per document, keyed by content and extractor version.

Every run writes each document's result here and reads the kept ones back in ``doc_id``
order to write its output, so the store is both the incremental cache (``data/processed/.cache/
facts.sqlite3`` in a project) and the run's on-disk merge; with no cache a private temporary
database is used, which sqlite deletes even when the process is killed.

A row's key is the sha256 of the input (:meth:`borderdata.corpus.Source.key`: bytes, file name,
manifest row) and of :func:`extractor_version`: the package's code and the content of every
rule file in use (the packaged TOML files and any ``BORDERDATA_*`` override), so editing code or
rules means fresh keys, and the output always equals a full run. Rows hold JSON and text only
(nothing is unpickled from disk). The store's own guarantees give the rest: WAL and a transaction
per batch, so a killed run loses at most its last batch; a row unused by the last
:data:`KEEP_RUNS` runs is deleted; a store sqlite cannot read is reported, deleted and rebuilt.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import sqlite3
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from borderdata.config import ENV_PREFIX, PACKAGE_NAME, PROJECT_ENV

STORE_NAME = "facts.sqlite3"
FORMAT = "5"  # bump when a row's layout changes
KEEP_RUNS = 5
BUSY_MS = 30_000
MSG_DAMAGED = "the cache %s could not be read (%s): starting a new one"

SCHEMA = """
CREATE TABLE IF NOT EXISTS entries (
    key TEXT PRIMARY KEY,   -- sha256 of the input and the extractor version
    doc_id TEXT NOT NULL,
    n_chars INTEGER NOT NULL,
    n_rows INTEGER NOT NULL,
    warning TEXT NOT NULL,  -- what to tell the user about this document each time ("" if nothing)
    run INTEGER NOT NULL    -- the last run that used it
) WITHOUT ROWID;
-- Apart from the entries, so that a lookup or a run's stamp touches a few bytes a row, not the facts.
CREATE TABLE IF NOT EXISTS results (
    key TEXT PRIMARY KEY,
    document TEXT NOT NULL, -- the documents.csv row, JSON
    csv TEXT NOT NULL,      -- the facts as CSV records, exactly as the output writes them
    rows TEXT NOT NULL      -- the same facts as JSON rows (FACT_COLUMNS order)
);
CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT NOT NULL);
"""
RUN_SCHEMA = """
CREATE TEMP TABLE IF NOT EXISTS kept (doc_id TEXT PRIMARY KEY, key TEXT NOT NULL, path TEXT NOT NULL);
DELETE FROM temp.kept;
"""

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Entry:
    """One document's result: its ids and sizes, its documents.csv row, its facts as CSV and as rows."""

    doc_id: str
    n_chars: int
    n_rows: int
    document: str
    csv: str
    rows: str
    warning: str = ""


def _package_files(root: Any = None) -> list[tuple[str, bytes]]:
    """(name, bytes) of the package's code and data files (or those of the folder ``root``), by name."""
    root = root if root is not None else resources.files(PACKAGE_NAME)
    return sorted(
        (item.name, item.read_bytes())
        for item in root.iterdir()
        if item.is_file() and item.name.endswith((".py", ".toml"))
    )


def rule_overrides() -> list[tuple[str, str]]:
    """The ``BORDERDATA_*`` environment variables that may change extraction, sorted."""
    return sorted((k, v) for k, v in os.environ.items() if k.startswith(ENV_PREFIX) and k != PROJECT_ENV)


def extractor_version(package: Path | None = None) -> str:
    """sha256 of the package's code and TOML data (or those in the folder ``package``) and of every
    ``BORDERDATA_*`` override: the content of the file it names, or its value."""
    digest = hashlib.sha256(f"format {FORMAT}\0".encode())
    digest.update(_files_digest(package) if package else _installed_digest())
    for name, value in rule_overrides():
        digest.update(f"{name}={value}\0{_override_digest(value)}\0".encode("utf-8", "surrogatepass"))
    return digest.hexdigest()


def _override_digest(value: str) -> str:
    try:
        return hashlib.sha256(Path(value).read_bytes()).hexdigest()
    except OSError:
        return ""


def _files_digest(package: Any = None) -> bytes:
    digest = hashlib.sha256()
    for name, data in _package_files(package):
        digest.update(name.encode() + b"\0" + hashlib.sha256(data).digest())
    return digest.digest()


@lru_cache(maxsize=1)
def _installed_digest() -> bytes:
    """The package's files as this process loaded them (read once: the code in use does not change)."""
    return _files_digest()


def extraction_inputs() -> list[Path]:
    """The files :func:`extractor_version` reads (package code and data, override files)."""
    files = [Path(str(resources.files(PACKAGE_NAME).joinpath(name))) for name, _ in _package_files()]
    return files + [Path(v) for _, v in rule_overrides() if Path(v).is_file()]


class Store:
    """Results of documents in sqlite: ``path`` for the incremental cache, None for a private temporary one.

    One run: :meth:`get_many` and :meth:`put_many` results, :meth:`keep` the ones the output holds,
    read them back with :meth:`kept` (``doc_id`` order), then :meth:`finish`.
    """

    def __init__(self, path: Path | str | None) -> None:
        self.path = Path(path) if path is not None else None
        self.version = extractor_version()
        self.db = self._open()
        self.run = self._next_run()
        self.db.executescript(RUN_SCHEMA)
        self._pending = 0

    def _connect(self) -> sqlite3.Connection:
        if self.path is None:
            return sqlite3.connect("", isolation_level=None)  # a temporary file sqlite unlinks at once
        self.path.parent.mkdir(parents=True, exist_ok=True)
        db = sqlite3.connect(self.path, isolation_level=None, timeout=BUSY_MS / 1000)
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=NORMAL")
        return db

    def _open(self) -> sqlite3.Connection:
        try:
            return self._prepared(self._connect(), check=True)
        except sqlite3.DatabaseError as exc:
            if self.path is None:
                raise
            log.warning(MSG_DAMAGED, self.path, exc)
            for suffix in ("", "-wal", "-shm"):
                Path(f"{self.path}{suffix}").unlink(missing_ok=True)
            return self._prepared(self._connect(), check=False)

    @staticmethod
    def _prepared(db: sqlite3.Connection, check: bool) -> sqlite3.Connection:
        """``db`` checked (sqlite's quick_check), with its tables in this row layout."""
        try:
            if check and (status := db.execute("PRAGMA quick_check").fetchone()[0]) != "ok":
                raise sqlite3.DatabaseError(status)
            db.executescript(SCHEMA)
            row = db.execute("SELECT value FROM meta WHERE name = 'format'").fetchone()
            if row is None or row[0] != FORMAT:  # another layout: start empty
                tables = db.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall()
                db.executescript("".join(f"DROP TABLE {name};" for (name,) in tables) + SCHEMA)
                db.execute("INSERT INTO meta VALUES ('format', ?)", (FORMAT,))
        except sqlite3.DatabaseError:
            db.close()
            raise
        return db

    def _next_run(self) -> int:
        with self.transaction():
            row = self.db.execute("SELECT value FROM meta WHERE name = 'run'").fetchone()
            run = int(row[0]) + 1 if row else 1
            self.db.execute("INSERT OR REPLACE INTO meta VALUES ('run', ?)", (str(run),))
        return run

    @contextlib.contextmanager
    def transaction(self, mode: str = "IMMEDIATE") -> Iterator[None]:
        """A transaction for the block (``DEFERRED`` for reads only); rolled back if it fails."""
        self.db.execute(f"BEGIN {mode}")
        try:
            yield
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        self.db.execute("COMMIT")

    def get_many(self, keys: list[str]) -> list[tuple[str, int, int, str] | None]:
        """(doc_id, n_chars, n_rows, warning) of the result stored under each key, or None; one read."""
        query = "SELECT doc_id, n_chars, n_rows, warning FROM entries WHERE key = ?"
        with self.transaction("DEFERRED"):
            return [self.db.execute(query, (key,)).fetchone() for key in keys]

    def put_many(self, items: Iterable[tuple[str, Entry]]) -> None:
        """Store results (inside the caller's :meth:`transaction`)."""
        pairs = list(items)
        small = [(k, e.doc_id, e.n_chars, e.n_rows, e.warning, self.run) for k, e in pairs]
        self.db.executemany("INSERT OR REPLACE INTO entries VALUES (?, ?, ?, ?, ?, ?)", small)
        large = [(k, e.document, e.csv, e.rows) for k, e in pairs]
        self.db.executemany("INSERT OR REPLACE INTO results VALUES (?, ?, ?, ?)", large)

    def keep(self, doc_id: str, key: str, path: str) -> str | None:
        """Keep a result in this run's output; if its doc_id is already kept, the path that gave it."""
        cursor = self.db.execute("INSERT OR IGNORE INTO temp.kept VALUES (?, ?, ?)", (doc_id, key, path))
        if cursor.rowcount == 1:
            return None
        return self.db.execute("SELECT path FROM temp.kept WHERE doc_id = ?", (doc_id,)).fetchone()[0]

    def kept(self, *columns: str) -> Iterator[tuple]:
        """``columns`` of the kept results, in doc_id order."""
        names = ", ".join(f"e.{c}" for c in columns)
        query = f"SELECT {names} FROM temp.kept k JOIN results e ON e.key = k.key ORDER BY k.doc_id"
        yield from self.db.execute(query)

    def finish(self) -> None:
        """Stamp the kept rows as used by this run and delete the rows no recent run used."""
        with self.transaction():
            kept = "SELECT key FROM temp.kept"
            self.db.execute(f"UPDATE entries SET run = ? WHERE key IN ({kept})", (self.run,))
            old = "SELECT key FROM entries WHERE run <= ?"
            self.db.execute(f"DELETE FROM results WHERE key IN ({old})", (self.run - KEEP_RUNS,))
            self.db.execute("DELETE FROM entries WHERE run <= ?", (self.run - KEEP_RUNS,))

    def close(self) -> None:
        self.db.close()
