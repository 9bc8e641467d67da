"""Newline-delimited JSON archives (.jsonl, .jsonl.gz): one article a line, bad lines reported."""

from __future__ import annotations

import gzip
import json
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from borderdata import engine
from borderdata.corpus import Problem, load_corpus
from borderdata.extract import extract_facts
from tests.conftest import SEEDS

RECORDS = [
    {
        "id": "a1",
        "text": "Border seizures\n\nOfficers seized 19.5 kilograms of fentanyl at the northern border.\n",
        "title": "Border seizures",
        "outlet": "CBC News",
        "published": "2025-02-03",
        "url": "https://example.org/a1",
    },
    {"id": 7, "text": "Ottawa will spend $1.3 billion on 60 drones and 10,000 officers.\n"},
]


def write_jsonl(path: Path, lines: list[str]) -> Path:
    data = ("\n".join(lines) + "\n").encode("utf-8")
    path.write_bytes(gzip.compress(data, mtime=0) if path.name.endswith(".gz") else data)
    return path


def good_lines() -> list[str]:
    return [json.dumps(r) for r in RECORDS]


@pytest.mark.parametrize("name", ["news.jsonl", "news.jsonl.gz"])
def test_records_become_documents_with_metadata(tmp_path, name):
    docs = load_corpus([write_jsonl(tmp_path / name, good_lines())], problems=[])
    assert [d.doc_id for d in docs] == ["7", "a1"]
    a1 = docs[1]
    assert (a1.title, a1.outlet, a1.published, a1.url) == (
        "Border seizures",
        "CBC News",
        date(2025, 2, 3),
        "https://example.org/a1",
    )
    assert a1.text == RECORDS[0]["text"]
    assert a1.source_file == name


def test_offsets_refer_to_each_records_text(tmp_path):
    docs = {d.doc_id: d for d in load_corpus([write_jsonl(tmp_path / "n.jsonl", good_lines())])}
    facts = extract_facts(docs.values())
    assert len(facts) >= 2
    for row in facts.itertuples():
        assert docs[row.doc_id].text[row.start : row.end] == row.surface


@pytest.mark.parametrize("name", ["bad.jsonl", "bad.jsonl.gz"])
def test_a_bad_line_is_a_problem_naming_file_and_line(tmp_path, name):
    lines = [good_lines()[0], "{not json", "", '["a list"]', '{"id": "x"}', good_lines()[1]]
    path = write_jsonl(tmp_path / name, lines)
    problems: list[Problem] = []
    docs = load_corpus([path], problems=problems)
    assert [d.doc_id for d in docs] == ["7", "a1"]
    messages = [str(p) for p in problems]
    assert len(messages) == 3
    assert all(name in m for m in messages)
    assert "line 2: not valid JSON" in messages[0]
    assert "line 4: not a JSON object" in messages[1]
    assert "line 5: missing or empty 'text'" in messages[2]


def test_a_corrupt_gzip_is_a_problem(tmp_path):
    path = tmp_path / "broken.jsonl.gz"
    path.write_bytes(gzip.compress(b'{"id": "a", "text": "x"}\n')[:-12] + b"garbage!")
    problems: list[Problem] = []
    load_corpus([path], problems=problems)
    assert problems and "broken.jsonl.gz" in str(problems[0])


def test_engine_reads_archives_like_load_corpus(tmp_path, monkeypatch):
    monkeypatch.setattr(engine, "CHUNK_BYTES", 200)
    archive = write_jsonl(tmp_path / "n.jsonl.gz", [*good_lines(), "oops", json.dumps(RECORDS[0])])
    paths = [SEEDS, archive]
    ref_problems: list[Problem] = []
    ref = extract_facts(load_corpus(paths, problems=ref_problems))
    problems: list[Problem] = []
    got = engine.extract_corpus(paths, jobs=2, cache=None, problems=problems)
    pd.testing.assert_frame_equal(got, ref)
    assert sorted(map(str, problems)) == sorted(map(str, ref_problems))
    assert any("line 3" in str(p) for p in problems)
    assert any("already read" in str(p) for p in problems)
