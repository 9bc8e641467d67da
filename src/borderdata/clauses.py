"""Which words of a sentence belong to a number: the part of a comparison it sits in.

"19.5 kg at the northern border last year, compared to 9,570 kg at the southwestern border"
states two figures, each with its own place; a phrase of time or place belongs to the part of
the sentence it is written in. :mod:`borderdata.places` and :mod:`borderdata.periods` both ask
this module which phrase a number takes.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Sequence
from functools import lru_cache
from typing import Protocol, TypeVar

from borderdata.numbers import find_numbers

# Words and marks that start the other side of a comparison or a new clause of its own.
COMPARISON_BREAK = re.compile(
    r"\s*(?:[;—]|\s[–-]\s|\bcompared\s+(?:to|with)\b|\bas\s+opposed\s+to\b|\b(?:than|whereas|while|versus|vs\.?)\s)",
    re.IGNORECASE,
)
COMMA_PENALTY = 40
RESPECTIVELY = re.compile(r"\brespectively\b", re.IGNORECASE)
LIST_JOIN = re.compile(r"\s*(?:,\s*(?:and\s+)?|\s+and\s+)(?:in\s+|at\s+)?\Z", re.IGNORECASE)


class Phrase(Protocol):
    """Anything with a ``span``: ``(start, end)`` offsets in the sentence."""

    @property
    def span(self) -> tuple[int, int]: ...


P = TypeVar("P", bound=Phrase)  # a kind of phrase (a Place, a Period): what is given is what comes back


@lru_cache(maxsize=256)  # every number of a sentence asks twice (place and period)
def comparison_parts(sentence: str) -> tuple[tuple[int, int], ...]:
    """The sentence cut where a comparison or a new clause begins: ``[(start, end), ...]``.

    >>> s = "19.5 kg at the northern border, compared to 9,570 kg at the Mexico border"
    >>> [s[a:b] for a, b in comparison_parts(s)]
    ['19.5 kg at the northern border,', ' compared to 9,570 kg at the Mexico border']
    """
    cuts = [0, *(m.start() for m in COMPARISON_BREAK.finditer(sentence) if m.start() > 0), len(sentence)]
    return tuple((a, b) for a, b in itertools.pairwise(cuts) if b > a)


def part_of(parts: Sequence[tuple[int, int]], position: int) -> int:
    """Index of the part holding ``position``."""
    for i, (a, b) in enumerate(parts):
        if a <= position < b:
            return i
    return len(parts) - 1


def in_aside(sentence: str, part: tuple[int, int], span: tuple[int, int], number: int) -> bool:
    """Whether a phrase sits in a comma-enclosed aside of the part that does not hold the number.

    "Trump, following his re-election in November, has reiterated tariffs of up to 25 percent":
    November is when he was re-elected, not what the 25 percent is about.
    """
    a, b = part
    left = sentence.rfind(",", a, span[0])
    right = sentence.find(",", span[1], b)
    if left < 0 or right < 0:
        return False
    return not left < number < right


# Words that open an aside about another event: "Trump, following his re-election in November, ..."
SUBORDINATE = frozenset({"following", "after", "before", "when", "who", "whom", "which", "whose", "where",
                         "despite", "amid", "having", "once", "until", "while"})  # fmt: skip


def embedded_in_aside(sentence: str, span: tuple[int, int], number: int) -> bool:
    """Whether a phrase is inside an aside about another event that does not hold the number.

    "Trump, following his re-election in November, has reiterated tariffs of up to 25 percent":
    November dates the re-election, not the 25 percent. An aside opening with the phrase ("The
    RCMP, in 2024, seized 12 kg") or describing the subject ("The lab, located in Falkland,
    could make 95 million doses") still speaks of the clause.
    """
    left = sentence.rfind(",", 0, span[0])
    right = sentence.find(",", span[1])
    if left < 0 or right < 0 or left < number < right:
        return False
    lead = re.findall(r"[\w'’-]+", sentence[left + 1 : span[0]].lower())
    return bool(lead) and lead[0] in SUBORDINATE


def distance(sentence: str, span: tuple[int, int], start: int, end: int) -> int:
    """Characters between a phrase and a number, plus a penalty for each comma between them."""
    between = sentence[end : span[0]] if span[0] >= end else sentence[span[1] : start]
    if span[0] < end and span[1] > start:
        return 0  # the phrase holds the number ("the 12 previous months")
    return len(between) + COMMA_PENALTY * between.count(",")


def listed_with(sentence: str, items: Sequence[tuple[int, int]], index: int) -> list[int]:
    """Indexes of the items listed together with ``items[index]`` ("six and 14", "April and May")."""
    group = [index]
    while group[0] > 0 and LIST_JOIN.fullmatch(sentence[items[group[0] - 1][1] : items[group[0]][0]]):
        group.insert(0, group[0] - 1)
    while group[-1] + 1 < len(items) and LIST_JOIN.fullmatch(
        sentence[items[group[-1]][1] : items[group[-1] + 1][0]]
    ):
        group.append(group[-1] + 1)
    return group


def respective(sentence: str, phrases: Sequence[P], start: int) -> P | None:
    """ "six and 14 kilograms in April and May, respectively": the phrase in the number's place."""
    if not RESPECTIVELY.search(sentence) or len(phrases) < 2:
        return None
    numbers = [(n.start, n.end) for n in find_numbers(sentence)]
    mine = next((i for i, (a, b) in enumerate(numbers) if a <= start < b), None)
    if mine is None:
        return None
    listed = listed_with(sentence, numbers, mine)
    spans = [p.span for p in phrases]
    for i in range(len(phrases)):
        group = listed_with(sentence, spans, i)
        if len(group) == len(listed) > 1 and group[0] == i:
            return phrases[group[listed.index(mine)]]
    return None


def nearest_in_part(
    sentence: str,
    phrases: Sequence[P],
    start: int,
    end: int,
    tier: Callable[[P], int] = lambda p: 0,
) -> P | None:
    """The phrase a number at ``[start, end)`` takes: in its own part of the sentence first.

    Numbers and phrases listed in the same order with "respectively" pair up. A phrase in
    an aside about another event ("following his re-election in November") is not the
    number's. Within the number's part a phrase outside a comma-enclosed aside comes first,
    then the lowest ``tier``, then the nearest phrase. A part with no phrase of its own
    borrows from the nearest part that has one, as the second half of "50 pounds last year,
    compared to 20,600 pounds at the Mexico border" is also last year.
    """
    if not phrases:
        return None
    paired = respective(sentence, phrases, start)
    if paired is not None:
        return paired
    phrases = [p for p in phrases if not embedded_in_aside(sentence, p.span, start)]
    if not phrases:
        return None
    parts = comparison_parts(sentence)
    own = part_of(parts, start)

    def key(p: P) -> tuple[int, int, int, int]:
        gap = abs(part_of(parts, p.span[0]) - own)
        aside = in_aside(sentence, parts[own], p.span, start)
        return gap, aside, tier(p) if gap == 0 else 0, distance(sentence, p.span, start, end)

    return min(phrases, key=key)
