"""Writing and reading the generated tables: atomically, deterministically, spreadsheet-safe.

Every table borderdata writes goes through :func:`write_table`: the bytes go to a
temporary file in the destination folder, are flushed to disk, and only then
renamed over the old file, so a crash or a kill never leaves a half-written
table and the previous complete one survives. CSV cells of text columns that a
spreadsheet would run as a formula (starting with ``=``, ``+``, ``-``, ``@``, a
tab, a carriage return or a line feed; plain numbers such as ``-5`` excepted) get
a leading ``'``; :func:`read_table` removes it. A carriage return inside a cell is
written as a line feed (the CSV writer would not quote it and a reader would end
the row there). :func:`write_tables` replaces several tables as one set.
"""

from __future__ import annotations

import contextlib
import os
import re
import tempfile
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path

import pandas as pd

TABLE_NAMES = ("documents", "facts", "claims")  # the set `make data` writes together

FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n")
GUARD = "'"


class WriteError(Exception):
    """A table could not be written; the previous file, if any, is untouched."""


# A plain number ("-5", "+1,000", "-0.45", "1e6") is safe in a spreadsheet; "-inf" and "-1_0" are not.
PLAIN_NUMBER = re.compile(r"[+-]?(?:[0-9][0-9,]*)?\.?[0-9]+(?:[eE][+-]?[0-9]+)?")


def _is_number(cell: str) -> bool:
    return PLAIN_NUMBER.fullmatch(cell) is not None


def _looks_guarded(cell: str) -> bool:
    """True for ``'=...``, ``''-...``: quotes, then a formula character (what :func:`restore_cell` strips)."""
    return cell.startswith(GUARD) and cell.lstrip(GUARD)[:1] in FORMULA_START


def neutralise_cell(cell: object) -> object:
    """Prefix ``'`` to a text cell a spreadsheet would evaluate as a formula; numbers pass.

    A cell that already starts with ``'`` before such a character gets one more, so that
    :func:`restore_cell` gives back exactly what was written.

    >>> neutralise_cell("=1+1"), neutralise_cell("-5"), neutralise_cell("'=1")
    ("'=1+1", '-5', "''=1")
    """
    if not isinstance(cell, str):
        return cell
    if "\r" in cell:
        # A bare CR is not quoted by the CSV writer and ends the row on reading: a title with
        # "\r=cmd|..." would start a forged row. Written as LF, as the corpus reads article text.
        cell = cell.replace("\r\n", "\n").replace("\r", "\n")
    if (cell.startswith(FORMULA_START) and not _is_number(cell)) or _looks_guarded(cell):
        return GUARD + cell
    return cell


def restore_cell(cell: object) -> object:
    """Undo :func:`neutralise_cell`: ``restore_cell(neutralise_cell(x)) == x`` for a string without CR."""
    if isinstance(cell, str) and _looks_guarded(cell):
        return cell[1:]
    return cell


def neutralise_formulas(df: pd.DataFrame) -> pd.DataFrame:
    """The same table with every formula-like text cell guarded (see module docstring)."""
    text_columns = [c for c in df.columns if df[c].dtype == object or pd.api.types.is_string_dtype(df[c])]
    if not text_columns:
        return df
    return df.assign(**{c: df[c].map(neutralise_cell) for c in text_columns})


TEMP_PATTERN = ".{name}.*.tmp"


@contextlib.contextmanager
def staged_path(path: Path) -> Iterator[Path]:
    """Yield an empty temporary file beside ``path`` (named after it); it is removed unless renamed."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        yield tmp
    finally:
        tmp.unlink(missing_ok=True)


def _fsync(path: Path) -> None:
    with open(path, "rb") as fh:
        os.fsync(fh.fileno())


def _keep_mode(tmp: Path, path: Path) -> None:
    """Give ``tmp`` the mode of the file it replaces (a new file: the umask's), not mkstemp's 0600."""
    try:
        mode = path.stat().st_mode & 0o7777
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        mode = 0o666 & ~umask
    os.chmod(tmp, mode)


def _finish(tmp: Path, path: Path) -> None:
    """Flush ``tmp`` to disk and give it ``path``'s mode, ready to be renamed over it."""
    _fsync(tmp)
    _keep_mode(tmp, path)


@contextlib.contextmanager
def atomic_path(path: Path | str) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; rename it over ``path`` only if the block succeeds."""
    path = Path(path)
    with staged_path(path) as tmp:
        yield tmp
        _finish(tmp, path)
        os.replace(tmp, path)


def write_bytes_atomic(path: Path | str, writer: Callable[[Path], object]) -> Path:
    """Run ``writer(tmp_path)`` and move the result to ``path`` atomically."""
    with atomic_path(path) as tmp:
        writer(tmp)
    return Path(path)


def _table_writer(df: pd.DataFrame, path: Path) -> Callable[[Path], None]:
    """What writes ``df`` in the format of ``path``'s extension (CSV cells formula-guarded)."""
    suffix = path.suffix.lower()
    if suffix == ".parquet":
        return lambda tmp: df.to_parquet(tmp, index=False)
    if suffix != ".csv":
        raise WriteError(f"{path}: unsupported table format {suffix!r} (use .csv or .parquet)")
    safe = neutralise_formulas(df)
    return lambda tmp: safe.to_csv(tmp, index=False, lineterminator="\n")


def write_table(df: pd.DataFrame, path: Path | str) -> Path:
    """Write ``df`` to ``.csv`` or ``.parquet`` (by extension) atomically; returns the path.

    >>> import tempfile, pandas as pd
    >>> out = Path(tempfile.mkdtemp()) / "t.csv"
    >>> write_table(pd.DataFrame({"a": ["=1+1"]}), out).read_text()
    "a\\n'=1+1\\n"
    """
    path = Path(path)
    return write_bytes_atomic(path, _table_writer(df, path))


def write_tables(tables: Mapping[Path | str, pd.DataFrame]) -> list[Path]:
    """Write several tables as one set: every table to a temporary file first, renamed into place
    only when all are complete, so a failure leaves all the previous files as they were.

    >>> import tempfile, pandas as pd
    >>> out = Path(tempfile.mkdtemp())
    >>> tables = {out / "a.csv": pd.DataFrame({"x": [1]}), out / "b.csv": pd.DataFrame({"y": [2]})}
    >>> [p.name for p in write_tables(tables)]
    ['a.csv', 'b.csv']
    """
    paths = [Path(p) for p in tables]
    writers = [_table_writer(df, path) for path, df in zip(paths, tables.values(), strict=True)]
    with contextlib.ExitStack() as stack:
        staged = [stack.enter_context(staged_path(path)) for path in paths]
        for writer, tmp, path in zip(writers, staged, paths, strict=True):
            writer(tmp)
            _finish(tmp, path)
        for tmp, path in zip(staged, paths, strict=True):
            os.replace(tmp, path)
    return paths


def remove_stale_temps(folder: Path, names: Iterable[str]) -> list[Path]:
    """Delete temporary files a killed run left beside the tables ``names``; call only under the lock."""
    stale = sorted(p for name in names for p in folder.glob(TEMP_PATTERN.format(name=name)) if p.is_file())
    for path in stale:
        path.unlink(missing_ok=True)
    return stale


def read_table(path: Path | str, dtypes: dict[str, str] | None = None) -> pd.DataFrame:
    """Read a table written by :func:`write_table`, guards removed, empty cells as empty strings."""
    path = Path(path)
    if path.suffix.lower() == ".parquet":
        return pd.read_parquet(path)
    df = pd.read_csv(path, dtype=dtypes or str, keep_default_na=False, na_values=[])
    text_columns = [c for c in df.columns if df[c].dtype == object or pd.api.types.is_string_dtype(df[c])]
    return df.assign(**{c: df[c].map(restore_cell) for c in text_columns})


def read_tables(folder: Path | str, names: Iterable[str] = TABLE_NAMES) -> dict[str, pd.DataFrame]:
    """The tables of ``folder`` by name (``documents``, ``facts``, ``claims``), those that exist."""
    folder = Path(folder)
    return {name: read_table(folder / f"{name}.csv") for name in names if (folder / f"{name}.csv").is_file()}
