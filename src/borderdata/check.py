"""Fact-check an article against the corpus: each of its figures corroborated, updated, conflicting or new.

:func:`check_article` extracts the article's facts, adds them to the facts of the
corpus (the article itself taken out of the corpus when it is already there, so it
is compared with the others, never with itself) and lets
:func:`borderdata.claims.build_claims` group them. Each figure of the article then
reads its verdict off the claim it landed in (:func:`verdict`):

- ``corroborated``: other documents state the same claim (``sources`` names them);
- ``updated``: other documents state this quantity for an earlier or later date;
- ``conflicting``: other documents state this claim with a value beyond tolerance;
- ``new``: no other document states anything the claims logic groups with it;
- ``review``: the claims logic is unsure of the match (its ``review`` column says why).

The verdict rules are the claims' rules: nothing here decides what "the same claim"
is. A large corpus is first cut down (:func:`candidate_facts`) to the facts that can
share a claim with the article, and mentions that differ only by document are
represented by a few of them (earliest, latest, undated), so a check against tens of
thousands of cached facts stays fast.

>>> from borderdata.schema import conform_facts
>>> corpus = conform_facts(pd.DataFrame({
...     "fact_id": ["a:1"], "doc_id": ["a"], "start": [1], "end": [2], "published": ["2025-01-15"],
...     "outlet": ["CBC News"], "surface": ["two"], "value": [2.0], "unit": ["count"],
...     "qualifier": ["exact"], "subject": ["leased Black Hawk helicopters"], "category": ["asset"]}))
>>> text = "Canada deployed four Black Hawk helicopters to the border."
>>> table = check_article(text, facts=corpus, published="2025-03-04")
>>> table[["surface", "verdict", "other_value"]].to_dict("records")
[{'surface': 'four Black Hawk helicopters', 'verdict': 'updated', 'other_value': 2.0}]
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
import os
import pickle
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pandas as pd

from borderdata import units as _units  # noqa: F401  (before claims, which imports pint: see units)
from borderdata.claims import LIST_SEP, build_claims, category_block, locations_compatible, site_or_title
from borderdata.corpus import (
    DEFAULT_PATHS,
    RULES_ENV,
    Document,
    Problem,
    build_document,
    iter_paths,
    load_corpus,
    parse_date,
)
from borderdata.extract import extract_facts
from borderdata.schema import FACT_COLUMNS, FACT_DTYPES, conform_facts

VERDICTS = ("corroborated", "updated", "conflicting", "new", "review")
CHECK_DTYPES: dict[str, str] = {
    "fact_id": "str",
    "start": "int64",
    "end": "int64",
    "surface": "str",
    "value": "float64",
    "unit": "str",
    "subject": "str",
    "location": "str",
    "period": "str",
    "verdict": "str",
    "claim_id": "str",
    "other_value": "float64",
    "sources": "str",
    "why": "str",
}
CHECK_COLUMNS = tuple(CHECK_DTYPES)
ARTICLE_ID = "article"
MAX_SOURCES = 5  # documents named per figure (the rest are counted)
# Above this many candidate facts, mentions that differ only by document are represented by a few.
REDUCE_ABOVE = 5_000
# Columns that tell only which document a mention is in (and who published it when): the claims
# logic groups and judges mentions on the others; the outlet only names the sources in its texts.
DOCUMENT_COLUMNS = ("fact_id", "doc_id", "source_file", "outlet", "start", "end", "published")
CLAIM_STATUS_VERDICT = {"corroborated": "corroborated", "updated": "updated", "conflicting": "conflicting"}
# Two values this close (relative) are shown as agreeing when choosing which other value to report.
SAME_VALUE = 0.01
SAFE_SCHEMES = ("http://", "https://")

MSG_NO_FIGURES = "{name}: no figures found: nothing to check"


# --- the article ---------------------------------------------------------------------------------


def as_document(document_or_text: Document | str | Path, published: Any = None) -> Document:
    """A Document from a Document, a path to an article file, or the text of one.

    A path is read like any input (CorpusError naming the file if it cannot be read);
    ``published`` (date, datetime or ISO string) overrides the detected date.
    """
    if isinstance(document_or_text, Document):
        doc = document_or_text
    elif isinstance(document_or_text, Path):
        docs = load_corpus([document_or_text])
        if not docs:
            raise ValueError(f"{document_or_text}: no article could be read")
        doc = docs[0]
    else:
        doc = build_document(ARTICLE_ID, Path(f"{ARTICLE_ID}.txt"), str(document_or_text))
    if published is not None:
        doc = _with_published(doc, published)
    return doc


def _with_published(doc: Document, published: Any) -> Document:
    from dataclasses import replace

    day: dt.date | None
    if isinstance(published, dt.datetime):
        day = published.date()
    elif isinstance(published, dt.date):
        day = published
    else:
        day = parse_date(str(published)) if str(published).strip() else None
    return replace(doc, published=day)


# One record of a news archive: ARCHIVE.jsonl:N (or .jsonl.gz:N), N the record's line number.
RECORD_ARGUMENT = re.compile(r"(?P<archive>.+\.jsonl(?:\.gz)?):(?P<record>[^:/\\]*)", re.IGNORECASE)
MSG_RECORD_NUMBER = "record {record!r} is not a line number (write ARCHIVE.jsonl:N, N counted from 1)"
MSG_NO_RECORD = "no record on line {n} (its last record is on line {last})"
MSG_NO_RECORDS = "no record on line {n} (it holds no record)"
MSG_BLANK_RECORD = "no record on line {n} (the line is blank)"


def split_record(argument: Path) -> tuple[Path, str | None]:
    """``(archive, record)`` for an ``ARCHIVE.jsonl:N`` argument; ``(argument, None)`` for any other
    (a file that exists under the full name is that file)."""
    found = RECORD_ARGUMENT.fullmatch(str(argument))
    if found is None or argument.exists():
        return argument, None
    return Path(found["archive"]), found["record"]


def read_record(archive: Path, record: str, problems: list[Problem]) -> Document | None:
    """The Document on line ``record`` of ``archive``, or None with a problem naming the file and why."""
    from borderdata.corpus import CorpusError, document_from_jsonl, iter_jsonl_lines

    if not record.isdigit() or int(record) < 1:
        problems.append(Problem(archive, MSG_RECORD_NUMBER.format(record=record)))
        return None
    wanted, last = int(record), 0
    try:
        for lineno, line in iter_jsonl_lines(archive, problems=problems):
            if lineno == wanted:
                return document_from_jsonl(archive, lineno, line)
            if lineno > wanted:
                problems.append(Problem(archive, MSG_BLANK_RECORD.format(n=wanted)))
                return None
            last = lineno
    except CorpusError as exc:
        problems.append(Problem(exc.path, exc.reason))
        return None
    reason = MSG_NO_RECORD.format(n=wanted, last=last) if last else MSG_NO_RECORDS.format(n=wanted)
    problems.append(Problem(archive, reason))
    return None


def read_articles(arguments: Sequence[Path], problems: list[Problem]) -> list[Document]:
    """The articles named on the command line, by doc_id: files read like any input (every record of
    an archive), and single archive records named ``ARCHIVE.jsonl:N``."""
    files, documents = [], []
    for argument in arguments:
        path, record = split_record(argument)
        if record is None:
            files.append(path)
        elif (doc := read_record(path, record, problems)) is not None:
            documents.append(doc)
    documents += load_corpus(files, problems=problems) if files else []
    return sorted(documents, key=lambda d: d.doc_id)


# --- the corpus side -----------------------------------------------------------------------------


def default_cache() -> Path:
    """The check's own fact cache and snapshots: the user's cache folder, one per project.

    Not ``make data``'s cache in ``data/processed/.cache``: the check never writes into
    ``data/processed/``, so it keeps its state outside the project (the first check of a
    project extracts the corpus once into it).
    """
    from borderdata.config import outside_cache_dir

    return outside_cache_dir()


def project_files() -> tuple[Path, Path]:
    """The project's processed-tables folder and overrides file (what the check never writes)."""
    from borderdata.config import project_root

    root = project_root()
    return root / "data" / "processed", root / "data" / "overrides.csv"


def corpus_facts(
    paths: Iterable[Path | str] | None = None,
    *,
    cache: Path | str | None = None,
    problems: list[Problem] | None = None,
    jobs: int | None = None,
) -> pd.DataFrame:
    """The facts of the corpus under ``paths`` (default seeds/ and data/raw/), from the engine's cache.

    Only documents the cache does not hold yet are extracted (and then stored in it).
    """
    return corpus_tables(paths, cache=cache, problems=problems, jobs=jobs)[1]


def corpus_tables(
    paths: Iterable[Path | str] | None = None,
    *,
    cache: Path | str | None = None,
    problems: list[Problem] | None = None,
    jobs: int | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(documents, facts) of the corpus under ``paths``, as :func:`corpus_facts` reads them."""
    from borderdata.engine import extract_tables

    return extract_tables(
        list(paths) if paths is not None else DEFAULT_PATHS,
        problems,
        cache=default_cache() if cache is None else cache,
        jobs=jobs,
    )


def conformed(facts: pd.DataFrame) -> pd.DataFrame:
    """``facts`` in the contract's columns and dtypes; already conformed tables pass untouched.

    (Conforming re-reads every text cell: about a second for 30,000 facts.)
    """
    if tuple(facts.columns) == FACT_COLUMNS and all(
        str(facts[c].dtype) == ("str" if t == "str" else t) for c, t in FACT_DTYPES.items()
    ):
        return facts
    return conform_facts(facts)


def signature(facts: pd.DataFrame) -> tuple:
    """What a document's extraction looks like (offsets and surfaces): equal for equal texts."""
    return tuple(zip(facts["start"].tolist(), facts["end"].tolist(), facts["surface"].tolist(), strict=True))


def twin_documents(corpus: pd.DataFrame, article: pd.DataFrame, doc_id: str) -> set[str]:
    """The corpus documents that are the article: its own doc_id, and any with the same extraction."""
    twins = {doc_id} & set(pd.unique(corpus["doc_id"])) if len(corpus) else set()
    if article.empty or corpus.empty:
        return twins
    mine = signature(article)
    sizes = corpus["doc_id"].value_counts()
    for candidate in sizes.index[sizes.eq(len(article))]:
        rows = corpus.loc[corpus["doc_id"].eq(candidate)].sort_values("start", kind="stable")
        if signature(rows) == mine:
            twins.add(candidate)
    return twins


def _dimension(units: pd.Series) -> pd.Series:
    from borderdata.units import dimension_of

    known = {u: dimension_of(u or "count") for u in pd.unique(units)}
    return units.map(known)


def block_keys(facts: pd.DataFrame) -> pd.Series:
    """``category|dimension`` of each fact: mentions with different keys are never one claim.

    A claim is one quantity about one thing (:mod:`borderdata.claims`): mentions of
    different categories or dimensions (mass, a currency, percent, count) never meet,
    except kindred categories, which share a block (:func:`borderdata.claims.category_block`).
    """
    blocks = {c: category_block(c) for c in pd.unique(facts["category"])}
    return facts["category"].map(blocks).astype(object) + "|" + _dimension(facts["unit"]).astype(object)


def representatives(corpus: pd.DataFrame) -> tuple[pd.DataFrame, pd.Series]:
    """A few mentions for each set that differs only by document, and who each one stands for.

    Mentions with equal text columns (value, unit, qualifier, subject, sentence...) are the
    same statement to the claims logic except for their date, whichever outlet published
    them: the earliest and latest dated one and one undated are kept (the sources still
    name every outlet: each kept mention stands for the others). Returns the kept facts and, for every
    corpus fact_id, the fact_id that represents it.
    """
    columns = [c for c in FACT_COLUMNS if c not in DOCUMENT_COLUMNS and c in corpus]
    frame = corpus.assign(
        _group=corpus.groupby(columns, sort=False, dropna=False).ngroup(),
        _undated=corpus["published"].eq(""),
    ).sort_values(["_group", "_undated", "published", "doc_id", "start"], kind="stable")
    dated = frame.loc[~frame["_undated"]]
    keep = pd.concat([
        dated.drop_duplicates("_group", keep="first"),
        dated.drop_duplicates("_group", keep="last"),
        frame.loc[frame["_undated"]].drop_duplicates("_group", keep="first"),
    ]).drop_duplicates("fact_id")  # fmt: skip
    first_kept = keep.drop_duplicates("_group").set_index("_group")["fact_id"]
    stands_for = frame["_group"].map(first_kept)
    stands_for = stands_for.where(~frame["fact_id"].isin(keep["fact_id"]), frame["fact_id"])
    return corpus.loc[corpus["fact_id"].isin(keep["fact_id"])], pd.Series(
        stands_for.to_numpy(), index=frame["fact_id"].to_numpy()
    )


RECEIPT_FIELDS = ("fact_id", "doc_id", "source_file", "outlet", "published", "start", "surface", "sentence",
                  "value", "unit", "location", "period")  # fmt: skip
Mention = dict[str, Any]


@dataclass
class CorpusIndex:
    """The corpus prepared for checks: its facts, the facts the claims logic sees, and who stands for whom.

    Build it once with :meth:`of` and check many articles against it; it pickles, so the
    command line keeps one beside the check's fact cache (:func:`corpus_index`).
    """

    full: pd.DataFrame  # every corpus fact
    kept: pd.DataFrame  # the facts build_claims sees: all, or representatives on a large corpus
    keys: pd.Series  # block key of each kept fact
    members: dict[str, list[int]]  # kept fact_id -> positions in ``full`` of the mentions it stands for
    reduced: bool
    decisions: list = field(default_factory=list)  # analysts' same/split answers for build_claims
    # doc_id, title and url of the corpus's documents, when read from disk (:func:`corpus_index`).
    documents: pd.DataFrame | None = None

    def documents_of(self, doc_ids: Iterable[str]) -> pd.DataFrame | None:
        """doc_id, title and url of ``doc_ids`` (None when the index was made from a facts table)."""
        if self.documents is None:
            return None
        return self.documents.loc[self.documents["doc_id"].isin(set(doc_ids))]

    @classmethod
    def of(cls, facts: pd.DataFrame, reduce_above: int = REDUCE_ABOVE) -> CorpusIndex:
        """The index of a facts table; above ``reduce_above`` facts, repeated statements are represented."""
        facts = conformed(facts).reset_index(drop=True)
        reduced = len(facts) > reduce_above
        if reduced:
            kept, stands_for = representatives(facts)
            owner = stands_for.reindex(facts["fact_id"].to_numpy()).to_numpy()
        else:
            kept, owner = facts, facts["fact_id"].to_numpy()
        members: dict[str, list[int]] = {}
        for position, kept_id in enumerate(owner.tolist()):
            members.setdefault(kept_id, []).append(position)
        return cls(
            facts, kept.reset_index(drop=True), block_keys(kept).reset_index(drop=True), members, reduced
        )

    def without(self, doc_ids: set[str]) -> CorpusIndex:
        """The index without ``doc_ids`` (the article itself), rebuilt only if they are in it."""
        if not doc_ids or not self.full["doc_id"].isin(doc_ids).any():
            return self
        rest = self.full.loc[~self.full["doc_id"].isin(doc_ids)]
        rebuilt = CorpusIndex.of(rest, 0 if self.reduced else len(rest))
        rebuilt.decisions, rebuilt.documents = self.decisions, self.documents
        return rebuilt

    def candidates(self, article: pd.DataFrame) -> pd.DataFrame:
        """The kept facts that can share a claim with a figure of the article (:func:`block_keys`)."""
        if article.empty or self.kept.empty:
            return self.kept.iloc[:0]
        blocks = set(block_keys(article))
        # Category ``other`` may join any category of its dimension (on more evidence): both ways.
        dimension = self.keys.str.partition("|")[2]
        open_dims = {b.partition("|")[2] for b in blocks if b.startswith("other|")}
        dims = {b.partition("|")[2] for b in blocks}
        wanted = (
            self.keys.isin(blocks)
            | dimension.isin(open_dims)
            | (self.keys.str.startswith("other|") & dimension.isin(dims))
        )
        return self.kept.loc[wanted.to_numpy()]

    def mentions(self, kept_ids: Iterable[str]) -> list[Mention]:
        """Every corpus mention the kept facts stand for, by date, document and position."""
        return self.mentions_of([list(kept_ids)])[0]

    def mentions_of(self, groups: Sequence[Sequence[str]]) -> list[list[Mention]]:
        """:meth:`mentions` of each group of kept facts, the receipt fields read once for all groups."""
        wanted = [[p for k in kept for p in self.members.get(k, ())] for kept in groups]
        union = sorted({p for positions in wanted for p in positions})
        taken = self.full.take(union)
        columns = {c: taken[c].tolist() for c in RECEIPT_FIELDS}
        # One sort for every group: each row's rank by date, document and position. A mention in
        # two groups is one (read-only) dict.
        order = list(zip(columns["published"], columns["doc_id"], columns["start"], strict=True))
        by_order = sorted(range(len(union)), key=order.__getitem__)
        rank = {union[i]: place for place, i in enumerate(by_order)}
        # Rows and fields have one length by construction: strict zips would double the cost here.
        rows = zip(*columns.values(), strict=False)
        mention = {
            p: dict(zip(RECEIPT_FIELDS, row, strict=False)) for p, row in zip(union, rows, strict=False)
        }
        return [[mention[p] for p in sorted(positions, key=rank.__getitem__)] for positions in wanted]


def corrected(
    facts: pd.DataFrame,
    overrides: Path | None,
    files: Sequence[Path] = (),
    documents: Sequence[Document] = (),
) -> tuple[pd.DataFrame, list]:
    """``facts`` with the analysts' corrections of ``overrides`` (as ``make data`` applies them), and
    their ``same``/``split`` answers for the claims. Only the documents an ``add`` row quotes are read
    (from ``files``, besides ``documents``); rows about other facts are left to ``make data`` to report."""
    from borderdata.overrides import apply_overrides, read_overrides

    rows, _ = read_overrides(overrides)
    if not rows:
        return facts, []
    quoted = {r.fact_id.partition(":")[0] for r in rows if r.action == "add"} - {d.doc_id for d in documents}
    read = (
        load_corpus([f for f in files if f.name.rsplit(".", 1)[0] in quoted], problems=[]) if quoted else []
    )
    report = apply_overrides(facts, overrides, [*documents, *read])
    return conformed(report.facts), list(report.decisions)


SNAPSHOT_FOLDER = "check"  # a folder of the check's fact cache, beside the engine's own files


def _stat_lines(folder: str) -> Iterator[str]:
    """``path size mtime ctime inode`` of every file below ``folder`` (symlinked folders not followed)."""
    pending = [folder]
    while pending:
        with os.scandir(pending.pop()) as entries:
            for entry in entries:
                if entry.is_dir(follow_symlinks=False):
                    pending.append(entry.path)
                elif entry.is_file():
                    st = entry.stat()
                    yield f"{entry.path}\0{st.st_size}\0{st.st_mtime_ns}\0{st.st_ctime_ns}\0{st.st_ino}"


def corpus_stamp(paths: Sequence[Path]) -> str:
    """sha256 of what a corpus index depends on: every file under ``paths`` (name, size, mtime,
    ctime, inode), the extractor's version, this module's source and the rule files in use."""
    from borderdata.cache import extractor_version
    from borderdata.taxonomy import TAXONOMY_ENV

    lines = [extractor_version(), os.environ.get(RULES_ENV, ""), os.environ.get(TAXONOMY_ENV, "")]
    for path in map(str, paths):
        lines += sorted(_stat_lines(path)) if os.path.isdir(path) else sorted(_stat_lines_of_file(path))
    digest = hashlib.sha256(Path(__file__).read_bytes())
    digest.update("\n".join(lines).encode("utf-8", "surrogateescape"))
    return digest.hexdigest()


def _stat_lines_of_file(path: str) -> list[str]:
    try:
        st = os.stat(path)
    except OSError:
        return [f"{path}\0missing"]
    return [f"{path}\0{st.st_size}\0{st.st_mtime_ns}\0{st.st_ctime_ns}\0{st.st_ino}"]


def corpus_index(
    paths: Sequence[Path],
    *,
    cache: Path | str | None = None,
    problems: list[Problem] | None = None,
    overrides: Path | None = None,
) -> CorpusIndex:
    """The :class:`CorpusIndex` of the corpus under ``paths``, kept in ``cache/check/`` between runs.

    The snapshot is used while no file under ``paths`` has changed (:func:`corpus_stamp`);
    otherwise the facts come from the engine's cache (only changed documents are extracted),
    ``overrides`` (an analysts' corrections file) is applied (:func:`corrected`), and a new
    snapshot replaces the old one. Problems of the corpus files are kept with it.
    """
    from borderdata.tables import write_bytes_atomic

    sink: list[Problem] = [] if problems is None else problems
    root = Path(default_cache() if cache is None else cache)
    names = "\0".join(str(Path(p).resolve()) for p in paths)
    snapshot = root / SNAPSHOT_FOLDER / f"corpus-{hashlib.sha256(names.encode()).hexdigest()[:16]}.pkl"
    stamp = corpus_stamp([*paths, *([overrides] if overrides else [])])
    try:
        with snapshot.open("rb") as fh:
            saved = pickle.load(fh)
        if saved.get("stamp") == stamp:
            sink.extend(saved["problems"])
            return saved["index"]
    except (OSError, EOFError, pickle.UnpicklingError, AttributeError, KeyError, TypeError, ValueError):
        pass  # no snapshot yet, or a damaged or outdated one: build it again
    found: list[Problem] = []
    files = listed_files(paths)
    documents, facts = corpus_tables(paths, cache=root, problems=found)
    facts, decisions = corrected(facts, overrides, files)
    index = CorpusIndex.of(facts)
    index.decisions = decisions
    # The titles and URLs the receipts cite, kept so that a check reads no corpus file again.
    index.documents = _documents_of(documents).reset_index(drop=True)
    sink.extend(found)
    payload = pickle.dumps(
        {"stamp": stamp, "index": index, "problems": found}, protocol=pickle.HIGHEST_PROTOCOL
    )
    snapshot.parent.mkdir(parents=True, exist_ok=True)
    write_bytes_atomic(snapshot, lambda tmp: tmp.write_bytes(payload))
    return index


# --- verdicts ------------------------------------------------------------------------------------


def verdict(status: str, other_documents: int, review: str = "", certain: bool = True) -> str:
    """The verdict of one figure from the claim it is in.

    ``review``: the claims' reason to queue the claim for an analyst ("" when every key
    agreed where stated). ``certain``: some other document's mention in the claim
    contradicts neither the figure's place nor its period (equal, one of them unstated, or
    places that may lie one in the other: :func:`borderdata.claims.locations_compatible`).
    A queued claim keeps its status when the figure is certain (``why`` quotes the queue);
    when every other outlet states another place or period (only an analyst's ``same``
    answer joins such mentions), or the claim's status is none of the three below, the
    match is unsure and the figure is for ``review``, which is never counted as corroborated.

    =====================  ===============  ==============  =======  ==============
    claim status           other documents  review reason   certain  verdict
    =====================  ===============  ==============  =======  ==============
    any                    none             any             any      new
    corroborated           some             none            any      corroborated
    updated                some             none            any      updated
    conflicting            some             none            any      conflicting
    any of those three     some             given           yes      that status
    any of those three     some             given           no       review
    anything else          some             any             any      review
    =====================  ===============  ==============  =======  ==============

    >>> verdict("corroborated", 2), verdict("single", 0), verdict("updated", 1, "unknown period", False)
    ('corroborated', 'new', 'review')
    >>> verdict("corroborated", 1, "location Canada not stated in CBC", True), verdict("single", 1)
    ('corroborated', 'review')
    """
    if other_documents == 0:
        return "new"
    if status not in CLAIM_STATUS_VERDICT or (review and not certain):
        return "review"
    return CLAIM_STATUS_VERDICT[status]


def unsure_because(status: str, review: str, fact: Mapping[str, Any], docs: Sequence[Mention]) -> str:
    """Why a figure is for review, in words: what the claim is unsure of and what contradicts it.

    >>> here = {"location": "Canada", "period": ""}
    >>> there = {"location": "Texas", "period": "", "outlet": "AP", "published": "2025-03-04"}
    >>> unsure_because("updated", "", here, [there])
    'every other outlet states another place or period (here Canada; AP (2025-03-04): Texas)'
    """
    reasons = []
    if status not in CLAIM_STATUS_VERDICT:
        reasons.append(
            f"the claim's status is {status or 'unknown'}, not corroborated, updated or conflicting"
        )
    else:
        here = ", ".join(x for x in (fact["location"], fact["period"]) if x) or "no place or period"
        there = "; ".join(
            f"{outlet_of(m)} ({m['published'] or 'undated'}): "
            + (", ".join(x for x in (m["location"], m["period"]) if x) or "no place or period")
            for m in docs[:MAX_SOURCES]
        )
        reasons.append(f"every other outlet states another place or period (here {here}; {there})")
    if review:
        reasons.append(f"in the claims review queue: {review}")
    return "; ".join(reasons)


@dataclass
class Figure:
    """One figure of the article, its claim, and the other documents' mentions in that claim."""

    fact: Mapping[str, Any]
    claim: Mapping[str, Any]
    others: list[Mention]  # every corpus mention in the claim, by date, document and position
    docs: list[Mention] = field(init=False)  # the first of those mentions in each document

    def __post_init__(self) -> None:
        first: dict[str, Mention] = {}
        for mention in self.others:
            first.setdefault(mention["doc_id"], mention)
        self.docs = list(first.values())


@dataclass
class CheckResult:
    """The check of one article: its document, one row per figure, and the receipts behind them."""

    document: Document
    table: pd.DataFrame
    receipts: pd.DataFrame  # one row per (article fact_id, other document): outlet, date, title, url...

    def summary(self) -> str:
        """``12 figures: 5 corroborated, 1 updated, 1 conflicting, 5 new`` (verdicts with none left out)."""
        return summary_line(self.table)


def verdict_counts(table: pd.DataFrame) -> pd.DataFrame:
    """Figures per verdict, every verdict in :data:`VERDICTS` order (what ``charts.verdicts_chart`` draws).

    >>> verdict_counts(pd.DataFrame({"verdict": ["new", "new", "updated"]}))["figures"].tolist()
    [0, 1, 0, 2, 0]
    """
    found = table["verdict"].value_counts() if len(table) else pd.Series(dtype="int64")
    return pd.DataFrame({"verdict": list(VERDICTS), "figures": [int(found.get(v, 0)) for v in VERDICTS]})


def sources_note(result: CheckResult) -> str:
    """``Checked against: outlet (date); ...``: every document cited in the receipts, by date."""
    cited = result.receipts.drop_duplicates("doc_id").sort_values(["published", "doc_id"], kind="stable")
    if cited.empty:
        return "Checked against the corpus: no other outlet states any of these figures"
    named = [f"{outlet_of(r)} ({r['published'] or 'undated'})" for r in cited.to_dict("records")]
    return "Checked against: " + "; ".join(named)


def summary_line(table: pd.DataFrame) -> str:
    """One line: how many figures and how many of each verdict.

    >>> summary_line(pd.DataFrame({"verdict": ["new", "corroborated", "new"]}))
    '3 figures: 1 corroborated, 2 new'
    """
    n = len(table)
    found = table["verdict"].value_counts() if n else pd.Series(dtype="int64")
    parts = [f"{int(found[v])} {v}" for v in VERDICTS if found.get(v, 0)]
    noun = "figure" if n == 1 else "figures"
    return f"{n} {noun}: " + ", ".join(parts) if parts else f"{n} {noun}"


# --- the check -----------------------------------------------------------------------------------


def check_article(
    document_or_text: Document | str | Path,
    claims: pd.DataFrame | None = None,
    facts: pd.DataFrame | None = None,
    *,
    documents: pd.DataFrame | None = None,
    published: Any = None,
) -> pd.DataFrame:
    """One row per figure of the article (:data:`CHECK_COLUMNS`) with its verdict against the corpus.

    Parameters: ``document_or_text``, a Document, a path or the article's text;
    ``facts``, the corpus's facts table (default: seeds/ and data/raw/ through the
    engine's cache); ``claims``, the corpus's claims table if at hand (its claim ids are
    then reported instead of the ids of the combined claims); ``documents``, the
    corpus's documents table (titles and URLs of the sources); ``published``, the
    article's date when the text does not give it. See the module docstring.
    """
    return check_document(
        document_or_text, claims=claims, facts=facts, documents=documents, published=published
    ).table


def check_document(
    document_or_text: Document | str | Path,
    *,
    claims: pd.DataFrame | None = None,
    facts: pd.DataFrame | CorpusIndex | None = None,
    documents: pd.DataFrame | Callable[[set[str]], pd.DataFrame | None] | None = None,
    published: Any = None,
    reduce_above: int = REDUCE_ABOVE,
    overrides: Path | None = None,
) -> CheckResult:
    """The full check of one article: the table of :func:`check_article` plus the receipts.

    ``facts`` may be a prepared :class:`CorpusIndex` (to check many articles against one
    corpus); ``documents`` may be a function from a set of doc_ids to their documents table
    (the command line passes :meth:`CorpusIndex.documents_of`);
    ``overrides``, an analysts' corrections file applied to the article's own facts (the
    corpus's are applied when its index is built, :func:`corpus_index`).
    """
    doc = as_document(document_or_text, published)
    article, _ = corrected(extract_facts([doc]), overrides, documents=[doc])
    if isinstance(facts, CorpusIndex):
        index = facts.without(twin_documents(facts.full, article, doc.doc_id))
    else:
        corpus = conformed(corpus_facts() if facts is None else facts)
        twins = twin_documents(corpus, article, doc.doc_id)
        index = CorpusIndex.of(corpus.loc[~corpus["doc_id"].isin(twins)], reduce_above)
    candidates = index.candidates(article)
    combined = (
        build_claims(
            pd.concat([candidates, article], ignore_index=True),
            decisions=index.decisions,
            holding=set(article["fact_id"]),  # only the claims of the article's figures are summarised
            # The claims' texts name a document without an outlet by its title.
            documents=_documents_of(
                _lookup(documents, set(candidates.loc[candidates["outlet"].eq(""), "doc_id"]))
            ),
        )
        if len(article)
        else None
    )
    figures = _figures(article, combined, index)
    cited = {d["doc_id"] for f in figures for i, d in enumerate(f.docs) if _named(i, d)}
    _name_sources(figures, _documents_of(_lookup(documents, cited)))
    corpus_claim = _claim_of_fact(claims) if claims is not None else None
    table = _table([_row(f, corpus_claim, not index.reduced) for f in figures])
    return CheckResult(document=doc, table=table, receipts=_receipts(figures))


def _lookup(
    documents: pd.DataFrame | Callable[[set[str]], pd.DataFrame | None] | None, doc_ids: set[str]
) -> pd.DataFrame | None:
    """The documents table rows of ``doc_ids``, from a table or a function that reads them."""
    if callable(documents):
        return documents(doc_ids)
    if documents is None or "doc_id" not in documents:
        return documents
    return documents.loc[documents["doc_id"].isin(doc_ids)]


def _named(position: int, doc: Mention) -> bool:
    """Whether a figure's other document needs its title and URL: it is among the sources shown
    (:data:`MAX_SOURCES`), or it has no outlet (then any text naming it uses its site or title)."""
    return position < MAX_SOURCES or not doc["outlet"]


def _name_sources(figures: Sequence[Figure], documents: pd.DataFrame) -> None:
    """Give each figure's other documents that :func:`_named` picks their title and URL, which
    every text naming them uses (an article without an outlet is named by its site, else its title)."""
    about = dict(
        zip(documents["doc_id"], zip(documents["title"], documents["url"], strict=True), strict=True)
    )
    for figure in figures:
        figure.docs = [_titled(m, about) if _named(i, m) else m for i, m in enumerate(figure.docs)]


def _titled(mention: Mention, about: Mapping[str, tuple[str, str]]) -> Mention:
    title, url = about.get(mention["doc_id"], ("", ""))
    return {**mention, "title": title, "url": url}


def _claim_of_fact(claims: pd.DataFrame) -> pd.Series:
    """claim_id by fact_id, from a claims table's ``fact_ids`` lists."""
    exploded = claims.assign(fact_id=claims["fact_ids"].astype(str).str.split(LIST_SEP)).explode("fact_id")
    return exploded.drop_duplicates("fact_id").set_index("fact_id")["claim_id"]


def _figures(article: pd.DataFrame, combined: pd.DataFrame | None, index: CorpusIndex) -> list[Figure]:
    """Each article fact with its combined claim and every corpus mention that claim stands for."""
    if combined is None or article.empty:
        return []
    mine = set(article["fact_id"])
    holding = [not mine.isdisjoint(ids) for ids in combined["fact_ids"].astype(str).str.split(LIST_SEP)]
    claim_rows = combined.loc[holding].to_dict("records")  # only the claims of the article's figures
    claim_of: dict[str, int] = {}
    for i, claim in enumerate(claim_rows):
        for fact_id in str(claim["fact_ids"]).split(LIST_SEP):
            claim_of.setdefault(fact_id, i)
    facts = article.to_dict("records")
    claims = [claim_rows[claim_of[f["fact_id"]]] if f["fact_id"] in claim_of else {} for f in facts]
    members = [
        [m for m in str(c["fact_ids"]).split(LIST_SEP) if m in index.members] if c else [] for c in claims
    ]
    return [
        Figure(fact=fact, claim=claim, others=others)
        for fact, claim, others in zip(facts, claims, index.mentions_of(members), strict=True)
    ]


def _row(figure: Figure, corpus_claim: pd.Series | None, with_note: bool) -> dict[str, Any]:
    fact, claim = figure.fact, figure.claim
    review = str(claim.get("review", "") or "")
    certain = any(_compatible(m, fact) for m in figure.others)
    outcome = verdict(str(claim.get("status", "")), len(figure.docs), review, certain)
    claim_id = str(claim.get("claim_id", ""))
    if corpus_claim is not None and figure.others:
        known = corpus_claim.reindex([m["fact_id"] for m in figure.others]).dropna()
        claim_id = str(known.mode().iloc[0]) if len(known) else claim_id
    return {
        "fact_id": fact["fact_id"],
        "start": fact["start"],
        "end": fact["end"],
        "surface": fact["surface"],
        "value": fact["value"],
        "unit": fact["unit"],
        "subject": fact["subject"],
        "location": fact["location"],
        "period": fact["period"],
        "verdict": outcome,
        "claim_id": claim_id if figure.docs or review else "",
        "other_value": other_value(fact, figure.others, outcome),
        "sources": sources_text(figure.docs),
        "why": why_text(fact, claim, figure, outcome, review, with_note=with_note),
    }


def _compatible(other: Mapping[str, Any], fact: Mapping[str, Any]) -> bool:
    """True when ``other`` contradicts neither the figure's place nor its period (see :func:`verdict`)."""
    same_period = other["period"] == fact["period"] or "" in (other["period"], fact["period"])
    return same_period and locations_compatible(other["location"], fact["location"])


def _table(rows: list[dict[str, Any]]) -> pd.DataFrame:
    if not rows:
        return pd.DataFrame({c: pd.Series(dtype=t) for c, t in CHECK_DTYPES.items()})
    return pd.DataFrame.from_records(rows, columns=list(CHECK_COLUMNS)).astype(CHECK_DTYPES)


# --- values, sources and reasons -----------------------------------------------------------------


def converted(value: float, unit: str, target: str) -> float:
    """``value`` in ``unit`` expressed in ``target`` (NaN when they do not convert)."""
    from borderdata.units import Q_

    unit, target = unit or "count", target or "count"
    if unit == target or math.isnan(value):
        return float(value)
    try:
        return float(Q_(value, unit).to(target).magnitude)
    except Exception:  # pint raises several unrelated types for units it cannot relate
        return math.nan


def _agrees(a: float, b: float) -> bool:
    return not (math.isnan(a) or math.isnan(b)) and abs(a - b) <= SAME_VALUE * max(abs(a), abs(b))


def other_value(fact: Mapping[str, Any], others: Sequence[Mention], outcome: str) -> float:
    """The other documents' value, in the figure's unit, that the verdict is about.

    ``corroborated``: the latest other mention's; ``updated`` / ``conflicting``: the
    latest other mention whose value differs from the figure's; ``new``: NaN.
    """
    if not others or outcome == "new":
        return math.nan
    pairs = [(m["value"], m["unit"]) for m in others]
    known = {pair: converted(pair[0], pair[1], fact["unit"]) for pair in dict.fromkeys(pairs)}
    values = [v for v in (known[p] for p in pairs) if not math.isnan(v)]
    mine = float(fact["value"])
    if outcome in ("updated", "conflicting"):
        differing = [v for v in values if not _agrees(v, mine)]
        if differing:
            return differing[-1]
    return values[-1] if values else math.nan


def outlet_of(row: Mapping[str, Any]) -> str:
    """The outlet of a mention; where the text and manifest give none, as the claims name it (the
    site's domain, else the title) when the row has them, else its file name.

    >>> outlet_of({"outlet": "", "url": "https://www.cbc.ca/news/x", "title": "T", "doc_id": "001"})
    'cbc.ca'
    >>> outlet_of({"outlet": "", "source_file": "b.txt", "doc_id": "b"})
    'b.txt'
    """
    outlet = str(row.get("outlet") or "")
    file_name = str(row.get("source_file") or row.get("doc_id") or "")
    if outlet or not (row.get("url") or row.get("title")):
        return outlet or file_name
    return site_or_title(row, file_name)


def named_by_title(row: Mapping[str, Any]) -> bool:
    """True for a source with a title but no outlet and no site: the title stands for the outlet,
    so a text naming the source shows it once.

    >>> named_by_title({"outlet": "", "url": "", "title": "Border plan"}), named_by_title({"outlet": "CBC"})
    (True, False)
    """
    url = str(row.get("url") or "")
    return not row.get("outlet") and not urlsplit(url).hostname and bool(row.get("title"))


def sources_text(docs: Sequence[Mention], limit: int = MAX_SOURCES) -> str:
    """The other documents as ``outlet, date, “title”, url`` separated by `` | ``, the rest counted.

    >>> sources_text([{"doc_id": "a", "outlet": "CBC News", "published": "2025-01-15", "title": "Fentanyl"},
    ...               {"doc_id": "b", "outlet": "", "source_file": "b.txt", "published": ""},
    ...               {"doc_id": "c", "outlet": "", "title": "Border plan", "published": "2025-02-01"}])
    'CBC News, 2025-01-15, “Fentanyl” | b.txt, undated | “Border plan”, 2025-02-01'
    """
    named = []
    for d in docs[:limit]:
        title, url = str(d.get("title") or ""), safe_url(str(d.get("url") or ""))
        title = f"“{title}”" if title else ""
        who, title = (title, "") if named_by_title(d) else (outlet_of(d), title)
        named.append(", ".join(x for x in (who, d["published"] or "undated", title, url) if x))
    more = f" | and {len(docs) - limit:,} more" if len(docs) > limit else ""
    return " | ".join(named) + more


SCALES = ((1e9, "billion"), (1e6, "million"))


def stated(value: float, unit: str) -> str:
    """A value for a terminal cell: ``1.3 billion CAD``, ``9,570 kg``, ``2``.

    >>> stated(1.3e9, "CAD"), stated(9570.0, "kg"), stated(2.0, "count"), stated(19.5, "kg")
    ('1.3 billion CAD', '9,570 kg', '2', '19.5 kg')
    """
    if math.isnan(value):
        return ""
    scale = next(((size, word) for size, word in SCALES if abs(value) >= size), None)
    if scale:
        number = f"{value / scale[0]:,.3g} {scale[1]}"
    elif abs(value) >= 100 or float(value).is_integer():
        number = f"{value:,.0f}"
    else:
        number = f"{value:,.3g}"
    return number if unit in ("", "count") else f"{number} {unit}"


def _said(docs: Sequence[Mention]) -> str:
    """``outlet (date): surface`` of each document, at most :data:`MAX_SOURCES`, the rest counted."""
    said = "; ".join(
        f"{outlet_of(m)} ({m['published'] or 'undated'}): {m['surface']}" for m in docs[:MAX_SOURCES]
    )
    return said + (f"; and {len(docs) - MAX_SOURCES:,} more" if len(docs) > MAX_SOURCES else "")


def _in_time(fact: Mapping[str, Any], docs: Sequence[Mention]) -> str:
    """The other documents split into earlier, same day, later and undated, relative to the figure."""
    mine = fact["published"]
    if not mine:
        return _said(docs)
    parts = {
        "earlier": [m for m in docs if m["published"] and m["published"] < mine],
        "the same day": [m for m in docs if m["published"] == mine],
        "later": [m for m in docs if m["published"] > mine],
        "undated": [m for m in docs if not m["published"]],
    }
    return "; ".join(f"{when}: {_said(part)}" for when, part in parts.items() if part)


def why_text(
    fact: Mapping[str, Any],
    claim: Mapping[str, Any],
    figure: Figure,
    outcome: str,
    review: str,
    *,
    with_note: bool = True,
) -> str:
    """Why the figure got its verdict, in words: who said what when, and the claims logic's reason.

    The claims' ``why`` (the keys that matched) is added when it has one; its ``note`` only
    when every mention took part (``with_note``), since the note counts mentions.
    """
    what = ", ".join(x for x in (fact["subject"], fact["location"], fact["period"]) if x) or "this quantity"
    if outcome == "new":
        return f"no other document states {what} ({fact['category']})"
    docs = figure.docs
    lead = {
        "corroborated": f"the same claim in {len(docs):,} other document(s): {_said(docs)}",
        "updated": f"this quantity at other dates: {_in_time(fact, docs)}",
        "conflicting": f"a different value for the same claim: {_in_time(fact, docs)}",
        "review": f"unsure match ({unsure_because(str(claim.get('status', '')), review, fact, docs)}): "
        + _said(docs),
    }[outcome]
    reason = str(claim.get("why", "") or "") or (str(claim.get("note", "") or "") if with_note else "")
    text = f"{lead}. Claims: {reason}" if reason else lead
    return f"{text}. In the claims review queue: {review}" if review and outcome != "review" else text


# --- receipts: the other documents' sentences ---------------------------------------------------


RECEIPT_COLUMNS = ("fact_id", "other_fact_id", "doc_id", "outlet", "published", "title", "url", "sentence",
                   "surface", "value", "unit")  # fmt: skip


def _documents_of(documents: pd.DataFrame | None) -> pd.DataFrame:
    if documents is None or documents.empty:
        return pd.DataFrame(columns=["doc_id", "title", "url"])
    frame = documents.copy()
    for column in ("title", "url"):
        if column not in frame:
            frame[column] = ""
    return frame.loc[:, ["doc_id", "title", "url"]].fillna("").astype(str).drop_duplicates("doc_id")


def _receipts(figures: Sequence[Figure]) -> pd.DataFrame:
    """One row per figure and other document (at most :data:`MAX_SOURCES` each), with titles and URLs."""
    rows = [
        {**m, "other_fact_id": m["fact_id"], "fact_id": f.fact["fact_id"]}
        for f in figures
        for m in f.docs[:MAX_SOURCES]
    ]
    if not rows:
        return pd.DataFrame(columns=list(RECEIPT_COLUMNS))
    receipts = pd.DataFrame.from_records(rows)
    return receipts.fillna({"title": "", "url": ""}).loc[:, list(RECEIPT_COLUMNS)]


def listed_files(paths: Iterable[Path | str] | None) -> list[Path]:
    """The article files under ``paths`` (default seeds/ and data/raw/), as the corpus reader lists them."""
    return list(iter_paths(list(paths) if paths is not None else DEFAULT_PATHS, []))


def safe_url(url: str) -> str:
    """``url`` if it is http(s), else "" (no ``javascript:`` or ``data:`` link from an article).

    >>> safe_url("https://cbc.ca/x"), safe_url("javascript:alert(1)")
    ('https://cbc.ca/x', '')
    """
    url = str(url or "").strip()
    return url if url.lower().startswith(SAFE_SCHEMES) and not re.search(r"\s", url) else ""


# --- the terminal --------------------------------------------------------------------------------


_UNPRINTABLE = re.compile(r"[\x00-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069]")


def printable(text: str) -> str:
    """``text`` with control and bidi characters shown as ``?`` (article text is untrusted on a terminal)."""
    return _UNPRINTABLE.sub("?", unicodedata.normalize("NFC", str(text)))


def _cut(text: str, width: int) -> str:
    text = " ".join(printable(text).split())
    return text if len(text) <= width else text[: width - 1] + "…"


OUTLET_CELL = 24  # a title standing for an outlet is cut, so the next sources still show


def _outlets(receipts: pd.DataFrame) -> dict[str, str]:
    """``outlet date, outlet date`` of each figure's receipts (by fact_id), for a terminal cell."""
    cells: dict[str, list[str]] = {}
    for r in receipts.to_dict("records"):
        cell = f"{_cut(outlet_of(r), OUTLET_CELL)} {r['published'] or 'undated'}"
        cells.setdefault(r["fact_id"], []).append(cell)
    return {fact_id: ", ".join(cell) for fact_id, cell in cells.items()}


def terminal_table(result: CheckResult, width: int | None = None) -> str:
    """The check as a compact fixed-width table: figure, verdict, the other value, who stated it."""
    import shutil

    if result.table.empty:
        return ""
    width = width or max(80, shutil.get_terminal_size((120, 24)).columns)
    rows = [("figure", "verdict", "other", "sources")]
    outlets = _outlets(result.receipts)
    for r in result.table.to_dict("records"):
        other = stated(r["other_value"], r["unit"])
        rows.append((r["surface"], r["verdict"], other, outlets.get(r["fact_id"], "")))
    limits = (30, 12, 18, max(20, width - 30 - 12 - 18 - 6))
    cells = [[_cut(c, n) for c, n in zip(row, limits, strict=True)] for row in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(limits))]
    return "\n".join(
        "  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() for row in cells
    )


# --- the command ---------------------------------------------------------------------------------

OUT_SUFFIXES = (".csv", ".json", ".html")
MSG_OUT_SUFFIX = "{out}: unsupported output (use FILE.csv, FILE.json or FILE.html)"
MSG_OUT_PROTECTED = "{out}: the check never writes into {folder} (the project's tables and overrides)"
MSG_CACHE_PROTECTED = "{cache}: the check never writes into {folder}: name a cache folder outside it"
MSG_CORPUS_MISSING = "corpus {path}: no such file or folder"
MSG_CORPUS_EMPTY = "corpus {paths}: no article with figures to check against"
MSG_NO_ARTICLE = "no article could be read: nothing to check"


class CheckError(Exception):
    """The check cannot run: a bad ``--out``, a missing or empty corpus."""


def check_out_path(out: Path) -> None:
    """CheckError unless ``out`` is a .csv, .json or .html file outside data/processed/ and the overrides."""
    processed, overrides = project_files()
    if out.suffix.lower() not in OUT_SUFFIXES:
        raise CheckError(MSG_OUT_SUFFIX.format(out=out))
    target = out.resolve()
    if target == overrides.resolve() or target.is_relative_to(processed.resolve()):
        raise CheckError(MSG_OUT_PROTECTED.format(out=out, folder=processed.parent))


def check_cache_path(cache: Path) -> None:
    """CheckError if the ``--cache`` folder is in data/processed/ (the check keeps its state outside)."""
    processed = project_files()[0]
    if cache.resolve().is_relative_to(processed.resolve()):
        raise CheckError(MSG_CACHE_PROTECTED.format(cache=cache, folder=processed))


def check_corpus_paths(paths: Sequence[Path] | None) -> list[Path]:
    """The corpus paths (default: seeds/ and data/raw/ where they exist); CheckError naming a missing one."""
    if not paths:
        return [p for p in DEFAULT_PATHS if Path(p).exists()]
    for path in paths:
        if not path.exists():
            raise CheckError(MSG_CORPUS_MISSING.format(path=path))
    return list(paths)


def write_results(results: Sequence[CheckResult], out: Path) -> Path:
    """Write the checks to ``out`` (.csv, .json or .html by extension), atomically."""
    from borderdata.tables import write_bytes_atomic, write_table

    table = pd.concat([r.table for r in results], ignore_index=True) if results else _table([])
    suffix = out.suffix.lower()
    if suffix == ".csv":
        return write_table(table, out)
    if suffix == ".json":
        text = table.to_json(orient="records", indent=1, force_ascii=False) + "\n"
    else:
        from borderdata.checkpage import page

        text = page(results)
    payload = text.encode("utf-8")
    return write_bytes_atomic(out, lambda tmp: tmp.write_bytes(payload))


def project_overrides() -> Path | None:
    """The project's ``data/overrides.csv`` if there is one (what ``make data`` applies)."""
    overrides = project_files()[1]
    return overrides if overrides.is_file() else None


def run_command(
    articles: Sequence[Path],
    corpus: Sequence[Path] | None = None,
    out: Path | None = None,
    *,
    cache: Path | None = None,
    stdout: Any = None,
    stderr: Any = None,
) -> int:
    """``borderdata check``: 0 if all were checked, 1 if an article was unreadable, 2 if none can run."""
    import sys

    stdout, stderr = stdout or sys.stdout, stderr or sys.stderr
    try:
        if out is not None:
            check_out_path(out)
        if cache is not None:
            check_cache_path(cache)
        paths = check_corpus_paths(corpus)
    except CheckError as exc:
        print(f"error: {printable(str(exc))}", file=stderr)
        return 2
    problems: list[Problem] = []
    documents = read_articles(articles, problems)
    for problem in problems:
        print(printable(str(problem)), file=stderr)
    failed = any(p.severity == "error" for p in problems)
    if not documents:
        if not failed:  # an unreadable article has said why in its own line
            print(f"error: {MSG_NO_ARTICLE}", file=stderr)
        return 1
    corpus_problems: list[Problem] = []
    overrides = project_overrides()
    index = corpus_index(paths, cache=cache, problems=corpus_problems, overrides=overrides)
    for problem in corpus_problems:
        print(printable(str(problem)), file=stderr)
    if index.full["doc_id"].isin({d.doc_id for d in documents}).all():
        named = ", ".join(str(p) for p in paths) or ", ".join(str(p) for p in DEFAULT_PATHS)
        print(f"error: {printable(MSG_CORPUS_EMPTY.format(paths=named))}", file=stderr)
        return 2
    results = []
    for doc in documents:
        result = check_document(doc, facts=index, documents=index.documents_of, overrides=overrides)
        _print_result(result, stdout, stderr)
        results.append(result)
    if out is not None:
        write_results(results, out)
        print(f"-> {out}", file=stderr)
    return 1 if failed else 0


def _print_result(result: CheckResult, stdout: Any, stderr: Any) -> None:
    doc = result.document
    name = printable(str(doc.path))
    if result.table.empty:
        print(MSG_NO_FIGURES.format(name=name), file=stderr)
        return
    when = doc.published.isoformat() if doc.published else "undated"
    print(f"{name} ({printable(doc.outlet or 'outlet not stated')}, {when})", file=stdout)
    print(terminal_table(result), file=stdout)
    print(result.summary(), file=stdout)
    print(file=stdout)
