"""Hostile input files: links, devices, bad names and encodings, broken manifests and archives,
bombs and bait. Each gives one message naming the file and the reason; the other files are read."""

from __future__ import annotations

import contextlib
import gzip
import json
import os
import signal
import subprocess
import sys
import time
import tracemalloc
import warnings
from pathlib import Path

import pandas as pd
import pytest

from borderdata import cli, engine
from borderdata.corpus import (
    Problem,
    iter_jsonl_lines,
    iter_sources,
    load_corpus,
    parse_date,
    read_source_bytes,
)
from borderdata.extract import extract_facts

GOOD = "Canada bought 12 drones for the border.\n"


def _read(paths: list[Path], **kwargs) -> tuple[list[str], list[Problem]]:
    problems: list[Problem] = []
    docs = load_corpus(paths, problems=problems, **kwargs)
    return [d.doc_id for d in docs], problems


def _only(problems: list[Problem], severity: str | None = None) -> Problem:
    assert len(problems) == 1, [str(p) for p in problems]
    if severity:
        assert problems[0].severity == severity
    return problems[0]


@contextlib.contextmanager
def _deadline(seconds: int):
    """Fail instead of hanging (a FIFO opened for reading blocks until a writer comes)."""

    def expire(*_):
        raise TimeoutError(f"still running after {seconds} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


@pytest.fixture
def raw(tmp_path) -> Path:
    """An input folder holding one good article."""
    folder = tmp_path / "raw"
    folder.mkdir()
    (folder / "good.txt").write_text(GOOD)
    return folder


# --- symbolic links ------------------------------------------------------------------------------


@pytest.fixture
def private(tmp_path) -> Path:
    secret = tmp_path / "private" / "secret.txt"
    secret.parent.mkdir()
    secret.write_text("Private note: my salary is 99,000 dollars.\n")
    return secret


def test_a_link_leaving_the_input_folder_is_not_followed(raw, private):
    (raw / "leak.txt").symlink_to(private)
    ids, problems = _read([raw])
    assert ids == ["good"]
    problem = _only(problems, "skipped")
    assert (
        problem.path.name == "leak.txt" and "outside" in problem.reason and "not followed" in problem.reason
    )


def test_the_engine_does_not_follow_it_either(raw, private):
    (raw / "leak.txt").symlink_to(private)
    problems: list[Problem] = []
    facts = engine.extract_corpus([raw], cache=None, problems=problems, jobs=1)
    assert set(facts["doc_id"]) == {"good"} and "salary" not in " ".join(facts["sentence"])
    assert "outside" in _only(problems).reason


def test_a_link_to_a_folder_outside_is_not_followed(raw, private):
    (raw / "elsewhere").symlink_to(private.parent, target_is_directory=True)
    ids, problems = _read([raw])
    assert ids == ["good"] and "folder" in _only(problems, "skipped").reason


def test_a_link_inside_the_folder_is_followed(raw):
    (raw / "sub").mkdir()
    (raw / "sub" / "a.txt").write_text("Canada bought 4 helicopters.\n")
    (raw / "alias.txt").symlink_to(raw / "sub" / "a.txt")
    ids, problems = _read([raw])
    assert ids == ["a", "alias", "good"] and problems == []


def test_a_link_named_on_the_command_line_is_the_users_choice(raw, private):
    (raw / "leak.txt").symlink_to(private)
    ids, problems = _read([raw / "leak.txt"])
    assert ids == ["leak"] and problems == []


def test_a_link_to_itself_is_one_message(raw):
    (raw / "self.txt").symlink_to(raw / "self.txt")
    ids, problems = _read([raw])
    assert ids == ["good"]
    problem = _only(problems, "error")
    assert problem.path.name == "self.txt" and "symbolic links" in problem.reason


# --- devices, FIFOs, sockets, sizes -------------------------------------------------------------


@pytest.mark.parametrize("named", [False, True], ids=["in-a-folder", "named"])
def test_a_fifo_is_refused_by_type_without_hanging(raw, named):
    os.mkfifo(raw / "pipe.txt")
    with _deadline(20):
        ids, problems = _read([raw, raw / "pipe.txt"] if named else [raw])
    assert ids == ["good"]
    assert problems and all("a FIFO" in p.reason and p.path.name == "pipe.txt" for p in problems)


def test_a_socket_is_refused_by_type(tmp_path):
    import socket

    folder = Path("/tmp") / f"bd-sock-{os.getpid()}"  # AF_UNIX paths must be short
    folder.mkdir(exist_ok=True)
    try:
        (folder / "good.txt").write_text(GOOD)
        with socket.socket(socket.AF_UNIX) as sock:
            sock.bind(str(folder / "sock.txt"))
            ids, problems = _read([folder])
        assert ids == ["good"] and "a socket" in _only(problems).reason
    finally:
        for child in folder.iterdir():
            child.unlink()
        folder.rmdir()


def test_dev_zero_is_refused_before_any_read(tmp_path):
    """A link to /dev/zero named on the command line (followed: the user's choice), read in a child
    process whose memory is capped: before the fix it read until killed."""
    (tmp_path / "zero.txt").symlink_to("/dev/zero")
    code = (
        "from borderdata.corpus import load_corpus\n"
        "problems = []\n"
        f"load_corpus([{str(tmp_path / 'zero.txt')!r}], problems=problems)\n"
        "print(problems[0])\n"
    )

    def cap_memory():
        import resource

        resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))

    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, preexec_fn=cap_memory
    )
    assert done.returncode == 0, done.stderr[-500:]
    assert "zero.txt: not a regular file (a character device), not read" in done.stdout


def test_the_size_limit_is_checked_on_what_is_read(raw, monkeypatch):
    """A file whose reported size is small (``/proc``-like, or growing) is still cut at the limit."""
    big = raw / "big.txt"
    big.write_bytes(b"1234 drones. " * 1000)
    real_stat, real_fstat = os.stat, os.fstat

    def small(result):
        fields = list(result)
        fields[6] = 10  # st_size
        return os.stat_result(fields)

    monkeypatch.setattr(os, "stat", lambda p, *a, **k: small(real_stat(p, *a, **k)))
    monkeypatch.setattr(os, "fstat", lambda fd: small(real_fstat(fd)))
    with pytest.raises(Exception, match=r"big\.txt: file is over the 1,000-byte limit"):
        read_source_bytes(big, max_bytes=1000)


# --- names, folders, encodings --------------------------------------------------------------------


def test_a_file_name_that_is_not_utf8_is_one_message(raw):
    fd = os.open(os.fsencode(raw) + b"/caf\xe9.txt", os.O_WRONLY | os.O_CREAT, 0o644)
    os.write(fd, GOOD.encode())
    os.close(fd)
    ids, problems = _read([raw])
    assert ids == ["good"]
    problem = _only(problems, "error")
    assert "not valid UTF-8" in problem.reason
    assert str(problem).encode("utf-8") and "caf\\udce9.txt" in str(problem)


def test_an_unreadable_subfolder_is_one_message(raw, monkeypatch):
    (raw / "locked").mkdir()
    (raw / "locked" / "a.txt").write_text(GOOD)
    real = os.scandir

    def scandir(path="."):
        if str(path).endswith("locked"):
            raise PermissionError(13, "Permission denied", str(path))
        return real(path)

    monkeypatch.setattr(os, "scandir", scandir)
    ids, problems = _read([raw])
    assert ids == ["good"]
    problem = _only(problems, "error")
    assert problem.path.name == "locked" and "Permission denied" in problem.reason


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"\xef\xbb\xbfCanada bought \xff\xfe 4 drones.\n", "UTF-8 byte-order mark but is not valid UTF-8"),
        (b"\xff\xfeC\x00a\x00\x00\xd8", "UTF-16 byte-order mark but is not valid UTF-16"),
    ],
    ids=["utf8-bom-then-invalid", "utf16-bom-then-lone-surrogate"],
)
def test_a_byte_order_mark_followed_by_invalid_bytes_is_one_message(raw, content, reason):
    (raw / "bad.txt").write_bytes(content)
    ids, problems = _read([raw])
    assert ids == ["good"]
    problem = _only(problems, "error")
    assert problem.path.name == "bad.txt" and reason in problem.reason


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-be", "utf-32", "utf-32-be"])
def test_utf16_and_utf32_with_a_byte_order_mark_are_decoded(raw, encoding):
    text = "Canada bought 4 helicopters, café.\n"
    data = text.encode(encoding)
    if not encoding.endswith(("16", "32")):  # the -be codecs write no mark: add it
        data = "\ufeff".encode(encoding) + data
    (raw / "wide.txt").write_bytes(data)
    problems: list[Problem] = []
    docs = {d.doc_id: d for d in load_corpus([raw], problems=problems)}
    assert problems == [] and docs["wide"].text == text
    assert docs["wide"].encoding.startswith(encoding[:6])


def test_problem_messages_are_safe_for_a_terminal():
    problem = Problem(Path("evil\x1b]0;pwned\x07\x1b[31m.txt"), "bad \u202e\x9b line\nbreak")
    shown = str(problem)
    assert shown.isprintable() and "\x1b" not in shown and "\n" not in shown and "\u202e" not in shown
    assert "\\x1b]0;pwned\\x07" in shown and "\\u202e" in shown


# --- archives (.jsonl, .jsonl.gz) -----------------------------------------------------------------


def _jsonl(path: Path, *records: str) -> Path:
    path.write_text("\n".join(records) + "\n", encoding="utf-8")
    return path


@pytest.mark.parametrize("field", ["id", "title", "text"])
def test_a_lone_surrogate_in_a_record_is_one_message(raw, field):
    record = {"id": "s1", "title": "T", "text": "Canada bought 4 helicopters. "}
    bad = json.dumps(record).replace(f'"{field}": "', f'"{field}": "\\ud800', 1)
    _jsonl(raw / "news.jsonl", bad, json.dumps({"id": "s2", "text": GOOD}))
    problems: list[Problem] = []
    facts = engine.extract_corpus([raw], cache=None, problems=problems, jobs=1)
    assert set(facts["doc_id"]) == {"good", "s2"}
    problem = _only(problems, "error")
    assert "line 1" in problem.reason and "surrogate" in problem.reason and f"'{field}'" in problem.reason
    ids, problems = _read([raw])
    assert ids == ["good", "s2"] and "surrogate" in _only(problems).reason


def test_control_characters_never_reach_a_table(raw, tmp_path):
    text = "Canada\x00 bought\x1b[2J 12\x07 drones\x9b for $1.3 billion.\x7f\n"
    _jsonl(raw / "news.jsonl", json.dumps({"id": "c1", "title": "Bad\x00title\x1b", "text": text}))
    docs = {d.doc_id: d for d in load_corpus([raw], problems=[])}
    doc = docs["c1"]
    assert len(doc.text) == len(text) and doc.text.isprintable() is False  # only the newline
    assert all(c.isprintable() or c == "\n" for c in doc.text + doc.title)
    facts = extract_facts([doc])
    assert len(facts) >= 2
    assert all(doc.text[r.start : r.end] == r.surface for r in facts.itertuples())
    out = tmp_path / "facts.csv"
    engine.write_facts([raw], out, cache=None, problems=[], jobs=1)
    data = out.read_bytes()
    assert b"\x00" not in data and b"\x1b" not in data and b"\x07" not in data


def test_an_archive_line_over_the_limit_is_never_held(tmp_path):
    path = _jsonl(
        tmp_path / "news.jsonl",
        json.dumps({"id": "a", "text": GOOD}),
        json.dumps({"id": "big", "text": "x" * 5_000_000}),
        json.dumps({"id": "b", "text": GOOD}),
    )
    problems: list[Problem] = []
    tracemalloc.start()
    lines = [n for n, _ in iter_jsonl_lines(path, max_bytes=10_000, problems=problems)]
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert lines == [1, 3] and peak < 1_000_000, peak
    assert "line 2: record is 5,000,0" in _only(problems).reason


def test_a_gzip_bomb_stops_early_in_bounded_memory(tmp_path):
    bomb = tmp_path / "bomb.jsonl.gz"
    with gzip.open(bomb, "wb") as fh:
        fh.write(json.dumps({"id": "a", "text": GOOD}).encode() + b"\n")
        block = b"x" * 1_000_000
        for _ in range(200):  # a 200 MB line in a ~200 KB file
            fh.write(block)
    assert bomb.stat().st_size < 1_000_000
    problems: list[Problem] = []
    started = time.perf_counter()
    tracemalloc.start()
    ids = [d.doc_id for d in load_corpus([bomb], problems=problems, max_bytes=100_000)]
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert ids == ["a"] and peak < 5_000_000, peak
    assert time.perf_counter() - started < 20
    assert "expands to more than" in " ".join(p.reason for p in problems)


# --- the command line: every bad file one line, the rest written, exit 1 -------------------------


def test_the_cli_reports_each_bad_input_on_one_line_and_exits_non_zero(raw, private, tmp_path, capsys):
    (raw / "leak.txt").symlink_to(private)
    (raw / "self.txt").symlink_to(raw / "self.txt")
    os.mkfifo(raw / "pipe.txt")
    (raw / "bom.txt").write_bytes(b"\xef\xbb\xbf\xff\xfe")
    _jsonl(raw / "news.jsonl", '{"id": "\\ud800", "text": "x"}', json.dumps({"id": "j", "text": GOOD}))
    fd = os.open(os.fsencode(raw) + b"/caf\xe9\x1b[31m.txt", os.O_WRONLY | os.O_CREAT, 0o644)
    os.close(fd)
    out = tmp_path / "facts.csv"
    with _deadline(60):
        status = cli.main(["extract", str(raw), "--out", str(out), "--no-cache", "--jobs", "1"])
    err = capsys.readouterr().err
    assert status == 1
    assert set(pd.read_csv(out)["doc_id"]) == {"good", "j"}
    lines = [line for line in err.splitlines() if line.startswith(("error:", "skipped:", "warning:"))]
    assert len(lines) == 6, err
    for name in ("leak.txt", "self.txt", "pipe.txt", "bom.txt", "news.jsonl", "caf\\udce9\\x1b[31m.txt"):
        assert sum(name in line for line in lines) == 1, (name, err)
    assert "\x1b" not in err


# --- manifests ------------------------------------------------------------------------------------

MANIFEST_HEADER = "file,title,outlet,published,author,url\n"


def test_manifest_rows_name_files_in_subfolders_and_carry_the_url(raw):
    (raw / "jan2025").mkdir()
    (raw / "jan2025" / "cbc.txt").write_text(GOOD)
    (raw / "manifest.csv").write_text(
        MANIFEST_HEADER + "jan2025/cbc.txt,Drones bought,CBC News,2025-01-05,Ann Lee,https://cbc.ca/x\n"
    )
    problems: list[Problem] = []
    doc = {d.doc_id: d for d in load_corpus([raw], problems=problems)}["cbc"]
    assert problems == []
    assert (doc.title, doc.outlet, doc.author, doc.url) == (
        "Drones bought",
        "CBC News",
        "Ann Lee",
        "https://cbc.ca/x",
    )
    assert doc.to_record()["url"] == "https://cbc.ca/x"
    sources = list(iter_sources([raw], []))  # the one walker every engine uses
    assert dict(next(s for s in sources if s.path.name == "cbc.txt").manifest)["url"] == "https://cbc.ca/x"


def test_a_manifest_row_naming_no_file_is_a_warning(raw):
    (raw / "manifest.csv").write_text(MANIFEST_HEADER + "good.txt,T,,,,\ngone.txt,Lost,,,,\n")
    ids, problems = _read([raw])
    assert ids == ["good"]
    problem = _only(problems, "warning")
    assert problem.path.name == "manifest.csv" and "line 3" in problem.reason and "gone.txt" in problem.reason


def _deny_manifest(monkeypatch):
    real_open, real_path_open = os.open, Path.open

    def deny(path, *args, **kwargs):
        if str(path).endswith("manifest.csv"):
            raise PermissionError(13, "Permission denied")
        return real_open(path, *args, **kwargs)

    def deny_path(self, *args, **kwargs):
        if self.name == "manifest.csv":
            raise PermissionError(13, "Permission denied")
        return real_path_open(self, *args, **kwargs)

    monkeypatch.setattr(os, "open", deny)
    monkeypatch.setattr(Path, "open", deny_path)


@pytest.mark.parametrize(
    ("content", "severity", "reason"),
    [
        (None, "error", "Permission denied"),
        ("file,title\ngood.txt,Canada’s plan\n".encode("cp1252"), "warning", "cp1252"),
        (f"file,title\ngood.txt,{'x' * 200_000}\n".encode(), "error", "line 2: field larger than"),
        (b"file,title\ngood.txt,T,extra\n", "error", "line 2: expected 2 cells, found 3"),
        (b"file,title\n../secret.txt,T\n", "error", "outside the manifest's folder"),
    ],
    ids=["unreadable", "cp1252", "200kb-cell", "extra-cells", "outside"],
)
def test_a_bad_manifest_is_one_message_and_the_files_are_still_read(
    raw, monkeypatch, content, severity, reason
):
    (raw / "manifest.csv").write_bytes(content or b"file,title\ngood.txt,T\n")
    if content is None:
        _deny_manifest(monkeypatch)
    ids, problems = _read([raw])
    assert ids == ["good"]
    problem = _only(problems, severity)
    assert problem.path.name == "manifest.csv" and reason in problem.reason
    problems = []
    facts = engine.extract_corpus([raw], cache=None, problems=problems, jobs=1)
    assert set(facts["doc_id"]) == {"good"} and reason in _only(problems, severity).reason


def test_a_cp1252_manifest_is_applied(raw):
    (raw / "manifest.csv").write_bytes("file,title\ngood.txt,Canada’s plan\n".encode("cp1252"))
    assert load_corpus([raw], problems=[])[0].title == "Canada’s plan"


# --- HTML -------------------------------------------------------------------------------------------

ARTICLE_HTML = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>Ottawa buys drones for the border | Example News</title>
<meta property="og:title" content="Ottawa buys drones for the border">
<meta property="og:site_name" content="Example News">
<meta property="og:url" content="https://example.org/drones">
<meta name="author" content="Ann Lee">
<meta property="article:published_time" content="2025-03-01T10:00:00Z">
{head_end}
<body>
<nav><ul><li><a href="/">Home</a></li><li><a href="/sub">Subscribe for $1 a month</a></li></ul></nav>
<div class="cookie-banner"><p>We use 3 types of cookies to improve your experience.</p>
<button>Accept</button></div>
<main><article>
<h1>Ottawa buys drones for the border</h1>
<p>The federal government will buy 60 drones for the Canada-U.S. border, Public Safety Minister
said on Friday, as part of a $1.3-billion plan announced in December.</p>
<p>Officers seized 19.5 kilograms of fentanyl at the northern border last year, up from 12
kilograms the year before, according to the Canada Border Services Agency.</p>
<p>The plan also pays for 10,000 new officers over six years and two Black Hawk helicopters,
the government said in a statement released on its website.</p>
</article></main>
<footer><p>© 2025 Example News. All 4 rights reserved.</p></footer>
</body></html>
"""


def _html(raw: Path, head_end: str = "</head>") -> Path:
    path = raw / "page.html"
    path.write_text(ARTICLE_HTML.format(head_end=head_end))
    return path


@pytest.mark.parametrize("head_end", ["</head>", ""], ids=["with-head-end", "html5-without-head-end"])
def test_html_keeps_the_article_and_its_metadata(raw, head_end):
    _html(raw, head_end)
    doc = {d.doc_id: d for d in load_corpus([raw], problems=[])}["page"]
    assert "60 drones" in doc.body and "10,000 new officers" in doc.body
    assert doc.title == "Ottawa buys drones for the border" and doc.outlet == "Example News"
    assert doc.url == "https://example.org/drones" and doc.author == "Ann Lee"
    assert doc.published is not None and doc.published.isoformat() == "2025-03-01"


def test_html_navigation_and_cookie_clutter_are_not_facts(raw):
    _html(raw)
    doc = {d.doc_id: d for d in load_corpus([raw], problems=[])}["page"]
    facts = extract_facts([doc])
    surfaces = set(facts["surface"])
    assert {"60", "19.5 kilograms"} & surfaces
    assert "Subscribe" not in doc.text and "cookies" not in doc.text
    assert not any(s in ("$1", "3") for s in surfaces), surfaces
    assert all(doc.text[r.start : r.end] == r.surface for r in facts.itertuples())


def test_html_parsing_is_linear_on_hostile_markup(raw):
    (raw / "bait.html").write_text("<html><body><p>Canada bought 4 drones.</p>" + "<a b='" * 16_000)
    started = time.perf_counter()
    _read([raw])
    assert time.perf_counter() - started < 10  # 80 KB: about 17 s with the quadratic parser


# --- numbers and dates -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "numeral",
    [
        "1" + "0" * 400,
        "9" * 320 + ".5",
        "1" + ",000" * 120,
        "1" + " 000" * 120,  # before: its groups after the first read as "0.0 kg", 480 characters long
        "1" + "\u00a0000" * 120,
        "0." + "0" * 400 + "1",  # below the smallest float: it read as 0.0
        "9" * 300 + " billion",
    ],
    ids=["digits", "point", "commas", "spaces", "nbsp", "underflow", "scaled"],
)
def test_a_numeral_beyond_floating_point_is_not_a_quantity(numeral):
    from borderdata.extract import extract_text

    facts = extract_text(f"Officers seized {numeral} kg of fentanyl and 12 drones.")
    assert list(facts["value"]) == [12.0]


@pytest.mark.parametrize("zone", ["PDT", "EST", "AKST", "NDT"])
def test_time_zone_abbreviations_parse_without_a_warning(zone):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert parse_date(f"September 17, 2025 3:00 PM {zone}").isoformat() == "2025-09-17"
