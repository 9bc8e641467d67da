"""`make bench`: extraction throughput and memory at 1x, 4x and 16x corpus sizes; writes results.md.

Corpora are generated (deterministic, seeded; nothing downloaded) under benchmarks/corpus/.
Each engine runs in its own child process (``run.py --child ...``) so that its peak memory
can be read: ``ru_maxrss`` from ``os.wait4`` (the largest single process: the parent or a
worker it waited for) and the summed RSS of the whole process tree, sampled every 0.1 s
(pages shared by forked workers are counted once per process, so this over-states). The
bare ``re.finditer(r"\\d[\\d,.]*")`` scan runs in this process on the same texts. Timings
are measured, never asserted.

Each engine runs ``--repeat`` times (default 3), the engines taking turns, and the fastest
run counts (the usual rule for timings on a shared machine: noise only ever adds time);
peak memory is the largest of the repeats. Besides the run itself (after imports), the wall
time of the whole command (interpreter start and imports included) is recorded.

    .venv/bin/python benchmarks/run.py [--scale 1.3] [--sizes 1 4 16] [--repeat 3] [--skip-dask]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
CORPORA = HERE / "corpus"
RESULTS = HERE / "results.md"
BASE_MB = 1.3  # 1x; 16x is then 20.8 MB
SEED = 0
BARE = re.compile(r"\d[\d,.]*")
ENGINES = (("single", "local", 1), ("jobs 2", "local", 2), ("dask 2 workers", "dask", 2))
SAMPLE_SECONDS = 0.1


@dataclass
class Run:
    """One measured run of one engine on one corpus."""

    engine: str
    size: int
    seconds: float
    chars: int
    docs: int
    facts: int
    maxrss_mb: float
    tree_mb: float
    command_seconds: float
    cpu: float = float("nan")  # CPU seconds of the run: this process and its workers (least of the repeats)
    parent_cpu: float = float("nan")
    repeats: int = 1
    all_seconds: tuple[float, ...] = ()

    @property
    def chars_per_s(self) -> float:
        return self.chars / self.seconds

    @property
    def docs_per_s(self) -> float:
        return self.docs / self.seconds


# --- child: one engine, one corpus --------------------------------------------------------------


def child(engine: str, jobs: int, corpus: str, out: str, cache: str) -> None:
    """Run one extraction and print its figures as JSON (imports excluded from the timing)."""
    import contextlib
    import gc

    from borderdata.cli import dask_settings
    from borderdata.engine import write_facts

    if engine == "dask":
        import dask.distributed  # noqa: F401 - imports stay outside the timing, for every engine
    # As the `borderdata` command does for its own run (the library leaves process settings alone).
    gc.freeze()
    cpu, workers = time.process_time(), _children_cpu()
    with dask_settings() if engine == "dask" else contextlib.nullcontext():
        stats = write_facts(
            [corpus], out, jobs=jobs, engine=engine, cache=cache or None, problems=[], progress=False
        )
    cpu, workers = time.process_time() - cpu, _children_cpu() - workers  # workers: once reaped
    print(json.dumps({"seconds": stats.seconds, "chars": stats.chars, "docs": stats.documents,
                      "facts": stats.facts, "extracted": stats.extracted, "cpu": cpu + workers,
                      "parent_cpu": cpu}))  # fmt: skip


def _children_cpu() -> float:
    """CPU seconds of this process's terminated and reaped children (worker processes), and theirs."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


# --- parent: memory sampling and child runs -------------------------------------------------------


def _tree_rss_kb(root: int) -> int:
    """Summed VmRSS of ``root`` and all its descendants (Linux /proc)."""
    parents: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as fh:
                    fields = fh.read().rsplit(")", 1)[1].split()
                parents[int(entry)] = int(fields[1])
            except (OSError, IndexError, ValueError):
                continue
    tree, frontier = {root}, [root]
    while frontier:
        pid = frontier.pop()
        kids = [p for p, pp in parents.items() if pp == pid and p not in tree]
        tree.update(kids)
        frontier.extend(kids)
    total = 0
    for pid in tree:
        try:
            with open(f"/proc/{pid}/status") as fh:
                total += next((int(line.split()[1]) for line in fh if line.startswith("VmRSS:")), 0)
        except OSError:
            continue
    return total


def run_child(engine: str, jobs: int, corpus: Path, cache: Path | None = None) -> dict:
    """Run the child, return its JSON plus maxrss (wait4) and the sampled process-tree peak."""
    with tempfile.TemporaryDirectory() as tmp:
        cmd = [sys.executable, str(Path(__file__)), "--child", engine, str(jobs), str(corpus),
               str(Path(tmp) / "facts.csv"), str(cache or "")]  # fmt: skip
        started = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, cwd=ROOT)
        peak = [0]
        done = threading.Event()

        def sample() -> None:
            while not done.is_set():
                peak[0] = max(peak[0], _tree_rss_kb(proc.pid))
                done.wait(SAMPLE_SECONDS)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        out = proc.stdout.read()
        _, status, usage = os.wait4(proc.pid, 0)
        command = time.perf_counter() - started
        done.set()
        sampler.join()
        if os.waitstatus_to_exitcode(status) != 0:
            raise SystemExit(f"child failed: {' '.join(cmd)}")
    result = json.loads(out.decode().strip().splitlines()[-1])
    result.update(maxrss_mb=usage.ru_maxrss / 1024, tree_mb=peak[0] / 1024, command=command)
    return result


def per_round(single: Run | None, run: Run) -> float:
    """Median over the rounds of single's seconds over ``run``'s in the same round."""
    if single is None or not run.all_seconds:
        return float("nan")
    return statistics.median(a / b for a, b in zip(single.all_seconds, run.all_seconds, strict=True))


def best_of(results: list[dict]) -> dict:
    """The fastest of repeated runs, with the largest peak memory of them all."""
    best = dict(min(results, key=lambda r: r["seconds"]))
    best.update(maxrss_mb=max(r["maxrss_mb"] for r in results), tree_mb=max(r["tree_mb"] for r in results),
                command=min(r["command"] for r in results), repeats=len(results),
                cpu=min(r["cpu"] for r in results),
                parent_cpu=min(r["parent_cpu"] for r in results))  # fmt: skip
    return best


# --- corpora and the bare scan -------------------------------------------------------------------


def make_corpus(size: int, base_mb: float) -> Path:
    """benchmarks/corpus/<size>x, generated once per (size, base, seed)."""
    from borderdata.synth import write_corpus

    folder = CORPORA / f"{size}x"
    stamp = folder / ".stamp"
    want = f"{base_mb * size:.3f} MB seed {SEED}"
    if stamp.is_file() and stamp.read_text() == want:
        return folder
    shutil.rmtree(folder, ignore_errors=True)
    write_corpus(folder, target_bytes=int(base_mb * size * 1_000_000), seed=SEED)
    stamp.write_text(want)
    return folder


def bare_scan(folder: Path) -> tuple[float, int]:
    """Characters per second of the bare regex over the corpus texts (reading excluded)."""
    texts = [p.read_text(encoding="utf-8") for p in sorted(folder.rglob("*.txt"))]
    chars = sum(map(len, texts))
    best = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        count = sum(1 for text in texts for _ in BARE.finditer(text))
        best = min(best, time.perf_counter() - start)
    return chars / best, count


def incremental(folder: Path, repeat: int) -> dict[str, float]:
    """A cold full run (empty cache), then one more article and a warm run (jobs 2); best of ``repeat``."""
    from borderdata.synth import article_path, make_article, paragraph_pool

    n = sum(1 for _ in folder.rglob("*.txt"))
    article = make_article(paragraph_pool(), n, SEED)
    extra = article_path(folder, article, n)
    fulls, warms = [], []
    for _ in range(repeat):
        with tempfile.TemporaryDirectory() as cache:
            fulls.append(run_child("local", 2, folder, Path(cache)))
            extra.parent.mkdir(parents=True, exist_ok=True)
            extra.write_text(article.text, encoding="utf-8")
            try:
                warms.append(run_child("local", 2, folder, Path(cache)))
            finally:
                extra.unlink()
                if not any(extra.parent.iterdir()):
                    extra.parent.rmdir()
    full, warm = best_of(fulls), best_of(warms)
    return {"full": full["seconds"], "incremental": warm["seconds"], "extracted": warm["extracted"],
            "docs": warm["docs"], "full_command": full["command"], "incremental_command": warm["command"],
            "repeats": repeat}  # fmt: skip


# --- report ------------------------------------------------------------------------------------


def report(
    runs: list[Run], bare: dict[int, float], inc: dict[str, float] | None, sizes: list[int], load: str
) -> str:
    """The results as Markdown tables with the target checks."""
    by = {(r.engine, r.size): r for r in runs}
    top, mid = max(sizes), sorted(sizes)[-2] if len(sizes) > 1 else max(sizes)
    lines = [
        "# Benchmark results (`make bench`)",
        "",
        f"Machine: {os.cpu_count()} cores, Python {sys.version.split()[0]}. Corpus: generated by",
        f"`borderdata.synth` (seed {SEED}) from the available articles, 1x = {BASE_MB} MB.",
        "Throughput counts the whole run after imports: reading, body detection, extraction,",
        "merging and writing the CSV (and, for Dask, starting and stopping the 2-worker LocalCluster).",
        f"Fastest of {runs[0].repeats if runs else 0} runs per engine (the engines take turns); "
        "peak memory is the largest of them. `command s` is the wall time of the whole command,",
        "interpreter start and imports included (fastest run).",
        f"Load average (1 min) before and after the benchmark: {load} (other work on the machine "
        "slows the parallel engines most).",
        "",
        "`vs single` divides the fastest runs; `per round` is the median, over the rounds, of single's time",
        "over the engine's in the same round (run back to back, so a slow spell of the machine hits both).",
        "`CPU s` is the CPU time of the run, the parent's and its workers' (least of the repeats; `parent`",
        "the parent's alone). Load on the machine stretches wall time but hardly CPU time, so `CPU bound`,",
        "single's CPU seconds over half the engine's, is the speed-up the engine would reach with both",
        "cores to itself if it kept them busy: an upper bound, a check on the wall-clock ratios.",
        "",
        "| corpus | engine | MB | docs | facts | seconds | command s | chars/s | docs/s | vs single | "
        "per round | CPU s | parent CPU s | CPU bound | bare regex chars/s | regex / engine | "
        "peak RSS largest process MB | peak RSS tree MB |",
        "| --- | --- |" + " ---: |" * 16,
    ]
    for size in sizes:
        single = by.get(("single", size))
        for name, _, _ in ENGINES:
            r = by.get((name, size))
            if r is None:
                continue
            speedup = single.seconds / r.seconds if single else float("nan")
            rounds = per_round(single, r)
            bound = single.cpu / (r.cpu / (1 if name == "single" else 2)) if single else float("nan")
            lines.append(
                f"| {size}x | {name} | {r.chars / 1e6:.1f} | {r.docs:,} | {r.facts:,} | {r.seconds:.2f} | "
                f"{r.command_seconds:.2f} | "
                f"{r.chars_per_s:,.0f} | {r.docs_per_s:,.0f} | {speedup:.2f}x | {rounds:.2f}x | "
                f"{r.cpu:.2f} | {r.parent_cpu:.2f} | {bound:.2f}x | "
                f"{bare[size]:,.0f} | "
                f"{bare[size] / r.chars_per_s:,.0f} | {r.maxrss_mb:.0f} | {r.tree_mb:.0f} |"
            )
    lines += ["", "## Targets", "", "| target | measured | met |", "| --- | --- | --- |"]
    checks = []
    single, jobs2, dask = (by.get((n, top)) for n, _, _ in ENGINES)
    if single and jobs2:
        checks.append(
            (f"`--jobs 2` >= 1.7x single ({top}x, fastest runs)", single.seconds / jobs2.seconds, 1.7, True)
        )
        checks.append((f"`--jobs 2` >= 1.7x single ({top}x, per round)", per_round(single, jobs2), 1.7, True))
    if single and dask:
        checks.append(
            (
                f"Dask 2 workers >= 1.5x single ({top}x, fastest runs)",
                single.seconds / dask.seconds,
                1.5,
                True,
            )
        )
        checks.append(
            (f"Dask 2 workers >= 1.5x single ({top}x, per round)", per_round(single, dask), 1.5, True)
        )
    for name, _, _ in ENGINES:
        a, b = by.get((name, mid)), by.get((name, top))
        if a and b and a is not b:
            checks.append(
                (
                    f"{name}: peak memory {mid}x -> {top}x within 1.5x (tree)",
                    b.tree_mb / a.tree_mb,
                    1.5,
                    False,
                )
            )
    if single:
        checks.append(
            (
                f"whole single run >= 1/50 of the bare scan ({top}x; extraction alone: extraction.py)",
                bare[top] / single.chars_per_s,
                50,
                False,
            )
        )
    if inc:
        checks.append(
            ("incremental re-run (+1 article) >= 20x faster", inc["full"] / inc["incremental"], 20, True)
        )
    for label, value, bound, higher in checks:
        ok = value >= bound if higher else value <= bound
        lines.append(f"| {label} | {value:.2f} | {'yes' if ok else 'NO'} |")
    if inc:
        lines += [
            "",
            f"Incremental ({top}x, `--jobs 2`, cache in a temp folder, fastest of {inc['repeats']}): "
            f"full run with an empty cache {inc['full']:.2f} s; after adding one article "
            f"{inc['incremental']:.2f} s "
            f"({inc['extracted']:.0f} of {inc['docs']:.0f} documents re-extracted). As whole commands, "
            f"interpreter start and imports (the same for both) included: {inc['full_command']:.2f} s and "
            f"{inc['incremental_command']:.2f} s, "
            f"{inc['full_command'] / inc['incremental_command']:.1f}x.",
        ]
    lines += ["", "Linearity (seconds per MB, single):"]
    lines += [
        f"- {s}x: {by[('single', s)].seconds / (by[('single', s)].chars / 1e6):.3f} s/MB"
        for s in sizes
        if ("single", s) in by
    ]
    return "\n".join(lines) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--child", nargs=5, metavar=("ENGINE", "JOBS", "CORPUS", "OUT", "CACHE"))
    parser.add_argument("--scale", type=float, default=BASE_MB, help="megabytes at 1x (default: %(default)s)")
    parser.add_argument("--sizes", type=int, nargs="+", default=[1, 4, 16])
    parser.add_argument("--repeat", type=int, default=3, help="runs per engine; the fastest counts")
    parser.add_argument("--skip-dask", action="store_true")
    parser.add_argument("--skip-incremental", action="store_true")
    args = parser.parse_args()
    if args.child:
        engine, jobs, corpus, out, cache = args.child
        child(engine, int(jobs), corpus, out, cache)
        return 0
    engines = [e for e in ENGINES if not (args.skip_dask and e[1] == "dask")]
    load_before = os.getloadavg()[0]
    runs: list[Run] = []
    bare: dict[int, float] = {}
    for size in args.sizes:
        folder = make_corpus(size, args.scale)
        bare[size], _ = bare_scan(folder)
        results: dict[str, list[dict]] = {name: [] for name, _, _ in engines}
        for _ in range(args.repeat):
            for name, engine, jobs in engines:  # the engines take turns, so drift hits them alike
                r = run_child(engine, jobs, folder)
                results[name].append(r)
                rate = r["chars"] / r["seconds"]
                mem = f"maxrss {r['maxrss_mb']:5.0f} MB tree {r['tree_mb']:5.0f} MB"
                print(f"{size:>3}x {name:<15} {r['seconds']:7.2f} s {rate:>12,.0f} chars/s {mem}",
                      file=sys.stderr)  # fmt: skip
        for name, _, _ in engines:
            r = best_of(results[name])
            every = tuple(x["seconds"] for x in results[name])
            runs.append(Run(name, size, r["seconds"], r["chars"], r["docs"], r["facts"], r["maxrss_mb"],
                            r["tree_mb"], r["command"], r["cpu"], r["parent_cpu"], r["repeats"],
                            every))  # fmt: skip
    top = make_corpus(max(args.sizes), args.scale)
    inc = None if args.skip_incremental else incremental(top, args.repeat)
    load = f"{load_before:.2f} / {os.getloadavg()[0]:.2f}"
    text = report(runs, bare, inc, args.sizes, load)
    RESULTS.write_text(text)
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
