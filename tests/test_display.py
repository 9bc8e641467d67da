"""display.py: tables as escaped HTML, the Sources section, and each chart exported with its data."""

from __future__ import annotations

import pandas as pd

from borderdata import charts, display, views
from borderdata.tables import read_table
from tests.test_charts import sample_documents, sample_facts


def test_tables_escape_article_text_and_shield_dollars_from_mathjax():
    page = display.highlighted_facts(sample_facts())._repr_html_()
    assert "<script>" not in page and "<img" not in page
    assert "&lt;script&gt;" in page and "onerror=&quot;" in page
    assert "<mark>$2 billion</mark>" in page
    assert page.startswith('<div class="borderdata-table tex2jax_ignore mathjax_ignore"')
    assert "overflow-x: auto" in page  # a wide table scrolls inside its own box


def test_safe_table_plain_repr_has_no_addresses():
    table = display.show_table(sample_documents())
    assert " at 0x" not in repr(table)
    assert "&lt;script&gt;" in table._repr_html_()


def test_sources_section_links_only_web_addresses():
    documents = sample_documents().assign(url=["https://a.example/x", "javascript:alert(1)", ""])
    html = display.sources_section(documents)._repr_html_()
    assert '<h2 id="sources">Sources</h2>' in html
    assert '<a href="https://a.example/x"' in html
    assert 'href="javascript' not in html and "javascript:alert(1)" in html
    assert "&lt;script&gt;" in html  # the hostile title is text


def test_export_writes_png_svg_and_the_numbers_behind_the_chart(tmp_path):
    seizures = views.mass_seizures(sample_facts(), "kg")
    paths = display.export_chart(
        charts.border_seizures_chart(seizures, "kg"), seizures, "seizures", tmp_path / "f"
    )
    again = charts.border_seizures_chart(seizures, "kg")
    assert paths["png"].read_bytes() == display.to_png(again)
    assert paths["svg"].read_bytes() == display.to_svg(again)
    exported = read_table(paths["csv"])
    pd.testing.assert_frame_equal(
        exported.astype(str), seizures.astype(str).replace("nan", ""), check_dtype=False
    )
    links = display.export_links(paths, tmp_path)
    assert 'href="f/seizures.svg"' in links and 'href="f/seizures.csv"' in links
