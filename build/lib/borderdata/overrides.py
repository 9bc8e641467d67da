"""Analysts' corrections: read ``data/overrides.csv`` and apply it to a facts table.

The file has the columns ``fact_id, action, field, value, reason, author,
date`` and is applied after extraction and before claims, in file order. The
program only reads it. Actions:

- ``exclude``: drop the fact ``fact_id`` (``field`` and ``value`` empty);
- ``set``: set ``field`` of fact ``fact_id`` to ``value`` (fields:
  :data:`SETTABLE_FIELDS`). Setting ``value`` of a point fact (``low == high ==
  value``) moves ``low`` and ``high`` with it;
- ``add``: add a fact the extractor missed. ``fact_id`` names the document
  (``doc_id``, or ``doc_id:offset`` to pick the occurrence nearest that offset),
  ``field`` holds the quote exactly as it appears in the article, and ``value``
  holds the fact as ``key=value`` pairs separated by ``;`` (``value`` and
  ``unit`` required; ``qualifier`` defaults to ``exact``, ``category`` to
  ``other``; ``low``, ``high``, ``subject``, ``location``, ``period`` optional).
  The quote is searched in the document's text, which gives ``start``, ``end``,
  the ``sentence`` and the new ``fact_id`` (``doc_id:start``).

Every changed or added fact has ``overridden`` set. Every row gets an
:class:`Outcome` (applied, stale or malformed) that names its line: a fact that
no longer exists is reported by its id, a malformed row by its line number and
reason, and the other rows are still applied.

>>> import pandas as pd
>>> report = apply_overrides(pd.DataFrame(), None)
>>> report.outcomes, len(report.facts)
([], 0)
"""

from __future__ import annotations

import csv
import io
import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from borderdata.corpus import Document
from borderdata.schema import QUALIFIERS, conform_facts, make_fact_id
from borderdata.taxonomy import CATEGORIES
from borderdata.units import dimension_of

OVERRIDE_COLUMNS = ("fact_id", "action", "field", "value", "reason", "author", "date")
ACTIONS = ("exclude", "set", "add")
SETTABLE_FIELDS = ("value", "low", "high", "unit", "qualifier", "subject", "category", "location", "period")
NUMBER_FIELDS = ("value", "low", "high")
ADD_REQUIRED = ("value", "unit")

MSG_BAD_HEADER = "header must name the columns {expected}; found {found}"
MSG_CELLS = "expected {expected} cells, found {found}"
MSG_ACTION = "unknown action {action!r} (use one of {actions})"
MSG_NO_FACT_ID = "fact_id is empty"
MSG_FIELD = "set needs a field among {fields}, got {field!r}"
MSG_NUMBER = "{field} must be a number, got {value!r}"
MSG_UNIT = "unit {value!r} is not a unit borderdata knows"
MSG_QUALIFIER = "qualifier must be one of {qualifiers}, got {value!r}"
MSG_CATEGORY = "category must be one of {categories}, got {value!r}"
MSG_PAIRS = "add needs value as 'key=value; key=value', bad part {part!r}"
MSG_ADD_KEYS = "add needs {missing} in value (as key=value)"
MSG_ADD_QUOTE = "add needs the quote in the field column"
MSG_STALE_FACT = (
    "fact {fact_id} no longer exists (the article or the extractor changed); remove or update this row"
)
MSG_STALE_DOC = "document {doc_id} is not in the corpus; remove or update this row"
MSG_NO_QUOTE = "quote {quote!r} not found in {doc_id}; remove or update this row"
MSG_EXISTS = "a fact already starts at {fact_id} (the extractor finds it now); remove this row or use set"
MSG_READ = "cannot read: {error}"


@dataclass(frozen=True)
class Override:
    """One row of the overrides file, with the line it starts on."""

    line: int
    fact_id: str
    action: str
    field: str
    value: str
    reason: str = ""
    author: str = ""
    date: str = ""


@dataclass(frozen=True)
class Outcome:
    """What became of one override: ``applied``, ``stale`` or ``malformed``, and why."""

    source: str
    line: int
    fact_id: str
    action: str
    status: str
    message: str

    def __str__(self) -> str:
        where = f"{self.source} line {self.line}" if self.line else self.source
        what = " ".join(x for x in (self.action, self.fact_id) if x)
        return (
            f"{where}: {what}: {self.status}: {self.message}"
            if what
            else f"{where}: {self.status}: {self.message}"
        )


@dataclass
class OverrideReport:
    """Facts after the overrides and one outcome per override row."""

    facts: pd.DataFrame
    outcomes: list[Outcome] = field(default_factory=list)

    @property
    def messages(self) -> list[str]:
        """One line per outcome, for the run's output."""
        return [str(o) for o in self.outcomes]

    @property
    def problems(self) -> list[Outcome]:
        """The outcomes that were not applied."""
        return [o for o in self.outcomes if o.status != "applied"]

    def log(self) -> pd.DataFrame:
        """The outcomes as a table (source, line, fact_id, action, status, message)."""
        columns = ["source", "line", "fact_id", "action", "status", "message"]
        return pd.DataFrame([o.__dict__ for o in self.outcomes], columns=columns)


# --- reading ----------------------------------------------------------------------------------


def _check_number(name: str, value: str, *, allow_empty: bool) -> str | None:
    if value == "" and allow_empty:
        return None
    try:
        float(value.replace(",", ""))
    except ValueError:
        return MSG_NUMBER.format(field=name, value=value)
    return None


def check_field(name: str, value: str) -> str | None:
    """Why ``value`` cannot go in fact field ``name``, or None when it can."""
    if name in NUMBER_FIELDS:
        return _check_number(name, value, allow_empty=name != "value")
    if name == "unit" and dimension_of(value).startswith("unknown:"):
        return MSG_UNIT.format(value=value)
    if name == "qualifier" and value not in QUALIFIERS:
        return MSG_QUALIFIER.format(qualifiers=", ".join(QUALIFIERS), value=value)
    if name == "category" and value not in CATEGORIES:
        return MSG_CATEGORY.format(categories=", ".join(CATEGORIES), value=value)
    return None


def parse_pairs(text: str) -> dict[str, str]:
    """``"value=19.5; unit=kg"`` → ``{"value": "19.5", "unit": "kg"}``; raises ``ValueError``."""
    pairs = {}
    for part in (p.strip() for p in text.split(";")):
        if not part:
            continue
        key, sep, value = part.partition("=")
        if not sep or key.strip() not in SETTABLE_FIELDS:
            raise ValueError(MSG_PAIRS.format(part=part))
        pairs[key.strip()] = value.strip()
    return pairs


def check_row(row: Override) -> str | None:
    """Why a row is malformed, or None when it can be applied."""
    if row.action not in ACTIONS:
        return MSG_ACTION.format(action=row.action, actions=", ".join(ACTIONS))
    if not row.fact_id:
        return MSG_NO_FACT_ID
    if row.action == "set":
        if row.field not in SETTABLE_FIELDS:
            return MSG_FIELD.format(fields=", ".join(SETTABLE_FIELDS), field=row.field)
        return check_field(row.field, row.value)
    if row.action == "add":
        if not row.field:
            return MSG_ADD_QUOTE
        try:
            pairs = parse_pairs(row.value)
        except ValueError as error:
            return str(error)
        missing = [k for k in ADD_REQUIRED if not pairs.get(k)]
        if missing:
            return MSG_ADD_KEYS.format(missing=" and ".join(missing))
        return next((p for p in (check_field(k, v) for k, v in pairs.items()) if p), None)
    return None


def read_overrides(path: Path | str | None) -> tuple[list[Override], list[Outcome]]:
    """Rows of an overrides file that can be applied, and an outcome for each malformed one."""
    if path is None or not Path(path).is_file():
        return [], []
    source = Path(path).name
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as error:
        return [], [Outcome(source, 0, "", "", "malformed", MSG_READ.format(error=error))]
    reader = csv.reader(io.StringIO(text, newline=""))
    header = [h.strip() for h in next(reader, [])]
    if sorted(header) != sorted(OVERRIDE_COLUMNS):
        found = ",".join(header) or "nothing"
        message = MSG_BAD_HEADER.format(expected=",".join(OVERRIDE_COLUMNS), found=found)
        return [], [Outcome(source, 1, "", "", "malformed", message)]
    rows, errors, line = [], [], reader.line_num + 1
    for cells in reader:
        start, line = line, reader.line_num + 1
        if not any(c.strip() for c in cells):
            continue
        if len(cells) != len(header):
            message = MSG_CELLS.format(expected=len(header), found=len(cells))
            errors.append(Outcome(source, start, "", "", "malformed", message))
            continue
        record = dict(zip(header, (c.strip() for c in cells), strict=True))
        row = Override(line=start, **record)
        problem = check_row(row)
        if problem:
            errors.append(Outcome(source, start, row.fact_id, row.action, "malformed", problem))
        else:
            rows.append(row)
    return rows, errors


# --- applying ---------------------------------------------------------------------------------


def _cast(name: str, value: str) -> object:
    if name in NUMBER_FIELDS:
        return float(value.replace(",", "")) if value else math.nan
    return value


def _exclude(facts: pd.DataFrame, row: Override) -> tuple[pd.DataFrame, str]:
    return facts.loc[facts["fact_id"].ne(row.fact_id)], "excluded"


def _set(facts: pd.DataFrame, row: Override) -> tuple[pd.DataFrame, str]:
    mask = facts["fact_id"].eq(row.fact_id)
    new = _cast(row.field, row.value)
    old = facts.loc[mask, row.field].tolist()[0]
    facts = facts.copy()
    if row.field == "value":
        point = mask & facts["low"].eq(old) & facts["high"].eq(old)
        facts.loc[point, ["low", "high"]] = new
    facts.loc[mask, row.field] = new
    facts.loc[mask, "overridden"] = True
    return facts, f"{row.field}: {old!r} -> {new!r}"


def _sentence(text: str, start: int, end: int) -> str:
    """The sentence around ``[start, end)``: from the previous sentence end to the next one."""
    breaks = [m.end() for m in re.finditer(r"[.!?][\"”’']?\s+|\n", text[:start])]
    after = re.search(r"[.!?](?=[\"”’']?(\s|$))|\n", text[end:])
    stop = end + after.end() if after else len(text)
    return text[breaks[-1] if breaks else 0 : stop].strip()


def _locate(document: Document, quote: str, hint: int | None) -> tuple[int, int] | None:
    """Where ``quote`` is in the document: the occurrence nearest ``hint``, else the first in the body."""
    starts = [m.start() for m in re.finditer(re.escape(quote), document.text)]
    if not starts:
        return None
    if hint is not None:
        return min(starts, key=lambda s: (abs(s - hint), s)), len(quote)
    in_body = [s for s in starts if any(a <= s < b for a, b in document.body_spans)]
    return (in_body or starts)[0], len(quote)


def _add(facts: pd.DataFrame, row: Override, documents: Mapping[str, Document]) -> tuple[pd.DataFrame, str]:
    doc_id, _, hint = row.fact_id.partition(":")
    document = documents.get(doc_id)
    if document is None:
        raise LookupError(MSG_STALE_DOC.format(doc_id=doc_id))
    found = _locate(document, row.field, int(hint) if hint.isdigit() else None)
    if found is None:
        raise LookupError(MSG_NO_QUOTE.format(quote=row.field, doc_id=doc_id))
    start, length = found
    fact_id = make_fact_id(doc_id, start)
    if facts["fact_id"].eq(fact_id).any():
        raise LookupError(MSG_EXISTS.format(fact_id=fact_id))
    pairs = {k: _cast(k, v) for k, v in parse_pairs(row.value).items()}
    value = pairs["value"]
    new = {
        "fact_id": fact_id,
        "doc_id": doc_id,
        "source_file": document.source_file,
        "published": document.published.isoformat() if document.published else "",
        "outlet": document.outlet,
        "start": start,
        "end": start + length,
        "surface": row.field,
        "low": value,
        "high": value,
        "qualifier": "exact",
        "category": "other",
        "sentence": _sentence(document.text, start, start + length),
        **pairs,
        "overridden": True,
    }
    added = conform_facts(pd.DataFrame([new]))
    return pd.concat([facts, added], ignore_index=True), f"added {fact_id} {row.field!r}"


def _apply_one(
    facts: pd.DataFrame, row: Override, documents: Mapping[str, Document]
) -> tuple[pd.DataFrame, str]:
    """Apply one valid row; raises ``LookupError`` with the reason when it is stale."""
    if row.action == "add":
        return _add(facts, row, documents)
    if not facts["fact_id"].eq(row.fact_id).any():
        raise LookupError(MSG_STALE_FACT.format(fact_id=row.fact_id))
    return (_exclude if row.action == "exclude" else _set)(facts, row)


def apply_overrides(
    facts: pd.DataFrame,
    overrides: Path | str | None,
    documents: Iterable[Document] = (),
) -> OverrideReport:
    """Apply the overrides file ``overrides`` (None or missing: none) to ``facts``.

    ``documents`` are needed only by ``add`` rows (to find the quote). Returns an
    :class:`OverrideReport` whose ``facts`` follow the facts-table contract and
    whose ``outcomes`` list every row: applied, stale (named by fact id) or
    malformed (named by line). The file itself is never written.
    """
    facts = conform_facts(facts)
    rows, outcomes = read_overrides(overrides)
    source = Path(overrides).name if overrides else ""
    by_id = {d.doc_id: d for d in documents}
    for row in rows:
        try:
            facts, message = _apply_one(facts, row, by_id)
            outcomes.append(Outcome(source, row.line, row.fact_id, row.action, "applied", message))
        except LookupError as error:
            outcomes.append(Outcome(source, row.line, row.fact_id, row.action, "stale", str(error.args[0])))
    outcomes.sort(key=lambda o: o.line)
    return OverrideReport(facts=conform_facts(facts), outcomes=outcomes)
