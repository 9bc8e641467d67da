"""The facts-table contract: column names, order and dtypes every module relies on.

See the data dictionary in ``data/processed/README.md`` for what each column means.
"""

from __future__ import annotations

import pandas as pd

QUALIFIERS = ("exact", "approx", "upper_bound", "lower_bound", "range")

# Column -> pandas dtype. Text columns are plain Python strings ("" when empty),
# offsets are int64, numbers float64 (NaN when the words give no bound).
FACT_DTYPES: dict[str, str] = {
    "fact_id": "str",
    "doc_id": "str",
    "source_file": "str",
    "published": "str",
    "outlet": "str",
    "start": "int64",
    "end": "int64",
    "surface": "str",
    "value": "float64",
    "low": "float64",
    "high": "float64",
    "unit": "str",
    "qualifier": "str",
    "subject": "str",
    "category": "str",
    "location": "str",
    "period": "str",
    "period_start": "str",
    "period_end": "str",
    "restates": "str",
    "sentence": "str",
    "overridden": "bool",
}
FACT_COLUMNS = tuple(FACT_DTYPES)
TEXT_COLUMNS = tuple(c for c, t in FACT_DTYPES.items() if t == "str")


def make_fact_id(doc_id: str, start: int) -> str:
    """Stable id of a mention: its document and where it starts (``001_84e8…:1234``)."""
    return f"{doc_id}:{start}"


def empty_facts() -> pd.DataFrame:
    """A facts table with no rows and the contract's columns and dtypes."""
    return pd.DataFrame({c: pd.Series(dtype=t) for c, t in FACT_DTYPES.items()})


def conform_facts(df: pd.DataFrame) -> pd.DataFrame:
    """Columns in contract order with contract dtypes; text NaN as ""; sorted by doc_id, start."""
    df = df.copy()
    for column, dtype in FACT_DTYPES.items():
        if column not in df:
            df[column] = False if dtype == "bool" else ("" if dtype == "str" else float("nan"))
    df = df.loc[:, list(FACT_COLUMNS)]
    for column in TEXT_COLUMNS:
        df[column] = _text_column(df[column])
    df = df.astype({c: t for c, t in FACT_DTYPES.items() if t != "str"})
    return df.sort_values(["doc_id", "start", "end"], kind="stable").reset_index(drop=True)


def _text(value: object) -> str:
    if isinstance(value, str):
        return value
    if value is None or value is pd.NA or value != value:  # None, NA, NaN, NaT
        return ""
    return str(value)


def _text_column(values: pd.Series) -> pd.Series:
    """A text column: missing values as "", everything else ``str()``.

    One pass in Python: pandas' ``where``/``map``/``astype`` chain costs a fixed ~0.3 ms a
    column, which a worker pays for every chunk it extracts.
    """
    return pd.Series([_text(v) for v in values], index=values.index, dtype="str")
