"""The checked article as HTML: every figure marked by its verdict, each mark linked to its receipts.

:func:`page` is a self-contained page (``borderdata check --out FILE.html``); the
same markup is :func:`article_fragment`, shown in notebooks by :func:`marked_article`.
Article and corpus text are untrusted: everything is escaped, links are http(s)
only (:func:`borderdata.check.safe_url`), there is no script and the page's
Content-Security-Policy forbids one. A verdict is a colour *and* a label in words.

>>> from borderdata.check import check_document
>>> from borderdata.schema import empty_facts
>>> result = check_document("Officers seized <b>19.5 kg</b> of fentanyl.", facts=empty_facts())
>>> html_page = page([result])
>>> "&lt;b&gt;" in html_page and "<script" not in html_page
True
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd

from borderdata.check import VERDICTS, CheckResult, named_by_title, outlet_of, safe_url

VERDICT_STYLE = {  # colour, and the words a reader without colour gets
    "corroborated": ("#1b7837", "corroborated"),
    "updated": ("#2166ac", "updated"),
    "conflicting": ("#b2182b", "conflicting"),
    "new": ("#6b6b6b", "new"),
    "review": ("#b35806", "review"),
}
VERDICT_MEANING = {
    "corroborated": "other outlets state the same claim",
    "updated": "other outlets state this quantity for an earlier or later date",
    "conflicting": "other outlets state this claim with a different value",
    "new": "no other outlet in the corpus states it",
    "review": "the match is uncertain: read the reason",
}
PAGE_CSS = """
.bdc { font-family: "DejaVu Sans", Helvetica, Arial, sans-serif; color: #222; line-height: 1.6;
       max-width: 60em; }
.bdc .meta { color: #555; margin-top: 0; }
.bdc .article p { margin: 0 0 0.8em; }
.bdc a.fig { color: inherit; text-decoration: none; border-bottom: 3px solid; padding: 0 0.1em; }
.bdc a.fig:focus, .bdc a.fig:hover { outline: 2px solid #222; }
.bdc .tag { font-size: 0.72em; font-variant: small-caps; font-weight: bold; margin-left: 0.2em; }
.bdc .receipt { border-left: 4px solid; padding: 0.3em 0.8em; margin: 0.8em 0; }
.bdc .receipt:target { background: #fff7d6; outline: 2px solid #222; }
.bdc .receipt h3 { font-size: 1em; margin: 0 0 0.3em; }
.bdc .receipt blockquote { margin: 0.3em 0 0.3em 1em; }
.bdc .receipt .src { color: #444; font-size: 0.9em; }
.bdc mark { background: #ffe08a; color: #000; }
.bdc a.v-corroborated { background: #e3f2e1; } .bdc a.v-updated { background: #e1ebf5; }
.bdc a.v-conflicting { background: #f7e1e3; } .bdc a.v-new { background: #eeeeee; }
.bdc a.v-review { background: #fbeedd; }
.bdc .why { color: #444; font-size: 0.9em; }
.bdc dl.legend dt { display: inline; font-weight: bold; }
.bdc dl.legend dd { display: inline; margin: 0 1em 0 0.3em; }
"""
PAGE_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"


def highlight(sentence: str, surface: str) -> str:
    """The escaped sentence with the escaped ``surface`` in ``<mark>``.

    >>> highlight("Seized <b>19.5 kg</b>.", "19.5 kg")
    'Seized &lt;b&gt;<mark>19.5 kg</mark>&lt;/b&gt;.'
    """
    at = sentence.find(surface) if surface else -1
    if at < 0:
        return html.escape(sentence) if sentence else f"<mark>{html.escape(surface)}</mark>"
    end = at + len(surface)
    return f"{html.escape(sentence[:at])}<mark>{html.escape(surface)}</mark>{html.escape(sentence[end:])}"


def _mark(number: int, row: Mapping[str, Any], text: str) -> str:
    colour, label = VERDICT_STYLE[row["verdict"]]
    tip = html.escape(f"{label}: {row['why']}", quote=True)
    return (
        f'<a class="fig v-{label}" id="bdc-f{number}" href="#bdc-r{number}" style="border-color: {colour}" '
        f'title="{tip}">{html.escape(text)}<span class="tag" style="color: {colour}">[{label}]</span></a>'
    )


def _marked_span(text: str, start: int, end: int, marks: list[tuple[int, int, int, Mapping]]) -> str:
    """``text[start:end]`` escaped, with the figures inside it marked, paragraphs as ``<p>``."""
    pieces, at = [], start
    for number, s, e, row in marks:
        if s < at or e > end or s < start:
            continue  # overlapping or outside the body: listed in the receipts only
        pieces += [html.escape(text[at:s]), _mark(number, row, text[s:e])]
        at = e
    pieces.append(html.escape(text[at:end]))
    paragraphs = re.split(r"\n\s*\n|\n", "".join(pieces))
    return "\n".join(f"<p>{p.strip()}</p>" for p in paragraphs if p.strip())


def _article_body(result: CheckResult) -> str:
    doc, table = result.document, result.table
    rows = table.sort_values(["start", "end"], kind="stable").to_dict("records")
    marks = [(i, int(r["start"]), int(r["end"]), r) for i, r in enumerate(rows, start=1)]
    spans = doc.body_spans or ((0, len(doc.text)),)
    return "\n".join(_marked_span(doc.text, s, e, marks) for s, e in spans)


def _receipt(number: int, row: Mapping[str, Any], receipts: pd.DataFrame) -> str:
    colour, label = VERDICT_STYLE[row["verdict"]]
    mine = receipts.loc[receipts["fact_id"] == row["fact_id"]].to_dict("records")
    quotes = []
    for other in mine:
        url = safe_url(other.get("url", ""))
        title = html.escape(str(other.get("title") or "untitled"))
        title = (
            f'<a href="{html.escape(url, quote=True)}" rel="noopener noreferrer">{title}</a>'
            if url
            else title
        )
        when = other["published"] or "undated"
        where = html.escape(when if named_by_title(other) else f"{outlet_of(other)}, {when}")
        quotes.append(
            f'<li><span class="src">{where}: {title}</span>'
            f"<blockquote>{highlight(str(other['sentence']), str(other['surface']))}</blockquote></li>"
        )
    listed = f"<ul>{''.join(quotes)}</ul>" if quotes else "<p>No other outlet in the corpus states it.</p>"
    return (
        f'<section class="receipt v-{label}" id="bdc-r{number}" style="border-color: {colour}">'
        f'<h3><span class="tag" style="color: {colour}">[{label}]</span> {html.escape(str(row["surface"]))} '
        f"<small>({html.escape(str(row['subject']) or 'no subject')})</small></h3>"
        f'<p class="why">{html.escape(str(row["why"]))}</p>{listed}'
        f'<p><a href="#bdc-f{number}">back to the text</a></p></section>'
    )


def article_fragment(result: CheckResult) -> str:
    """The checked article as an HTML fragment: figures marked by verdict, each linked to its receipts.

    Every piece of article and corpus text is escaped; links are http(s) only; no script.
    """
    doc = result.document
    rows = result.table.sort_values(["start", "end"], kind="stable").to_dict("records")
    meta = " · ".join(
        x
        for x in (doc.outlet, doc.published.isoformat() if doc.published else "undated", doc.source_file)
        if x
    )
    legend = "".join(
        f'<dt style="color: {VERDICT_STYLE[v][0]}">[{v}]</dt><dd>{html.escape(VERDICT_MEANING[v])}</dd>'
        for v in VERDICTS
    )
    receipts = "\n".join(_receipt(i, r, result.receipts) for i, r in enumerate(rows, start=1))
    return (
        f'<div class="bdc tex2jax_ignore mathjax_ignore"><style>{PAGE_CSS}</style>'
        f"<h2>{html.escape(doc.title or doc.doc_id)}</h2>"
        f'<p class="meta">{html.escape(meta)}</p>'
        f'<p class="summary"><strong>{html.escape(result.summary())}</strong></p>'
        f'<dl class="legend">{legend}</dl>'
        f'<div class="article">{_article_body(result)}</div>'
        f'<h2>Receipts</h2><div class="receipts">{receipts}</div></div>'
    )


def page(results: Sequence[CheckResult]) -> str:
    """A self-contained HTML page of one or more checked articles (no script, a CSP that forbids one)."""
    title = "Fact check: " + "; ".join(r.document.title or r.document.doc_id for r in results)
    body = "\n<hr>\n".join(article_fragment(r) for r in results)
    return (
        "<!DOCTYPE html>\n"
        f'<html lang="en"><head><meta charset="utf-8">'
        f'<meta http-equiv="Content-Security-Policy" content="{PAGE_CSP}">'
        f'<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{html.escape(title)}</title></head>\n<body>\n{body}\n</body></html>\n"
    )


class SafeHTML:
    """Trusted-by-construction HTML for a notebook: shown as HTML, with a plain-text repr for nbval."""

    def __init__(self, markup: str, text: str) -> None:
        self.markup, self.text = markup, text

    def _repr_html_(self) -> str:
        return self.markup

    def __repr__(self) -> str:
        return self.text


def marked_article(result: CheckResult) -> SafeHTML:
    """The checked article for display in a notebook (see :func:`article_fragment`)."""
    return SafeHTML(article_fragment(result), f"{result.document.doc_id}: {result.summary()}")
