"""The rendered report in a real browser: charts and tables present, hostile article text inert.

Takes the report on the hand-made sample (conftest's ``sample_report``, shared with
test_report: its titles and sentences carry ``<script>`` and ``<img onerror=...>`` that
would change ``document.title``) and loads the index and notebook pages in headless
Chromium with ``--dump-dom`` (the DOM after scripts ran). Installs nothing:
``make browser`` and ``.ci/run`` install Debian's ``chromium`` when it is missing.
"""

from __future__ import annotations

import hashlib
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

from borderdata import report

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="chromium is not installed: run `make browser` (it installs Debian's chromium)"
)
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--virtual-time-budget=3000",
)
PAGES = ("00-explore-the-corpus", "02-track-funding-commitments", "04-check-claims-across-outlets")
VIEWPORT = 1280
# Appended to a copy of a page: after layout, record on <body> how far right the widest table box and
# the widest table reach, and the page's own width (the page itself must not scroll sideways).
MEASURE = """<script>
const boxes = [...document.querySelectorAll('.borderdata-table')];
const right = Math.max(0, ...boxes.map(b => b.getBoundingClientRect().right));
const widest = Math.max(0, ...boxes.map(b => b.querySelector('table').scrollWidth));
document.body.setAttribute('data-box-right', Math.ceil(right));
document.body.setAttribute('data-table-width', widest);
document.body.setAttribute('data-page-width', document.documentElement.scrollWidth);
document.body.setAttribute('data-viewport', window.innerWidth);
</script>"""


def measured(page: Path, tmp_path: Path) -> dict[str, int]:
    """The page laid out at 1280 px: how far its table boxes reach and how wide its widest table is."""
    copy = tmp_path / page.name
    copy.write_text(
        page.read_text(encoding="utf-8").replace("</body>", MEASURE + "</body>"), encoding="utf-8"
    )
    dom = dump_dom(copy)
    return {
        k: int(v) for k, v in re.findall(r'data-(box-right|table-width|page-width|viewport)="(\d+)"', dom)
    }


_DOMS: dict[tuple[str, str, str], str] = {}


def dump_dom(page: Path, window: str = "1280,1600") -> str:
    """The page's DOM after its scripts ran, as serialised by headless Chromium at ``window`` px
    (one Chromium run per page, content and window: the same bytes give the same DOM)."""
    key = (page.as_uri(), hashlib.sha256(page.read_bytes()).hexdigest(), window)
    if key not in _DOMS:
        _DOMS[key] = _run_chromium(page, window)
    return _DOMS[key]


def _run_chromium(page: Path, window: str) -> str:
    with tempfile.TemporaryDirectory() as profile:
        done = subprocess.run(
            [
                CHROMIUM,
                *FLAGS,
                f"--window-size={window}",
                f"--user-data-dir={profile}",
                "--dump-dom",
                page.as_uri(),
            ],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


@pytest.fixture(scope="module")
def site(sample_report) -> Path:
    """The sample report with default parameters (built once in conftest, read-only)."""
    out, results = sample_report["default"]
    assert all(r.ok for r in results), [(r.name, r.error) for r in results]
    return out


def title_of(dom: str) -> str:
    match = re.search(r"<title>(.*?)</title>", dom, flags=re.DOTALL)
    return match.group(1) if match else ""


def test_index_lists_pages_with_chart_thumbnails(site):
    dom = dump_dom(site / "index.html")
    assert title_of(dom).startswith("borderdata")
    notebooks = report.find_notebooks()
    assert len(re.findall(r'<img[^>]* src="data:image/png;base64,', dom)) == len(notebooks)
    for notebook in notebooks:
        assert f'href="{notebook.stem}.html"' in dom


def test_notebook_page_has_charts_and_tables(site):
    dom = dump_dom(site / "00-explore-the-corpus.html")
    assert re.search(r'<img[^>]* src="data:image/png;base64,[A-Za-z0-9+/=]{1000,}', dom)
    assert dom.count("<table") >= 3
    assert "<mark>" in dom


@pytest.mark.parametrize("name", PAGES[:2])  # the pages whose tables show the hostile sentence and title
def test_hostile_article_text_is_shown_not_run(site, name):
    dom = dump_dom(site / f"{name}.html")
    assert "pwned" not in title_of(dom)
    assert "&lt;script&gt;document.title" in dom
    assert not re.search(r"<img[^>]*onerror", dom, flags=re.IGNORECASE)
    assert not re.search(r"<script[^>]*>\s*document\.title", dom)


@pytest.mark.parametrize("name", PAGES)
def test_wide_tables_stay_inside_the_viewport_at_1280_px(site, name, tmp_path):
    sizes = measured(site / f"{name}.html", tmp_path)
    assert sizes["viewport"] == VIEWPORT
    assert sizes["box-right"] <= VIEWPORT, sizes  # every table box ends inside the window
    assert sizes["page-width"] <= VIEWPORT, sizes  # the page itself does not scroll sideways


def test_index_shows_sources_with_links(site):
    dom = dump_dom(site / "index.html")
    assert "Sources" in dom and 'href="https://www.gazette.example/seizures"' in dom
