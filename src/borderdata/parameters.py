"""The report's parameters: read from the notebooks' ``parameters`` cells and checked before any runs.

Every notebook opens with a cell tagged ``parameters`` holding literals
(papermill's convention). :func:`notebook_defaults` reads them without running
anything; :func:`validate` checks the values a user passes (``make report
P="mass_unit=lb"``) against them and returns every problem at once, each naming
what is allowed, so a typo is one clear error before any notebook starts, never
a warning after all of them ran.

>>> validate({"mass_units": "lb"}, {"mass_unit": "kg"})
["unknown parameter 'mass_units'; the parameters are: mass_unit"]
>>> validate({"mass_unit": "st"}, {"mass_unit": "kg"})
["mass_unit='st' is not allowed: one of kg, lb, g, t"]
"""

from __future__ import annotations

import ast
import datetime as dt
import json
import math
import os
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

from borderdata.corpus import PROJECT_ROOT

# This module is imported by ``borderdata report`` and its worker processes before anything else:
# it reads the notebooks as JSON and imports no pandas, pint or matplotlib (each worker would pay
# for them, and only the notebooks' kernels use them).
MASS_UNITS = ("kg", "lb", "g", "t")
REPORT_CURRENCIES = ("CAD", "USD")
STATUS_ORDER = ("corroborated", "updated", "conflicting", "single")
TABLES_ENV = "BORDERDATA_TABLES"  # the tables folder the notebooks read when tables_dir is ""
EXPORT_ENV = "BORDERDATA_EXPORT_DIR"  # where a page's charts are exported (set per page by the report)
DEFAULT_TABLES = "data/processed"
LIST_SEPARATOR = ","
MSG_UNKNOWN = "unknown parameter {name!r}; the parameters are: {allowed}"
MSG_BAD_VALUE = "{name}={value!r} is not allowed: {allowed}"
MSG_RATE_WITHOUT_DATE = (
    "usd_per_cad={value!r} needs usd_per_cad_date=YYYY-MM-DD too (the date that rate is for, "
    "printed beside every converted figure)"
)
MSG_HEADER = "borderdata report: parameters not valid; nothing was run and the previous report is kept:"


class ParameterError(ValueError):
    """Parameters a notebook would not accept; the message lists every problem and what is allowed."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("\n".join([MSG_HEADER, *(f"  - {p}" for p in problems)]))


# --------------------------------------------------------------------------- where the tables are


def project_path(path: str | Path) -> Path:
    """``path`` resolved from the project root (absolute paths pass through), never from the cwd.

    >>> project_path("data/processed") == PROJECT_ROOT / "data" / "processed"
    True
    """
    return (PROJECT_ROOT / path).resolve()


def tables_folder(tables_dir: str | Path = "") -> Path:
    """The folder of the processed tables: ``tables_dir`` if given, else ``$BORDERDATA_TABLES``,
    else ``data/processed`` (relative paths from the project root).

    >>> tables_folder("x") == PROJECT_ROOT / "x"
    True
    """
    return project_path(str(tables_dir) or os.environ.get(TABLES_ENV) or DEFAULT_TABLES)


# --------------------------------------------------------------------------- the notebooks' parameters


def _source(cell: Mapping[str, Any]) -> str:
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else str(source)


def parameters_cell(nb: Mapping[str, Any]) -> str:
    """The source of the cell tagged ``parameters`` ("" when there is none)."""
    for cell in nb.get("cells", []):
        if cell.get("cell_type") == "code" and "parameters" in cell.get("metadata", {}).get("tags", []):
            return _source(cell)
    return ""


def literal_assignments(source: str) -> dict[str, Any]:
    """``name = literal`` lines of a parameters cell, as a dict (anything else is skipped).

    >>> literal_assignments('mass_unit = "kg"  # kg or lb\\nn = 3')
    {'mass_unit': 'kg', 'n': 3}
    """
    values = {}
    for statement in ast.parse(source).body:
        if isinstance(statement, ast.Assign) and len(statement.targets) == 1:
            target = statement.targets[0]
            if isinstance(target, ast.Name):
                try:
                    values[target.id] = ast.literal_eval(statement.value)
                except ValueError:
                    continue
    return values


def notebook_defaults(path: Path) -> dict[str, Any]:
    """The parameters one notebook declares, with their default values."""
    return literal_assignments(parameters_cell(json.loads(path.read_text(encoding="utf-8"))))


def all_defaults(notebooks: Iterable[Path]) -> dict[str, Any]:
    """Every parameter any of ``notebooks`` declares (first default wins), by name."""
    merged: dict[str, Any] = {}
    for path in notebooks:
        for name, value in notebook_defaults(path).items():
            merged.setdefault(name, value)
    return merged


# --------------------------------------------------------------------------- allowed values


def _is_date(value: Any) -> bool:
    try:
        dt.date.fromisoformat(str(value))
    except ValueError:
        return False
    return isinstance(value, str) and len(value) == 10


def _taxonomy_categories() -> tuple[str, ...]:
    from borderdata import taxonomy

    return tuple(getattr(taxonomy, "CATEGORIES", ()))


def _is_tables_folder(value: Any) -> bool:
    if not isinstance(value, str):
        return False
    folder = tables_folder(value)
    return value == "" or (folder / "facts.csv").is_file()


def _positive_number(value: Any) -> bool:
    return (
        isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value) and value > 0
    )


def _rules() -> dict[str, tuple[str, Callable[[Any], bool]]]:
    """Per parameter: what is allowed (said to the user) and the check."""
    categories = _taxonomy_categories()
    return {
        "mass_unit": ("one of " + ", ".join(MASS_UNITS), lambda v: v in MASS_UNITS),
        "currency": ("one of " + ", ".join(REPORT_CURRENCIES), lambda v: v in REPORT_CURRENCIES),
        "usd_per_cad": ("a positive number (U.S. dollars per Canadian dollar)", _positive_number),
        "usd_per_cad_date": ("a date written YYYY-MM-DD", _is_date),
        "date_from": ('a date written YYYY-MM-DD, or "" for no limit', lambda v: v == "" or _is_date(v)),
        "date_to": ('a date written YYYY-MM-DD, or "" for no limit', lambda v: v == "" or _is_date(v)),
        "tables_dir": (
            'a folder holding facts.csv (from the project root or absolute), or "" for the default',
            _is_tables_folder,
        ),
        "category": (
            "one of " + ", ".join(categories) + ', or "" for all',
            lambda v: v == "" or v in categories,
        ),
        "categories": (
            "a comma-separated list of " + ", ".join(categories),
            lambda v: isinstance(v, list) and bool(v) and all(c in categories for c in v),
        ),
        "statuses": (
            "a comma-separated list of " + ", ".join(STATUS_ORDER),
            lambda v: isinstance(v, list) and bool(v) and all(s in STATUS_ORDER for s in v),
        ),
    }


def coerce(value: Any, default: Any) -> Any:
    """A command-line value in the shape of its default: ``"a,b"`` -> ``["a", "b"]`` for a list,
    ``3`` -> ``"3"`` for text, ``1`` -> ``1.0`` for a decimal.

    >>> coerce("asset,personnel", ["asset"]), coerce(3, ""), coerce(1, 0.7)
    (['asset', 'personnel'], '3', 1.0)
    """
    if isinstance(default, list) and isinstance(value, str):
        return [part.strip() for part in value.split(LIST_SEPARATOR) if part.strip()]
    if isinstance(default, str) and isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    if isinstance(default, float) and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    return value


def validate(values: Mapping[str, Any], defaults: Mapping[str, Any]) -> list[str]:
    """Every problem with ``values`` against the notebooks' ``defaults`` (empty when all are fine)."""
    problems = []
    rules = _rules()
    allowed_names = ", ".join(sorted(defaults))
    for name, raw in values.items():
        if name not in defaults:
            problems.append(MSG_UNKNOWN.format(name=name, allowed=allowed_names))
            continue
        value = coerce(raw, defaults[name])
        if name in rules:
            allowed, check = rules[name]
            if not check(value):
                problems.append(MSG_BAD_VALUE.format(name=name, value=raw, allowed=allowed))
        elif type(value) is not type(defaults[name]):
            kind = type(defaults[name]).__name__
            problems.append(MSG_BAD_VALUE.format(name=name, value=raw, allowed=f"a value of type {kind}"))
    if "usd_per_cad" in values and "usd_per_cad_date" not in values and "usd_per_cad_date" in defaults:
        problems.append(MSG_RATE_WITHOUT_DATE.format(value=values["usd_per_cad"]))
    return problems


def checked(values: Mapping[str, Any], defaults: Mapping[str, Any]) -> dict[str, Any]:
    """``values`` coerced to their defaults' shapes; :class:`ParameterError` listing every problem."""
    problems = validate(values, defaults)
    if problems:
        raise ParameterError(problems)
    return {name: coerce(value, defaults[name]) for name, value in values.items()}


def for_notebook(values: Mapping[str, Any], path: Path) -> dict[str, Any]:
    """The subset of ``values`` that the notebook at ``path`` declares (papermill warns on the others)."""
    declared = notebook_defaults(path)
    return {name: value for name, value in values.items() if name in declared}
