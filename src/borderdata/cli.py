"""The `borderdata` command: thin wrappers over the library's functions.

borderdata extract [PATH ...] [--out FILE|DIR/] [--jobs N] [--engine local|dask]
                                               facts of the given articles to CSV or Parquet
borderdata data [--jobs N]                     documents, facts and claims into data/processed/
borderdata report [-p NAME VALUE ...]          run the notebooks and render reports/index.html
borderdata check ARTICLE ... [--corpus PATH ...] [--out FILE]
                                               each figure of the articles against the corpus's claims
"""

from __future__ import annotations

import argparse
import sys
import warnings
from collections.abc import Sequence
from pathlib import Path

from borderdata.corpus import DEFAULT_MAX_BYTES, Problem


def _print_problems(problems: list[Problem]) -> None:
    for problem in problems:
        print(problem, file=sys.stderr)


def cmd_extract(args: argparse.Namespace) -> int:
    from borderdata.engine import DEFAULT_CACHE, EngineError, write_facts

    problems: list[Problem] = []
    try:
        stats = write_facts(
            args.paths or None,
            args.out,
            jobs=args.jobs,
            engine=args.engine,
            scheduler=args.scheduler,
            cache=None if args.no_cache else DEFAULT_CACHE,
            problems=problems,
            progress=True if args.progress else None,
            max_bytes=args.max_bytes,
        )
    except EngineError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    _print_problems(problems)
    cached = f" ({stats.cached:,} from the cache)" if stats.cached else ""
    print(
        f"{stats.facts:,} facts from {stats.documents:,} documents{cached} -> {args.out}",
        file=sys.stderr,
    )
    return 1 if any(p.severity == "error" for p in problems) else 0


def cmd_data(args: argparse.Namespace) -> int:
    from borderdata.pipeline import LockedError, run_data

    try:
        result = run_data(args.paths or None, jobs=args.jobs)
    except LockedError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
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
    try:
        from borderdata import report
    except ImportError:
        print("report: not yet built (no notebooks)", file=sys.stderr)
        return 0
    return report.main(args)


def cmd_check(args: argparse.Namespace) -> int:
    from borderdata.check import run_command

    return run_command(args.articles, args.corpus, args.out, cache=args.cache)


def add_check_parser(sub: argparse._SubParsersAction) -> None:
    """The ``check`` subcommand (fact-check articles against the corpus; see :mod:`borderdata.check`)."""
    check = sub.add_parser("check", help="fact-check articles against the claims of the corpus")
    check.add_argument(
        "articles", nargs="+", type=Path, metavar="ARTICLE", help="article files (.txt, .md, .html, .jsonl)"
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
        "--cache", type=Path, default=None, help="fact cache folder (default: data/processed/.cache)"
    )
    check.set_defaults(func=cmd_check)


def _add_jobs(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--jobs", "-j", type=int, default=None, metavar="N", help="worker processes (default: all cores)"
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="borderdata", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)

    extract = sub.add_parser("extract", help="extract numeric facts from articles")
    extract.add_argument("paths", nargs="*", type=Path, help="files or folders (default: seeds/ data/raw/)")
    extract.add_argument(
        "--out",
        default="data/processed/facts.csv",
        help="output: FILE.csv, FILE.parquet, or DIR/ for a Parquet dataset (default: %(default)s)",
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
        "--no-cache", action="store_true", help="re-extract every document (ignore data/processed/.cache)"
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
    """Entry point of the `borderdata` console script."""
    args = build_parser().parse_args(argv)
    with warnings.catch_warnings():
        warnings.simplefilter("default")
        return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
