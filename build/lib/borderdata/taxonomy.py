"""Categories, locations, currency cues and subject synonyms, read from ``taxonomy.toml``.

The extractor asks three questions here: which category a fact belongs to
(:func:`categorize`), which border a sentence is about (:func:`locate`), and
which dollar a bare ``$`` is (:func:`dollar_country`). The answers are data, so a
user changes them by editing the TOML file (or pointing ``BORDERDATA_TAXONOMY``
at a copy), not code.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from borderdata.config import cached_while_unchanged, read_toml

TAXONOMY_ENV = "BORDERDATA_TAXONOMY"
CATEGORIES = (
    "seizure", "funding", "asset", "personnel", "tariff", "enforcement_result", "migration", "casualty",
    "trade", "other",
)  # fmt: skip
REQUIRE_MODES = ("subject", "context", "subject+context", "any")
MSG_BAD_RULE = "taxonomy rule {index}: {problem}"
CLAUSE_BREAK = re.compile(r"[,;:()—–]|\b(?:compared|while|whereas|than|but|versus|vs)\b", re.IGNORECASE)
CLAUSE_PENALTY = 100


def words_pattern(words: list[str]) -> re.Pattern | None:
    """One regex for a word list (lower case): whole words, trailing ``*`` for any ending."""
    if not words:
        return None
    parts = []
    for word in sorted(words, key=len, reverse=True):
        stem = re.escape(word.lower().rstrip("*")).replace(r"\ ", r"[\s-]+")
        parts.append(stem + (r"[\w'’-]*" if word.endswith("*") else ""))
    # Case-sensitive on lower-case words: callers fold the text first (much faster than IGNORECASE).
    return re.compile(r"(?<![\w'’])(?:" + "|".join(parts) + r")(?![\w'’])")


def fold(text: str) -> str:
    """``text`` in lower case, character for character (so offsets still point into ``text``)."""
    lower = text.lower()
    return lower if len(lower) == len(text) else "".join(ch.lower()[:1] or ch for ch in text)


@dataclass(frozen=True)
class Rule:
    """One category rule of the taxonomy (see the comments in ``taxonomy.toml``)."""

    category: str
    units: frozenset[str]
    subject: re.Pattern | None
    context: re.Pattern | None
    require: str
    window: int

    def fits(self, unit_kind: str, subject: str, context: str | Callable[[int], str]) -> bool:
        """Whether a fact fits; ``context`` is the window text or a function of the window size."""
        if unit_kind not in self.units and "any" not in self.units:
            return False
        in_subject = bool(self.subject and self.subject.search(fold(subject)))
        if self.require == "subject" or (in_subject and self.require == "any"):
            return in_subject
        if self.require == "subject+context" and not in_subject:
            return False
        window = context(self.window) if callable(context) else context
        return bool(self.context and self.context.search(fold(window)))


@dataclass(frozen=True)
class Taxonomy:
    """The compiled taxonomy."""

    rules: tuple[Rule, ...]
    locations: tuple[tuple[str, re.Pattern], ...]
    cad_cues: re.Pattern | None
    usd_cues: re.Pattern | None
    canadian_outlets: frozenset[str]
    us_outlets: frozenset[str]
    synonyms: dict[str, str]
    drop_words: frozenset[str]
    raw: dict


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
    )


@cached_while_unchanged("taxonomy.toml", TAXONOMY_ENV)
def load_taxonomy(path: str | None = None) -> Taxonomy:
    """Read and compile the taxonomy from ``path``, ``$BORDERDATA_TAXONOMY`` or the packaged file."""
    raw = read_toml("taxonomy.toml", TAXONOMY_ENV, path)
    currency = raw.get("currency", {})
    synonyms = {
        variant.lower(): canonical.lower()
        for canonical, variants in raw.get("synonyms", {}).items()
        for variant in [canonical, *variants]
    }
    return Taxonomy(
        rules=tuple(_rule(i, r) for i, r in enumerate(raw.get("rules", []))),
        locations=tuple(
            (label, words_pattern(phrases)) for label, phrases in raw.get("locations", {}).items()
        ),
        cad_cues=words_pattern(currency.get("cad_cues", [])),
        usd_cues=words_pattern(currency.get("usd_cues", [])),
        canadian_outlets=frozenset(o.casefold() for o in currency.get("canadian_outlets", [])),
        us_outlets=frozenset(o.casefold() for o in currency.get("us_outlets", [])),
        synonyms=synonyms,
        drop_words=frozenset(w.lower() for w in raw.get("modifiers", {}).get("drop", [])),
        raw=raw,
    )


def _window(sentence: str, start: int, end: int, words: int) -> str:
    """The sentence text within ``words`` words either side of ``[start, end)``."""
    left = sentence[:start].split()[-words:] if words else []
    right = sentence[end:].split()[:words] if words else []
    return " ".join([*left, sentence[start:end], *right])


def categorize(
    unit_kind: str, subject: str, sentence: str, start: int, end: int, taxonomy: Taxonomy | None = None
) -> str:
    """The category of a fact: the first taxonomy rule that fits, else ``"other"``.

    >>> categorize("count", "surveillance towers", "It built 15 surveillance towers.", 9, 11)
    'asset'
    """
    taxonomy = taxonomy or load_taxonomy()
    windows: dict[int, str] = {}

    def context(words: int) -> str:  # computed only for rules that look at the context, once a size
        if words not in windows:
            windows[words] = _window(sentence, start, end, words)
        return windows[words]

    for rule in taxonomy.rules:
        if rule.fits(unit_kind, subject, context):
            return rule.category
    return "other"


def location_phrases(sentence: str, taxonomy: Taxonomy | None = None) -> list[tuple[str, int, int]]:
    """Every location phrase of a sentence: ``(label, start, end)``."""
    taxonomy = taxonomy or load_taxonomy()
    folded = fold(sentence)
    return [
        (label, m.start(), m.end())
        for label, pattern in taxonomy.locations
        if pattern is not None
        for m in pattern.finditer(folded)
    ]


def locate(
    sentence: str,
    start: int,
    end: int,
    taxonomy: Taxonomy | None = None,
    phrases: list[tuple[str, int, int]] | None = None,
) -> str:
    """The border a fact is about: the location phrase nearest to it in its sentence, else "".

    ``phrases`` (from :func:`location_phrases`) saves finding them again for each fact of a sentence.

    >>> locate("50 pounds at the Canada-US border, compared to 20,600 at the Mexico border", 47, 53)
    'southern border'
    """
    if phrases is None:
        phrases = location_phrases(sentence, taxonomy)
    best, best_distance = "", None
    for label, p_start, p_end in phrases:
        between = sentence[end:p_start] if p_start >= end else sentence[p_end:start]
        # A phrase in another clause ("..., compared to 20,600 pounds at the Mexico border") is farther.
        distance = len(between) + CLAUSE_PENALTY * len(CLAUSE_BREAK.findall(between))
        if best_distance is None or distance < best_distance:
            best, best_distance = label, distance
    return best


def currency_cues(text: str, taxonomy: Taxonomy | None = None) -> tuple[int, int]:
    """How often ``text`` names the Canadian side and the American side: ``(cad, usd)``."""
    taxonomy = taxonomy or load_taxonomy()
    folded = fold(text)
    cad = len(taxonomy.cad_cues.findall(folded)) if taxonomy.cad_cues else 0
    usd = len(taxonomy.usd_cues.findall(folded)) if taxonomy.usd_cues else 0
    return cad, usd


def dollar_country(sentence: str, outlet: str, document: str | tuple[int, int],
                   taxonomy: Taxonomy | None = None) -> str:  # fmt: skip
    """Which dollar a bare ``$`` is: ``"CAD"`` or ``"USD"``.

    The rule, in order: (1) the sentence names only one side (Ottawa, Canada's, the
    federal government of Canada... or Washington, U.S., Congress...); (2) the
    outlet is Canadian or American; (3) the document names one side more often
    (``document`` is its text or its :func:`currency_cues`); (4) otherwise USD, the
    convention for a bare ``$``.

    >>> dollar_country("Ottawa announced $1.3 billion.", "", "")
    'CAD'
    """
    taxonomy = taxonomy or load_taxonomy()
    cad, usd = currency_cues(sentence, taxonomy)
    if cad and not usd:
        return "CAD"
    if usd and not cad:
        return "USD"
    folded = outlet.casefold()
    if folded in taxonomy.canadian_outlets:
        return "CAD"
    if folded in taxonomy.us_outlets:
        return "USD"
    cad, usd = currency_cues(document, taxonomy) if isinstance(document, str) else document
    return "CAD" if cad > usd else "USD"
