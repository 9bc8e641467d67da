"""Where and when a sentence's numbers are: the extractor's one call into places and periods.

The extractor calls :func:`sentence_setting` once per sentence and :func:`where_when` once
per fact. The rules live in :mod:`borderdata.places` (place names in ``places.toml``) and
:mod:`borderdata.periods` (phrases of time resolved against the publication date); both
give each number the phrase of its own clause (:mod:`borderdata.clauses`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from borderdata.periods import Period, find_periods, period_for
from borderdata.places import LOCATED, Place, mentions, place_for

CARRIED = 3  # the tier of a place carried over from the sentence before


@dataclass(frozen=True)
class Setting:
    """The place phrases and phrases of time of one sentence."""

    places: list[Place]
    periods: list[Period]


def sentence_setting(sentence: str, published: date | None, side: str, previous: str = "") -> Setting:
    """The place and time phrases of a sentence; ``side`` says whose fiscal years ("US", "CA", "").

    A sentence that names no place continues the place of the sentence before it in the
    paragraph (``previous``) when that one names exactly one ("... seized along the northern
    border so far this year. Between October 2024 and May, the U.S. has captured 26
    kilograms ..."). Periods are never carried over.
    """
    places = mentions(sentence) or carried_place(previous)
    return Setting(places, find_periods(sentence, published, side))


def carried_place(previous: str) -> list[Place]:
    """The one place a sentence names where something happened, as a place for the next sentence."""
    located = {(p.label, p.kind) for p in mentions(previous) if p.tier == LOCATED} if previous else set()
    if len(located) != 1:
        return []
    label, kind = located.pop()
    return [Place(label, kind, CARRIED, (0, 0))]


def where_when(sentence: str, start: int, end: int, setting: Setting) -> tuple[str, Period]:
    """The location and the period of the number at ``[start, end)`` of ``sentence``.

    >>> s = "Last year 50 pounds were seized at the Canada-US border, compared to 20,600 at the Mexico border"
    >>> place, period = where_when(s, 69, 75, sentence_setting(s, date(2025, 2, 1), ""))
    >>> place, period.label, period.start_text, period.end_text
    ('southern border', '2024', '2024-01-01', '2024-12-31')
    """
    return place_for(sentence, start, end, setting.places), period_for(sentence, start, end, setting.periods)
