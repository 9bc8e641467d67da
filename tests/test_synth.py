"""The benchmark corpus generator: deterministic, seeded, realistic enough to read."""

from __future__ import annotations

import pytest

from borderdata.corpus import load_corpus
from borderdata.synth import SynthError, make_article, paragraph_pool, write_corpus
from tests.conftest import SEEDS


@pytest.fixture(scope="module")
def pool():
    return paragraph_pool([SEEDS])


def _files(folder):
    return {p.relative_to(folder): p.read_bytes() for p in sorted(folder.rglob("*.txt"))}


def test_same_seed_same_corpus(tmp_path, pool):
    write_corpus(tmp_path / "a", n_docs=20, pool=pool)
    write_corpus(tmp_path / "b", n_docs=20, pool=pool)
    write_corpus(tmp_path / "c", n_docs=20, pool=pool, seed=1)
    assert _files(tmp_path / "a") == _files(tmp_path / "b")
    assert _files(tmp_path / "a") != _files(tmp_path / "c")


def test_archives_are_byte_stable(tmp_path, pool):
    for name in ("a", "b"):
        write_corpus(tmp_path / f"{name}.jsonl.gz", n_docs=10, pool=pool, fmt="jsonl.gz")
    assert (tmp_path / "a.jsonl.gz").read_bytes() == (tmp_path / "b.jsonl.gz").read_bytes()


def test_one_more_article_adds_one_file(tmp_path, pool):
    write_corpus(tmp_path / "a", n_docs=10, pool=pool)
    write_corpus(tmp_path / "b", n_docs=11, pool=pool)
    a, b = _files(tmp_path / "a"), _files(tmp_path / "b")
    assert len(b) == 11
    assert {k: b[k] for k in a} == a
    assert make_article(pool, 10) == make_article(pool, 10)


def test_target_size_and_readable_articles(tmp_path, pool):
    info = write_corpus(tmp_path / "c", target_bytes=60_000, pool=pool)
    assert info.n_bytes >= 60_000
    docs = load_corpus([tmp_path / "c"], problems=[])
    assert len(docs) == info.n_docs
    assert all(d.outlet and d.published and d.title for d in docs)
    assert all(len(d.body_spans) >= 6 for d in docs)


def test_jsonl_records_read_back(tmp_path, pool):
    info = write_corpus(tmp_path / "c.jsonl", n_docs=5, pool=pool, fmt="jsonl")
    docs = load_corpus([info.path], problems=[])
    assert [d.doc_id for d in docs] == [f"synth_0_{i:07d}" for i in range(5)]


def test_bad_arguments(tmp_path, pool):
    with pytest.raises(SynthError):
        write_corpus(tmp_path / "x", pool=pool)
    with pytest.raises(SynthError):
        write_corpus(tmp_path / "x", n_docs=1, pool=pool, fmt="xml")
