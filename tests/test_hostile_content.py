"""Hostile article text, titles and outlet names are shown as text in tables, charts and the report.

Complements ``test_charts.py`` / ``test_report.py`` / ``test_browser.py`` (``<script>`` and
``<img onerror>``) with what else untrusted text can try: ``javascript:`` links in HTML and
in Markdown, LaTeX that MathJax or mathtext would typeset, attribute breakouts, pre-escaped
entities (which must show literally), direction overrides and extremely long tokens. The
HTML helpers are checked by parsing what they produce; if Chromium is installed, a report
page built from tables full of such text is loaded in it and checked after scripts ran.
"""

from __future__ import annotations

import re
import shutil
from html.parser import HTMLParser

import pandas as pd
import pytest

from borderdata import charts, report
from borderdata.tables import write_table
from tests.test_charts import sample_commitments, sample_documents, sample_facts, sample_status

CANARY = "document.title='pwned'"
HOSTILE = {
    "script": f"<script>{CANARY}</script>",
    "img": f'<img src=x onerror="{CANARY}">',
    "svg": f'<svg onload="{CANARY}"><circle r=1></svg>',
    "html-link": f'<a href="javascript:{CANARY}">click</a>',
    "bare-js-url": f"javascript:{CANARY}",
    "markdown-link": f"[click me](javascript:{CANARY}) and ![x](javascript:{CANARY})",
    "markdown-html": f'**bold** <details open ontoggle="{CANARY}">',
    "latex-inline": r"$\frac{1}{0}$ and $x^2$ and $$\begin{align}a\end{align}$$",
    "latex-broken": r"$\frac{ and \( \href{javascript:alert(1)}{x} \)",
    "attribute-breakout": f"\"'><script>{CANARY}</script>",
    "table-breakout": f"</td></tr></table><script>{CANARY}</script>",
    "pre-escaped": "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &#x3C;b&#x3E;",
    "template": "{{7*7}} ${7*7} <%= 7*7 %>",
    "rtl": "\u202eTXT.EXE\u202c \u200f\u200b",
    "long-token": "A" * 20_000,
    "long-url": "https://example.org/" + "x" * 5_000 + f"?q=<script>{CANARY}</script>",
}
ALLOWED_TAGS = {"div", "table", "caption", "thead", "tbody", "tr", "th", "td", "mark", "p", "em"}
ALLOWED_ATTRIBUTES = {"class", "style"}


class _Cells(HTMLParser):
    """Tags, attributes and the text of every cell of an HTML fragment."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []
        self.cells: list[str] = []
        self._cell: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, attrs))
        if tag in ("td", "th"):
            self._cell = []

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None:
            self.cells.append("".join(self._cell))
            self._cell = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


def parse(fragment: str) -> _Cells:
    parser = _Cells()
    parser.feed(fragment)
    parser.close()
    return parser


def assert_only_table_markup(fragment: str) -> _Cells:
    parsed = parse(fragment)
    for tag, attrs in parsed.tags:
        assert tag in ALLOWED_TAGS, f"<{tag}> from untrusted text"
        assert {name for name, _ in attrs} <= ALLOWED_ATTRIBUTES, (tag, attrs)
        for _, value in attrs:
            assert "javascript:" not in (value or "").lower()
    return parsed


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_html_table_shows_hostile_text_as_text(name):
    text = HOSTILE[name]
    frame = pd.DataFrame({"title": [text], "outlet": [text], "value": [1.5]})
    fragment = charts.html_table(frame, caption=text)
    parsed = assert_only_table_markup(fragment)
    assert parsed.cells[-3:-1] == [text, text]  # the text itself, character for character
    assert "tex2jax_ignore" in fragment and "mathjax_ignore" in fragment  # MathJax leaves "$" alone


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_highlight_marks_only_the_number(name):
    text = HOSTILE[name]
    sentence = f"{text} seized 12 kilograms {text}"
    fragment = charts.highlight(sentence, "12 kilograms")
    parsed = assert_only_table_markup(fragment)
    assert [tag for tag, _ in parsed.tags] == ["mark"]
    hostile_surface = charts.highlight(sentence, text)
    assert [tag for tag, _ in assert_only_table_markup(hostile_surface).tags] == ["mark"]


def test_highlighted_facts_with_hostile_sentences_subjects_and_outlets():
    text = " ".join(HOSTILE.values())
    facts = sample_facts().assign(outlet=HOSTILE["html-link"], subject=text)
    facts["sentence"] = [f"{text} {surface} {text}" for surface in facts["surface"]]
    fragment = charts.highlighted_facts(facts)._repr_html_()
    parsed = assert_only_table_markup(fragment)
    assert sum(1 for tag, _ in parsed.tags if tag == "mark") == len(facts)
    assert any(HOSTILE["html-link"] in cell for cell in parsed.cells)


def test_safe_tables_offer_no_markdown_or_latex_to_jupyter():
    table = charts.show_table(pd.DataFrame({"t": [HOSTILE["markdown-link"], HOSTILE["latex-inline"]]}))
    for method in ("_repr_markdown_", "_repr_latex_", "_repr_javascript_", "_repr_svg_", "_repr_json_"):
        assert not hasattr(table, method), method
    from IPython.core.formatters import DisplayFormatter

    data, _ = DisplayFormatter().format(table)
    assert set(data) == {"text/plain", "text/html"}


def _chart_cases(text: str) -> dict[str, object]:
    facts = sample_facts().assign(outlet=text, subject=lambda d: d["subject"].fillna("") + " " + text)
    documents = sample_documents().assign(outlet=text, title=text)
    commitments = sample_commitments().assign(program=text)
    return {
        "facts_by_category": lambda: charts.facts_by_category_chart(
            charts.facts_per_document(facts, documents)
        ),
        "border_seizures": lambda: charts.border_seizures_chart(charts.mass_seizures(facts, "kg"), "kg"),
        "funding_timeline": lambda: charts.funding_timeline_chart(commitments, "CAD", extra_note=text),
        "asset_counts": lambda: charts.asset_counts_chart(
            charts.latest_counts(charts.asset_counts(facts)), text
        ),
        "claims_status": lambda: charts.claims_status_chart(sample_status(), note=text),
    }


@pytest.mark.parametrize("name", ["latex-inline", "latex-broken", "long-token", "rtl", "script"])
@pytest.mark.parametrize("chart", ["facts_by_category", "border_seizures", "funding_timeline", "asset_counts",
                                   "claims_status"])  # fmt: skip
def test_charts_draw_hostile_labels_as_plain_text(name, chart):
    text = HOSTILE[name][:4_000]  # long enough to overflow any label; longer only costs time
    fig = _chart_cases(text)[chart]()
    assert charts.to_png(fig).startswith(b"\x89PNG")  # broken mathtext would raise here
    shown = [t.get_text() for t in fig.findobj(lambda a: hasattr(a, "get_text"))]
    assert not any(re.search(r"\\frac|\^2", s) and "$" not in s for s in shown)


def test_report_index_escapes_titles_summaries_and_errors(tmp_path):
    text = " ".join(HOSTILE[k] for k in ("script", "img", "html-link", "markdown-link"))
    result = report.NotebookResult(
        name="00-x", html_path=None, executed_path=None, title=text, summary=text, thumbnail=None,
        seconds=0.0, error=text, failing_cell=3,
    )  # fmt: skip
    tables = tmp_path / "tables"
    tables.mkdir()
    page = report.write_index([result], tmp_path, tables, {"note": text}).read_text(encoding="utf-8")
    body = page[page.index("<body") :]
    assert "<script>" not in body and "<img src=x" not in body and 'href="javascript:' not in body
    assert "&lt;script&gt;" in body


# --------------------------------------------------------------------------- in a real browser

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="module")
def hostile_page(tmp_path_factory):
    if CHROMIUM is None:
        pytest.skip("chromium is not installed: run `make browser`")
    tables = tmp_path_factory.mktemp("hostile-tables")
    text = " ".join(v for k, v in HOSTILE.items() if k != "long-token") + " " + "B" * 3_000
    documents = sample_documents().assign(title=text, outlet=HOSTILE["html-link"])
    facts = sample_facts().assign(outlet=HOSTILE["markdown-link"], subject=HOSTILE["latex-inline"])
    facts["sentence"] = [f"{text} {surface} {text}" for surface in facts["surface"]]
    write_table(documents, tables / "documents.csv")
    write_table(facts, tables / "facts.csv")
    out = tmp_path_factory.mktemp("hostile-report")
    notebook = report.NOTEBOOKS / "00-explore-the-corpus.ipynb"
    results = report.build_report([notebook], out, {"tables_dir": str(tables)})
    assert all(r.ok for r in results), [(r.name, r.error) for r in results]
    from tests.test_browser import dump_dom, title_of

    return dump_dom(out / "00-explore-the-corpus.html"), dump_dom(out / "index.html"), title_of


class _Elements(HTMLParser):
    """Every element's tag and attributes, and the text of every script, in a DOM dump."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict[str, str]]] = []
        self.scripts: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, {k.lower(): v or "" for k, v in attrs}))
        self._in_script = tag == "script"

    def handle_endtag(self, tag):
        self._in_script = False

    def handle_data(self, data):
        if self._in_script:
            self.scripts.append(data)


def test_hostile_report_runs_nothing_in_chromium(hostile_page):
    page, index, title_of = hostile_page
    for dom in (page, index):
        assert "pwned" not in title_of(dom)
        parsed = _Elements()
        parsed.feed(dom)
        assert not any("pwned" in script for script in parsed.scripts)
        for tag, attrs in parsed.elements:
            for name, value in attrs.items():
                assert not value.strip().lower().startswith("javascript:"), (tag, name, value[:80])
                assert not (name.startswith("on") and "pwned" in value), (tag, name)
            assert tag not in ("svg", "details") or not any(n.startswith("on") for n in attrs), tag


def test_hostile_report_shows_the_text(hostile_page):
    page, _, _ = hostile_page
    assert "[click me](javascript:document.title='pwned')" in page.replace("&#39;", "'")
    assert "$\\frac{1}{0}$" in page  # left for the reader to see, not typeset
    assert "&amp;lt;script&amp;gt;" in page  # pre-escaped text shows its entities literally
    assert "B" * 3_000 in page
