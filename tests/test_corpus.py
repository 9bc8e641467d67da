"""Corpus reading: body rules and metadata on the seeds, every bad-input case, HTML."""

from __future__ import annotations

import hashlib
import os
import shutil
from datetime import date
from pathlib import Path

import pytest

from borderdata import corpus
from borderdata.corpus import (
    CorpusWarning,
    Problem,
    find_body,
    load_corpus,
    load_rules,
    read_document,
)
from tests.conftest import SEEDS


def test_seeds_are_byte_identical_to_shared():
    shared = SEEDS.parents[1] / "shared" / "seeds"
    if not shared.is_dir():
        pytest.skip("../shared/seeds not beside this checkout")
    for original in shared.iterdir():
        assert (SEEDS / original.name).read_bytes() == original.read_bytes()


def test_documents_are_sorted_by_doc_id(seed_docs):
    ids = [d.doc_id for d in load_corpus([SEEDS])]
    assert ids == sorted(ids) and len(ids) == 5


@pytest.mark.parametrize(
    ("key", "title", "published", "outlet", "author"),
    [
        (
            "001",
            "Canadian Officials Intensify Fentanyl Crackdown to Address U.S. Border Concerns",
            date(2025, 1, 29),
            "",
            "",
        ),
        (
            "002",
            "A closer look at Canadian efforts to address U.S. concerns about border security",
            date(2025, 3, 4),
            "The Canadian Press",
            "Jim Bronskill",
        ),
        ("003", "", date(2025, 2, 1), "", ""),
        (
            "004",
            "Little progress being made in Canada-U.S. trade talks as Carney's focus shifts to Mexico",
            date(2025, 9, 17),
            "National Post",
            "Tracy Moran",
        ),
    ],
)
def test_seed_metadata(seed_docs, key, title, published, outlet, author):
    doc = seed_docs[key]
    assert (doc.title, doc.published, doc.outlet, doc.author) == (title, published, outlet, author)


def test_outlet_from_told_outlet(seed_docs):
    assert seed_docs["000"].outlet == "CTV News"


@pytest.mark.parametrize(
    ("header", "outlet", "author"),
    [
        ("By Maria Lopez | Associated Press", "Associated Press", "Maria Lopez"),
        ("Jim Bronskill, The Canadian Press", "The Canadian Press", "Jim Bronskill"),
        ("WASHINGTON (AP) — Agents seized 11 pounds of fentanyl.", "The Associated Press", ""),
        ("OTTAWA (CP) — The government earmarked $200 million.", "The Canadian Press", ""),
    ],
)
def test_outlet_and_author_from_bylines_and_datelines(tmp_path, header, outlet, author):
    (tmp_path / "a.txt").write_text(f"Border drones arrive in Manitoba\n{header}\nMore text follows here.\n")
    doc = load_corpus([tmp_path])[0]
    assert (doc.outlet, doc.author) == (outlet, author)
    assert ("|" not in doc.body) and ("Jim Bronskill," not in doc.body)


def test_date_in_story_is_not_publication_date(tmp_path):
    # A date that merely appears in the story (an embedded tweet's) is not the article's.
    (tmp_path / "a.txt").write_text("Talks went well.\n— Someone (@someone) August 27, 2025\nMore talks.\n")
    assert load_corpus([tmp_path])[0].published is None


def test_manifest_overrides_detection(tmp_path):
    (tmp_path / "a.txt").write_text("Source Feed: Wrong Outlet\nSome article text here.\n")
    (tmp_path / "manifest.csv").write_text(
        "file,title,outlet,published,author,url\na.txt,My title,Right,2024-05-06,,\n"
    )
    doc = load_corpus([tmp_path])[0]
    assert (doc.title, doc.outlet, doc.published) == ("My title", "Right", date(2024, 5, 6))


def test_appended_stories_are_excluded(seed_docs):
    body = seed_docs["004"].body
    assert "notwithstanding clause" not in body and "COVID-19" not in body and "Section 33" not in body
    assert "We can always be surprised." in body


def test_repeated_paragraph_kept_once(seed_docs):
    assert seed_docs["002"].body.count("The United States imposed sweeping tariffs Tuesday") == 1


@pytest.mark.parametrize(
    ("key", "furniture"),
    [
        ("002", "Skip to content"),
        ("002", "push icon"),
        ("002", "Enable push notifications"),
        ("002", "No thanks"),
        ("002", "Jim Bronskill, The Canadian Press"),
        ("004", "Hello!"),
        ("004", "Source Feed:"),
        ("004", "Author:"),
        ("004", "Publication Date:"),
        ("004", "Please bookmark"),
        ("004", "| Unpublished"),
        ("003", "date 2025-02-01"),
        ("000", "pic.twitter.com"),
    ],
)
def test_furniture_is_left_out(seed_docs, key, furniture):
    assert furniture not in seed_docs[key].body


def test_body_spans_point_into_text(seed_docs):
    for doc in seed_docs.values():
        for start, end in doc.body_spans:
            assert doc.text[start:end] == doc.text[start:end].strip() != ""
        assert list(doc.body_spans) == sorted(doc.body_spans)


def test_text_is_the_whole_file(seed_docs):
    for doc in seed_docs.values():
        assert doc.text == doc.path.read_text(encoding="utf-8")
        assert doc.sha256 == hashlib.sha256(doc.path.read_bytes()).hexdigest()


def test_a_user_can_add_a_furniture_pattern(tmp_path, monkeypatch):
    rules = tmp_path / "rules.toml"
    rules.write_text(
        (SEEDS.parent / "src" / "borderdata" / "corpus.toml")
        .read_text()
        .replace("lines = [\n  '^skip", "lines = [\n  '^sponsored by acme$',\n  '^skip", 1)
    )
    text = "Headline about border drones\nSponsored by ACME\nCanada bought 12 drones.\n"
    assert "Sponsored" in "".join(text[s:e] for s, e in find_body(text))
    monkeypatch.setenv("BORDERDATA_CORPUS_RULES", str(rules))
    load_rules.cache_clear()
    try:
        assert "Sponsored" not in "".join(text[s:e] for s, e in find_body(text, load_rules()))
    finally:
        load_rules.cache_clear()


# --- encodings and formats ----------------------------------------------------------------------


def test_utf8_bom_is_read(tmp_path):
    (tmp_path / "a.txt").write_bytes(b"\xef\xbb\xbfCanada deployed 12 drones.\n")
    doc = load_corpus([tmp_path])[0]
    assert doc.encoding == "utf-8-sig" and doc.text.startswith("Canada")


def test_cp1252_fallback_warns_and_records(tmp_path):
    (tmp_path / "a.txt").write_bytes("Canada’s plan costs $1.3 billion.\n".encode("cp1252"))
    with pytest.warns(CorpusWarning, match="a.txt"):
        doc = load_corpus([tmp_path])[0]
    assert doc.encoding == "cp1252" and "Canada’s" in doc.text


def test_crlf_newlines_are_normalised(tmp_path):
    (tmp_path / "a.txt").write_bytes(b"Headline here now\r\nBody line one.\r\n")
    assert "\r" not in load_corpus([tmp_path])[0].text


def test_html_visible_text_and_metadata(tmp_path):
    (tmp_path / "a.html").write_text(
        "<html><head><title>T | Site</title><meta property='og:title' content='Drones at the border'>"
        "<meta property='article:published_time' content='2025-03-01T10:00:00Z'>"
        "<meta property='og:site_name' content='CBC News'><script>var x = 99;</script>"
        "<style>p {width: 300px}</style></head><body><nav>Skip to content</nav>"
        "<h1>Drones at the border</h1><p>Canada bought <b>12</b> drones &amp; 2 planes.</p>"
        "<p onclick='alert(1)'>Second paragraph.</p></body></html>"
    )
    doc = load_corpus([tmp_path])[0]
    assert doc.title == "Drones at the border"
    assert doc.published == date(2025, 3, 1) and doc.outlet == "CBC News"
    assert "Canada bought 12 drones & 2 planes." in doc.body
    assert "99" not in doc.text and "300px" not in doc.text and "alert" not in doc.text


def test_markdown_is_read(tmp_path):
    (tmp_path / "a.md").write_text("# Drones at the border\n\nCanada bought 12 drones.\n")
    assert "12 drones" in load_corpus([tmp_path])[0].body


def test_folders_are_searched_recursively(tmp_path):
    (tmp_path / "2025" / "03").mkdir(parents=True)
    (tmp_path / "2025" / "03" / "b.txt").write_text("Canada bought 12 drones.\n")
    (tmp_path / "a.txt").write_text("Canada bought 4 helicopters.\n")
    assert [d.doc_id for d in load_corpus([tmp_path])] == ["a", "b"]


# --- bad input: a clear message naming the file, the others still read ---------------------------


def _read_with_one_bad(
    tmp_path: Path, name: str, content: bytes | None, **kwargs
) -> tuple[list, list[Problem]]:
    (tmp_path / "good.txt").write_text("Canada bought 12 drones.\n")
    if content is not None:
        (tmp_path / name).write_bytes(content)
    problems: list[Problem] = []
    docs = load_corpus([tmp_path, *kwargs.pop("extra_paths", [])], problems=problems, **kwargs)
    return docs, problems


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("empty.txt", b"", "empty"),
        ("blank.txt", b"  \n\n ", "empty"),
        ("binary.txt", b"PK\x03\x04\x00\x00binary", "binary"),
        ("undecodable.txt", b"abc \x81\x8d\x8f\x90\x9d def", "cannot decode"),
        ("controls.txt", bytes(range(1, 32)) * 20, "does not look like text"),
        ("empty.html", b"<html><script>x</script></html>", "no visible text"),
    ],
)
def test_bad_file_is_named_and_others_still_read(tmp_path, name, content, reason):
    docs, problems = _read_with_one_bad(tmp_path, name, content)
    assert [d.doc_id for d in docs] == ["good"]
    assert len(problems) == 1 and problems[0].severity == "error"
    assert problems[0].path.name == name and reason in problems[0].reason
    assert name in str(problems[0])


def test_file_over_size_limit(tmp_path):
    docs, problems = _read_with_one_bad(tmp_path, "big.txt", b"1234 drones. " * 100, max_bytes=1000)
    assert [d.doc_id for d in docs] == ["good"]
    assert "1,300 bytes, over the 1,000-byte limit" in problems[0].reason


def test_unsupported_extension_is_skipped_with_a_note(tmp_path):
    docs, problems = _read_with_one_bad(tmp_path, "scan.pdf", b"%PDF-1.4")
    assert [d.doc_id for d in docs] == ["good"]
    assert problems[0].severity == "skipped" and ".pdf" in problems[0].reason


def test_missing_path(tmp_path):
    docs, problems = _read_with_one_bad(tmp_path, "x", None, extra_paths=[tmp_path / "nowhere"])
    assert [d.doc_id for d in docs] == ["good"]
    assert problems[0].path.name == "nowhere" and "no such file" in problems[0].reason


def test_unreadable_file(tmp_path, monkeypatch):
    (tmp_path / "locked.txt").write_text("Canada bought 4 helicopters.\n")
    original = os.open

    def deny(path, *args, **kwargs):  # chmod 000 does not stop root: refuse the open itself
        if str(path).endswith("locked.txt"):
            raise PermissionError(13, "Permission denied")
        return original(path, *args, **kwargs)

    monkeypatch.setattr(os, "open", deny)
    docs, problems = _read_with_one_bad(tmp_path, "x", None)
    assert [d.doc_id for d in docs] == ["good"]
    assert problems[0].path.name == "locked.txt" and "Permission denied" in problems[0].reason


def test_duplicate_doc_id_is_reported(tmp_path):
    (tmp_path / "one").mkdir()
    (tmp_path / "two").mkdir()
    (tmp_path / "one" / "a.txt").write_text("Canada bought 12 drones.\n")
    (tmp_path / "two" / "a.txt").write_text("Canada bought 4 helicopters.\n")
    problems: list[Problem] = []
    docs = load_corpus([tmp_path], problems=problems)
    assert len(docs) == 1 and "already read" in problems[0].reason


def test_problems_warn_when_no_list_is_given(tmp_path):
    (tmp_path / "empty.txt").write_bytes(b"")
    with pytest.warns(CorpusWarning, match="empty.txt: file is empty"):
        assert load_corpus([tmp_path]) == []


def test_read_document_raises_with_file_and_reason(tmp_path):
    from borderdata.corpus import CorpusError

    (tmp_path / "empty.txt").write_bytes(b"")
    with pytest.raises(CorpusError, match=r"empty\.txt: file is empty"):
        read_document(tmp_path / "empty.txt")


def test_copy_of_seed_elsewhere_reads_the_same(tmp_path, seed_docs):
    shutil.copy(seed_docs["002"].path, tmp_path)
    assert load_corpus([tmp_path])[0].body_spans == seed_docs["002"].body_spans


# --- reading at most the limit, asking for the expected size first ---------------------------------


@pytest.mark.parametrize(
    ("content", "limit", "expected", "read"),
    [
        (b"x" * 100, 1001, 100, 100),  # the size stat gave: read whole
        (b"x" * 100, 1001, 40, 100),  # grew since the stat: read on
        (b"x" * 100, 1001, 400, 100),  # shrank since the stat
        (b"x" * 100, 51, 100, 51),  # over the limit: limit bytes, whatever the stat said
        (b"x" * 100, 51, 10, 51),
        (b"x" * 50, 51, 50, 50),  # exactly at the limit's edge
        (b"", 51, 0, 0),
        (b"x" * 200_000, 300_000, 10, 200_000),  # grew by more than a block: read on, block by block
        (b"x" * 200_000, 150_001, 10, 150_001),
    ],
)
def test_read_at_most_reads_what_the_file_holds_up_to_the_limit(tmp_path, content, limit, expected, read):
    path = tmp_path / "a.txt"
    path.write_bytes(content)
    fd = os.open(path, os.O_RDONLY)
    try:
        assert corpus.read_at_most(fd, limit, expected=expected) == content[:read]
    finally:
        os.close(fd)


def test_the_folder_listing_types_regular_files_only(tmp_path):
    """A file the listing typed regular is opened without a stat first; a FIFO or a link is stat'ed."""
    (tmp_path / "a.txt").write_text("Police seized 12 kg.")
    os.mkfifo(tmp_path / "b.txt")
    (tmp_path / "c.txt").symlink_to(tmp_path / "a.txt")
    listed = [(path.name, typed) for path, typed in corpus.files_under(tmp_path)]
    assert listed == [("a.txt", True), ("b.txt", False), ("c.txt", False)]


def test_a_file_over_the_limit_is_refused_whatever_its_stat_said(tmp_path, monkeypatch):
    path = tmp_path / "grown.txt"
    path.write_bytes(b"Police seized 12 kg. " * 10)
    real_fstat = os.fstat

    def fstat_saying_5_bytes(fd: int) -> os.stat_result:
        fields = real_fstat(fd)
        return os.stat_result((*fields[:6], 5, *fields[7:]))

    monkeypatch.setattr(corpus.os, "fstat", fstat_saying_5_bytes)
    with pytest.raises(corpus.CorpusError, match="limit"):
        corpus.read_source_bytes(path, max_bytes=100)
    assert corpus.read_source_bytes(path, max_bytes=1000) == path.read_bytes()
