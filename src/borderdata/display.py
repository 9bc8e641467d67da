"""Showing tables, charts and sources in a notebook as safe HTML, and exporting each chart.

Article text is untrusted: every cell is HTML-escaped (only the sentence
highlights built here are trusted markup), and every table is wrapped in a box
marked ``tex2jax_ignore mathjax_ignore`` (MathJax leaves ``$1.3 billion`` alone)
that scrolls sideways inside the page when it is wider than the page.

:func:`show` displays a chart as PNG. When ``$BORDERDATA_EXPORT_DIR`` is set
(``borderdata report`` sets it per page), it also writes the chart there as PNG
and SVG with the numbers behind it as a tidy CSV, and links the three under the
chart.

>>> "&lt;script&gt;" in html_table(pd.DataFrame({"t": ["<script>"]}))
True
"""

from __future__ import annotations

import html
import io
import math
import os
import re
from collections.abc import Iterable, Sequence
from pathlib import Path

import matplotlib.style as mstyle
import pandas as pd
from matplotlib.figure import Figure

from borderdata.parameters import EXPORT_ENV, STATUS_ORDER
from borderdata.tables import write_bytes_atomic, write_table
from borderdata.views import (
    claim_mentions,
    domain_of,
    format_number,
    sources_used,
    with_source,
)

STYLE = "borderdata.borderdata"  # matplotlib reads a package's style with importlib.resources
PNG_METADATA = {"Software": None}
SVG_METADATA = {"Date": None, "Creator": None}
SVG_HASHSALT = "borderdata"
TEXT_CELL = ' style="text-align: left; vertical-align: top; min-width: 12em; max-width: 40em"'
TABLE_BOX = "borderdata-table tex2jax_ignore mathjax_ignore"
HIDDEN_COLUMNS = ("fact_id",)  # kept in the exported CSV for tracing, too long to read in a page


# --------------------------------------------------------------------------- tables


class SafeTable:
    """A table shown in notebooks as escaped HTML (never as Markdown, LaTeX or live HTML)."""

    def __init__(self, frame: pd.DataFrame, html_columns: Iterable[str] = (), caption: str = "") -> None:
        redundant = ["outlet", "published"] if {"source", "sources"} & set(frame.columns) else []
        redundant += list(HIDDEN_COLUMNS)
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

    The wrapper scrolls sideways on its own when the table is wider than the page, and
    carries ``tex2jax_ignore mathjax_ignore`` so MathJax leaves ``$`` alone.
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
        f'<div class="{TABLE_BOX}" style="max-width: 100%; overflow-x: auto; max-height: 40em; '
        f'overflow-y: auto">'
        f'<table class="dataframe">{cap}<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'
        f"{empty}</div>"
    )


def highlight(sentence: str, surface: str) -> str:
    """``sentence`` escaped with ``surface`` marked: the check page's highlighter, one for both (imported
    on use, so a page without highlights does not load the checker)."""
    from borderdata.checkpage import highlight as check_highlight

    return check_highlight(sentence, surface)


def highlighted_facts(facts: pd.DataFrame) -> SafeTable:
    """Facts with each number highlighted in its sentence, as a safe HTML table."""
    frame = (
        facts.pipe(with_source)
        .assign(
            sentence=[highlight(s, f) for s, f in zip(facts["sentence"], facts["surface"], strict=True)],
        )
        .loc[
            :,
            ["source", "value", "unit", "qualifier", "category", "subject", "location", "period", "sentence"],
        ]
    )
    return SafeTable(frame, html_columns=("sentence",))


def show_table(frame: pd.DataFrame, caption: str = "") -> SafeTable:
    """Wrap a frame for display under a chart (escaped HTML, plain-text repr for nbval)."""
    return SafeTable(frame, caption=caption)


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


# --------------------------------------------------------------------------- sources


def safe_link(url: str) -> str:
    """An ``<a>`` to ``url`` when it is an http(s) address, else the escaped text (no ``javascript:``).

    >>> safe_link("javascript:alert(1)"), safe_link("https://cbc.ca/a?b=1&c=2")[:40]
    ('javascript:alert(1)', '<a href="https://cbc.ca/a?b=1&amp;c=2" r')
    """
    url = str(url).strip()
    if not re.match(r"https?://", url, flags=re.IGNORECASE) or not domain_of(url):
        return html.escape(url)
    return f'<a href="{html.escape(url, quote=True)}" rel="noopener noreferrer">{html.escape(url)}</a>'


class Sources(SafeTable):
    """The Sources section: every article behind a page (source, date, title, link)."""

    def __repr__(self) -> str:
        return "Sources\n" + super().__repr__()

    def _repr_html_(self) -> str:
        return '<h2 id="sources">Sources</h2>' + super()._repr_html_()


def sources_section(documents: pd.DataFrame, facts: pd.DataFrame | None = None) -> Sources:
    """Every article behind ``facts`` (all documents when None): source, date, title and link."""
    used = sources_used(documents, facts)
    frame = used.assign(link=[safe_link(u) for u in used["url"]]).loc[
        :, ["source", "published", "title", "link", "doc_id"]
    ]
    return Sources(frame.rename(columns={"published": "date"}), html_columns=("link",))


# --------------------------------------------------------------------------- charts and their exports


def to_png(fig: Figure) -> bytes:
    """The figure as PNG bytes, byte-stable (no software or date metadata)."""
    buffer = io.BytesIO()
    with mstyle.context(STYLE, after_reset=True):
        fig.savefig(buffer, format="png", metadata=PNG_METADATA)
    return buffer.getvalue()


def to_svg(fig: Figure) -> bytes:
    """The figure as SVG bytes, byte-stable (no date, fixed ids)."""
    buffer = io.BytesIO()
    with mstyle.context(STYLE, after_reset=True), mstyle.context({"svg.hashsalt": SVG_HASHSALT}):
        fig.savefig(buffer, format="svg", metadata=SVG_METADATA)
    return buffer.getvalue()


def figure_labels(fig: Figure) -> dict[str, str]:
    """Title and axis labels of a figure's first axes (kept with its image in the notebook)."""
    ax = fig.axes[0]
    return {"title": fig.get_suptitle(), "xlabel": ax.get_xlabel(), "ylabel": ax.get_ylabel()}


def slug(text: str) -> str:
    """A file name from a chart's name: ``Seizures by border`` -> ``seizures-by-border``.

    >>> slug("Seizures by border!")
    'seizures-by-border'
    """
    return re.sub(r"[^a-z0-9]+", "-", str(text).lower()).strip("-")[:60] or "chart"


def export_chart(
    fig: Figure, data: pd.DataFrame, name: str, folder: Path, png: bytes | None = None
) -> dict[str, Path]:
    """Write ``name``.png, .svg and .csv (the numbers behind the chart) into ``folder``; ``png`` is the
    figure's PNG when the caller already drew it (drawing is most of the cost)."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = {kind: folder / f"{name}.{kind}" for kind in ("png", "svg", "csv")}
    image = png if png is not None else to_png(fig)
    write_bytes_atomic(paths["png"], lambda tmp: tmp.write_bytes(image))
    write_bytes_atomic(paths["svg"], lambda tmp: tmp.write_bytes(to_svg(fig)))
    write_table(data.reset_index(drop=True), paths["csv"])
    for path in paths.values():
        path.chmod(0o644)
    return paths


def export_links(paths: dict[str, Path], page_folder: Path) -> str:
    """The links under a chart to its exported files, relative to the page."""
    labels = {"png": "PNG", "svg": "SVG", "csv": "data (CSV)"}
    links = " · ".join(
        f'<a href="{html.escape(p.relative_to(page_folder).as_posix(), quote=True)}" download>{labels[k]}</a>'
        for k, p in paths.items()
    )
    return f'<p class="borderdata-exports">Download this chart: {links}</p>'


def show(fig: Figure, data: pd.DataFrame | None = None, name: str = "") -> None:
    """Display ``fig`` as a PNG (title and axis labels kept in the output metadata); under the
    report, also export it with ``data`` (the numbers behind it) and link the files."""
    from IPython.display import HTML, Image, display

    png = to_png(fig)
    display(Image(data=png, format="png", metadata={"borderdata": figure_labels(fig)}))
    folder = os.environ.get(EXPORT_ENV)
    if folder and data is not None:
        target = Path(folder)
        paths = export_chart(fig, data, slug(name or fig.get_suptitle()), target, png)
        display(HTML(export_links(paths, target.parent)))
