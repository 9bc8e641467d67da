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


def prepare_mentions(facts: pd.DataFrame, tolerances: Tolerances = DEFAULT_TOLERANCES) -> pd.DataFrame:
    """Facts with dimension, canonical unit and values, tolerance intervals and subject keys."""
    rules = subject_rules()
    df = (
        conform_facts(facts)
        .astype({c: object for c in TEXT_COLUMNS})
        .loc[lambda d: d["value"].notna() | d["low"].notna() | d["high"].notna()]
    )
    df = df.assign(unit=df["unit"].replace("", "count"))
    df = df.assign(dimension=df["unit"].map(dimension_of))
    unit_of = {dim: _bucket_unit(dim, units) for dim, units in df.groupby("dimension")["unit"]}
    canonical = df["dimension"].map(unit_of).astype(object)
    keys = df["subject"].map(lambda s: subject_key(s, rules))
    core = keys.map(lambda k: k - rules.generic)
    df = df.assign(
        c_unit=canonical,
        c_value=_to_canonical(df["value"], df["unit"], canonical),
        c_low=_to_canonical(df["low"], df["unit"], canonical),
        c_high=_to_canonical(df["high"], df["unit"], canonical),
        subject_norm=df["subject"].map(lambda s: normalise_subject(s, rules)),
        key=keys,
        key_text=keys.map(_key_text),
        core=core,
        money=df["unit"].map(is_currency).astype(bool),
    )
    df = df.assign(generic=df["money"] & df["core"].map(len).eq(0))
    return _intervals(df, tolerances).reset_index(drop=True)


# --- grouping mentions into claims ------------------------------------------------------------


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
    return df[["category", "dimension", "location", "period", "key_text"]].agg("|".join, axis=1) + "|" + own


def _key_links(nodes: pd.DataFrame) -> list[tuple[int, int, int]]:
    """Links between nodes of one bucket whose keys are equal or uniquely nested."""
    links = []
    keyed = nodes.loc[~nodes["generic"] & nodes["key"].map(len).gt(0)]
    index: dict[str, set[int]] = {}
    for i, key in keyed["key"].items():
        for word in key:
            index.setdefault(word, set()).add(i)
    for i, row in keyed.iterrows():
        holders = set.intersection(*(index[w] for w in row["key"])) - {i}
        compatible = {j: _compatible(row, nodes.loc[j]) for j in sorted(holders)}
        compatible = {j: p for j, p in compatible.items() if p is not None}
        equal = [j for j in compatible if nodes.at[j, "key"] == row["key"]]
        larger = {nodes.at[j, "key"] for j in compatible if nodes.at[j, "key"] != row["key"]}
        links += [(compatible[j], i, j) for j in equal if i < j]
        if len(larger) == 1:  # nested keys join only at the very same location and period
            links += [(0, i, j) for j, p in compatible.items() if p == 0 and nodes.at[j, "key"] in larger]
    return links


def _money_links(bucket: pd.DataFrame) -> list[tuple[int, int, int]]:
    """Links between equal amounts of money in different documents with compatible subjects."""
    links = []
    rows = bucket.sort_values(["t_low", "fact_id"]).to_dict("records")
    for i, a in enumerate(rows):
        for b in rows[i + 1 :]:
            if b["t_low"] > a["t_high"]:
                break
            if a["doc_id"] == b["doc_id"] or b["t_high"] < a["t_low"]:
                continue
            if a["core"] and b["core"] and not (a["core"] & b["core"]):
                continue
            priority = _compatible(a, b)
            if priority is not None:
                links.append((priority, a["node"], b["node"]))
    return links


def group_mentions(df: pd.DataFrame) -> pd.Series:
    """A group number per mention (from :func:`prepare_mentions`): one group per claim."""
    labels = _node_table(df)
    order = sorted(labels.unique())
    node_of = {label: n for n, label in enumerate(order)}
    df = df.assign(node=labels.map(node_of))
    nodes = df.drop_duplicates("node").set_index("node").sort_index()
    groups = _Groups(nodes["location"].tolist(), nodes["period"].tolist())
    links: list[tuple[int, int, int]] = []
    for _, bucket in nodes.groupby(["category", "dimension"], sort=True):
        links += _key_links(bucket)
    for _, bucket in df.loc[df["money"]].groupby(["category", "dimension"], sort=True):
        links += _money_links(bucket)
    for _, a, b in sorted(set(links)):
        groups.union(a, b)
    return df["node"].map(groups.find)


# --- one claim --------------------------------------------------------------------------------


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


def _listing(rows: pd.DataFrame | None, with_subject: bool = False) -> str:
    """Mentions joined for a note, at most :data:`MAX_LISTED`."""
    if rows is None:
        return "…"
    items = [_mention(r, with_subject) for r in rows.head(MAX_LISTED).to_dict("records")]
    extra = len(rows) - MAX_LISTED
    return "; ".join(items) + (f"; and {extra} more" if extra > 0 else "")


def _agree(rows: pd.DataFrame) -> bool:
    """True when every widened interval overlaps every other (they share a point)."""
    return bool(rows["t_low"].max() <= rows["t_high"].min())


def _value_groups(rows: pd.DataFrame) -> list[pd.DataFrame]:
    """Mentions split into runs that agree, lowest values first."""
    ordered = rows.sort_values(["t_low", "t_high", "doc_id", "start"])
    groups, ceiling, current = [], math.inf, []
    for i, row in ordered.iterrows():
        if current and row["t_low"] > ceiling:
            groups.append(ordered.loc[current])
            ceiling, current = math.inf, []
        current.append(i)
        ceiling = min(ceiling, row["t_high"])
    groups.append(ordered.loc[current])
    return groups


def _steps(rows: pd.DataFrame) -> list[pd.DataFrame]:
    """Mentions in publication order, a new step whenever the value stops agreeing."""
    steps, current, floor, ceiling = [], [], -math.inf, math.inf
    for i, low, high in zip(rows.index, rows["t_low"], rows["t_high"], strict=True):
        if current and (max(floor, low) > min(ceiling, high)):
            steps.append(rows.loc[current])
            current, floor, ceiling = [], -math.inf, math.inf
        current.append(i)
        floor, ceiling = max(floor, low), min(ceiling, high)
    steps.append(rows.loc[current])
    return steps


def _trim(steps: list[pd.DataFrame]) -> list[pd.DataFrame | None]:
    """At most :data:`MAX_LISTED` steps or value runs: the first two and the last ones."""
    if len(steps) <= MAX_LISTED:
        return steps
    return [*steps[:2], None, *steps[-(MAX_LISTED - 2) :]]


def _representative(rows: pd.DataFrame) -> pd.Series:
    """The mention that stands for the claim: the most precise, then the earliest."""
    ranked = rows.assign(
        _rank=rows["qualifier"].map(PRECISION).fillna(0), _undated=rows["published"].eq("")
    ).sort_values(["_rank", "_undated", "published", "doc_id", "start"])
    return ranked.iloc[0]


def _spread(groups: list[pd.DataFrame]) -> str:
    """How far apart the lowest and highest agreeing runs are, as a percentage."""
    low, high = groups[0]["c_value"].median(), groups[-1]["c_value"].median()
    return f"{(high - low) / abs(low):.1%} apart" if low else "apart"


def _judge(rows: pd.DataFrame, period: str, tolerances: Tolerances) -> tuple[str, pd.DataFrame, str]:
    """Status, the mentions that give the current value, and the note, for one claim."""
    n_docs = rows["doc_id"].nunique()
    several_subjects = rows["subject"].nunique() > 1
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
    if rows["published"].eq("").any():
        return "conflicting", rows, f"{disagreement}; an undated mention, so neither is known to be later"
    latest = rows["published"].max()
    current = rows.loc[rows["published"].eq(latest)]
    if not _agree(current):
        return "conflicting", rows, f"{disagreement}; published the same day ({latest}), neither is later"
    steps = [_listing(s, several_subjects) for s in _trim(_steps(rows))]
    return "updated", current, "updated: " + " → ".join(steps)


def _bound(values: pd.Series, take: str) -> float:
    """min/max of a stated side, NaN when any mention leaves that side open."""
    if values.isna().any() or values.empty:
        return math.nan
    return float(getattr(values, take)())


def summarise_claim(rows: pd.DataFrame, tolerances: Tolerances = DEFAULT_TOLERANCES) -> dict:
    """One claims-table row (without ``claim_id``) from the mentions of one claim."""
    rows = rows.assign(_undated=rows["published"].eq("")).sort_values(
        ["_undated", "published", "doc_id", "start"]
    )
    location = next((x for x in sorted(rows["location"].unique()) if x), "")
    period = next((x for x in sorted(rows["period"].unique()) if x), "")
    status, current, note = _judge(rows, period, tolerances)
    rep = _representative(current)
    dated = rows.loc[~rows["_undated"], "published"]
    by_position = rows.sort_values(["doc_id", "start"])
    keys = rows.loc[rows["key"].map(len).gt(0) & ~rows["generic"], "key_text"]
    return {
        "category": rep["category"],
        "subject": rep["subject_norm"],
        "location": location,
        "period": period,
        "unit": rep["c_unit"],
        "value": float(rep["c_value"]),
        "low": _bound(current["s_low"], "min"),
        "high": _bound(current["s_high"], "max"),
        "n_mentions": len(rows),
        "n_documents": rows["doc_id"].nunique(),
        "doc_ids": LIST_SEP.join(sorted(rows["doc_id"].unique())),
        "fact_ids": LIST_SEP.join(by_position["fact_id"]),
        "first_published": dated.min() if len(dated) else "",
        "last_published": dated.max() if len(dated) else "",
        "status": status,
        "note": note,
        "_identity": "|".join(
            [
                rep["category"],
                rep["dimension"],
                location,
                period,
                keys.min() if len(keys) else f"={rep['c_value']:.6g}",
            ]
        ),
    }


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
    records = [summarise_claim(rows, tolerances) for _, rows in mentions.groupby(groups, sort=True)]
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
