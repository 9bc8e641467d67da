"""The incremental cache: packs and index, the stat fast path, damage and bounds."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from borderdata import cache as cache_mod
from borderdata import engine
from borderdata.cache import INDEX_NAME, Entry, FactCache, load_index
from borderdata.synth import paragraph_pool, write_corpus
from tests.conftest import SEEDS

N_DOCS = 12
SAVE_INDEX = FactCache._save_index


@pytest.fixture(scope="module")
def pool():
    return paragraph_pool([SEEDS])


@pytest.fixture
def corpus(tmp_path: Path, pool) -> Path:
    """A dozen generated articles in nested folders."""
    write_corpus(tmp_path / "synth", n_docs=N_DOCS, pool=pool)
    return tmp_path / "synth"


@pytest.fixture
def trusting(monkeypatch):
    """No racy window: files written a moment ago may already be trusted by their stat."""
    monkeypatch.setattr(cache_mod, "RACY_NS", 0)


def run(corpus: Path, tmp_path: Path, name: str = "out.csv") -> engine.RunStats:
    return engine.write_facts([corpus], tmp_path / name, jobs=1, cache=tmp_path / "cache", problems=[])


def full_run(corpus: Path, tmp_path: Path) -> bytes:
    engine.write_facts([corpus], tmp_path / "full.csv", jobs=1, cache=None, problems=[])
    return (tmp_path / "full.csv").read_bytes()


def articles(corpus: Path) -> list[Path]:
    return sorted(corpus.rglob("*.txt"))


def cache_folder(tmp_path: Path) -> Path:
    return FactCache(tmp_path / "cache").folder


def test_entries_survive_in_packs_and_the_index(tmp_path):
    entry = Entry.of("a", 3, (("row", 1),), "a,1\n")
    first = FactCache(tmp_path)
    first.put("k" * 64, entry)
    assert first.load(first.get("k" * 64)) == entry  # readable before the run is committed
    first.commit()
    second = FactCache(tmp_path)
    stored = second.get("k" * 64)
    assert (stored.doc_id, stored.n_chars, stored.n_rows) == ("a", 3, 1)  # known without reading the pack
    assert second.load(stored) == entry
    assert second.get("x" * 64) is None
    assert (second.hits, second.misses) == (1, 1)
    assert entry.rows == (("row", 1),)
    assert len(list(second.folder.glob("pack-*.pack"))) == 1


def test_unchanged_files_are_not_read_again(corpus, tmp_path, trusting, monkeypatch):
    run(corpus, tmp_path)
    expected = full_run(corpus, tmp_path)

    def no_read(*args, **kwargs):
        raise AssertionError("an unchanged file was read")

    monkeypatch.setattr(engine, "read_source_bytes", no_read)
    stats = run(corpus, tmp_path, "warm.csv")
    assert (stats.extracted, stats.cached) == (0, N_DOCS)
    assert (tmp_path / "warm.csv").read_bytes() == expected


def test_a_touched_file_is_hashed_but_not_re_extracted(corpus, tmp_path, trusting):
    run(corpus, tmp_path)
    touched = articles(corpus)[2]
    os.utime(touched)
    stats = run(corpus, tmp_path)
    assert (stats.extracted, stats.cached) == (0, N_DOCS)


def test_changed_bytes_with_the_same_size_and_mtime_are_re_extracted(corpus, tmp_path, trusting):
    run(corpus, tmp_path)
    changed = articles(corpus)[5]
    before = changed.stat()
    text = changed.read_text()
    changed.write_text(text.replace("the", "eht", 1))
    os.utime(changed, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert changed.stat().st_size == before.st_size
    assert changed.stat().st_mtime_ns == before.st_mtime_ns
    stats = run(corpus, tmp_path)
    assert stats.extracted == 1
    assert (tmp_path / "out.csv").read_bytes() == full_run(corpus, tmp_path)


def test_a_recently_changed_file_is_not_trusted_by_its_stat(corpus, tmp_path, monkeypatch):
    run(corpus, tmp_path)  # every file was written a moment ago: inside the racy window
    reads = []
    real = engine.read_source_bytes
    monkeypatch.setattr(engine, "read_source_bytes", lambda *a, **k: reads.append(a) or real(*a, **k))
    stats = run(corpus, tmp_path)
    assert (len(reads), stats.extracted) == (N_DOCS, 0)


@pytest.mark.parametrize("damage", ["garbage index", "empty index", "no packs", "truncated packs"])
def test_a_damaged_cache_means_a_full_run(corpus, tmp_path, trusting, damage):
    run(corpus, tmp_path)
    folder = cache_folder(tmp_path)
    packs = list(folder.glob("pack-*.pack"))
    if damage == "garbage index":
        (folder / INDEX_NAME).write_bytes(b"not a pickle")
    elif damage == "empty index":
        (folder / INDEX_NAME).write_bytes(b"")
    for pack in packs:
        if damage == "no packs":
            pack.unlink()
        elif damage == "truncated packs":
            pack.write_bytes(pack.read_bytes()[:100])
    stats = run(corpus, tmp_path)
    assert stats.extracted == N_DOCS
    assert (tmp_path / "out.csv").read_bytes() == full_run(corpus, tmp_path)
    assert run(corpus, tmp_path).extracted == 0


def test_a_killed_run_leaves_the_previous_index(corpus, tmp_path, trusting, monkeypatch):
    run(corpus, tmp_path)
    changed = articles(corpus)[0]
    changed.write_text(changed.read_text() + "\nOfficers seized 42 kilograms of cocaine.\n")

    calls = []
    add = engine.Spool.add

    def killed(self, entry):
        calls.append(entry)
        if len(calls) > N_DOCS // 2:
            raise KeyboardInterrupt
        add(self, entry)

    monkeypatch.setattr(engine.Spool, "add", killed)
    with pytest.raises(KeyboardInterrupt):
        run(corpus, tmp_path)
    monkeypatch.setattr(engine.Spool, "add", add)
    assert len(list(cache_folder(tmp_path).glob("pack-*.pack"))) == 2  # one not referenced
    stats = run(corpus, tmp_path)
    assert stats.extracted == 1
    assert (tmp_path / "out.csv").read_bytes() == full_run(corpus, tmp_path)


def test_the_cache_stays_bounded(corpus, tmp_path, trusting):
    run(corpus, tmp_path)
    changed = articles(corpus)[1]
    text = changed.read_text()
    for i in range(3 * cache_mod.KEEP_RUNS):
        changed.write_text(text + f"\nOfficers seized {i + 2} kilograms of cocaine.\n")
        assert run(corpus, tmp_path).extracted == 1
    folder = cache_folder(tmp_path)
    index = load_index(folder / INDEX_NAME)
    assert len(index.entries) <= N_DOCS + cache_mod.KEEP_RUNS - 1
    live = sum(loc[2] for loc in index.entries.values())
    on_disk = sum(p.stat().st_size for p in folder.glob("pack-*.pack"))
    assert on_disk <= 2 * live
    assert {p.name for p in folder.glob("pack-*.pack")} == {loc[0] for loc in index.entries.values()}
    assert (tmp_path / "out.csv").read_bytes() == full_run(corpus, tmp_path)


def test_a_file_that_vanishes_after_listing_is_a_problem(corpus, tmp_path, trusting):
    run(corpus, tmp_path)
    gone = articles(corpus)[3]
    manifest_change = gone.parent / "manifest.csv"
    manifest_change.write_text(f"file,title\n{gone.name},A new title\n")
    problems: list = []
    sources = list(engine.iter_sources([corpus], problems, cache=FactCache(tmp_path / "cache")))
    gone.unlink()
    fact_cache = FactCache(tmp_path / "cache")
    fact_cache.index  # noqa: B018 - load it
    outcomes = list(engine.run_sources(sources, jobs=1, cache=fact_cache))
    assert sum(o.problem is not None for _, o in outcomes) == 1


def test_a_warm_csv_run_copies_stored_lines_without_unpickling(corpus, tmp_path, trusting, monkeypatch):
    run(corpus, tmp_path)

    def no_unpickling(self):
        raise AssertionError("a cached entry's rows were unpickled for a CSV output")

    monkeypatch.setattr(Entry, "rows", property(no_unpickling))
    assert run(corpus, tmp_path, "warm.csv").cached == N_DOCS
    assert (tmp_path / "warm.csv").read_bytes() == full_run(corpus, tmp_path)


def test_an_entry_found_at_look_up_is_read_even_if_its_pack_is_deleted_meanwhile(tmp_path):
    first = FactCache(tmp_path)
    entry = Entry.of("a", 3, (("row", 1),), "a,1\n")
    first.put("k" * 64, entry)
    first.commit()
    reader = FactCache(tmp_path)
    stored = reader.get("k" * 64)
    for pack in reader.folder.glob("pack-*.pack"):
        pack.unlink()  # what a concurrent run's compaction could do
    assert reader.load(stored) == entry


def test_an_entry_cut_short_after_look_up_is_a_clear_error(tmp_path):
    first = FactCache(tmp_path)
    first.put("k" * 64, Entry.of("a", 3, (("row", 1),), "a,1\n"))
    first.commit()
    reader = FactCache(tmp_path)
    stored = reader.get("k" * 64)
    (pack,) = reader.folder.glob("pack-*.pack")
    os.truncate(pack, 2)
    with pytest.raises(cache_mod.CacheError, match=r"pack-.*'a' is damaged \(the pack is gone or shorter\)"):
        reader.load(stored)
    assert reader.get("k" * 64) is None  # dropped from the index


def test_entries_put_in_this_run_are_found_again(tmp_path):
    cache = FactCache(tmp_path)
    entries = [Entry.of(doc_id, 3, (("row", i),), f"{doc_id},{i}\n") for i, doc_id in enumerate("abc")]
    for i, entry in enumerate(entries):
        cache.put(str(i) * 64, entry)
        assert cache.load(cache.get(str(i) * 64)) == entry  # the pack grows after it is first read


def test_an_entry_damaged_inside_its_pack_is_extracted_again(corpus, tmp_path, trusting, caplog):
    run(corpus, tmp_path)
    (pack,) = cache_folder(tmp_path).glob("pack-*.pack")
    data = bytearray(pack.read_bytes())
    data[len(data) // 2] ^= 0x01  # one flipped bit, same length: only the checksum can tell
    pack.write_bytes(bytes(data))
    stats = run(corpus, tmp_path, "warm.csv")
    assert stats.cached == N_DOCS
    assert (tmp_path / "warm.csv").read_bytes() == full_run(corpus, tmp_path)
    assert "is damaged (checksum mismatch): extracted again" in caplog.text
    assert run(corpus, tmp_path).extracted == 0  # stored anew


def test_a_failing_writer_is_the_error_reported_and_the_cache_is_kept(
    corpus, tmp_path, trusting, monkeypatch
):
    def full_disk(entries, out):
        list(entries)
        raise OSError(28, "No space left on device")

    def index_fails(self):
        raise OSError(28, "No space left for the index")

    monkeypatch.setitem(engine.WRITERS, "csv", full_disk)
    with pytest.raises(OSError, match="device"):
        run(corpus, tmp_path)
    monkeypatch.setattr(FactCache, "_save_index", index_fails)
    with pytest.raises(OSError, match="device"):  # the writer's error, not the index's
        run(corpus, tmp_path)
    monkeypatch.setattr(FactCache, "_save_index", SAVE_INDEX)
    monkeypatch.setitem(engine.WRITERS, "csv", engine.write_csv)
    assert run(corpus, tmp_path).extracted == 0  # what the first run extracted was kept
