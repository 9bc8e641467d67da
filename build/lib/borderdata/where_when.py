"""Where and when a sentence's numbers are: its border location phrases and its period.

The extractor calls :func:`sentence_places` and :func:`sentence_period` once per
sentence and :func:`place_of` once per fact; these are the hooks the place and period
readings plug into.
"""

from __future__ import annotations

import re
from datetime import date

from borderdata.lexicon import MONTHS
from borderdata.taxonomy import Taxonomy, locate, location_phrases

PERIOD_PATTERNS = (
    (re.compile(r"\bfiscal(?:\s+year)?\s+(\d{4})(?:\s*[-–/]\s*(\d{2,4}))?\b", re.IGNORECASE), "fiscal"),
    (re.compile(r"\bFY\s?(\d{2,4})\b"), "fy"),
    (re.compile(rf"\bsince\s+((?:{MONTHS})\.?\s+)?(\d{{4}})\b", re.IGNORECASE), "since"),
    (re.compile(rf"\b(?:in|during|for|of)\s+((?:{MONTHS})\.?\s+)?(\d{{4}})\b", re.IGNORECASE), "in"),
    (
        re.compile(r"\blast\s+year\b|\ba\s+year\s+earlier\b|\bthe\s+previous\s+year\b", re.IGNORECASE),
        "last_year",
    ),
    (re.compile(r"\bthis\s+year\b|\bso\s+far\s+this\s+year\b", re.IGNORECASE), "this_year"),
    (re.compile(r"\blast\s+month\b", re.IGNORECASE), "last_month"),
)
MONTH_NUMBER = {m: i for i, m in enumerate(
    ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"],
    start=1)}  # fmt: skip


def _month(raw: str | None) -> int | None:
    return MONTH_NUMBER.get(raw.strip().lower()[:3]) if raw else None


def find_period(sentence: str, published: date | None) -> str:
    """The period a sentence anchors: "2024" for "last year" in 2025, "FY2024", "since 2024-06"."""
    for pattern, kind in PERIOD_PATTERNS:
        m = pattern.search(sentence)
        if not m:
            continue
        if kind == "fiscal":
            return f"FY{m.group(1)}" + (f"-{m.group(2)}" if m.group(2) else "")
        if kind == "fy":
            year = m.group(1)
            return f"FY{'20' + year if len(year) == 2 else year}"
        if kind in ("since", "in"):
            month, year = _month(m.group(1)), m.group(2)
            if not 1900 <= int(year) <= 2100:
                continue
            stamp = f"{year}-{month:02d}" if month else year
            return f"since {stamp}" if kind == "since" else stamp
        if published is None:
            continue
        if kind == "last_year":
            return str(published.year - 1)
        if kind == "this_year":
            return str(published.year)
        if kind == "last_month":
            year, month = (
                (published.year, published.month - 1) if published.month > 1 else (published.year - 1, 12)
            )
            return f"{year}-{month:02d}"
    return ""


def sentence_period(sentence: str, published: date | None) -> str:
    """The period label of a sentence (:func:`find_period`)."""
    return find_period(sentence, published)


def sentence_places(sentence: str, taxonomy: Taxonomy) -> list[tuple[str, int, int]]:
    """The location phrases of a sentence: ``(label, start, end)``."""
    return location_phrases(sentence, taxonomy)


def place_of(
    sentence: str, start: int, end: int, taxonomy: Taxonomy, places: list[tuple[str, int, int]]
) -> str:
    """The location of the fact at ``[start, end)`` of ``sentence``: the nearest location phrase."""
    return locate(sentence, start, end, taxonomy, places)
