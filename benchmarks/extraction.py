"""Extraction throughput alone, beside a bare digit scan of the same text, at 1x/4x/16x, and on dense news.

`make bench` runs this after `run.py` (which times whole runs: reading, extraction, writing,
per engine). Here the documents are read first and only `extract_facts` is timed, against
`re.finditer(r"\\d[\\d,.]*")` over the same article texts in the same process, so the ratio is
the one issue 3 asks for. Timings are measured and printed, never asserted; the table is
written to benchmarks/extraction.md.

The generated corpus has about 1.4 facts per 1,000 characters; real border news has about
5.5, and extraction costs per fact. The dense corpus is the development set's real articles
(``../shared/dev/articles``, read in place, never copied) repeated ``--dense-copies`` times;
where that folder is absent the table says so and the row is skipped.

    .venv/bin/python benchmarks/extraction.py [--sizes 1 4 16] [--repeat 3] [--dense-copies 10]
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from run import BASE_MB, make_corpus  # noqa: E402  (the same generated corpora as run.py)

from borderdata import extract_facts, load_corpus  # noqa: E402

RESULTS = HERE / "extraction.md"
DEV_ARTICLES = HERE.parent.parent / "shared" / "dev" / "articles"
BARE = re.compile(r"\d[\d,.]*")
TARGET_RATIO = 50


def best_of(repeat: int, work) -> float:
    """The fastest of ``repeat`` timings of ``work()`` (the least disturbed by other load)."""
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        work()
        times.append(time.perf_counter() - started)
    return min(times)


def measure(size: int, repeat: int) -> dict[str, float]:
    documents = load_corpus([make_corpus(size, BASE_MB)])
    texts = [d.text for d in documents]
    chars = sum(map(len, texts))
    bare = best_of(repeat, lambda: [sum(1 for _ in BARE.finditer(t)) for t in texts])
    facts = extract_facts(documents)
    ours = best_of(repeat, lambda: extract_facts(documents))
    return {
        "size": size,
        "docs": len(documents),
        "chars": chars,
        "facts": len(facts),
        "bare": bare,
        "ours": ours,
    }


def measure_dense(copies: int, repeat: int) -> dict[str, float] | None:
    """The development set's articles repeated ``copies`` times, or None where they are absent."""
    if not DEV_ARTICLES.is_dir():
        return None
    documents = load_corpus([DEV_ARTICLES], problems=[]) * copies
    texts = [d.text for d in documents]
    bare = best_of(repeat, lambda: [sum(1 for _ in BARE.finditer(t)) for t in texts])
    facts = extract_facts(documents)
    ours = best_of(repeat, lambda: extract_facts(documents))
    return {"size": copies, "docs": len(documents), "chars": sum(map(len, texts)), "facts": len(facts),
            "bare": bare, "ours": ours}  # fmt: skip


def dense_table(row: dict[str, float] | None) -> str:
    """The dense-corpus table: chars/s, milliseconds per fact and the bare-scan ratio."""
    if row is None:
        return f"Dense corpus skipped: {DEV_ARTICLES} is absent (it lives beside the project, not in it)."
    per_k = row["facts"] / row["chars"] * 1000
    return "\n".join([
        "| corpus | chars | docs | facts | facts per 1,000 chars | extract_facts s | chars/s | ms per fact"
        " | bare / extraction |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
        f"| dev set x{row['size']} | {row['chars']:,} | {row['docs']:,} | {row['facts']:,} | {per_k:.1f} | "
        f"{row['ours']:.2f} | {row['chars'] / row['ours']:,.0f} | {row['ours'] / row['facts'] * 1000:.3f} | "
        f"{row['ours'] / row['bare']:.0f} |",
    ])  # fmt: skip


def table(rows: list[dict[str, float]]) -> str:
    lines = [
        "| corpus | MB | docs | facts | extract_facts s | chars/s | bare scan chars/s | bare / extraction"
        " | s per MB |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for r in rows:
        mb = r["chars"] / 1e6
        lines.append(
            f"| {r['size']}x | {mb:.1f} | {r['docs']:,} | {r['facts']:,} | {r['ours']:.2f} | "
            f"{r['chars'] / r['ours']:,.0f} | {r['chars'] / r['bare']:,.0f} | {r['ours'] / r['bare']:.0f} | "
            f"{r['ours'] / mb:.3f} |"
        )
    top = rows[-1]
    ratio = top["ours"] / top["bare"]
    verdict = "met" if ratio <= TARGET_RATIO else "NOT met"
    lines += ["", f"Target (issue 3): extraction at least 1/{TARGET_RATIO} of the bare scan on the largest "
              f"corpus: 1/{ratio:.0f}, {verdict}."]  # fmt: skip
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1, 4, 16])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--dense-copies", type=int, default=10)
    args = parser.parse_args()
    rows = [measure(size, args.repeat) for size in args.sizes]
    dense = measure_dense(args.dense_copies, args.repeat)
    text = (
        "# Extraction throughput (`benchmarks/extraction.py`)\n\n## Generated corpus\n\n"
        + table(rows)
        + "\n\n## Dense corpus: real border news\n\n"
        + dense_table(dense)
        + "\n"
    )
    RESULTS.write_text(text, encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
