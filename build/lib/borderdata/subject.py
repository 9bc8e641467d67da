"""What a number counts or measures: the noun phrase after it, or what an amount is of.

"15 surveillance towers" counts towers; "19.5 kilograms of fentanyl" measures fentanyl;
"$1.3 billion to bolster border security" is for border security. The subject is a short
lower-case noun phrase; a measure seized in the same clause carries the verb
("fentanyl seized").
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from borderdata.sentences import ABBREVIATIONS

if TYPE_CHECKING:
    from borderdata.readings import Mention

STOP_WORDS = {
    "a", "an", "the", "and", "or", "but", "of", "in", "on", "at", "to", "for", "from", "by", "with", "into",
    "over", "under", "that", "which", "who", "whom", "whose", "this", "these", "those", "is", "are", "was",
    "were", "be", "been", "being", "has", "have", "had", "will", "would", "could", "should", "can", "may",
    "might", "must", "as", "than", "per", "each", "if", "when", "while", "since", "after", "before", "during",
    "across", "between", "through", "about", "against", "among", "not", "no", "it", "its", "their", "they",
    "he", "she", "we", "you", "i", "his", "her", "our", "your", "my", "so", "do", "does", "did", "say",
    "said",
    "says", "last", "next", "ago", "more", "less", "fewer", "earlier", "later", "then", "also",
    "already", "only", "just", "still", "even", "now", "there", "here", "where", "what", "up", "down",
    "out", "off", "away", "all", "both", "some", "any", "every", "such", "including", "like", "via", "toward",
    "towards", "within", "without", "around", "near", "because", "whether", "annually", "apiece", "total",
    "altogether", "combined", "respectively", "yesterday", "today", "tomorrow", "year", "years", "month",
    "months", "week", "weeks", "day", "days", "percent", "cent",
    "january", "february", "march", "april", "june", "july", "august", "september", "october", "november",
    "december", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday",
    "them", "us", "him", "me", "itself", "themselves", "one", "ones",
}  # fmt: skip
LEADING_OK = {"more", "other", "additional", "new", "extra", "further", "fewer"}
IRREGULAR_PLURALS = {"children", "people", "men", "women", "police", "personnel", "staff", "aircraft", "feet",
                     "mice", "geese", "teeth", "sheep", "fish", "deer", "cattle", "data", "media", "lives",
                     "equipment", "troops", "crew", "military", "livestock"}  # fmt: skip
WORD = re.compile(r"[A-Za-z][\w'’.-]*[A-Za-z0-9]|[A-Za-z]|[,;:!?()\[\]\"“”—–]|\.(?=\s|\Z)")


def is_plural(word: str) -> bool:
    w = word.lower()
    return w in IRREGULAR_PLURALS or (
        len(w) > 3 and w.endswith("s") and not w.endswith(("ss", "us", "is", "'s", "’s"))
    )


def noun_phrase_after(text: str, pos: int, limit: int) -> tuple[str, int]:
    """The counted noun phrase starting at ``pos`` ("leased Black Hawk helicopters") and its end."""
    words: list[tuple[str, int]] = []
    expected = pos
    for m in WORD.finditer(text, pos, min(limit, pos + 90)):
        if text[expected : m.start()].strip(" \t-‑"):
            break
        expected = m.end()
        word = m.group()
        lower = word.lower().rstrip(".")
        if not word[0].isalpha() or (lower in STOP_WORDS and not (not words and lower in LEADING_OK)):
            break
        if (
            words
            and (lower.endswith(("ed", "ing")) and lower not in IRREGULAR_PLURALS)
            and not word[0].isupper()
        ):
            break
        if word.endswith(".") and lower not in ABBREVIATIONS:
            words.append((word[:-1], m.end() - 1))
            break
        words.append((word, m.end()))
        if is_plural(word) or len(words) == 5:
            break
    if not words:
        return "", pos
    return " ".join(w for w, _ in words).lower(), words[-1][1]


def noun_before_of(text: str, start: int, para_start: int) -> str:
    """The noun that a quantity qualifies from before: "tariffs of up to 25 percent" -> "tariffs"."""
    m = re.search(r"([A-Za-z][\w-]*)\s+of\s+(?:[\w\s]{0,20})?\Z", text[max(para_start, start - 40) : start])
    if m and m.group(1).lower() not in STOP_WORDS:
        return m.group(1).lower()
    return ""


OF_PHRASE = re.compile(r"\s+of\s+(?:the\s+|its\s+|their\s+)?")


PREPOSITION_AFTER = re.compile(r"\s+(in|of|on|for)\s+(?:the\s+|its\s+|their\s+|all\s+)?", re.IGNORECASE)
PURPOSE_AFTER = re.compile(
    r"[^.;:]{0,40}?\b(?:to\s+(?!be\b)[a-z]+|for|toward|towards|on)\s+(?:the\s+|its\s+|their\s+|new\s+)?",
    re.IGNORECASE,
)


def measured_thing(text: str, start: int, end: int, kind: str, para_start: int, para_end: int) -> str:
    """What a measure or amount is of: "of fentanyl", "25% tariffs", "$1.3 billion to bolster X"."""
    of = OF_PHRASE.match(text, end, para_end)
    if of:
        subject, _ = noun_phrase_after(text, of.end(), para_end)
        if subject:
            return subject
    if kind in ("percent", "money"):
        subject, phrase_end = noun_phrase_after(text, end, para_end)
        if subject:
            prep = PREPOSITION_AFTER.match(text, phrase_end, para_end)
            tail = noun_phrase_after(text, prep.end(), para_end)[0] if prep else ""
            return f"{subject} {prep.group(1).lower()} {tail}" if tail else subject
    if kind == "money":
        purpose = PURPOSE_AFTER.match(text, end, para_end)
        if purpose:
            subject, _ = noun_phrase_after(text, purpose.end(), para_end)
            if subject:
                return subject
    # "tariffs of up to 25 percent": only shares and amounts take their subject from before.
    return noun_before_of(text, start, para_start) if kind in ("percent", "money") else ""


SEIZURE_VERBS = re.compile(
    r"\b(seized|intercepted|confiscated|captured|recovered|found|stopped|caught)\b", re.IGNORECASE
)


def measured_subject(mention: Mention, sentence: str, offset: int, previous: str) -> str:
    """What is measured, with the verb that says what happened to it: "fentanyl seized"."""
    # "9,570 kilograms intercepted" after "19.5 kilograms of fentanyl": the same thing, measured again.
    subject = mention.subject or (previous if mention.kind == "mass" else "")
    if mention.kind == "mass" and subject:
        tail = sentence[mention.end - offset : mention.end - offset + 60]
        verb = SEIZURE_VERBS.search(tail)
        if verb and verb.group(1).lower() not in subject:
            subject = f"{subject} {verb.group(1).lower()}"
    return subject
