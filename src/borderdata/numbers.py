"""Numerals and number words: one small reader per shape of number, one public entry point.

Shapes read here (each a named pattern below, each with its cases in
``tests/test_numbers.py``):

- numerals: ``19.5``, ``9,570``, ``10,000``, ``.45``; Unicode digits and
  thin/no-break spaces as thousands separators (``10 000``);
- scale words and suffixes: ``1.3 billion``, ``$1.3-billion``, ``5bn``, ``$5M``, ``20k``;
- number words: ``nine``, ``Seven``, ``twenty-five``, ``one hundred and five``,
  ``fifty four``, ``two thousand``; ``a dozen``, ``a couple``, ``a pair``, ``a single``,
  ``half a million``, ``a million``, ``one and a half``;
- vague quantities with a floor: ``tens of thousands`` (10,000 or more),
  ``hundreds of``, ``thousands of``, ``dozens of``, ``millions of``.

:func:`read_number` parses one of these at a position and returns a
:class:`NumberMatch` (span, value, whether the words only give a lower bound).

>>> read_number("about twenty-five drones", 6).value
25.0
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

UNITS = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15,
    "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19,
}  # fmt: skip
TENS = {
    "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80,
    "ninety": 90,
}  # fmt: skip
SCALES = {"thousand": 1e3, "million": 1e6, "billion": 1e9, "trillion": 1e12}
SCALE_ABBREVIATIONS = {"bn": 1e9, "bln": 1e9, "b": 1e9, "mln": 1e6, "mn": 1e6, "m": 1e6, "k": 1e3, "tn": 1e12}
COLLECTIVES = {"dozen": 12, "couple": 2, "pair": 2, "score": 20}
# "tens of thousands": the floor a vague plural gives.
VAGUE_PLURALS = {
    "dozens": 12, "scores": 20, "hundreds": 100, "thousands": 1e3, "millions": 1e6, "billions": 1e9,
    "tens": 10, "several": 3,
}  # fmt: skip

_UNIT_WORDS = "|".join(sorted(UNITS, key=len, reverse=True))
_TEN_WORDS = "|".join(TENS)
_SCALE = "|".join(SCALES)
# The grammar of number words: "twenty-five", "one hundred and five", "fifty four",
# "two thousand three hundred"; "one and two" is two numbers, not three.
_BELOW_100 = rf"(?:(?:{_TEN_WORDS})(?:[\s-]+(?:{_UNIT_WORDS})\b)?|(?:{_UNIT_WORDS}))"
_BELOW_1000 = rf"(?:{_BELOW_100}(?:\s+hundred\b(?:\s+(?:and\s+)?{_BELOW_100})?)?)"
_SCALE_GROUP = rf"(?:,?\s+(?:and\s+)?{_BELOW_1000}(?!\s+(?:{_SCALE})\b\s+(?:{_SCALE})))"
WORDS_PATTERN = rf"{_BELOW_1000}(?:\s+(?:{_SCALE})\b{_SCALE_GROUP}?)*"
NUMERAL_PATTERN = r"(?:\d{1,3}(?:(?:,|[ \u202f\u2009\u00a0](?=\d{3}\b))\d{3})+|\d+)(?:\.\d+)?|\.\d+"

NUMERAL = re.compile(NUMERAL_PATTERN)
NONZERO_DIGIT = re.compile(r"[1-9]")
WORDS = re.compile(rf"\b(?:{WORDS_PATTERN})\b", re.IGNORECASE)
SCALE_AFTER = re.compile(rf"(?:\s+|\s*-\s*)({_SCALE})s?\b|(bn|bln|mln|mn|tn|[mbk])\b(?!\.\w)", re.IGNORECASE)
# "tens of thousands", "hundreds of millions", "dozens", "thousands": a floor, not a value.
VAGUE = re.compile(
    r"\b(tens|hundreds|thousands|millions|billions|dozens|scores|several)(?:\s+of\s+(thousands|millions|billions)"
    r"|(?<=several)\s+(thousands?|millions?|billions?|hundreds?|dozens?))?\b",
    re.IGNORECASE,
)
# "a dozen", "a couple of", "a pair of", "a single", "a million", "half a million", "a hundred".
ARTICLE_NUMBER = re.compile(
    rf"\b(?:(half)\s+an?|an?)\s+(dozen|couple|pair|single|hundred|{_SCALE})\b(?!\s+(?:of\s+)?(?:times|more|less))",
    re.IGNORECASE,
)
# "a pound of fentanyl", "half a ton of drugs": the article is the number of a measure word after it.
MEASURE_WORDS = ("pound", "kilogram", "kilo", "gram", "milligram", "ton", "tonne", "ounce")
ARTICLE_MEASURE = re.compile(rf"\b(?:(half)\s+an?|an?)(?=\s+(?:{'|'.join(MEASURE_WORDS)})\b)", re.IGNORECASE)
# "three ninety kilograms": hundreds said as two words (390), before a word that is no number.
SPOKEN_HUNDREDS = re.compile(
    rf"\s+({_TEN_WORDS})(?:[\s-]({_UNIT_WORDS}))?(?=\s+[a-z])(?![\s-]+(?:{_UNIT_WORDS}|{_TEN_WORDS})\b)",
    re.IGNORECASE,
)
AND_A_HALF = re.compile(r"\s+and\s+a\s+half\b", re.IGNORECASE)


@dataclass(frozen=True)
class NumberMatch:
    """A number found in text: where, its value, and whether it is only a floor ("tens of thousands")."""

    start: int
    end: int
    value: float
    lower_bound: bool = False
    from_words: bool = False
    has_scale: bool = False
    fraction: bool = False


def parse_numeral(raw: str) -> float:
    """``"9,570"`` -> 9570.0; thin, narrow and no-break spaces also separate thousands."""
    cleaned = re.sub(r"[,\s\u202f\u2009\u00a0]", "", raw)
    return float(cleaned)


def words_to_number(raw: str) -> float | None:
    """``"twenty-five"`` -> 25.0, ``"one hundred and five"`` -> 105.0, ``"two thousand"`` -> 2000.0."""
    total, current, seen = 0.0, 0.0, False
    for token in re.split(r"[\s-]+", raw.lower()):
        if token in ("", "and"):
            continue
        if token in UNITS:
            current += UNITS[token]
        elif token in TENS:
            current += TENS[token]
        elif token == "hundred":
            current = (current or 1) * 100
        elif token in SCALES:
            total += (current or 1) * SCALES[token]
            current = 0.0
        else:
            return None
        seen = True
    return total + current if seen else None


# "2.7m combined sales", "1.2m tons": a glued "m" before a noun is million; "37m long", "37m (121ft)" metres.
MILLION_NOUN_AFTER = re.compile(
    r"\s+(?!(?:long|high|wide|deep|tall|away|below|above|from|of|in|to|and|or)\b)[a-z]"
)
MONEY_BEFORE = re.compile(r"(?:[$€£¥₹]|\b(?:PS|RM|Rs|Y=|USD|CAD|EUR|GBP))\s?[-−]?\Z")


def _scale_after(text: str, end: int, money: bool = False) -> tuple[float, int]:
    """Multiplier and new end when a scale word or suffix follows at ``end`` ("1.3 billion", "5bn").

    A glued lower-case "m" means million only after a currency ("$37m"); "37m" alone is metres.
    """
    hundred = re.match(r"\s+hundred\b", text[end : end + 9], re.IGNORECASE)
    if hundred:
        scale, new_end = _scale_after(text, end + hundred.end(), money)
        return 100 * scale, new_end
    m = SCALE_AFTER.match(text, end)
    if not m:
        return 1.0, end
    if m.group(1):
        return SCALES[m.group(1).lower()], m.end()
    suffix = m.group(2)
    # A bare "m"/"b"/"k" only counts when glued to the digits ("$5m"), never "5 m" (metres).
    if m.start(2) != end or (suffix == "m" and not money and not MILLION_NOUN_AFTER.match(text, m.end())):
        return 1.0, end
    return SCALE_ABBREVIATIONS[suffix.lower()], m.end()


def read_numeral(text: str, pos: int, end: int | None = None) -> NumberMatch | None:
    """A numeral at ``pos`` with its scale ("1.3 billion", "$1.3-billion", "5bn"), or None."""
    m = NUMERAL.match(text, pos, len(text) if end is None else end)
    if not m:
        return None
    try:
        value = parse_numeral(m.group())
    except ValueError:
        return None
    if value == 0 and NONZERO_DIGIT.search(m.group()):  # below the smallest float: not a quantity
        return None
    end = m.end()
    half = AND_A_HALF.match(text, end)
    if half:
        value, end = value + 0.5, half.end()
    money = bool(MONEY_BEFORE.search(text, max(0, pos - 5), pos))
    scale, end2 = _scale_after(text, end, money)
    return NumberMatch(pos, end2, value * scale, has_scale=end2 != end)


SMALL_UNITS = frozenset(w for w, v in UNITS.items() if 1 <= v <= 9)


def read_words(text: str, pos: int, end: int | None = None) -> NumberMatch | None:
    """Number words at ``pos``: "twenty-five", "Seven", "one hundred", "fifty four", "two million"."""
    m = WORDS.match(text, pos, len(text) if end is None else end)
    if not m:
        return None
    raw = m.group()
    # Trailing "and" belongs to the sentence, not the number.
    value = words_to_number(raw)
    if value is None:
        return None
    end = m.end()
    half = AND_A_HALF.match(text, end)
    if half:
        value, end = value + 0.5, half.end()
    spoken = SPOKEN_HUNDREDS.match(text, end) if raw.lower() in SMALL_UNITS else None
    if spoken:
        value = value * 100 + TENS[spoken.group(1).lower()] + UNITS.get((spoken.group(2) or "").lower(), 0)
        end = spoken.end()
    has_scale = any(w in raw.lower() for w in SCALES)
    return NumberMatch(pos, end, value, from_words=True, has_scale=has_scale)


SCORES_OF = re.compile(r"\s+of\b", re.IGNORECASE)


def read_vague(text: str, pos: int, end: int | None = None) -> NumberMatch | None:
    """A floor from vague plurals: "tens of thousands" >= 10,000, "hundreds of" >= 100, "several million"."""
    m = VAGUE.match(text, pos, len(text) if end is None else end)
    if not m:
        return None
    head, tail = m.group(1).lower(), (m.group(2) or "").lower()
    if head == "several":  # "several million pills": at least three million; "several" alone is no number
        scale = (m.group(3) or "").lower().rstrip("s")
        if not scale:
            return None
        value = 3 * ({"hundred": 100, "dozen": 12} | SCALES)[scale]
        return NumberMatch(pos, m.end(), float(value), lower_bound=True, from_words=True, has_scale=True)
    if head == "tens" and not tail:
        return None
    if (
        head == "scores"
        and not tail
        and not SCORES_OF.match(text, m.end(), len(text) if end is None else end)
    ):
        return None  # "Scores were high", "test scores": the noun, not twenty
    value = VAGUE_PLURALS[head] * (SCALES[tail[:-1]] if tail else 1)
    if head == "tens":
        value = 10 * SCALES[tail[:-1]]
    return NumberMatch(pos, m.end(), float(value), lower_bound=True, from_words=True, has_scale=bool(tail))


def read_article_number(text: str, pos: int, end: int | None = None) -> NumberMatch | None:
    """ "a dozen" 12, "a couple" 2, "a single" 1, "a million" 1e6, "half a million" 5e5, "a pound" 1."""
    m = ARTICLE_NUMBER.match(text, pos, len(text) if end is None else end)
    if not m:
        measure = ARTICLE_MEASURE.match(text, pos, len(text) if end is None else end)
        if not measure:
            return None
        return NumberMatch(pos, measure.end(), 0.5 if measure.group(1) else 1.0, from_words=True)
    word = m.group(2).lower()
    value = {"single": 1, "hundred": 100, **COLLECTIVES, **SCALES}[word]
    if m.group(1):
        value /= 2
    return NumberMatch(pos, m.end(), float(value), from_words=True, has_scale=word in SCALES)


FRACTION_NAMES = {
    "half": 2, "halves": 2, "third": 3, "thirds": 3, "quarter": 4, "quarters": 4, "fourth": 4, "fourths": 4,
    "fifth": 5, "fifths": 5, "sixth": 6, "tenth": 10, "tenths": 10, "hundredth": 100, "hundredths": 100,
    "thousandth": 1000, "thousandths": 1000,
}  # fmt: skip
_FRACTION_ALT = "|".join(FRACTION_NAMES)
FRACTION = re.compile(
    rf"\b(?:(an?|one|two|three|four|five|seven|nine)[\s-]+)?(?:one[\s-])?({_FRACTION_ALT})\b"
    rf"(?=\s+(?:of|the|their|its)\b)"
    rf"|\b(one|two|three|four|five|\d{{1,2}})\s+(?:in|out\s+of)\s+(?:every\s+)?"
    rf"(two|three|four|five|six|seven|eight|nine|ten|\d{{1,3}})\b",
    re.IGNORECASE,
)


ORDINAL_BEFORE = re.compile(
    r"\b(?:first|second|third|fourth|final|last|other|latter|former|back|front)\s+\Z", re.I
)


def read_fraction(text: str, pos: int, end: int | None = None) -> NumberMatch | None:
    """Shares: "two-thirds of" 2/3, "a quarter of" 1/4, "half of" 1/2, "one in five" 1/5."""
    m = FRACTION.match(text, pos, len(text) if end is None else end)
    if not m:
        return None
    if m.group(2):
        word = m.group(2).lower()
        if word in ("half", "halves") and m.group(1) and m.group(1).lower() not in ("a", "an", "one"):
            return None
        if word not in ("half",) and not m.group(1):
            return None
        if ORDINAL_BEFORE.search(text, max(0, pos - 12), pos):
            return None  # "the second half of", "the first quarter of": parts of a period
        numerator = (
            1.0 if not m.group(1) or m.group(1).lower() in ("a", "an") else words_to_number(m.group(1))
        )
        value = (numerator or 1.0) / FRACTION_NAMES[word]
    else:
        top = float(m.group(3)) if m.group(3).isdigit() else words_to_number(m.group(3))
        bottom = float(m.group(4)) if m.group(4).isdigit() else words_to_number(m.group(4))
        if not top or not bottom or top >= bottom:
            return None
        value = top / bottom
    return NumberMatch(pos, m.end(), value, from_words=True, fraction=True)


READERS = (read_numeral, read_vague, read_article_number, read_fraction, read_words)


def read_number(text: str, pos: int, end: int | None = None) -> NumberMatch | None:
    """The number that starts at ``pos`` (and ends by ``end``) in any shape this module knows, or None."""
    for reader in READERS:
        found = reader(text, pos, end)
        if found is not None and math.isfinite(found.value):
            return found
    return None


# Where a number may start: a digit, a number word, a vague plural or "a/half" before a collective.
def _trie(words: list[str]) -> str:
    """A regex alternation of ``words`` factored by common prefixes (much faster to scan with)."""
    tree: dict = {}
    for word in words:
        node = tree
        for char in word:
            node = node.setdefault(char, {})
        node[""] = {}

    def build(node: dict) -> str:
        branches = [re.escape(char) + build(child) for char, child in sorted(node.items()) if char]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 and "" not in node else "(?:" + "|".join(branches) + ")"
        return body + ("?" if "" in node else "")

    return build(tree)


_START_WORDS = sorted(
    {*UNITS, *TENS, "hundred", *SCALES, *VAGUE_PLURALS, *COLLECTIVES, *FRACTION_NAMES, "single"},
    key=len,
    reverse=True,
)
# Where a number may start, in lower-cased text: a digit, a number word, "a"/"half a" before a
# collective. Digits glued to letters ("G7", "covid19") are no start unless the letters are a
# currency prefix ("RM79", "$US5"): see _digit_may_start.
START = re.compile(
    rf"\d|\.\d|\b{_trie(_START_WORDS)}\b"
    rf"|\b(?:half\s+an?|an?)\s+(?:dozen|couple|pair|single|hundred|{_SCALE}|{'|'.join(MEASURE_WORDS)})\b"
    rf"|\ban?\s+(?:half|third|quarter|fourth|fifth|tenth)s?\b"
)
GLUED_CURRENCY = re.compile(r"(?:\$US|\$A|\$C|\bRM|\bPS|\bRs\.?|\bY=)\Z")
DIGIT_RUN = re.compile(r"[\w.,]*")


def _digit_may_start(text: str, pos: int) -> bool:
    """A digit starts a number unless it continues a word or a number ("G7", "1.5"), bar currency prefixes."""
    if pos == 0 or not (text[pos - 1].isalnum() or text[pos - 1] in "_.,"):
        return True
    return bool(GLUED_CURRENCY.search(text, max(0, pos - 4), pos))


def find_numbers(text: str, start: int = 0, end: int | None = None) -> list[NumberMatch]:
    """Every number in ``text[start:end]``, left to right, not overlapping.

    >>> [n.value for n in find_numbers("Seven cartels, 9,570 kg and $1.3-billion")]
    [7.0, 9570.0, 1300000000.0]
    """
    end = len(text) if end is None else end
    lower = text[start:end].lower()
    if len(lower) != end - start:  # a few characters change length when lower-cased ("İ")
        lower = "".join(ch.lower()[:1] or ch for ch in text[start:end])
    found: list[NumberMatch] = []
    pos = 0
    while True:
        m = START.search(lower, pos)
        if not m:
            return found
        at = start + m.start()
        if (text[at].isdigit() or text[at] == ".") and not _digit_may_start(text, at):
            run = DIGIT_RUN.match(lower, m.start())  # (the pattern also matches "")
            pos = (run.end() if run else 0) or m.end()
            continue
        number = read_number(text, at, end)
        if number is None or number.end <= at:
            # A numeral refused whole (beyond floating point) is skipped whole: its later digit
            # groups ("1 000 000 ..." -> "000 000 ...") are not a number of their own.
            numeral = NUMERAL.match(text, at, end) if text[at].isdigit() else None
            pos = numeral.end() - start if numeral else m.end()
            continue
        found.append(number)
        pos = number.end - start


# --- words from numbers (for round-trip tests and display) -------------------------------------

_UNIT_NAMES = {v: k for k, v in UNITS.items()}
_TEN_NAMES = {v: k for k, v in TENS.items()}


def int_to_words(n: int) -> str:
    """``25`` -> ``"twenty-five"``, ``1300`` -> ``"one thousand three hundred"`` (0 <= n < 10**15)."""
    if n < 0:
        raise ValueError(f"int_to_words needs a non-negative number, got {n}")
    if n < 20:
        return _UNIT_NAMES[n]
    if n < 100:
        tens, rest = divmod(n, 10)
        return _TEN_NAMES[tens * 10] + (f"-{_UNIT_NAMES[rest]}" if rest else "")
    if n < 1000:
        hundreds, rest = divmod(n, 100)
        return f"{_UNIT_NAMES[hundreds]} hundred" + (f" {int_to_words(rest)}" if rest else "")
    for name, size in sorted(SCALES.items(), key=lambda kv: -kv[1]):
        if n >= size:
            head, rest = divmod(n, int(size))
            return f"{int_to_words(head)} {name}" + (f" {int_to_words(rest)}" if rest else "")
    raise AssertionError("unreachable")
