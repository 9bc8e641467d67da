"""Readings: value, unit, qualifier and range of a number that passed the guards.

Around an accepted number the readers find:

- a currency before (``$``, ``US$``, ``C$``, ``CAD``) or after ("dollars", "euros"),
  a unit word after ("kilograms", "per cent", "%"), else a counted noun ("15
  surveillance towers") and the unit ``count``;
- a sign ("-5", "minus 387");
- a range ("between X and Y", "X to Y", "X-Y") and an alternative ("eight or nine euros");
- a qualifier before ("about", "less than", "up to", "more than") or after ("or more").

Which dollar a bare ``$`` is: explicit ``US$``/``C$``/"U.S. dollars"/"Canadian
dollars" win; else the ``resolve_dollar`` callback the extractor passes decides
(:func:`borderdata.taxonomy.dollar_country`). "Pounds" is GBP after ``£``, before
"sterling" or in a money sentence without a drug or weight word; otherwise it is mass.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass

from borderdata.lexicon import (
    CURRENCY_BEFORE,
    DATE_BEFORE,
    QUALIFIER_BEFORE,
    QUALIFIER_WORDS,
    UNIT_AFTER,
    UNIT_AFTER_PREFIXED,
    UNIT_WORDS,
    Candidate,
)
from borderdata.numbers import SCALES, TENS, UNITS, NumberMatch, read_number
from borderdata.subject import OF_PHRASE, measured_thing, noun_phrase_after
from borderdata.units import CURRENCY_SYMBOLS, CURRENCY_WORDS

OR_SO_AFTER = re.compile(r"\s+or\s+so\b", re.IGNORECASE)
PLUS_AFTER = re.compile(r"\+|\s+or\s+more\b|\s+plus\b", re.IGNORECASE)
US_BEFORE_DOLLAR = re.compile(r"(?<![A-Za-z])(U\.S\.|US|C|CA|Cdn|CDN|A|AU|NZ|HK|S)\s?\$\s?\Z")
CODE_AFTER = re.compile(r"\s?(USD|CAD|EUR|GBP|MXN|CNY|JPY|AUD|INR|CHF|HKD|US\$|C\$)\b")

MONEY_CONTEXT = re.compile(
    r"\b(?:cost|costs|price|priced|pay|paid|spend|spent|fund\w*|budget\w*|worth|sterling|salary|fine[sd]?|"
    r"revenue|profit|sales|investment|deal|bn|million|billion|£)\b",
    re.IGNORECASE,
)
WEIGHT_CONTEXT = re.compile(
    r"\b(?:of\s+(?:fentanyl|cocaine|heroin|drugs?|meth\w*|marijuana|cannabis|pills|powder)|seiz\w*|weigh\w*|"
    r"heavy|lost|gained|kilograms?|lbs?)\b",
    re.IGNORECASE,
)


@dataclass
class Mention:
    """A quantity found in text, before it becomes a row."""

    start: int
    end: int
    value: float
    low: float
    high: float
    unit: str
    kind: str
    qualifier: str
    subject: str


def _currency_before(c: Candidate) -> tuple[str, int] | None:
    """("USD", start) when a currency symbol or code stands right before the number."""
    before = c.text[max(c.para_start, c.number.start - 6) : c.number.start]
    m = CURRENCY_BEFORE.search(before)
    if not m:
        return None
    symbol = (m.group(1) or "$").strip()
    code = CURRENCY_SYMBOLS.get(symbol, "$" if symbol.endswith("$") else symbol)
    if symbol == "$":
        prefixed = US_BEFORE_DOLLAR.search(before)
        if prefixed:
            # "US $5", "HK $3.7 billion": the same codes as the glued forms ("US$", "HK$").
            code = CURRENCY_SYMBOLS.get(prefixed.group(1).upper() + "$", "$")
            return code, c.number.start - (len(before) - prefixed.start())
        code = "$"
    return code, c.number.start - (len(before) - m.start())


# One- and two-letter unit symbols that mean something else in another case ("5G" is no mass).
CASE_SENSITIVE_UNITS = {
    u: u for u in ("g", "m", "t", "l", "mg", "kg", "km", "mm", "cm", "W", "V", "Hz", "mi", "C")
}


# "the 12 previous months", "13 fiscal years", "three straight years": a word between a number and its unit.
UNIT_MODIFIER = re.compile(
    r"\s+(?:previous|past|last|next|following|consecutive|straight|fiscal|calendar|full|more|additional|"
    r"successive|further|extra)(?=\s)",
    re.IGNORECASE,
)


def _read_unit(c: Candidate, end: int) -> tuple[str, str, int]:
    """Unit, kind and new end from the words right after the number (``"", "", end`` when none)."""
    m = UNIT_AFTER.match(c.text, end, c.para_end)
    if not m:
        modifier = UNIT_MODIFIER.match(c.text, end, c.para_end)
        m = UNIT_AFTER.match(c.text, modifier.end(), c.para_end) if modifier else None
        if m is None or modifier is None or m.start("unit") == modifier.end():
            return "", "", end
        end = m.start()
    surface = m.group("unit")
    word = re.sub(r"[\s-]+", " ", surface.lower())
    unit, kind = UNIT_WORDS.get(word, ("", ""))
    if not unit or (surface in CASE_SENSITIVE_UNITS and surface != CASE_SENSITIVE_UNITS[surface]):
        return "", "", end
    if surface.lower() in CASE_SENSITIVE_UNITS.values() and surface not in CASE_SENSITIVE_UNITS.values():
        return "", "", end
    # One-letter and ambiguous abbreviations only when glued to the number or clearly a unit.
    spaced_symbol = word in ("m", "g", "t", "mi", "ft", "oz", "c") and m.start("unit") != end
    if spaced_symbol and not re.match(r"[.,;)\s]", c.text[m.end() : m.end() + 1] or " "):
        return "", "", end
    prefixed = UNIT_AFTER_PREFIXED.match(c.text, end, c.para_end)
    if prefixed:
        country = prefixed.group("country").lower().replace(".", "")
        code = CURRENCY_WORDS.get(f"{country} dollars", "$")
        return code, "money", prefixed.end()
    return unit, kind, m.end()


def _pounds_are_money(c: Candidate, sentence: str) -> bool:
    after = c.text[c.number.end : c.number.end + 40].lower()
    if "sterling" in after:
        return True
    return bool(MONEY_CONTEXT.search(sentence)) and not WEIGHT_CONTEXT.search(sentence)


# "-5", "minus 387", "–30 C": an en dash glued to the digits after a space is a minus sign too.
SIGN_BEFORE = re.compile(r"(?:(?<=\s)|(?<=^)|(?<=\$)|(?<=\())[-−–]\Z|\bminus[\s-]\Z", re.IGNORECASE)
# "-?" before "to"/"or": a suspended hyphen, "10- to 15-year terms", "a 7- or 8-inch screen".
RANGE_JOINER = re.compile(r"(-?\s+to\s+|\s*[-–—]\s*|\s+and\s+)((?:US|C|A|HK)?\$(?:US|A|C)?|€|£)?\s?")
OR_NEXT = re.compile(r"-?\s+(?:or|and)\s+(?:(?:US|C|A|HK)?\$|€|£)?")


@dataclass
class Reading:
    """What is known about a mention while it is being read; becomes a :class:`Mention`."""

    start: int
    end: int
    value: float
    unit: str = ""
    kind: str = ""
    qualifier: str = "exact"
    low: float = math.nan
    high: float = math.nan


def _resolve_unit(
    c: Candidate, unit: str, kind: str, sentence: str, resolve_dollar: Callable[[str, int], str]
) -> tuple[str, str]:
    """Turn surface units into registry units: which dollar, pounds as money or mass, cents."""
    if unit == "lb" and _pounds_are_money(c, sentence):
        return "GBP", "money"
    if unit == "$":
        return resolve_dollar(sentence, c.number.start), kind
    if unit == "cent":
        return f"{resolve_dollar(sentence, c.number.start)}_cent", kind
    return unit, kind


def read_unit_around(
    c: Candidate, r: Reading, sentence: str, resolve_dollar: Callable[[str, int], str]
) -> None:
    """Currency before the number, unit word after it (or both: "$5 billion USD")."""
    currency = _currency_before(c)
    if currency:
        r.unit, r.kind, r.start = currency[0], "money", currency[1]
    after_unit, after_kind, after_end = _read_unit(c, r.end)
    if after_kind and not r.unit:
        r.unit, r.kind, r.end = after_unit, after_kind, after_end
    elif r.kind == "money":
        code = CODE_AFTER.match(c.text, r.end, c.para_end)
        if code:
            r.unit, r.end = CURRENCY_SYMBOLS.get(code.group(1), code.group(1)), code.end()
        elif after_kind == "money" and after_unit not in ("$", "cent"):
            r.unit, r.end = after_unit, after_end
    if not r.unit:
        read_alternative(c, r)
    if not r.unit and is_age_apposition(c):
        r.unit, r.kind = UNIT_WORDS["year old"]
    r.unit, r.kind = _resolve_unit(c, r.unit, r.kind, sentence, resolve_dollar)


# "John Smith, 45, of Windsor, was charged": a whole number set off by commas right after a
# name (two capitalised words) and followed by what follows an age. "Ontario, 12, and Quebec,
# 9", "Niagara Falls, 12, and Fort Erie, 8", "The Detroit Red Wings, 3, beat" are no ages.
AGE_NAME_BEFORE = re.compile(r"(?<![\w.])([A-Z][\w'’-]*)\.?\s+[A-Z][\w'’-]*,\s\Z")
AGE_AFTER = re.compile(
    r",\s+(?:of|from|who|was|is|has|had|said|says|told|faces|died|remains|pleaded|appeared|"
    r"and\s+(?:his|her|their)|a|an)\b"
)
NOT_NAME_STARTS = {"In", "At", "The", "From", "For", "On", "By", "To", "Team", "Near", "Across", "Of"}
MAX_AGE = 120


def is_age_apposition(c: Candidate) -> bool:
    """True for the age after a name: "Jamie Armstrong, 25, said", "Mr. Smith, 45, of Windsor"."""
    n = c.number
    if n.from_words or n.has_scale or n.fraction or not c.surface.isdigit():
        return False
    if not 1 <= n.value <= MAX_AGE:
        return False
    name = AGE_NAME_BEFORE.search(c.before)
    if not name or name.group(1) in NOT_NAME_STARTS or DATE_BEFORE.search(c.before[: name.end() - 2]):
        return False
    return AGE_AFTER.match(c.text, n.end, c.para_end) is not None


def read_alternative(c: Candidate, r: Reading) -> None:
    """ "eight or nine euros", "8 or $9 billion": the next number's unit (and scale) apply to this one."""
    nxt = OR_NEXT.match(c.text, r.end, c.para_end)
    second = read_number(c.text, nxt.end(), c.para_end) if nxt else None
    if nxt is None or second is None or second.lower_bound or second.value <= 0:
        return
    value = scaled_like(r.value, c.number, second, c.text)
    if not second.value / MAX_ALTERNATIVE_RATIO <= value <= second.value * MAX_ALTERNATIVE_RATIO:
        return  # "40 or $50,000": not two guesses at one amount
    other = Candidate(c.text, second, c.para_start, c.para_end)
    unit, kind, _ = _read_unit(other, second.end)
    currency = _currency_before(other)
    if currency and currency[1] >= nxt.start():  # "8 or $9": the symbol of the next number
        unit, kind = currency[0], "money"
    r.value = value
    if kind:
        r.unit, r.kind = unit, kind


MAX_ALTERNATIVE_RATIO = 10


def scaled_like(value: float, number: NumberMatch, other: NumberMatch, text: str) -> float:
    """``value`` times the scale word only ``other`` has: "3 to 5 million", "8 or $9 billion"."""
    if number.has_scale or not other.has_scale:
        return value
    scale = other.value / _plain(other, text)
    return value * scale if scale > 1 and value * scale <= other.value * 1.0001 else value


def read_sign(c: Candidate, r: Reading) -> None:
    """Negative numbers: "-5 yards", "minus 387 Fahrenheit", "$-50.8bn"."""
    before = c.text[max(c.para_start, c.number.start - 7) : c.number.start]
    m = SIGN_BEFORE.search(before)
    if m:
        r.value = -r.value
        if r.start == c.number.start:
            r.start = c.number.start - (len(before) - m.start())


def read_range(c: Candidate, r: Reading, sentence: str, resolve_dollar: Callable[[str, int], str]) -> None:
    """ "between 750,000 and 800,000", "15 to 22 miles", "15-22 mph", "between $3 billion and $5 billion".

    "from 25% to 35%", "from $125 to $525": each end with its own unit is a change from one
    value to another, two amounts, not a range.
    """
    n = c.number
    m = RANGE_JOINER.match(c.text, r.end, c.para_end)
    if not m or re.fullmatch(r"\d{4}", c.surface) or n.lower_bound:
        return
    joiner = m.group(1).strip().removeprefix("-").strip() or m.group(1).strip()
    before = c.text[max(c.para_start, r.start - 14) : r.start].lower().rstrip()
    after_from = before.endswith("from")
    if joiner == "and" and not before.endswith("between"):
        return
    if before.endswith(("by", "aged", "ages")):
        return  # "increased by $43.6 billion to $419.2 billion" is a change
    second = read_number(c.text, m.end(), c.para_end)
    if second is None or second.lower_bound:
        return
    unit, kind, second_end = _read_unit(Candidate(c.text, second, c.para_start, c.para_end), second.end)
    if joiner in ("-", "–", "—") and m.group(1) != joiner and not (r.kind or kind):
        return  # "2000 - 2500" needs a unit; "10 - the" is no range
    if m.group(2):
        kind = "money"
    if after_from and joiner == "to" and r.kind and kind:
        return
    if (
        r.kind
        and r.kind != "money"
        and kind
        and r.unit != _resolve_unit(c, unit, kind, sentence, resolve_dollar)[0]
    ):
        return
    if r.kind and r.kind != "money" and not kind and joiner == "to" and not after_from:
        return  # "rose 6.5% to 164": a change, not a range
    low, high = scaled_like(r.value, n, second, c.text), second.value
    if low > high and not after_from:
        return
    if not r.kind and kind:
        r.unit, r.kind = _resolve_unit(c, unit, kind, sentence, resolve_dollar)
    r.low, r.high = min(low, high), max(low, high)
    r.value = (low + high) / 2
    r.qualifier = "range"
    r.end = second_end if kind and second_end > second.end else second.end


def read_qualifier(c: Candidate, r: Reading) -> None:
    """ "about", "less than", "up to", "more than" before; "or so", "or more", "+" after."""
    window = c.text[max(c.para_start, r.start - 30) : r.start]
    q = QUALIFIER_BEFORE.search(window)
    if q:
        r.start -= len(window) - q.start()
        if r.qualifier == "exact":
            r.qualifier = QUALIFIER_WORDS[q.group(1).lower()]
        return
    plus = PLUS_AFTER.match(c.text, r.end, c.para_end)
    if plus and r.qualifier == "exact":
        r.qualifier, r.end = "lower_bound", plus.end()
    elif r.qualifier == "exact" and OR_SO_AFTER.match(c.text, r.end, c.para_end):
        r.qualifier = "approx"


def _interval(r: Reading) -> tuple[float, float]:
    """``(low, high)`` the words allow: open below for upper bounds, open above for lower bounds."""
    if r.qualifier == "range":
        return r.low, r.high
    if r.qualifier == "upper_bound":
        return math.nan, r.value
    if r.qualifier == "lower_bound":
        return r.value, math.nan
    return r.value, r.value


# "nine of these guns", "20 of these members": a part of a set the text has named.
PARTITIVE = re.compile(r"\s+of\s+(?:these|those|the|its|their|our)\s+", re.IGNORECASE)
# "seven seizure events in April and five in May": a number word whose noun is the one before.
ELLIPSIS_AFTER = re.compile(r"\s+(?:in|on|at|for|from|during|last|this)\b|\s*[,.;)]")


def read_counted(c: Candidate, r: Reading, antecedent: str = "") -> str | None:
    """The counted noun phrase of a bare number ("15 surveillance towers"); None when words count nothing.

    A number word with no noun counts nothing ("the two sides"), unless an earlier amount of
    its sentence gives it one (``antecedent``) and it stands alone before a preposition or a comma.
    """
    n = c.number
    phrase_start = r.end
    of = OF_PHRASE.match(c.text, r.end, c.para_end)
    if of and (
        n.lower_bound or n.fraction or re.fullmatch(r"(?:a |an )?(?:dozen|couple|hundred)", c.surface.lower())
    ):
        phrase_start = of.end()
    partitive = PARTITIVE.match(c.text, r.end, c.para_end)
    if phrase_start == r.end and partitive and not n.has_scale:
        part, _ = noun_phrase_after(c.text, partitive.end(), c.para_end)
        if part and part.split()[0] not in NUMBER_WORDS:
            return part
    if phrase_start != r.end:
        money = UNIT_AFTER.match(c.text, phrase_start - 1, c.para_end)
        unit, kind = (
            UNIT_WORDS.get(re.sub(r"[\s-]+", " ", money.group("unit").lower()), ("", ""))
            if money
            else ("", "")
        )
        if money is not None and kind == "money":
            # "tens of millions of dollars": money, not a count of dollars.
            r.unit, r.kind, r.end = unit, kind, money.end()
            return ""
    subject, phrase_end = noun_phrase_after(c.text, phrase_start, c.para_end)
    if subject == "times" and MULTIPLE_AFTER.match(c.text, phrase_end, c.para_end):
        # "about 12 times what it seized": a multiple of the amount named before.
        r.unit, r.kind, r.end = "dimensionless", "dimensionless", phrase_end
        return ""
    if subject:
        r.end = phrase_end
        head = subject.rsplit(" ", 1)[-1]
        unit, kind = UNIT_WORDS.get(head, ("", ""))
        if kind and kind not in ("money", "percent") and len(head) > 3 and " " in subject:
            # "517 rushing yards": the unit is the head of the phrase.
            r.unit, r.kind = unit, kind
    if n.from_words and not subject and not n.has_scale and not n.lower_bound and not n.fraction:
        group = GROUP_OF_BEFORE.search(c.before)
        if group:  # "a family of four": the family's size
            return group.group(1).lower()
        return "" if antecedent and ELLIPSIS_AFTER.match(c.text, r.end, c.para_end) else None
    return subject


GROUP_OF_BEFORE = re.compile(r"\b(family|group|crew|party|household)\s+of\s+\Z", re.IGNORECASE)
MULTIPLE_AFTER = re.compile(r"\s+(?:what|as|the|that|more|higher|larger|greater|bigger|lower|fewer)\b")
NUMBER_WORDS = frozenset(UNITS) | frozenset(TENS) | {"hundred", "thousand", "million", "billion"}


def read_mention(
    c: Candidate, sentence: str, resolve_dollar: Callable[[str, int], str], antecedent: str = ""
) -> Mention | None:
    """Value, unit, qualifier and subject of an accepted number; None when it is no quantity."""
    n = c.number
    r = Reading(n.start, n.end, n.value, qualifier="lower_bound" if n.lower_bound else "exact")
    read_unit_around(c, r, sentence, resolve_dollar)
    read_sign(c, r)
    read_range(c, r, sentence, resolve_dollar)
    read_qualifier(c, r)
    if n.fraction and not r.kind:
        r.unit, r.kind = "dimensionless", "fraction"
        of_unit = FRACTION_OF_UNIT.match(c.text, r.end, c.para_end)
        unit, kind, unit_end = _read_unit(c, of_unit.end() - 1) if of_unit else ("", "", r.end)
        if kind and kind not in ("money", "percent"):  # "a quarter of a century": 0.25 century
            r.unit, r.kind, r.end = unit, kind, unit_end
    if r.kind in ("", "fraction"):
        subject = read_counted(c, r, antecedent)
        if subject is None:
            return None
        r.unit, r.kind = _resolve_unit(c, r.unit or "count", r.kind or "count", sentence, resolve_dollar)
    else:
        subject = measured_thing(c.text, r.start, r.end, r.kind, c.para_start, c.para_end)
    low, high = _interval(r)
    if r.unit in YEARS_IN:
        # pint's "decade" is a logarithmic ratio, not ten years: "two decades" is 20 years.
        factor = YEARS_IN[r.unit]
        r.value, low, high, r.unit = r.value * factor, low * factor, high * factor, "year"
    return Mention(r.start, r.end, r.value, low, high, r.unit, r.kind, r.qualifier, subject)


YEARS_IN = {"decade": 10, "century": 100}
FRACTION_OF_UNIT = re.compile(r"\s+of\s+an?\s", re.IGNORECASE)


def _plain(number: NumberMatch, text: str) -> float:
    """The value of a number without its scale word ("3 billion" -> 3, "five thousand" -> 5)."""
    surface = text[number.start : number.end]
    m = re.match(r"[\d.,]+", surface)
    if not m:
        last = re.search(r"(thousand|million|billion|trillion)\Z", surface, re.IGNORECASE)
        return number.value / SCALES[last.group(1).lower()] if last else number.value
    try:
        return float(m.group().replace(",", "")) or number.value
    except ValueError:
        return number.value
