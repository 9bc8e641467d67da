"""Cross-source reconciliation: which numeric mentions are the same claim, and how they relate.

A claim is one quantity about one thing, at one place and time, in one event or
programme. :func:`build_claims` groups the mentions of the facts table into claims
and gives each a status:

- ``single``: every mention comes from one document;
- ``corroborated``: several documents agree within tolerance;
- ``updated``: a later document changes the value of the same thing, place and
  event (two leased Black Hawks in January, four in March);
- ``conflicting``: the same thing, place, period and event, values apart beyond
  tolerance, and no later document settles it.

Identity. Each mention has keys: *what* (category, dimension or currency, and the
subject as a key of words, see :func:`subject_key`), *where* (``location``), *when*
(``period``) and *event anchors* found in its sentence by general rules in
``claims.toml``: named operations and projects ("Operation Blizzard"), named
programmes, teams and places ("National Fentanyl Sprint", "Swanton Sector", "the
lab in Falkland") and agencies (CBP, RCMP, CBSA...). Two mentions are compared key
by key: a key known on both sides either agrees (it adds the evidence weight of
``[identity.weights]``) or differs (the mentions stay apart); a key known on one
side only is *unknown* and adds nothing. So:

- mentions with equal what, where, when and event form one claim whatever their
  values (the values then say corroborated, updated or conflicting); in an event
  category (``event_categories``: seizures, arrests, crossings...) this needs a
  stated period or a named event, so two unrelated seizures of cocaine are never
  "updated";
- mentions whose values agree within tolerance (conversions and roundings
  included: 43 lb = 19.5 kg) and whose keys do not differ are one claim when their
  agreeing keys reach ``min_evidence``; when a key was unknown on one side the
  claim says so in ``review`` (an unknown key never *matches* a known one);
- values that disagree are never joined across an unknown or different key;
- countries named in subjects ("tariffs on Canadian goods"), or for a tariff
  whose subject names none, the country its sentence imposes it on ("slapped
  Canada with 25 per cent tariffs", :func:`target_countries`), must agree like
  places; a bound ("more than a pound") joins only a figure near it; one document
  never gives two values of one claim, and a figure it gives for two different
  things, in words that do not say which, is left out of links between documents.

Every merge the rules are unsure of is in the ``review`` column; an analyst's
answer goes in ``data/overrides.csv`` as ``same`` or ``split`` between two fact
ids (see :mod:`borderdata.overrides`) and is applied on the next run.

Receipts. Each claim lists its outlets, titles, dates and URLs (per document, in
``doc_ids`` order; titles and URLs need the documents table), its sentences, and a
``why`` naming the keys its documents share ("fentanyl; northern border; FY2024;
CBP"). Notes name outlets and dates.

Fact to claim. :func:`claim_of_facts` gives, for every fact of a claims table, its
``claim_id``, the claim's ``status`` and ``review``: the public way to ask which
claim a fact belongs to.

Agreement. Each mention becomes an interval in the claim's canonical unit,
widened by the relative tolerance of its qualifier (:class:`Tolerances`); two
mentions agree when their intervals overlap, so "less than 1%" agrees with any
value up to 1%, and "about 50 pounds" agrees with "19.5 kilograms" only if the
``approx`` tolerance reaches 19.5 kg (it does at 0.2, not at the default 0.1).

>>> import pandas as pd
>>> from borderdata.schema import conform_facts
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
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any
from urllib.parse import urlsplit

import numpy as np
import pandas as pd
import pint

from borderdata.config import PACKAGE, read_toml
from borderdata.places import border_of, border_patterns, load_places
from borderdata.schema import FACT_COLUMNS, FACT_DTYPES, TEXT_COLUMNS, conform_facts
from borderdata.taxonomy import TAXONOMY_ENV, load_taxonomy
from borderdata.units import CANONICAL, Q_, convert_money, dimension_of, is_currency

CLAIMS_ENV = "BORDERDATA_CLAIMS"
PACKAGE_RULES = PACKAGE / "claims.toml"
CLAIM_DTYPES: dict[str, str] = {
    "claim_id": "object",
    "category": "object",
    "subject": "object",
    "location": "object",
    "period": "object",
    "period_start": "object",
    "period_end": "object",
    "anchors": "object",
    "unit": "object",
    "value": "float64",
    "low": "float64",
    "high": "float64",
    "n_mentions": "int64",
    "n_documents": "int64",
    "doc_ids": "object",
    "fact_ids": "object",
    "outlets": "object",
    "titles": "object",
    "dates": "object",
    "urls": "object",
    "sentences": "object",
    "first_published": "object",
    "last_published": "object",
    "status": "object",
    "why": "object",
    "review": "object",
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
TEXT_SEP = " | "  # between titles, URLs and sentences (they may hold ";")
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
    The defaults are read from ``[tolerances]`` in ``claims.toml``.
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


@dataclass(frozen=True)
class ClaimRules:
    """The identity rules of ``claims.toml``, compiled once."""

    tolerances: Tolerances
    min_evidence: int
    max_candidates: int
    stock_subject_words: int
    bound_reach: float
    join_across_unknown: bool
    event_categories: frozenset[str]
    kindred_categories: frozenset[frozenset[str]]
    weights: Mapping[str, int]
    agencies: re.Pattern | None
    agency_names: Mapping[str, str]
    countries: Mapping[str, str]
    target_categories: frozenset[str]
    named_events: tuple[re.Pattern, ...]
    places: re.Pattern | None
    not_names: frozenset[str]


def _alternation(words: Iterable[str]) -> str:
    """Whole phrases, longest first, spaces matching any run of blanks."""
    ordered = sorted(set(words), key=lambda w: (-len(w), w))
    return "|".join(re.escape(w).replace(r"\ ", r"\s+") for w in ordered)


NAME_WORD = r"[A-Z][\w'’.-]*"


@lru_cache(maxsize=4)
def load_claim_rules(path: str | None = None) -> ClaimRules:
    """The rules of ``claims.toml`` (``path``, else ``$BORDERDATA_CLAIMS``, else the packaged file)."""
    raw = read_toml("claims.toml", CLAIMS_ENV, path)
    identity = raw.get("identity", {})
    anchors = raw.get("anchors", {})
    agencies = anchors.get("agencies", {})
    names = {variant: name for name, variants in agencies.items() for variant in [name, *variants]}
    events = anchors.get("events", {})
    named = []
    if events.get("prefixes"):
        named.append(re.compile(rf"\b(?:{_alternation(events['prefixes'])})(?:\s+{NAME_WORD})+"))
    if events.get("suffixes"):
        named.append(re.compile(rf"(?:{NAME_WORD}\s+)+(?:{_alternation(events['suffixes'])})\b"))
    place_words = events.get("place_words", [])
    return ClaimRules(
        tolerances=Tolerances(**raw.get("tolerances", {})),
        min_evidence=int(identity.get("min_evidence", 2)),
        max_candidates=int(identity.get("max_candidates", 8)),
        stock_subject_words=int(identity.get("stock_subject_words", 2)),
        bound_reach=float(identity.get("bound_reach", 2.0)),
        join_across_unknown=bool(identity.get("join_across_unknown", True)),
        event_categories=frozenset(identity.get("event_categories", [])),
        kindred_categories=frozenset(frozenset(pair) for pair in identity.get("kindred_categories", [])),
        weights=dict(identity.get("weights", {})),
        agencies=re.compile(rf"(?<![\w-])(?:{_alternation(names)})(?![\w-])") if names else None,
        agency_names=names,
        countries={w: name for name, words in anchors.get("countries", {}).items() for w in words},
        target_categories=frozenset(identity.get("target_categories", [])),
        named_events=tuple(named),
        places=(
            re.compile(rf"\b(?:{_alternation(place_words)})\s+({NAME_WORD}(?:\s+{NAME_WORD}){{0,2}})")
            if place_words
            else None
        ),
        not_names=frozenset(w.lower() for w in events.get("not_names", [])),
    )


def claim_rules() -> ClaimRules:
    """The claim rules in use (``$BORDERDATA_CLAIMS`` or the packaged ``claims.toml``)."""
    return load_claim_rules(os.environ.get(CLAIMS_ENV))


def default_tolerances() -> Tolerances:
    """The tolerances of the claims file in use."""
    return claim_rules().tolerances


DEFAULT_TOLERANCES = Tolerances()


# --- event anchors ----------------------------------------------------------------------------


def _clean_name(name: str, not_names: frozenset[str]) -> str:
    """A found name without leading stop words ("The", "National") and dots; "" when nothing is left."""
    words = re.sub(r"\s+", " ", name).strip(" .,'’").split(" ")
    while words and words[0].strip(".").lower() in not_names:
        words = words[1:]
    text = " ".join(words).strip(".")
    return "" if not text or text.lower() in not_names else text


def _named_events(sentence: str, rules: ClaimRules) -> set[str]:
    """Named operations, projects, programmes, teams and places of a sentence ("Operation Blizzard")."""
    found = set()
    for pattern in rules.named_events:
        for match in pattern.finditer(sentence):
            name = _clean_name(match.group(), rules.not_names)
            if " " in name:  # a suffix alone ("Sector") names nothing
                found.add(name)
    return found


def _places(sentence: str, rules: ClaimRules) -> set[str]:
    """Named places after "in", "at", "near" that are not countries, provinces, months... ("Falkland")."""
    if rules.places is None:
        return set()
    found = set()
    for match in rules.places.finditer(sentence):
        first = match.group(1).split()[0].strip(".")
        name = _clean_name(match.group(1), rules.not_names)
        if name and first.lower() not in rules.not_names:
            found.add(name)
    return found


def _agencies(sentence: str, rules: ClaimRules) -> set[str]:
    """Agencies named in a sentence, by their claim name (CBP for "Customs and Border Protection")."""
    if rules.agencies is None:
        return set()
    return {rules.agency_names[re.sub(r"\s+", " ", m.group())] for m in rules.agencies.finditer(sentence)}


def find_anchors(
    sentence: str, rules: ClaimRules | None = None
) -> tuple[frozenset[str], frozenset[str], frozenset[str]]:
    """Named events, named places and agencies of one sentence.

    >>> events, places, agencies = find_anchors("Operation Blizzard, a CBSA campaign near Coutts, ended.")
    >>> sorted(events), sorted(places), sorted(agencies)
    (['Operation Blizzard'], ['Coutts'], ['CBSA'])
    """
    rules = rules or claim_rules()
    return (
        frozenset(_named_events(sentence, rules)),
        frozenset(_places(sentence, rules)),
        frozenset(_agencies(sentence, rules)),
    )


# --- subject keys -----------------------------------------------------------------------------


@dataclass(frozen=True)
class SubjectRules:
    """What subject normalisation needs from the taxonomy, compiled once."""

    locations: tuple[re.Pattern, ...]
    synonyms: re.Pattern | None
    canonical: dict[str, str]
    dropped: frozenset[str]
    generic: frozenset[str]
    classes: re.Pattern | None
    class_of: dict[str, str]


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
    classes = taxonomy.raw.get("classes", {})
    class_of = {m.lower(): c.lower() for c, members in classes.items() for m in members}
    return SubjectRules(
        locations=border_patterns(),
        synonyms=_phrase_pattern(list(taxonomy.synonyms)),
        canonical=dict(taxonomy.synonyms),
        dropped=frozenset(taxonomy.drop_words) | frozenset(words),
        generic=frozenset(singular(w.lower()) for w in modifiers.get("generic", [])),
        classes=_phrase_pattern(list(class_of)),
        class_of=class_of,
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
    """The words of a normalised subject, singular, as a set (order does not matter), with the class
    of any member of a class it names (the taxonomy's ``[classes]``): "tariffs on oil" also says energy.

    >>> sorted(subject_key("tariffs on oil")), sorted(subject_key("energy"))
    (['energy', 'oil', 'tariff'], ['energy'])
    """
    rules = rules or subject_rules()
    text = normalise_subject(subject, rules)
    words = {singular(t) for t in text.split()}
    if rules.classes is not None:
        words |= {rules.class_of[m.group().lower()] for m in rules.classes.finditer(text)}
    return frozenset(words)


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


def significant_digits(value: float) -> int:
    """Significant digits of a stated figure: 19.5 → 3, 21,000 → 2, 1,000 → 1."""
    if not math.isfinite(value) or value == 0:
        return 0
    digits = f"{abs(value):.12e}".split("e")[0].replace(".", "").rstrip("0")
    return len(digits)


def _is_specific(values: pd.Series, money: pd.Series) -> pd.Series:
    """Figures whose agreement says something: three significant digits, or money of a million or more."""
    digits = values.map(significant_digits)
    return (digits.ge(3) | (money & values.abs().ge(1e6))).astype(bool)


def _anchor_columns(sentences: pd.Series, rules: ClaimRules) -> pd.DataFrame:
    """Named events, places and agencies of each sentence (each distinct sentence read once)."""
    found = {s: find_anchors(s, rules) for s in pd.unique(sentences)}
    events, places, agencies = (sentences.map(lambda s, k=k: found[s][k]) for k in range(3))
    return pd.DataFrame(
        {
            "events": events,
            "places": places,
            "agencies": agencies,
            "events_text": events.map(_key_text),
            "anchors_text": [_key_text(e | p | a) for e, p, a in zip(events, places, agencies, strict=True)],
        },
        index=sentences.index,
    )


def _conformed(facts: pd.DataFrame) -> pd.DataFrame:
    """``facts`` in contract form, sorted; a table already in that form is not converted again."""
    if (
        list(facts.columns) == list(FACT_COLUMNS)
        and all(
            str(facts[c].dtype) == ("str" if t == "str" else t) or (t == "str" and facts[c].dtype == object)
            for c, t in FACT_DTYPES.items()
        )
        and not facts.loc[:, list(TEXT_COLUMNS)].isna().any().any()
    ):
        return facts.sort_values(["doc_id", "start", "end"], kind="stable").reset_index(drop=True)
    return conform_facts(facts)


def prepare_mentions(facts: pd.DataFrame, tolerances: Tolerances | None = None) -> pd.DataFrame:
    """Facts with dimension, canonical unit and values, tolerance intervals, subject keys and anchors."""
    rules = subject_rules()
    tolerances = tolerances or default_tolerances()
    df = (
        _conformed(facts)
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
    df = df.assign(
        generic=df["money"] & df["core"].map(len).eq(0),
        specific=_is_specific(df["value"].fillna(df["low"]).fillna(df["high"]), df["money"]),
    )
    df = df.join(_anchor_columns(df["sentence"], claim_rules()))
    # When, as a key: the resolved interval where there is one ("FY2024" and "2023-10..2024-09" agree).
    resolved = df["period_start"].ne("") & df["period_end"].ne("")
    df = df.assign(when=(df["period_start"] + ".." + df["period_end"]).where(resolved, df["period"]))
    countries = claim_rules().countries
    df = df.assign(
        countries=_by_subject(df["key"], lambda k: frozenset(countries[w] for w in k if w in countries))
    )
    df = df.assign(countries=_with_target_countries(df, claim_rules()))
    return _intervals(df, tolerances).reset_index(drop=True)


# --- whose figure: the country a measure is imposed on -----------------------------------------

# A capitalised word, dots kept ("U.S."): countries and their adjectives are always capitalised,
# so the pronoun "us" never reads as the United States.
CAPITALISED = re.compile(r"\b[A-Z][A-Za-z.]*[A-Za-z]\.?|\b[A-Z]\b")
# "slapped Canada with 25 per cent tariffs", "hit China with a 145% tariff": the object of the verb,
# right before "with" and the figure, is whom the figure is imposed on.
TARGET_BEFORE = re.compile(r"\b([A-Z][A-Za-z.]*)\s+with\s+(?:an?\s+)?\Z")
# "a 25% tariff threat against both Canada and Mexico", "tariffs on all imports from Canada": "on",
# "against" or goods "from" and the capitalised names (and their "and"s) right after them. A bare
# "from" names who imposes it ("tariffs from the U.S."), not whom it hits.
TARGET_AFTER = re.compile(
    r"\b(?:on|against|(?:imports|goods|products|exports)\s+from)\s+(?:(?:all|both|the)\s+)?"
    r"((?:[A-Z][A-Za-z.]*(?:\s+and\s+|,\s+|\s+)?)+)"
)
# Where the figure's clause ends after it: a comma, semicolon, colon or a full stop (not the dots of "U.S.").
CLAUSE_END = re.compile(r"[,;:!?]|(?<![A-Z])\.(?:\s|\Z)")
TARGET_REACH = 60  # characters after the figure in which its "on"/"against" phrase is looked for


def _country_names(words: str, countries: Mapping[str, str]) -> frozenset[str]:
    """The countries named by the capitalised words of ``words`` ("both Canada and Mexico")."""
    names = (m.group().lower().replace(".", "") for m in CAPITALISED.finditer(words))
    return frozenset(countries[n] for n in names if n in countries)


def target_countries(sentence: str, start: int, end: int, countries: Mapping[str, str]) -> frozenset[str]:
    """The countries the figure at ``sentence[start:end]`` is imposed on, from the words around it.

    >>> from borderdata.claims import claim_rules
    >>> words = claim_rules().countries
    >>> text = "Donald Trump slapped Canada with 25 per cent tariffs on all goods."
    >>> sorted(target_countries(text, 33, 44, words))
    ['Canada']
    >>> text = "Trump backed down from his 25% tariff threat against both Canada and Mexico for a month."
    >>> sorted(target_countries(text, 27, 30, words))
    ['Canada', 'Mexico']
    >>> text = "Canada is imposing its own 25 per cent tariffs on $155 billion"
    >>> sorted(target_countries(text, 27, 38, words))
    []
    """
    before = TARGET_BEFORE.search(sentence[max(0, start - 40) : start])
    if before:
        return _country_names(before.group(1), countries)
    rest = sentence[end : end + TARGET_REACH]
    stop = CLAUSE_END.search(rest)
    after = TARGET_AFTER.search(rest[: stop.start()] if stop else rest)
    return _country_names(after.group(1), countries) if after else frozenset()


def _sentence_starts(df: pd.DataFrame) -> pd.Series:
    """Where each mention's surface starts in its sentence: the n-th time the sentence states it for
    the n-th mention of that surface there (-1 when the sentence does not hold it)."""
    nth = df.groupby(["doc_id", "sentence", "surface"], sort=False)["start"].rank(method="first") - 1
    found = []
    for sentence, surface, n in zip(df["sentence"], df["surface"], nth.astype(int), strict=True):
        at = -1
        for _ in range(n + 1):
            at = sentence.find(surface, at + 1) if surface else -1
            if at < 0:
                break
        found.append(at)
    return pd.Series(found, index=df.index, dtype="int64")


def _with_target_countries(df: pd.DataFrame, rules: ClaimRules) -> pd.Series:
    """Each mention's countries: those of its subject, else, in ``target_categories`` (tariffs), the
    countries its sentence names as the ones the figure is imposed on (:func:`target_countries`)."""
    unstated = df["category"].isin(list(rules.target_categories)) & df["countries"].map(len).eq(0)
    if not unstated.any():
        return df["countries"]
    rows = df.loc[unstated]
    starts = _sentence_starts(rows)
    found = [
        target_countries(sentence, at, at + len(surface), rules.countries) if at >= 0 else frozenset()
        for sentence, surface, at in zip(rows["sentence"], rows["surface"], starts, strict=True)
    ]
    return df["countries"].where(~unstated, pd.Series(found, index=rows.index, dtype=object))


# --- grouping mentions into claims ------------------------------------------------------------


@dataclass(frozen=True)
class Decision:
    """An analyst's answer in the overrides file: facts ``a`` and ``b`` are ``same`` or ``split``."""

    action: str
    a: str
    b: str


class _Groups:
    """Union-find over nodes that refuses to join different known keys, or a pair an analyst split."""

    def __init__(self, nodes: pd.DataFrame, apart: Iterable[tuple[int, int]] = ()) -> None:
        self.parent = list(range(len(nodes)))
        self.keys = [
            (*({x} - {""} for x in row[:3]), set(row[3]))
            for row in zip(
                nodes["location"], nodes["when"], nodes["events_text"], nodes["countries"], strict=True
            )
        ]
        self.cores: list[dict[str, set[frozenset[str]]]] = list(nodes["doc_cores"])
        self.spans = list(zip(nodes["a_low"], nodes["a_high"], strict=True))
        self.apart: dict[int, set[int]] = {}
        for a, b in apart:
            self.apart.setdefault(a, set()).add(b)
            self.apart.setdefault(b, set()).add(a)

    def find(self, i: int) -> int:
        while self.parent[i] != i:
            self.parent[i] = self.parent[self.parent[i]]
            i = self.parent[i]
        return i

    def _kept_apart(self, ra: int, rb: int) -> bool:
        if not self.apart:
            return False
        return any(self.find(x) == rb for x in self.apart.get(ra, ())) or any(
            self.find(x) == ra for x in self.apart.get(rb, ())
        )

    def _two_things(self, ra: int, rb: int) -> bool:
        """Whether one document would have two subjects in the claim that are not nested (two things)."""
        left, right = sorted((self.cores[ra], self.cores[rb]), key=len)
        for doc in [d for d in left if d in right]:
            for a in left[doc]:
                if any(a and b and not (a <= b or b <= a) for b in right[doc]):
                    return True
        return False

    def union(self, a: int, b: int, *, force: bool = False, values_agree: bool = True) -> bool:
        """Join the groups of ``a`` and ``b`` unless their known keys differ (``force``: an analyst said so).

        With ``values_agree`` the join also needs the values of both groups to agree still:
        agreement links never make a claim whose values disagree (a bound such as "up to 16"
        agrees with 3 and with 4, which do not agree with each other).
        """
        ra, rb = sorted((self.find(a), self.find(b)))
        if ra == rb:
            return True
        *single, countries = (x | y for x, y in zip(self.keys[ra], self.keys[rb], strict=True))
        # Countries: those every mention allows ("against both Canada and Mexico" allows Canada).
        shared = self.keys[ra][3] & self.keys[rb][3] if self.keys[ra][3] and self.keys[rb][3] else countries
        keys = (*single, shared)
        low = max(self.spans[ra][0], self.spans[rb][0])
        high = min(self.spans[ra][1], self.spans[rb][1])
        if not force and (
            any(len(k) > 1 for k in keys[1:3])
            or (countries and not shared)
            or any(_location_relation(x, y) == "differ" for x in keys[0] for y in keys[0] if x < y)
            or (values_agree and not low <= high)
            or self._kept_apart(ra, rb)
            or self._two_things(ra, rb)
        ):
            return False
        self.parent[rb] = ra
        self.keys[ra] = keys
        self.spans[ra] = (
            (low, high)
            if low <= high
            else (min(self.spans[ra][0], self.spans[rb][0]), max(self.spans[ra][1], self.spans[rb][1]))
        )
        small, large = sorted((self.cores[rb], self.cores[ra]), key=len)
        for doc, cores in small.items():
            large.setdefault(doc, set()).update(cores)
        self.cores[ra], self.cores[rb] = large, {}
        self.apart.setdefault(ra, set()).update(self.apart.pop(rb, set()))
        return True


def _subject_relation(a: frozenset[str], b: frozenset[str]) -> str:
    """``same`` (equal or nested), ``shared`` (a common word), ``unknown`` (one empty) or ``differ``."""
    if not a or not b:
        return "unknown"
    if a <= b or b <= a:
        return "same"
    if a & b:
        return "shared"
    return "differ"


@lru_cache(maxsize=1)
def _place_kinds() -> dict[str, str]:
    """The gazetteer's kind of each place label it lists (``"Canada"``: ``"countries"``)."""
    return {label: kind for kind, label, _ in load_places().patterns}


def _unlisted_place_in_country(country: str, place: str) -> bool:
    """Whether ``country`` is a country and ``place`` only names places the gazetteer does not list.

    A name read from the grammar ("the lab in Falkland") may lie in the country or not: the
    text does not say, so neither contradicts the other. A listed place is not assumed to lie in it.
    """
    kinds = _place_kinds()
    return kinds.get(country) == "countries" and not any(part in kinds for part in place.split(", "))


@lru_cache(maxsize=4096)
def _location_relation(a: str, b: str) -> str:
    """``same``, ``differ`` or ``unknown`` for two stated locations.

    Two borders, two places, or a place on another border differ; a place and the border it
    lies on agree; a border and a place known to lie on none (a city where a plan was
    announced) are different scales, so neither contradicts the other; nor do a country and a
    place the gazetteer does not list (it may lie in that country: the analyst is asked).
    """
    if a == b:
        return "same"
    border_a, border_b = border_of(a), border_of(b)
    if border_a == a and border_b == b:
        return "differ"
    if border_a == a or border_b == b:
        border, other = (a, border_b) if border_a == a else (b, border_a)
        return "unknown" if other in ("", border) else "differ"
    if _unlisted_place_in_country(a, b) or _unlisted_place_in_country(b, a):
        return "unknown"
    return "differ"


def locations_compatible(a: str, b: str) -> bool:
    """Whether two stated locations (or one unstated) may be the place of one claim: equal, one
    empty, or one that may lie in the other as far as the claims can tell (a country and a
    place the gazetteer does not list). The check's verdicts use this, so a figure is never
    surer than its claim.

    >>> locations_compatible("Canada", "Falkland"), locations_compatible("Canada", "")
    (True, True)
    >>> locations_compatible("Canada", "United States"), locations_compatible("Canada", "Texas")
    (False, False)
    """
    return not a or not b or _location_relation(a, b) != "differ"


def _kindred(a: Mapping, b: Mapping, rules: ClaimRules) -> bool:
    """Whether two categories may name one outcome (a sum "seized" by one outlet is "profits
    prevented" in another): only for specific figures, whose agreement says something.
    """
    return (
        frozenset((a["category"], b["category"])) in rules.kindred_categories
        and a["specific"]
        and b["specific"]
    )


def category_block(category: str, rules: ClaimRules | None = None) -> str:
    """The block a category's mentions are compared in: itself, or its kindred categories joined.

    Mentions of two blocks are never one claim (``other`` aside, which joins any category on
    more evidence); kindred categories share a block ("a $485 million seizure" may be "$485
    million in profits prevented").

    >>> category_block("enforcement_result"), category_block("tariff")
    ('enforcement_result+seizure', 'tariff')
    """
    rules = rules or claim_rules()
    kin = {c for pair in rules.kindred_categories if category in pair for c in pair}
    return "+".join(sorted(kin)) if kin else category


def _beyond_category(node: Mapping) -> frozenset[str]:
    """The subject words, or none when they only name the category ("seizure" of a seizure)."""
    core = node["core"]
    return frozenset() if core <= set(node["category"].split("_")) else core


def evidence(a: Mapping, b: Mapping, rules: ClaimRules | None = None) -> int | None:
    """How much the keys of two mentions (or nodes) agree; None when a key known on both sides differs.

    Values are not compared here: callers pair only mentions whose values agree, or
    whose what, where, when and event are all equal.
    """
    rules = rules or claim_rules()
    w = rules.weights
    score = 0
    kindred = False
    if a["category"] != b["category"]:
        kindred = _kindred(a, b, rules)
        if "other" not in (a["category"], b["category"]) and not kindred:
            return None
    elif a["category"] != "other":
        score += w.get("same_category", 1)
    if a["countries"] and b["countries"] and not a["countries"] & b["countries"]:
        return None  # Canada's tariffs are not the United States' tariffs
    if kindred:  # a subject that only names its category ("a $485 million seizure") says no more
        relation = _subject_relation(_beyond_category(a), _beyond_category(b))
    else:
        relation = _subject_relation(a["core"], b["core"])
    if relation == "differ":
        return None
    score += {"same": w.get("same_subject", 2), "shared": w.get("shared_subject_word", 1)}.get(relation, 0)
    for key, weight in (("location", "same_location"), ("when", "same_period")):
        if a[key] and b[key]:
            relation = (
                "same"
                if a[key] == b[key]
                else _location_relation(a[key], b[key])
                if key == "location"
                else "differ"
            )
            if relation == "differ":
                return None
            score += w.get(weight, 1) if relation == "same" else 0
        elif (a[key] or b[key]) and not rules.join_across_unknown:
            return None
    if a["events"] and b["events"]:
        if not a["events"] & b["events"]:
            return None
        score += w.get("same_event", 2)
    elif a["places"] & b["places"]:
        score += w.get("same_event", 2)
    if a["agencies"] & b["agencies"]:
        score += w.get("same_agency", 1)
    if a["specific"] or b["specific"]:
        score += w.get("specific_value", 1)
    return score


NODE_FIELDS = (
    "doc_id", "ambiguous", "category", "dimension", "location", "when", "key", "core", "money",
    "generic", "events", "places", "agencies", "countries", "events_text", "specific", "t_low",
    "t_high", "key_text", "value", "c_value",
)  # fmt: skip


def _stock_mask(df: pd.DataFrame, rules: ClaimRules, split: set[str]) -> pd.Series:
    """Mentions that join by equal keys whatever their values (and so may be updated or conflicting)."""
    keyed = ~df["generic"] & df["core"].map(len).ge(rules.stock_subject_words)
    unanchored = (
        df["category"].isin(list(rules.event_categories)) & df["when"].eq("") & df["events_text"].eq("")
    )
    # A one-word subject ("officers", "drones") names a kind of thing, not one stock of it:
    # two different figures about it are one claim only when a place, period or event ties them.
    tied = df["location"].ne("") | df["when"].ne("") | df["events_text"].ne("")
    keyed = keyed | (~df["generic"] & df["core"].map(len).gt(0) & tied)
    return (
        keyed & ~unanchored & ~df["fact_id"].isin(split) & ~_two_values_in_one_document(df) & ~df["ambiguous"]
    )


def _ambiguous(df: pd.DataFrame) -> pd.Series:
    """Mentions whose own document gives the same figure for two different things and whose subject
    does not say which ("25 per cent tariffs" beside "25 per cent retaliatory tariffs on U.S. goods" and
    "25 per cent tariffs on all goods"): they are left out of links between documents.
    """
    value = df["c_value"].map(lambda v: f"{v:.6g}")
    out = pd.Series(False, index=df.index)
    keys = [df["doc_id"], df["dimension"], value]
    many = df["core"].groupby(keys, sort=False).transform("size").ge(3)  # fewer cannot be ambiguous
    if not many.any():
        return out
    rows = df.loc[many]
    for _, group in rows[["core", "countries"]].groupby([k[many] for k in keys], sort=False):
        things = list(zip(group.index, group["core"], group["countries"], strict=True))
        for i, core, countries in things:
            # Subjects that say more: more words, or the same words and a country this one does not name.
            wider = [
                (c, n) for j, c, n in things if j != i and core <= c and (c != core or (n and not countries))
            ]
            out[i] = any(_two_things(a, b) for k, a in enumerate(wider) for b in wider[k + 1 :])
    return out


def _two_things(a: tuple[frozenset[str], frozenset[str]], b: tuple[frozenset[str], frozenset[str]]) -> bool:
    """Whether two (subject core, countries) name two things: subjects not nested, or two countries."""
    (core_a, countries_a), (core_b, countries_b) = a, b
    nested = core_a <= core_b or core_b <= core_a
    return not nested or bool(countries_a and countries_b and not countries_a & countries_b)


def _two_values_in_one_document(df: pd.DataFrame) -> pd.Series:
    """Mentions whose document gives another value under the same keys ("89 pills", "82 pills").

    One article does not contradict itself: two values under one key in one document are
    two things the subject does not tell apart, so neither joins by keys alone.
    """
    event = df["category"].isin(list(claim_rules().event_categories))
    when = df["when"].where(event, "")  # as in the node labels: only events keep their period
    columns = ("doc_id", "category", "dimension", "location", "key_text", "events_text")
    keys = [*(df[c] for c in columns), when]
    grouped = df.groupby(keys, sort=False)
    return (grouped["t_low"].transform("max") > grouped["t_high"].transform("min")).fillna(False).astype(bool)


def _joins_itself(df: pd.DataFrame, rules: ClaimRules) -> pd.Series:
    """Whether two mentions with these very keys and values would be joined (see :func:`evidence`)."""
    fields = [f for f in NODE_FIELDS if f != "doc_id"]
    done: dict[tuple, bool] = {}
    joins = []
    for record in _records(df, fields):
        key = tuple(record.values())
        if key not in done:
            done[key] = (evidence(record, record, rules) or 0) >= _needed(
                record, record, record["t_high"], rules
            )
        joins.append(done[key])
    return pd.Series(joins, index=df.index, dtype=bool)


def _node_labels(df: pd.DataFrame, rules: ClaimRules, split: set[str]) -> pd.Series:
    """A node label per mention; a node's mentions are one claim before any link.

    Stock mentions share a node when category, dimension, location, subject key and named
    events are equal, and in an event category the period too: a count of helicopters "as of"
    one date is updated by a later one (same what, where, event), a seizure of one period is
    not. Other mentions share one only with identical keys, anchors and value interval when
    those keys reach ``min_evidence`` on their own; else a node each.
    """
    stock = _stock_mask(df, rules, split)
    event = df["category"].isin(list(rules.event_categories))
    when = df["when"].where(event | ~stock, "")
    label = df["category"] + "|" + df["dimension"] + "|" + df["location"] + "|" + when
    for column in ("key_text", "events_text"):
        label = label + "|" + df[column]
    label = label + "|" + df["countries"].map(_key_text)  # a country read beside the figure tells it apart
    signature = "|" + df["anchors_text"] + "|" + df["t_low"].map(repr) + "|" + df["t_high"].map(repr)
    lone = df["fact_id"].isin(split) | df["ambiguous"] | ~_joins_itself(df, rules)
    own = signature.where(~lone, "|" + df["fact_id"])
    return label + own.where(~stock, "")


def _key_links(nodes: pd.DataFrame) -> list[tuple[int, int, int, int]]:
    """Links between stock nodes whose subjects are uniquely nested ("fentanyl" in "fentanyl seized").

    Only where place and period are both stated and equal, or a named event is: their values
    may then differ (the claim is updated or conflicting), so nothing here may be unknown.
    """
    links = []
    tied = nodes["stock"] & ((nodes["location"].ne("") & nodes["when"].ne("")) | nodes["events_text"].ne(""))
    rows = nodes.loc[tied]
    columns = ("category", "dimension", "location", "when", "events_text")
    # Buckets as plain dicts: iterating a pandas groupby costs a frame per (mostly tiny) bucket.
    buckets: dict[tuple[str, ...], dict[int, frozenset[str]]] = {}
    for i, core, *bucket in zip(rows.index.tolist(), rows["core"], *(rows[c] for c in columns), strict=True):
        buckets.setdefault(tuple(bucket), {})[i] = core
    for bucket_key in sorted(buckets):
        keys = buckets[bucket_key]
        holders: dict[str, set[int]] = {}
        for i, key in keys.items():
            for word in key:
                holders.setdefault(word, set()).add(i)
        for i, key in keys.items():
            # Nodes holding every word of this key: found through the word index, not all pairs.
            larger = {j for j in set.intersection(*(holders[w] for w in key)) if key < keys[j]}
            if len({keys[j] for j in larger}) == 1:
                links += [(-9, 0, i, j) for j in sorted(larger)]
    return links


class _Window:
    """Recent nodes of one block, scanned newest first, forgetting those whose interval has passed."""

    def __init__(self) -> None:
        self.items: list[int] = []
        self.kept = 0  # length after the last clean-up (cleaned again when it doubles: amortised linear)

    def add(self, i: int) -> None:
        self.items.append(i)

    def candidates(self, low: float, highs: Mapping[int, float], limit: int) -> list[int]:
        """Up to ``limit`` newest nodes whose widened interval still reaches ``low``."""
        if len(self.items) > max(4 * limit, 2 * self.kept):
            self.items = [j for j in self.items if not highs[j] < low]
            self.kept = len(self.items)
        found = []
        for j in reversed(self.items[-4 * limit :]):
            if not highs[j] < low:
                found.append(j)
                if len(found) == limit:
                    break
        return found


def _records(frame: pd.DataFrame, columns: Iterable[str]) -> list[dict]:
    """Rows as dicts, read column by column (much faster than ``to_dict("records")``)."""
    columns = list(columns)
    return [
        dict(zip(columns, values, strict=True))
        for values in zip(*(frame[c].tolist() for c in columns), strict=True)
    ]


def _is_bound(low: float, high: float) -> bool:
    return not (math.isfinite(low) and math.isfinite(high))


def _needed(a: Mapping, b: Mapping, b_high: float, rules: ClaimRules) -> float:
    """The evidence two agreeing nodes need: ``min_evidence``, one more when both are ``other``
    (the category says nothing), and one more for a bound.

    A bound ("more than a pound", "up to 16") agrees with every figure beyond it, so it joins
    one only within ``bound_reach`` of its own value ("less than 1%" and 0.5%, not "more than
    a pound" and 43 pounds), with one more key, and no place, period or event stated on one
    side alone.
    """
    needed = rules.min_evidence + int(a["category"] == b["category"] == "other")
    if _is_bound(a["t_low"], a["t_high"]) or _is_bound(b["t_low"], b_high):
        if any(bool(a[k]) != bool(b[k]) for k in ("location", "when", "events_text")):
            return math.inf
        # In the compared unit: "more than a pound" is 0.45 kg, far from 1.73 kg though 1 and 1.73 are near.
        values = sorted(abs(v) for v in (a["c_value"], b["c_value"]))
        if not values[0] or values[1] / values[0] > rules.bound_reach:
            return math.inf
        needed += 1
    return needed


# Links a node keeps to earlier nodes (the strongest): enough to survive a refused join.
LINKS_PER_NODE = 3


def _agreement_links(nodes: pd.DataFrame, rules: ClaimRules) -> list[tuple[int, int, int, int]]:
    """Links ``(-evidence, across documents, node, node)`` between nodes whose values agree.

    Nodes are visited in value order; each is compared with at most ``max_candidates``
    earlier nodes that share a subject word (rarest word first, a commoner word only when
    nothing qualified yet) or have an empty subject, whose widened intervals still reach
    it, and keeps its :data:`LINKS_PER_NODE`
    strongest links that reach ``min_evidence``: linear in the number of nodes.
    """
    order = nodes.sort_values(["dimension", "t_low", "label"], na_position="last", kind="stable").index
    records = dict(zip(nodes.index.tolist(), _records(nodes, NODE_FIELDS), strict=True))
    highs = dict(zip(nodes.index.tolist(), nodes["t_high"].tolist(), strict=True))
    frequency: dict[tuple[str, str], int] = {}
    for dim, core in zip(nodes["dimension"], nodes["core"], strict=True):
        for word in core:
            frequency[dim, word] = frequency.get((dim, word), 0) + 1
    windows: dict[tuple[str, str], _Window] = {}
    limit = rules.max_candidates
    links = []
    for i in order.tolist():
        node = records[i]
        low = node["t_low"]
        if math.isnan(low) or node["ambiguous"]:
            continue
        dim = node["dimension"]
        # A subject that only names its category is looked up like an unstated one.
        words = sorted(_beyond_category(node), key=lambda w: (frequency[dim, w], w))
        blocks = [(dim, w) for w in words] + [(dim, "")] + ([(dim, "*")] if not words else [])
        seen: set[int] = set()
        found: list[tuple[int, int, int, int]] = []
        for block in blocks:
            window = windows.get(block)
            # Rarer words first; commoner ones only while nothing qualified (and within the limit).
            if window is None or found or len(seen) >= limit:
                continue
            for j in window.candidates(low, highs, limit):
                if j in seen:
                    continue
                seen.add(j)
                other = records[j]
                score = evidence(node, other, rules)
                if score is not None and score >= _needed(node, other, highs[j], rules):
                    # A document's own restatements bind before other documents' figures.
                    found.append((-score, int(node["doc_id"] != records[j]["doc_id"]), j, i))
        links += sorted(found)[:LINKS_PER_NODE]
        for block in [(dim, w) for w in words] or [(dim, "")]:
            windows.setdefault(block, _Window()).add(i)
        windows.setdefault((dim, "*"), _Window()).add(i)
    return links


def _link_order(links: list[tuple[int, int, int, int]]) -> list[tuple[int, int]]:
    """Distinct links, strongest first, within one document before across, then in node order."""
    return [(a, b) for *_, a, b in sorted(set(links))]


def group_mentions(df: pd.DataFrame, decisions: Iterable[Decision] = ()) -> pd.Series:
    """A group number per mention (from :func:`prepare_mentions`): one group per claim."""
    rules = claim_rules()
    decisions = [d for d in decisions if d.a in set(df["fact_id"]) and d.b in set(df["fact_id"])]
    split = {x for d in decisions if d.action == "split" for x in (d.a, d.b)}
    df = df.assign(ambiguous=_ambiguous(df))
    labels = _node_labels(df, rules, split)
    order = sorted(labels.unique())
    node_of = {label: n for n, label in enumerate(order)}
    df = df.assign(node=labels.map(node_of), label=labels, stock=_stock_mask(df, rules, split))
    nodes = (
        df.sort_values(["node", "published", "doc_id", "start"], kind="stable")
        .groupby("node", sort=True)
        .agg(
            **{c: (c, "first") for c in (*NODE_FIELDS, "label", "stock") if c not in ("t_low", "t_high")},
            t_low=("t_low", "min"),
            t_high=("t_high", "max"),
            a_low=("t_low", "max"),
            a_high=("t_high", "min"),
        )
    )
    mixed = ~(nodes["a_low"] <= nodes["a_high"])  # a node whose own values disagree (an update)
    nodes = nodes.assign(
        a_low=nodes["a_low"].where(~mixed, nodes["t_low"]),
        a_high=nodes["a_high"].where(~mixed, nodes["t_high"]),
    )
    doc_cores: dict[int, dict[str, set[frozenset[str]]]] = {}
    for node, doc, core in zip(df["node"], df["doc_id"], df["core"], strict=True):
        doc_cores.setdefault(node, {}).setdefault(doc, set()).add(core)
    nodes = nodes.assign(doc_cores=[doc_cores[n] for n in nodes.index])
    node_of_fact = dict(zip(df["fact_id"], df["node"], strict=True))
    apart = [(node_of_fact[d.a], node_of_fact[d.b]) for d in decisions if d.action == "split"]
    groups = _Groups(nodes, apart)
    for a, b in ((node_of_fact[d.a], node_of_fact[d.b]) for d in decisions if d.action == "same"):
        groups.union(a, b, force=True)
    nested = _key_links(nodes)
    for a, b in _link_order(nested):
        groups.union(a, b, values_agree=False)
    for a, b in _link_order(_agreement_links(nodes, rules)):
        groups.union(a, b)
    return df["node"].map(groups.find)


# --- one claim --------------------------------------------------------------------------------

# What the notes and the summary read of a mention; a claim is a list of such dicts.
MENTION_FIELDS = (
    "fact_id", "doc_id", "published", "outlet", "start", "category", "dimension", "location", "period",
    "period_start", "period_end", "subject", "subject_norm", "key", "key_text", "core", "generic",
    "qualifier", "value", "unit", "c_unit", "c_value", "s_low", "s_high", "t_low", "t_high", "sentence",
    "events", "places", "agencies",
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


TITLE_CHARS = 60


def _who(row: Mapping) -> str:
    """The outlet; when unknown, the article's title in quotes; else the document id."""
    title = str(row.get("title", "") or "")
    if len(title) > TITLE_CHARS:
        title = title[: TITLE_CHARS - 1].rstrip() + "…"
    return row["outlet"] or (f"'{title}'" if title else row["doc_id"])


def _source(row: Mapping) -> str:
    """Who said it and when: the outlet (or the title when the outlet is unknown) and the date."""
    return f"{_who(row)} ({row['published'] or 'undated'})"


def _mention(row: Mapping, with_subject: bool) -> str:
    """One mention for a note: value, outlet and date (and its own subject when they differ)."""
    subject = f" as '{row['subject']}'" if with_subject and row["subject"] else ""
    return f"{_stated(row)} in {_source(row)}{subject}"


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
    groups: list[list[Mention]] = []
    current: list[Mention] = []
    ceiling = math.inf
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
    steps: list[list[Mention]] = []
    current: list[Mention] = []
    floor, ceiling = -math.inf, math.inf
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
        return list(steps)
    return [*steps[:2], None, *steps[-(MAX_LISTED - 2) :]]


def _by_precision(rows: list[Mention]) -> list[Mention]:
    """Mentions, the one that best stands for the claim first."""
    return sorted(rows, key=_standing)


def _standing(r: Mention) -> tuple:
    return (
        PRECISION.get(r["qualifier"], 0),
        -significant_digits(r["value"]),
        r["published"] == "",
        r["published"],
        r["doc_id"],
        r["start"],
    )


def _representative(rows: list[Mention]) -> Mention:
    """The mention that stands for the claim: the most precise, the most digits, then the earliest."""
    return min(rows, key=_standing)


def _spread(groups: list[list[Mention]]) -> str:
    """How far apart the lowest and highest agreeing runs are, as a percentage."""
    low = _nan_median([r["c_value"] for r in groups[0]])
    high = _nan_median([r["c_value"] for r in groups[-1]])
    return f"{(high - low) / abs(low):.1%} apart" if low else "apart"


def _allowances(rows: list[Mention], tolerances: Tolerances) -> str:
    """What an approximate figure allows: "about 22.7 kg (stated 50 lb) allows 20.4–25 kg"."""
    parts = []
    for row in rows:
        if row["qualifier"] == "approx" and math.isfinite(row["t_low"]) and math.isfinite(row["t_high"]):
            parts.append(
                f"'{_stated(row)}' in {_source(row)} allows {_fmt(row['t_low'])}–{_fmt(row['t_high'])} "
                f"{row['c_unit']} (approx ±{tolerances.approx:.0%})"
            )
    return "; ".join(dict.fromkeys(parts))


def _periods(rows: list[Mention]) -> str:
    """The periods compared, as resolved, with who stated them."""
    stated: dict[str, list[str]] = {}
    for row in rows:
        if row["period"]:
            span = f" = {row['period_start']}..{row['period_end']}" if row["period_start"] else ""
            stated.setdefault(f"{row['period']}{span}", []).append(_source(row))
    return "; ".join(f"period {p} in {', '.join(dict.fromkeys(s))}" for p, s in stated.items())


def _compared(rows: list[Mention], tolerances: Tolerances) -> str:
    """What was compared, for a note: the periods as resolved and what 'about' allows."""
    parts = [p for p in (_periods(rows), _allowances(rows, tolerances)) if p]
    return f" (compared: {'; '.join(parts)})" if parts else ""


def _status(rows: list[Mention], period: str) -> tuple[str, list[Mention], str]:
    """Status, the mentions that give the current value, and, for a conflict, what settles nothing
    (``same period``, ``undated`` or ``same day``); the note is written from these by :func:`_judge`."""
    if _agree(rows):
        return ("single" if len({r["doc_id"] for r in rows}) == 1 else "corroborated"), rows, ""
    # A period still running when the articles appeared ("so far this fiscal year") is a running
    # total a later article may update; a period that was over is restated, not updated. (Values
    # that disagree are never joined across a missing period, so every mention here states it.)
    running = all(r["period_end"] and r["published"] and r["published"] < r["period_end"] for r in rows)
    if (
        period
        and all(r.get("when", r["period"]) and r.get("when") == rows[0].get("when") for r in rows)
        and not running
    ):
        return "conflicting", rows, "same period"
    if any(r["published"] == "" for r in rows):
        return "conflicting", rows, "undated"
    latest = max(r["published"] for r in rows)
    current = [r for r in rows if r["published"] == latest]
    if not _agree(current):
        return "conflicting", rows, "same day"
    return "updated", current, ""


def _judge(rows: list[Mention], period: str, tolerances: Tolerances) -> tuple[str, list[Mention], str]:
    """Status, the mentions that give the current value, and the note, for one claim."""
    status, current, unsettled = _status(rows, period)
    n_docs = len({r["doc_id"] for r in rows})
    several_subjects = len({r["subject"] for r in rows}) > 1
    compared = _compared(rows, tolerances)
    if status == "single":
        return status, rows, f"one document: {_listing(rows, several_subjects)}"
    if status == "corroborated":
        return (
            status,
            rows,
            (
                f"{n_docs} documents agree within tolerance ({tolerances.describe()}): "
                + _listing(rows, several_subjects)
                + compared
            ),
        )
    if status == "updated":
        steps = [_listing(s, several_subjects) for s in _trim(_steps(rows))]
        return status, current, "updated: " + " → ".join(steps)
    groups = _value_groups(rows)
    disagreement = (
        f"values disagree beyond tolerance ({tolerances.describe()}), {_spread(groups)}: "
        + " vs ".join(_listing(g, several_subjects) for g in _trim(groups))
        + compared
    )
    reason = {
        "same period": f"same period {period}, so a later article does not update it",
        "undated": "an undated mention, so neither is known to be later",
        "same day": f"published the same day ({max(r['published'] for r in rows)}), neither is later",
    }[unsettled]
    return status, rows, f"{disagreement}; {reason}"


def _bound(values: list[float], take: str) -> float:
    """min/max of a stated side, NaN when any mention leaves that side open."""
    if not values or any(math.isnan(v) for v in values):
        return math.nan
    return float(min(values) if take == "min" else max(values))


def _first_nonempty(values: list[str]) -> str:
    """The smallest non-empty value, or ""."""
    return min((x for x in values if x), default="")


def _shared_anchors(rows: list[Mention]) -> list[str]:
    """Anchors named in the sentences of two or more documents (all of them for a one-document claim)."""
    docs: dict[str, set[str]] = {}
    for row in rows:
        for anchor in row["events"] | row["places"] | row["agencies"]:
            docs.setdefault(anchor, set()).add(row["doc_id"])
    need = 2 if len({r["doc_id"] for r in rows}) > 1 else 1
    return sorted(a for a, d in docs.items() if len(d) >= need)


def _why(rows: list[Mention], subject: str, location: str, period: str, anchors: list[str]) -> str:
    """The keys the claim's documents share: "fentanyl seized; northern border; FY2024; CBP"."""
    what = subject or f"{rows[0]['category']} in {rows[0]['c_unit']}"
    return "; ".join(x for x in (what, location, period, *anchors) if x)


def _unknown(rows: list[Mention], key: str, label: str) -> str | None:
    """A review reason when ``key`` is stated by some documents and unknown in others."""
    known = sorted({r[key] for r in rows if r[key]})
    missing = [r for r in rows if not r[key]]
    if not known or not missing or len({r["doc_id"] for r in rows}) < 2:
        return None
    sources = ", ".join(dict.fromkeys(_source(r) for r in missing))
    return f"{label} {', '.join(known)} not stated in {sources}"


def _review(rows: list[Mention]) -> str:
    """Why an analyst should look at this merge ("" when every key agreed where stated)."""
    if len({r["doc_id"] for r in rows}) < 2:
        return ""
    reasons = [
        _unknown(rows, "location", "location"),
        _unknown(rows, "period", "period"),
        _unknown(rows, "events_text", "event") if "events_text" in rows[0] else None,
    ]
    places = sorted({r["location"] for r in rows if r["location"]})
    if any(_unlisted_place_in_country(a, b) for a in places for b in places):
        reasons.append(f"locations {' and '.join(places)}: one may lie in the other")
    if len({r["category"] for r in rows}) > 1:
        reasons.append("categories differ: " + ", ".join(sorted({r["category"] for r in rows})))
    if any(not r["core"] for r in rows) and any(r["core"] for r in rows):
        reasons.append(
            "subject not stated in " + ", ".join(dict.fromkeys(_source(r) for r in rows if not r["core"]))
        )
    if not any(r["core"] for r in rows):
        reasons.append("no subject stated: matched on value, category and context only")
    stated = [r for r in reasons if r]
    if stated:
        stated.append("answer with `same` or `split` rows in data/overrides.csv")
    return "; ".join(stated)


def _receipts(rows: list[Mention], documents: Mapping[str, Mapping[str, str]]) -> dict[str, str]:
    """Outlets, titles, dates, URLs (one per document, in ``doc_ids`` order) and the sentences."""
    first: dict[str, Mention] = {}
    for row in sorted(rows, key=lambda r: (r["doc_id"], r["start"])):
        first.setdefault(row["doc_id"], row)
    docs = sorted(first)
    meta = [documents.get(d, {}) for d in docs]
    return {
        # ids line up with doc_ids; where no outlet is stated, the site's domain, else the title
        "outlets": TEXT_SEP.join(
            first[d]["outlet"] or site_or_title(m, d) for d, m in zip(docs, meta, strict=True)
        ),
        "titles": TEXT_SEP.join(str(m.get("title", "") or "") for m in meta),
        "dates": TEXT_SEP.join(first[d]["published"] or "undated" for d in docs),
        "urls": TEXT_SEP.join(str(m.get("url", "") or "") for m in meta),
        "sentences": TEXT_SEP.join(
            dict.fromkeys(r["sentence"] for r in sorted(rows, key=lambda r: (r["doc_id"], r["start"])))
        ),
    }


def site_or_title(meta: Mapping[str, str], doc_id: str) -> str:
    """Who stands for an article without an outlet: its site's domain, else its title, else its id.

    >>> site_or_title({"url": "https://www.cbc.ca/news/x", "title": "T"}, "001")
    'cbc.ca'
    >>> site_or_title({"url": "", "title": "Border plan"}, "001")
    "'Border plan'"
    """
    host = urlsplit(str(meta.get("url", "") or "")).hostname or ""
    if host:
        return host.removeprefix("www.")
    return _who({"outlet": "", "title": meta.get("title", ""), "doc_id": doc_id})


def _by_date(rows: list[Mention]) -> list[Mention]:
    """Mentions by publication date (undated last), document and position."""
    return sorted(rows, key=lambda r: (r["published"] == "", r["published"], r["doc_id"], r["start"]))


def _fact_ids(rows: list[Mention]) -> str:
    """The claim's ``fact_ids``: its mentions' ids by document and position."""
    return LIST_SEP.join(r["fact_id"] for r in sorted(rows, key=lambda r: (r["doc_id"], r["start"])))


def _identity(rows: list[Mention], current: list[Mention], location: str, period: str) -> str:
    """What a claim id hashes: category, dimension, place, period and the smallest subject key."""
    rep = _representative(current)
    keys = [r["key_text"] for r in rows if r["key"] and not r["generic"]]
    return "|".join(
        [rep["category"], rep["dimension"], location, period, min(keys) if keys else f"={rep['c_value']:.6g}"]
    )


def _claim_identity(rows: list[Mention]) -> str:
    """:func:`_identity` of one claim without writing its summary (status and current value only)."""
    rows = _by_date(rows)
    location = _first_nonempty([r["location"] for r in rows])
    period = _first_nonempty([r["period"] for r in rows])
    return _identity(rows, _status(rows, period)[1], location, period)


def _summarise(
    rows: list[Mention], tolerances: Tolerances, documents: Mapping[str, Mapping[str, str]] | None = None
) -> dict:
    """One claims-table row (without ``claim_id``) from the mentions of one claim, in fact order."""
    rows = _by_date(rows)
    location = _first_nonempty([r["location"] for r in rows])
    period = _first_nonempty([r["period"] for r in rows])
    status, current, note = _judge(rows, period, tolerances)
    rep = _representative(current)
    subject = rep["subject_norm"] or _first_nonempty([r["subject_norm"] for r in _by_precision(rows)])
    dated = [r["published"] for r in rows if r["published"] != ""]
    doc_ids = sorted({r["doc_id"] for r in rows})
    anchors = _shared_anchors(rows)
    with_period = [r for r in rows if r["period"] == period and period]
    return {
        "category": rep["category"],
        "subject": subject,
        "location": location,
        "period": period,
        "period_start": _first_nonempty([r["period_start"] for r in with_period]),
        "period_end": _first_nonempty([r["period_end"] for r in with_period]),
        "anchors": LIST_SEP.join(anchors),
        "unit": rep["c_unit"],
        "value": float(rep["c_value"]),
        "low": _bound([r["s_low"] for r in current], "min"),
        "high": _bound([r["s_high"] for r in current], "max"),
        "n_mentions": len(rows),
        "n_documents": len(doc_ids),
        "doc_ids": LIST_SEP.join(doc_ids),
        "fact_ids": _fact_ids(rows),
        **_receipts(rows, documents or {}),
        "first_published": min(dated) if dated else "",
        "last_published": max(dated) if dated else "",
        "status": status,
        "why": _why(rows, subject, location, period, anchors),
        "review": _review(rows),
        "note": note,
        "_identity": _identity(rows, current, location, period),
    }


def summarise_claim(rows: pd.DataFrame, tolerances: Tolerances | None = None) -> dict:
    """One claims-table row (without ``claim_id``) from the mentions of one claim."""
    return _summarise(rows.to_dict("records"), tolerances or default_tolerances())


def _claims_of(mentions: pd.DataFrame, groups: pd.Series) -> list[list[Mention]]:
    """The mentions of each claim, claims in group order, mentions in table order."""
    claims: dict[int, list[Mention]] = {}
    extra = [c for c in ("events_text", "title", "when") if c in mentions]
    records = _records(mentions, [*MENTION_FIELDS, *extra])
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


def _document_meta(documents: pd.DataFrame | Iterable | None) -> dict[str, dict[str, str]]:
    """Title and URL by doc_id, from a documents table or :class:`~borderdata.corpus.Document` objects."""
    if documents is None:
        return {}
    frame: pd.DataFrame = (
        documents
        if isinstance(documents, pd.DataFrame)
        else pd.DataFrame(
            [{"doc_id": d.doc_id, "title": d.title, "url": getattr(d, "url", "")} for d in documents]
        )
    )
    if frame.empty or "doc_id" not in frame:
        return {}
    columns = [c for c in ("title", "url") if c in frame]
    table = frame.loc[:, ["doc_id", *columns]].fillna("").astype(str).drop_duplicates("doc_id")
    return table.set_index("doc_id").to_dict("index")


def build_claims(
    facts: pd.DataFrame,
    *,
    tolerances: Tolerances | None = None,
    documents: pd.DataFrame | Iterable | None = None,
    decisions: Iterable[Decision] = (),
    holding: Collection[str] | None = None,
) -> pd.DataFrame:
    """The claims table: one row per distinct claim, with status, receipts and a note saying why.

    Parameters: ``facts``, a facts table (see :mod:`borderdata.schema`);
    ``tolerances``, how far mentions may differ and still agree (:class:`Tolerances`,
    default from ``claims.toml``); ``documents``, the documents table (or
    ``Document`` objects) for titles and URLs (optional); ``decisions``, analysts'
    ``same``/``split`` answers (:class:`Decision`, read from ``data/overrides.csv``
    by :mod:`borderdata.overrides`). Returns the columns of :data:`CLAIM_COLUMNS`,
    sorted by category, location, subject, period and claim_id, byte-identical for
    the same input. ``value`` is in the canonical unit of the dimension (kg, the
    currency itself, percent, count); for an ``updated`` claim it is the latest
    value. See the module docstring for the same-claim rule and an example.

    ``holding``, fact ids: only the claims that hold one of them are summarised and
    returned, with the rows and claim ids the full table gives them (``borderdata check``
    needs only the claims of the article's figures).
    """
    tolerances = tolerances or default_tolerances()
    mentions = prepare_mentions(facts, tolerances)
    if mentions.empty:
        return empty_claims()
    groups = group_mentions(mentions, decisions)
    meta = _document_meta(documents)
    titles = {d: str(m.get("title", "") or "") for d, m in meta.items()}
    mentions = mentions.assign(title=[titles.get(d, "") for d in mentions["doc_id"]])
    claims = _claims_of(mentions, groups)
    if holding is None:
        records = [_summarise(rows, tolerances, meta) for rows in claims]
        table = pd.DataFrame.from_records(records).sort_values(["_identity", "fact_ids"], kind="stable")
        table = table.assign(claim_id=_claim_ids(table["_identity"]))
    else:
        table = _held_claims(claims, set(holding), tolerances, meta)
        if table.empty:
            return empty_claims()
    return (
        table.loc[:, list(CLAIM_COLUMNS)]
        .astype(CLAIM_DTYPES)
        .sort_values(["category", "location", "subject", "period", "claim_id"], kind="stable")
        .reset_index(drop=True)
    )


def _held_claims(
    claims: list[list[Mention]],
    holding: set[str],
    tolerances: Tolerances,
    documents: Mapping[str, Mapping[str, str]],
) -> pd.DataFrame:
    """The summaries of the claims holding a fact of ``holding``, with the claim ids of the full table.

    Claim ids number repeated identities in (identity, fact_ids) order over every claim, so the
    identity of every claim is computed; only the held ones are summarised (notes, receipts, review).
    """
    ids = pd.DataFrame(
        {
            "_identity": [_claim_identity(rows) for rows in claims],
            "fact_ids": [_fact_ids(rows) for rows in claims],
        }
    ).sort_values(["_identity", "fact_ids"], kind="stable")
    claim_id = _claim_ids(ids["_identity"]).sort_index().tolist()
    records = [
        {**_summarise(rows, tolerances, documents), "claim_id": claim_id[i]}
        for i, rows in enumerate(claims)
        if any(r["fact_id"] in holding for r in rows)
    ]
    return pd.DataFrame.from_records(records)


def claim_of_facts(claims: pd.DataFrame) -> pd.DataFrame:
    """For every fact of a claims table: ``fact_id``, ``claim_id``, the claim's ``status`` and ``review``.

    The public fact-to-claim mapping (``borderdata check`` and the notebooks use it).

    >>> claim_of_facts(pd.DataFrame({"claim_id": ["c1"], "fact_ids": ["a:1;b:2"], "status": ["corroborated"],
    ...                              "review": [""]}))["fact_id"].tolist()
    ['a:1', 'b:2']
    """
    columns = ["fact_id", "claim_id", "status", "review"]
    if claims.empty:
        return pd.DataFrame(columns=columns)
    review = claims.get("review", "")
    return (
        claims.assign(fact_id=claims["fact_ids"].astype(str).str.split(LIST_SEP), review=review)
        .explode("fact_id")
        .loc[:, columns]
        .fillna("")
        .sort_values("fact_id", kind="stable")
        .reset_index(drop=True)
    )


def review_queue(claims: pd.DataFrame) -> pd.DataFrame:
    """The claims an analyst should check (non-empty ``review``), most documents first."""
    if claims.empty or "review" not in claims:
        return claims.iloc[0:0]
    return (
        claims.loc[claims["review"].fillna("").astype(str).ne("")]
        .sort_values(["n_documents", "claim_id"], ascending=[False, True], kind="stable")
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
