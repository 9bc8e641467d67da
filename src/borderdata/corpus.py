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
import io
import json
import os
import posixpath
import re
import stat
import warnings
import zlib
from collections.abc import Iterable, Iterator
from configparser import ConfigParser
from dataclasses import dataclass, field, replace
from datetime import date
from functools import cached_property, lru_cache
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
MSG_OVER_LIMIT = "file is over the {limit:,}-byte limit"
MSG_MISSING = "no such file or folder"
MSG_UNREADABLE = "cannot read: {error}"
MSG_UNREADABLE_FOLDER = "cannot read folder: {error}"
MSG_NOT_REGULAR = "not a regular file ({kind}), not read"
MSG_LINK_OUTSIDE = "symbolic link to {target} outside {root}, not followed"
MSG_LINK_FOLDER = "symbolic link to a folder, not followed"
MSG_BAD_NAME = "file name is not valid UTF-8, not read (rename the file)"
MSG_BOM_INVALID = "starts with a {encoding} byte-order mark but is not valid {encoding} ({error})"
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
        return printable(f"{self.severity}: {self.path}: {self.reason}")


def _escape_char(char: str) -> str:
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"


NOT_PRINTABLE = re.compile(r"[^\x20-\x7e\u00a0-\u00ac\u00ae-\u05ff]")  # the common printable range


def printable(text: str) -> str:
    """``text`` safe for a terminal: every character that is not printable (escape sequences,
    control, format and direction-override characters, lone surrogates) written as ``\\xNN``."""
    return NOT_PRINTABLE.sub(
        lambda m: m.group() if m.group().isprintable() else _escape_char(m.group()), text
    )


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
    timezones: dict = field(default_factory=dict)

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
        timezones={k.upper(): int(v * 3600) for k, v in meta.get("timezones", {}).items()},
    )


# --- decoding ----------------------------------------------------------------------------------


def _normalise_newlines(text: str) -> str:
    # Same as Python's universal newlines, so offsets agree with open(...).read().
    return text.replace("\r\n", "\n").replace("\r", "\n")


CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0e-\x1f]")


# Byte-order marks, longest first: the UTF-32 LE mark begins with the UTF-16 LE one.
BOMS = (
    (b"\x00\x00\xfe\xff", "utf-32-be", "utf-32"),
    (b"\xff\xfe\x00\x00", "utf-32-le", "utf-32"),
    (b"\xef\xbb\xbf", "utf-8-sig", "utf-8-sig"),
    (b"\xfe\xff", "utf-16-be", "utf-16"),
    (b"\xff\xfe", "utf-16-le", "utf-16"),
)


def _decode_with_bom(data: bytes, path: Path) -> tuple[str, str] | None:
    """(text, encoding) for bytes starting with a byte-order mark; None without one."""
    for mark, name, codec in BOMS:
        if data.startswith(mark):
            try:
                return data.decode(codec), name
            except UnicodeDecodeError as exc:
                label = name.upper().removesuffix("-SIG").removesuffix("-BE").removesuffix("-LE")
                reason = f"byte {exc.start}: {exc.reason}"
                raise CorpusError(path, MSG_BOM_INVALID.format(encoding=label, error=reason)) from exc
    return None


def decode_bytes(data: bytes, path: Path) -> tuple[str, str]:
    """Decode article bytes: by their byte-order mark (UTF-8, -16 or -32), else UTF-8, else cp1252
    with a warning; (text, encoding)."""
    if not data.strip():
        raise CorpusError(path, MSG_EMPTY)
    decoded = _decode_with_bom(data, path)
    if decoded:
        text, encoding = decoded
    elif b"\x00" in data:
        raise CorpusError(path, MSG_BINARY)
    else:
        try:
            text, encoding = data.decode("utf-8"), "utf-8"
        except UnicodeDecodeError as exc:
            try:
                text, encoding = data.decode("cp1252"), "cp1252"
            except UnicodeDecodeError:
                raise CorpusError(path, MSG_UNDECODABLE) from exc
            warnings.warn(printable(f"{path}: not UTF-8, read as cp1252"), CorpusWarning, stacklevel=3)
    if not text.strip():
        raise CorpusError(path, MSG_EMPTY)
    controls = len(CONTROL_CHARS.findall(text))
    if controls > max(8, len(text) // 100):
        raise CorpusError(path, MSG_NOT_TEXT)
    return _normalise_newlines(text), encoding


# Control characters (C0 but tab, newline, form feed, CR; DEL; C1) become spaces in a Document's
# text and metadata: one character for one, so offsets into the text stay exact, and no table
# cell ever holds a NUL or a terminal escape sequence.
CONTROLS_TO_BLANK = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f]")


def blank_controls(text: str) -> str:
    """``text`` with each control character replaced by one space (same length)."""
    return CONTROLS_TO_BLANK.sub(" ", text) if CONTROLS_TO_BLANK.search(text) else text


# --- HTML to text ------------------------------------------------------------------------------
# trafilatura finds the article in a page (navigation, cookie banners, "Subscribe for $1 a
# month" and footers left out) with lxml's parser, which is linear on hostile markup, and takes
# its metadata (htmldate for the date). The extracted text is the Document's text: every offset
# refers to it.

HTML_META_FIELDS = {
    "title": "title",
    "sitename": "outlet",
    "date": "published",
    "author": "author",
    "url": "url",
}


@lru_cache(maxsize=1)
def _trafilatura_config() -> ConfigParser:
    """trafilatura's settings, except that a short article is still taken from the article.

    Below ``MIN_EXTRACTED_SIZE`` characters (250 by default) trafilatura falls back to a
    baseline that puts every inline element on a line of its own ("bought / 12 / drones"),
    which cuts numbers from their units; a short news item is still a news item.
    """
    from trafilatura.settings import use_config

    config = use_config()
    config.set("DEFAULT", "MIN_EXTRACTED_SIZE", "1")
    config.set("DEFAULT", "MIN_OUTPUT_SIZE", "1")
    return config


def html_to_text(markup: str) -> tuple[str, dict[str, str]]:
    """The article text of an HTML page (one paragraph a line, blank lines between) and its
    metadata (``title``, ``outlet``, ``published``, ``author``, ``url`` when the page has them)."""
    import trafilatura  # imported here: a corpus without HTML never pays for lxml

    found = trafilatura.bare_extraction(
        markup,
        with_metadata=True,
        include_comments=False,
        include_tables=True,
        deduplicate=False,
        config=_trafilatura_config(),
    )
    if found is None:
        return "", {}
    record = found if isinstance(found, dict) else found.as_dict()
    meta = {
        ours: str(record[theirs]).strip() for theirs, ours in HTML_META_FIELDS.items() if record.get(theirs)
    }
    lines = (" ".join(line.split()) for line in (record.get("text") or "").split("\n"))
    return "\n\n".join(line for line in lines if line) + "\n", meta


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
    return m is not None and m.group(2).casefold() in rules.outlet_names


# --- metadata ----------------------------------------------------------------------------------


def parse_date(raw: str) -> date | None:
    """A calendar date from 'September 17, 2025', '2025-02-01', 'Sept. 17 2025'; None if unclear."""
    raw = raw.strip().rstrip(".")
    if not re.search(r"\d{4}", raw):
        return None
    try:
        parsed = dateparser.parse(raw.replace("Sept.", "Sep."), fuzzy=False, tzinfos=load_rules().timezones)
    except (ValueError, OverflowError):
        return None
    return parsed.date()


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


MSG_MANIFEST_HEADER = "no 'file' column (header: {header:.200}); manifest not applied"
MSG_MANIFEST_CELLS = "line {line}: expected {expected} cells, found {found}; row not applied"
MSG_MANIFEST_CSV = "line {line}: {error}; row not applied"
MSG_MANIFEST_NO_FILE = "line {line}: names no file ({file!r})"
MSG_MANIFEST_OUTSIDE = "line {line}: {file!r} is outside the manifest's folder; row not applied"
MSG_MANIFEST_CP1252 = "not UTF-8, read as cp1252"


class Manifests:
    """The ``manifest.csv`` files of the input folders, each read once when first needed.

    A manifest names files by their path relative to its own folder (``cbc.txt``,
    ``jan2025/cbc.txt``); the nearest manifest that names a file, from the file's folder up
    to the input folder it was found in, gives its metadata. Bad manifests and rows go to
    ``problems``: one message each, naming the manifest, the line and the reason.
    """

    def __init__(self, roots: Iterable[Path | str], problems: list[Problem]) -> None:
        self.roots = sorted({os.path.normpath(r) for r in roots}, key=len, reverse=True)
        self.problems = problems
        self.by_folder: dict[str, dict[str, dict[str, str]]] = {}
        self.with_rows: dict[str, list[str]] = {}  # a file's folder: the folders above with manifest rows

    def row(self, path: Path) -> dict[str, str] | None:
        """The manifest row that names ``path``, or None."""
        name = str(path)
        folder = os.path.dirname(name)
        if folder not in self.with_rows:  # once per folder: most archive folders have no manifest
            self.with_rows[folder] = [f for f in self._folders(name) if self.rows(f)]
        for above in self.with_rows[folder]:
            found = self.by_folder[above].get(os.path.relpath(name, above).replace(os.sep, "/"))
            if found:
                return found
        return None

    def _folders(self, name: str) -> list[str]:
        """``name``'s folder and its parents up to the input folder it is in (only its own if none)."""
        folder = os.path.dirname(name)
        root = self._root_of(name)
        folders = [folder]
        while root is not None and len(folder) > len(root):
            folder = os.path.dirname(folder)
            folders.append(folder)
        return folders

    def _root_of(self, name: str) -> str | None:
        """The deepest input folder holding the file ``name`` ("" for the current folder)."""
        for root in self.roots:
            if root == ".":
                if not os.path.isabs(name) and not name.startswith(".."):
                    return ""
            elif name.startswith(root if root.endswith(os.sep) else root + os.sep):
                return root
        return None

    def rows(self, folder: str) -> dict[str, dict[str, str]]:
        """The rows of ``folder``'s manifest by relative file path (empty if it has none)."""
        if folder not in self.by_folder:
            self.by_folder[folder] = read_manifest(Path(folder or "."), self.problems)
        return self.by_folder[folder]


def read_manifest(folder: Path, problems: list[Problem] | None = None) -> dict[str, dict[str, str]]:
    """``manifest.csv`` rows by the relative path of the file they name: metadata that overrides
    what was detected. Problems (unreadable, malformed rows, rows naming no file) go to
    ``problems``, or are warned without a list; the other rows still apply."""
    sink: list[Problem] = [] if problems is None else problems
    before = len(sink)
    path = folder / MANIFEST_NAME
    rows: dict[str, dict[str, str]] = {}
    if os.path.islink(path) and (outside := _outside(path, folder)):
        sink.append(Problem(path, outside, "skipped"))
    elif os.path.lexists(path):
        rows = _manifest_rows(path, sink)
    if problems is None:
        for problem in sink[before:]:
            warnings.warn(str(problem), CorpusWarning, stacklevel=2)
    return rows


def _manifest_text(path: Path, problems: list[Problem]) -> str | None:
    try:
        data = read_source_bytes(path)
        decoded = _decode_with_bom(data, path)
    except CorpusError as exc:
        problems.append(Problem(exc.path, exc.reason))
        return None
    if decoded:
        return _normalise_newlines(decoded[0])
    try:
        return _normalise_newlines(data.decode("utf-8"))
    except UnicodeDecodeError:
        problems.append(Problem(path, MSG_MANIFEST_CP1252, "warning"))
        return _normalise_newlines(data.decode("cp1252", errors="replace"))


def _manifest_rows(path: Path, problems: list[Problem]) -> dict[str, dict[str, str]]:
    text = _manifest_text(path, problems)
    if text is None:
        return {}
    reader = csv.reader(io.StringIO(text, newline=""))
    found: dict[str, dict[str, str]] = {}
    rows = rows_or_errors(reader)
    first = next(rows, [])
    header = [] if isinstance(first, csv.Error) else [h.strip().lower() for h in first]
    if "file" not in header:
        problems.append(Problem(path, MSG_MANIFEST_HEADER.format(header=",".join(header))))
        return {}
    line = reader.line_num + 1
    for cells in rows:
        start, line = line, reader.line_num + 1
        if isinstance(cells, csv.Error):
            problems.append(Problem(path, MSG_MANIFEST_CSV.format(line=start, error=cells)))
        elif any(c.strip() for c in cells):
            _add_manifest_row(path, start, header, cells, found, problems)
    return found


def rows_or_errors(reader: Iterator[list[str]]) -> Iterator[list[str] | csv.Error]:
    """A CSV reader's rows; a row it cannot parse (a cell over the csv module's size limit) as its
    error, after which the reader goes on with the next line."""
    while True:
        try:
            yield next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            yield error


def _add_manifest_row(
    path: Path, line: int, header: list[str], cells: list[str], found: dict, problems: list[Problem]
) -> None:
    """Check one manifest row and file it under the relative path it names."""
    where = {"line": line}
    if len(cells) != len(header):
        problems.append(
            Problem(path, MSG_MANIFEST_CELLS.format(**where, expected=len(header), found=len(cells)))
        )
        return
    row = {k: blank_controls(v.strip()) for k, v in zip(header, cells, strict=True)}
    name = row.get("file", "").replace("\\", "/")
    if not name:
        return
    relative = posixpath.normpath(name)
    if relative.startswith(("/", "../")) or relative == "..":
        problems.append(Problem(path, MSG_MANIFEST_OUTSIDE.format(**where, file=name)))
        return
    if not os.path.lexists(path.parent / relative):
        problems.append(Problem(path, MSG_MANIFEST_NO_FILE.format(**where, file=name), "warning"))
    found[relative] = row


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


def read_source_bytes(path: Path, *, max_bytes: int = DEFAULT_MAX_BYTES, typed: bool = False) -> bytes:
    """The raw bytes of an article file; raises CorpusError if missing, unreadable, not a regular
    file (a device, FIFO or socket is refused by type before any read) or over ``max_bytes``.
    ``typed``: its folder's listing found it a regular file (see :func:`regular_fd`).

    The limit is checked on what is read (at most ``max_bytes + 1`` bytes), not on ``st_size``.
    Read with ``os.read`` on the descriptor: a file object costs more than the read itself, and an
    incremental run reads every file.
    """
    fd, size = regular_fd(path, typed=typed)
    try:
        data = read_at_most(fd, max_bytes + 1, expected=size)
    except OSError as exc:
        raise CorpusError(path, MSG_UNREADABLE.format(error=exc.strerror or exc)) from exc
    finally:
        os.close(fd)
    if len(data) > max_bytes:
        message = MSG_TOO_BIG.format(size=size, limit=max_bytes) if size > max_bytes else None
        raise CorpusError(path, message or MSG_OVER_LIMIT.format(limit=max_bytes))
    return data


def read_at_most(fd: int, limit: int, *, expected: int) -> bytes:
    """Up to ``limit`` bytes of the file ``fd``, asking first for the ``expected`` size plus one byte.

    ``read(limit)`` allocates ``limit`` bytes before it reads: with the 20 MB default that is
    four times the cost of reading a small article, for every article. Read on, a block at a time,
    until the end (a file that grew since ``expected`` was taken) or the limit.
    """
    parts, size, want = [], 0, min(expected + 1, limit)
    while size < limit and (part := os.read(fd, want)):
        parts.append(part)
        size += len(part)
        want = min(READ_BLOCK, limit - size)
    return b"".join(parts)


_FILE_KINDS = (
    (stat.S_ISDIR, "a folder"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISFIFO, "a FIFO"),
    (stat.S_ISSOCK, "a socket"),
)


def file_kind(mode: int) -> str:
    """'a FIFO', 'a character device'...: what a non-regular file is, for the message."""
    return next((kind for test, kind in _FILE_KINDS if test(mode)), "not a regular file")


def _refuse_unless_regular(path: Path, mode: int) -> None:
    if not stat.S_ISREG(mode):
        raise CorpusError(path, MSG_NOT_REGULAR.format(kind=file_kind(mode)))


def regular_fd(path: Path, *, typed: bool = False) -> tuple[int, int]:
    """A descriptor open for reading on ``path`` and its size, if it is a regular file; CorpusError
    naming it otherwise.

    The type is checked before opening, so a device is never opened: with ``stat``, unless
    ``typed`` (the folder's listing gave the type without a call per file: an incremental run
    reads every file of an archive again). The file is opened without blocking (a FIFO swapped in
    between cannot hang the run), checked again with ``fstat`` on what was opened, then set to
    blocking reads.
    """
    try:
        if not typed:
            _refuse_unless_regular(path, os.stat(path).st_mode)
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY | os.O_CLOEXEC)
    except FileNotFoundError as exc:
        raise CorpusError(path, MSG_MISSING) from exc
    except OSError as exc:
        raise CorpusError(path, MSG_UNREADABLE.format(error=exc.strerror or exc)) from exc
    try:
        info = os.fstat(fd)
        _refuse_unless_regular(path, info.st_mode)
        os.set_blocking(fd, True)
    except BaseException:
        os.close(fd)
        raise
    return fd, info.st_size


def open_regular(path: Path) -> io.BufferedReader:
    """``path`` opened for binary reading, if it is a regular file (see :func:`regular_fd`)."""
    fd, _ = regular_fd(path)
    return os.fdopen(fd, "rb")


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
    text = blank_controls(text)
    meta = {key: blank_controls(value) for key, value in (meta or {}).items()}
    spans = find_body(text, rules)
    lines = _header_lines(text, rules)
    raw_date = meta.get("published", "")
    published = parse_date(raw_date[:10] if "T" in raw_date else raw_date) if raw_date else None
    return Document(
        doc_id=doc_id,
        path=path,
        text=text,
        body_spans=spans,
        title=meta.get("title") or detect_title(text, spans),
        outlet=meta.get("outlet") or detect_outlet(lines, rules),
        published=published or detect_published(lines, rules),
        author=meta.get("author") or detect_author(lines, rules),
        url=meta.get("url", ""),
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
MSG_GZIP_BOMB = "expands to more than {limit:,} bytes ({ratio} times its size), not read further"
MSG_JSONL_SURROGATE = "{field!r} holds a lone surrogate ({char}), which is not valid Unicode"
MSG_JSONL_ID_CHARS = "'id' holds control or format characters"


def is_jsonl(path: Path) -> bool:
    """True for ``.jsonl`` and ``.jsonl.gz`` archives."""
    return path.name.lower().endswith(JSONL_SUFFIXES)


READ_BLOCK = 1 << 16
# A gzip archive may expand to at most this many times its own size (text compresses 3-10x;
# a "bomb" of one repeated byte about 1,000x), and never less than one record's limit.
MAX_GZIP_RATIO = 100


def iter_jsonl_lines(
    path: Path, *, max_bytes: int = DEFAULT_MAX_BYTES, problems: list[Problem] | None = None
) -> Iterator[tuple[int, bytes]]:
    """(line number, raw bytes) of every non-blank line, read in blocks: a line over ``max_bytes``
    is never held whole (it goes to ``problems``, or raises CorpusError without a list), and a
    ``.gz`` archive stops with CorpusError once it expands past :data:`MAX_GZIP_RATIO` times its
    size. CorpusError if the file cannot be read."""
    with open_regular(path) as raw:
        limit = None
        if path.name.lower().endswith(".gz"):
            limit = max(max_bytes, MAX_GZIP_RATIO * os.fstat(raw.fileno()).st_size)
        try:
            source = gzip.GzipFile(fileobj=raw, mode="rb") if limit else raw
            yield from _bounded_lines(path, source, max_bytes, limit, problems)
        except (gzip.BadGzipFile, EOFError, zlib.error) as exc:
            raise CorpusError(path, MSG_GZIP.format(error=exc)) from exc
        except OSError as exc:
            raise CorpusError(path, MSG_UNREADABLE.format(error=exc.strerror or exc)) from exc


def _bounded_lines(
    path: Path, source: io.BufferedIOBase, max_bytes: int, limit: int | None, problems
) -> Iterator[tuple[int, bytes]]:
    """The lines of ``source`` read a block at a time, none held beyond ``max_bytes`` + one block."""
    pending: list[bytes] = []  # the start of the current line
    held = 0  # bytes in ``pending``
    lineno, total, too_long = 1, 0, 0
    while block := source.read(READ_BLOCK):
        total += len(block)
        if limit is not None and total > limit:
            raise CorpusError(path, MSG_GZIP_BOMB.format(limit=limit, ratio=MAX_GZIP_RATIO))
        start = 0
        while (newline := block.find(b"\n", start)) >= 0:
            piece = block[start : newline + 1]
            if too_long or held + len(piece) > max_bytes:
                _line_too_long(path, lineno, too_long + held + len(piece), max_bytes, problems)
            else:
                line = b"".join([*pending, piece]) if pending else piece
                if line.strip():
                    yield lineno, line
            pending, held, too_long = [], 0, 0
            lineno += 1
            start = newline + 1
        rest = block[start:]
        if too_long or held + len(rest) > max_bytes:
            too_long += held + len(rest)  # counted, not kept
            pending, held = [], 0
        elif rest:
            pending.append(rest)
            held += len(rest)
    if too_long:
        _line_too_long(path, lineno, too_long, max_bytes, problems)
    elif pending and (line := b"".join(pending)).strip():
        yield lineno, line


def _line_too_long(path: Path, lineno: int, size: int, limit: int, problems: list[Problem] | None) -> None:
    error = _jsonl_error(path, lineno, MSG_JSONL_TOO_BIG.format(size=size, limit=limit))
    if problems is None:
        raise error
    problems.append(Problem(error.path, error.reason))


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
    doc_id = str(doc_id).strip()
    if not doc_id.isprintable():
        raise _jsonl_error(path, lineno, _surrogate_reason("id", doc_id) or MSG_JSONL_ID_CHARS)
    meta: dict[str, str] = {}
    for name in JSONL_META_FIELDS:
        value = record.get(name)
        if value is not None and not isinstance(value, str):
            raise _jsonl_error(path, lineno, MSG_JSONL_FIELD.format(field=name))
        if value and value.strip():
            meta[name] = value.strip()
    for name, value in (("text", text), *meta.items()):
        if reason := _surrogate_reason(name, value):
            raise _jsonl_error(path, lineno, reason)
    return build_document(doc_id, path, text, meta=meta, rules=rules)


LONE_SURROGATE = re.compile(r"[\ud800-\udfff]")


def _surrogate_reason(name: str, value: str) -> str | None:
    """Why ``value`` cannot be written as UTF-8 (a lone surrogate from a JSON ``\\ud800``), or None."""
    found = LONE_SURROGATE.search(value)
    return MSG_JSONL_SURROGATE.format(field=name, char=f"\\u{ord(found.group()):04x}") if found else None


def iter_jsonl_documents(
    path: Path, problems: list[Problem], *, max_bytes: int = DEFAULT_MAX_BYTES, rules: Rules | None = None
) -> Iterator[Document]:
    """Documents of an archive, one per line; a bad line becomes a Problem and the rest are read."""
    rules = rules or load_rules()
    try:
        for lineno, line in iter_jsonl_lines(path, max_bytes=max_bytes, problems=problems):
            try:
                yield document_from_jsonl(path, lineno, line, max_bytes=max_bytes, rules=rules)
            except CorpusError as exc:
                problems.append(Problem(exc.path, exc.reason))
    except CorpusError as exc:
        problems.append(Problem(exc.path, exc.reason))


# Each supported suffix has one dot: endswith agrees with Path.suffix for a name not starting with ".".
ACCEPTED_ENDINGS = (*sorted(SUPPORTED_SUFFIXES), *JSONL_SUFFIXES)


def files_under(folder: Path, problems: list[Problem] | None = None) -> list[tuple[Path, bool]]:
    """Every file below ``folder``, in sorted-path order, and whether its folder's listing typed it a
    regular file (no stat needed before opening it); links that leave it are not followed.

    A symbolic link is followed only when its target lies inside ``folder`` (links to folders are
    never followed); one that leaves it, and a sub-folder that cannot be read, go to ``problems``.
    Entries that are not folders are all listed (a FIFO or device named ``x.txt`` is refused by
    type when read, with a message). ``os.scandir`` (file types without a stat each) and string
    sorting: listing a 10,000-file archive is a large part of an incremental run, and
    ``Path.rglob`` plus sorting ``Path`` objects costs several times more.
    """
    sink: list[Problem] = [] if problems is None else problems
    root = os.path.realpath(folder)
    found: list[tuple[tuple[str, ...], str, bool]] = []
    pending: list[tuple[tuple[str, ...], str]] = [((), str(folder))]
    while pending:
        parts, directory = pending.pop()
        try:
            with os.scandir(directory) as entries:
                listed = list(entries)
        except OSError as exc:
            sink.append(Problem(Path(directory), MSG_UNREADABLE_FOLDER.format(error=exc.strerror or exc)))
            continue
        for entry in listed:
            if entry.is_symlink():
                refusal = _link_refusal(entry, root)
                if refusal:
                    sink.append(Problem(Path(entry.path), refusal, "skipped"))
                    continue
            elif entry.is_dir(follow_symlinks=False):
                pending.append(((*parts, entry.name), entry.path))
                continue
            found.append(((*parts, entry.name), entry.path, entry.is_file(follow_symlinks=False)))
    found.sort()
    return [(Path(full), typed) for _, full, typed in found]


def _link_refusal(entry: os.DirEntry, root: str) -> str | None:
    """Why the symbolic link ``entry`` is not followed, or None when its target is a file inside ``root``."""
    try:
        if entry.is_dir():
            return MSG_LINK_FOLDER
    except OSError:  # a loop (ELOOP): reading it gives the message
        return None
    return _outside(Path(entry.path), root)


def _outside(link: Path, folder: Path | str) -> str | None:
    """Why ``link`` is not followed (its target leaves ``folder``), or None when it stays inside."""
    root, target = os.path.realpath(folder), os.path.realpath(link)
    if os.path.commonpath([root, target]) != root:
        return MSG_LINK_OUTSIDE.format(target=target, root=root)
    return None


def _valid_name(name: str) -> bool:
    """False for a file name whose bytes are not UTF-8 (decoded by Python with lone surrogates)."""
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def iter_paths(paths: Iterable[Path | str], problems: list[Problem]) -> Iterator[Path]:
    """Article files under ``paths`` (folders searched recursively), sorted; notes what is skipped.

    A file named directly is the user's choice and is read even through a symbolic link; inside
    a folder, links that leave it are not followed (see :func:`files_under`).
    """
    return (path for path, _ in _typed_paths(paths, problems))


def _typed_paths(paths: Iterable[Path | str], problems: list[Problem]) -> Iterator[tuple[Path, bool]]:
    """:func:`iter_paths`'s files, each with whether a folder listing typed it a regular file."""
    for raw in paths:
        path = Path(raw)
        if not os.path.lexists(path):
            problems.append(Problem(path, MSG_MISSING))
            continue
        candidates = files_under(path, problems) if path.is_dir() else [(path, False)]
        for candidate, typed in candidates:
            name = candidate.name  # string tests: this loop runs once per file of an archive
            if name in IGNORED_NAMES or name.startswith("."):
                continue
            if not name.lower().endswith(ACCEPTED_ENDINGS):
                problems.append(
                    Problem(candidate, MSG_UNSUPPORTED.format(suffix=candidate.suffix), "skipped")
                )
                continue
            if not _valid_name(name):
                problems.append(Problem(candidate, MSG_BAD_NAME))
                continue
            yield candidate, typed


@dataclass(frozen=True)
class Source:
    """One document's input, read but not yet parsed: an article file's bytes or one archive line.

    :meth:`document` builds the Document; :meth:`key` is a hash of everything the Document
    is made from (the bytes, the file name, the manifest row), what a cache of results keys on.
    """

    path: Path
    data: bytes
    lineno: int = 0  # the line of a .jsonl(.gz) archive; 0 for an article file
    manifest: tuple[tuple[str, str], ...] = ()  # the file's manifest.csv row

    def key(self, version: str = "") -> str:
        """sha256 of ``version`` (what made the result: see :func:`borderdata.cache.extractor_version`)
        and of the input; one pass over the bytes."""
        head = f"{version}\0{self.lineno}\0{self.path.name}\0{self.manifest!r}\0"  # repr: exact for str pairs
        digest = hashlib.sha256(head.encode("utf-8", "surrogatepass"))
        digest.update(self.data)
        return digest.hexdigest()

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
    roots = list(paths if paths is not None else DEFAULT_PATHS)
    manifests = Manifests(roots, problems)
    for path, typed in _typed_paths(roots, problems):
        if is_jsonl(path):
            try:
                for lineno, line in iter_jsonl_lines(path, max_bytes=max_bytes, problems=problems):
                    yield Source(path, line, lineno)
            except CorpusError as exc:
                problems.append(Problem(exc.path, exc.reason))
            continue
        try:
            data = read_source_bytes(path, max_bytes=max_bytes, typed=typed)
        except CorpusError as exc:
            problems.append(Problem(exc.path, exc.reason))
            continue
        row = manifests.row(path) or {}
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
