"""The cache: one sqlite row per document, keyed by content and by everything extraction depends on."""

from __future__ import annotations

import logging
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

import pytest

from borderdata import cache as cache_mod
from borderdata import engine
from borderdata.cache import STORE_NAME, Store, extractor_version
from borderdata.synth import paragraph_pool, write_corpus
from tests.conftest import SEEDS

N_DOCS = 12
PACKAGE = Path(cache_mod.__file__).parent
SRC = PACKAGE.parent
CHILD_TIMEOUT = 120


@pytest.fixture(scope="module")
def pool():
    return paragraph_pool([SEEDS])


@pytest.fixture
def corpus(tmp_path: Path, pool) -> Path:
    """A dozen generated articles in nested folders."""
    write_corpus(tmp_path / "synth", n_docs=N_DOCS, pool=pool)
    return tmp_path / "synth"


def run(corpus: Path | list[Path], tmp_path: Path, name: str = "out.csv") -> engine.RunStats:
    paths = corpus if isinstance(corpus, list) else [corpus]
    return engine.write_facts(paths, tmp_path / name, jobs=1, cache=tmp_path / "cache", problems=[])


def full_run(corpus: Path | list[Path], tmp_path: Path) -> bytes:
    paths = corpus if isinstance(corpus, list) else [corpus]
    engine.write_facts(paths, tmp_path / "full.csv", jobs=1, cache=None, problems=[])
    return (tmp_path / "full.csv").read_bytes()


def test_a_second_run_extracts_nothing_and_one_change_only_it(corpus, tmp_path):
    assert (run(corpus, tmp_path).extracted, run(corpus, tmp_path).cached) == (N_DOCS, N_DOCS)
    changed = sorted(corpus.rglob("*.txt"))[3]
    changed.write_text(changed.read_text() + "\nOfficers seized 42 kilograms of cocaine.\n")
    stats = run(corpus, tmp_path)
    assert (stats.extracted, stats.cached) == (1, N_DOCS - 1)
    assert (tmp_path / "out.csv").read_bytes() == full_run(corpus, tmp_path)


def test_a_manifest_change_invalidates_the_file_entry(tmp_path):
    seeds = tmp_path / "seeds"
    shutil.copytree(SEEDS, seeds)
    run(seeds, tmp_path)
    manifest = seeds / "manifest.csv"
    manifest.write_text(manifest.read_text().replace("2025-01-29", "2024-01-29"))
    assert run(seeds, tmp_path).extracted == 1
    assert (tmp_path / "out.csv").read_bytes() == full_run(seeds, tmp_path)


def test_the_store_holds_text_and_numbers_only(corpus, tmp_path):
    """Nothing in the cache is a pickle: rows are JSON and CSV text."""
    run(corpus, tmp_path)
    with sqlite3.connect(tmp_path / "cache" / STORE_NAME) as db:
        rows = [*db.execute("SELECT * FROM entries"), *db.execute("SELECT * FROM results")]
        kinds = {kind for row in rows for kind in map(type, row)}
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert kinds == {str, int}


def test_rows_unused_by_the_last_runs_are_deleted(corpus, tmp_path, monkeypatch):
    monkeypatch.setattr(cache_mod, "KEEP_RUNS", 2)
    run(corpus, tmp_path)
    other = tmp_path / "other"
    shutil.copytree(SEEDS, other)
    for _ in range(2):
        run(other, tmp_path)
    with sqlite3.connect(tmp_path / "cache" / STORE_NAME) as db:
        (count,) = db.execute("SELECT count(*) FROM entries").fetchone()
    assert count == 5  # the seeds' rows only: the synthetic articles' were unused for two runs


def test_a_damaged_store_is_reported_and_rebuilt(corpus, tmp_path, caplog):
    run(corpus, tmp_path)
    store = tmp_path / "cache" / STORE_NAME
    with sqlite3.connect(store) as db:
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    data = bytearray(store.read_bytes())
    data[100:4096] = os.urandom(3996)  # the header's tail and the schema page
    store.write_bytes(bytes(data))
    with caplog.at_level(logging.WARNING, logger="borderdata.cache"):
        stats = run(corpus, tmp_path)
    assert "could not be read" in caplog.text and "starting a new one" in caplog.text
    assert stats.extracted == N_DOCS
    assert (tmp_path / "out.csv").read_bytes() == full_run(corpus, tmp_path)
    assert run(corpus, tmp_path).cached == N_DOCS


def test_a_run_leaves_no_temporary_file(corpus, tmp_path, monkeypatch):
    spool = tmp_path / "tmp"
    spool.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(spool))
    monkeypatch.setenv("TMPDIR", str(spool))
    run(corpus, tmp_path)
    engine.write_facts([corpus], tmp_path / "nocache.csv", jobs=2, cache=None, problems=[])
    assert list(spool.iterdir()) == []
    assert sorted(p.name for p in (tmp_path / "cache").iterdir()) == [STORE_NAME]


# --- what the version covers -----------------------------------------------------------------------


def test_the_version_follows_the_package_code_and_data(tmp_path):
    copy = tmp_path / "borderdata"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__"))
    same = extractor_version(copy)
    assert same == extractor_version()
    (copy / "units.py").write_text((copy / "units.py").read_text() + "\n# changed\n")
    changed_code = extractor_version(copy)
    (copy / "taxonomy.toml").write_text((copy / "taxonomy.toml").read_text() + "\n# changed\n")
    assert len({same, changed_code, extractor_version(copy)}) == 3


@pytest.mark.parametrize("variable", ["BORDERDATA_TAXONOMY", "BORDERDATA_CORPUS_RULES"])
def test_the_version_follows_the_content_of_an_overriding_rule_file(tmp_path, monkeypatch, variable):
    packaged = "taxonomy.toml" if variable == "BORDERDATA_TAXONOMY" else "corpus.toml"
    rules = tmp_path / packaged
    shutil.copy(PACKAGE / packaged, rules)
    plain = extractor_version()
    monkeypatch.setenv(variable, str(rules))
    overridden = extractor_version()
    rules.write_text(rules.read_text() + "\n# edited in place\n")
    assert len({plain, overridden, extractor_version()}) == 3


def test_an_edited_taxonomy_is_never_answered_from_the_cache(tmp_path, monkeypatch):
    """The issue's reproduction: drones are an asset; a taxonomy without 'drone' makes them 'other'.

    In one process, as a notebook would: the taxonomy in use and the cache's version both follow
    the override, and an in-place edit of the override file."""
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "drones.txt").write_text("Ottawa will buy 12 drones for the northern border, officials said.\n")
    taxonomy = tmp_path / "taxonomy.toml"
    packaged = (PACKAGE / "taxonomy.toml").read_text()

    def categories(cache: Path | None) -> list[str]:
        return engine.extract_corpus([raw], jobs=1, cache=cache, problems=[])["category"].tolist()

    assert categories(tmp_path / "cache") == ["asset"]
    taxonomy.write_text(packaged.replace('"drone*", ', ""))
    monkeypatch.setenv("BORDERDATA_TAXONOMY", str(taxonomy))
    assert categories(None) == ["other"]  # the edit matters...
    assert categories(tmp_path / "cache") == ["other"]  # ...and the cache knows it
    taxonomy.write_text(packaged + "\n")  # edited in place: drones are assets again
    assert categories(tmp_path / "cache") == categories(None) == ["asset"]


# --- a run killed while it writes the cache ----------------------------------------------------------

CHILD = """
import sys, time
from pathlib import Path
from borderdata import cache, engine

corpus, cache_dir, marker = map(Path, sys.argv[1:4])
original = cache.Store.put_many
calls = []

def put_then_hang(self, items):
    original(self, items)
    calls.append(1)
    if len(calls) == 2:
        marker.write_text("writing")
        time.sleep(600)

cache.Store.put_many = put_then_hang
engine.CHUNK_BYTES = engine.FIRST_CHUNK_BYTES = 3_000
engine.write_facts([corpus], cache_dir.parent / "killed.csv", jobs=1, cache=cache_dir, problems=[])
"""


def test_a_run_killed_while_writing_the_cache_leaves_it_usable(corpus, tmp_path):
    marker = tmp_path / "marker"
    env = {**os.environ, "PYTHONPATH": str(SRC)}
    args = [str(corpus), str(tmp_path / "cache"), str(marker)]
    child = subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(CHILD), *args], env=env, stderr=subprocess.PIPE
    )
    deadline = time.monotonic() + CHILD_TIMEOUT
    while not marker.exists():
        assert child.poll() is None and time.monotonic() < deadline, child.communicate()[1][-2000:]
        time.sleep(0.05)
    child.send_signal(signal.SIGKILL)
    child.wait(timeout=CHILD_TIMEOUT)
    assert not (tmp_path / "killed.csv").exists()
    stats = run(corpus, tmp_path)
    assert 0 < stats.cached < N_DOCS  # what the killed run committed is used...
    assert (tmp_path / "out.csv").read_bytes() == full_run(corpus, tmp_path)  # ...and the output is whole


def test_two_stores_on_one_file_do_not_see_each_others_runs(tmp_path):
    first, second = Store(tmp_path / STORE_NAME), Store(tmp_path / STORE_NAME)
    try:
        assert first.keep("a", "k1", "x") is None
        assert second.keep("a", "k2", "y") is None  # a run's kept set is its own
        assert first.keep("a", "k3", "z") == "x"
    finally:
        first.close()
        second.close()


def test_tables_are_stale_when_a_rule_file_in_use_changes(tmp_path, monkeypatch):
    from borderdata.pipeline import TABLE_NAMES, tables_are_stale

    rules = tmp_path / "taxonomy.toml"
    shutil.copy(PACKAGE / "taxonomy.toml", rules)
    out = tmp_path / "processed"
    out.mkdir()
    for name in TABLE_NAMES:
        (out / f"{name}.csv").write_text("x\n")
    assert not tables_are_stale(out)
    monkeypatch.setenv("BORDERDATA_TAXONOMY", str(rules))
    assert rules in cache_mod.extraction_inputs()
    later = time.time() + 60
    os.utime(rules, (later, later))
    assert tables_are_stale(out)
