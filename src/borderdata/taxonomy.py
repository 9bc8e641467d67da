"""Categories, currency cues and subject synonyms, read from ``taxonomy.toml``.

The extractor asks two questions here: which category a fact belongs to
(:func:`categorize`) and which dollar a bare ``$`` is (:func:`dollar_country`);
places are :mod:`borderdata.places`' (``places.toml``). The answers are data, so a
user changes them by editing the TOML file (or pointing ``BORDERDATA_TAXONOMY``
at a copy), not code.
"""

from __future__ import annotations

import importlib.metadata
import os
import re
import sqlite3
import tempfile
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, cast

from borderdata.config import PACKAGE_NAME, cached_while_unchanged, read_toml

TAXONOMY_ENV = "BORDERDATA_TAXONOMY"
CATEGORIES = (
    "seizure", "funding", "asset", "personnel", "tariff", "enforcement_result", "migration", "casualty",
    "trade", "other",
)  # fmt: skip
REQUIRE_MODES = ("subject", "context", "subject+context", "any", "after", "subject+verb", "verb")
MSG_BAD_RULE = "taxonomy rule {index}: {problem}"
CLAUSE_BREAK = re.compile(r"[,;:()—–]|\b(?:compared|while|whereas|than|but|versus|vs)\b", re.IGNORECASE)
CLAUSE_PENALTY = 100
# What follows an amount up to the end of its clause (for rules about what is said of it).
CLAUSE_END = re.compile(r"[;:—–?!]|\s-\s")


class LazyPattern:
    """A regex compiled on its first use, then answering as the compiled pattern does.

    The taxonomy and the gazetteer hold some 300 word lists; one article uses a few dozen of
    them, and compiling them all cost a tenth of a second in every process that extracts.
    """

    def __init__(self, source: str) -> None:
        self.source = source

    def __getattr__(self, name: str) -> Any:
        # Only for attributes not set yet: compile, then bind the pattern's own methods here so
        # that later calls reach them directly.
        if name.startswith("__") or name == "source":
            raise AttributeError(name)
        compiled = re.compile(self.source)
        for attribute in ("search", "match", "fullmatch", "finditer", "findall", "sub", "split", "pattern"):
            setattr(self, attribute, getattr(compiled, attribute))
        return getattr(compiled, name)


def words_pattern(words: list[str]) -> re.Pattern | None:
    """One regex for a word list (lower case): whole words, trailing ``*`` for any ending.

    >>> words_pattern(["drone*", "black hawk"]).search("two black-hawks and 3 drones").group()
    'drones'
    """
    if not words:
        return None
    parts = []
    for word in sorted(words, key=len, reverse=True):
        stem = re.escape(word.lower().rstrip("*")).replace(r"\ ", r"[\s-]+")
        parts.append(stem + (r"[\w'’-]*" if word.endswith("*") else ""))
    # Case-sensitive on lower-case words: callers fold the text first (much faster than IGNORECASE).
    source = r"(?<![\w'’])(?:" + "|".join(parts) + r")(?![\w'’])"
    return cast(re.Pattern, LazyPattern(source))  # it answers every method callers use


def fold(text: str) -> str:
    """``text`` in lower case, character for character (so offsets still point into ``text``)."""
    lower = text.lower()
    return lower if len(lower) == len(text) else "".join(ch.lower()[:1] or ch for ch in text)


# A lower-case ASCII word: simplemma's English strategies answer it from the dictionary before
# any other (no apostrophe to split at, nothing to fold or normalise, not numeric) when it is there.
PLAIN_WORD = re.compile(r"[a-z]+")


@lru_cache(maxsize=65536)
def lemma(word: str) -> str:
    """The dictionary form of an English word ("apprehended" -> "apprehend", "officers" -> "officer").

    A plain word found in the dictionary is answered from :func:`stored_lemmas` (simplemma's
    answer, without importing simplemma: a tenth of a second per process); any other word
    goes through simplemma's strategies.
    """
    word = word.lower()
    lemmas = stored_lemmas() if PLAIN_WORD.fullmatch(word) else None
    found = lemmas.get(word) if lemmas is not None else None
    if found is not None:
        return str(found).lower()
    return str(_lemmatizer().lemmatize(word, "en")).lower()


LEMMA_LANGUAGE = "en"


class _StoredLemmas(Mapping[str, str]):
    """simplemma's English dictionary read word by word from an sqlite copy (the same entries).

    Loading simplemma's own table (a compressed pickle of 180,000 entries) costs about half a
    second in every process; a check or a notebook looks up a few hundred words. The copy is
    opened read-only and reopened after a fork (an sqlite connection must not cross one).
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._pid = -1
        self._db: sqlite3.Connection | None = None

    def _connection(self) -> sqlite3.Connection:
        if self._db is None or self._pid != os.getpid():
            uri = f"{self.path.resolve().as_uri()}?mode=ro&immutable=1"
            self._db = sqlite3.connect(uri, uri=True, check_same_thread=False)
            self._pid = os.getpid()
        return self._db

    def get(self, key: str, default: Any = None) -> Any:  # type: ignore[override]
        row = self._connection().execute("SELECT lemma FROM lemmas WHERE word = ?", (key,)).fetchone()
        return row[0] if row else default

    def __getitem__(self, key: str) -> str:
        value = self.get(key)
        if value is None:
            raise KeyError(key)
        return str(value)

    def __iter__(self) -> Iterator[str]:
        for (word,) in self._connection().execute("SELECT word FROM lemmas ORDER BY word"):
            yield word

    def __len__(self) -> int:
        return int(self._connection().execute("SELECT count(*) FROM lemmas").fetchone()[0])


class _StoredDictionaries:
    """A simplemma dictionary factory serving :class:`_StoredLemmas` for English."""

    def __init__(self, lemmas: _StoredLemmas) -> None:
        self.lemmas = lemmas

    def get_dictionary(self, lang: str) -> Mapping[str, str]:
        if lang != LEMMA_LANGUAGE:
            raise ValueError(f"Unsupported language: {lang}")
        return self.lemmas


def lemma_store() -> Path:
    """The sqlite copy of simplemma's English dictionary, in the user's cache, one per simplemma version."""
    import platformdirs

    version = importlib.metadata.version("simplemma")
    return Path(platformdirs.user_cache_dir(PACKAGE_NAME)) / "lemmas" / f"{LEMMA_LANGUAGE}-{version}.sqlite"


def _write_lemma_store(path: Path) -> None:
    """Copy simplemma's English dictionary into ``path`` (written aside, then renamed: atomic)."""
    from simplemma.strategies.dictionaries import DefaultDictionaryFactory

    entries = DefaultDictionaryFactory().get_dictionary(LEMMA_LANGUAGE)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, name = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".tmp")
    os.close(handle)
    try:
        db = sqlite3.connect(name)
        with db:
            db.execute("CREATE TABLE lemmas (word TEXT PRIMARY KEY, lemma TEXT NOT NULL) WITHOUT ROWID")
            db.executemany("INSERT INTO lemmas VALUES (?, ?)", entries.items())
        db.close()
        os.replace(name, path)
    finally:
        if os.path.exists(name):
            os.unlink(name)


@lru_cache(maxsize=1)
def stored_lemmas() -> _StoredLemmas | None:
    """The copy of :func:`lemma_store`, written when missing or found damaged; None where it cannot be."""
    path = lemma_store()
    for attempt in range(2):
        try:
            if attempt or not path.is_file():  # missing, or found damaged: (re)written
                _write_lemma_store(path)
            lemmas = _StoredLemmas(path)
            lemmas.get("officers")  # a damaged copy fails here, not in the middle of a run
            return lemmas
        except (OSError, sqlite3.Error):
            continue
    return None


@lru_cache(maxsize=1)
def _lemmatizer() -> Any:
    """simplemma's default English lemmatizer, its dictionary read from :func:`stored_lemmas`.

    The same strategies over the same entries give the same lemmas; where the copy cannot be
    made (a read-only cache folder), simplemma's own table is loaded instead.
    """
    from simplemma import Lemmatizer
    from simplemma.strategies import DefaultStrategy

    lemmas = stored_lemmas()
    if lemmas is None:
        return Lemmatizer(lemmatization_strategy=DefaultStrategy())
    return Lemmatizer(lemmatization_strategy=DefaultStrategy(dictionary_factory=_StoredDictionaries(lemmas)))


PARTICIPLE_TAIL = re.compile(r"(?:\s+[a-z]+ed)+\Z")


def head_noun(subject: str) -> str:
    """The head noun of a subject: its last word before any participle ("fentanyl seized" -> "fentanyl")."""
    phrase = PARTICIPLE_TAIL.sub("", subject.strip()) or subject.strip()
    phrase = re.split(r"\s+(?:of|in|on|for|into|from|to)\s+", phrase, maxsplit=1)[0]
    return phrase.rsplit(" ", 1)[-1]


CLAUSE_WORDS = re.compile(r"[A-Za-z][a-z]+")


class FactWords:
    """What the rules read about one fact, each part computed once and only when a rule asks."""

    __slots__ = ("_after", "_head", "_verbs", "_windows", "_words", "end", "sentence", "start", "subject")

    def __init__(self, subject: str, sentence: str, start: int, end: int) -> None:
        self.subject, self.sentence, self.start, self.end = fold(subject), sentence, start, end
        self._verbs: dict[int, frozenset[str]] = {}
        self._windows: dict[int, str] = {}
        self._words: tuple[list[str], str, list[str]] | None = None
        self._head: str | None = None
        self._after: str | None = None

    def window(self, words: int) -> str:
        """The folded sentence text within ``words`` words either side of the fact."""
        if words not in self._windows:
            if self._words is None:  # split once: the words before the fact, the fact, the words after
                s = self.sentence
                self._words = s[: self.start].split(), s[self.start : self.end], s[self.end :].split()
            left, middle, right = self._words
            text = " ".join([*(left[-words:] if words else []), middle, *(right[:words] if words else [])])
            self._windows[words] = fold(text)
        return self._windows[words]

    @property
    def head(self) -> str:
        if self._head is None:
            self._head = head_noun(self.subject)
        return self._head

    @property
    def after(self) -> str:
        """The rest of the fact's clause after it (folded)."""
        if self._after is None:
            stop = CLAUSE_END.search(self.sentence, self.end)
            self._after = fold(self.sentence[self.end : stop.start() if stop else len(self.sentence)])
        return self._after

    def verbs(self, words: int) -> frozenset[str]:
        """Lemmas of the words within ``words`` words either side of the fact, in its clause."""
        if words not in self._verbs:
            left = self.sentence[: self.start]
            cut = max((m.end() for m in CLAUSE_END.finditer(left)), default=0)
            tokens = CLAUSE_WORDS.findall(left[cut:])[-words:] + CLAUSE_WORDS.findall(self.after)[:words]
            self._verbs[words] = frozenset(lemma(t) for t in tokens)
        return self._verbs[words]


@dataclass(frozen=True)
class Rule:
    """One category rule of the taxonomy (see the comments in ``taxonomy.toml``)."""

    category: str
    units: frozenset[str]
    subject: re.Pattern | None
    context: re.Pattern | None
    require: str
    window: int
    head: bool = False
    verbs: frozenset[str] = frozenset()
    after: re.Pattern | None = None

    def fits(self, unit_kind: str, subject: str, context: str | Callable[[int], str],
             facts: FactWords | None = None) -> bool:  # fmt: skip
        """Whether a fact fits; ``context`` is the window text or a function of the window size."""
        if unit_kind not in self.units and "any" not in self.units:
            return False
        facts = facts or FactWords(subject, context if isinstance(context, str) else "", 0, 0)
        if self.require == "after":
            return bool(self.after and self.after.search(facts.after))
        said = facts.head if self.head else facts.subject
        in_subject = bool(self.subject and self.subject.search(said))
        if self.require == "subject" or (in_subject and self.require == "any"):
            return in_subject
        if self.require in ("subject+context", "subject+verb") and not in_subject:
            return False
        if self.require in ("verb", "subject+verb"):
            return bool(self.verbs & facts.verbs(self.window))
        window = context(self.window) if callable(context) else fold(context)
        return bool(self.context and self.context.search(window))


@dataclass(frozen=True)
class Taxonomy:
    """The compiled taxonomy."""

    rules: tuple[Rule, ...]
    cad_cues: re.Pattern | None
    usd_cues: re.Pattern | None
    canadian_outlets: frozenset[str]
    us_outlets: frozenset[str]
    synonyms: dict[str, str]
    drop_words: frozenset[str]
    raw: dict
    substances: re.Pattern | None = None
    generic_substances: re.Pattern | None = None
    money_nouns: re.Pattern | None = None

    by_kind: dict[str, tuple[Rule, ...]] = field(default_factory=dict)

    def rules_for(self, unit_kind: str) -> tuple[Rule, ...]:
        """The rules that apply to a kind of unit, in order (filtered once, when the taxonomy loads)."""
        found = self.by_kind.get(unit_kind)
        return found if found is not None else tuple(r for r in self.rules if "any" in r.units)


def _rule(index: int, raw: dict) -> Rule:
    category = raw.get("category", "")
    if category not in CATEGORIES:
        raise ValueError(MSG_BAD_RULE.format(index=index, problem=f"unknown category {category!r}"))
    require = raw.get("require", "any")
    if require not in REQUIRE_MODES:
        raise ValueError(MSG_BAD_RULE.format(index=index, problem=f"require must be one of {REQUIRE_MODES}"))
    return Rule(
        category=category,
        units=frozenset(raw.get("units", ["any"])),
        subject=words_pattern(raw.get("subject", [])),
        context=words_pattern(raw.get("context", [])),
        require=require,
        window=int(raw.get("window", 12)),
        head=bool(raw.get("head", False)),
        verbs=frozenset(lemma(v) for v in raw.get("verbs", [])),
        after=words_pattern(raw.get("after", [])),
    )


@cached_while_unchanged("taxonomy.toml", TAXONOMY_ENV)
def load_taxonomy(path: str | None = None) -> Taxonomy:
    """Read and compile the taxonomy from ``path``, ``$BORDERDATA_TAXONOMY`` or the packaged file."""
    raw = read_toml("taxonomy.toml", TAXONOMY_ENV, path)
    currency = raw.get("currency", {})
    what = raw.get("what", {})
    synonyms = {
        variant.lower(): canonical.lower()
        for canonical, variants in raw.get("synonyms", {}).items()
        for variant in [canonical, *variants]
    }
    rules = tuple(_rule(i, r) for i, r in enumerate(raw.get("rules", [])))
    kinds = {kind for rule in rules for kind in rule.units}
    return Taxonomy(
        rules=rules,
        by_kind={k: tuple(r for r in rules if k in r.units or "any" in r.units) for k in kinds},
        cad_cues=words_pattern(currency.get("cad_cues", [])),
        usd_cues=words_pattern(currency.get("usd_cues", [])),
        canadian_outlets=frozenset(o.casefold() for o in currency.get("canadian_outlets", [])),
        us_outlets=frozenset(o.casefold() for o in currency.get("us_outlets", [])),
        synonyms=synonyms,
        drop_words=frozenset(w.lower() for w in raw.get("modifiers", {}).get("drop", [])),
        raw=raw,
        substances=words_pattern(what.get("substances", [])),
        generic_substances=words_pattern(what.get("generic_substances", [])),
        money_nouns=words_pattern(what.get("money_nouns", [])),
    )


def categorize(
    unit_kind: str, subject: str, sentence: str, start: int, end: int, taxonomy: Taxonomy | None = None
) -> str:
    """The category of a fact: the first taxonomy rule that fits, else ``"other"``.

    >>> categorize("count", "surveillance towers", "It built 15 surveillance towers.", 9, 11)
    'asset'
    """
    taxonomy = taxonomy or load_taxonomy()
    facts = FactWords(subject, sentence, start, end)
    for rule in taxonomy.rules_for(unit_kind):
        if rule.fits(unit_kind, subject, facts.window, facts):
            return rule.category
    return "other"


def currency_cues(text: str, taxonomy: Taxonomy | None = None) -> tuple[int, int]:
    """How often ``text`` names the Canadian side and the American side: ``(cad, usd)``."""
    taxonomy = taxonomy or load_taxonomy()
    folded = fold(text)
    cad = len(taxonomy.cad_cues.findall(folded)) if taxonomy.cad_cues else 0
    usd = len(taxonomy.usd_cues.findall(folded)) if taxonomy.usd_cues else 0
    return cad, usd


# "OTTAWA —", "WASHINGTON (AP) —", "Regina, Sask. -": the city a story is filed from, at its start.
DATELINE = re.compile(
    r"\s*([A-Z][A-Za-z.' -]{1,40}?)(?:,\s*[A-Z][\w.]*){0,2}\s*(?:\([^)]{1,30}\))?\s*[—–-]{1,2}"
)


def dateline_side(text: str, taxonomy: Taxonomy | None = None) -> str:
    """ "CAD" or "USD" when the text opens with a dateline naming one side ("OTTAWA —"), else ""."""
    m = DATELINE.match(text[:80])
    if not m:
        return ""
    cad, usd = currency_cues(m.group(1).lower(), taxonomy)
    return "CAD" if cad and not usd else "USD" if usd and not cad else ""


def _one_side(cues: tuple[int, int]) -> str:
    cad, usd = cues
    return "CAD" if cad and not usd else "USD" if usd and not cad else ""


def dollar_country(
    sentence: str,
    outlet: str,
    document: str | tuple[int, int],
    taxonomy: Taxonomy | None = None,
    *,
    before: str = "",
    dateline: str = "",
) -> str:
    """Which dollar a bare ``$`` is: ``"CAD"`` or ``"USD"``.

    The rule, in order: (1) the sentence names only one side (Ottawa, Canada's, the
    federal government of Canada... or Washington, U.S., Congress...); (2) it names both,
    and only one before the amount (``before``: the spender comes before what it spends,
    "Ottawa ... its $1.3-billion plan ... in the shadow of U.S. threats"); (3) the outlet
    is Canadian or American; (4) the story's dateline names one side ("OTTAWA —");
    (5) the document names one side more often (``document`` is its text or its
    :func:`currency_cues`); (6) otherwise USD, the convention for a bare ``$``.

    >>> dollar_country("Ottawa announced $1.3 billion.", "", "")
    'CAD'
    """
    taxonomy = taxonomy or load_taxonomy()
    cad, usd = currency_cues(sentence, taxonomy)
    side = _one_side((cad, usd)) or (_one_side(currency_cues(before, taxonomy)) if cad and usd else "")
    if side:
        return side
    folded = outlet.casefold()
    if folded in taxonomy.canadian_outlets:
        return "CAD"
    if folded in taxonomy.us_outlets:
        return "USD"
    if dateline:
        return dateline
    cad, usd = currency_cues(document, taxonomy) if isinstance(document, str) else document
    return "CAD" if cad > usd else "USD"
