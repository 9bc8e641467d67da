"""`make bench-pathological`: extraction time on hostile inputs at 1x, 2x and 4x, to show it stays linear.

Inputs (all generated here, nothing downloaded):

- ``article``: one huge article (4x = 50 MB) made of generated news paragraphs, read as
  one document whose body is every line (what a 50 MB file would give if it were let in;
  the corpus reader itself refuses files over its 20 MB limit, which is checked too);
- ``numbers-file``: a file of numbers, one a line (4x = 100,000), read through
  ``load_corpus`` and ``extract_facts`` like any article;
- backtracking bait, each a single line: runs of ``1,1,1``, ``1.1.1``, ``----``,
  ``1111``, ``1 1 1`` (every token a number), nested qualifiers
  ``about about ... less than 5 kg``, ``$$$$``, ``((((``, and a 1,000-group numeral;
- ``html bait``: an ``.html`` file of repeated ``<a b='`` (4x = 640 KB; the standard
  library's parser took 69 s on 160 KB), read through ``load_corpus``;
- ``gzip bomb``: a ``.jsonl.gz`` archive holding one good record and then one endless line
  (4x = 2 GiB decompressed from about 2 MB), read through ``load_corpus``;
- ``one-line article``: generated news paragraphs on one line (4x = 5 MB; with
  ``--one-line-mb 5``, 20 MB, just under the size limit, which takes minutes), read and
  extracted as a file: the memory case;
- ``repeated claims``: N articles that all cite "$1.3 billion" (4x = 4,000; with
  ``--claim-articles 4000``, 16,000), through ``build_claims``.

Each measurement runs in a child process of its own, so the peak memory (RSS) reported is
that input's. For each input the time at 4x over the time at 1x should be near 4 (linear);
a ratio near 16 would be quadratic. Timings are measured, never asserted. Writes
``benchmarks/pathological.md``.

    .venv/bin/python benchmarks/pathological.py [--scale 1.0] [--skip-article] [--only NAME ...]
                                                [--one-line-mb 1.25] [--claim-articles 1000]
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import pickle
import platform
import resource
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "pathological.md"
SIZES = (1, 2, 4)
ARTICLE_MB = 12.5  # 1x; 4x is the 50 MB article
NUMBERS_1X = 25_000  # 4x is 100,000 numbers
BAIT_CHARS = 250_000  # 1x; 4x is 1 MB on one line
SPACED_CHARS = 25_000  # "1 1 1": every token a row, so smaller
HTML_BAIT_BYTES = 160_000  # 1x; 4x is 640 KB of "<a b='"
BOMB_BYTES = 512 * 2**20  # decompressed, 1x; 4x is the 2 GiB line
ONE_LINE_MB = 1.25  # 1x; 4x is 5 MB on one line (--one-line-mb 5: the 20 MB article, minutes)
CLAIM_ARTICLES = 1_000  # 1x; 4x is 4,000 (--claim-articles 4000: the 16,000 of the issue)


@dataclass(frozen=True)
class Case:
    """One pathological input: how to build it at a size and how to extract from it."""

    name: str
    build: Callable[[int], Any]  # the input (its len is its size), or (input, size)
    run: Callable[[Any], int]
    note: str
    unit: str = "chars"


@dataclass(frozen=True)
class Timing:
    case: str
    size: int
    chars: int
    seconds: float
    rows: int
    peak_mb: float = 0.0  # peak RSS of the process that measured it
    grown_mb: float = 0.0  # of which added by the input (peak minus the RSS before building it)
    unit: str = "chars"


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


def _scratch() -> Path:
    """A temporary folder for input files, removed when the measuring child exits."""
    folder = Path(tempfile.mkdtemp(prefix="bd-pathological-"))
    import atexit
    import shutil

    atexit.register(shutil.rmtree, folder, True)
    return folder


def build_html_bait(size: int) -> tuple[Path, int]:
    path = _scratch() / "bait.html"
    path.write_text("<html><body><p>Canada bought 4 drones.</p>" + _repeat("<a b='", HTML_BAIT_BYTES * size))
    return path, path.stat().st_size


def build_gzip_bomb(size: int) -> tuple[Path, int]:
    """One good record, then one line of ``BOMB_BYTES`` x size bytes, gzipped (about 1,000:1)."""
    path = _scratch() / "bomb.jsonl.gz"
    block = b"x" * (1 << 20)
    with gzip.open(path, "wb", compresslevel=9) as fh:
        fh.write(json.dumps({"id": "a", "text": "Canada bought 4 drones."}).encode() + b"\n")
        fh.write(b'{"id": "b", "text": "')
        for _ in range(BOMB_BYTES * size // len(block)):
            fh.write(block)
    return path, BOMB_BYTES * size


def run_file(path: Path) -> int:
    """Read ``path`` with load_corpus (problems allowed: refusing is the point) and extract."""
    from borderdata.corpus import load_corpus
    from borderdata.extract import extract_facts

    problems: list = []
    docs = load_corpus([path], problems=problems)
    return len(extract_facts(docs)) if docs else 0


def build_one_line(size: int) -> tuple[Path, int]:
    """Generated news paragraphs joined by spaces into one line of ONE_LINE_MB x size."""
    from borderdata.synth import iter_articles, paragraph_pool

    target = int(ONE_LINE_MB * 1_000_000 * size)
    path = _scratch() / "one-line.txt"
    written = 0
    with open(path, "w", encoding="utf-8") as fh:
        for article in iter_articles(paragraph_pool(), seed=0):
            piece = " ".join(article.text.split()) + " "
            piece = piece[: target - written]
            fh.write(piece)
            written += len(piece)
            if written >= target:
                break
    return path, path.stat().st_size


def build_claim_facts(size: int) -> tuple[Any, int]:
    """CLAIM_ARTICLES x size articles, each citing "$1.3 billion", as a facts table."""
    import pandas as pd

    from borderdata.extract import extract_text

    one = extract_text("Ottawa will spend $1.3 billion on border security, the minister said.")
    one = one.loc[one["surface"].str.contains("1.3")]
    n = CLAIM_ARTICLES * size
    facts = pd.concat([one] * n, ignore_index=True)
    doc_ids = [f"doc{i:06d}" for i in range(n)]
    facts = facts.assign(
        doc_id=doc_ids,
        fact_id=[f"{d}:{s}" for d, s in zip(doc_ids, facts["start"], strict=True)],
        outlet=[f"Outlet {i % 40}" for i in range(n)],
        published=[f"2025-{1 + i % 12:02d}-{1 + i % 28:02d}" for i in range(n)],
    )
    return facts, n


def run_claims(facts: Any) -> int:
    from borderdata.claims import build_claims

    return len(build_claims(facts))


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
    Case("html bait", build_html_bait, run_file, "repeated <a b=' in an .html file", "bytes"),
    Case("gzip bomb", build_gzip_bomb, run_file, "one endless line in a .jsonl.gz", "bytes unpacked"),
    Case("one-line article", build_one_line, run_file, "news on one line, as a file (memory)", "bytes"),
    Case("repeated claims", build_claim_facts, run_claims, 'articles citing "$1.3 billion"', "articles"),
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


def _rss_mb() -> float:
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def measure_here(case: Case, size: int) -> Timing:
    before = _rss_mb()
    built = case.build(size)
    given, chars = built if isinstance(built, tuple) else (built, len(built))
    began = time.perf_counter()
    rows = case.run(given)
    seconds = time.perf_counter() - began
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return Timing(case.name, size, chars, seconds, rows, peak, peak - before, case.unit)


def measure(case: Case, size: int) -> Timing:
    """Measure in a forked child, so that its peak RSS is this input's alone."""
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: measure, send the result, leave without cleanup handlers of the parent
        os.close(read)
        code = 0
        try:
            payload = pickle.dumps(measure_here(case, size))
        except BaseException as error:  # report it in the table instead of losing the run
            payload, code = pickle.dumps(f"{type(error).__name__}: {error}"), 1
        with os.fdopen(write, "wb") as fh:
            fh.write(payload)
        import atexit

        atexit._run_exitfuncs()  # the scratch folders
        os._exit(code)
    os.close(write)
    with os.fdopen(read, "rb") as fh:
        result = pickle.loads(fh.read())  # our own child's bytes, through a pipe
    os.waitpid(pid, 0)
    if isinstance(result, str):
        raise RuntimeError(f"{case.name} {size}x: {result}")
    return result


def table(timings: list[Timing]) -> list[str]:
    by_case: dict[str, dict[int, Timing]] = {}
    for t in timings:
        by_case.setdefault(t.case, {})[t.size] = t
    lines = [
        "| input | size | input size | rows | seconds | per second | time vs 1x (linear = size) "
        "| peak RSS MB | of which the input |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for name, runs in by_case.items():
        base = runs[min(runs)].seconds
        for size, t in sorted(runs.items()):
            rate = t.chars / t.seconds if t.seconds else float("inf")
            ratio = t.seconds / base if base else float("nan")
            cells = (
                name,
                f"{size}x",
                f"{t.chars:,} {t.unit}",
                f"{t.rows:,}",
                f"{t.seconds:.2f}",
                f"{rate:,.0f}",
            )
            memory = (f"{t.peak_mb:,.0f}", f"{t.grown_mb:,.0f}")
            lines.append("| " + " | ".join((*cells, f"{ratio:.2f}", *memory)) + " |")
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


def carried_over(results: Path, measured: set[str]) -> tuple[list[str], list[str]]:
    """Table rows and linearity lines of the inputs not measured now, from an earlier results file
    (``--only`` re-measures a few inputs without losing the others). Rows from before memory was
    reported get "—" in the memory columns."""
    if not results.exists():
        return [], []
    rows, lines = [], []
    for line in results.read_text(encoding="utf-8").splitlines():
        if line.startswith("| ") and not line.startswith(("| input", "| ---")):
            cells = line.strip().strip("|").split("|")
            if cells[0].strip() not in measured:
                rows.append(line if len(cells) >= 9 else line + " — | — |")
        elif (
            line.startswith("- ") and "time per character" in line and line[2:].split(":")[0] not in measured
        ):
            lines.append(line)
    return rows, lines


def main(argv: list[str] | None = None) -> int:
    global ARTICLE_MB, NUMBERS_1X, BAIT_CHARS, SPACED_CHARS, HTML_BAIT_BYTES, BOMB_BYTES, ONE_LINE_MB
    global CLAIM_ARTICLES
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0, help="multiply every 1x size (default 1.0)")
    parser.add_argument("--skip-article", action="store_true", help="leave out the 12.5-50 MB article")
    parser.add_argument(
        "--only", nargs="+", metavar="NAME", help="re-measure only these inputs (the others' rows are kept)"
    )
    parser.add_argument(
        "--one-line-mb", type=float, default=ONE_LINE_MB, help="1x size of the one-line article, MB"
    )
    parser.add_argument(
        "--claim-articles", type=int, default=CLAIM_ARTICLES, help="1x number of articles citing one figure"
    )
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    ARTICLE_MB, NUMBERS_1X = ARTICLE_MB * args.scale, int(NUMBERS_1X * args.scale)
    BAIT_CHARS, SPACED_CHARS = int(BAIT_CHARS * args.scale), int(SPACED_CHARS * args.scale)
    HTML_BAIT_BYTES, BOMB_BYTES = int(HTML_BAIT_BYTES * args.scale), int(BOMB_BYTES * args.scale)
    ONE_LINE_MB, CLAIM_ARTICLES = args.one_line_mb * args.scale, int(args.claim_articles * args.scale)
    import borderdata.claims  # imported once here, shared by every forked child
    import borderdata.extract  # noqa: F401
    from borderdata.corpus import html_to_text

    html_to_text("<p>warm</p>")  # imports trafilatura and lxml before the fork, not in the timing

    timings: list[Timing] = []
    for case in CASES:
        if (case.name == "article" and args.skip_article) or (args.only and case.name not in args.only):
            continue
        for size in SIZES:
            timing = measure(case, size)
            timings.append(timing)
            shown = f"{case.name:>18} {size}x {timing.chars:>14,} {timing.unit} {timing.seconds:8.2f} s"
            print(f"{shown} {timing.rows:>9,} rows {timing.peak_mb:8,.0f} MB", file=sys.stderr, flush=True)
    kept_rows, kept_verdicts = carried_over(args.out, {t.case for t in timings}) if args.only else ([], [])
    new_table = table(timings)
    provenance = (
        f" Rows for {', '.join(sorted({t.case for t in timings}))} were measured by `--only`; the others"
        " come from an earlier run (— where it did not measure memory)."
        if kept_rows
        else ""
    )
    lines = [
        "# Pathological inputs (`make bench-pathological`)",
        "",
        f"Machine: {os.cpu_count()} cores, Python {platform.python_version()}; `extract_text` / "
        "`load_corpus` + `extract_facts` / `build_claims` (no engine, no cache), each measurement in "
        "a child process of its own: its peak RSS includes the libraries imported before the fork, "
        "and 'of which the input' is what building and reading the input added.",
        "Generated by `benchmarks/pathological.py` (see its docstring for each input). Timings are",
        "measured on a shared machine and never asserted; the ratios are what matters." + provenance,
        "",
        *new_table[:2],
        *kept_rows,
        *new_table[2:],
        "",
        "Linearity (time per character at the largest size over the smallest; 1 = linear,",
        "4 = quadratic):",
        "",
        *kept_verdicts,
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
