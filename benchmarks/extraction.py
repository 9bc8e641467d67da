"""Extraction throughput alone, beside a bare digit scan of the same text, at 1x/4x/16x.

`make bench` runs this after `run.py` (which times whole runs: reading, extraction, writing,
per engine). Here the documents are read first and only `extract_facts` is timed, against
`re.finditer(r"\\d[\\d,.]*")` over the same article texts in the same process, so the ratio is
the one issue 3 asks for. Timings are measured and printed, never asserted; the table is
written to benchmarks/extraction.md.

    .venv/bin/python benchmarks/extraction.py [--sizes 1 4 16] [--repeat 3]
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
    args = parser.parse_args()
    rows = [measure(size, args.repeat) for size in args.sizes]
    text = "# Extraction throughput (`benchmarks/extraction.py`)\n\n" + table(rows) + "\n"
    RESULTS.write_text(text, encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
