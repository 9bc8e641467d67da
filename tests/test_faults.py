"""Interrupted and concurrent runs: the previous tables survive whole, overrides are never written.

Each test builds its own corpus and output folder under ``tmp_path`` and calls
:func:`borderdata.pipeline.run_data` (what ``make data`` runs) on them, so the
project's own ``data/processed/`` is never touched.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pandas as pd
import pytest

from borderdata import cli, pipeline
from borderdata.corpus import PROJECT_ROOT
from borderdata.pipeline import LOCK_NAME, TABLE_NAMES, LockedError, output_lock, run_data

SEEDS = PROJECT_ROOT / "seeds"
TABLES = tuple(f"{name}.csv" for name in TABLE_NAMES)
CHILD_TIMEOUT = 60


def _seed_files() -> list[Path]:
    return sorted(p for p in SEEDS.iterdir() if p.suffix == ".txt")


def _run(raw: Path, out: Path, overrides: Path | None = None) -> pipeline.DataResult:
    return run_data([raw], out_dir=out, overrides=overrides, jobs=1)


def _snapshot(folder: Path) -> dict[str, bytes]:
    """Every file directly in ``folder`` (hidden ones too) and its bytes."""
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()}


@pytest.fixture
def corpus(tmp_path: Path) -> tuple[Path, Path]:
    """(raw folder with two seed articles, output folder holding a complete previous run)."""
    raw, out = tmp_path / "raw", tmp_path / "processed"
    raw.mkdir()
    for path in _seed_files()[:2]:
        shutil.copy(path, raw / path.name)
    _run(raw, out)
    # The next run would change every table: one more article.
    extra = _seed_files()[2]
    shutil.copy(extra, raw / extra.name)
    return raw, out


def test_a_complete_run_leaves_only_the_tables(corpus):
    raw, out = corpus
    _run(raw, out)
    assert sorted(p.name for p in out.iterdir() if not p.is_dir()) == sorted(TABLES)


def test_exception_mid_write_keeps_the_previous_tables(corpus, monkeypatch):
    raw, out = corpus
    before = _snapshot(out)
    original = pd.DataFrame.to_csv
    calls: list[object] = []

    def crash_on_second_table(self, path=None, *args, **kwargs):
        if path is None:  # the engine's in-memory CSV lines, not a table
            return original(self, path, *args, **kwargs)
        calls.append(path)
        if len(calls) == 2:  # facts.csv: half written, then the run dies
            original(self.head(len(self) // 2), path, *args, **kwargs)
            raise OSError("disk full (injected)")
        return original(self, path, *args, **kwargs)

    monkeypatch.setattr(pd.DataFrame, "to_csv", crash_on_second_table)
    with pytest.raises(OSError, match="injected"):
        _run(raw, out)
    assert len(calls) == 2
    assert _snapshot(out) == before  # byte-identical, no temp file, no lock left behind


def test_exception_at_the_first_rename_keeps_the_previous_tables(corpus, monkeypatch):
    raw, out = corpus
    before = _snapshot(out)

    def refuse(src, dst):
        raise PermissionError(f"cannot rename {src} (injected)")

    monkeypatch.setattr("borderdata.tables.os.replace", refuse)
    with pytest.raises(PermissionError, match="injected"):
        _run(raw, out)
    assert _snapshot(out) == before


CHILD = """
import sys, time
from pathlib import Path
import pandas as pd
from borderdata.pipeline import run_data

raw, out, marker = map(Path, sys.argv[1:4])
original = pd.DataFrame.to_csv

def half_then_hang(self, path=None, *args, **kwargs):
    if path is None:  # the engine's in-memory CSV lines, not a table
        return original(self, path, *args, **kwargs)
    original(self, path, *args, **kwargs)
    Path(path).write_bytes(Path(path).read_bytes()[: Path(path).stat().st_size // 2])
    marker.write_text(str(path))
    time.sleep(600)

pd.DataFrame.to_csv = half_then_hang
run_data([raw], out_dir=out, overrides=None, jobs=1)
"""


def _start_hanging_writer(raw: Path, out: Path, marker: Path) -> subprocess.Popen:
    """A `borderdata data` run that stops half-way through writing documents.csv, holding the lock."""
    env = {**os.environ, "PYTHONPATH": str(PROJECT_ROOT / "src")}
    child = subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(CHILD), str(raw), str(out), str(marker)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + CHILD_TIMEOUT
    while not marker.exists():
        if child.poll() is not None or time.monotonic() > deadline:
            child.kill()
            raise AssertionError(f"writer never reached the write step: {child.communicate()[1][-2000:]!r}")
        time.sleep(0.05)
    return child


def test_sigkill_mid_write_then_concurrent_run_then_takeover(corpus, tmp_path):
    raw, out = corpus
    before = {name: (out / name).read_bytes() for name in TABLES}
    child = _start_hanging_writer(raw, out, tmp_path / "writing")
    try:
        partial = Path((tmp_path / "writing").read_text())
        assert partial.parent == out and partial.name.startswith(".") and partial.stat().st_size > 0
        # (d) a second run while the first holds the lock: a clear refusal, nothing written.
        with pytest.raises(LockedError, match=rf"another `borderdata data` run holds .*pid {child.pid}"):
            _run(raw, out)
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=CHILD_TIMEOUT)
    assert child.returncode == -signal.SIGKILL
    # (b) killed in the middle of writing: the previous tables, byte for byte.
    assert {name: (out / name).read_bytes() for name in TABLES} == before
    visible = sorted(p.name for p in out.iterdir() if not p.name.startswith("."))
    assert visible == sorted(TABLES)  # the half-written file is a hidden temp, never a table
    assert (out / LOCK_NAME).read_text() == str(child.pid)  # the dead run's lock is still there
    # (d) the next run takes the stale lock over, clears the temp files and writes complete tables.
    result = _run(raw, out)
    assert sorted(p.name for p in out.iterdir() if not p.is_dir()) == sorted(TABLES)
    assert len(result.documents) == 3
    fresh = tmp_path / "fresh"
    _run(raw, fresh)
    assert {n: (out / n).read_bytes() for n in TABLES} == {n: (fresh / n).read_bytes() for n in TABLES}


def _dead_pid() -> int:
    done = subprocess.Popen([sys.executable, "-c", "pass"])
    done.wait()
    return done.pid


@pytest.mark.parametrize("content", ["dead", "", "not a pid"])
def test_stale_lock_is_taken_over(corpus, content):
    raw, out = corpus
    (out / LOCK_NAME).write_text(str(_dead_pid()) if content == "dead" else content)
    result = _run(raw, out)
    assert len(result.documents) == 3
    assert not (out / LOCK_NAME).exists()


def test_lock_is_released_after_a_failed_run(corpus, monkeypatch):
    raw, out = corpus

    def boom(*args, **kwargs):
        raise RuntimeError("claims failed (injected)")

    monkeypatch.setattr(pipeline, "build_claims", boom)
    with pytest.raises(RuntimeError, match="injected"):
        _run(raw, out)
    assert not (out / LOCK_NAME).exists()


def test_cli_data_refuses_while_locked(corpus, monkeypatch, capsys):
    raw, out = corpus
    before = _snapshot(out)
    original = pipeline.run_data
    monkeypatch.setattr(
        pipeline, "run_data", lambda paths, jobs=None: original(paths, out_dir=out, overrides=None, jobs=1)
    )
    with output_lock(out):
        code = cli.main(["data", str(raw)])
        snapshot_while_locked = {k: v for k, v in _snapshot(out).items() if k != LOCK_NAME}
    assert code == 2
    err = capsys.readouterr().err
    assert "error: another `borderdata data` run holds" in err and str(os.getpid()) in err
    assert snapshot_while_locked == before


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_overrides_file_is_read_but_never_written(corpus, tmp_path):
    raw, out = corpus
    facts = pd.read_csv(out / "facts.csv", dtype=str, keep_default_na=False)
    target = facts["fact_id"].iloc[0]
    overrides = tmp_path / "overrides.csv"
    overrides.write_text(
        "fact_id,action,field,value,reason,author,date\n"
        f"{target},exclude,,,test exclusion,qa,2025-03-01\n"
        "no_such_doc:1,exclude,,,stale on purpose,qa,2025-03-01\n"
        "broken row without enough fields\n",
        encoding="utf-8",
    )
    os.utime(overrides, (1_000_000_000, 1_000_000_000))
    digest, stat = _sha256(overrides), overrides.stat()
    result = _run(raw, out, overrides=overrides)
    assert target not in set(result.facts["fact_id"])  # the file was read and applied
    assert _sha256(overrides) == digest
    assert overrides.stat().st_mtime_ns == stat.st_mtime_ns and overrides.stat().st_size == stat.st_size
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".overrides")) == []


def test_a_symlinked_lock_file_is_not_followed(corpus, tmp_path):
    raw, out = corpus
    target = tmp_path / "precious.txt"
    target.write_text("keep me")
    (out / LOCK_NAME).symlink_to(target)
    result = _run(raw, out)
    assert len(result.documents) == 3
    assert target.read_text() == "keep me"


def test_tables_keep_their_file_mode(corpus):
    raw, out = corpus
    (out / "facts.csv").chmod(0o640)
    (out / "claims.csv").unlink()
    _run(raw, out)
    umask = os.umask(0)
    os.umask(umask)
    assert (out / "facts.csv").stat().st_mode & 0o777 == 0o640
    assert (out / "claims.csv").stat().st_mode & 0o777 == 0o666 & ~umask
    assert (out / "documents.csv").stat().st_mode & 0o777 == 0o666 & ~umask


@pytest.mark.parametrize(
    ("errno_code", "where", "text"),
    [(28, "_fsync", "No space left on device"), (30, "tempfile.mkstemp", "Read-only file system")],
)
def test_disk_full_or_read_only_is_one_line(corpus, monkeypatch, capsys, errno_code, where, text):
    raw, out = corpus
    before = _snapshot(out)

    def fail(*args, **kwargs):
        raise OSError(errno_code, os.strerror(errno_code), str(out / "facts.csv"))

    monkeypatch.setattr(f"borderdata.tables.{where}", fail)
    original = pipeline.run_data
    monkeypatch.setattr(
        pipeline, "run_data", lambda paths, jobs=None: original(paths, out_dir=out, overrides=None, jobs=1)
    )
    assert cli.main(["data", str(raw)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and text in err and "Traceback" not in err
    assert {k: v for k, v in _snapshot(out).items() if k != LOCK_NAME} == before
