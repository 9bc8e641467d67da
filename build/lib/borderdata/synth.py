"""A deterministic, seeded corpus generator for benchmarks and tests (nothing downloaded).

Articles are built by recombining the paragraphs of the articles at hand (``seeds/`` and
``data/raw/``): a headline, a byline naming a known outlet, a "Published:" line and six to
eighteen body paragraphs drawn without repetition. Article ``i`` depends only on the seed,
the paragraph pool and ``i``, so a corpus of ``n + 1`` articles is the corpus of ``n`` plus
one, which is what an incremental-run benchmark needs.

    python -m borderdata.synth benchmarks/corpus/4x --mb 5.2 --seed 0
    python -m borderdata.synth archive.jsonl.gz --n-docs 1000 --format jsonl.gz
"""

from __future__ import annotations

import argparse
import gzip
import json
import random
import sys
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from borderdata.corpus import DEFAULT_PATHS, load_corpus, load_rules

FORMATS = ("txt", "jsonl", "jsonl.gz")
MIN_PARAGRAPHS, MAX_PARAGRAPHS = 6, 18
FIRST_DAY = date(2024, 1, 1)
DAYS = 730
FILES_PER_FOLDER = 1000
AUTHORS = ("Alex Martin", "Jordan Lee", "Sam Tremblay", "Riley Chen", "Morgan Roy", "Casey Singh")
MSG_NO_PARAGRAPHS = "no article paragraphs found under {paths}: nothing to recombine"
MSG_FORMAT = "unknown format {fmt!r} (use one of {formats})"
MSG_SIZE = "give either target_bytes or n_docs"


class SynthError(ValueError):
    """The generator cannot build a corpus (no source paragraphs, bad arguments)."""


@dataclass(frozen=True)
class Pool:
    """What articles are recombined from: body paragraphs, headlines and outlet names."""

    paragraphs: tuple[str, ...]
    titles: tuple[str, ...]
    outlets: tuple[str, ...]


@dataclass(frozen=True)
class Article:
    """One generated article."""

    doc_id: str
    title: str
    outlet: str
    published: date
    text: str

    def to_record(self) -> dict[str, str]:
        """The article as a ``.jsonl`` record (``id``, ``text`` and metadata)."""
        return {
            "id": self.doc_id,
            "text": self.text,
            "title": self.title,
            "outlet": self.outlet,
            "published": self.published.isoformat(),
            "url": f"https://example.org/news/{self.doc_id}",
        }


@dataclass(frozen=True)
class CorpusInfo:
    """Where a generated corpus was written and how big it is."""

    path: Path
    n_docs: int
    n_bytes: int


def paragraph_pool(paths: Iterable[Path | str] | None = None) -> Pool:
    """Body paragraphs and headlines of the articles under ``paths`` (default seeds/ and data/raw/)."""
    docs = load_corpus(list(paths) if paths is not None else list(DEFAULT_PATHS), problems=[])
    paragraphs: dict[str, None] = {}
    titles: dict[str, None] = {}
    for doc in docs:
        for start, end in doc.body_spans:
            line = doc.text[start:end].strip()
            if line == doc.title:
                continue
            if len(line.split()) >= 8:
                paragraphs.setdefault(line)
        if doc.title:
            titles.setdefault(doc.title)
    if not paragraphs:
        raise SynthError(MSG_NO_PARAGRAPHS.format(paths=[str(p) for p in paths or DEFAULT_PATHS]))
    outlets = load_rules().outlets or ("The Canadian Press",)
    return Pool(tuple(paragraphs), tuple(titles) or ("Border security update",), tuple(outlets))


def make_article(pool: Pool, index: int, seed: int = 0) -> Article:
    """Article number ``index``: the same for the same pool, seed and index."""
    rng = random.Random(f"borderdata-synth:{seed}:{index}")
    k = rng.randint(MIN_PARAGRAPHS, min(MAX_PARAGRAPHS, len(pool.paragraphs)))
    body = rng.sample(pool.paragraphs, k)
    title = rng.choice(pool.titles)
    outlet = rng.choice(pool.outlets)
    published = FIRST_DAY + timedelta(days=rng.randrange(DAYS))
    header = [
        title,
        f"By {rng.choice(AUTHORS)}, {outlet}",
        f"Published: {published:%B} {published.day}, {published.year}",
    ]
    return Article(
        doc_id=f"synth_{seed}_{index:07d}",
        title=title,
        outlet=outlet,
        published=published,
        text="\n\n".join(header + body) + "\n",
    )


def iter_articles(pool: Pool, *, seed: int = 0, start: int = 0) -> Iterator[Article]:
    """Articles ``start``, ``start + 1``, ... without end."""
    index = start
    while True:
        yield make_article(pool, index, seed)
        index += 1


def _take(
    articles: Iterator[Article], target_bytes: int | None, n_docs: int | None
) -> Iterator[tuple[Article, bytes]]:
    if (target_bytes is None) == (n_docs is None):
        raise SynthError(MSG_SIZE)
    total = 0
    for count, article in enumerate(articles):
        if (n_docs is not None and count >= n_docs) or (target_bytes is not None and total >= target_bytes):
            return
        data = article.text.encode("utf-8")
        total += len(data)
        yield article, data


def article_path(folder: Path, article: Article, index: int) -> Path:
    """Where article number ``index`` goes in a ``txt`` corpus (a thousand files a folder)."""
    return folder / f"part_{index // FILES_PER_FOLDER:04d}" / f"{article.doc_id}.txt"


def write_corpus(
    out: Path | str,
    *,
    target_bytes: int | None = None,
    n_docs: int | None = None,
    seed: int = 0,
    fmt: str = "txt",
    pool: Pool | None = None,
    start: int = 0,
) -> CorpusInfo:
    """Write a corpus of about ``target_bytes`` (or exactly ``n_docs`` articles) to ``out``.

    ``fmt="txt"`` writes one file per article under the folder ``out``; ``"jsonl"`` and
    ``"jsonl.gz"`` write one archive file ``out``. ``start`` is the index of the first article.

    >>> import tempfile
    >>> info = write_corpus(Path(tempfile.mkdtemp()) / "c", n_docs=3)
    >>> info.n_docs
    3
    """
    if fmt not in FORMATS:
        raise SynthError(MSG_FORMAT.format(fmt=fmt, formats=", ".join(FORMATS)))
    pool = pool or paragraph_pool()
    out = Path(out)
    chosen = _take(iter_articles(pool, seed=seed, start=start), target_bytes, n_docs)
    if fmt == "txt":
        return _write_txt(out, chosen, start)
    return _write_jsonl(out, chosen, gz=fmt == "jsonl.gz")


def _write_txt(folder: Path, articles: Iterable[tuple[Article, bytes]], start: int) -> CorpusInfo:
    n_docs = n_bytes = 0
    for offset, (article, data) in enumerate(articles):
        path = article_path(folder, article, start + offset)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        n_docs, n_bytes = n_docs + 1, n_bytes + len(data)
    return CorpusInfo(folder, n_docs, n_bytes)


def _write_jsonl(path: Path, articles: Iterable[tuple[Article, bytes]], *, gz: bool) -> CorpusInfo:
    path.parent.mkdir(parents=True, exist_ok=True)
    n_docs = n_bytes = 0
    # mtime=0: the same corpus gives the same .gz bytes.
    raw = open(path, "wb")  # noqa: SIM115 - closed below, wrapped by gzip when asked
    try:
        fh = gzip.GzipFile(fileobj=raw, mode="wb", mtime=0, filename="") if gz else raw
        for article, data in articles:
            fh.write(json.dumps(article.to_record(), ensure_ascii=False).encode("utf-8") + b"\n")
            n_docs, n_bytes = n_docs + 1, n_bytes + len(data)
        if gz:
            fh.close()
    finally:
        raw.close()
    return CorpusInfo(path, n_docs, n_bytes)


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m borderdata.synth OUT (--mb MB | --n-docs N) [--seed S] [--format F]``."""
    parser = argparse.ArgumentParser(prog="python -m borderdata.synth", description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path, help="folder (txt) or archive file (jsonl, jsonl.gz)")
    size = parser.add_mutually_exclusive_group(required=True)
    size.add_argument("--mb", type=float, help="target size in megabytes of article text")
    size.add_argument("--n-docs", type=int, help="number of articles")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--start", type=int, default=0, help="index of the first article")
    parser.add_argument("--format", choices=FORMATS, default="txt")
    parser.add_argument("--from", dest="sources", nargs="*", type=Path, help="articles to recombine")
    args = parser.parse_args(argv)
    info = write_corpus(
        args.out,
        target_bytes=int(args.mb * 1_000_000) if args.mb is not None else None,
        n_docs=args.n_docs,
        seed=args.seed,
        fmt=args.format,
        pool=paragraph_pool(args.sources) if args.sources else None,
        start=args.start,
    )
    print(f"{info.n_docs:,} articles, {info.n_bytes / 1e6:.1f} MB -> {info.path}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
