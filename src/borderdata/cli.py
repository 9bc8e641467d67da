"""The `borderdata` command: thin wrappers over the library's functions.

borderdata [--project DIR] extract [PATH ...] [--out FILE|DIR/] [--jobs N] [--engine local|dask]
                                               facts of the given articles as CSV on standard
                                               output, or to FILE.csv, FILE.parquet, DIR/
borderdata data [--jobs N]                     documents, facts and claims into data/processed/
borderdata report [-p NAME VALUE ...]          run the notebooks and render reports/index.html
borderdata check ARTICLE ... [--corpus PATH ...] [--out FILE] [--cache DIR]
                                               each figure of the articles against the corpus's claims
                                               (ARTICLE may be ARCHIVE.jsonl:N, the record on line N)

The project (inputs seeds/ and data/raw/, tables in data/processed/) is the current folder or the
nearest one above it with pyproject.toml or data/; --project DIR or $BORDERDATA_PROJECT name it.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import os
import sys
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from borderdata.config import PROJECT_ENV, cache_dir, find_project, project_root

DEFAULT_MAX_BYTES = 20_000_000  # the corpus reader's default (checked by a test)
DASK_DEFAULT_START = "spawn"  # distributed's own default start method for worker processes
MSG_NO_PROJECT = (
    "no project here (no pyproject.toml or data/ folder in {cwd} or above): "
    "run from a project folder, or name one with --project DIR"
)
MSG_PIPELINE_TABLE = (
    "{out} is a table `borderdata data` writes (overrides applied, under its lock); "
    "write extract's output elsewhere, or run `borderdata data`"
)


class CommandError(Exception):
    """A run that cannot start or finish: reported as one line, exit status 2."""


def _print_problems(problems: Sequence[Any]) -> None:
    for problem in problems:
        print(problem, file=sys.stderr)


def _inputs(args: argparse.Namespace) -> list[Path]:
    """The paths given, else those of the project's ``seeds/`` and ``data/raw/`` that exist."""
    if args.paths:
        return list(args.paths)
    defaults = [project_root() / "seeds", project_root() / "data" / "raw"]
    return [p for p in defaults if p.exists()] or defaults


def _check_not_a_pipeline_table(out: str) -> None:
    from borderdata.tables import TABLE_NAMES

    processed = project_root() / "data" / "processed"
    if os.path.abspath(out) in {str(processed / f"{name}.csv") for name in TABLE_NAMES}:
        raise CommandError(MSG_PIPELINE_TABLE.format(out=out))


def dask_settings() -> contextlib.AbstractContextManager:
    """This command's Dask settings (for the block) for the workers of a LocalCluster it starts.

    Workers fork where that is safe (Linux, Python before 3.12, which deprecates fork in a process
    with threads) unless the user configured a start method: spawned workers import pandas, pint
    and the extractor afresh, about 1 s on two cores. The workers' statistical profiler, which only
    feeds a dashboard this cluster does not start, is off, and the periodic checks of every process
    run less often: at their defaults an idle 2-worker cluster burns about 0.15 CPU seconds a
    second (0.03 with these), time taken from the workers on a machine with few cores.
    """
    try:
        import dask
    except ImportError:  # the engine says what to install
        return contextlib.nullcontext()
    settings: dict[str, Any] = {
        "distributed.worker.profile.enabled": False,
        "distributed.admin.tick.interval": "1s",  # a blocked event loop is still reported
        "distributed.admin.system-monitor.interval": "5s",  # dashboard figures
        "distributed.worker.memory.monitor-interval": "1s",  # pause or restart a worker that grows
    }
    key = "distributed.worker.multiprocessing-method"
    if sys.platform == "linux" and sys.version_info < (3, 12) and dask.config.get(key) == DASK_DEFAULT_START:
        settings[key] = "fork"
    return dask.config.set(settings)


def cmd_extract(args: argparse.Namespace) -> int:
    from borderdata.engine import STDOUT, EngineError, write_facts

    out = args.out or STDOUT
    _check_not_a_pipeline_table(out)
    problems: list[Any] = []
    try:
        with dask_settings() if args.engine == "dask" else contextlib.nullcontext():
            stats = write_facts(
                _inputs(args),
                out,
                jobs=args.jobs,
                engine=args.engine,
                scheduler=args.scheduler,
                cache=None if args.no_cache else cache_dir(),
                problems=problems,
                progress=True if args.progress else None,
                max_bytes=args.max_bytes,
            )
    except EngineError as exc:
        raise CommandError(str(exc)) from exc
    _print_problems(problems)
    cached = f" ({stats.cached:,} from the cache)" if stats.cached else ""
    where = "standard output" if out == STDOUT else out
    print(f"{stats.facts:,} facts from {stats.documents:,} documents{cached} -> {where}", file=sys.stderr)
    return 1 if any(p.severity == "error" for p in problems) else 0


def cmd_data(args: argparse.Namespace) -> int:
    if find_project() is None:
        raise CommandError(MSG_NO_PROJECT.format(cwd=Path.cwd()))
    from borderdata.pipeline import LockedError, run_data

    try:
        result = run_data(_inputs(args), jobs=args.jobs)
    except LockedError as exc:
        raise CommandError(str(exc)) from exc
    _print_problems(result.problems)
    for message in result.messages:
        print(message, file=sys.stderr)
    n_claims = "" if result.claims is None else f", {len(result.claims):,} claims"
    print(
        f"{len(result.documents):,} documents, {len(result.facts):,} facts{n_claims} -> data/processed/",
        file=sys.stderr,
    )
    return 1 if result.errors else 0


def cmd_report(args: argparse.Namespace) -> int:
    from borderdata import report

    return report.main(args)


def cmd_check(args: argparse.Namespace) -> int:
    from borderdata.check import run_command

    gc.freeze()  # pandas, pint and the extractor, now imported: out of the collections too
    return run_command(args.articles, args.corpus, args.out, cache=args.cache)


def add_check_parser(sub: argparse._SubParsersAction) -> None:
    """The ``check`` subcommand (fact-check articles against the corpus; see :mod:`borderdata.check`)."""
    check = sub.add_parser("check", help="fact-check articles against the claims of the corpus")
    check.add_argument(
        "articles",
        nargs="+",
        type=Path,
        metavar="ARTICLE",
        help="article files (.txt, .md, .html, every record of a .jsonl), or ARCHIVE.jsonl:N for the "
        "record on line N of an archive",
    )
    check.add_argument(
        "--corpus",
        nargs="+",
        type=Path,
        metavar="PATH",
        help="files or folders to check against (default: seeds/ data/raw/, through the fact cache)",
    )
    check.add_argument("--out", type=Path, help="also write the verdicts to FILE.csv, FILE.json or FILE.html")
    check.add_argument(
        "--cache",
        type=Path,
        default=None,
        help="the check's fact cache and snapshot folder (default: one per project in the user's cache, "
        "never under data/processed/)",
    )
    check.set_defaults(func=cmd_check)


def _add_jobs(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--jobs", "-j", type=int, default=None, metavar="N", help="worker processes (default: all cores)"
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="borderdata", description=__doc__.splitlines()[0])
    parser.add_argument(
        "--project",
        type=Path,
        metavar="DIR",
        help="the project folder (default: found from the current folder)",
    )
    sub = parser.add_subparsers(dest="command", required=True)

    extract = sub.add_parser("extract", help="extract numeric facts from articles")
    extract.add_argument("paths", nargs="*", type=Path, help="files or folders (default: seeds/ data/raw/)")
    extract.add_argument(
        "--out",
        default=None,
        help="FILE.csv, FILE.parquet, or DIR/ for a Parquet dataset (default: CSV on standard output)",
    )
    _add_jobs(extract)
    extract.add_argument(
        "--engine",
        choices=("local", "dask"),
        default="local",
        help="local worker processes, or a Dask cluster (needs the 'scale' extra) (default: %(default)s)",
    )
    extract.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        help="Dask scheduler to use, e.g. tcp://host:8786 (default: a 2-worker LocalCluster)",
    )
    extract.add_argument(
        "--no-cache", action="store_true", help="re-extract every document (ignore the cache)"
    )
    extract.add_argument("--progress", action="store_true", help="show the progress bar even when not a TTY")
    extract.add_argument(
        "--max-bytes",
        type=int,
        default=DEFAULT_MAX_BYTES,
        help="skip files larger than this (default: %(default)s)",
    )
    extract.set_defaults(func=cmd_extract)

    data = sub.add_parser("data", help="write documents, facts and claims tables to data/processed/")
    data.add_argument("paths", nargs="*", type=Path, help="files or folders (default: seeds/ data/raw/)")
    _add_jobs(data)
    data.set_defaults(func=cmd_data)

    rep = sub.add_parser("report", help="execute the notebooks and render the HTML report")
    rep.add_argument(
        "-p",
        "--parameter",
        nargs=2,
        action="append",
        default=[],
        metavar=("NAME", "VALUE"),
        help="notebook parameter passed to every notebook (repeatable)",
    )
    rep.add_argument("--with-code", action="store_true", help="keep the code cells in the HTML")
    rep.add_argument(
        "--baseline",
        action="store_true",
        help="re-execute the notebooks in place on the seeds' tables (refresh the nbval baseline)",
    )
    rep.add_argument(
        "--docs", action="store_true", help="refresh docs/*.png (charts and page screenshots) from the seeds"
    )
    rep.set_defaults(func=cmd_report)
    add_check_parser(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command of ``argv`` (default: the process's arguments); its exit status."""
    return run(build_parser().parse_args(argv))


# CPython collects its youngest generation every 700 new objects: a command that builds objects by
# the hundred thousand (a check unpickles its corpus snapshot) spends a tenth of its time there.
GC_YOUNG_EVERY = 50_000


def run(args: argparse.Namespace) -> int:
    """Run a parsed command with this process's own collector settings (restored after)."""
    if args.project is not None:
        os.environ[PROJECT_ENV] = str(args.project.resolve())
    thresholds = gc.get_threshold()
    gc.set_threshold(GC_YOUNG_EVERY, *thresholds[1:])
    # The objects imported so far are left out of the cyclic GC's full collections, which a large
    # run would otherwise make walk them again and again.
    gc.freeze()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("default")
            return args.func(args)
    except CommandError as exc:
        print(f"error: {exc}", file=sys.stderr)
    except OSError as exc:  # disk full, a read-only folder: one line, not a traceback
        where = f"{exc.filename}: " if exc.filename else ""
        print(f"error: {where}{exc.strerror or exc}", file=sys.stderr)
    finally:
        gc.unfreeze()
        gc.set_threshold(*thresholds)
    return 2


def console() -> None:
    """The ``borderdata`` console script: :func:`run`, then exit.

    After a check, whose output is written and flushed, the interpreter exits without
    tearing down pandas, pyarrow and the corpus index object by object (about a sixth of a
    check's time); only ``logging``'s exit handler is skipped with it, and the check does not
    log. Every other command exits normally (its pools and clusters shut down on their own).
    """
    args = build_parser().parse_args()
    status = run(args)
    if args.func is cmd_check:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(status)
    sys.exit(status)


if __name__ == "__main__":
    console()
