"""The incremental-run cache: each document's facts, keyed by its content hash and the extractor version.

``make data`` and ``borderdata extract`` look every document up here before extracting
it, so a run after adding one article re-extracts that article only. A key is the
sha256 of everything the facts of one document depend on (its bytes, file name,
manifest row or metadata); entries live under a folder named after
:data:`EXTRACTOR_VERSION`, a hash of the extractor's own source files and TOML data
computed when this module is imported, so any change to the code or the taxonomy
starts a fresh cache (older versions' folders are deleted when a cache is opened).
"""

from __future__ import annotations

import ast
import hashlib
import json
import os
import pickle
import shutil
import tempfile
from dataclasses import dataclass, replace
from pathlib import Path

from borderdata.corpus import RULES_ENV, Document

PACKAGE_DIR = Path(__file__).resolve().parent
PACKAGE = "borderdata"
# Where the import walk starts: the modules that turn bytes into documents and documents into facts.
ROOT_MODULES = ("extract", "corpus")
# Bump when the layout of a cache entry changes.
CACHE_FORMAT = "1"
VERSION_PREFIX = "facts-"
MSG_BAD_ENTRY = "ignoring unreadable cache entry {path}: {error}"


@dataclass(frozen=True)
class Entry:
    """One document's extraction result: its id, size, fact rows and the same rows as CSV lines."""

    doc_id: str
    n_chars: int
    rows: tuple[tuple, ...]
    csv: str


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
    digest = hashlib.sha256()
    for part in parts:
        digest.update(part.encode("utf-8") if isinstance(part, str) else part)
        digest.update(b"\0")
    return digest.hexdigest()


def file_key(path: Path, data: bytes, manifest_row: dict[str, str] | None) -> str:
    """Key of an article file: its bytes, its name and its manifest row."""
    return _sha256("file", path.name, json.dumps(manifest_row or {}, sort_keys=True), data)


def jsonl_key(path: Path, line: bytes) -> str:
    """Key of one archive line: the line's bytes and the archive's name."""
    return _sha256("jsonl", path.name, line)


def document_key(doc: Document) -> str:
    """Key of an already-built Document: its text and every other field but the folder."""
    meta = replace(doc, text="", path=Path(doc.path.name))
    return _sha256("doc", repr(meta), doc.text)


class FactCache:
    """Facts of documents on disk, one small pickle per key under ``folder/facts-<version>/``."""

    def __init__(self, folder: Path | str, version: str = EXTRACTOR_VERSION) -> None:
        self.root = Path(folder)
        self.folder = self.root / f"{VERSION_PREFIX}{version[:24]}"
        self.hits = 0
        self.misses = 0

    def prune(self) -> None:
        """Delete the entries of other extractor versions."""
        if self.root.is_dir():
            for old in self.root.glob(f"{VERSION_PREFIX}*"):
                if old != self.folder and old.is_dir():
                    shutil.rmtree(old, ignore_errors=True)

    def path(self, key: str) -> Path:
        return self.folder / key[:2] / f"{key}.pkl"

    def get(self, key: str) -> Entry | None:
        """The entry stored under ``key``, or None (a damaged entry counts as missing)."""
        try:
            with open(self.path(key), "rb") as fh:
                entry = pickle.load(fh)
        except FileNotFoundError:
            self.misses += 1
            return None
        except (OSError, EOFError, pickle.UnpicklingError, AttributeError, ValueError):
            self.misses += 1
            return None
        self.hits += 1
        return entry

    def put(self, key: str, entry: Entry) -> None:
        """Store ``entry`` atomically (temp file, then rename), so readers never see half an entry."""
        put_entry(self.folder, key, entry)


def put_entry(folder: Path, key: str, entry: Entry) -> None:
    """Write one entry under ``folder`` (a function, so worker processes can call it too)."""
    target = folder / key[:2] / f"{key}.pkl"
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            pickle.dump(entry, fh, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, target)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
