"""Sentences of a paragraph as character spans; abbreviations and initials end none."""

from __future__ import annotations

import bisect
import re

from borderdata.numbers import NumberMatch

ABBREVIATIONS = {
    "mr", "mrs", "ms", "dr", "st", "jr", "sr", "gen", "lt", "sgt", "capt", "col", "sen", "rep", "gov", "prof",
    "inc", "corp", "ltd", "co", "no", "nos", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept",
    "oct", "nov", "dec", "vs", "etc", "approx", "est", "dept", "fig", "mt", "ft", "vol", "pp", "hon", "u.s",
    "u.k", "d.c", "a.m", "p.m", "e.g", "i.e", "lbs", "oz", "mln", "bln",
}  # fmt: skip
SENTENCE_END = re.compile(r"[.!?…]+[\"”’')\]]*(?=\s+[\"“‘'(\[]?[A-Z0-9])|[.!?…]+[\"”’')\]]*\s*\Z|\n")


# Words that start a sentence but rarely follow "U.S." or "Inc." inside one.
SENTENCE_STARTERS = {
    "in", "the", "but", "and", "a", "an", "it", "he", "she", "they", "we", "i", "this", "that", "these",
    "those", "however", "meanwhile", "on", "at", "as", "after", "before", "when", "while", "if", "there",
    "our", "his", "her", "their", "its", "for", "with", "since", "according", "still", "so", "yet", "then",
    "also", "last", "earlier", "later", "now", "both", "some", "many", "most", "one", "what", "why", "how",
}  # fmt: skip


def _is_abbreviation_end(text: str, start: int, dot: int, boundary_end: int) -> bool:
    """True when the period at ``dot`` closes an abbreviation or initial inside a sentence."""
    word = re.search(r"([\w.]+)\Z", text[max(start, dot - 12) : dot])
    token = word.group(1).lower().rstrip(".") if word else ""
    if not (
        token in ABBREVIATIONS or re.fullmatch(r"[a-z]", token) or re.fullmatch(r"(?:[a-z]\.)+[a-z]", token)
    ):
        return False
    following = re.match(r"\s*[\"“‘'(\[]?([A-Za-z]+)", text[boundary_end : boundary_end + 30])
    return not (following and following.group(1).lower() in SENTENCE_STARTERS and "." in token + ".")


def sentence_spans(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Sentences of ``text[start:end]`` as spans; abbreviations and initials do not end one."""
    spans, s = [], start
    for m in SENTENCE_END.finditer(text, start, end):
        if m.group().startswith(".") and _is_abbreviation_end(text, start, m.start(), m.end()):
            continue
        e = m.end()
        if text[s:e].strip():
            spans.append((s, e))
        s = e
    if text[s:end].strip():
        spans.append((s, end))
    return [_strip_span(text, a, b) for a, b in spans]


def _strip_span(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


# A "sentence" longer than this is a run-on list or no prose at all (a 1 MB line, "1 1 1 ...");
# a number in it reads only this many characters around it, so the work per number stays bounded.
MAX_SENTENCE_CHARS = 1_000


def sentence_of(
    sentences: list[tuple[int, int]], starts: list[int], number: NumberMatch, default: tuple[int, int]
) -> tuple[int, int]:
    """The span of the sentence holding ``number`` (``default`` if none), cut to a window when too long."""
    i = bisect.bisect_right(starts, number.start) - 1
    start, end = sentences[i] if i >= 0 and number.start < sentences[i][1] else default
    if end - start > MAX_SENTENCE_CHARS:
        half = MAX_SENTENCE_CHARS // 2
        start, end = max(start, number.start - half), min(end, max(number.end, number.start) + half)
    return start, end
