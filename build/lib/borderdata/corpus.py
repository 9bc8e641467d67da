"""Reading articles: decode files, find the article body and its metadata.

A news file carries more than the article: "Skip to content", push-notification
prompts, bylines, a repeated lede, and sometimes a list of unrelated stories
appended after the end. :func:`load_corpus` turns files into :class:`Document`
objects whose ``body_spans`` point at the article itself, with rules kept as data
in ``corpus.toml`` (see :func:`load_rules`).
"""

from __future__ import annotations

import csv
import gzip
import hashlib
import html
import json
import os
import re
import warnings
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from datetime import date
from functools import cached_property
from html.parser import HTMLParser
from pathlib import Path

from dateutil import parser as dateparser

from borderdata.config import cached_while_unchanged, project_root, read_toml

PROJECT_ROOT = project_root()  # the project folder found from the cwd (see borderdata.config)
DEFAULT_PATHS = (PROJECT_ROOT / "seeds", PROJECT_ROOT / "data" / "raw")
DEFAULT_MAX_BYTES = 20_000_000
TEXT_SUFFIXES = {".txt", ".md"}
HTML_SUFFIXES = {".html", ".htm"}
SUPPORTED_SUFFIXES = TEXT_SUFFIXES | HTML_SUFFIXES
MANIFEST_NAME = "manifest.csv"
MANIFEST_FIELDS = ("title", "outlet", "published", "author", "url")
RULES_ENV = "BORDERDATA_CORPUS_RULES"
# Files that live beside articles but are not articles.
IGNORED_NAMES = {MANIFEST_NAME, "README.md", ".gitkeep"}

MSG_EMPTY = "file is empty"
MSG_BINARY = "binary file (contains NUL bytes)"
MSG_UNDECODABLE = "cannot decode as UTF-8 or cp1252"
MSG_NOT_TEXT = "does not look like text (too many control characters)"
MSG_TOO_BIG = "file is {size:,} bytes, over the {limit:,}-byte limit"
MSG_MISSING = "no such file or folder"
MSG_UNREADABLE = "cannot read: {error}"
MSG_UNSUPPORTED = "unsupported extension {suffix!r}, skipped"
MSG_DUPLICATE = "doc_id {doc_id!r} already read from {other}"


class CorpusError(Exception):
    """A file that cannot be read as an article; the message names file and reason."""

    def __init__(self, path: Path | str, reason: str) -> None:
        self.path = Path(path)
        self.reason = reason
        super().__init__(f"{path}: {reason}")


class CorpusWarning(UserWarning):
    """Something worth knowing about a file that was still read (cp1252 fallback, skipped file)."""


@dataclass(frozen=True)
class Problem:
    """One file that was not read (``error``) or deliberately passed over (``skipped``)."""

    path: Path
    reason: str
    severity: str = "error"

    def __str__(self) -> str:
        return f"{self.severity}: {self.path}: {self.reason}"


@dataclass(frozen=True)
class Document:
    """One article: the whole decoded text, where the article is in it, and its metadata."""

    doc_id: str
    path: Path
    text: str
    body_spans: tuple[tuple[int, int], ...]
    title: str = ""
    outlet: str = ""
    published: date | None = None
    author: str = ""
    url: str = ""
    encoding: str = "utf-8"
    sha256: str = ""
    extra: dict = field(default_factory=dict, compare=False, repr=False)

    @property
    def body(self) -> str:
        """The article text alone: body spans joined by blank lines."""
        return "\n\n".join(self.text[s:e] for s, e in self.body_spans)

    @property
    def source_file(self) -> str:
        return self.path.name

    def to_record(self) -> dict:
        """The row this document contributes to ``documents.csv``."""
        return {
            "doc_id": self.doc_id,
            "source_file": self.source_file,
            "title": self.title,
            "outlet": self.outlet,
            "published": self.published.isoformat() if self.published else "",
            "author": self.author,
            "url": self.url,
            "encoding": self.encoding,
            "n_chars": len(self.text),
            "body_chars": sum(e - s for s, e in self.body_spans),
            "sha256": self.sha256,
        }


DOCUMENT_COLUMNS = (
    "doc_id",
    "source_file",
    "title",
    "outlet",
    "published",
    "author",
    "url",
    "encoding",
    "n_chars",
    "body_chars",
    "sha256",
)


# --- rules -------------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class Rules:
    """Compiled body and metadata rules (see ``corpus.toml``)."""

    furniture: tuple[re.Pattern, ...]
    prefixes: tuple[re.Pattern, ...]
    end: tuple[re.Pattern, ...]
    published: tuple[re.Pattern, ...]
    outlet: tuple[re.Pattern, ...]
    author: tuple[re.Pattern, ...]
    outlets: tuple[str, ...]
    wire_services: dict = field(default_factory=dict)

    @cached_property
    def any_furniture(self) -> _AnyOf:
        """All furniture patterns as one regex: one search a line instead of one per pattern."""
        return _union(self.furniture)

    @cached_property
    def any_end(self) -> _AnyOf:
        return _union(self.end)

    @cached_property
    def outlet_names(self) -> dict[str, str]:
        """Known outlets by their case-folded name."""
        return {name.casefold(): name for name in self.outlets}

    @cached_property
    def told_outlet(self) -> re.Pattern | None:
        """ "told CTV News": a source speaking to the outlet that publishes the story."""
        names = sorted(self.outlets, key=len, reverse=True)
        return re.compile(r"\btold (" + "|".join(re.escape(n) for n in names) + r")\b") if names else None


def _compile(patterns: Iterable[str], flags: int = 0) -> tuple[re.Pattern, ...]:
    return tuple(re.compile(p, re.IGNORECASE | flags) for p in patterns)


class _AnyOf:
    """Several line patterns searched as two regexes: the ``^``-anchored ones matched only at the
    start of the line, the rest searched through it."""

    def __init__(self, patterns: tuple[re.Pattern, ...]) -> None:
        anchored = [p.pattern for p in patterns if p.pattern.startswith("^")]
        floating = [p.pattern for p in patterns if not p.pattern.startswith("^")]
        self.anchored = re.compile("|".join(f"(?:{p})" for p in anchored) or "(?!)", re.IGNORECASE)
        self.floating = re.compile("|".join(f"(?:{p})" for p in floating) or "(?!)", re.IGNORECASE)

    def search(self, line: str) -> bool:
        return bool(self.anchored.match(line) or self.floating.search(line))


def _union(patterns: tuple[re.Pattern, ...]) -> _AnyOf:
    return _AnyOf(patterns)


@cached_while_unchanged("corpus.toml", RULES_ENV)
def load_rules(path: str | None = None) -> Rules:
    """Read the corpus rules from ``path``, ``$BORDERDATA_CORPUS_RULES`` or the packaged file."""
    raw = read_toml("corpus.toml", RULES_ENV, path)
    meta = raw.get("metadata", {})
    return Rules(
        furniture=_compile(raw.get("furniture", {}).get("lines", [])),
        prefixes=_compile(raw.get("furniture", {}).get("prefixes", [])),
        end=_compile(raw.get("end", {}).get("lines", [])),
        published=_compile(meta.get("published", []), re.MULTILINE),
        outlet=_compile(meta.get("outlet", []), re.MULTILINE),
        author=_compile(meta.get("author", []), re.MULTILINE),
        outlets=tuple(raw.get("outlets", {}).get("names", [])),
        wire_services={k.upper(): v for k, v in raw.get("outlets", {}).get("datelines", {}).items()},
    )


# --- decoding ----------------------------------------------------------------------------------


def _normalise_newlines(text: str) -> str:
    # Same as Python's universal newlines, so offsets agree with open(...).read().
    return text.replace("\r\n", "\n").replace("\r", "\n")


CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0e-\x1f]")


def decode_bytes(data: bytes, path: Path) -> tuple[str, str]:
    """Decode article bytes: UTF-8 (BOM allowed), else cp1252 with a warning; (text, encoding)."""
    if not data.strip():
        raise CorpusError(path, MSG_EMPTY)
    if b"\x00" in data:
        raise CorpusError(path, MSG_BINARY)
    if data.startswith(b"\xef\xbb\xbf"):
        text, encoding = data[3:].decode("utf-8", errors="strict"), "utf-8-sig"
    else:
        try:
            text, encoding = data.decode("utf-8"), "utf-8"
        except UnicodeDecodeError:
            try:
                text, encoding = data.decode("cp1252"), "cp1252"
            except UnicodeDecodeError as exc:
                raise CorpusError(path, MSG_UNDECODABLE) from exc
            warnings.warn(f"{path}: not UTF-8, read as cp1252", CorpusWarning, stacklevel=3)
    controls = len(CONTROL_CHARS.findall(text))
    if controls > max(8, len(text) // 100):
        raise CorpusError(path, MSG_NOT_TEXT)
    return _normalise_newlines(text), encoding


# --- HTML to text ------------------------------------------------------------------------------

_BLOCK_TAGS = {
    "p",
    "div",
    "br",
    "li",
    "ul",
    "ol",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "tr",
    "table",
    "section",
    "article",
    "header",
    "footer",
    "blockquote",
    "figcaption",
    "figure",
    "pre",
    "hr",
    "dd",
    "dt",
    "aside",
    "nav",
    "main",
    "title",
}
_HIDDEN_TAGS = {"script", "style", "noscript", "template", "svg", "head", "iframe", "object"}


class _TextExtractor(HTMLParser):
    """Visible text of an HTML page, one block element a line, plus its meta tags."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.meta: dict[str, str] = {}
        self.title_parts: list[str] = []
        self._hidden = 0
        self._in_title = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "meta":
            a = {k.lower(): (v or "") for k, v in attrs}
            key = (a.get("property") or a.get("name") or a.get("itemprop") or "").lower()
            if key and a.get("content") and key not in self.meta:
                self.meta[key] = a["content"].strip()
        elif tag == "time":
            a = {k.lower(): (v or "") for k, v in attrs}
            if a.get("datetime"):
                self.meta.setdefault("time", a["datetime"])
        if tag == "title":
            self._in_title = True
        if tag in _HIDDEN_TAGS:
            self._hidden += 1
        elif tag in _BLOCK_TAGS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self._in_title = False
        if tag in _HIDDEN_TAGS:
            self._hidden = max(0, self._hidden - 1)
        elif tag in _BLOCK_TAGS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title_parts.append(data)
        elif not self._hidden:
            self.parts.append(data)

    def text(self) -> str:
        joined = "".join(self.parts).replace("\xa0", " ")
        lines = (re.sub(r"[ \t\f\v]+", " ", line).strip() for line in joined.split("\n"))
        return "\n\n".join(line for line in lines if line) + "\n"


def html_to_text(markup: str) -> tuple[str, dict[str, str]]:
    """Visible text of an HTML page (scripts, styles and head dropped) and its metadata."""
    extractor = _TextExtractor()
    extractor.feed(markup)
    extractor.close()
    meta = dict(extractor.meta)
    title = html.unescape(" ".join("".join(extractor.title_parts).split()))
    if title:
        meta.setdefault("html_title", title)
    return extractor.text(), meta


# --- body detection ----------------------------------------------------------------------------


def iter_lines(text: str) -> Iterator[tuple[int, int]]:
    """(start, end) of every non-blank line, surrounding whitespace excluded."""
    for m in re.finditer(r"[^\n]+", text):
        s, e = m.span()
        while s < e and text[s].isspace():
            s += 1
        while e > s and text[e - 1].isspace():
            e -= 1
        if s < e:
            yield s, e


def _paragraph_key(line: str) -> str:
    # "Headline | Site" and "Headline" are the same paragraph.
    line = re.sub(r"\s+\|\s+[^|]{1,40}$", "", line)
    return " ".join(line.split()).casefold()


def _is_headline(line: str) -> bool:
    words = line.split()
    return 3 <= len(words) <= 30 and len(line) <= 200 and not re.search(r"[.!?:;,\"”’]$", line)


def find_body(text: str, rules: Rules | None = None) -> tuple[tuple[int, int], ...]:
    """The spans of ``text`` that are the article: furniture out, duplicates once, stop at the end marker."""
    rules = rules or load_rules()
    spans: list[tuple[int, int]] = []
    seen: set[str] = set()
    for s, e in iter_lines(text):
        line = text[s:e]
        if rules.any_end.search(line):
            break
        if (
            rules.any_furniture.search(line)
            or line.casefold() in rules.outlet_names
            or _is_byline(line, rules)
        ):
            continue
        for prefix in rules.prefixes:
            m = prefix.match(line)
            if m:
                s += m.end()
                line = text[s:e]
        suffix = re.search(r"\s+\|\s+[^|]{1,40}$", line)
        if suffix and not spans and _is_headline(line[: suffix.start()]):
            e = s + suffix.start()
        key = _paragraph_key(text[s:e])
        if not key or key in seen:
            continue
        seen.add(key)
        spans.append((s, e))
    return tuple(spans)


# "Jim Bronskill, The Canadian Press", "By Maria Lopez | Associated Press".
BYLINE = re.compile(r"(?:By\s+)?([A-Z][\w.'’-]+(?:\s+[A-Z][\w.'’-]+){1,3})\s*(?:,|\||—|–)\s+(.+)")
# "WASHINGTON (AP) —", "OTTAWA (CP) --": a wire service's dateline.
DATELINE = re.compile(r"^[A-Z][A-Z .,'’-]{2,40}\((\w{2,8})\)\s*(?:—|–|--|-)", re.MULTILINE)


def _is_byline(line: str, rules: Rules) -> bool:
    """'Jim Bronskill, The Canadian Press': a name, a comma, a known outlet."""
    m = BYLINE.fullmatch(line)
    return bool(m) and m.group(2).casefold() in rules.outlet_names


# --- metadata ----------------------------------------------------------------------------------


def parse_date(raw: str) -> date | None:
    """A calendar date from 'September 17, 2025', '2025-02-01', 'Sept. 17 2025'; None if unclear."""
    raw = raw.strip().rstrip(".")
    if not re.search(r"\d{4}", raw):
        return None
    try:
        return dateparser.parse(raw.replace("Sept.", "Sep."), fuzzy=False).date()
    except (ValueError, OverflowError):
        return None


def _header_lines(text: str, rules: Rules) -> list[str]:
    """Lines before the end-of-article marker: the only place metadata may come from."""
    lines = []
    for s, e in iter_lines(text):
        line = text[s:e]
        if rules.any_end.search(line):
            break
        lines.append(line)
    return lines


def _first_group(patterns: Iterable[re.Pattern], lines: list[str]) -> str:
    """Group 1 of the first pattern (in order) that matches a line (patterns are line-anchored)."""
    joined = "\n".join(lines)
    for pattern in patterns:
        m = pattern.search(joined)
        if m:
            return m.group(1).strip()
    return ""


def detect_published(lines: list[str], rules: Rules) -> date | None:
    """The article's own date from header/credit lines; never a date that is merely in the story."""
    joined = "\n".join(lines)
    for pattern in rules.published:
        for m in pattern.finditer(joined):
            if found := parse_date(m.group(1)):
                return found
    return None


def detect_outlet(lines: list[str], rules: Rules) -> str:
    """Outlet from 'Source Feed:', a credit line, a byline, a sign-off line or 'told <Outlet>'."""
    found = _first_group(rules.outlet, lines)
    if found:
        return found
    by_fold = rules.outlet_names
    for line in lines:
        if line.casefold() in by_fold:
            return by_fold[line.casefold()]
        m = BYLINE.fullmatch(line)
        if m and m.group(2).casefold() in by_fold:
            return by_fold[m.group(2).casefold()]
    joined = "\n".join(lines)
    dateline = DATELINE.search(joined)
    if dateline and dateline.group(1).upper() in rules.wire_services:
        return rules.wire_services[dateline.group(1).upper()]
    told = rules.told_outlet.search(joined) if rules.told_outlet else None
    return told.group(1) if told else ""


def detect_author(lines: list[str], rules: Rules) -> str:
    """Author from 'Author:', 'By Name' or a 'Name, Outlet' byline."""
    found = _first_group(rules.author, lines)
    if found:
        return found
    for line in lines:
        if _is_byline(line, rules):
            return line.split(",")[0].strip()
    return ""


def detect_title(text: str, spans: tuple[tuple[int, int], ...]) -> str:
    """The headline: the first body line when it reads like one (short, no closing punctuation)."""
    if not spans:
        return ""
    first = text[spans[0][0] : spans[0][1]]
    return first if _is_headline(first) else ""


# --- reading files -----------------------------------------------------------------------------


def read_manifest(folder: Path) -> dict[str, dict[str, str]]:
    """``manifest.csv`` rows by file name: metadata that overrides what was detected."""
    path = folder / MANIFEST_NAME
    if not path.is_file():
        return {}
    with path.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    return {row["file"].strip(): row for row in rows if row.get("file")}


def apply_manifest(doc: Document, row: dict[str, str] | None) -> Document:
    """``doc`` with the non-empty cells of its ``manifest.csv`` row in place of what was detected."""
    if not row:
        return doc
    changes: dict = {}
    for name in MANIFEST_FIELDS:
        value = (row.get(name) or "").strip()
        if value:
            changes[name] = parse_date(value) if name == "published" else value
    return replace(doc, **changes)


def read_document(path: Path, *, max_bytes: int = DEFAULT_MAX_BYTES, rules: Rules | None = None) -> Document:
    """Read one article file into a Document; raises CorpusError naming the file and the reason."""
    return document_from_bytes(path, read_source_bytes(path, max_bytes=max_bytes), rules=rules)


def read_source_bytes(path: Path, *, max_bytes: int = DEFAULT_MAX_BYTES) -> bytes:
    """The raw bytes of an article file; raises CorpusError if missing, unreadable or too big."""
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise CorpusError(path, MSG_TOO_BIG.format(size=size, limit=max_bytes))
        return path.read_bytes()
    except FileNotFoundError as exc:
        raise CorpusError(path, MSG_MISSING) from exc
    except (PermissionError, IsADirectoryError, OSError) as exc:
        if isinstance(exc, CorpusError):
            raise
        raise CorpusError(path, MSG_UNREADABLE.format(error=exc.strerror or exc)) from exc


def document_from_bytes(path: Path, data: bytes, *, rules: Rules | None = None) -> Document:
    """A Document from the bytes of the file at ``path`` (decoded, HTML made text, body found)."""
    rules = rules or load_rules()
    text, encoding = decode_bytes(data, path)
    meta: dict[str, str] = {}
    if path.suffix.lower() in HTML_SUFFIXES:
        text, meta = html_to_text(text)
        if not text.strip():
            raise CorpusError(path, MSG_EMPTY + " (no visible text)")
    return build_document(
        path.stem,
        path,
        text,
        encoding=encoding,
        sha256=hashlib.sha256(data).hexdigest(),
        meta=meta,
        rules=rules,
    )


def build_document(
    doc_id: str,
    path: Path,
    text: str,
    *,
    encoding: str = "utf-8",
    sha256: str = "",
    meta: dict[str, str] | None = None,
    rules: Rules | None = None,
) -> Document:
    """A Document from already-decoded text: body spans and metadata detected, ``meta`` winning."""
    rules = rules or load_rules()
    meta = meta or {}
    spans = find_body(text, rules)
    lines = _header_lines(text, rules)
    published = None
    for key in ("article:published_time", "datepublished", "date", "pubdate", "time", "published"):
        if meta.get(key) and (published := parse_date(meta[key][:10] if "T" in meta[key] else meta[key])):
            break
    return Document(
        doc_id=doc_id,
        path=path,
        text=text,
        body_spans=spans,
        title=meta.get("og:title")
        or meta.get("title")
        or meta.get("html_title")
        or detect_title(text, spans),
        outlet=meta.get("og:site_name") or meta.get("outlet") or detect_outlet(lines, rules),
        published=published or detect_published(lines, rules),
        author=meta.get("author") or detect_author(lines, rules),
        url=meta.get("og:url") or meta.get("url") or "",
        encoding=encoding,
        sha256=sha256 or hashlib.sha256(text.encode("utf-8")).hexdigest(),
    )


# --- newline-delimited JSON archives -----------------------------------------------------------
# News archives ship as .jsonl or .jsonl.gz: one article a line, {"id", "text"} plus optional
# "title", "outlet", "published", "url". Each record becomes a Document whose path is the
# archive and whose offsets refer to the record's "text", exactly as given.

JSONL_SUFFIXES = (".jsonl", ".jsonl.gz")
JSONL_META_FIELDS = ("title", "outlet", "published", "url")
MSG_JSONL_LINE = "line {lineno}: {reason}"
MSG_JSONL_JSON = "not valid JSON ({error})"
MSG_JSONL_OBJECT = "not a JSON object"
MSG_JSONL_ID = "missing or empty 'id'"
MSG_JSONL_TEXT = "missing or empty 'text'"
MSG_JSONL_FIELD = "{field!r} is not a string"
MSG_JSONL_TOO_BIG = "record is {size:,} bytes, over the {limit:,}-byte limit"
MSG_GZIP = "cannot decompress: {error}"


def is_jsonl(path: Path) -> bool:
    """True for ``.jsonl`` and ``.jsonl.gz`` archives."""
    return path.name.lower().endswith(JSONL_SUFFIXES)


def iter_jsonl_lines(path: Path) -> Iterator[tuple[int, bytes]]:
    """(line number, raw bytes) of every non-blank line; CorpusError if the file cannot be read."""
    opener = gzip.open if path.name.lower().endswith(".gz") else open
    try:
        with opener(path, "rb") as fh:
            for lineno, line in enumerate(fh, start=1):
                if line.strip():
                    yield lineno, line
    except FileNotFoundError as exc:
        raise CorpusError(path, MSG_MISSING) from exc
    except (gzip.BadGzipFile, EOFError, zlib.error) as exc:
        raise CorpusError(path, MSG_GZIP.format(error=exc)) from exc
    except OSError as exc:
        raise CorpusError(path, MSG_UNREADABLE.format(error=exc.strerror or exc)) from exc


def _jsonl_error(path: Path, lineno: int, reason: str) -> CorpusError:
    return CorpusError(path, MSG_JSONL_LINE.format(lineno=lineno, reason=reason))


def document_from_jsonl(
    path: Path,
    lineno: int,
    line: bytes | str,
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
    rules: Rules | None = None,
) -> Document:
    """The Document of one archive line; CorpusError naming the file and the line if it is bad."""
    if len(line) > max_bytes:
        raise _jsonl_error(path, lineno, MSG_JSONL_TOO_BIG.format(size=len(line), limit=max_bytes))
    try:
        record = json.loads(line)
    except (ValueError, UnicodeDecodeError) as exc:
        raise _jsonl_error(path, lineno, MSG_JSONL_JSON.format(error=exc)) from exc
    if not isinstance(record, dict):
        raise _jsonl_error(path, lineno, MSG_JSONL_OBJECT)
    doc_id, text = record.get("id"), record.get("text")
    if isinstance(doc_id, bool) or not isinstance(doc_id, str | int) or not str(doc_id).strip():
        raise _jsonl_error(path, lineno, MSG_JSONL_ID)
    if not isinstance(text, str) or not text.strip():
        raise _jsonl_error(path, lineno, MSG_JSONL_TEXT)
    meta: dict[str, str] = {}
    for name in JSONL_META_FIELDS:
        value = record.get(name)
        if value is not None and not isinstance(value, str):
            raise _jsonl_error(path, lineno, MSG_JSONL_FIELD.format(field=name))
        if value and value.strip():
            meta[name] = value.strip()
    return build_document(str(doc_id).strip(), path, text, meta=meta, rules=rules)


def iter_jsonl_documents(
    path: Path, problems: list[Problem], *, max_bytes: int = DEFAULT_MAX_BYTES, rules: Rules | None = None
) -> Iterator[Document]:
    """Documents of an archive, one per line; a bad line becomes a Problem and the rest are read."""
    rules = rules or load_rules()
    try:
        for lineno, line in iter_jsonl_lines(path):
            try:
                yield document_from_jsonl(path, lineno, line, max_bytes=max_bytes, rules=rules)
            except CorpusError as exc:
                problems.append(Problem(exc.path, exc.reason))
    except CorpusError as exc:
        problems.append(Problem(exc.path, exc.reason))


# Each supported suffix has one dot: endswith agrees with Path.suffix for a name not starting with ".".
ACCEPTED_ENDINGS = (*sorted(SUPPORTED_SUFFIXES), *JSONL_SUFFIXES)


def files_under(folder: Path) -> list[Path]:
    """Every regular file below ``folder`` (symlinked folders not followed), in sorted-path order.

    ``os.scandir`` (file types without a stat each) and string sorting: listing a
    10,000-file archive is a large part of an incremental run, and ``Path.rglob`` plus
    sorting ``Path`` objects costs several times more.
    """
    found: list[tuple[tuple[str, ...], str]] = []
    pending: list[tuple[tuple[str, ...], str]] = [((), str(folder))]
    while pending:
        parts, directory = pending.pop()
        with os.scandir(directory) as entries:
            for entry in entries:
                if entry.is_dir(follow_symlinks=False):
                    pending.append(((*parts, entry.name), entry.path))
                elif entry.is_file():
                    found.append(((*parts, entry.name), entry.path))
    found.sort()
    return [Path(full) for _, full in found]


def iter_paths(paths: Iterable[Path | str], problems: list[Problem]) -> Iterator[Path]:
    """Article files under ``paths`` (folders searched recursively), sorted; notes what is skipped."""
    for raw in paths:
        path = Path(raw)
        if not path.exists():
            problems.append(Problem(path, MSG_MISSING))
            continue
        candidates = files_under(path) if path.is_dir() else [path]
        for candidate in candidates:
            name = candidate.name  # string tests: this loop runs once per file of an archive
            if name in IGNORED_NAMES or name.startswith("."):
                continue
            if not name.lower().endswith(ACCEPTED_ENDINGS):
                problems.append(
                    Problem(candidate, MSG_UNSUPPORTED.format(suffix=candidate.suffix), "skipped")
                )
                continue
            yield candidate


@dataclass(frozen=True)
class Source:
    """One document's input, read but not yet parsed: an article file's bytes or one archive line.

    :meth:`document` builds the Document; :attr:`key` is a hash of everything the Document
    is made from (the bytes, the file name, the manifest row), what a cache of results keys on.
    """

    path: Path
    data: bytes
    lineno: int = 0  # the line of a .jsonl(.gz) archive; 0 for an article file
    manifest: tuple[tuple[str, str], ...] = ()  # the file's manifest.csv row

    @property
    def key(self) -> str:
        parts = [str(self.lineno), self.path.name, json.dumps(self.manifest)]
        return hashlib.sha256(
            "\0".join(parts).encode("utf-8", "surrogatepass") + b"\0" + self.data
        ).hexdigest()

    def document(self, *, max_bytes: int = DEFAULT_MAX_BYTES, rules: Rules | None = None) -> Document:
        """The Document of this input; CorpusError naming the file (and line) if it is bad."""
        if self.lineno:
            return document_from_jsonl(self.path, self.lineno, self.data, max_bytes=max_bytes, rules=rules)
        return apply_manifest(document_from_bytes(self.path, self.data, rules=rules), dict(self.manifest))


def iter_sources(
    paths: Iterable[Path | str] | None, problems: list[Problem], *, max_bytes: int = DEFAULT_MAX_BYTES
) -> Iterator[Source]:
    """Every input under ``paths`` (default ``seeds/`` and ``data/raw/``) in reading order, read but
    not parsed; files that cannot be read go to ``problems``. The one walker of the inputs."""
    manifests: dict[Path, dict[str, dict[str, str]]] = {}
    for path in iter_paths(paths if paths is not None else DEFAULT_PATHS, problems):
        if is_jsonl(path):
            try:
                for lineno, line in iter_jsonl_lines(path):
                    yield Source(path, line, lineno)
            except CorpusError as exc:
                problems.append(Problem(exc.path, exc.reason))
            continue
        try:
            data = read_source_bytes(path, max_bytes=max_bytes)
        except CorpusError as exc:
            problems.append(Problem(exc.path, exc.reason))
            continue
        if path.parent not in manifests:
            manifests[path.parent] = read_manifest(path.parent)
        row = manifests[path.parent].get(path.name) or {}
        yield Source(path, data, manifest=tuple(sorted((k, v or "") for k, v in row.items() if k)))


def iter_documents(
    paths: Iterable[Path | str] | None = None,
    *,
    problems: list[Problem] | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> Iterator[Document]:
    """Documents one at a time (for streaming); problems are appended to ``problems`` or warned."""
    sink: list[Problem] = [] if problems is None else problems
    rules = load_rules()
    seen: dict[str, Path] = {}
    before = len(sink)
    for source in iter_sources(paths, sink, max_bytes=max_bytes):
        try:
            doc = source.document(max_bytes=max_bytes, rules=rules)
        except CorpusError as exc:
            sink.append(Problem(exc.path, exc.reason))
            continue
        if doc.doc_id in seen:
            sink.append(Problem(source.path, MSG_DUPLICATE.format(doc_id=doc.doc_id, other=seen[doc.doc_id])))
            continue
        seen[doc.doc_id] = source.path
        yield doc
    if problems is None:
        for problem in sink[before:]:
            warnings.warn(str(problem), CorpusWarning, stacklevel=2)


def load_corpus(
    paths: Iterable[Path | str] | None = None,
    *,
    problems: list[Problem] | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> list[Document]:
    """Read articles from files and folders (default ``seeds/`` and ``data/raw/``), sorted by doc_id.

    Files that cannot be read are reported in ``problems`` (or as warnings when no
    list is given) and the rest are still read.

    >>> docs = load_corpus([PROJECT_ROOT / "seeds"])
    >>> docs[0].doc_id
    '000_aa62385b73de1dec'
    """
    docs = list(iter_documents(paths, problems=problems, max_bytes=max_bytes))
    return sorted(docs, key=lambda d: d.doc_id)
