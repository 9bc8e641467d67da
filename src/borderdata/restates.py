"""Which mentions state a quantity already stated: the ``restates`` column.

Two rules, each about how news repeats a figure:

- **conversion**: a figure followed by the same quantity in other units, in parentheses or
  after "or" ("19.5 kilograms (43 pounds)", "One pound of fentanyl, or 0.45 kilograms",
  "nearly 500 kilograms (1,102 pounds)"). pint converts one into the other; they agree within
  the rounding of the figures (1 %, 10 % when one of them is approximate). Money in two
  currencies is not converted (that takes a rate), so it is not marked.
- **headline**: a figure of the headline (the leading lines of the body that end without a
  full stop) stated again in the body with the same value and unit and a subject sharing a
  word with the body figure's subject or sentence ("1,000 new CBSA officers" ... "hire 1,000 more
  Canada Border Services Agency officers").

The later mention gets the fact id of the earlier one; both rows stay, with their provenance,
so tables and charts count the quantity once by keeping rows whose ``restates`` is empty.
A figure repeated elsewhere in the body is left to claims (:mod:`borderdata.claims`), which
groups mentions of one claim.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from functools import lru_cache

import pint

from borderdata.units import Q_, dimension_of

# What may stand between a figure and its conversion: "(", ", or", " or about", "/", and the
# rest of the first figure's noun phrase ("One pound of fentanyl, or 0.45 kilograms").
CONVERSION_BETWEEN = re.compile(
    r"(?:\s+of\s+[^,.;:()]{1,40}?)?\s*(?:\(\s*|,?\s+or\s+|\s*/\s*)\Z", re.IGNORECASE
)
HEADLINE_LINES = 5
HEADLINE_CHARS = 200
SENTENCE_END = re.compile(r"[.!?][\"'”’)]*\s*\Z")
CONTENT_WORD = re.compile(r"[a-z][a-z'’-]{2,}")
STOP_WORDS = frozenset({"the", "and", "for", "new", "more", "with", "from", "its", "their", "our", "this",
                        "that", "worth", "total", "some", "other", "additional"})  # fmt: skip


def decimals(value: float) -> int:
    """Digits after the decimal point of a figure as stated (19.5 -> 1, 9570 -> 0)."""
    text = repr(float(value))
    return 0 if text.endswith(".0") else len(text.split(".")[1]) if "." in text and "e" not in text else 0


dimension = lru_cache(maxsize=256)(dimension_of)  # pint parses a unit string each time


@lru_cache(maxsize=256)
def conversion_factor(unit: str, target: str) -> float | None:
    """How many ``target`` one ``unit`` is (fact units are multiplicative); None if pint cannot say."""
    try:
        return float(Q_(1.0, unit).to(target).magnitude)
    except (pint.errors.PintError, ValueError, TypeError):
        return None


def same_quantity(a: dict, b: dict) -> bool:
    """Whether rows ``a`` and ``b`` state one quantity: pint converts ``a`` to ``b``'s unit within rounding.

    >>> same_quantity({"value": 19.5, "unit": "kg", "qualifier": "exact"},
    ...               {"value": 43.0, "unit": "lb", "qualifier": "exact"})
    True
    """
    if dimension(a["unit"]) != dimension(b["unit"]) or dimension(a["unit"]).startswith("unknown"):
        return False
    if a["unit"] in ("count", "percent", "dimensionless") or a["unit"] == b["unit"]:
        converted = float(a["value"])
    else:
        factor = conversion_factor(a["unit"], b["unit"])
        if factor is None:
            return False
        converted = float(a["value"]) * factor
    target = float(b["value"])
    if not (math.isfinite(converted) and math.isfinite(target)):
        return False
    approximate = "approx" in (a.get("qualifier"), b.get("qualifier"))
    tolerance = max(
        (0.10 if approximate else 0.01) * abs(target),
        0.5 * 10 ** -decimals(target),
        0.5 * 10 ** -decimals(float(a["value"])) * abs(converted / float(a["value"] or 1)),
    )
    return abs(converted - target) <= tolerance


def conversions(rows: Sequence[dict], text: str) -> dict[int, int]:
    """``{index: index restated}`` for figures that restate the one just before in other units."""
    found: dict[int, int] = {}
    for i in range(1, len(rows)):
        first, second = rows[i - 1], rows[i]
        if first["unit"] == second["unit"]:
            continue  # "six or seven kilograms" gives two figures, not one in two units
        between = text[first["end"] : second["start"]]
        if CONVERSION_BETWEEN.fullmatch(between) and same_quantity(first, second):
            found[i] = i - 1
    return found


def headline_end(text: str, spans: Iterable[tuple[int, int]]) -> int:
    """Where the headline ends: after the leading lines of the body that end without a full stop.

    >>> headline_end("Budget funds 1,000 new officers\\nOttawa said it will hire 1,000 officers.", [(0, 72)])
    32
    """
    end = 0
    lines = 0
    for start, stop in spans:
        for m in re.finditer(r"[^\n]+", text[start:stop]):
            line = m.group().strip()
            if not line:
                continue
            if SENTENCE_END.search(line) or len(line) > HEADLINE_CHARS or lines >= HEADLINE_LINES:
                return end
            end = start + m.end() + 1
            lines += 1
    return 0  # a text without a full stop anywhere has no body to repeat a headline


def content_words(subject: str) -> set[str]:
    return {w for w in CONTENT_WORD.findall(subject.lower()) if w not in STOP_WORDS}


def headline_repeats(rows: Sequence[dict], boundary: int) -> dict[int, int]:
    """``{index: index restated}``: the first body figure repeating each headline figure."""
    found: dict[int, int] = {}
    for h, head in enumerate(rows):
        if head["start"] >= boundary:
            break
        words = content_words(head.get("subject", ""))
        for b in range(h + 1, len(rows)):
            body = rows[b]
            if body["start"] < boundary or b in found:
                continue
            if (
                float(body["value"]) == float(head["value"])
                and body["unit"] == head["unit"]
                and (
                    words & content_words(f"{body.get('subject', '')} {body.get('sentence', '')}")
                    or not words
                )
            ):
                found[b] = h
                break
    return found


def mark_restatements(rows: list[dict], text: str, spans: Iterable[tuple[int, int]]) -> list[dict]:
    """Set ``restates`` on each row of one document (rows in text order) that repeats an earlier one."""
    restated = {**headline_repeats(rows, headline_end(text, spans)), **conversions(rows, text)}
    for i, row in enumerate(rows):
        row["restates"] = rows[restated[i]]["fact_id"] if i in restated else ""
    return rows
