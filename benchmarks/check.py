"""`make bench`: `borderdata check` on one article against the 16x generated corpus, as a whole command.

The 16x corpus is the one of ``benchmarks/run.py`` (made here when missing). The package's
bytecode is compiled first (as an installed package has it), and the commands get a
temporary user cache (``XDG_CACHE_HOME``). A first run fills a temporary fact cache (every
document extracted), the check's corpus snapshot beside it, and the user cache (the lemma
dictionary, pint's parsed units); then the whole command

    borderdata check ARTICLE --corpus benchmarks/corpus/16x --cache TMP

is timed ``--repeat`` times (interpreter start and imports included; the fastest run
counts, the median is shown), and once with the snapshot removed (the facts then come
from the engine's cache). A child process times the phases of a warm run in CPU seconds,
each step done once: imports, the corpus index (stat of every file + the snapshot), reading
and extracting the article, the claims over the article plus its candidates, and the
receipts. Timings are measured, never asserted. Writes benchmarks/check.md.

    .venv/bin/python benchmarks/check.py [--article seeds/002_6b0f9d32bb2bd3fb.txt] [--repeat 5]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
RESULTS = HERE / "check.md"
BIN = Path(sys.executable).parent
DEFAULT_ARTICLE = "seeds/002_6b0f9d32bb2bd3fb.txt"
TARGET_SECONDS = 2.0
ENV = dict(os.environ)  # the commands' environment: its XDG_CACHE_HOME is a temporary folder (see main)


def child(article: str, corpus: str, cache: str) -> None:
    """One warm check split into phases, each step done once; prints the CPU seconds of each as JSON."""
    clock = time.process_time
    started = clock()
    import pandas as pd

    from borderdata import check
    from borderdata.claims import build_claims
    from borderdata.extract import extract_facts

    phases = {"imports (pandas, pint, the extractor and the claims)": clock() - started}
    tick = clock()
    overrides = check.project_overrides()
    index = check.corpus_index([Path(corpus)], cache=Path(cache), overrides=overrides)
    phases["corpus index (stat of every corpus file + the snapshot)"] = clock() - tick
    tick = clock()
    doc = check.read_articles([Path(article)], [])[0]
    facts = extract_facts([doc])
    phases["read + extract the article (rule files, lemmas on first use)"] = clock() - tick
    tick = clock()
    index = index.without(check.twin_documents(index.full, facts, doc.doc_id))
    candidates = index.candidates(facts)
    combined = build_claims(
        pd.concat([candidates, facts], ignore_index=True),
        decisions=index.decisions,
        holding=set(facts["fact_id"]),
    )
    phases["build_claims (article + candidates)"] = clock() - tick
    tick = clock()
    figures = check._figures(facts, combined, index)
    cited = {d["doc_id"] for f in figures for i, d in enumerate(f.docs) if check._named(i, d)}
    check._name_sources(figures, check._documents_of(index.documents_of(cited)))
    table = check._table([check._row(f, None, not index.reduced) for f in figures])
    phases["receipts (mentions, cited documents' titles) + table"] = clock() - tick
    sizes = {"corpus facts": len(index.full), "facts the claims see": len(index.kept),
             "candidates": len(candidates), "figures": len(table)}  # fmt: skip
    print(json.dumps({"phases": phases, "sizes": sizes, "summary": check.summary_line(table)}))


def whole_command(article: str, corpus: Path, cache: Path) -> tuple[float, float]:
    """Wall and CPU (user + system) seconds of one ``borderdata check`` command, output discarded.

    On a busy machine the wall time grows with the other work; the CPU time much less.
    """
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(
        [str(BIN / "borderdata"), "check", article, "--corpus", str(corpus), "--cache", str(cache)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        env=ENV,
    )
    seconds = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise SystemExit(f"borderdata check failed ({done.returncode}): {done.stderr[-2000:]}")
    return seconds, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def bare_python() -> float:
    """Wall seconds of starting and stopping the interpreter (what no command can avoid)."""
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", "pass"], check=True)
    return time.perf_counter() - start


def _row(name: str, run: tuple[float, float]) -> str:
    return f"| {name} | {run[0]:.2f} | {run[1]:.2f} |"


def report(
    runs: list[tuple[float, float]],
    cold: tuple[float, float],
    no_snapshot: tuple[float, float],
    bare: float,
    phases: dict,
    load: str,
) -> str:
    best = min(runs)
    median = (statistics.median(r[0] for r in runs), statistics.median(r[1] for r in runs))
    least_cpu = min(r[1] for r in runs)
    total = sum(phases["phases"].values())
    top = sorted(phases["phases"].items(), key=lambda item: -item[1])[:2]
    met = "met" if best[0] < TARGET_SECONDS else "NOT met"
    lines = [
        "# `borderdata check` benchmark (`make bench`)",
        "",
        f"Machine: {os.cpu_count()} cores, Python {sys.version.split()[0]}. "
        f"Article `{phases['article']}` checked against the 16x generated corpus of `benchmarks/run.py` "
        f"({phases['sizes']['corpus facts']:,} facts); warm: the check's fact cache and snapshot, the "
        "user's cache (lemma dictionary, parsed units) and the bytecode exist.",
        f"Load average (1 min) before and after: {load}. Other work on the machine inflates the wall times;",
        "the CPU time (user + system of the command) is what the command itself costs.",
        "",
        "| run | wall s | CPU s |",
        "| --- | ---: | ---: |",
        _row(f"whole command, warm (fastest of {len(runs)})", best),
        _row(f"whole command, warm (median of {len(runs)})", median),
        _row("whole command, snapshot removed (facts from the engine's cache)", no_snapshot),
        _row("whole command, first run (every document extracted)", cold),
        f"| `python -c pass` (interpreter alone) | {bare:.2f} | |",
        "",
        f"Target: warm whole command under {TARGET_SECONDS:.0f} s on two cores: {met} "
        f"({best[0]:.2f} s wall fastest; {least_cpu:.2f} s of CPU at least).",
        "",
        "Phases of one warm run (one child process, CPU seconds, each step done once):",
        "",
        "| phase | CPU s |",
        "| --- | ---: |",
        *[f"| {name} | {seconds:.2f} |" for name, seconds in phases["phases"].items()],
        "",
        "Dominant: " + ", ".join(f"{name} {cpu:.2f} s ({cpu / total:.0%})" for name, cpu in top) + ".",
        "",
        "Sizes: " + ", ".join(f"{name} {n:,}" for name, n in phases["sizes"].items()) + ".",
        f"Result: {phases['summary']}.",
    ]
    return "\n".join(lines) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--child", nargs=3, metavar=("ARTICLE", "CORPUS", "CACHE"))
    parser.add_argument("--article", default=DEFAULT_ARTICLE)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    if args.child:
        child(*args.child)
        return 0
    sys.path.insert(0, str(HERE))
    from run import BASE_MB, make_corpus

    corpus = make_corpus(16, BASE_MB)
    # Bytecode as an installed package has it (pip compiles at install; an editable install on
    # first import, unless PYTHONDONTWRITEBYTECODE is set, as on some machines).
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(ROOT / "src" / "borderdata")], check=True)
    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="bench-check-") as tmp:
        cache = Path(tmp) / "cache"
        # The user's cache (lemma dictionary, pint's parsed units) starts empty too: the first run
        # below builds it, the warm runs read it.
        ENV["XDG_CACHE_HOME"] = str(Path(tmp) / "user-cache")
        cold = whole_command(args.article, corpus, cache)
        runs = []
        for _ in range(args.repeat):
            runs.append(whole_command(args.article, corpus, cache))
            print(f"check, warm: {runs[-1][0]:.2f} s wall, {runs[-1][1]:.2f} s CPU", file=sys.stderr)
        done = subprocess.run(
            [sys.executable, __file__, "--child", args.article, str(corpus), str(cache)],
            cwd=ROOT, capture_output=True, text=True, check=True, env=ENV,
        )  # fmt: skip
        phases = {**json.loads(done.stdout.strip().splitlines()[-1]), "article": args.article}
        shutil.rmtree(cache / "check")
        no_snapshot = whole_command(args.article, corpus, cache)
    bare = min(bare_python() for _ in range(3))
    text = report(runs, cold, no_snapshot, bare, phases, f"{load_before:.2f} / {os.getloadavg()[0]:.2f}")
    RESULTS.write_text(text)
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
