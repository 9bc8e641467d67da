"""The parallel engine: the same facts as a single-process run, row for row; the cache; Dask."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from borderdata import cache as cache_mod
from borderdata import engine
from borderdata.cache import FactCache, extractor_version
from borderdata.cli import main
from borderdata.corpus import load_corpus
from borderdata.extract import extract_facts
from borderdata.synth import paragraph_pool, write_corpus
from borderdata.tables import write_table
from tests.conftest import SEEDS


@pytest.fixture(scope="module")
def pool():
    return paragraph_pool([SEEDS])


@pytest.fixture
def corpus(tmp_path: Path, pool) -> list[Path]:
    """The seeds (copied, manifest included) plus 40 generated articles in nested folders."""
    seeds = tmp_path / "seeds"
    shutil.copytree(SEEDS, seeds)
    write_corpus(tmp_path / "synth", n_docs=40, pool=pool)
    return [seeds, tmp_path / "synth"]


@pytest.fixture
def small_chunks(monkeypatch):
    """Chunks of a few articles, so that a small corpus still goes through the worker pool."""
    monkeypatch.setattr(engine, "CHUNK_BYTES", 20_000)


def reference(paths: list[Path]) -> pd.DataFrame:
    return extract_facts(load_corpus(paths, problems=[]))


def test_jobs_2_equals_single_process_row_for_row(corpus, small_chunks):
    got = engine.extract_corpus(corpus, jobs=2, cache=None, problems=[])
    pd.testing.assert_frame_equal(got, reference(corpus))
    assert len(got) > 30


def test_csv_is_byte_identical_to_write_table(corpus, small_chunks, tmp_path):
    write_table(reference(corpus), tmp_path / "ref.csv")
    stats = engine.write_facts(corpus, tmp_path / "out.csv", jobs=2, cache=None, problems=[])
    assert (tmp_path / "out.csv").read_bytes() == (tmp_path / "ref.csv").read_bytes()
    assert stats.documents == 45
    assert stats.extracted == 45


def test_spilled_runs_merge_to_the_same_table(corpus, small_chunks, monkeypatch):
    monkeypatch.setattr(engine, "SPILL_BYTES", 5_000)
    got = engine.extract_corpus(corpus, jobs=1, cache=None, problems=[])
    pd.testing.assert_frame_equal(got, reference(corpus))


def test_parquet_outputs_read_back_equal(corpus, tmp_path, monkeypatch):
    monkeypatch.setattr(engine, "BATCH_ROWS", 40)
    ref = reference(corpus)
    engine.write_facts(corpus, str(tmp_path / "facts") + "/", jobs=1, cache=None, problems=[])
    engine.write_facts(corpus, tmp_path / "facts.parquet", jobs=1, cache=None, problems=[])
    assert len(list((tmp_path / "facts").glob("part-*.parquet"))) > 1
    pd.testing.assert_frame_equal(pd.read_parquet(tmp_path / "facts"), ref)
    pd.testing.assert_frame_equal(pd.read_parquet(tmp_path / "facts.parquet"), ref)


def test_duplicates_and_bad_files_reported_like_load_corpus(corpus, small_chunks, tmp_path):
    other = tmp_path / "other"
    other.mkdir()
    first = next(SEEDS.glob("00*.txt"))
    (other / first.name).write_text("A different text with 12 kilograms of fentanyl.\n")
    (other / "broken.txt").write_bytes(b"\x00\x01binary")
    paths = [*corpus, other]
    ref_problems: list = []
    ref = extract_facts(load_corpus(paths, problems=ref_problems))
    problems: list = []
    got = engine.extract_corpus(paths, jobs=2, cache=None, problems=problems)
    pd.testing.assert_frame_equal(got, ref)
    assert sorted(map(str, problems)) == sorted(map(str, ref_problems))
    assert any("broken.txt" in str(p) for p in problems)
    assert any("already read" in str(p) for p in problems)


def test_cache_second_run_extracts_nothing_and_one_change_only_it(corpus, tmp_path):
    cache = tmp_path / "cache"
    out = tmp_path / "facts.csv"
    first = engine.write_facts(corpus, out, jobs=1, cache=cache, problems=[])
    assert (first.extracted, first.cached) == (45, 0)
    again = engine.write_facts(corpus, out, jobs=1, cache=cache, problems=[])
    assert (again.extracted, again.cached) == (0, 45)
    changed = sorted((corpus[1]).rglob("*.txt"))[3]
    changed.write_text(changed.read_text() + "\nOfficers seized 42 kilograms of cocaine.\n")
    third = engine.write_facts(corpus, out, jobs=1, cache=cache, problems=[])
    assert (third.extracted, third.cached) == (1, 44)
    engine.write_facts(corpus, tmp_path / "full.csv", jobs=1, cache=None, problems=[])
    assert out.read_bytes() == (tmp_path / "full.csv").read_bytes()


def test_manifest_change_invalidates_the_file_entry(corpus, tmp_path):
    cache = tmp_path / "cache"
    engine.write_facts(corpus, tmp_path / "a.csv", jobs=1, cache=cache, problems=[])
    manifest = corpus[0] / "manifest.csv"
    manifest.write_text(manifest.read_text().replace("2025-01-29", "2024-01-29"))
    stats = engine.write_facts(corpus, tmp_path / "a.csv", jobs=1, cache=cache, problems=[])
    assert stats.extracted == 1


def test_extract_documents_uses_the_cache(corpus, tmp_path):
    docs = load_corpus(corpus, problems=[])
    cache = FactCache(tmp_path / "cache")
    first = engine.extract_documents(docs, jobs=1, cache=cache)
    assert cache.misses == 45
    second = engine.extract_documents(docs, jobs=1, cache=cache)
    assert cache.hits == 45
    pd.testing.assert_frame_equal(first, extract_facts(docs))
    pd.testing.assert_frame_equal(second, first)


def test_extractor_version_follows_the_source(tmp_path):
    package = Path(cache_mod.__file__).parent
    copy = tmp_path / "borderdata"
    shutil.copytree(package, copy, ignore=shutil.ignore_patterns("__pycache__"))
    assert extractor_version(copy) == extractor_version(package)
    names = {p.name for p in cache_mod.extractor_files(copy)}
    assert {"extract.py", "corpus.py", "taxonomy.toml", "corpus.toml"} <= names
    assert "cli.py" not in names
    (copy / "extract.py").write_text((copy / "extract.py").read_text() + "\n# changed\n")
    assert extractor_version(copy) != extractor_version(package)


def test_an_old_version_is_pruned(tmp_path):
    old = FactCache(tmp_path, version="0" * 64)
    old.folder.mkdir(parents=True)
    engine.extract_corpus([SEEDS], jobs=1, cache=tmp_path, problems=[])
    assert not old.folder.exists()
    assert FactCache(tmp_path).folder.is_dir()


@pytest.mark.parametrize(
    "text, records",
    [
        ("a,b\nc,d\n", ["a,b\n", "c,d\n"]),
        ('a,"two\nlines"\nc,"say ""hi"""\n', ['a,"two\nlines"\n', 'c,"say ""hi"""\n']),
        ("", []),
    ],
)
def test_split_csv_records(text, records):
    assert engine.split_csv_records(text) == records


def test_unknown_engine_and_output_are_clear_errors(tmp_path):
    with pytest.raises(engine.EngineError, match="unknown engine 'spark'"):
        engine.extract_corpus([SEEDS], engine="spark", cache=None, problems=[])
    with pytest.raises(engine.EngineError, match="unsupported output"):
        engine.write_facts([SEEDS], tmp_path / "facts.xlsx", cache=None, problems=[])


def test_cli_extract_with_jobs(corpus, small_chunks, tmp_path, capsys):
    out = tmp_path / "cli.csv"
    code = main(["extract", *map(str, corpus), "--out", str(out), "--jobs", "2", "--no-cache"])
    assert code == 0
    write_table(reference(corpus), tmp_path / "ref.csv")
    assert out.read_bytes() == (tmp_path / "ref.csv").read_bytes()
    assert "45 documents" in capsys.readouterr().err


def test_dask_local_cluster_equals_local_engine(corpus, small_chunks, tmp_path):
    pytest.importorskip("distributed")
    local = engine.extract_corpus(corpus, jobs=2, cache=None, problems=[])
    stats = engine.write_facts(
        corpus, str(tmp_path / "ds") + "/", engine="dask", jobs=2, cache=None, problems=[]
    )
    assert stats.documents == 45
    pd.testing.assert_frame_equal(pd.read_parquet(tmp_path / "ds"), local)


def test_a_warm_run_starts_no_pool_or_cluster(corpus, small_chunks, tmp_path, monkeypatch):
    cache = tmp_path / "cache"
    engine.write_facts(corpus, tmp_path / "a.csv", jobs=2, cache=cache, problems=[])

    def no_runner(*args, **kwargs):
        raise AssertionError("a pool was started for cached documents")

    monkeypatch.setattr(engine, "make_runner", no_runner)
    stats = engine.write_facts(corpus, tmp_path / "b.csv", engine="dask", jobs=2, cache=cache, problems=[])
    assert stats.extracted == 0
    assert (tmp_path / "a.csv").read_bytes() == (tmp_path / "b.csv").read_bytes()


def test_a_run_leaves_nothing_frozen_from_the_garbage_collector(corpus, tmp_path):
    import gc

    engine.write_facts(corpus, tmp_path / "a.csv", jobs=1, cache=None, problems=[])
    assert gc.get_freeze_count() == 0
    gc.freeze()  # a caller's own freeze stays
    try:
        frozen = gc.get_freeze_count()
        engine.write_facts(corpus, tmp_path / "b.csv", jobs=1, cache=None, problems=[])
        assert gc.get_freeze_count() == frozen
    finally:
        gc.unfreeze()


@pytest.mark.parametrize(("configured", "expected"), [(None, "fork"), ("forkserver", "forkserver")])
def test_local_cluster_workers_are_forked_unless_configured(configured, expected, monkeypatch):
    dask = pytest.importorskip("dask")
    monkeypatch.setattr(engine, "fork_is_safe", lambda: True)
    key = "distributed.worker.multiprocessing-method"
    with dask.config.set({key: configured or engine.DASK_DEFAULT_START}), engine.local_cluster_config():
        assert dask.config.get(key) == expected
        assert dask.config.get("distributed.worker.profile.enabled") is False
