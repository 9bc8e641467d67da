"""The incremental-run cache: each document's facts, keyed by its content hash and the extractor version.

``make data`` and ``borderdata extract`` look every document up here before extracting
it, so a run after adding one article re-extracts that article only. A key is the
sha256 of everything the facts of one document depend on (its bytes, file name,
manifest row or metadata); entries live under a folder named after
:data:`EXTRACTOR_VERSION`, a hash of the extractor's own source files and TOML data
computed when this module is imported, so any change to the code or the taxonomy
starts a fresh cache (older versions' folders are deleted when a cache is opened).

Layout of ``facts-<version>/``, made for a warm run to open a handful of files, not one per
document:

- ``pack-*.pack``: entries end to end, each its CSV lines (UTF-8) then its pickled rows; a
  run appends the entries it extracts to one new pack (a pack is sealed at
  :data:`PACK_BYTES` and a new one started).
- ``index.pkl``: where each key's entry is and what a run needs to sort and count it without
  reading it (:class:`Location`: pack, offset, lengths, doc_id, characters, rows), and the
  *stat index*, the sha256 of each article file's bytes with the ``os.stat`` it had when hashed. Written
  atomically (temp file, fsync, rename) at the end of a run and whenever a pack is sealed,
  so a killed run leaves the previous index (or the last checkpoint) and an unreferenced
  pack, deleted later; a missing, damaged or foreign index or pack just means misses.
  Each entry carries a CRC-32 of its bytes, checked when it is read.

A warm run reads no entry while it looks documents up: :meth:`FactCache.get` checks that the
entry's pack is there and long enough and returns a :class:`Stored` handle; the entry's bytes
are read (:meth:`FactCache.load`) only when the output is written, in ``doc_id`` order, and the
packs stay open until then, so a concurrent run's compaction cannot pull them away. An entry
found damaged then is dropped from the index and reported as :class:`CacheError`, which the
engine answers by extracting that document again.

The stat rule (git's index): a file whose size, mtime, ctime, inode and device all equal the
recorded ones is taken to hold the recorded bytes and is not read; any difference (a write,
a ``touch``, a copy, a restored mtime, which still changes the ctime) means it is read and
hashed again. A file changed less than :data:`RACY_NS` before it was hashed is not recorded
("racily clean"), since a later write in the same clock tick could keep its stat unchanged.

Bounds: an entry or stat record that none of the last :data:`KEEP_RUNS` runs used is dropped,
and a pack less than :data:`COMPACT_BELOW` live has its live entries copied into the run's new
pack and is deleted, so the cache stays within about twice the live entries of recent runs.
"""

from __future__ import annotations

import ast
import hashlib
import json
import logging
import os
import pickle
import shutil
import time
import uuid
import zlib
from collections import defaultdict
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, NamedTuple

from borderdata.corpus import RULES_ENV, Document
from borderdata.tables import atomic_path

PACKAGE_DIR = Path(__file__).resolve().parent
PACKAGE = "borderdata"
# Where the import walk starts: the modules that turn bytes into documents and documents into facts.
ROOT_MODULES = ("extract", "corpus")
# Bump when the layout of a cache entry changes.
CACHE_FORMAT = "3"
VERSION_PREFIX = "facts-"
INDEX_NAME = "index.pkl"
PACK_GLOB = "pack-*.pack"
PACK_BYTES = 64_000_000  # a pack is sealed, and the index saved, once this big
KEEP_RUNS = 5  # an entry or stat record unused by this many latest runs is dropped
COMPACT_BELOW = 0.5  # a pack with less than this share of live bytes is copied forward
RACY_NS = 2_000_000_000  # a file changed this recently is hashed again next run
ORPHAN_SECONDS = 3600  # an unreferenced pack (a killed or concurrent run's) is deleted once this old
MSG_BAD_INDEX = "ignoring unreadable cache index %s (%s): every document is looked up afresh"
MSG_BAD_ENTRY = "{pack}: the cache entry of {doc_id!r} is damaged ({reason})"


class CacheError(Exception):
    """A cache entry that was found at look-up could not be read back when the output was written."""


log = logging.getLogger(__name__)

# size, mtime_ns, ctime_ns, inode, device: what must be unchanged for a file to be trusted unread.
StatKey = tuple[int, int, int, int, int]


@dataclass(frozen=True)
class Entry:
    """One document's extraction result: its id and size, its fact rows (pickled) and the same rows as CSV.

    The rows stay pickled until a DataFrame or Parquet file needs them (:attr:`rows`): a warm
    run that writes CSV only copies the ready-made lines in :attr:`csv`.
    """

    doc_id: str
    n_chars: int
    n_rows: int
    csv: str
    packed_rows: bytes

    @classmethod
    def of(cls, doc_id: str, n_chars: int, rows: tuple[tuple, ...], csv: str) -> Entry:
        """An entry for ``rows`` (pickled here, once, in the worker that extracted them)."""
        return cls(doc_id, n_chars, len(rows), csv, pickle.dumps(rows, protocol=pickle.HIGHEST_PROTOCOL))

    @property
    def rows(self) -> tuple[tuple, ...]:
        """The fact rows, in :data:`borderdata.schema.FACT_COLUMNS` order."""
        return pickle.loads(self.packed_rows)

    def blob(self) -> tuple[bytes, int]:
        """The bytes stored in a pack (CSV lines, then the pickled rows) and the CSV part's length."""
        csv = self.csv.encode("utf-8")
        return csv + self.packed_rows, len(csv)


def _imported_modules(path: Path) -> set[str]:
    """Names of the ``borderdata`` modules that the module at ``path`` imports."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {a.name.split(".")[1] for a in node.names if a.name.startswith(PACKAGE + ".")}
        elif isinstance(node, ast.ImportFrom):
            module = node.module or ""
            if node.level == 1 and not module:
                found |= {a.name for a in node.names}
            elif node.level == 1 or module.startswith(PACKAGE + "."):
                found.add(module.removeprefix(PACKAGE + ".").split(".")[0])
            elif module == PACKAGE:
                found |= {a.name for a in node.names}
    return found


def extractor_files(package_dir: Path = PACKAGE_DIR) -> list[Path]:
    """The source files extraction depends on: modules reachable by import from extract and
    corpus, and every TOML data file of the package."""
    todo, seen = list(ROOT_MODULES), set()
    while todo:
        name = todo.pop()
        path = package_dir / f"{name}.py"
        if name in seen or not path.is_file():
            continue
        seen.add(name)
        todo.extend(_imported_modules(path))
    modules = [package_dir / f"{name}.py" for name in seen]
    return sorted(modules + list(package_dir.glob("*.toml")))


def extractor_version(package_dir: Path = PACKAGE_DIR) -> str:
    """sha256 of the extractor's source files and data (and ``$BORDERDATA_CORPUS_RULES``)."""
    digest = hashlib.sha256(f"cache-format {CACHE_FORMAT}\n".encode())
    files = extractor_files(package_dir)
    if os.environ.get(RULES_ENV):
        files.append(Path(os.environ[RULES_ENV]))
    for path in files:
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


EXTRACTOR_VERSION = extractor_version()


def _sha256(*parts: str | bytes) -> str:
    """sha256 of the parts, each followed by a NUL byte (one hash call: it runs once per document)."""
    data = [part.encode("utf-8") if isinstance(part, str) else part for part in parts]
    return hashlib.sha256(b"\0".join(data) + b"\0").hexdigest()


def content_digest(data: bytes) -> str:
    """sha256 of a file's bytes: what the stat index remembers."""
    return hashlib.sha256(data).hexdigest()


def digest_key(name: str, digest: str, manifest_row: dict[str, str] | None) -> str:
    """Key of an article file from its name, the sha256 of its bytes and its manifest row."""
    row = json.dumps(manifest_row, sort_keys=True) if manifest_row else "{}"
    return _sha256("file", name, row, digest)


def file_key(path: Path, data: bytes, manifest_row: dict[str, str] | None) -> str:
    """Key of an article file: its bytes, its name and its manifest row."""
    return digest_key(path.name, content_digest(data), manifest_row)


def stat_key(st: os.stat_result) -> StatKey:
    """The parts of a file's stat that the stat index compares."""
    return (st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino, st.st_dev)


def jsonl_key(path: Path, line: bytes) -> str:
    """Key of one archive line: the line's bytes and the archive's name."""
    return _sha256("jsonl", path.name, line)


def document_key(doc: Document) -> str:
    """Key of an already-built Document: its text and every other field but the folder."""
    meta = replace(doc, text="", path=Path(doc.path.name))
    return _sha256("doc", repr(meta), doc.text)


class Location(NamedTuple):
    """Where an entry is in the packs, the last run that used it, and what a run needs unread."""

    pack: str
    offset: int
    length: int
    run: int
    csv_length: int
    doc_id: str
    n_chars: int
    n_rows: int
    crc: int


@dataclass(slots=True)
class Stored:
    """An entry found in the cache but not read yet: sorted and counted as it is, read when written.

    ``origin`` is for the caller: what to extract again should the entry turn out damaged.
    """

    doc_id: str
    n_chars: int
    n_rows: int
    key: str
    location: Location
    origin: Any = None


@dataclass
class Index:
    """What ``index.pkl`` holds: entry locations and the stat index, each stamped with its last run."""

    run: int = 0
    entries: dict[str, Location] = field(default_factory=dict)
    stats: dict[str, tuple[StatKey, str, int]] = field(default_factory=dict)  # path -> stat, digest, run
    format: str = CACHE_FORMAT


def load_index(path: Path) -> Index:
    """The index saved at ``path``; an empty one if there is none or it cannot be read."""
    try:
        with open(path, "rb") as fh:
            index = pickle.load(fh)
    except FileNotFoundError:
        return Index()
    except Exception as exc:  # any damage to the index just means a full run
        log.warning(MSG_BAD_INDEX, path, exc)
        return Index()
    if not isinstance(index, Index) or index.format != CACHE_FORMAT:
        log.warning(MSG_BAD_INDEX, path, "not an index of this format")
        return Index()
    return index


class PackWriter:
    """A new pack file that entries are appended to, unbuffered (readable as soon as written)."""

    def __init__(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        self.name = f"pack-{time.time_ns():x}-{uuid.uuid4().hex[:8]}.pack"
        self.fd = os.open(folder / self.name, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        self.size = 0

    def write(self, blob: bytes) -> int:
        """Append ``blob``; returns its offset."""
        offset = self.size
        view = memoryview(blob)
        while view:
            view = view[os.write(self.fd, view) :]
        self.size += len(blob)
        return offset

    def seal(self) -> None:
        """Flush the pack to disk and close it (before an index may refer to it)."""
        os.fsync(self.fd)
        os.close(self.fd)


class FactCache:
    """Facts of documents on disk under ``folder/facts-<version>/``: packs of entries and an index.

    One run: :meth:`get` and :meth:`put` entries, :meth:`known_digest` and :meth:`remember`
    file hashes, then :meth:`commit` (which saves the index). Until then, the run's new
    entries are in a pack that no index refers to.
    """

    def __init__(self, folder: Path | str, version: str = EXTRACTOR_VERSION) -> None:
        self.root = Path(folder)
        self.folder = self.root / f"{VERSION_PREFIX}{version[:24]}"
        self.hits = 0
        self.misses = 0
        self._index: Index | None = None
        self._loaded_packs: set[str] = set()
        self._readers: dict[str, int] = {}
        self._pack_sizes: dict[str, int] = {}  # of the packs opened for reading; -1: missing
        self._writer: PackWriter | None = None

    @property
    def index(self) -> Index:
        """The index, loaded at the first use in a run (which then gets the next run number)."""
        if self._index is None:
            self._index = load_index(self.folder / INDEX_NAME)
            self._index.run += 1
            self._loaded_packs = {loc.pack for loc in self._index.entries.values()}
        return self._index

    def prune(self) -> None:
        """Delete the entries of other extractor versions."""
        if self.root.is_dir():
            for old in self.root.glob(f"{VERSION_PREFIX}*"):
                if old != self.folder and old.is_dir():
                    shutil.rmtree(old, ignore_errors=True)

    # --- entries

    def get(self, key: str) -> Stored | None:
        """The entry stored under ``key``, unread, or None (a missing or short pack counts as missing)."""
        index = self.index
        loc = index.entries.get(key)
        if loc is None or not self._holds(loc):
            index.entries.pop(key, None)
            self.misses += 1
            return None
        loc = index.entries[key] = loc._replace(run=index.run)
        self.hits += 1
        return Stored(loc.doc_id, loc.n_chars, loc.n_rows, key, loc)

    def load(self, stored: Stored) -> Entry:
        """The entry behind ``stored``; CacheError (and the entry dropped) if it cannot be read intact."""
        loc = stored.location
        blob = self._blob(loc)
        try:
            if blob is None:
                raise ValueError("the pack is gone or shorter")
            if zlib.crc32(blob) != loc.crc:
                raise ValueError("checksum mismatch")
            csv = blob[: loc.csv_length].decode("utf-8")
        except ValueError as exc:
            if self._index is not None and self._index.entries.get(stored.key) == loc:
                del self._index.entries[stored.key]
            reason = "its text is not UTF-8" if isinstance(exc, UnicodeDecodeError) else exc
            message = MSG_BAD_ENTRY.format(pack=self.folder / loc.pack, doc_id=loc.doc_id, reason=reason)
            raise CacheError(message) from exc
        return Entry(loc.doc_id, loc.n_chars, loc.n_rows, csv, blob[loc.csv_length :])

    def put(self, key: str, entry: Entry) -> None:
        """Append ``entry`` to this run's pack; it is found by later runs once the index is saved."""
        blob, csv_length = entry.blob()
        meta = (csv_length, entry.doc_id, entry.n_chars, entry.n_rows, zlib.crc32(blob))
        self._append(key, blob, self.index.run, meta)

    def _append(self, key: str, blob: bytes, run: int, meta: tuple[int, str, int, int, int]) -> None:
        if self._writer is None:
            self._writer = PackWriter(self.folder)
        offset = self._writer.write(blob)
        self.index.entries[key] = Location(self._writer.name, offset, len(blob), run, *meta)
        if self._writer.size >= PACK_BYTES:
            self._seal()
            self._save_index()

    def _reader(self, name: str) -> int | None:
        """An open descriptor of pack ``name`` (kept for the run), or None if it cannot be opened."""
        fd = self._readers.get(name)
        if fd is None and self._pack_sizes.get(name) != -1:
            try:
                fd = self._readers[name] = os.open(self.folder / name, os.O_RDONLY)
                self._pack_sizes[name] = os.fstat(fd).st_size
            except OSError:
                self._pack_sizes[name] = -1
        return fd

    def _holds(self, loc: Location) -> bool:
        """True if ``loc``'s pack exists and is long enough (as it was when opened in this run)."""
        if self._writer is not None and loc.pack == self._writer.name:
            return loc.offset + loc.length <= self._writer.size
        fd = self._reader(loc.pack)
        if fd is None:
            return False
        if loc.offset + loc.length > self._pack_sizes[loc.pack]:
            self._pack_sizes[loc.pack] = os.fstat(fd).st_size  # it may have grown since it was opened
        return loc.offset + loc.length <= self._pack_sizes[loc.pack]

    def _blob(self, loc: Location) -> bytes | None:
        """The raw bytes at ``loc``, or None if the pack is gone or too short."""
        fd = self._reader(loc.pack)
        try:
            blob = os.pread(fd, loc.length, loc.offset) if fd is not None else None
        except OSError:
            return None
        return blob if blob is not None and len(blob) == loc.length else None

    # --- the stat index

    def known_digest(self, path: str, st: os.stat_result) -> str | None:
        """The recorded sha256 of the file at ``path`` if its stat is unchanged, else None."""
        index = self.index
        record = index.stats.get(path)
        if record is None or record[0] != stat_key(st):
            return None
        index.stats[path] = (record[0], record[1], index.run)
        return record[1]

    def remember(self, path: str, st: os.stat_result, digest: str) -> None:
        """Record that the file at ``path``, stat'ed as ``st`` before it was read, hashes to ``digest``."""
        index = self.index
        if time.time_ns() - max(st.st_mtime_ns, st.st_ctime_ns) < RACY_NS:
            index.stats.pop(path, None)
        else:
            index.stats[path] = (stat_key(st), digest, index.run)

    # --- end of a run

    def commit(self) -> None:
        """Save what this run used and added; drop stale records, compact packs, delete dead ones."""
        if self._index is None:
            return
        index = self._index
        oldest = index.run - KEEP_RUNS + 1
        index.entries = {k: loc for k, loc in index.entries.items() if loc.run >= oldest}
        index.stats = {p: rec for p, rec in index.stats.items() if rec[2] >= oldest}
        try:
            self._compact()
            self._seal()
            self._save_index()
            self._delete_dead_packs()
        finally:
            self.close()

    def close(self) -> None:
        """Close open packs; an uncommitted run's index changes are forgotten."""
        if self._writer is not None:
            self._writer.seal()
            self._writer = None
        for fd in self._readers.values():
            os.close(fd)
        self._readers.clear()
        self._pack_sizes.clear()
        self._index = None

    def _seal(self) -> None:
        if self._writer is not None:
            self._writer.seal()
            self._writer = None

    def _save_index(self) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        with atomic_path(self.folder / INDEX_NAME) as tmp, open(tmp, "wb") as fh:
            pickle.dump(self.index, fh, protocol=pickle.HIGHEST_PROTOCOL)

    def _compact(self) -> None:
        """Copy the live entries of mostly-dead packs into this run's pack (raw bytes, no unpickling)."""
        by_pack: dict[str, list[str]] = defaultdict(list)
        live: dict[str, int] = defaultdict(int)
        entries = self.index.entries
        for key, loc in entries.items():
            by_pack[loc.pack].append(key)
            live[loc.pack] += loc.length
        current = self._writer.name if self._writer is not None else None
        for name, keys in by_pack.items():
            if name != current and live[name] < COMPACT_BELOW * _size(self.folder / name):
                for key in keys:
                    loc = entries.pop(key)
                    if (blob := self._blob(loc)) is not None:
                        self._append(key, blob, loc.run, loc[4:])

    def _delete_dead_packs(self) -> None:
        """Delete packs the saved index does not refer to: the ones this run dropped, and old orphans."""
        referenced = {loc.pack for loc in self.index.entries.values()}
        for path in self.folder.glob(PACK_GLOB):
            if path.name in referenced:
                continue
            if path.name in self._loaded_packs or time.time() - _mtime(path) > ORPHAN_SECONDS:
                path.unlink(missing_ok=True)


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def _mtime(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except OSError:
        return time.time()
