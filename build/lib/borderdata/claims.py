"""Cross-source reconciliation: which numeric mentions are the same claim, and how they relate.

:func:`build_claims` groups the mentions of the facts table into claims and
gives each a status:

- ``single``: every mention comes from one document;
- ``corroborated``: several documents agree within tolerance;
- ``updated``: a later document changes the value (two leased Black Hawks in
  January, four in March);
- ``conflicting``: the values disagree beyond tolerance and no later document
  settles it (same publication day, an undated mention, or a figure for a stated
  period, which a later article restates rather than updates).

Same-claim rule. Two mentions are the same claim when they have the same
category and dimension (mass, one currency, percent, count, ...), compatible
location and period (equal, or one of them empty, as long as the claim ends up
with at most one non-empty location and one non-empty period), and matching
subjects. Subjects are compared as keys: lower case, location phrases of the
taxonomy removed, ``[synonyms]`` applied, ``[modifiers]`` ``drop`` and
``ignore`` words removed, plurals folded, order ignored. Keys match when equal,
or when one is contained in exactly one other key of the same category,
location and period ("fentanyl" in "fentanyl seized"). Money is described by outlets in many words
("border security package", "border security and monitoring plan"), so equal
amounts of the same currency and category from *different documents* are also
the same claim when their subject keys share a word that is not generic, or
when either subject is only generic funding words (``[modifiers] generic``:
funding, plan, package, ...) or empty.

Agreement. Each mention becomes an interval in the claim's canonical unit,
widened by the relative tolerance of its qualifier (:class:`Tolerances`); two
mentions agree when their intervals overlap, so "less than 1%" agrees with any
value up to 1%, and "about 50 pounds" agrees with "19.5 kilograms" only if the
``approx`` tolerance reaches 19.5 kg (it does at 0.2, not at the default 0.1).

>>> import pandas as pd
>>> from borderdata.schema import TEXT_COLUMNS, conform_facts
>>> facts = conform_facts(pd.DataFrame({
...     "fact_id": ["a:1", "b:1"], "doc_id": ["a", "b"], "start": [1, 1], "end": [2, 2],
...     "published": ["2025-01-29", "2025-03-04"],
...     "value": [2.0, 4.0], "unit": ["count", "count"], "qualifier": ["exact", "exact"],
...     "subject": ["leased black hawk helicopters", "blackhawks"], "category": ["asset", "asset"]}))
>>> build_claims(facts)[["subject", "value", "status"]].to_dict("records")
[{'subject': 'black hawk helicopter', 'value': 4.0, 'status': 'updated'}]
"""

from __future__ import annotations

import hashlib
import math
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from itertools import pairwise
from typing import Any

import numpy as np
import pandas as pd
import pint

from borderdata.schema import TEXT_COLUMNS, conform_facts
from borderdata.taxonomy import TAXONOMY_ENV, load_taxonomy
from borderdata.units import CANONICAL, Q_, convert_money, dimension_of, is_currency

CLAIM_DTYPES: dict[str, str] = {
    "claim_id": "object",
    "category": "object",
    "subject": "object",
    "location": "object",
    "period": "object",
    "unit": "object",
    "value": "float64",
    "low": "float64",
    "high": "float64",
    "n_mentions": "int64",
    "n_documents": "int64",
    "doc_ids": "object",
    "fact_ids": "object",
    "first_published": "object",
    "last_published": "object",
    "status": "object",
    "note": "object",
}
CLAIM_COLUMNS = tuple(CLAIM_DTYPES)
COMPARISON_COLUMNS = (
    "doc_id", "published", "outlet", "category", "subject", "period", "numerator", "denominator",
    "numerator_value", "numerator_unit", "denominator_value", "denominator_unit", "ratio", "qualifier",
    "expression", "numerator_fact_id", "denominator_fact_id", "numerator_claim_id",
    "denominator_claim_id",
)  # fmt: skip
STATUSES = ("single", "corroborated", "updated", "conflicting")
LIST_SEP = ";"
# Order of precision when one mention has to stand for a claim.
PRECISION = {"exact": 0, "range": 1, "approx": 2, "upper_bound": 3, "lower_bound": 3}
MAX_LISTED = 6

MSG_NEEDS_RATE = (
    "funding claims in {missing} cannot be added to {currency} without a rate: "
    "pass rates={{'{first}': <{currency} per {first}>}}"
)
MSG_UNKNOWN_FIELD = "compare_claims: field must be one of {allowed}, got {field!r}"


@dataclass(frozen=True)
class Tolerances:
    """Relative widening of each mention, by qualifier, before mentions are compared.

    ``exact`` (default 0.005): reporters round and convert units, so "19.5 kg" and
    "43 lb" must agree; two exact figures agree when about 1% apart or closer.
    ``approx`` (0.10): "about 50" reads as 45 to 55. ``range`` (0.005): each end of
    "between 750,000 and 800,000" widens like an exact figure. ``bound`` (0.0):
    "less than 1%" is taken at its word and agrees with anything up to 1%.
    """

    exact: float = 0.005
    approx: float = 0.10
    range: float = 0.005
    bound: float = 0.0

    def for_qualifier(self, qualifier: str) -> float:
        """The relative tolerance of one qualifier (unknown ones count as exact)."""
        if qualifier in ("upper_bound", "lower_bound"):
            return self.bound
        return {"approx": self.approx, "range": self.range}.get(qualifier, self.exact)

    def describe(self) -> str:
        """The tolerances in words, for notes."""
        return f"exact ±{self.exact:.1%}, approx ±{self.approx:.0%}"


DEFAULT_TOLERANCES = Tolerances()


# --- subject keys -----------------------------------------------------------------------------


@dataclass(frozen=True)
class SubjectRules:
    """What subject normalisation needs from the taxonomy, compiled once."""

    locations: tuple[re.Pattern, ...]
    synonyms: re.Pattern | None
    canonical: dict[str, str]
    dropped: frozenset[str]
    generic: frozenset[str]


def _phrase_pattern(phrases: list[str]) -> re.Pattern | None:
    """Whole-phrase, case-insensitive alternation, longest phrase first."""
    if not phrases:
        return None
    body = "|".join(re.escape(p) for p in sorted(set(phrases), key=lambda p: (-len(p), p)))
    return re.compile(rf"(?<![\w-])(?:{body})(?![\w-])", re.IGNORECASE)


@lru_cache(maxsize=4)
def _subject_rules(source: str | None) -> SubjectRules:
    """Subject rules from the taxonomy at ``source`` (None: the default or ``$BORDERDATA_TAXONOMY``)."""
    taxonomy = load_taxonomy(source)
    modifiers = taxonomy.raw.get("modifiers", {})
    words = [w.lower() for w in modifiers.get("ignore", [])]
    return SubjectRules(
        locations=tuple(p for _, p in taxonomy.locations if p is not None),
        synonyms=_phrase_pattern(list(taxonomy.synonyms)),
        canonical=dict(taxonomy.synonyms),
        dropped=frozenset(taxonomy.drop_words) | frozenset(words),
        generic=frozenset(singular(w.lower()) for w in modifiers.get("generic", [])),
    )


def subject_rules() -> SubjectRules:
    """The subject rules of the taxonomy in use."""
    return _subject_rules(os.environ.get(TAXONOMY_ENV))


def singular(word: str) -> str:
    """A crude singular for matching only: ``towers`` → ``tower``, ``agencies`` → ``agency``."""
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def normalise_subject(subject: str, rules: SubjectRules | None = None) -> str:
    """A subject in claim form: location phrases out, synonyms in, descriptive words dropped.

    >>> normalise_subject("leased Black Hawk helicopters")
    'black hawk helicopter'
    >>> normalise_subject("fentanyl intercepted at the U.S.-Mexico border")
    'fentanyl seized'
    """
    rules = rules or subject_rules()
    text = subject.lower().replace("’", "'").replace("–", "-")
    for pattern in rules.locations:
        text = pattern.sub(" ", text)
    if rules.synonyms is not None:
        text = rules.synonyms.sub(lambda m: f" {rules.canonical[m.group().lower()]} ", text)
    tokens = re.findall(r"[a-z0-9]+(?:[-'][a-z0-9]+)*", text.replace(".", ""))
    kept = [t for t in tokens if t not in rules.dropped]
    return " ".join(dict.fromkeys(kept))


def subject_key(subject: str, rules: SubjectRules | None = None) -> frozenset[str]:
    """The words of a normalised subject, singular, as a set (order does not matter)."""
    return frozenset(singular(t) for t in normalise_subject(subject, rules).split())


def _key_text(key: frozenset[str]) -> str:
    return " ".join(sorted(key))


# --- mentions as intervals --------------------------------------------------------------------


def _bucket_unit(dimension: str, units: pd.Series) -> str:
    """The unit a dimension's mentions are compared in: kg, km, the currency, percent, count."""
    if dimension in CANONICAL:
        return CANONICAL[dimension]
    return min(units)


def _to_canonical(values: pd.Series, units: pd.Series, targets: pd.Series) -> pd.Series:
    """``values`` converted from ``units`` to ``targets``, one pint call per unit pair."""
    out = pd.Series(np.nan, index=values.index, dtype="float64")
    for (unit, target), idx in values.groupby([units, targets], sort=True).groups.items():
        array = values.loc[idx].to_numpy(dtype="float64")
        if unit == target:
            out.loc[idx] = array
            continue
        try:
            out.loc[idx] = Q_(array, unit).to(target).magnitude
        except (pint.errors.PintError, ValueError, TypeError):
            out.loc[idx] = np.nan
    return out


def _intervals(df: pd.DataFrame, tolerances: Tolerances) -> pd.DataFrame:
    """Stated and tolerance-widened intervals of each mention in its canonical unit."""
    rel = df["qualifier"].map(tolerances.for_qualifier).astype("float64")
    value, low, high = df["c_value"], df["c_low"], df["c_high"]
    upper = df["qualifier"].eq("upper_bound")
    lower = df["qualifier"].eq("lower_bound")
    base_lo = np.fmin(low, value)
    base_hi = np.fmax(high, value)
    return df.assign(
        s_low=low.where(low.notna() | upper, value),
        s_high=high.where(high.notna() | lower, value),
        t_low=(base_lo - base_lo.abs() * rel).where(~upper, -np.inf),
        t_high=(base_hi + base_hi.abs() * rel).where(~lower, np.inf),
    )


def _by_subject(subjects: pd.Series, function) -> pd.Series:
    """``function`` of each subject, computed once per distinct subject."""
    done = {s: function(s) for s in pd.unique(subjects)}
    return subjects.map(done.__getitem__)


def prepare_mentions(facts: pd.DataFrame, tolerances: Tolerances = DEFAULT_TOLERANCES) -> pd.DataFrame:
    """Facts with dimension, canonical unit and values, tolerance intervals and subject keys."""
    rules = subject_rules()
    df = (
        conform_facts(facts)
        .astype({c: object for c in TEXT_COLUMNS})
        .loc[lambda d: d["value"].notna() | d["low"].notna() | d["high"].notna()]
    )
    df = df.assign(unit=df["unit"].replace("", "count"))
    df = df.assign(dimension=_by_subject(df["unit"], dimension_of))
    unit_of = {dim: _bucket_unit(dim, units) for dim, units in df.groupby("dimension")["unit"]}
    canonical = df["dimension"].map(unit_of).astype(object)
    keys = _by_subject(df["subject"], lambda s: subject_key(s, rules))
    core = keys.map(lambda k: k - rules.generic)
    df = df.assign(
        c_unit=canonical,
        c_value=_to_canonical(df["value"], df["unit"], canonical),
        c_low=_to_canonical(df["low"], df["unit"], canonical),
        c_high=_to_canonical(df["high"], df["unit"], canonical),
        subject_norm=_by_subject(df["subject"], lambda s: normalise_subject(s, rules)),
        key=keys,
        key_text=keys.map(_key_text),
        core=core,
        money=_by_subject(df["unit"], is_currency).astype(bool),
    )
    df = df.assign(generic=df["money"] & df["core"].map(len).eq(0))
    return _intervals(df, tolerances).reset_index(drop=True)


# --- grouping mentions into claims ------------------------------------------------------------

# Money pairs are built in slices of about this many candidate pairs (bounds memory).
PAIR_CHUNK = 2_000_000


class _Groups:
    """Union-find over nodes that refuses to join two different locations or periods."""

    def __init__(self, locations: list[str], periods: list[str]) -> None:
        self.parent = list(range(len(locations)))
        self.locations = [{x} - {""} for x in locations]
        self.periods = [{x} - {""} for x in periods]

    def find(self, i: int) -> int:
        while self.parent[i] != i:
            self.parent[i] = self.parent[self.parent[i]]
            i = self.parent[i]
        return i

    def union(self, a: int, b: int) -> None:
        ra, rb = sorted((self.find(a), self.find(b)))
        if ra == rb:
            return
        locations, periods = self.locations[ra] | self.locations[rb], self.periods[ra] | self.periods[rb]
        if len(locations) > 1 or len(periods) > 1:
            return
        self.parent[rb] = ra
        self.locations[ra], self.periods[ra] = locations, periods


def _compatible(a: Mapping, b: Mapping) -> int | None:
    """0 when location and period are equal, 1 when equal-or-empty, None when they differ."""
    same = a["location"] == b["location"] and a["period"] == b["period"]
    if same:
        return 0
    loose = all(
        x == y or "" in (x, y) for x, y in ((a["location"], b["location"]), (a["period"], b["period"]))
    )
    return 1 if loose else None


def _node_table(df: pd.DataFrame) -> pd.Series:
    """A node label per mention: mentions sharing category, dimension, location, period and key."""
    own = df["fact_id"].where(df["generic"] | df["key"].map(len).eq(0), "")
    label = df["category"]
    for column in ("dimension", "location", "period", "key_text"):
        label = label + "|" + df[column]
    return label + "|" + own


def _key_links(nodes: Mapping[int, Mapping]) -> list[tuple[int, int, int]]:
    """Links between nodes of one bucket (node number → node) whose keys are equal or uniquely nested."""
    links = []
    keyed = {i: node for i, node in nodes.items() if not node["generic"] and node["key"]}
    index: dict[str, set[int]] = {}
    for i, node in keyed.items():
        for word in node["key"]:
            index.setdefault(word, set()).add(i)
    for i, node in keyed.items():
        key = node["key"]
        holders = set.intersection(*(index[w] for w in key)) - {i}
        compatible = {j: _compatible(node, nodes[j]) for j in sorted(holders)}
        compatible = {j: p for j, p in compatible.items() if p is not None}
        equal = [j for j in compatible if nodes[j]["key"] == key]
        larger = {nodes[j]["key"] for j in compatible if nodes[j]["key"] != key}
        links += [(compatible[j], i, j) for j in equal if i < j]
        if len(larger) == 1:  # nested keys join only at the very same location and period
            links += [(0, i, j) for j, p in compatible.items() if p == 0 and nodes[j]["key"] in larger]
    return links


def _codes(values: pd.Series, empty: object = None) -> tuple[np.ndarray, int]:
    """Integer codes of ``values`` and the code of ``empty`` (-2 when it does not occur)."""
    codes, uniques = pd.factorize(values)
    found = [n for n, u in enumerate(uniques) if u == empty]
    return codes, found[0] if found else -2


def _window_ends(low: np.ndarray, high: np.ndarray) -> np.ndarray:
    """Where the scan of each mention stops, ``low`` sorted ascending with NaN last.

    The scan from mention ``i`` stops at the first later mention whose ``low`` is
    above ``high[i]``; NaN compares false, so a NaN ``high`` or a run into the NaN
    lows never stops it.
    """
    n = len(low)
    n_sorted = int((~np.isnan(low)).sum())
    first_above = np.searchsorted(low[:n_sorted], high, side="right")
    ends = np.maximum(first_above, np.arange(n) + 1)
    return np.where(np.isnan(high) | (ends >= n_sorted), n, ends)


def _pairs(ends: np.ndarray, rows: slice) -> tuple[np.ndarray, np.ndarray]:
    """Every pair ``(i, j)`` with ``i`` in ``rows`` and ``i < j < ends[i]``."""
    first = np.arange(rows.start, rows.stop)
    counts = ends[rows] - first - 1
    i = np.repeat(first, counts)
    offsets = np.arange(len(i)) - np.repeat(np.cumsum(counts) - counts, counts)
    return i, i + 1 + offsets


def _row_slices(ends: np.ndarray) -> list[slice]:
    """Consecutive slices of mentions with about :data:`PAIR_CHUNK` candidate pairs each."""
    counts = np.cumsum(ends - np.arange(len(ends)) - 1)
    cuts = np.searchsorted(counts, np.arange(PAIR_CHUNK, counts[-1] if len(counts) else 0, PAIR_CHUNK))
    bounds = [0, *sorted(set(cuts.tolist()) - {0}), len(ends)]
    return [slice(a, b) for a, b in pairwise(bounds) if b > a]


def _cores_share(cores: list[frozenset[str]], a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Whether core ``a[k]`` and core ``b[k]`` share a word, decided once per distinct pair."""
    if not len(a):
        return np.zeros(0, dtype=bool)
    pair = a.astype(np.int64) * len(cores) + b
    distinct, inverse = np.unique(pair, return_inverse=True)
    shares = [bool(cores[p // len(cores)] & cores[p % len(cores)]) for p in distinct.tolist()]
    return np.asarray(shares, dtype=bool)[inverse]


def _money_links(bucket: pd.DataFrame) -> np.ndarray:
    """Links ``(priority, node, node)`` between equal amounts of money in different documents with
    compatible subjects, one row per pair of mentions whose widened intervals overlap."""
    rows = bucket.sort_values(["t_low", "fact_id"])
    low, high = rows["t_low"].to_numpy(dtype="float64"), rows["t_high"].to_numpy(dtype="float64")
    doc, _ = _codes(rows["doc_id"])
    location, no_location = _codes(rows["location"], "")
    period, no_period = _codes(rows["period"], "")
    core_ids: dict[frozenset[str], int] = {}
    core = np.array(
        [core_ids.setdefault(k, len(core_ids)) if k else -1 for k in rows["core"]], dtype=np.int64
    )
    cores = list(core_ids)
    node = rows["node"].to_numpy(dtype=np.int64)
    ends = _window_ends(low, high)
    links = [np.zeros((0, 3), dtype=np.int64)]
    for part in _row_slices(ends):
        i, j = _pairs(ends, part)
        keep = (doc[i] != doc[j]) & ~(high[j] < low[i])
        i, j = i[keep], j[keep]
        same_location, same_period = location[i] == location[j], period[i] == period[j]
        loose = (same_location | (location[i] == no_location) | (location[j] == no_location)) & (
            same_period | (period[i] == no_period) | (period[j] == no_period)
        )
        keep = loose & ((core[i] < 0) | (core[j] < 0) | (core[i] == core[j]))
        check = loose & ~keep
        keep[check] = _cores_share(cores, core[i[check]], core[j[check]])
        i, j = i[keep], j[keep]
        priority = np.where(same_location[keep] & same_period[keep], 0, 1)
        links.append(np.column_stack([priority, node[i], node[j]]))
    return np.concatenate(links)


def _link_order(links: np.ndarray, n_nodes: int) -> list[tuple[int, int]]:
    """Distinct links in ``(priority, a, b)`` order, each pair of nodes at its first link only.

    A later link between the same two nodes changes nothing: they are joined by then,
    or their union was refused and stays refused (the sets only grow).
    """
    n = np.int64(max(n_nodes, 1))
    code = np.unique((links[:, 0] * n + links[:, 1]) * n + links[:, 2])
    a, b = (code // n) % n, code % n
    _, first = np.unique(np.minimum(a, b) * n + np.maximum(a, b), return_index=True)
    first.sort()
    return list(zip(a[first].tolist(), b[first].tolist(), strict=True))


def group_mentions(df: pd.DataFrame) -> pd.Series:
    """A group number per mention (from :func:`prepare_mentions`): one group per claim."""
    labels = _node_table(df)
    order = sorted(labels.unique())
    node_of = {label: n for n, label in enumerate(order)}
    df = df.assign(node=labels.map(node_of))
    nodes = df.drop_duplicates("node").set_index("node").sort_index()
    groups = _Groups(nodes["location"].tolist(), nodes["period"].tolist())
    links = [np.zeros((0, 3), dtype=np.int64)]
    node_fields = nodes.loc[:, ["location", "period", "key", "generic"]]
    for _, bucket in node_fields.groupby([nodes["category"], nodes["dimension"]], sort=True):
        links.append(np.array(_key_links(bucket.to_dict("index")), dtype=np.int64).reshape(-1, 3))
    for _, bucket in df.loc[df["money"]].groupby(["category", "dimension"], sort=True):
        links.append(_money_links(bucket))
    for a, b in _link_order(np.concatenate(links), len(nodes)):
        groups.union(a, b)
    return df["node"].map(groups.find)


# --- one claim --------------------------------------------------------------------------------

# What the notes and the summary read of a mention; a claim is a list of such dicts.
MENTION_FIELDS = (
    "fact_id", "doc_id", "published", "start", "category", "dimension", "location", "period",
    "subject", "subject_norm", "key", "key_text", "generic", "qualifier", "value", "unit",
    "c_unit", "c_value", "s_low", "s_high", "t_low", "t_high",
)  # fmt: skip
Mention = dict[str, Any]


def _fmt(x: float) -> str:
    """A number for notes: thousands separators, three significant digits below 100."""
    if not math.isfinite(x):
        return str(x)
    if abs(x) >= 100 or float(x).is_integer():
        return f"{x:,.0f}"
    return f"{x:.3g}"


def _stated(row: Mapping) -> str:
    """How a mention reads in the claim's unit, with the words' own unit when it differs."""
    prefix = {"approx": "about ", "upper_bound": "at most ", "lower_bound": "at least "}.get(
        row["qualifier"], ""
    )
    if row["qualifier"] == "range" and math.isfinite(row["s_low"]) and math.isfinite(row["s_high"]):
        text = f"{_fmt(row['s_low'])}–{_fmt(row['s_high'])} {row['c_unit']}"
    else:
        shown = row["s_high"] if row["qualifier"] == "upper_bound" else row["c_value"]
        shown = row["s_low"] if row["qualifier"] == "lower_bound" else shown
        text = f"{prefix}{_fmt(shown)} {row['c_unit']}"
    if row["unit"] != row["c_unit"]:
        text += f" (stated {_fmt(row['value'])} {row['unit']})"
    return text


def _mention(row: Mapping, with_subject: bool) -> str:
    """One mention for a note: value, where and when (and its own subject when they differ)."""
    subject = f" as '{row['subject']}'" if with_subject and row["subject"] else ""
    return f"{_stated(row)} in {row['doc_id']} ({row['published'] or 'undated'}){subject}"


def _listing(rows: list[Mention] | None, with_subject: bool = False) -> str:
    """Mentions joined for a note, at most :data:`MAX_LISTED`."""
    if rows is None:
        return "…"
    items = [_mention(r, with_subject) for r in rows[:MAX_LISTED]]
    extra = len(rows) - MAX_LISTED
    return "; ".join(items) + (f"; and {extra} more" if extra > 0 else "")


def _number_key(x: float) -> tuple[bool, float]:
    """Sort key of a number as pandas sorts it: NaN last."""
    return (True, 0.0) if math.isnan(x) else (False, x)


def _nan_max(values: list[float]) -> float:
    """The largest value, NaN left out (NaN when there is none), as pandas' ``max``."""
    kept = [v for v in values if not math.isnan(v)]
    return max(kept) if kept else math.nan


def _nan_min(values: list[float]) -> float:
    """The smallest value, NaN left out (NaN when there is none), as pandas' ``min``."""
    kept = [v for v in values if not math.isnan(v)]
    return min(kept) if kept else math.nan


def _nan_median(values: list[float]) -> float:
    """The median, NaN left out (NaN when there is none), as pandas' ``median``."""
    kept = [v for v in values if not math.isnan(v)]
    return float(np.median(kept)) if kept else math.nan


def _agree(rows: list[Mention]) -> bool:
    """True when every widened interval overlaps every other (they share a point)."""
    return bool(_nan_max([r["t_low"] for r in rows]) <= _nan_min([r["t_high"] for r in rows]))


def _value_groups(rows: list[Mention]) -> list[list[Mention]]:
    """Mentions split into runs that agree, lowest values first."""
    ordered = sorted(
        rows, key=lambda r: (*_number_key(r["t_low"]), *_number_key(r["t_high"]), r["doc_id"], r["start"])
    )
    groups, ceiling, current = [], math.inf, []
    for row in ordered:
        if current and row["t_low"] > ceiling:
            groups.append(current)
            ceiling, current = math.inf, []
        current.append(row)
        ceiling = min(ceiling, row["t_high"])
    groups.append(current)
    return groups


def _steps(rows: list[Mention]) -> list[list[Mention]]:
    """Mentions in publication order, a new step whenever the value stops agreeing."""
    steps, current, floor, ceiling = [], [], -math.inf, math.inf
    for row in rows:
        low, high = row["t_low"], row["t_high"]
        if current and (max(floor, low) > min(ceiling, high)):
            steps.append(current)
            current, floor, ceiling = [], -math.inf, math.inf
        current.append(row)
        floor, ceiling = max(floor, low), min(ceiling, high)
    steps.append(current)
    return steps


def _trim(steps: list[list[Mention]]) -> list[list[Mention] | None]:
    """At most :data:`MAX_LISTED` steps or value runs: the first two and the last ones."""
    if len(steps) <= MAX_LISTED:
        return steps
    return [*steps[:2], None, *steps[-(MAX_LISTED - 2) :]]


def _representative(rows: list[Mention]) -> Mention:
    """The mention that stands for the claim: the most precise, then the earliest."""
    return min(
        rows,
        key=lambda r: (
            PRECISION.get(r["qualifier"], 0),
            r["published"] == "",
            r["published"],
            r["doc_id"],
            r["start"],
        ),
    )


def _spread(groups: list[list[Mention]]) -> str:
    """How far apart the lowest and highest agreeing runs are, as a percentage."""
    low = _nan_median([r["c_value"] for r in groups[0]])
    high = _nan_median([r["c_value"] for r in groups[-1]])
    return f"{(high - low) / abs(low):.1%} apart" if low else "apart"


def _judge(rows: list[Mention], period: str, tolerances: Tolerances) -> tuple[str, list[Mention], str]:
    """Status, the mentions that give the current value, and the note, for one claim."""
    n_docs = len({r["doc_id"] for r in rows})
    several_subjects = len({r["subject"] for r in rows}) > 1
    if _agree(rows):
        if n_docs == 1:
            return "single", rows, f"one document: {_listing(rows, several_subjects)}"
        return (
            "corroborated",
            rows,
            (
                f"{n_docs} documents agree within tolerance ({tolerances.describe()}): "
                + _listing(rows, several_subjects)
            ),
        )
    groups = _value_groups(rows)
    disagreement = (
        f"values disagree beyond tolerance ({tolerances.describe()}), {_spread(groups)}: "
        + " vs ".join(_listing(g, several_subjects) for g in _trim(groups))
    )
    if period:
        return (
            "conflicting",
            rows,
            f"{disagreement}; same period {period}, so a later article does not update it",
        )
    if any(r["published"] == "" for r in rows):
        return "conflicting", rows, f"{disagreement}; an undated mention, so neither is known to be later"
    latest = max(r["published"] for r in rows)
    current = [r for r in rows if r["published"] == latest]
    if not _agree(current):
        return "conflicting", rows, f"{disagreement}; published the same day ({latest}), neither is later"
    steps = [_listing(s, several_subjects) for s in _trim(_steps(rows))]
    return "updated", current, "updated: " + " → ".join(steps)


def _bound(values: list[float], take: str) -> float:
    """min/max of a stated side, NaN when any mention leaves that side open."""
    if not values or any(math.isnan(v) for v in values):
        return math.nan
    return float(min(values) if take == "min" else max(values))


def _first_nonempty(values: list[str]) -> str:
    """The smallest non-empty value, or ""."""
    return min((x for x in values if x), default="")


def _summarise(rows: list[Mention], tolerances: Tolerances) -> dict:
    """One claims-table row (without ``claim_id``) from the mentions of one claim, in fact order."""
    rows = sorted(rows, key=lambda r: (r["published"] == "", r["published"], r["doc_id"], r["start"]))
    location = _first_nonempty([r["location"] for r in rows])
    period = _first_nonempty([r["period"] for r in rows])
    status, current, note = _judge(rows, period, tolerances)
    rep = _representative(current)
    dated = [r["published"] for r in rows if r["published"] != ""]
    keys = [r["key_text"] for r in rows if r["key"] and not r["generic"]]
    doc_ids = sorted({r["doc_id"] for r in rows})
    return {
        "category": rep["category"],
        "subject": rep["subject_norm"],
        "location": location,
        "period": period,
        "unit": rep["c_unit"],
        "value": float(rep["c_value"]),
        "low": _bound([r["s_low"] for r in current], "min"),
        "high": _bound([r["s_high"] for r in current], "max"),
        "n_mentions": len(rows),
        "n_documents": len(doc_ids),
        "doc_ids": LIST_SEP.join(doc_ids),
        "fact_ids": LIST_SEP.join(
            r["fact_id"] for r in sorted(rows, key=lambda r: (r["doc_id"], r["start"]))
        ),
        "first_published": min(dated) if dated else "",
        "last_published": max(dated) if dated else "",
        "status": status,
        "note": note,
        "_identity": "|".join(
            [
                rep["category"],
                rep["dimension"],
                location,
                period,
                min(keys) if keys else f"={rep['c_value']:.6g}",
            ]
        ),
    }


def summarise_claim(rows: pd.DataFrame, tolerances: Tolerances = DEFAULT_TOLERANCES) -> dict:
    """One claims-table row (without ``claim_id``) from the mentions of one claim."""
    return _summarise(rows.to_dict("records"), tolerances)


def _claims_of(mentions: pd.DataFrame, groups: pd.Series) -> list[list[Mention]]:
    """The mentions of each claim, claims in group order, mentions in table order."""
    claims: dict[int, list[Mention]] = {}
    records = mentions.loc[:, list(MENTION_FIELDS)].to_dict("records")
    for group, record in zip(groups.tolist(), records, strict=True):
        claims.setdefault(group, []).append(record)
    return [claims[g] for g in sorted(claims)]


def _claim_ids(identities: pd.Series) -> pd.Series:
    """``c`` + 12 hex digits of a hash of the claim's identity; repeats get ``-2``, ``-3``."""
    base = identities.map(lambda s: "c" + hashlib.sha1(s.encode()).hexdigest()[:12])
    repeat = base.groupby(base).cumcount()
    return base.where(repeat.eq(0), base + "-" + (repeat + 1).astype(str))


def empty_claims() -> pd.DataFrame:
    """A claims table with no rows and the claims columns and dtypes."""
    return pd.DataFrame({c: pd.Series(dtype=t) for c, t in CLAIM_DTYPES.items()})


def build_claims(facts: pd.DataFrame, *, tolerances: Tolerances = DEFAULT_TOLERANCES) -> pd.DataFrame:
    """The claims table: one row per distinct claim, with status and a note saying why.

    Parameters: ``facts``, a facts table (see :mod:`borderdata.schema`);
    ``tolerances``, how far mentions may differ and still agree (:class:`Tolerances`).
    Returns the columns of :data:`CLAIM_COLUMNS`, sorted by category, location,
    subject, period and claim_id, byte-identical for the same input. ``value`` is
    in the canonical unit of the dimension (kg, the currency itself, percent,
    count); for an ``updated`` claim it is the latest value. See the module
    docstring for the same-claim rule and an example.
    """
    mentions = prepare_mentions(facts, tolerances)
    if mentions.empty:
        return empty_claims()
    groups = group_mentions(mentions)
    records = [_summarise(rows, tolerances) for rows in _claims_of(mentions, groups)]
    table = pd.DataFrame.from_records(records).sort_values(["_identity", "fact_ids"], kind="stable")
    table = table.assign(claim_id=_claim_ids(table["_identity"]))
    return (
        table.loc[:, list(CLAIM_COLUMNS)]
        .astype(CLAIM_DTYPES)
        .sort_values(["category", "location", "subject", "period", "claim_id"], kind="stable")
        .reset_index(drop=True)
    )


# --- derived tables ---------------------------------------------------------------------------


def _claim_of_fact(claims: pd.DataFrame) -> pd.Series:
    """claim_id by fact_id."""
    exploded = claims.assign(fact_id=claims["fact_ids"].str.split(LIST_SEP)).explode("fact_id")
    return exploded.set_index("fact_id")["claim_id"]


def _related(a: frozenset[str], b: frozenset[str]) -> bool:
    return bool(a) and bool(b) and (a <= b or b <= a)


def compare_claims(
    facts: pd.DataFrame,
    claims: pd.DataFrame | None = None,
    *,
    field: str = "location",
    numerator: str = "southern border",
    denominator: str = "northern border",
) -> pd.DataFrame:
    """Ratios of the same quantity at two values of ``field``, within one document and period.

    Each row pairs a mention with ``field == numerator`` and one with ``field ==
    denominator`` from the same document, category, dimension and period whose
    subject keys are equal or nested (the nearest pair in the text wins). Both
    values are shown as stated, ``ratio`` is computed in the canonical unit (so
    kg and lb mix), and ``expression`` reads like "9,570 kg / 19.5 kg ≈ 491".
    Bounds ("less than 1%") are not values and are left out; ``qualifier`` is
    ``exact`` when both mentions are exact, else ``approx``.

    >>> compare_claims(pd.DataFrame()).columns[:3].tolist()
    ['doc_id', 'published', 'outlet']
    """
    allowed = ("location", "period")
    if field not in allowed:
        raise ValueError(MSG_UNKNOWN_FIELD.format(allowed=allowed, field=field))
    mentions = prepare_mentions(facts).loc[lambda d: ~d["qualifier"].isin(["upper_bound", "lower_bound"])]
    if mentions.empty:
        return pd.DataFrame(columns=list(COMPARISON_COLUMNS))
    claims = build_claims(facts) if claims is None else claims
    claim_of = _claim_of_fact(claims)
    other = "period" if field == "location" else "location"
    on = ["doc_id", "category", "dimension", other]
    pairs = (
        mentions.loc[mentions[field].eq(numerator)]
        .merge(mentions.loc[mentions[field].eq(denominator)], on=on, suffixes=("_n", "_d"))
        .loc[lambda d: [_related(a, b) for a, b in zip(d["key_n"], d["key_d"], strict=True)]]
        .assign(_distance=lambda d: (d["start_n"] - d["start_d"]).abs())
        .sort_values(["doc_id", "_distance", "start_n", "start_d"])
        .drop_duplicates("fact_id_n")
        .drop_duplicates("fact_id_d")
    )
    return (
        pairs.assign(
            published=pairs["published_n"],
            outlet=pairs["outlet_n"],
            subject=pairs["subject_norm_n"].where(pairs["subject_norm_n"].ne(""), pairs["subject_norm_d"]),
            period=pairs["period"] if field == "location" else pairs["period_n"],
            numerator=numerator,
            denominator=denominator,
            numerator_value=pairs["value_n"],
            numerator_unit=pairs["unit_n"],
            denominator_value=pairs["value_d"],
            denominator_unit=pairs["unit_d"],
            ratio=(pairs["c_value_n"] / pairs["c_value_d"].replace(0, np.nan)).astype("float64"),
            qualifier=np.where(
                pairs["qualifier_n"].eq("exact") & pairs["qualifier_d"].eq("exact"), "exact", "approx"
            ),
            numerator_fact_id=pairs["fact_id_n"],
            denominator_fact_id=pairs["fact_id_d"],
            numerator_claim_id=pairs["fact_id_n"].map(claim_of).fillna(""),
            denominator_claim_id=pairs["fact_id_d"].map(claim_of).fillna(""),
        )
        .assign(expression=lambda d: [_expression(r) for r in d.to_dict("records")])
        .sort_values(["published", "doc_id", "start_n"], kind="stable")
        .loc[:, list(COMPARISON_COLUMNS)]
        .reset_index(drop=True)
    )


def _expression(row: Mapping) -> str:
    """``9,570 kg / 19.5 kg ≈ 491`` for a comparison row."""
    sign = "=" if row["qualifier"] == "exact" and float(row["ratio"]).is_integer() else "≈"
    return (
        f"{_fmt(row['numerator_value'])} {row['numerator_unit']} / "
        f"{_fmt(row['denominator_value'])} {row['denominator_unit']} {sign} {_fmt(row['ratio'])}"
    )


def total_commitments(
    claims: pd.DataFrame,
    currency: str,
    *,
    rates: Mapping[str, float] | None = None,
    category: str = "funding",
) -> pint.Quantity:
    """The sum of the money claims of ``category`` in ``currency``, each claim counted once.

    Claims, not mentions, are summed, so a plan reported by three outlets counts
    once; an ``updated`` claim counts at its latest value. Claims in another
    currency need ``rates[code]`` (units of ``currency`` per one ``code``); without
    it a ``ValueError`` names the currency, because money is never mixed silently.

    >>> claims = pd.DataFrame({"category": ["funding"] * 2, "unit": ["CAD", "CAD"], "value": [1.3e9, 2e8]})
    >>> f"{total_commitments(claims, 'CAD'):,.0f~P}"
    '1,500,000,000 CAD'
    """
    rates = dict(rates or {})
    money = claims.loc[claims["category"].eq(category) & claims["unit"].map(is_currency)]
    missing = sorted(set(money["unit"]) - {currency} - set(rates))
    if missing:
        raise ValueError(
            MSG_NEEDS_RATE.format(missing=", ".join(missing), currency=currency, first=missing[0])
        )
    values = pd.to_numeric(money["value"], errors="coerce").fillna(0.0)
    converted = [
        convert_money(v, u, currency, rates.get(u, 1.0)) for v, u in zip(values, money["unit"], strict=True)
    ]
    return Q_(float(sum(converted)), currency)
