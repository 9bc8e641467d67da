"""`make bench-pathological`: extraction time on hostile inputs at 1x, 2x and 4x, to show it stays linear.

Inputs (all generated here, nothing downloaded):

- ``article``: one huge article (4x = 50 MB) made of generated news paragraphs, read as
  one document whose body is every line (what a 50 MB file would give if it were let in;
  the corpus reader itself refuses files over its 20 MB limit, which is checked too);
- ``numbers-file``: a file of numbers, one a line (4x = 100,000), read through
  ``load_corpus`` and ``extract_facts`` like any article;
- backtracking bait, each a single line: runs of ``1,1,1``, ``1.1.1``, ``----``,
  ``1111``, ``1 1 1`` (every token a number), nested qualifiers
  ``about about ... less than 5 kg``, ``$$$$``, ``((((``, and a 1,000-group numeral.

For each input the time at 4x over the time at 1x should be near 4 (linear); a ratio
near 16 would be quadratic. Timings are measured, never asserted. Writes
``benchmarks/pathological.md``.

    .venv/bin/python benchmarks/pathological.py [--scale 1.0] [--skip-article]
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "pathological.md"
SIZES = (1, 2, 4)
ARTICLE_MB = 12.5  # 1x; 4x is the 50 MB article
NUMBERS_1X = 25_000  # 4x is 100,000 numbers
BAIT_CHARS = 250_000  # 1x; 4x is 1 MB on one line
SPACED_CHARS = 25_000  # "1 1 1": every token a row, so smaller


@dataclass(frozen=True)
class Case:
    """One pathological input: how to build it at a size and how to extract from it."""

    name: str
    build: Callable[[int], str]
    run: Callable[[str], int]
    note: str


@dataclass(frozen=True)
class Timing:
    case: str
    size: int
    chars: int
    seconds: float
    rows: int


def _repeat(unit: str, chars: int) -> str:
    return unit * max(1, chars // len(unit))


def build_article(size: int) -> str:
    """Generated news paragraphs up to ``size`` x ARTICLE_MB, one long document."""
    from borderdata.synth import iter_articles, paragraph_pool

    target = int(ARTICLE_MB * 1_000_000 * size)
    parts, total = [], 0
    for article in iter_articles(paragraph_pool(), seed=0):
        parts.append(article.text)
        total += len(article.text)
        if total >= target:
            return "\n".join(parts)
    raise AssertionError("unreachable")


def run_article(text: str) -> int:
    from borderdata.corpus import iter_lines
    from borderdata.extract import extract_text

    return len(extract_text(text, spans=list(iter_lines(text))))


def build_numbers(size: int) -> str:
    """NUMBERS_1X x size numbers, one a line, in the shapes news uses."""
    shapes = ("{i}", "{i:,} kg", "${i:,}", "{i}.5%", "about {i:,} officers")
    return "".join(shapes[i % len(shapes)].format(i=i) + "\n" for i in range(1, NUMBERS_1X * size + 1))


def run_numbers(text: str) -> int:
    from borderdata.corpus import load_corpus
    from borderdata.extract import extract_facts

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "numbers.txt"
        path.write_text(text, encoding="utf-8")
        problems: list = []
        docs = load_corpus([path], problems=problems)
        assert not problems, problems
        return len(extract_facts(docs))


def run_text(text: str) -> int:
    from borderdata.extract import extract_text

    return len(extract_text(text))


def _bait(unit: str, tail: str = "", *, dense: bool = False) -> Callable[[int], str]:
    """``unit`` repeated to BAIT_CHARS x size (SPACED_CHARS when every few characters make a row)."""
    return lambda size: _repeat(unit, (SPACED_CHARS if dense else BAIT_CHARS) * size) + tail


CASES = (
    Case("article", build_article, run_article, "news paragraphs, one document (4x = 50 MB)"),
    Case("numbers-file", build_numbers, run_numbers, "one number a line via load_corpus (4x = 100,000)"),
    Case("commas 1,1,1", _bait("1,"), run_text, "digits and commas, one line"),
    Case("dots 1.1.1", _bait("1."), run_text, "digits and dots, one line"),
    Case("dashes ----", _bait("-"), run_text, "dashes, one line"),
    Case("digits 1111", _bait("1"), run_text, "one endless numeral"),
    Case("groups 1,111,111", _bait(",111", tail=" kg"), run_text, "thousands groups"),
    Case("spaced 1 1 1", _bait("1 ", dense=True), run_text, "every token a number (output-bound)"),
    Case("qualifiers", _bait("about ", tail="less than 5 kg."), run_text, "about about ... less than 5 kg"),
    Case("mixed quals", _bait("nearly up to more than ", tail="5 kg."), run_text, "nested qualifiers"),
    Case("dollars $$$$", _bait("$", tail="5"), run_text, "currency symbols"),
    Case("parens ((((", _bait("(", tail="5 kg"), run_text, "open parentheses"),
    Case("words", _bait("one two three hundred thousand "), run_text, "number words without end"),
    Case(
        "zero-width", _bait("1\u200b,\u00a0000\u202f", dense=True), run_text, "zero-width and no-break spaces"
    ),
)


def refused_by_corpus() -> str:
    """What load_corpus says about a file over its size limit (without writing 50 MB)."""
    from borderdata.corpus import DEFAULT_MAX_BYTES, load_corpus

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "huge.txt"
        with open(path, "wb") as fh:
            fh.truncate(DEFAULT_MAX_BYTES + 1)  # sparse: the size check comes before any read
        problems: list = []
        docs = load_corpus([path], problems=problems)
        assert not docs and problems
        return str(problems[0]).replace(folder, "<tmp>")


def measure(case: Case, size: int) -> Timing:
    text = case.build(size)
    began = time.perf_counter()
    rows = case.run(text)
    return Timing(case.name, size, len(text), time.perf_counter() - began, rows)


def table(timings: list[Timing]) -> list[str]:
    by_case: dict[str, dict[int, Timing]] = {}
    for t in timings:
        by_case.setdefault(t.case, {})[t.size] = t
    lines = [
        "| input | size | chars | rows | seconds | chars/s | time vs 1x (linear = size) |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for name, runs in by_case.items():
        base = runs[min(runs)].seconds
        for size, t in sorted(runs.items()):
            rate = t.chars / t.seconds if t.seconds else float("inf")
            ratio = t.seconds / base if base else float("nan")
            cells = (name, f"{size}x", f"{t.chars:,}", f"{t.rows:,}", f"{t.seconds:.2f}", f"{rate:,.0f}")
            lines.append("| " + " | ".join((*cells, f"{ratio:.2f}")) + " |")
    return lines


def verdicts(timings: list[Timing]) -> list[str]:
    """Per input: seconds per character at 4x over 1x (1.0 = linear; 4.0 = quadratic)."""
    out = []
    for name in dict.fromkeys(t.case for t in timings):
        runs = {t.size: t for t in timings if t.case == name}
        lo, hi = runs[min(runs)], runs[max(runs)]
        growth = (
            (hi.seconds / hi.chars) / (lo.seconds / lo.chars) if lo.seconds and lo.chars else float("nan")
        )
        word = "linear" if growth < 1.6 else "SUPER-LINEAR"
        out.append(f"- {name}: time per character {max(runs)}x / {min(runs)}x = {growth:.2f} ({word})")
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0, help="multiply every 1x size (default 1.0)")
    parser.add_argument("--skip-article", action="store_true", help="leave out the 12.5-50 MB article")
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    global ARTICLE_MB, NUMBERS_1X, BAIT_CHARS, SPACED_CHARS
    ARTICLE_MB, NUMBERS_1X = ARTICLE_MB * args.scale, int(NUMBERS_1X * args.scale)
    BAIT_CHARS, SPACED_CHARS = int(BAIT_CHARS * args.scale), int(SPACED_CHARS * args.scale)
    timings: list[Timing] = []
    for case in CASES:
        if case.name == "article" and args.skip_article:
            continue
        for size in SIZES:
            timing = measure(case, size)
            timings.append(timing)
            print(f"{case.name:>18} {size}x {timing.chars:>12,} chars {timing.seconds:8.2f} s "
                  f"{timing.rows:>9,} rows", file=sys.stderr, flush=True)  # fmt: skip
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    lines = [
        "# Pathological inputs (`make bench-pathological`)",
        "",
        f"Machine: {os.cpu_count()} cores, Python {platform.python_version()}; one process, "
        f"`extract_text` / `extract_facts` only (no engine, no cache). Peak RSS {peak_mb:,.0f} MB.",
        "Generated by `benchmarks/pathological.py` (see its docstring for each input). Timings are",
        "measured on a shared machine and never asserted; the ratios are what matters.",
        "",
        *table(timings),
        "",
        "Linearity (time per character at the largest size over the smallest; 1 = linear,",
        "4 = quadratic):",
        "",
        *verdicts(timings),
        "",
        "Corpus size limit: a file over the limit is refused, named, and the rest still read:",
        f"`{refused_by_corpus()}`",
        "",
    ]
    args.out.write_text("\n".join(lines), encoding="utf-8")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
