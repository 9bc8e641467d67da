"""The `borderdata` command: thin wrappers over the library's functions.

borderdata extract [PATH ...] [--out FILE]     facts of the given articles to CSV or Parquet
borderdata data                                documents, facts and claims into data/processed/
borderdata report [-p NAME VALUE ...]          run the notebooks and render reports/index.html
"""

from __future__ import annotations

import argparse
import sys
import warnings
from collections.abc import Sequence
from pathlib import Path

from borderdata.corpus import DEFAULT_MAX_BYTES, Problem, load_corpus


def _print_problems(problems: list[Problem]) -> None:
    for problem in problems:
        print(problem, file=sys.stderr)


def cmd_extract(args: argparse.Namespace) -> int:
    from borderdata.extract import extract_facts
    from borderdata.tables import write_table

    problems: list[Problem] = []
    documents = load_corpus(args.paths or None, problems=problems, max_bytes=args.max_bytes)
    facts = extract_facts(documents)
    write_table(facts, args.out)
    _print_problems(problems)
    print(f"{len(facts):,} facts from {len(documents):,} documents -> {args.out}", file=sys.stderr)
    return 1 if any(p.severity == "error" for p in problems) else 0


def cmd_data(args: argparse.Namespace) -> int:
    from borderdata.pipeline import LockedError, run_data

    try:
        result = run_data(args.paths or None)
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


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="borderdata", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)

    extract = sub.add_parser("extract", help="extract numeric facts from articles")
    extract.add_argument("paths", nargs="*", type=Path, help="files or folders (default: seeds/ data/raw/)")
    extract.add_argument(
        "--out",
        type=Path,
        default=Path("data/processed/facts.csv"),
        help="output table, .csv or .parquet (default: %(default)s)",
    )
    extract.add_argument(
        "--max-bytes",
        type=int,
        default=DEFAULT_MAX_BYTES,
        help="skip files larger than this (default: %(default)s)",
    )
    extract.set_defaults(func=cmd_extract)

    data = sub.add_parser("data", help="write documents, facts and claims tables to data/processed/")
    data.add_argument("paths", nargs="*", type=Path, help="files or folders (default: seeds/ data/raw/)")
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
        help="re-execute the notebooks in place (refresh the nbval baseline)",
    )
    rep.set_defaults(func=cmd_report)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `borderdata` console script."""
    args = build_parser().parse_args(argv)
    with warnings.catch_warnings():
        warnings.simplefilter("default")
        return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
