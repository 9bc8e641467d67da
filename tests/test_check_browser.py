"""The checked article's page in headless Chromium: marks present, receipts reachable, hostile text inert.

The article and a corpus document carry ``<script>`` and ``<img onerror=...>`` that would
change ``document.title``, and the corpus document's URL is ``javascript:``; the page is
loaded with ``--dump-dom`` (the DOM after scripts ran). Installs nothing: ``make browser``
and ``.ci/run`` install Debian's ``chromium`` when it is missing.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest

from borderdata.check import check_document
from borderdata.checkpage import page
from borderdata.corpus import PROJECT_ROOT, build_document, load_corpus
from borderdata.extract import extract_facts
from tests.test_browser import CHROMIUM, dump_dom

pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="chromium is not installed: run `make browser` (it installs Debian's chromium)"
)
HOSTILE = "<script>document.title='pwned'</script><img src=x onerror=\"document.title='pwned'\">"


@pytest.fixture(scope="module")
def checked(tmp_path_factory) -> tuple[Path, object]:
    seeds = load_corpus([PROJECT_ROOT / "seeds"])
    billion = next(d for d in seeds if "border security package" in d.text)
    sentence = next(s for s in billion.text.split("\n") if "$1.3 billion border security package" in s)
    hostile_source = build_document(
        "hostile-source", Path("hostile-source.txt"), f"Border news {HOSTILE}\n\n{sentence} {HOSTILE}\n"
    )
    facts = extract_facts([*seeds, hostile_source])
    documents = pd.DataFrame(
        [
            {**d.to_record(), "url": "https://example.org/" + d.doc_id} for d in seeds
        ] + [{**hostile_source.to_record(), "title": f"Title {HOSTILE}", "url": "javascript:alert('pwned')"}]
    )  # fmt: skip
    article = build_document(
        "hostile-article", Path("hostile.txt"), f"Headline {HOSTILE}\n\nOttawa said {HOSTILE} {sentence}\n"
    )
    result = check_document(article, facts=facts, documents=documents, published="2025-03-01")
    out = tmp_path_factory.mktemp("check-page") / "check.html"
    out.write_text(page([result]), encoding="utf-8")
    return out, result


def title_of(dom: str) -> str:
    match = re.search(r"<title>(.*?)</title>", dom, flags=re.DOTALL)
    return match.group(1) if match else ""


def test_every_figure_is_marked_with_its_verdict_in_words(checked):
    path, result = checked
    dom = dump_dom(path, window="1200,1600")
    marks = re.findall(r'<a class="fig v-(\w+)"[^>]*>.*?<span class="tag"[^>]*>\[(\w+)\]</span></a>', dom)
    assert len(marks) == len(result.table) > 0
    assert [m[0] for m in marks] == [m[1] for m in marks]  # the label says what the colour says
    assert sorted(m[0] for m in marks) == sorted(result.table["verdict"])


def test_every_mark_reaches_its_receipt(checked):
    path, result = checked
    dom = dump_dom(path, window="1200,1600")
    targets = re.findall(r'class="fig [^"]*" id="bdc-f(\d+)" href="#bdc-r(\d+)"', dom)
    assert targets and all(f == r for f, r in targets)
    for _, number in targets:
        assert f'id="bdc-r{number}"' in dom
    corroborated = result.table.loc[result.table["verdict"] == "corroborated"]
    assert len(corroborated)
    assert dom.count("<blockquote>") >= len(result.receipts) > 0
    assert re.search(r"<blockquote>[^<]*<mark>\$1\.3 billion</mark>", dom)
    assert 'href="https://example.org/' in dom


def test_hostile_text_is_shown_not_run(checked):
    path, _ = checked
    dom = dump_dom(path, window="1200,1600")
    assert title_of(dom).startswith("Fact check: Headline &lt;script&gt;")  # shown, never run
    assert "&lt;script&gt;document.title" in dom
    assert not re.search(r"<img[^>]*onerror", dom, flags=re.IGNORECASE)
    assert not re.search(r"<script", dom, flags=re.IGNORECASE)
    assert "javascript:" not in re.sub(r"&lt;.*?&gt;", "", " ".join(re.findall(r'href="[^"]*"', dom)))
