"""Every chart the notebooks draw, in one house style, with the sources named under each chart.

Chart functions (``*_chart``) only draw: each takes a small tidy frame from
:mod:`borderdata.views` and returns a :class:`matplotlib.figure.Figure` drawn with
``borderdata.mplstyle``: a title that states what the chart shows, units on the
axes, thousands separators, whole labels (wrapped, never cut), and a note under
the plot naming every source (outlet, or domain or title) and date. Showing and
exporting a figure is :mod:`borderdata.display`'s job.

Names that lived here before the views/display split (``mass_seizures``,
``show_table``...) still resolve, forwarded to their new module, so notebooks
written against the old layout keep running.
"""

from __future__ import annotations

import functools
import math
import textwrap
from collections.abc import Callable
from typing import Any, ParamSpec

import matplotlib.dates as mdates
import matplotlib.style as mstyle
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.layout_engine import ConstrainedLayoutEngine
from matplotlib.patches import Patch
from matplotlib.ticker import FuncFormatter, LogLocator, MaxNLocator

from borderdata.display import STYLE
from borderdata.views import NORTH, SOUTH, format_number, period_label, sources_note

BORDER_COLORS = {NORTH: "#1f5f8b", SOUTH: "#c0392b"}
KIND_COLORS = {"total": "#1f5f8b", "new": "#e69f00", "stated": "#7f7f7f"}
KIND_TITLES = {
    "total": "Totals (what a force or fleet was brought to)",
    "new": "New deployments and additions",
    "stated": "Counts not said to be new or a total",
}
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
NO_DATA = "No matching facts in these tables"
LABEL_WIDTH = 30
TITLE_WIDTH = 80
NOTE_WIDTH = 130

P = ParamSpec("P")


# --------------------------------------------------------------------------- drawing helpers


def styled(func: Callable[P, Figure]) -> Callable[P, Figure]:
    """Draw ``func``'s figure inside the house style (rcParams are read when artists are made)."""

    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> Figure:
        with mstyle.context(STYLE, after_reset=True):
            return func(*args, **kwargs)

    return wrapper


def thousands(value: float, _pos: int | None = None) -> str:
    """Tick formatter with thousands separators."""
    return format_number(value)


def wrap_label(label: str, width: int = LABEL_WIDTH) -> str:
    """A label wrapped onto lines of ``width`` characters: every word kept, none cut.

    >>> wrap_label("handheld chemical analysis detection devices", 20)
    'handheld chemical\\nanalysis detection\\ndevices'
    """
    words = " ".join(str(label).split())
    return "\n".join(textwrap.wrap(words, width, break_long_words=True, break_on_hyphens=False)) or words


def _new_figure(height: float | None = None, ncols: int = 1) -> tuple[Figure, Any]:
    fig = Figure(figsize=(8, height) if height else None, layout="constrained")
    FigureCanvasAgg(fig)
    axes = fig.subplots(1, ncols, squeeze=False)[0]
    return fig, (axes[0] if ncols == 1 else list(axes))


def _finish(fig: Figure, title: str, note: str) -> Figure:
    """Title above the plot (wrapped), the source note under it, room reserved for both."""
    fig.suptitle(wrap_label(title, TITLE_WIDTH), x=0.01, ha="left", fontsize="large", fontweight="bold")
    lines = textwrap.wrap(note, NOTE_WIDTH) or [""]
    reserve = min(0.45, (0.22 + 0.16 * len(lines)) / fig.get_figheight())
    engine = fig.get_layout_engine()
    if isinstance(engine, ConstrainedLayoutEngine):  # every chart's figure is made with one
        engine.set(rect=(0, reserve, 1, 1 - reserve))
    fig.text(0.01, 0.02, "\n".join(lines), ha="left", va="bottom", fontsize=8, color="#555555")
    return fig


def _empty(fig: Figure, ax: Any, title: str) -> Figure:
    ax.set_axis_off()
    ax.text(0.5, 0.5, NO_DATA, ha="center", va="center", transform=ax.transAxes, color="#777777")
    return _finish(fig, title, "Sources: none")


def _height_for(n_rows: int, lines_per_row: int = 1) -> float:
    return max(3.2, min(14.0, 1.8 + 0.3 * n_rows * max(1, lines_per_row)))


def _lines(labels: list[str]) -> int:
    return max((label.count("\n") + 1 for label in labels), default=1)


# --------------------------------------------------------------------------- charts


@styled
def facts_by_category_chart(counts: pd.DataFrame) -> Figure:
    """Stacked bars: how many facts each document holds, by category (``views.facts_per_document``)."""
    fixed = ("doc_id", "source", "outlet", "published", "title")
    categories = [c for c in counts.columns if c not in fixed]
    totals = counts.loc[:, categories].sum(axis=1) if categories else pd.Series(dtype="int64")
    labels = [wrap_label(s, 34) for s in counts.get("source", counts.get("doc_id", pd.Series(dtype=str)))]
    fig, ax = _new_figure(_height_for(len(counts), _lines(labels)))
    if counts.empty or not totals.sum():
        return _empty(fig, ax, "No facts in the corpus yet")
    order = sorted(categories, key=lambda c: (-int(counts[c].sum()), c))
    positions = range(len(counts))
    left = pd.Series(0, index=counts.index, dtype="int64")
    for category in order:
        color = CATEGORY_COLORS.get(category, "#bbbbbb")
        ax.barh(positions, counts[category], left=left, label=category, height=0.7, color=color)
        left = left + counts[category]
    ax.set_yticks(list(positions), labels)
    ax.invert_yaxis()
    ax.xaxis.set_major_formatter(FuncFormatter(thousands))
    ax.set_xlabel("facts (numeric mentions, count)")
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1), title="category")
    top = counts.assign(total=totals).sort_values("total", ascending=False, kind="stable").iloc[0]
    title = (
        f"{int(totals.sum()):,} facts in {len(counts):,} articles; "
        f"most in {top.get('source', top['doc_id'])} ({int(top['total']):,})"
    )
    return _finish(fig, title, sources_note(counts))


def _seizure_label(source: str, location: str, period: str, start: str, end: str) -> str:
    return wrap_label(f"{source} · {location.split()[0]} · {period_label(period, start, end)}", 40)


@styled
def border_seizures_chart(
    seizures: pd.DataFrame, mass_unit: str = "kg", comparisons: pd.DataFrame | None = None
) -> Figure:
    """Northern vs southern seizures per source and period on a log scale (``views.mass_seizures``),
    every bar naming its source, border and period; the ratios of ``comparisons`` (rows of
    ``claims.compare_claims``) annotated beside the northern bar they divide by."""
    amount = f"amount ({mass_unit})"
    rows = (
        seizures.loc[lambda d: d["location"].isin([NORTH, SOUTH])]
        .sort_values(["published", "outlet", "period_start", "location"], kind="stable")
        .reset_index(drop=True)
    )
    labels = [
        _seizure_label(*r)
        for r in rows.loc[:, ["source", "location", "period", "period_start", "period_end"]]
        .astype(str)
        .itertuples(index=False)
    ]
    fig, ax = _new_figure(_height_for(len(rows) + 1, _lines(labels)))
    if rows.empty or amount not in rows:
        return _empty(fig, ax, "No seizures with a border and a mass")
    ax.barh(
        range(len(rows)), rows[amount], color=[BORDER_COLORS[loc] for loc in rows["location"]], height=0.7
    )
    ax.set_yticks(range(len(rows)), labels)
    ax.invert_yaxis()
    ax.set_xscale("log")
    ax.xaxis.set_major_locator(LogLocator(base=10))
    ax.xaxis.set_major_formatter(FuncFormatter(thousands))
    ax.xaxis.set_minor_formatter(FuncFormatter(lambda *_: ""))
    ax.set_xlabel(f"seized ({mass_unit}, log scale)")
    for y, value in enumerate(rows[amount]):
        ax.annotate(f"{format_number(value)} {mass_unit}", (value, y), xytext=(4, 0),
                    textcoords="offset points", va="center", fontsize=8, color="#333333")  # fmt: skip
    ratios = (
        comparisons if comparisons is not None else pd.DataFrame(columns=["denominator_fact_id", "ratio"])
    )
    ratios = ratios.loc[ratios["denominator_fact_id"].isin(set(rows["fact_id"]))]
    for ratio in ratios.itertuples(index=False):
        y = rows.index[rows["fact_id"].eq(ratio.denominator_fact_id)].min()
        ax.annotate(f"southern ÷ northern ≈ {format_number(round(ratio.ratio))}×", (rows.at[y, amount], y),
                    xytext=(60, 0), textcoords="offset points", va="center", fontsize=9, fontweight="bold",
                    color="#333333")  # fmt: skip
    smallest = rows[amount].loc[lambda s: s > 0].min()
    ax.set_xlim(10 ** math.floor(math.log10(smallest * 0.9)), rows[amount].max() * 40)
    ax.legend(handles=[Patch(color=c, label=loc) for loc, c in BORDER_COLORS.items()], loc="upper right")
    if ratios.empty:
        title = "Seizures by border and period, as stated by each source"
    else:
        low, high = round(ratios["ratio"].min()), round(ratios["ratio"].max())
        span = f"{format_number(low)}×" if low == high else f"{format_number(low)}–{format_number(high)}×"
        title = (
            f"Where a source states both borders for one period, the southern figure is {span} the northern"
        )
    return _finish(fig, title, sources_note(rows))


@styled
def seizure_series_chart(series: pd.DataFrame, mass_unit: str = "kg") -> Figure:
    """Seizures per period at each border, in time order (``views.seizure_series``), log scale."""
    amount = f"amount ({mass_unit})"
    fig, ax = _new_figure(4.8)
    if series.empty or amount not in series or series["period_start"].nunique() < 2:
        return _empty(fig, ax, "Seizures are stated for one period only: no time series")
    for location, rows in series.groupby("location", sort=True):
        starts = pd.to_datetime(rows["period_start"])
        ends = pd.to_datetime(rows["period_end"].where(rows["period_end"].ne(""), rows["period_start"]))
        middles = starts + (ends - starts) / 2
        color = BORDER_COLORS.get(location, "#7f7f7f")
        ax.plot(middles, rows[amount], marker="o", color=color, label=location, linewidth=1.5)
        for x, y, period in zip(middles, rows[amount], rows["period"], strict=True):
            ax.annotate(f"{period or 'period'}: {format_number(y)}", (x, y), xytext=(5, 5),
                        textcoords="offset points", fontsize=8, color=color)  # fmt: skip
    ax.set_yscale("log")
    ax.yaxis.set_major_formatter(FuncFormatter(thousands))
    ax.yaxis.set_minor_formatter(FuncFormatter(lambda *_: ""))
    ax.set_ylabel(f"seized in the period ({mass_unit}, log scale)")
    ax.set_xlabel("middle of the period the figure covers")
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%Y-%m"))
    ax.grid(axis="y")
    ax.legend(loc="best")
    periods = series["period_start"].nunique()
    title = f"Seizures by border over {periods} periods, as stated in the articles"
    listed = dict.fromkeys(s for cell in series["sources"] for s in str(cell).split("; ") if s)
    return _finish(fig, title, "Sources: " + "; ".join(listed))


@styled
def funding_timeline_chart(commitments: pd.DataFrame, currency: str = "CAD", extra_note: str = "") -> Figure:
    """Cumulative funding committed over time, one step per commitment (``views.funding_commitments``)."""
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
        ax.annotate(f"+{format_number(value)} {word}:\n{wrap_label(program, 28)}", (date, total),
                    xytext=(-6 if right_half else 6, 6), textcoords="offset points", fontsize=8,
                    ha="right" if right_half else "left", color="#333333")  # fmt: skip
    ax.set_ylim(0, (cumulative.max() / scale) * 1.35)
    ax.yaxis.set_major_formatter(FuncFormatter(thousands))
    ax.set_ylabel(f"committed, cumulative ({' '.join(p for p in (word, currency) if p)})")
    ax.set_xlabel("date first reported (month)")
    ax.grid(axis="y")
    months = max(1, (dates.max().year - dates.min().year) * 12 + dates.max().month - dates.min().month)
    ax.xaxis.set_major_locator(mdates.MonthLocator(interval=max(1, math.ceil(months / 5))))
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%Y-%m"))
    ax.set_xlim(dates.min() - pd.Timedelta(days=10), dates.max() + pd.Timedelta(days=25))
    total = " ".join(p for p in (format_number(cumulative.iloc[-1] / scale), word, currency) if p)
    title = f"{len(rows):,} distinct commitments add up to {total}"
    return _finish(fig, title, ". ".join(p for p in (_listed_sources(rows), extra_note) if p))


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


def _asset_panel(ax: Any, rows: pd.DataFrame, kind: str, width: int) -> None:
    labels = [wrap_label(t, 20) for t in rows["type"]]
    ax.barh(range(len(rows)), rows["count"], color=KIND_COLORS.get(kind, "#7f7f7f"), height=0.7)
    ax.set_yticks(range(len(rows)), labels)
    ax.invert_yaxis()
    ax.set_title(wrap_label(KIND_TITLES.get(kind, kind), width), fontsize=9)
    ax.xaxis.set_major_formatter(FuncFormatter(thousands))
    ax.set_xlabel("announced (count)")
    locator = ax.xaxis.get_major_locator()
    if isinstance(locator, MaxNLocator):  # the default AutoLocator is one
        locator.set_params(integer=True)
    ax.set_xlim(0, rows["count"].max() * 1.45)
    for y, (count, change) in enumerate(zip(rows["count"], rows["change"], strict=True)):
        label = format_number(count) + (f"\n(was {change.rsplit(' → ', 1)[0]})" if change else "")
        ax.annotate(label, (count, y), xytext=(4, 0), textcoords="offset points", va="center", fontsize=8)


@styled
def asset_counts_chart(latest: pd.DataFrame, note: str = "") -> Figure:
    """The latest announced count of each asset type, totals and additions in separate panels,
    each on its own linear axis (``views.latest_counts``); earlier counts noted beside the bar.

    ``note`` names the sources (``views.sources_note(assets)``, so earlier counts are credited too).
    """
    kinds = [k for k in KIND_TITLES if not latest.empty and k in set(latest["kind"])]
    n_rows = max((int(latest["kind"].eq(k).sum()) for k in kinds), default=0)
    fig, axes = _new_figure(_height_for(n_rows, 2), max(1, len(kinds)))
    if latest.empty:
        return _empty(fig, axes, "No counted assets or personnel")
    axes = axes if isinstance(axes, list) else [axes]
    for ax, kind in zip(axes, kinds, strict=True):
        _asset_panel(ax, latest.loc[latest["kind"].eq(kind)].reset_index(drop=True), kind, 60 // len(kinds))
    parts = []
    for kind in kinds:
        top = latest.loc[latest["kind"].eq(kind)].iloc[0]
        parts.append(f"{top['type']} {format_number(top['count'])} ({_kind_word(kind)})")
    title = "Largest announced counts: " + "; ".join(parts)
    return _finish(fig, title, note or sources_note(latest))


def _kind_word(kind: str) -> str:
    return {"total": "total", "new": "new", "stated": "as stated"}.get(kind, kind)


@styled
def claims_status_chart(status_counts: pd.DataFrame, note: str = "") -> Figure:
    """How many claims are corroborated, updated, conflicting or single-source (``claim_status_counts``)."""
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
    ax.xaxis.set_major_formatter(FuncFormatter(thousands))
    _count_bars(ax, status_counts["status"], status_counts["claims"], colors, "claims (count)")
    total = int(status_counts["claims"].sum())
    multi = int(status_counts.loc[lambda d: d["status"].ne("single"), "claims"].sum())
    title = f"{multi:,} of {total:,} figures appear in more than one article"
    return _finish(fig, title, note or "Sources: see the table below")


def verdict_colors() -> dict[str, str]:
    """The check page's colour for each verdict (imported on use: the other charts need no checker)."""
    from borderdata.checkpage import VERDICT_STYLE

    return {verdict: colour for verdict, (colour, _) in VERDICT_STYLE.items()}


def _count_bars(ax: Axes, labels: pd.Series, counts: pd.Series, colors: list[str], xlabel: str) -> None:
    """Horizontal bars of whole counts, top to bottom, each labelled with its count."""
    ax.barh(list(labels), counts, color=colors, height=0.6)
    ax.invert_yaxis()
    locator = ax.xaxis.get_major_locator()
    if isinstance(locator, MaxNLocator):  # the default AutoLocator is one
        locator.set_params(integer=True)
    ax.set_xlabel(xlabel)
    for y, n in enumerate(counts):
        ax.annotate(f"{int(n):,}", (n, y), xytext=(4, 0), textcoords="offset points", va="center", fontsize=9)


@styled
def verdicts_chart(verdict_counts: pd.DataFrame, note: str = "") -> Figure:
    """How many figures of a checked article got each verdict (columns ``verdict``, ``figures``).

    ``note`` names the sources (the outlets the article was checked against).
    """
    fig, ax = _new_figure(3.4)
    if verdict_counts.empty or not verdict_counts["figures"].sum():
        return _empty(fig, ax, "No figures to check")
    colors = [verdict_colors().get(v, "#7f7f7f") for v in verdict_counts["verdict"]]
    _count_bars(
        ax, verdict_counts["verdict"], verdict_counts["figures"], colors, "figures of the article (count)"
    )
    total = int(verdict_counts["figures"].sum())
    known = int(verdict_counts.loc[lambda d: d["verdict"].ne("new"), "figures"].sum())
    title = f"{known:,} of {total:,} figures of the article were reported by other outlets"
    return _finish(fig, title, note or "Sources: see the receipts below")


CHARTS: tuple[Callable[..., Figure], ...] = (
    facts_by_category_chart,
    border_seizures_chart,
    seizure_series_chart,
    funding_timeline_chart,
    asset_counts_chart,
    claims_status_chart,
    verdicts_chart,
)

# Names that moved to views/display in the split, forwarded for notebooks written before it.
_MOVED = {
    "display": ("SafeTable", "html_table", "highlight", "highlighted_facts", "show_table", "show",
                "claims_side_by_side", "to_png", "figure_labels", "sources_section"),
    "views": ("project_path", "check_parameters", "report_tables", "typed_facts", "typed_claims",
              "in_period", "claims_in_period", "source_label", "with_source", "sources_note",
              "mass_seizures", "share_claims", "asset_type", "asset_counts",
              "count_changes", "latest_counts", "facts_per_document", "documents_overview",
              "search_facts", "validate_facts", "claim_mentions", "claim_status_counts", "claims_note",
              "funding_commitments", "claims_overview", "conversion_note", "money_in", "format_number",
              "MASS_UNITS", "REPORT_CURRENCIES", "STATUS_ORDER", "LIST_SEP"),
}  # fmt: skip


def __getattr__(name: str) -> Any:
    import importlib

    for module, names in _MOVED.items():
        if name in names:
            return getattr(importlib.import_module(f"borderdata.{module}"), name)
    raise AttributeError(f"module 'borderdata.charts' has no attribute {name!r}")
