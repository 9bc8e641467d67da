"""Where a figure is about: the place phrases of a sentence and the one each number takes.

The place names are data, ``places.toml`` (or the file ``$BORDERDATA_PLACES`` names): stretches
of border ("southwestern border" -> ``southern border``), Border Patrol sectors, crossings,
cities, provinces and states, countries. A number takes the place of its own part of a
comparison (:mod:`borderdata.clauses`), and within it, in this order:

1. a place said to be where something happened: a border phrase ("at the northern border"),
   a sector, crossing or city, or a province, state or country after a locative word
   ("seized in Alberta", "across Canada");
2. a province or state named otherwise ("the Alberta government will deploy 51 officers");
3. where something came from ("21,000 pounds coming from Mexico" -> ``southern border``).

Places listed together ("in British Columbia, Quebec and Alberta") make one location,
``British Columbia, Quebec, Alberta``. "Alberta's southern border" is Alberta's, not the U.S.
southern border. :func:`border_of` says which border a sector or crossing lies on.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from borderdata.clauses import RESPECTIVELY, nearest_in_part
from borderdata.config import cached_while_unchanged, read_toml
from borderdata.taxonomy import fold, words_pattern

PLACES_ENV = "BORDERDATA_PLACES"
# Tables of places.toml and the tier a mention of each takes (lower wins within a clause).
KIND_TABLES = ("borders", "sectors", "crossings", "cities", "regions", "countries", "origins")
LOCATED, NAMED, ORIGIN = 0, 1, 2
LIST_JOIN = re.compile(r"\s*(?:,\s*(?:and\s+|or\s+)?|\s+and\s+|\s+or\s+)\s*\Z")
# A country name ends its phrase (it is the head, not a modifier) when punctuation or a
# function word follows it.
HEAD_AFTER = re.compile(
    r"\s*(?:[,.;:!?)'\"’”—–-]|\Z|(?:and|or|but|that|which|where|who|with|for|from|to|by|since|in|on|at|last|"
    r"this|during|between|over|as|than|compared|the|a|an|was|were|is|are|has|have|had|said|says)\b)"
)
FIRST_WORD = re.compile(r"[^\W_]+")
POSSESSIVE_BEFORE = re.compile(r"(\S+['’]s?)\s+\Z")


@dataclass(frozen=True)
class Place:
    """A place phrase in a sentence: the location label, its tier and where it is."""

    label: str
    kind: str
    tier: int
    span: tuple[int, int]


@dataclass(frozen=True)
class Gazetteer:
    """The compiled ``places.toml``."""

    patterns: tuple[tuple[str, str, re.Pattern], ...]  # (kind, label, pattern)
    by_first_word: dict[str, re.Pattern]  # phrases by their first word: tried only where it is
    exact: dict[str, tuple[str, str]]  # phrase, spaces normalised -> (kind, label)
    stems: tuple[tuple[str, str, str], ...]  # (stem, kind, label) of phrases ending in *
    border: dict[str, str]
    locative: re.Pattern
    us_possessors: frozenset[str]
    name_after: re.Pattern | None


@cached_while_unchanged("places.toml", PLACES_ENV)
def load_places(path: str | None = None) -> Gazetteer:
    """Read and compile ``places.toml`` from ``path``, ``$BORDERDATA_PLACES`` or the packaged file."""
    raw = read_toml("places.toml", PLACES_ENV, path)
    patterns = tuple(
        (kind, label, pattern)
        for kind in KIND_TABLES
        for label, phrases in raw.get(kind, {}).items()
        if (pattern := words_pattern(phrases)) is not None
    )
    words = raw.get("words", {})
    names = [w.lower() for w in words.get("name_after", [])]
    entries = [(phrase.lower(), kind, label) for kind in KIND_TABLES
               for label, phrases in raw.get(kind, {}).items() for phrase in phrases]  # fmt: skip
    exact: dict[str, tuple[str, str]] = {}
    for phrase, kind, label in entries:
        if not phrase.endswith("*"):
            exact.setdefault(_normal(phrase), (kind, label))  # the first table listing a phrase wins
    first_words: dict[str, list[str]] = {}
    for phrase, _, _ in entries:
        if first := FIRST_WORD.match(phrase):
            first_words.setdefault(first.group(), []).append(phrase)
    by_first_word = {word: words_pattern(phrases) for word, phrases in first_words.items()}
    return Gazetteer(
        patterns=patterns,
        by_first_word={word: pattern for word, pattern in by_first_word.items() if pattern is not None},
        exact=exact,
        stems=tuple((_normal(p.rstrip("*")), k, lab) for p, k, lab in entries if p.endswith("*")),
        border={place: border for border, places in raw.get("on_border", {}).items() for place in places},
        locative=re.compile(
            r"\b(?:" + "|".join(map(re.escape, words.get("locative", ["in"]))) + r")\s+(?:the\s+)?\Z"
        ),
        us_possessors=frozenset(w.lower() for w in words.get("us_possessors", [])),
        name_after=re.compile(r"\s+(?:" + "|".join(map(re.escape, names)) + r")\b") if names else None,
    )


def _normal(phrase: str) -> str:
    return re.sub(r"[\s-]+", " ", phrase)


def _entry(matched: str, gazetteer: Gazetteer) -> tuple[str, str]:
    """``(kind, label)`` of a phrase the scan matched."""
    normal = _normal(matched)
    if normal in gazetteer.exact:
        return gazetteer.exact[normal]
    return next((k, lab) for stem, k, lab in gazetteer.stems if normal.startswith(stem))


def border_patterns(gazetteer: Gazetteer | None = None) -> tuple[re.Pattern, ...]:
    """The patterns of border and origin phrases ("at the U.S.-Mexico border", "from Canada").

    Claims drop them from subjects: where a figure is, is the ``location`` column's job.
    """
    gazetteer = gazetteer or load_places()
    return tuple(p for kind, _, p in gazetteer.patterns if kind in ("borders", "origins"))


def border_of(location: str, gazetteer: Gazetteer | None = None) -> str:
    """The border a location lies on: itself for a border, the listed border of a sector or crossing.

    >>> border_of("Swanton Sector"), border_of("southern border"), border_of("Ontario")
    ('northern border', 'southern border', '')
    """
    gazetteer = gazetteer or load_places()
    if location in {label for kind, label, _ in gazetteer.patterns if kind == "borders"}:
        return location
    return gazetteer.border.get(location, "")


def _tier(kind: str, folded: str, start: int, end: int, gazetteer: Gazetteer) -> int | None:
    """How surely a mention says where; None when it does not (a country as an actor)."""
    if kind == "origins":
        return ORIGIN
    if kind in ("borders", "sectors", "crossings", "cities"):
        return LOCATED
    located = bool(gazetteer.locative.search(folded, 0, start))
    if kind == "countries":
        # "seized in Canada", not "in U.S. dollars" or "at the U.S. southwestern border".
        return LOCATED if located and HEAD_AFTER.match(folded, end) else None
    return LOCATED if located else NAMED


def mentions(sentence: str, gazetteer: Gazetteer | None = None) -> list[Place]:
    """Every place phrase of a sentence that says where, longest first where two overlap."""
    gazetteer = gazetteer or load_places()
    folded = fold(sentence)
    places: list[Place] = []
    last_end = 0
    for word in FIRST_WORD.finditer(folded):
        pattern = gazetteer.by_first_word.get(word.group())
        m = pattern.match(folded, word.start()) if pattern and word.start() >= last_end else None
        if m is None:
            continue
        start, end = m.span()  # the longest phrase starting here; phrases never overlap
        last_end = end
        kind, label = _entry(m.group(), gazetteer)
        if kind == "borders" and (
            _someone_elses_border(folded, start, gazetteer)
            or (gazetteer.name_after and gazetteer.name_after.match(folded, end))
        ):
            continue
        tier = _tier(kind, folded, start, end, gazetteer)
        if tier is not None:
            places.append(Place(label, kind, tier, (start, end)))
    return join_lists(sentence, named_places(sentence, places))


# Place names no list holds, from how English writes them: "Lansdowne, Ontario" (a name before
# a listed province or state), "located in Falkland", "the Port of Seattle".
PROPER = r"[A-Z][a-z][\w'’-]*(?:\s+[A-Z][a-z][\w'’-]*){0,3}"
NAME_BEFORE_REGION = re.compile(rf"(?<![\w.])({PROPER}),\s+\Z")
LOCATED_IN = re.compile(rf"\b(?:located|based|situated|headquartered)\s+in\s+({PROPER})")
PORT_OF = re.compile(rf"\b(?:Area\s+)?Port\s+of\s+({PROPER})")
NOT_PLACE_NAMES = frozenset(
    {
        "The",
        "This",
        "That",
        "These",
        "Those",
        "It",
        "He",
        "She",
        "They",
        "We",
        "Our",
        "Their",
        "His",
        "Her",
        "Its",
        "In",
        "On",
        "At",
        "For",
        "From",
        "With",
        "By",
        "And",
        "But",
        "Mr",
        "Mrs",
        "Ms",
        "Dr",
        "Premier",
        "Minister",
        "President",
        "Prime",
        "Monday",
        "Tuesday",
        "Wednesday",
        "Thursday",
        "Friday",
        "Saturday",
        "Sunday",
    }
)


def named_places(sentence: str, places: list[Place]) -> list[Place]:
    """``places`` with the place names English marks as such, though no list holds them."""
    found: list[Place] = []
    for place in places:
        possessive = sentence.startswith(("'s", "’s"), place.span[1])  # "Smith, Alberta's premier"
        m = (
            NAME_BEFORE_REGION.search(sentence, 0, place.span[0])
            if place.kind == "regions" and not possessive
            else None
        )
        name = m.group(1) if m else ""
        if m and name.split()[0] not in NOT_PLACE_NAMES and not any(p.span[1] > m.start(1) for p in found):
            found.append(Place(f"{name}, {place.label}", "cities", LOCATED, (m.start(1), place.span[1])))
        else:
            found.append(place)
    for m in PORT_OF.finditer(sentence):  # "the Port of Seattle" says more than "Seattle"
        found = [p for p in found if not (p.span[0] < m.end(1) and m.start(1) < p.span[1])]
        found.append(Place(f"Port of {m.group(1)}", "crossings", LOCATED, m.span(1)))
    for m in LOCATED_IN.finditer(sentence):
        overlaps = any(p.span[0] < m.end(1) and m.start(1) < p.span[1] for p in found)
        if m.group(1).split()[0] not in NOT_PLACE_NAMES and not overlaps:
            found.append(Place(m.group(1), "cities", LOCATED, m.span(1)))
    return sorted(found, key=lambda p: p.span)


def _someone_elses_border(folded: str, start: int, gazetteer: Gazetteer) -> bool:
    """ "Alberta's southern border", "Mexico's southern border": not the U.S. border the label names."""
    owner = POSSESSIVE_BEFORE.search(folded, 0, start)
    return owner is not None and owner.group(1) not in gazetteer.us_possessors


def join_lists(sentence: str, places: list[Place]) -> list[Place]:
    """Places of one kind listed together ("British Columbia, Quebec and Alberta") as one place."""
    if RESPECTIVELY.search(sentence):
        return places  # "in Ontario and Quebec, respectively": one place for each number
    out: list[Place] = []
    for place in places:
        last = out[-1] if out else None
        if (
            last is not None
            and last.kind == place.kind
            and last.kind != "borders"
            and LIST_JOIN.match(sentence[last.span[1] : place.span[0]])
            and place.label not in last.label.split(", ")
        ):
            out[-1] = Place(f"{last.label}, {place.label}", last.kind, min(last.tier, place.tier),
                            (last.span[0], place.span[1]))  # fmt: skip
            continue
        out.append(place)
    return out


def place_for(sentence: str, start: int, end: int, places: list[Place]) -> str:
    """The location of the number at ``[start, end)`` of ``sentence`` ("" when none is stated).

    >>> s = "It seized 19.5 kg at the northern border, compared to 9,570 kg at the southwestern border."
    >>> [place_for(s, s.index(n), s.index(n) + len(n), mentions(s)) for n in ("19.5", "9,570")]
    ['northern border', 'southern border']
    """
    chosen = nearest_in_part(sentence, places, start, end, tier=lambda p: p.tier)
    return chosen.label if chosen else ""
