"""Where `borderdata extract` writes: never over a user's folder, never over the tables `make data` owns."""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd
import pytest

from borderdata import engine
from borderdata.cli import main
from tests.conftest import SEEDS


def tree(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture
def project(tmp_path: Path, monkeypatch) -> Path:
    """A project folder with inputs, corrections and a note, as the current folder."""
    (tmp_path / "data" / "raw").mkdir(parents=True)
    (tmp_path / "data" / "raw" / "a.txt").write_text("Officers seized 12 kilograms of fentanyl.\n")
    (tmp_path / "data" / "overrides.csv").write_text("fact_id,action,field,value,reason,author,date\n")
    (tmp_path / "notes").mkdir()
    (tmp_path / "notes" / "notes.txt").write_text("mine")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("BORDERDATA_PROJECT", str(tmp_path))
    return tmp_path


@pytest.mark.parametrize("out", ["data/", "data", "notes/", ".", "./"])
def test_an_existing_folder_that_is_not_a_borderdata_dataset_is_refused(project, capsys, out):
    before = tree(project)
    assert main(["extract", str(SEEDS), "--out", out, "--no-cache", "--jobs", "1"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and "refusing to replace it" in err and err.count("\n") == 1
    assert tree(project) == before


def test_a_dataset_folder_with_a_stranger_file_is_refused(project, capsys):
    assert main(["extract", str(SEEDS), "--out", "facts/", "--no-cache", "--jobs", "1"]) == 0
    (project / "facts" / "mine.txt").write_text("mine")
    assert main(["extract", str(SEEDS), "--out", "facts/", "--no-cache", "--jobs", "1"]) == 2
    assert (project / "facts" / "mine.txt").read_text() == "mine"
    assert len(pd.read_parquet(project / "facts" / "part-00000.parquet")) > 0


def test_a_dataset_borderdata_wrote_is_replaced_whole(project):
    (project / ".facts.abc123.partial").mkdir()  # as a run killed while writing the dataset leaves it
    assert main(["extract", str(SEEDS), "--out", "facts/", "--no-cache", "--jobs", "1"]) == 0
    first = tree(project / "facts")
    assert engine.DATASET_MARKER in first
    assert main(["extract", "data/raw", "--out", "facts/", "--no-cache", "--jobs", "1"]) == 0
    assert set(tree(project / "facts")) == {engine.DATASET_MARKER, "part-00000.parquet"}
    assert len(pd.read_parquet(project / "facts")) == 1
    assert not [p for p in project.iterdir() if p.name.startswith(".facts")]  # no staging folder left


@pytest.mark.parametrize("table", ["facts", "documents", "claims"])
def test_extract_never_writes_the_tables_make_data_owns(project, capsys, table):
    out = project / "data" / "processed" / f"{table}.csv"
    assert main(["extract", "--out", str(out), "--no-cache"]) == 2
    assert "`borderdata data`" in capsys.readouterr().err
    assert not out.exists()


def test_extract_with_defaults_leaves_data_processed_alone(project, capfd):
    assert main(["extract", "--no-cache", "--jobs", "1"]) == 0
    captured = capfd.readouterr()
    assert captured.out.startswith("fact_id,doc_id,") and "12 kilograms" in captured.out
    assert not (project / "data" / "processed").exists() or not list(
        (project / "data" / "processed").glob("*.csv")
    )


def test_the_cache_goes_to_the_project_or_the_user_cache_folder(project, tmp_path_factory, monkeypatch):
    assert main(["extract", "--out", "facts.csv", "--jobs", "1"]) == 0
    assert (project / "data" / "processed" / ".cache" / "facts.sqlite3").is_file()
    outside = tmp_path_factory.mktemp("outside")
    (outside / "a.txt").write_text("Officers seized 12 kilograms of fentanyl.\n")
    user_cache = tmp_path_factory.mktemp("usercache")
    monkeypatch.delenv("BORDERDATA_PROJECT")
    monkeypatch.chdir(outside)
    monkeypatch.setenv("XDG_CACHE_HOME", str(user_cache))
    assert main(["extract", "a.txt", "--out", "facts.csv", "--jobs", "1"]) == 0
    assert sorted(os.listdir(outside)) == ["a.txt", "facts.csv"]
    assert list(user_cache.rglob("facts.sqlite3"))


def test_data_outside_a_project_is_refused(tmp_path, monkeypatch, capsys):
    monkeypatch.delenv("BORDERDATA_PROJECT", raising=False)
    monkeypatch.chdir(tmp_path)
    assert main(["data"]) == 2
    assert "no project here" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


def test_project_option_names_the_project_from_anywhere(project, tmp_path_factory):
    """In a fresh process (module constants such as corpus.PROJECT_ROOT are set at import)."""
    import subprocess
    import sys

    elsewhere = tmp_path_factory.mktemp("elsewhere")
    env = {k: v for k, v in os.environ.items() if k != "BORDERDATA_PROJECT"}
    env["PYTHONPATH"] = str(Path(engine.__file__).parents[1])
    command = [sys.executable, "-m", "borderdata.cli", "--project", str(project), "extract", "--out", "f.csv"]
    done = subprocess.run(command, cwd=elsewhere, env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert "1 facts from 1 documents" in done.stderr  # the project's data/raw/a.txt
    assert (project / "data" / "processed" / ".cache" / "facts.sqlite3").is_file()
    assert sorted(os.listdir(elsewhere)) == ["f.csv"]
