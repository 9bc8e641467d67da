"""The small tidy tables the charts draw and the notebooks show, shaped from the processed tables.

A view is a plain function from the facts, claims and documents tables to a
small frame: one row per bar, point or line of a chart, with the source of
every row (outlet, or the site's domain or title when the outlet is unknown,
and the date) so each number can be traced to its article. Views never read
article files and never start an extraction: :func:`report_tables` only reads
the tables the data step wrote (``borderdata data``; ``borderdata report`` runs
it once before the notebooks).

>>> import pandas as pd
>>> from borderdata.schema import conform_facts
>>> facts = conform_facts(pd.DataFrame([{"doc_id": "a", "start": 0, "end": 4, "value": 19.5, "unit": "kg",
...     "category": "seizure", "subject": "fentanyl seized", "location": "northern border"}]))
>>> mass_seizures(facts, "lb")["amount (lb)"].round(1).tolist()
[43.0]
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from functools import lru_cache
from pathlib import Path
from urllib.parse import urlsplit

import pandas as pd

from borderdata import units
from borderdata.claims import normalise_subject
from borderdata.config import read_toml
from borderdata.corpus import PROJECT_ROOT as PROJECT_ROOT

# Where the tables are, and the allowed values, live in the light module the report's processes
# import (no pandas there); named here too, for notebooks and callers of the views.
from borderdata.parameters import DEFAULT_TABLES as DEFAULT_TABLES
from borderdata.parameters import MASS_UNITS, REPORT_CURRENCIES, tables_folder
from borderdata.parameters import STATUS_ORDER as STATUS_ORDER
from borderdata.parameters import TABLES_ENV as TABLES_ENV
from borderdata.parameters import project_path as project_path
from borderdata.schema import conform_facts
from borderdata.tables import read_tables

VIEWS_RULES_ENV = "BORDERDATA_VIEWS_RULES"
NORTH, SOUTH = "northern border", "southern border"
LIST_SEP = ";"
NUMERIC_CLAIM_COLUMNS = ("value", "low", "high", "n_mentions", "n_documents")
NUMERIC_FACT_COLUMNS = ("start", "end", "value", "low", "high")
NO_SOURCE = "source not stated"
NO_DATE = "undated"
NO_PERIOD = "period not stated"
DOCUMENT_FIELDS = ("doc_id", "outlet", "published", "title", "url", "n_chars")

MSG_BAD_UNIT = "mass_unit must be one of {allowed}, got {value!r}"
MSG_BAD_CURRENCY = "currency must be one of {allowed}, got {value!r}"
MSG_BAD_RATE = "usd_per_cad must be a positive number (U.S. dollars per Canadian dollar), got {value!r}"


def check_parameters(mass_unit: str = "kg", currency: str = "CAD", usd_per_cad: float = 1.0) -> dict:
    """Validate the parameters every notebook shares (``borderdata report`` checks them all before
    any notebook runs; this guards a notebook run by hand).

    >>> check_parameters("lb", "USD", 0.7)["mass_unit"]
    'lb'
    """
    if mass_unit not in MASS_UNITS:
        raise ValueError(MSG_BAD_UNIT.format(allowed=MASS_UNITS, value=mass_unit))
    if currency not in REPORT_CURRENCIES:
        raise ValueError(MSG_BAD_CURRENCY.format(allowed=REPORT_CURRENCIES, value=currency))
    if isinstance(usd_per_cad, bool) or not isinstance(usd_per_cad, int | float) or not usd_per_cad > 0:
        raise ValueError(MSG_BAD_RATE.format(value=usd_per_cad))
    return {"mass_unit": mass_unit, "currency": currency, "usd_per_cad": float(usd_per_cad)}


def report_tables(
    tables_dir: str | Path = "", date_from: str = "", date_to: str = ""
) -> dict[str, pd.DataFrame]:
    """Documents, facts and claims read from :func:`tables_folder`, typed and limited to the dates.

    Reading only: the tables are never re-made here (that is the data step's job). Each
    fact carries ``source_name`` (outlet, else the site's domain, else the title). Claims
    are built from the facts when the folder has no ``claims.csv``.
    """
    tables = read_tables(tables_folder(tables_dir))
    documents = tables.get("documents", pd.DataFrame(columns=list(DOCUMENT_FIELDS))).pipe(typed_documents)
    all_facts = tables.get("facts", pd.DataFrame()).pipe(typed_facts).pipe(attach_sources, documents)
    if "claims" in tables:
        claims = tables["claims"].pipe(typed_claims)
    else:
        from borderdata.claims import build_claims

        claims = build_claims(all_facts)
    return {
        "documents": documents.pipe(in_period, date_from, date_to),
        "facts": all_facts.pipe(in_period, date_from, date_to),
        "claims": claims.pipe(claims_in_period, date_from, date_to),
    }


# --------------------------------------------------------------------------- typing and filtering


def typed_documents(documents: pd.DataFrame) -> pd.DataFrame:
    """The documents table with every field a notebook uses present, text as text."""
    missing = {c: "" for c in DOCUMENT_FIELDS if c not in documents}
    return documents.assign(**missing).fillna({c: "" for c in DOCUMENT_FIELDS if c != "n_chars"})


def typed_facts(facts: pd.DataFrame) -> pd.DataFrame:
    """The facts table with numeric columns as numbers (CSV cells are read as text).

    >>> raw = pd.DataFrame({"start": ["0"], "end": ["4"], "value": ["19.5"], "low": [""]})
    >>> typed_facts(raw)["value"].tolist()
    [19.5]
    """
    numeric = {c: pd.to_numeric(facts[c], errors="coerce") for c in NUMERIC_FACT_COLUMNS if c in facts}
    for offset in ("start", "end"):
        if offset in numeric:
            numeric[offset] = numeric[offset].fillna(0).astype("int64")
    typed = facts.assign(**numeric)
    if "overridden" in typed:
        typed = typed.assign(overridden=typed["overridden"].astype(str).str.lower().eq("true"))
    return conform_facts(typed)


def typed_claims(claims: pd.DataFrame) -> pd.DataFrame:
    """The claims table with numeric columns as numbers (CSV cells are read as text)."""
    numeric = {c: pd.to_numeric(claims[c], errors="coerce") for c in NUMERIC_CLAIM_COLUMNS if c in claims}
    return claims.assign(**numeric)


def in_period(frame: pd.DataFrame, date_from: str = "", date_to: str = "") -> pd.DataFrame:
    """Rows published within ``[date_from, date_to]`` (ISO dates, "" = open); undated rows are kept."""
    published = frame["published"].astype(str)
    dated = published.ne("")
    keep = ~dated | (
        (published.ge(date_from) if date_from else True) & (published.le(date_to) if date_to else True)
    )
    return frame.loc[keep]


def claims_in_period(claims: pd.DataFrame, date_from: str = "", date_to: str = "") -> pd.DataFrame:
    """Claims reported at least once within ``[date_from, date_to]``; undated claims are kept."""
    if claims.empty or not (date_from or date_to):
        return claims
    first, last = claims["first_published"].astype(str), claims["last_published"].astype(str)
    keep = first.eq("") | (
        (last.ge(date_from) if date_from else True) & (first.le(date_to) if date_to else True)
    )
    return claims.loc[keep]


def counted_once(facts: pd.DataFrame) -> pd.DataFrame:
    """Facts without the second mentions of a quantity (``restates`` set): each quantity once."""
    if "restates" not in facts:
        return facts
    return facts.loc[facts["restates"].fillna("").astype(str).eq("")]


def _has_word(series: pd.Series, word: str) -> pd.Series:
    return series.astype(str).str.contains(word, case=False, regex=False) if word else series.eq(series)


# --------------------------------------------------------------------------- sources


def domain_of(url: str) -> str:
    """The site's domain of ``url`` without ``www.``: ``https://www.cbc.ca/news/x`` -> ``cbc.ca``.

    >>> domain_of("https://www.cbc.ca/news/x"), domain_of("not a url")
    ('cbc.ca', '')
    """
    try:
        host = urlsplit(str(url).strip()).hostname or ""
    except ValueError:
        return ""
    return host.removeprefix("www.")


def source_name(outlet: str, url: str = "", title: str = "") -> str:
    """Who published it: the outlet, else the site's domain, else the title in quotes.

    >>> source_name("", "https://www.ctvnews.ca/a"), source_name("", "", "Ottawa adds drones")
    ('ctvnews.ca', '"Ottawa adds drones"')
    """
    if outlet:
        return outlet
    if domain_of(url):
        return domain_of(url)
    return f'"{_clip(title, 60)}"' if title else NO_SOURCE


def _clip(text: str, limit: int) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def document_sources(documents: pd.DataFrame) -> pd.Series:
    """``source_name`` of each document, indexed by ``doc_id``."""
    docs = typed_documents(documents)
    names = [source_name(o, u, t) for o, u, t in zip(docs["outlet"], docs["url"], docs["title"], strict=True)]
    return pd.Series(names, index=docs["doc_id"].astype(str), dtype=object)


def attach_sources(facts: pd.DataFrame, documents: pd.DataFrame) -> pd.DataFrame:
    """``facts`` with ``source_name`` from its document (the outlet when the document is unknown)."""
    names = document_sources(documents)
    names = names[~names.index.duplicated()]
    fallback = facts["outlet"].astype(str).where(facts["outlet"].astype(str).ne(""), NO_SOURCE)
    return facts.assign(source_name=facts["doc_id"].astype(str).map(names).fillna(fallback))


def source_label(name: str, published: str) -> str:
    """``"The Canadian Press, 2025-03-04"``; missing parts are said to be missing."""
    return f"{name or NO_SOURCE}, {published or NO_DATE}"


def _names(frame: pd.DataFrame) -> pd.Series:
    if "source_name" in frame:
        return frame["source_name"].astype(str)
    outlet = frame["outlet"].astype(str)
    return outlet.where(outlet.ne(""), NO_SOURCE)


def with_source(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with a ``source`` column (who and when) for labels and tables."""
    labels = [source_label(n, p) for n, p in zip(_names(frame), frame["published"].astype(str), strict=True)]
    return frame.assign(source=pd.Series(labels, index=frame.index, dtype=object))


def sources_note(frame: pd.DataFrame) -> str:
    """One line naming every source and date behind ``frame`` (its ``source`` labels, else its
    source or outlet and ``published``)."""
    if frame.empty:
        return "Sources: none"
    labels = frame if "source" in frame else with_source(frame)
    ordered = (
        pd.DataFrame({"label": labels["source"].astype(str), "published": frame["published"].astype(str)})
        .drop_duplicates()
        .sort_values(["published", "label"], kind="stable")
    )
    return "Sources: " + "; ".join(ordered["label"])


def sources_used(documents: pd.DataFrame, facts: pd.DataFrame | None = None) -> pd.DataFrame:
    """Every article behind ``facts`` (all documents when None): source, date, title, link."""
    docs = typed_documents(documents)
    if facts is not None:
        docs = docs.loc[docs["doc_id"].astype(str).isin(set(facts["doc_id"].astype(str)))]
    return (
        docs.assign(source=lambda d: d["doc_id"].astype(str).map(document_sources(d)).fillna(NO_SOURCE))
        .loc[:, ["source", "published", "title", "url", "doc_id"]]
        .astype(str)
        .sort_values(["published", "source", "doc_id"], kind="stable", ignore_index=True)
    )


# --------------------------------------------------------------------------- labels


@lru_cache(maxsize=1)
def view_rules() -> dict:
    """Word lists for views (``views.toml``, or the file named by ``$BORDERDATA_VIEWS_RULES``)."""
    return read_toml("views.toml", VIEWS_RULES_ENV)


def written_case(texts: Iterable[str]) -> dict[str, str]:
    """How the articles write each word when it is not the first of a sentence, by majority.

    >>> written_case(["Two Black Hawk helicopters left.", "The RCMP said so."])["hawk"]
    'Hawk'
    """
    seen: dict[str, Counter] = {}
    for text in texts:
        for match in re.finditer(r"(?<![.!?:]\s)(?<!^)\b([A-Za-z][A-Za-z'-]*)\b", str(text)):
            word = match.group(1)
            seen.setdefault(word.lower(), Counter())[word] += 1
    return {lower: forms.most_common(1)[0][0] for lower, forms in seen.items()}


def display_subject(subject: str, case: dict[str, str]) -> str:
    """A normalised subject in the case the articles write it: ``black hawk`` -> ``Black Hawk``.

    >>> display_subject("rcmp officer", {"rcmp": "RCMP", "officer": "officer"})
    'RCMP officer'
    """
    return " ".join(case.get(w, w) for w in str(subject).split())


def asset_type(subject: str) -> str:
    """The thing counted, named once: the same normaliser claims use (``normalise_subject``).

    >>> asset_type("leased Black Hawk helicopters") == asset_type("black hawks")
    True
    """
    return normalise_subject(str(subject))


def count_kind(sentence: str, surface: str) -> str:
    """``total`` when a count is what something was brought to ("boosted ... to 10,000 officers",
    "a total of 12"), ``new`` when it is an addition ("2 new helicopters", "deploy 60 officers"),
    else ``stated``. The cue words live in ``views.toml [count_kinds]``.

    >>> count_kind("Ottawa boosted its force to 10,000 officers.", "10,000 officers")
    'total'
    >>> count_kind("It will add 60 officers.", "60 officers")
    'new'
    """
    rules = view_rules().get("count_kinds", {})
    at = str(sentence).find(str(surface))
    before = str(sentence)[:at].lower() if at >= 0 else ""
    after = str(sentence)[at + len(str(surface)) :].lower() if at >= 0 else ""
    near_before = " " + " ".join(re.findall(r"[a-z'-]+", before)[-4:])
    last_word = near_before.split()[-1:] or [""]
    if not near_before.endswith(" up to") and any(
        near_before.endswith(p) for p in rules.get("total_before", [])
    ):
        return "total"
    own_words = re.findall(r"[a-z'-]+", f"{surface} {after[:30]}".lower())[:4]
    if last_word[0] in rules.get("new_before", []) or set(own_words) & set(rules.get("new_words", [])):
        return "new"
    return "stated"


# --------------------------------------------------------------------------- seizures


def mass_seizures(facts: pd.DataFrame, mass_unit: str = "kg", subject: str = "fentanyl") -> pd.DataFrame:
    """Seizures stated as a mass, each converted to ``mass_unit``, one row per quantity.

    ``subject`` filters on the fact's subject or sentence (case-insensitive; "" keeps all);
    second mentions of one quantity (``restates``) are left out. Columns: source, outlet,
    published, location, period, period_start, period_end, stated, ``amount (<mass_unit>)``, sentence,
    doc_id, fact_id.
    """
    amount = f"amount ({mass_unit})"
    rows = counted_once(facts).loc[
        lambda d: (
            d["category"].eq("seizure")
            & d["unit"].map(units.dimension_of).eq("[mass]")
            & (_has_word(d["subject"], subject) | _has_word(d["sentence"], subject))
        )
    ]
    converted = [units.convert(v, u, mass_unit) for v, u in zip(rows["value"], rows["unit"], strict=True)]
    columns = ["source", "outlet", "published", "location", "period", "period_start", "period_end"]
    return (
        rows.assign(**{amount: pd.Series(converted, index=rows.index, dtype="float64")})
        .pipe(with_source)
        .rename(columns={"surface": "stated"})
        .loc[:, [*columns, "stated", amount, "sentence", "doc_id", "fact_id"]]
        .sort_values(["published", "outlet", "location", "period_start"], kind="stable")
        .reset_index(drop=True)
    )


def period_label(period: str, start: str = "", end: str = "") -> str:
    """The period a figure covers, for a label: ``FY2024 (2023-10-01 to 2024-09-30)``.

    >>> period_label("FY2024", "2023-10-01", "2024-09-30"), period_label("")
    ('FY2024 (2023-10-01 to 2024-09-30)', 'period not stated')
    """
    span = f"{start} to {end}" if start and end else start or end
    if period and span:
        return f"{period} ({span})"
    return period or span or NO_PERIOD


def seizure_comparisons(comparisons: pd.DataFrame, seizures: pd.DataFrame) -> pd.DataFrame:
    """The rows of ``claims.compare_claims`` whose two figures are both among ``seizures``."""
    if comparisons.empty or seizures.empty:
        return comparisons.iloc[:0]
    ids = set(seizures["fact_id"].astype(str))
    both = comparisons["numerator_fact_id"].isin(ids) & comparisons["denominator_fact_id"].isin(ids)
    return comparisons.loc[both].reset_index(drop=True)


def seizure_series(seizures: pd.DataFrame) -> pd.DataFrame:
    """One amount per (period, border): the latest-published statement of it, with every source.

    Only periods with a resolved start date and a border; one row per period and border, in time order.
    """
    amount = next((c for c in seizures.columns if c.startswith("amount (")), None)
    columns = ["period", "period_start", "period_end", "location", amount or "amount", "sources"]
    if amount is None or seizures.empty:
        return pd.DataFrame(columns=columns)
    rows = seizures.loc[lambda d: d["location"].isin([NORTH, SOUTH]) & d["period_start"].astype(str).ne("")]
    if rows.empty:
        return pd.DataFrame(columns=columns)
    keys = ["period_start", "period_end", "period", "location"]
    sources = rows.groupby(keys)["source"].agg(lambda s: "; ".join(dict.fromkeys(s)))
    return (
        rows.sort_values(["published", "source"], kind="stable")
        .groupby(keys, sort=True)
        .tail(1)
        .set_index(keys)
        .assign(sources=sources)
        .reset_index()
        .sort_values(["period_start", "location"], kind="stable", ignore_index=True)
        .loc[:, columns]
    )


def has_time_series(series: pd.DataFrame) -> bool:
    """True when the corpus states seizures for more than one period."""
    return series["period_start"].nunique() > 1 if not series.empty else False


def share_claims(facts: pd.DataFrame) -> pd.DataFrame:
    """Percentages stated as a bound for the northern border ("less than 1 %" of seizures or crossings)."""
    return (
        counted_once(facts)
        .loc[
            lambda d: (
                d["unit"].eq("percent")
                & d["location"].eq(NORTH)
                & d["qualifier"].isin(["upper_bound", "lower_bound"])
            )
        ]
        .pipe(with_source)
        .assign(
            bound=lambda d: [_bound_text(q, v, "%") for q, v in zip(d["qualifier"], d["value"], strict=True)]
        )
        .rename(columns={"surface": "stated"})
        .loc[:, ["source", "outlet", "published", "stated", "bound", "subject", "period", "sentence"]]
        .sort_values(["published", "outlet"], kind="stable")
        .reset_index(drop=True)
    )


def _bound_text(qualifier: str, value: float, unit: str) -> str:
    sign = {"upper_bound": "< ", "lower_bound": "> ", "approx": "≈ "}.get(qualifier, "")
    return f"{sign}{format_number(value)} {unit}".replace(" %", "%")


def ratio_table(comparisons: pd.DataFrame, facts: pd.DataFrame | None = None) -> pd.DataFrame:
    """The library's ``compare_claims`` rows as a table for readers: source, period, expression.

    ``facts`` (with ``source_name``) names each article's source as the charts do.
    """
    columns = ["source", "period", "subject", "expression", "ratio"]
    if comparisons.empty:
        return pd.DataFrame(columns=columns)
    rows = comparisons
    if facts is not None and "source_name" in facts:
        names = facts.drop_duplicates("doc_id").set_index("doc_id")["source_name"]
        rows = rows.assign(source_name=rows["doc_id"].map(names).fillna(NO_SOURCE))
    return rows.pipe(with_source).loc[:, columns].reset_index(drop=True)


# --------------------------------------------------------------------------- assets


def asset_counts(
    facts: pd.DataFrame, categories: Sequence[str] = ("asset", "personnel"), subject: str = ""
) -> pd.DataFrame:
    """Counted assets and personnel, one row per quantity, with its kind (total, new or stated).

    ``type`` is the subject in the claims' normal form, written in the articles' case.
    """
    rows = counted_once(facts).loc[
        lambda d: (
            d["category"].isin(list(categories))
            & d["unit"].eq("count")
            & d["subject"].ne("")
            & _has_word(d["subject"], subject)
        )
    ]
    case = written_case(rows["sentence"])
    return (
        rows.pipe(with_source)
        .assign(
            type=lambda d: [display_subject(asset_type(s), case) for s in d["subject"]],
            kind=lambda d: [count_kind(s, f) for s, f in zip(d["sentence"], d["surface"], strict=True)],
        )
        .rename(columns={"surface": "stated", "value": "count"})
        .loc[:, ["type", "kind", "category", "source", "outlet", "published", "stated", "count", "sentence"]]
        .sort_values(["type", "published", "outlet"], kind="stable")
        .reset_index(drop=True)
    )


def count_changes(assets: pd.DataFrame) -> pd.DataFrame:
    """Types whose announced count of one kind changed from one date to a later one: ``2 → 4``.

    A count restated unchanged on a later date is not a step (``2 → 2 → 4`` reads ``2 → 4``).
    """
    columns = ["type", "kind", "first_date", "first_count", "latest_date", "latest_count", "counts"]
    dated = assets.loc[lambda d: d["published"].ne("")]
    if dated.empty:
        return pd.DataFrame(columns=columns)
    steps = (
        dated.groupby(["type", "kind", "published"], sort=True)["count"]
        .max()
        .reset_index()
        .loc[lambda d: d.groupby(["type", "kind"])["count"].diff().ne(0)]
    )
    summary = steps.groupby(["type", "kind"], sort=True).agg(
        first_date=("published", "first"),
        first_count=("count", "first"),
        latest_date=("published", "last"),
        latest_count=("count", "last"),
        counts=("count", lambda s: " → ".join(format_number(v) for v in s)),
        n_steps=("count", "size"),
    )
    return summary.loc[lambda d: d["n_steps"] > 1].reset_index().loc[:, columns]


def latest_counts(assets: pd.DataFrame) -> pd.DataFrame:
    """The most recently announced count of each type and kind, largest first, with its change if any."""
    changes = count_changes(assets).set_index(["type", "kind"])["counts"]
    latest = (
        assets.sort_values(["type", "kind", "published"], kind="stable").groupby(["type", "kind"]).tail(1)
    )
    change = [changes.get((t, k), "") for t, k in zip(latest["type"], latest["kind"], strict=True)]
    return (
        latest.assign(change=change)
        .sort_values(["count", "type"], ascending=[False, True], kind="stable")
        .reset_index(drop=True)
        .loc[:, ["type", "kind", "category", "count", "change", "source", "outlet", "published", "stated"]]
    )


# --------------------------------------------------------------------------- the corpus


def facts_per_document(facts: pd.DataFrame, documents: pd.DataFrame) -> pd.DataFrame:
    """Number of facts per document (rows) and category (columns), every document listed."""
    docs = typed_documents(documents)
    docs = docs.assign(source_name=docs["doc_id"].astype(str).map(document_sources(docs)))
    docs = docs.loc[:, ["doc_id", "source_name", "published", "title"]].astype(str)
    counts = facts.groupby(["doc_id", "category"]).size().unstack("category", fill_value=0)
    return (
        docs.merge(counts, left_on="doc_id", right_index=True, how="left")
        .fillna({c: 0 for c in counts.columns})
        .astype({c: "int64" for c in counts.columns})
        .rename_axis(columns=None)
        .pipe(with_source)
        .drop(columns=["source_name"])
        .loc[:, ["doc_id", "source", "published", "title", *counts.columns]]
        .reset_index(drop=True)
    )


def documents_overview(documents: pd.DataFrame, facts: pd.DataFrame) -> pd.DataFrame:
    """One row per document: source, date, title, size in characters, number of facts."""
    n_facts = facts.groupby("doc_id").size()
    docs = typed_documents(documents)
    return (
        docs.assign(
            source_name=docs["doc_id"].astype(str).map(document_sources(docs)),
            characters=pd.to_numeric(docs["n_chars"], errors="coerce").fillna(0).astype("int64"),
            facts=lambda d: d["doc_id"].map(n_facts).fillna(0).astype("int64"),
        )
        .pipe(with_source)
        .loc[:, ["doc_id", "source", "published", "title", "characters", "facts"]]
        .sort_values(["published", "doc_id"], kind="stable")
        .reset_index(drop=True)
    )


def search_facts(facts: pd.DataFrame, search: str = "", category: str = "") -> pd.DataFrame:
    """Facts whose sentence, surface or subject contains ``search`` (case-insensitive), in ``category``."""
    hit = (
        _has_word(facts["sentence"], search)
        | _has_word(facts["surface"], search)
        | _has_word(facts["subject"], search)
    )
    in_category = facts["category"].eq(category) if category else True
    return facts.loc[hit & in_category]


def validate_facts(facts: pd.DataFrame) -> pd.DataFrame:
    """Sanity checks before charting: one row per check with the number of rows failing it."""
    bounded_low = facts["low"].isna() | (facts["low"] <= facts["value"])
    bounded_high = facts["high"].isna() | (facts["value"] <= facts["high"])
    checks = {
        "value is a finite number": ~facts["value"].map(lambda v: math.isfinite(v)),
        "low <= value <= high": ~(bounded_low & bounded_high),
        "unit is known to borderdata.ureg": facts["unit"].map(units.dimension_of).str.startswith("unknown:"),
        "offsets are ordered (start < end)": ~(facts["start"] < facts["end"]),
    }
    return pd.DataFrame(
        {"check": list(checks), "rows failing": [int(s.sum()) for s in checks.values()]}
    ).assign(rows=len(facts))


# --------------------------------------------------------------------------- claims


def claim_mentions(claims: pd.DataFrame, facts: pd.DataFrame) -> pd.DataFrame:
    """One row per (claim, mention): the claim's status and subject beside each source's sentence."""
    if claims.empty or "fact_ids" not in claims:
        return pd.DataFrame(columns=["claim_id", "status", "claim", "source", "outlet", "published"])
    exploded = (
        claims.assign(fact_id=claims["fact_ids"].astype(str).str.split(LIST_SEP))
        .explode("fact_id")
        .loc[:, ["claim_id", "status", "category", "subject", "location", "unit", "fact_id"]]
        .rename(columns={"subject": "claim", "unit": "claim_unit"})
    )
    return (
        exploded.merge(facts.drop(columns=["category", "location"]), on="fact_id", how="inner")
        .pipe(with_source)
        .sort_values(["claim_id", "published", "start"], kind="stable", ignore_index=True)
    )


def claim_status_counts(claims: pd.DataFrame) -> pd.DataFrame:
    """Number of claims per status, in the order corroborated, updated, conflicting, single."""
    statuses = claims["status"] if "status" in claims else pd.Series(dtype=object)
    counts = statuses.value_counts()
    return pd.DataFrame(
        {"status": list(STATUS_ORDER), "claims": [int(counts.get(s, 0)) for s in STATUS_ORDER]}
    )


def claims_note(claims: pd.DataFrame, facts: pd.DataFrame) -> str:
    """The sources line for a chart of claims: every source and date behind them."""
    return sources_note(claim_mentions(claims, facts))


def claim_notes_named(claims: pd.DataFrame, documents: pd.DataFrame) -> pd.DataFrame:
    """``claims`` with every document id in ``note`` replaced by its source and date."""
    if claims.empty or "note" not in claims:
        return claims
    docs = typed_documents(documents)
    labels = {
        d: source_label(n, p)
        for d, n, p in zip(docs["doc_id"].astype(str), document_sources(docs), docs["published"], strict=True)
    }
    if not labels:
        return claims
    pattern = re.compile("|".join(re.escape(d) for d in sorted(labels, key=len, reverse=True)))
    return claims.assign(
        note=claims["note"].astype(str).str.replace(pattern, lambda m: labels[m.group()], regex=True)
    )


def funding_commitments(
    claims: pd.DataFrame,
    facts: pd.DataFrame,
    currency: str = "CAD",
    usd_per_cad: float = 1.0,
    program: str = "",
) -> pd.DataFrame:
    """Funding claims (each counted once, an updated one at its latest value) in ``currency``.

    Columns: date (announced: the claim's period start, else first reported), program,
    status, stated (value and currency as reported), ``amount (<currency>)`` converted
    only through ``usd_per_cad``, the documents and the sources (who, when) that report it.
    """
    amount = f"amount ({currency})"
    columns = ["date", "program", "status", "stated", amount, "documents", "sources", "outlet", "published"]
    if claims.empty or "category" not in claims:
        return pd.DataFrame(columns=columns)
    money = funding_claims(claims, program)
    mentions = claim_mentions(money, facts)
    sources = mentions.groupby("claim_id")["source"].agg(lambda s: "; ".join(dict.fromkeys(s)))
    first = mentions.groupby("claim_id").first()
    # A commitment is dated when it was announced (the claim's period), else when first reported.
    announced = money.get("period_start", pd.Series("", index=money.index)).fillna("").astype(str)
    return (
        money.assign(
            date=announced.where(announced.ne(""), money["first_published"].astype(str)),
            program=money["subject"].astype(str),
            stated=[f"{format_number(v)} {u}" for v, u in zip(money["value"], money["unit"], strict=True)],
            **{
                amount: [
                    money_in(v, u, currency, usd_per_cad)
                    for v, u in zip(money["value"], money["unit"], strict=True)
                ]
            },
            documents=money["n_documents"],
            sources=money["claim_id"].map(sources).fillna(""),
            outlet=money["claim_id"].map(first["outlet"]).fillna("") if not first.empty else "",
            published=money["first_published"].astype(str),
        )
        .sort_values(["date", "program"], kind="stable", ignore_index=True)
        .loc[:, columns]
    )


def funding_claims(claims: pd.DataFrame, program: str = "") -> pd.DataFrame:
    """Funding claims in a report currency whose subject contains ``program``."""
    return claims.loc[
        lambda d: (
            d["category"].eq("funding")
            & d["unit"].isin(list(REPORT_CURRENCIES))
            & _has_word(d["subject"], program)
        )
    ]


def rates_for(currency: str, usd_per_cad: float) -> dict[str, float]:
    """The ``rates`` argument of ``claims.total_commitments``: units of ``currency`` per other currency.

    >>> rates_for("USD", 0.7)
    {'CAD': 0.7}
    """
    return {"CAD": usd_per_cad} if currency == "USD" else {"USD": 1 / usd_per_cad}


def claims_overview(claims: pd.DataFrame, mass_unit: str = "kg", category: str = "") -> pd.DataFrame:
    """One row per claim (``category`` only when given), masses shown in ``mass_unit``."""
    columns = ["status", "category", "subject", "location", "period", "value", "low", "high", "unit",
               "n_documents", "first_published", "last_published", "note"]  # fmt: skip
    if claims.empty or "status" not in claims:
        return pd.DataFrame(columns=columns)
    rows = claims.loc[claims["category"].eq(category)] if category else claims
    is_mass = rows["unit"].map(units.dimension_of).eq("[mass]")
    converted = {
        c: [
            units.convert(v, u, mass_unit) if m else v
            for v, u, m in zip(rows[c], rows["unit"], is_mass, strict=True)
        ]
        for c in ("value", "low", "high")
    }
    return (
        rows.assign(**converted, unit=rows["unit"].where(~is_mass, mass_unit))
        .assign(order=lambda d: d["status"].map({s: i for i, s in enumerate(STATUS_ORDER)}))
        .sort_values(["order", "category", "subject"], kind="stable", ignore_index=True)
        .loc[:, columns]
    )


def conversion_note(currency: str, usd_per_cad: float, usd_per_cad_date: str) -> str:
    """How money was converted, to print beside converted figures (the rate's own date)."""
    target = "U.S. dollars" if currency == "USD" else "Canadian dollars"
    when = usd_per_cad_date or "date not given"
    return f"Amounts in {target}; converted where needed at {usd_per_cad:g} USD per CAD ({when})."


# --------------------------------------------------------------------------- numbers and money


def format_number(value: float) -> str:
    """Thousands separators, no needless decimals: ``9570 -> '9,570'``, ``19.5 -> '19.5'``.

    >>> format_number(1300000000), format_number(0.25)
    ('1,300,000,000', '0.25')
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if abs(value) >= 100 or float(value).is_integer():
        return f"{value:,.0f}"
    return f"{value:,.2f}".rstrip("0").rstrip(".")


def money_in(value: float, unit: str, currency: str, usd_per_cad: float) -> float:
    """``value`` of ``unit`` (CAD or USD) in ``currency``, converted only through ``usd_per_cad``.

    >>> money_in(100, "CAD", "USD", 0.7)
    70.0
    """
    if unit == currency:
        return float(value)
    rate = usd_per_cad if (unit, currency) == ("CAD", "USD") else 1 / usd_per_cad
    if {unit, currency} != {"CAD", "USD"}:
        return math.nan
    return units.convert_money(value, unit, currency, rate)
