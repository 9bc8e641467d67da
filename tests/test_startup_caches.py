"""The two tables every process used to load whole, now read from the user's cache.

simplemma's English dictionary is read word by word from an sqlite copy, and pint's parse of
the unit definitions is kept in its disk cache. Both must answer exactly as the originals:
same lemmas, same units; and a damaged or unwritable cache falls back to the originals.
"""

from __future__ import annotations

import re
import sqlite3
import subprocess
import sys

import pytest
import simplemma

from borderdata import taxonomy, units
from borderdata.corpus import PROJECT_ROOT

SEEDS = PROJECT_ROOT / "seeds"


@pytest.fixture(scope="module")
def seed_words() -> list[str]:
    text = " ".join(p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt")))
    return sorted(set(re.findall(r"[A-Za-z][A-Za-z'’-]*", text)))


def test_stored_dictionary_lemmatises_as_simplemma(seed_words):
    words = [*seed_words, *(w.lower() for w in seed_words), "apprehended", "officers", "seized", "xqzvv"]
    stored = taxonomy._lemmatizer()
    assert isinstance(stored._lemmatization_strategy._dictionary_lookup._dictionary_factory,
                      taxonomy._StoredDictionaries)  # fmt: skip
    assert [stored.lemmatize(w, "en") for w in words] == [simplemma.lemmatize(w, lang="en") for w in words]


def _clear_lemma_caches() -> None:
    for cached in (taxonomy._lemmatizer, taxonomy.stored_lemmas, taxonomy.lemma):
        cached.cache_clear()


def test_plain_words_read_from_the_store_lemmatise_as_simplemma(seed_words):
    # The dictionary answers lower-case ASCII words without simplemma: for every such entry
    # (a deterministic tenth of them) and every word of the seeds, the answer is simplemma's own.
    stored = taxonomy.stored_lemmas()
    entries = [w for w in stored if taxonomy.PLAIN_WORD.fullmatch(w)][::10]
    words = [*entries, *seed_words, "Officers", "SEIZED", "drones", "u.s.", "cross-border", "don't", "1990s"]
    assert len(entries) > 10_000
    assert [taxonomy.lemma(w) for w in words] == [
        simplemma.lemmatize(w.lower(), lang="en").lower() for w in words
    ]


def test_a_plain_word_needs_no_simplemma_import():
    code = (
        "import sys; from borderdata import taxonomy; "
        "print(taxonomy.lemma('apprehended'), taxonomy.lemma('officers'), 'simplemma' in sys.modules)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.split() == ["apprehend", "officer", "False"]


def test_stored_dictionary_holds_every_entry():
    from simplemma.strategies.dictionaries import DEFAULT_DICTIONARY_FACTORY

    original = DEFAULT_DICTIONARY_FACTORY.get_dictionary("en")
    stored = taxonomy._StoredLemmas(taxonomy.lemma_store())
    assert len(stored) == len(original)
    sample = list(original)[::97]
    assert [stored.get(w) for w in sample] == [original.get(w) for w in sample]
    assert stored.get("no-such-word-here") is None and "officers" in stored


def test_a_damaged_store_is_written_again(tmp_path, monkeypatch):
    path = tmp_path / "en.sqlite"
    path.write_bytes(b"not a database at all" * 100)
    monkeypatch.setattr(taxonomy, "lemma_store", lambda: path)
    _clear_lemma_caches()
    try:
        assert taxonomy._lemmatizer().lemmatize("officers", "en") == "officer"
        with sqlite3.connect(path) as db:
            assert db.execute("SELECT lemma FROM lemmas WHERE word = 'apprehended'").fetchone() == (
                "apprehend",
            )
    finally:
        _clear_lemma_caches()


def test_an_unwritable_cache_falls_back_to_simplemma(tmp_path, monkeypatch):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    monkeypatch.setattr(taxonomy, "lemma_store", lambda: blocker / "lemmas" / "en.sqlite")
    _clear_lemma_caches()
    try:
        lemmatizer = taxonomy._lemmatizer()
        assert lemmatizer.lemmatize("apprehended", "en") == "apprehend"
        assert not isinstance(
            lemmatizer._lemmatization_strategy._dictionary_lookup._dictionary_factory,
            taxonomy._StoredDictionaries,
        )
    finally:
        _clear_lemma_caches()


def _units(registry) -> tuple:
    return sorted(registry._units), sorted(registry._dimensions), sorted(registry._prefixes)


def test_cached_unit_definitions_are_the_parsed_ones(tmp_path):
    parsed = units._plain_registry()
    parsed.load_definitions(units._news_definitions())
    first = units.news_registry(tmp_path / "pint")  # parses and fills the cache
    again = units.news_registry(tmp_path / "pint")  # from the cache
    assert _units(first) == _units(again) == _units(parsed)
    assert any(p.suffix == ".pickle" for p in (tmp_path / "pint").iterdir())
    assert again.Quantity(19.5, "kg").to("lb").magnitude == parsed.Quantity(19.5, "kg").to("lb").magnitude
    # "point" freed for news use, as parsed: a count (index points), not a length
    assert "printers_point" in again and again.Quantity(3, "point").dimensionless
    assert again.Quantity(1, "CAD").dimensionality != again.Quantity(1, "USD").dimensionality
    assert again.Quantity(250, "CAD_cent").to("CAD").magnitude == 2.5


def test_unwritable_unit_cache_parses_the_definitions(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    registry = units.news_registry(blocker / "pint")
    assert registry.Quantity(1, "lb").to("kg").magnitude == pytest.approx(0.45359237)


def test_word_patterns_compile_on_first_use_and_match_as_compiled():
    words = ["drone*", "black hawk", "u.s. border patrol"]
    lazy = taxonomy.words_pattern(words)
    assert "search" not in vars(lazy)  # nothing compiled yet
    compiled = re.compile(lazy.source)
    text = "two Black-Hawk helicopters, 3 drones and the U.S. Border Patrol's dronesque unit"
    folded = taxonomy.fold(text)
    assert [m.span() for m in lazy.finditer(folded)] == [m.span() for m in compiled.finditer(folded)]
    assert "search" in vars(lazy) and lazy.pattern == compiled.pattern
    assert lazy.search("no such word") is None and lazy.findall(folded) == compiled.findall(folded)
