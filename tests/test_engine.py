"""The parallel engine: the same facts as a single-process run, row for row and byte for byte."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from borderdata import engine
from borderdata.cli import DASK_DEFAULT_START, dask_settings, main
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
    monkeypatch.setattr(engine, "FIRST_CHUNK_BYTES", 20_000)


def reference(paths: list[Path]) -> pd.DataFrame:
    return extract_facts(load_corpus(paths, problems=[]))


@pytest.fixture
def reference_csv(corpus, tmp_path) -> bytes:
    write_table(reference(corpus), tmp_path / "ref.csv")
    return (tmp_path / "ref.csv").read_bytes()


def test_jobs_2_equals_single_process_row_for_row(corpus, small_chunks):
    got = engine.extract_corpus(corpus, jobs=2, cache=None, problems=[])
    pd.testing.assert_frame_equal(got, reference(corpus))
    assert len(got) > 30


@pytest.mark.parametrize("jobs", [1, 2])
@pytest.mark.parametrize("cached", [False, True])
def test_csv_is_byte_identical_to_write_table_cold_and_warm(
    corpus, small_chunks, tmp_path, reference_csv, jobs, cached
):
    cache = tmp_path / "cache" if cached else None
    for run in ("cold", "warm"):
        stats = engine.write_facts(corpus, tmp_path / f"{run}.csv", jobs=jobs, cache=cache, problems=[])
        assert (tmp_path / f"{run}.csv").read_bytes() == reference_csv
        assert stats.documents == 45
        assert stats.extracted == (0 if cached and run == "warm" else 45)


def test_csv_records_keep_a_newline_inside_a_cell():
    frame = pd.DataFrame({"a": ["one", "two\nlines", "=1+1"], "b": [1.5, float("nan"), 3.0]})
    assert "".join(engine.csv_records(frame)) == write_table_text(frame).split("\n", 1)[1]


def write_table_text(frame: pd.DataFrame) -> str:
    import tempfile

    out = Path(tempfile.mkdtemp()) / "t.csv"
    return write_table(frame, out).read_text()


def test_parquet_outputs_read_back_equal(corpus, tmp_path, monkeypatch):
    monkeypatch.setattr(engine, "BATCH_ROWS", 40)
    ref = reference(corpus)
    engine.write_facts(corpus, str(tmp_path / "facts") + "/", jobs=1, cache=None, problems=[])
    engine.write_facts(corpus, tmp_path / "facts.parquet", jobs=1, cache=None, problems=[])
    assert len(list((tmp_path / "facts").glob("part-*.parquet"))) > 1
    pd.testing.assert_frame_equal(pd.read_parquet(tmp_path / "facts"), ref)
    pd.testing.assert_frame_equal(pd.read_parquet(tmp_path / "facts.parquet"), ref)
    # A dataset borderdata wrote may be replaced by the next run.
    engine.write_facts(corpus, tmp_path / "facts", jobs=1, cache=None, problems=[])
    pd.testing.assert_frame_equal(pd.read_parquet(tmp_path / "facts"), ref)


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


def test_unknown_engine_and_output_are_clear_errors(tmp_path):
    with pytest.raises(engine.EngineError, match="unknown engine 'spark'"):
        engine.extract_corpus([SEEDS], engine="spark", cache=None, problems=[])
    with pytest.raises(engine.EngineError, match="unsupported output"):
        engine.write_facts([SEEDS], tmp_path / "facts.xlsx", cache=None, problems=[])


def test_cli_extract_with_jobs(corpus, small_chunks, tmp_path, capsys, reference_csv):
    out = tmp_path / "cli.csv"
    code = main(["extract", *map(str, corpus), "--out", str(out), "--jobs", "2", "--no-cache"])
    assert code == 0
    assert out.read_bytes() == reference_csv
    assert "45 documents" in capsys.readouterr().err


def test_cli_extract_without_out_writes_csv_to_standard_output(corpus, capfd, reference_csv):
    assert main(["extract", *map(str, corpus), "--jobs", "1", "--no-cache"]) == 0
    captured = capfd.readouterr()
    assert captured.out.encode() == reference_csv
    assert "-> standard output" in captured.err


def test_dask_local_cluster_equals_local_engine(corpus, small_chunks, tmp_path, reference_csv):
    pytest.importorskip("distributed")
    stats = engine.write_facts(corpus, tmp_path / "dask.csv", engine="dask", jobs=2, cache=None, problems=[])
    assert stats.documents == 45
    assert (tmp_path / "dask.csv").read_bytes() == reference_csv


def test_dask_with_a_scheduler_address_equals_local_engine(corpus, small_chunks, tmp_path, reference_csv):
    distributed = pytest.importorskip("distributed")
    with (
        dask_settings(),
        distributed.LocalCluster(
            n_workers=1, threads_per_worker=1, dashboard_address=None, processes=True
        ) as cluster,
    ):
        engine.write_facts(
            corpus,
            tmp_path / "s.csv",
            engine="dask",
            scheduler=cluster.scheduler_address,
            cache=None,
            problems=[],
        )
    assert (tmp_path / "s.csv").read_bytes() == reference_csv


def test_a_warm_run_starts_no_pool_or_cluster(corpus, small_chunks, tmp_path, monkeypatch):
    cache = tmp_path / "cache"
    engine.write_facts(corpus, tmp_path / "a.csv", jobs=2, cache=cache, problems=[])

    def no_runner(*args, **kwargs):
        raise AssertionError("a pool was started for cached documents")

    monkeypatch.setattr(engine.Runner, "start", no_runner)
    stats = engine.write_facts(corpus, tmp_path / "b.csv", engine="dask", jobs=2, cache=cache, problems=[])
    assert stats.extracted == 0
    assert (tmp_path / "a.csv").read_bytes() == (tmp_path / "b.csv").read_bytes()


def test_a_run_changes_no_interpreter_setting(corpus, tmp_path):
    import copy
    import gc
    import multiprocessing

    dask = pytest.importorskip("dask")
    method = multiprocessing.get_start_method(allow_none=True)
    config = copy.deepcopy(dask.config.config)
    engine.write_facts(corpus, tmp_path / "a.csv", jobs=2, cache=None, problems=[])
    engine.write_facts(corpus, tmp_path / "b.csv", engine="dask", jobs=2, cache=None, problems=[])
    assert gc.get_freeze_count() == 0
    assert multiprocessing.get_start_method(allow_none=True) == method
    assert dask.config.config == config


IMPORT_CHECK = """
import copy, multiprocessing, dask
before = copy.deepcopy(dask.config.config)
import borderdata.engine, borderdata.cache, borderdata.pipeline
assert multiprocessing.get_start_method(allow_none=True) is None, multiprocessing.get_start_method()
assert dask.config.config == before
"""


def test_importing_the_engines_changes_no_interpreter_setting():
    pytest.importorskip("dask")
    subprocess.run([sys.executable, "-c", IMPORT_CHECK], check=True, cwd=SEEDS)


@pytest.mark.skipif(sys.platform != "linux" or sys.version_info >= (3, 12), reason="fork only where safe")
@pytest.mark.parametrize(("configured", "expected"), [(None, "fork"), ("forkserver", "forkserver")])
def test_the_command_forks_local_cluster_workers_unless_configured(configured, expected):
    dask = pytest.importorskip("dask")
    key = "distributed.worker.multiprocessing-method"
    with dask.config.set({key: configured or DASK_DEFAULT_START}):
        with dask_settings():
            assert dask.config.get(key) == expected
            assert dask.config.get("distributed.worker.profile.enabled") is False
        assert dask.config.get(key) == (configured or DASK_DEFAULT_START)  # for the command's run only


def test_a_document_with_too_many_numbers_is_cut_with_a_warning(tmp_path, monkeypatch):
    monkeypatch.setattr(engine, "MAX_FACTS_PER_DOCUMENT", 300)
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "ones.txt").write_text("1 " * 1_000)
    (raw / "fine.txt").write_text("Officers seized 12 kilograms of fentanyl.\n")
    problems: list = []
    facts = engine.extract_corpus([raw], jobs=1, cache=tmp_path / "cache", problems=problems)
    assert (facts["doc_id"] == "ones").sum() == 300
    assert (facts["doc_id"] == "fine").sum() == 1
    assert [(p.path.name, p.severity) for p in problems] == [("ones.txt", "warning")]
    assert "more than 300 numbers: facts kept up to character 600" in str(problems[0])
    again: list = []
    engine.extract_corpus([raw], jobs=1, cache=tmp_path / "cache", problems=again)
    assert list(map(str, again)) == list(map(str, problems))  # said again when it comes from the cache
