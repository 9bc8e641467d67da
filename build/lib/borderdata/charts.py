"""Every chart the notebooks draw, in one house style, with the sources named under each chart.

Two kinds of functions live here:

- *shapers* turn the facts and claims tables into the small tidy frames a chart
  draws (``mass_seizures``, ``asset_counts``, ...); notebooks show the same
  frame as a table under the chart, so every bar can be traced to a sentence;
- *charts* (``*_chart``) take such a frame and return a
  :class:`matplotlib.figure.Figure` drawn with ``borderdata.mplstyle``, titled
  with the finding, units on the axes, thousands separators, and a source note
  (outlet and date) under the plot.

Article text is untrusted: :func:`html_table` escapes every cell and marks the
table so MathJax leaves ``$`` alone, and the style sheet turns off mathtext.

>>> import pandas as pd
>>> from borderdata.schema import conform_facts
>>> facts = conform_facts(pd.DataFrame([{"doc_id": "a", "start": 0, "end": 4, "value": 19.5, "unit": "kg",
...     "category": "seizure", "subject": "fentanyl seized", "location": "northern border"}]))
>>> mass_seizures(facts, "lb")["amount (lb)"].round(1).tolist()
[43.0]
"""

from __future__ import annotations

import functools
import html
import io
import math
import os
import textwrap
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any, ParamSpec

import matplotlib.dates as mdates
import matplotlib.style as mstyle
import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.patches import Patch
from matplotlib.ticker import FuncFormatter, LogLocator

from borderdata import units
from borderdata.corpus import PROJECT_ROOT
from borderdata.schema import conform_facts

STYLE = Path(__file__).with_name("borderdata.mplstyle")
MASS_UNITS = ("kg", "lb", "g", "t")
REPORT_CURRENCIES = ("CAD", "USD")
NORTH, SOUTH = "northern border", "southern border"
BORDER_COLORS = {NORTH: "#1f5f8b", SOUTH: "#c0392b"}
CATEGORY_COLORS = {
    "seizure": "#c0392b",
    "funding": "#e69f00",
    "asset": "#1f5f8b",
    "personnel": "#56b4e9",
    "tariff": "#009e73",
    "enforcement_result": "#8e44ad",
    "migration": "#d55e00",
    "casualty": "#444444",
    "trade": "#a6d854",
    "other": "#bbbbbb",
}
STATUS_ORDER = ("corroborated", "updated", "conflicting", "single")
LIST_SEP = ";"
NUMERIC_CLAIM_COLUMNS = ("value", "low", "high", "n_mentions", "n_documents")
NO_DATA = "No matching facts in these tables"
NO_OUTLET = "outlet not stated"
NO_DATE = "undated"
LABEL_CHARS = 42
NOTE_WIDTH = 130
PNG_METADATA = {"Software": None}
NO_REFRESH_ENV = "BORDERDATA_NO_REFRESH"
TEXT_CELL = ' style="text-align: left; vertical-align: top; max-width: 36em"'
NUMERIC_FACT_COLUMNS = ("start", "end", "value", "low", "high")

MSG_BAD_UNIT = "mass_unit must be one of {allowed}, got {value!r}"
MSG_BAD_CURRENCY = "currency must be one of {allowed}, got {value!r}"
MSG_BAD_RATE = "usd_per_cad must be a positive number (U.S. dollars per Canadian dollar), got {value!r}"

P = ParamSpec("P")


# --------------------------------------------------------------------------- parameters and paths


def project_path(path: str | Path) -> Path:
    """``path`` resolved from the project root (absolute paths pass through), never from the cwd.

    >>> project_path("data/processed") == PROJECT_ROOT / "data" / "processed"
    True
    """
    return (PROJECT_ROOT / path).resolve()


def check_parameters(
    mass_unit: str = "kg", currency: str = "CAD", usd_per_cad: float = 1.0
) -> dict[str, Any]:
    """Validate the notebook parameters shared by every notebook; returns them as a dict.

    >>> check_parameters("lb", "USD", 0.7)["mass_unit"]
    'lb'
    """
    if mass_unit not in MASS_UNITS:
        raise ValueError(MSG_BAD_UNIT.format(allowed=MASS_UNITS, value=mass_unit))
    if currency not in REPORT_CURRENCIES:
        raise ValueError(MSG_BAD_CURRENCY.format(allowed=REPORT_CURRENCIES, value=currency))
    if not isinstance(usd_per_cad, int | float) or not usd_per_cad > 0:
        raise ValueError(MSG_BAD_RATE.format(value=usd_per_cad))
    return {"mass_unit": mass_unit, "currency": currency, "usd_per_cad": float(usd_per_cad)}


# --------------------------------------------------------------------------- shaping the tables


def typed_facts(facts: pd.DataFrame) -> pd.DataFrame:
    """The facts table with numeric columns as numbers (CSV cells are read as text).

    >>> raw = pd.DataFrame({"start": ["0"], "end": ["4"], "value": ["19.5"], "low": [""]})
    >>> typed_facts(raw)["value"].tolist()
    [19.5]
    """
    numeric = {c: pd.to_numeric(facts[c], errors="coerce") for c in NUMERIC_FACT_COLUMNS if c in facts}
    if "start" in numeric:
        numeric["start"] = numeric["start"].fillna(0).astype("int64")
    if "end" in numeric:
        numeric["end"] = numeric["end"].fillna(0).astype("int64")
    typed = facts.assign(**numeric)
    if "overridden" in typed:
        typed = typed.assign(overridden=typed["overridden"].astype(str).str.lower().eq("true"))
    return conform_facts(typed)


def in_period(frame: pd.DataFrame, date_from: str = "", date_to: str = "") -> pd.DataFrame:
    """Rows published within ``[date_from, date_to]`` (ISO dates, "" = open); undated rows are kept."""
    published = frame["published"].astype(str)
    dated = published.ne("")
    keep = ~dated | (
        (published.ge(date_from) if date_from else True) & (published.le(date_to) if date_to else True)
    )
    return frame.loc[keep]


def source_label(outlet: str, published: str) -> str:
    """``"The Canadian Press, 2025-03-04"``; empty parts are said to be missing."""
    return f"{outlet or NO_OUTLET}, {published or NO_DATE}"


def with_source(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with a ``source`` column (outlet and date) for labels and tables."""
    labels = [source_label(o, p) for o, p in zip(frame["outlet"], frame["published"], strict=True)]
    return frame.assign(source=pd.Series(labels, index=frame.index, dtype=object))


def sources_note(frame: pd.DataFrame) -> str:
    """One line naming every outlet and date behind ``frame`` (rows with ``outlet``, ``published``)."""
    if frame.empty:
        return "Sources: none"
    pairs = (
        frame.loc[:, ["outlet", "published"]]
        .astype(str)
        .drop_duplicates()
        .sort_values(["published", "outlet"], kind="stable")
    )
    return "Sources: " + "; ".join(source_label(o, p) for o, p in pairs.itertuples(index=False))


def _has_word(series: pd.Series, word: str) -> pd.Series:
    return series.astype(str).str.contains(word, case=False, regex=False) if word else series.eq(series)


def mass_seizures(facts: pd.DataFrame, mass_unit: str = "kg", subject: str = "fentanyl") -> pd.DataFrame:
    """Seizures stated as a mass, each converted to ``mass_unit``, one row per mention.

    ``subject`` filters on the fact's subject or sentence (case-insensitive; "" keeps all).
    Columns: source, outlet, published, location, stated, ``amount (<mass_unit>)``, sentence.
    """
    amount = f"amount ({mass_unit})"
    rows = facts.loc[
        lambda d: (
            d["category"].eq("seizure")
            & d["unit"].map(units.dimension_of).eq("[mass]")
            & (_has_word(d["subject"], subject) | _has_word(d["sentence"], subject))
        )
    ]
    converted = [units.convert(v, u, mass_unit) for v, u in zip(rows["value"], rows["unit"], strict=True)]
    return (
        rows.assign(**{amount: pd.Series(converted, index=rows.index, dtype="float64")})
        .pipe(with_source)
        .rename(columns={"surface": "stated"})
        .loc[:, ["source", "outlet", "published", "location", "stated", amount, "sentence"]]
        .sort_values(["published", "outlet", "location"], kind="stable")
        .reset_index(drop=True)
    )


def border_ratios(seizures: pd.DataFrame) -> pd.DataFrame:
    """Per source that states both, the southern-border amount divided by the northern one."""
    amount = next(c for c in seizures.columns if c.startswith("amount ("))
    both = (
        seizures.loc[lambda d: d["location"].isin([NORTH, SOUTH])]
        .groupby(["source", "outlet", "published", "location"], sort=True)[amount]
        .max()
        .unstack("location")
        .reindex(columns=[NORTH, SOUTH])
        .dropna()
        .loc[lambda d: d[NORTH] > 0]
    )
    return (
        both.assign(ratio=lambda d: d[SOUTH] / d[NORTH])
        .reset_index()
        .sort_values(["published", "outlet"], kind="stable", ignore_index=True)
        .rename(columns={NORTH: f"northern {amount}", SOUTH: f"southern {amount}"})
        .rename_axis(columns=None)
    )


def share_claims(facts: pd.DataFrame) -> pd.DataFrame:
    """Percentages stated as a bound for the northern border ("less than 1 %" of seizures or crossings)."""
    return (
        facts.loc[
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
        .loc[:, ["source", "outlet", "published", "stated", "bound", "subject", "sentence"]]
        .sort_values(["published", "outlet"], kind="stable")
        .reset_index(drop=True)
    )


def _bound_text(qualifier: str, value: float, unit: str) -> str:
    sign = {"upper_bound": "< ", "lower_bound": "> ", "approx": "≈ "}.get(qualifier, "")
    return f"{sign}{format_number(value)} {unit}".replace(" %", "%")


def asset_type(subject: str) -> str:
    """The thing counted, named once: modifiers dropped, synonyms mapped (``taxonomy.toml``).

    >>> asset_type("leased Black Hawk helicopters") == asset_type("black hawks")
    True
    """
    from borderdata.taxonomy import load_taxonomy

    taxonomy = load_taxonomy()
    words = [w for w in str(subject).lower().split() if w not in taxonomy.drop_words]
    phrase = " ".join(words)
    for candidate in (phrase, phrase.removesuffix("s")):
        if candidate in taxonomy.synonyms:
            return taxonomy.synonyms[candidate]
    return phrase


def asset_counts(
    facts: pd.DataFrame, categories: Sequence[str] = ("asset", "personnel"), subject: str = ""
) -> pd.DataFrame:
    """Counted assets and personnel, one row per mention, newest last within each type."""
    return (
        facts.loc[
            lambda d: (
                d["category"].isin(list(categories))
                & d["unit"].eq("count")
                & d["subject"].ne("")
                & _has_word(d["subject"], subject)
            )
        ]
        .pipe(with_source)
        .assign(subject=lambda d: d["subject"].map(asset_type))
        .rename(columns={"surface": "stated", "value": "count"})
        .loc[:, ["subject", "category", "source", "outlet", "published", "stated", "count", "sentence"]]
        .sort_values(["subject", "published", "outlet"], kind="stable")
        .reset_index(drop=True)
    )


def count_changes(assets: pd.DataFrame) -> pd.DataFrame:
    """Types whose announced count changed between dates: first and latest count, and ``"2 → 4"``."""
    dated = assets.loc[lambda d: d["published"].ne("")]
    steps = dated.groupby(["subject", "published"], sort=True)["count"].max().reset_index()
    summary = steps.groupby("subject", sort=True).agg(
        first_date=("published", "first"),
        first_count=("count", "first"),
        latest_date=("published", "last"),
        latest_count=("count", "last"),
        counts=("count", lambda s: " → ".join(format_number(v) for v in s)),
        n_values=("count", "nunique"),
    )
    return summary.loc[lambda d: d["n_values"] > 1].drop(columns="n_values").reset_index()


def latest_counts(assets: pd.DataFrame) -> pd.DataFrame:
    """The most recently announced count of each type, largest first, with its change if any."""
    changes = count_changes(assets).set_index("subject")["counts"]
    latest = assets.sort_values(["subject", "published"], kind="stable").groupby("subject").tail(1)
    return (
        latest.assign(change=lambda d: d["subject"].map(changes).fillna(""))
        .sort_values(["count", "subject"], ascending=[False, True], kind="stable")
        .reset_index(drop=True)
        .loc[:, ["subject", "category", "count", "change", "source", "outlet", "published", "stated"]]
    )


def facts_per_document(facts: pd.DataFrame, documents: pd.DataFrame) -> pd.DataFrame:
    """Number of facts per document (rows) and category (columns), every document listed."""
    docs = documents.loc[:, ["doc_id", "outlet", "published"]].astype(str)
    counts = facts.groupby(["doc_id", "category"]).size().unstack("category", fill_value=0)
    return (
        docs.merge(counts, left_on="doc_id", right_index=True, how="left")
        .fillna({c: 0 for c in counts.columns})
        .astype({c: "int64" for c in counts.columns})
        .rename_axis(columns=None)
        .reset_index(drop=True)
    )


def documents_overview(documents: pd.DataFrame, facts: pd.DataFrame) -> pd.DataFrame:
    """One row per document: id, outlet, date, title, size in characters, number of facts."""
    n_facts = facts.groupby("doc_id").size()
    return (
        documents.assign(
            characters=pd.to_numeric(documents["n_chars"], errors="coerce").fillna(0).astype("int64"),
            facts=lambda d: d["doc_id"].map(n_facts).fillna(0).astype("int64"),
        )
        .loc[:, ["doc_id", "outlet", "published", "title", "characters", "facts"]]
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


def typed_claims(claims: pd.DataFrame) -> pd.DataFrame:
    """The claims table with numeric columns as numbers (CSV cells are read as text)."""
    numeric = {c: pd.to_numeric(claims[c], errors="coerce") for c in NUMERIC_CLAIM_COLUMNS if c in claims}
    return claims.assign(**numeric)


def claims_in_period(claims: pd.DataFrame, date_from: str = "", date_to: str = "") -> pd.DataFrame:
    """Claims reported at least once within ``[date_from, date_to]``; undated claims are kept."""
    if claims.empty or not (date_from or date_to):
        return claims
    first, last = claims["first_published"].astype(str), claims["last_published"].astype(str)
    keep = first.eq("") | (
        (last.ge(date_from) if date_from else True) & (first.le(date_to) if date_to else True)
    )
    return claims.loc[keep]


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


def claims_side_by_side(
    claims: pd.DataFrame, facts: pd.DataFrame, statuses: Sequence[str] = STATUS_ORDER, category: str = ""
) -> SafeTable:
    """Claims of ``statuses`` (and ``category``) with every mention's sentence, the number highlighted."""
    if category and not claims.empty:
        claims = claims.loc[claims["category"].eq(category)]
    mentions = claim_mentions(
        claims.loc[claims["status"].isin(list(statuses))] if not claims.empty else claims, facts
    )
    if mentions.empty:
        return SafeTable(pd.DataFrame(columns=["status", "claim", "source", "stated", "sentence"]))
    frame = mentions.assign(
        claim=[
            f"{c} ({cat}{', ' + loc if loc else ''})"
            for c, cat, loc in zip(mentions["claim"], mentions["category"], mentions["location"], strict=True)
        ],
        sentence=[highlight(s, f) for s, f in zip(mentions["sentence"], mentions["surface"], strict=True)],
        stated=mentions["surface"],
        order=mentions["status"].map({s: i for i, s in enumerate(STATUS_ORDER)}),
    ).sort_values(["order", "claim_id", "published"], kind="stable")
    return SafeTable(
        frame.loc[:, ["status", "claim", "source", "stated", "sentence"]], html_columns=("sentence",)
    )


def claim_status_counts(claims: pd.DataFrame) -> pd.DataFrame:
    """Number of claims per status, in the order corroborated, updated, conflicting, single."""
    statuses = claims["status"] if "status" in claims else pd.Series(dtype=object)
    counts = statuses.value_counts()
    return pd.DataFrame(
        {"status": list(STATUS_ORDER), "claims": [int(counts.get(s, 0)) for s in STATUS_ORDER]}
    )


def claims_note(claims: pd.DataFrame, facts: pd.DataFrame) -> str:
    """The sources line for a chart of claims: every outlet and date behind them."""
    return sources_note(claim_mentions(claims, facts))


def funding_commitments(
    claims: pd.DataFrame,
    facts: pd.DataFrame,
    currency: str = "CAD",
    usd_per_cad: float = 1.0,
    program: str = "",
) -> pd.DataFrame:
    """Funding claims (each counted once, an updated one at its latest value) in ``currency``.

    Columns: date (first reported), program, status, stated (value and currency as
    reported), ``amount (<currency>)`` converted only through ``usd_per_cad``, the
    documents and the sources (outlet, date) that report it.
    """
    amount = f"amount ({currency})"
    columns = ["date", "program", "status", "stated", amount, "documents", "sources", "outlet", "published"]
    if claims.empty or "category" not in claims:
        return pd.DataFrame(columns=columns)
    money = claims.loc[
        lambda d: (
            d["category"].eq("funding")
            & d["unit"].isin(list(REPORT_CURRENCIES))
            & _has_word(d["subject"], program)
        )
    ]
    mentions = claim_mentions(money, facts)
    sources = mentions.groupby("claim_id")["source"].agg(lambda s: "; ".join(dict.fromkeys(s)))
    first = mentions.groupby("claim_id").first()
    return (
        money.assign(
            date=money["first_published"].astype(str),
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
    """How money was converted, to print beside converted figures."""
    target = "U.S. dollars" if currency == "USD" else "Canadian dollars"
    return f"Amounts in {target}; converted where needed at {usd_per_cad:g} USD per CAD ({usd_per_cad_date})."


# --------------------------------------------------------------------------- money


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


# --------------------------------------------------------------------------- safe HTML tables


class SafeTable:
    """A table shown in notebooks as escaped HTML (never as Markdown, LaTeX or live HTML)."""

    def __init__(self, frame: pd.DataFrame, html_columns: Iterable[str] = (), caption: str = "") -> None:
        redundant = ["outlet", "published"] if {"source", "sources"} & set(frame.columns) else []
        self.frame = frame.drop(columns=[c for c in redundant if c in frame.columns]).reset_index(drop=True)
        self.html_columns = tuple(html_columns)
        self.caption = caption

    def __repr__(self) -> str:
        return self.frame.to_string(max_colwidth=60) if not self.frame.empty else "(no rows)"

    def _repr_html_(self) -> str:
        return html_table(self.frame, self.html_columns, self.caption)


def _cell_html(value: object) -> str:
    if isinstance(value, float):
        return "" if math.isnan(value) else html.escape(format_number(value))
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    return html.escape(str(value))


def html_table(frame: pd.DataFrame, html_columns: Iterable[str] = (), caption: str = "") -> str:
    """``frame`` as an HTML table with every cell escaped, except ``html_columns`` (already safe).

    The wrapper carries ``tex2jax_ignore mathjax_ignore`` so MathJax in Jupyter and in
    nbconvert pages leaves ``$1.3 billion ... $200 million`` alone.

    >>> "&lt;script&gt;" in html_table(pd.DataFrame({"t": ["<script>"]}))
    True
    """
    trusted = set(html_columns)
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in frame.columns)
    body = "".join(
        "<tr>"
        + "".join(
            f"<td{TEXT_CELL if isinstance(v, str) else ''}>{v if c in trusted else _cell_html(v)}</td>"
            for c, v in zip(frame.columns, row, strict=True)
        )
        + "</tr>"
        for row in frame.itertuples(index=False)
    )
    cap = f"<caption>{html.escape(caption)}</caption>" if caption else ""
    empty = "" if len(frame) else "<p><em>No rows.</em></p>"
    return (
        '<div class="borderdata-table tex2jax_ignore mathjax_ignore">'
        f'<table class="dataframe">{cap}<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'
        f"{empty}</div>"
    )


def highlight(sentence: str, surface: str) -> str:
    """The escaped sentence with the escaped ``surface`` wrapped in ``<mark>``.

    >>> highlight("Seized <b>19.5 kg</b>.", "19.5 kg")
    'Seized &lt;b&gt;<mark>19.5 kg</mark>&lt;/b&gt;.'
    """
    at = sentence.find(surface) if surface else -1
    if at < 0:
        return html.escape(sentence) if sentence else f"<mark>{html.escape(surface)}</mark>"
    end = at + len(surface)
    return f"{html.escape(sentence[:at])}<mark>{html.escape(surface)}</mark>{html.escape(sentence[end:])}"


def highlighted_facts(facts: pd.DataFrame) -> SafeTable:
    """Facts with each number highlighted in its sentence, as a safe HTML table."""
    frame = (
        facts.pipe(with_source)
        .assign(
            sentence=[highlight(s, f) for s, f in zip(facts["sentence"], facts["surface"], strict=True)],
        )
        .loc[:, ["source", "value", "unit", "qualifier", "category", "subject", "location", "sentence"]]
    )
    return SafeTable(frame, html_columns=("sentence",))


def show_table(frame: pd.DataFrame, caption: str = "") -> SafeTable:
    """Wrap a frame for display under a chart (escaped HTML, plain-text repr for nbval)."""
    return SafeTable(frame, caption=caption)


# --------------------------------------------------------------------------- drawing helpers


def styled(func: Callable[P, Figure]) -> Callable[P, Figure]:
    """Draw ``func``'s figure inside the house style (rcParams are read when artists are made)."""

    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> Figure:
        with mstyle.context(STYLE, after_reset=True):
            return func(*args, **kwargs)

    return wrapper


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


def thousands(value: float, _pos: int | None = None) -> str:
    """Tick formatter with thousands separators."""
    return format_number(value)


def short(label: str, limit: int = LABEL_CHARS) -> str:
    """A label cut to ``limit`` characters with an ellipsis (long untrusted tokens stay in the chart)."""
    label = " ".join(str(label).split())
    return label if len(label) <= limit else label[: limit - 1] + "…"


def _new_figure(height: float | None = None) -> tuple[Figure, Any]:
    fig = Figure(figsize=(8, height) if height else None, layout="constrained")
    FigureCanvasAgg(fig)
    return fig, fig.add_subplot()


def _finish(fig: Figure, ax: Any, title: str, note: str) -> Figure:
    """Title on the axes, the source note under the plot, room reserved for it."""
    fig.suptitle(short(title, 90), x=0.01, ha="left", fontsize="large", fontweight="bold")
    lines = textwrap.wrap(note, NOTE_WIDTH) or [""]
    height = fig.get_figheight()
    reserve = min(0.4, (0.22 + 0.16 * len(lines)) / height)
    fig.get_layout_engine().set(rect=(0, reserve, 1, 1 - reserve))
    fig.text(0.01, 0.02, "\n".join(lines), ha="left", va="bottom", fontsize=8, color="#555555")
    return fig


def _empty(fig: Figure, ax: Any, title: str) -> Figure:
    ax.set_axis_off()
    ax.text(0.5, 0.5, NO_DATA, ha="center", va="center", transform=ax.transAxes, color="#777777")
    return _finish(fig, ax, title, "Sources: none")


def _height_for(n_rows: int) -> float:
    return max(3.2, min(11.0, 1.6 + 0.34 * n_rows))


def figure_labels(fig: Figure) -> dict[str, str]:
    """Title and axis labels of a figure's first axes (kept with its image in the notebook)."""
    ax = fig.axes[0]
    title = fig.get_suptitle()
    return {"title": title, "xlabel": ax.get_xlabel(), "ylabel": ax.get_ylabel()}


def to_png(fig: Figure) -> bytes:
    """The figure as PNG bytes, byte-stable (no software or date metadata)."""
    buffer = io.BytesIO()
    with mstyle.context(STYLE, after_reset=True):
        fig.savefig(buffer, format="png", metadata=PNG_METADATA)
    return buffer.getvalue()


def show(fig: Figure) -> None:
    """Display ``fig`` as a PNG in a notebook, with its title and axis labels in the output metadata."""
    from IPython.display import Image, display

    display(Image(data=to_png(fig), format="png", metadata={"borderdata": figure_labels(fig)}))


# --------------------------------------------------------------------------- charts


@styled
def facts_by_category_chart(counts: pd.DataFrame) -> Figure:
    """Stacked bars: how many facts each document holds, by category (``facts_per_document``)."""
    categories = [c for c in counts.columns if c not in ("doc_id", "outlet", "published")]
    fig, ax = _new_figure(_height_for(len(counts)))
    totals = counts.loc[:, categories].sum(axis=1) if categories else pd.Series(dtype="int64")
    if counts.empty or not totals.sum():
        return _empty(fig, ax, "No facts in the corpus yet")
    labels = [
        f"{short(source_label(o, p), 34)}\n{short(d, 34)}"
        for d, o, p in counts.loc[:, ["doc_id", "outlet", "published"]].itertuples(index=False)
    ]
    order = sorted(categories, key=lambda c: (-int(counts[c].sum()), c))
    left = pd.Series(0, index=counts.index, dtype="int64")
    for category in order:
        color = CATEGORY_COLORS.get(category, "#bbbbbb")
        ax.barh(labels, counts[category], left=left, label=category, height=0.7, color=color)
        left = left + counts[category]
    ax.invert_yaxis()
    ax.xaxis.set_major_formatter(FuncFormatter(thousands))
    ax.set_xlabel("facts (numeric mentions, count)")
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1), title="category")
    top = counts.assign(total=totals).sort_values("total", ascending=False, kind="stable").iloc[0]
    title = (
        f"{int(totals.sum()):,} facts in {len(counts):,} documents; "
        f"most in {top['doc_id']} ({int(top['total']):,})"
    )
    return _finish(fig, ax, title, sources_note(counts))


@styled
def border_seizures_chart(seizures: pd.DataFrame, mass_unit: str = "kg") -> Figure:
    """Northern vs southern seizures per source on a log scale, the ratio annotated (``mass_seizures``)."""
    amount = f"amount ({mass_unit})"
    rows = (
        seizures.loc[lambda d: d["location"].isin([NORTH, SOUTH])]
        .sort_values(["published", "outlet", "location"], kind="stable")
        .reset_index(drop=True)
    )
    fig, ax = _new_figure(_height_for(len(rows) + 1))
    if rows.empty or amount not in rows:
        return _empty(fig, ax, "No seizures with a border and a mass")
    labels = [
        short(f"{s} · {loc.split()[0]}") for s, loc in zip(rows["source"], rows["location"], strict=True)
    ]
    colors = [BORDER_COLORS[loc] for loc in rows["location"]]
    ax.barh(range(len(rows)), rows[amount], color=colors, height=0.7)
    ax.set_yticks(range(len(rows)), labels)
    ax.invert_yaxis()
    ax.set_xscale("log")
    ax.xaxis.set_major_locator(LogLocator(base=10))
    ax.xaxis.set_major_formatter(FuncFormatter(thousands))
    ax.xaxis.set_minor_formatter(FuncFormatter(lambda *_: ""))
    ax.set_xlabel(f"seized ({mass_unit}, log scale)")
    for y, value in enumerate(rows[amount]):
        ax.annotate(
            f"{format_number(value)} {mass_unit}",
            (value, y),
            xytext=(4, 0),
            textcoords="offset points",
            va="center",
            fontsize=8,
            color="#333333",
        )
    ratios = border_ratios(rows)
    for ratio in ratios.itertuples(index=False):
        y = rows.index[rows["source"].eq(ratio.source) & rows["location"].eq(NORTH)].min()
        ax.annotate(
            f"southern ÷ northern ≈ {format_number(round(ratio.ratio))}×",
            (rows.at[y, amount], y),
            xytext=(60, 0),
            textcoords="offset points",
            va="center",
            fontsize=9,
            fontweight="bold",
            color="#333333",
        )
    smallest = rows[amount].loc[lambda s: s > 0].min()
    ax.set_xlim(10 ** math.floor(math.log10(smallest * 0.9)), rows[amount].max() * 40)
    handles = [Patch(color=c, label=loc) for loc, c in BORDER_COLORS.items()]
    ax.legend(handles=handles, loc="upper right")
    if ratios.empty:
        title = "Seizures by border, as stated by each source"
    else:
        low, high = ratios["ratio"].min(), ratios["ratio"].max()
        span = (
            f"{format_number(round(low))}×"
            if round(low) == round(high)
            else f"{format_number(round(low))}–{format_number(round(high))}×"
        )
        title = f"Southern-border seizures are {span} the northern ones"
    return _finish(fig, ax, title, sources_note(rows))


@styled
def funding_timeline_chart(commitments: pd.DataFrame, currency: str = "CAD", extra_note: str = "") -> Figure:
    """Cumulative funding committed over time, one step per commitment (``funding_commitments``).

    ``commitments`` has ``date``, ``program``, ``amount (<currency>)``, ``outlet``, ``published``.
    """
    amount = f"amount ({currency})"
    rows = (
        commitments.loc[lambda d: d["date"].ne("") & d[amount].notna()]
        if amount in commitments
        else commitments.iloc[:0]
    )
    fig, ax = _new_figure(4.8)
    if rows.empty:
        return _empty(fig, ax, "No dated funding commitments")
    rows = rows.sort_values(["date", "program"], kind="stable").reset_index(drop=True)
    dates = pd.to_datetime(rows["date"])
    cumulative = rows[amount].cumsum()
    scale, word = _money_scale(cumulative.max())
    ax.step(dates, cumulative / scale, where="post", color="#1f5f8b", linewidth=2)
    ax.scatter(dates, cumulative / scale, color="#1f5f8b", zorder=3)
    middle = dates.min() + (dates.max() - dates.min()) / 2
    for date, total, program, value in zip(
        dates, cumulative / scale, rows["program"], rows[amount] / scale, strict=True
    ):
        right_half = len(rows) > 1 and date > middle
        ax.annotate(
            f"+{format_number(value)} {word}: {short(program, 34)}",
            (date, total),
            xytext=(-6 if right_half else 6, 6),
            textcoords="offset points",
            fontsize=8,
            ha="right" if right_half else "left",
            color="#333333",
        )
    ax.set_ylim(0, (cumulative.max() / scale) * 1.25)
    ax.yaxis.set_major_formatter(FuncFormatter(thousands))
    ax.set_ylabel(
        f"committed, cumulative ({word} {currency})" if word else f"committed, cumulative ({currency})"
    )
    ax.set_xlabel("date first reported (month)")
    ax.grid(axis="y")
    ax.tick_params(axis="x", rotation=0)
    months = max(1, (dates.max().year - dates.min().year) * 12 + dates.max().month - dates.min().month)
    ax.xaxis.set_major_locator(mdates.MonthLocator(interval=max(1, math.ceil(months / 5))))
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%Y-%m"))
    ax.set_xlim(dates.min() - pd.Timedelta(days=10), dates.max() + pd.Timedelta(days=25))
    total = " ".join(p for p in (format_number(cumulative.iloc[-1] / scale), word, currency) if p)
    title = f"{len(rows):,} distinct commitments add up to {total}"
    return _finish(fig, ax, title, ". ".join(p for p in (_listed_sources(rows), extra_note) if p))


def _listed_sources(rows: pd.DataFrame) -> str:
    """Sources of rows that list every reporting source in a ``sources`` column, else outlet and date."""
    if "sources" not in rows:
        return sources_note(rows)
    listed = dict.fromkeys(s for cell in rows["sources"] for s in str(cell).split("; ") if s)
    return "Sources: " + "; ".join(listed) if listed else sources_note(rows)


def _money_scale(largest: float) -> tuple[float, str]:
    for scale, word in ((1e9, "billion"), (1e6, "million"), (1e3, "thousand")):
        if largest >= scale:
            return scale, word
    return 1.0, ""


@styled
def asset_counts_chart(latest: pd.DataFrame, note: str = "") -> Figure:
    """The latest announced count of each asset type, changes annotated ``2 → 4`` (``latest_counts``).

    ``note`` names the sources (``sources_note(assets)``, so earlier counts are credited too).
    """
    fig, ax = _new_figure(_height_for(len(latest)))
    if latest.empty:
        return _empty(fig, ax, "No counted assets or personnel")
    colors = ["#c0392b" if change else "#1f5f8b" for change in latest["change"]]
    ax.barh([short(s, 36) for s in latest["subject"]], latest["count"], color=colors, height=0.7)
    ax.invert_yaxis()
    ax.set_xscale("log")
    ax.xaxis.set_major_formatter(FuncFormatter(thousands))
    ax.xaxis.set_minor_formatter(FuncFormatter(lambda *_: ""))
    ax.set_xlabel("announced (count, log scale)")
    for y, (count, change) in enumerate(zip(latest["count"], latest["change"], strict=True)):
        label = f"{format_number(count)}" + (f"  (changed: {change})" if change else "")
        ax.annotate(label, (count, y), xytext=(4, 0), textcoords="offset points", va="center", fontsize=8)
    ax.set_xlim(0.7, latest["count"].max() * 30)
    changed = latest.loc[lambda d: d["change"].ne("")]
    if changed.empty:
        top = latest.iloc[0]
        title = f"Largest announced count: {format_number(top['count'])} {top['subject']}"
    else:
        first = changed.iloc[0]
        title = f"Announced {first['subject']} count went {first['change']}" + (
            f" (+{len(changed) - 1} more changed)" if len(changed) > 1 else ""
        )
    return _finish(fig, ax, title, note or sources_note(latest))


@styled
def claims_status_chart(status_counts: pd.DataFrame, note: str = "") -> Figure:
    """How many claims are corroborated, updated, conflicting or single-source (``claim_status_counts``).

    ``note`` names the sources (``claims_note``).
    """
    fig, ax = _new_figure(3.6)
    if status_counts.empty or not status_counts["claims"].sum():
        return _empty(fig, ax, "No claims to compare")
    palette = {
        "corroborated": "#009e73",
        "repeated": "#56b4e9",
        "updated": "#e69f00",
        "conflicting": "#c0392b",
    }
    colors = [palette.get(s, "#7f7f7f") for s in status_counts["status"]]
    ax.barh(list(status_counts["status"]), status_counts["claims"], color=colors, height=0.6)
    ax.invert_yaxis()
    ax.xaxis.set_major_formatter(FuncFormatter(thousands))
    ax.xaxis.get_major_locator().set_params(integer=True)
    ax.set_xlabel("claims (count)")
    for y, n in enumerate(status_counts["claims"]):
        ax.annotate(f"{int(n):,}", (n, y), xytext=(4, 0), textcoords="offset points", va="center", fontsize=9)
    total = int(status_counts["claims"].sum())
    multi = int(status_counts.loc[lambda d: d["status"].ne("single"), "claims"].sum())
    title = f"{multi:,} of {total:,} figures appear in more than one article"
    return _finish(fig, ax, title, note or "Sources: see the table below")


CHARTS: tuple[Callable[..., Figure], ...] = (
    facts_by_category_chart,
    border_seizures_chart,
    funding_timeline_chart,
    asset_counts_chart,
    claims_status_chart,
)


def report_tables(
    tables_dir: str | Path = "data/processed", date_from: str = "", date_to: str = ""
) -> dict[str, pd.DataFrame]:
    """The tables a notebook needs from ``tables_dir`` (under the project root): documents, facts
    and claims, typed and limited to the date range. Stale tables are re-made first unless
    ``$BORDERDATA_NO_REFRESH`` is set (the report runs the data step once, before its notebooks).
    Claims are built from the facts when the folder has no ``claims.csv``."""
    from borderdata.pipeline import load_tables

    tables = load_tables(project_path(tables_dir), refresh=not os.environ.get(NO_REFRESH_ENV))
    all_facts = tables.get("facts", pd.DataFrame()).pipe(typed_facts)
    if "claims" in tables:
        claims = tables["claims"].pipe(typed_claims)
    else:
        from borderdata.claims import build_claims

        claims = build_claims(all_facts)
    documents = tables.get(
        "documents", pd.DataFrame(columns=["doc_id", "outlet", "published", "title", "n_chars"])
    )
    return {
        "documents": documents,
        "facts": all_facts.pipe(in_period, date_from, date_to),
        "claims": claims.pipe(claims_in_period, date_from, date_to),
    }
