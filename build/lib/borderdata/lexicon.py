"""The words around a number that both the guards and the readings look at.

A number's neighbours decide whether it is a quantity at all (:mod:`borderdata.guards`)
and what it measures (:mod:`borderdata.readings`): a month before it, a unit word or a
currency symbol beside it, a qualifier ("about", "more than") before it. The patterns
live here once so both read the text the same way.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from borderdata.numbers import NumberMatch
from borderdata.units import (
    CURRENCIES,
    CURRENCY_SYMBOLS,
    CURRENCY_WORDS,
    LENGTH_WORDS,
    MASS_WORDS,
    OTHER_WORDS,
    PERCENT_WORDS,
    TIME_WORDS,
)

MONTHS = (
    r"jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sept?(?:ember)?"
    r"|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?"
)
QUALIFIER_WORDS: dict[str, str] = {
    "about": "approx", "around": "approx", "roughly": "approx", "nearly": "approx", "almost": "approx",
    "approximately": "approx", "some": "approx", "an estimated": "approx", "estimated": "approx",
    "close to": "approx", "circa": "approx", "approx.": "approx", "~": "approx", "more or less": "approx",
    "or so": "approx", "just about": "approx", "an average of": "approx", "on average": "approx",
    "less than": "upper_bound", "under": "upper_bound", "well under": "upper_bound", "up to": "upper_bound",
    "at most": "upper_bound", "no more than": "upper_bound", "fewer than": "upper_bound",
    "below": "upper_bound", "just under": "upper_bound", "not more than": "upper_bound",
    "as many as": "upper_bound", "as much as": "upper_bound", "a maximum of": "upper_bound",
    "as high as": "upper_bound", "well below": "upper_bound", "not exceeding": "upper_bound",
    "more than": "lower_bound", "over": "lower_bound", "at least": "lower_bound", "upwards of": "lower_bound",
    "in excess of": "lower_bound", "no less than": "lower_bound", "above": "lower_bound",
    "well over": "lower_bound", "just over": "lower_bound", "a minimum of": "lower_bound",
    "not less than": "lower_bound", "no fewer than": "lower_bound", "well above": "lower_bound",
    "as few as": "lower_bound", "as little as": "lower_bound", "as low as": "lower_bound",
    "greater than": "lower_bound", "higher than": "lower_bound", "exceeding": "lower_bound",
    "larger than": "lower_bound", "bigger than": "lower_bound", "lower than": "upper_bound",
    "smaller than": "upper_bound", "shorter than": "upper_bound", "sub-": "upper_bound",
    "averaging": "approx", "averaged": "approx",
}  # fmt: skip
_QUALIFIER_ALT = "|".join(re.escape(q) for q in sorted(QUALIFIER_WORDS, key=len, reverse=True))
QUALIFIER_BEFORE = re.compile(rf"(?<![\w-])({_QUALIFIER_ALT})\s*(?:of\s+)?\Z", re.IGNORECASE)

# --- units around a number ---------------------------------------------------------------------

UNIT_WORDS: dict[str, tuple[str, str]] = {}
for _words, _kind in ((MASS_WORDS, "mass"), (LENGTH_WORDS, "length"), (TIME_WORDS, "time"),
                      (OTHER_WORDS, "other"), (PERCENT_WORDS, "percent")):  # fmt: skip
    for _word, _unit in _words.items():
        UNIT_WORDS[_word] = (_unit, _kind)
for _word, _code in CURRENCY_WORDS.items():
    UNIT_WORDS[_word] = (_code, "money")
for _code in CURRENCIES:
    UNIT_WORDS[_code.lower()] = (_code, "money")
UNIT_WORDS = {re.sub(r"[\s-]+", " ", word): value for word, value in UNIT_WORDS.items()}
UNIT_WORDS.update({"dollars": ("$", "money"), "dollar": ("$", "money"), "bucks": ("$", "money"),
                   "cents": ("cent", "money"), "cent": ("cent", "money")})  # fmt: skip

_UNIT_ALT = "|".join(
    re.escape(w).replace(r"\ ", r"[\s-]+") for w in sorted(UNIT_WORDS, key=len, reverse=True)
)
# "19.5 kilograms", "19.5kg", "1.3-per-cent", "25%", "50 lbs.", "U.S. dollars".
UNIT_AFTER = re.compile(rf"(?:\s*-\s*|\s?)(?P<unit>{_UNIT_ALT})(?![\w$£€])", re.IGNORECASE)
UNIT_AFTER_PREFIXED = re.compile(
    r"\s+(?P<country>u\.?s\.?|american|canadian|australian|hong kong|new zealand|singapore)\s+dollars?\b",
    re.IGNORECASE,
)
_SYMBOL_ALT = "|".join(re.escape(s) for s in sorted(CURRENCY_SYMBOLS, key=len, reverse=True))
CURRENCY_BEFORE = re.compile(rf"(?:(?<![A-Za-z])({_SYMBOL_ALT})|(?<![\w])\$)\s?[-−]?\Z")
DATE_BEFORE = re.compile(rf"\b(?:{MONTHS})\.?\s*\Z", re.IGNORECASE)


@dataclass
class Candidate:
    """A number being considered, with the text around it."""

    text: str
    number: NumberMatch
    para_start: int
    para_end: int

    @property
    def before(self) -> str:
        return self.text[max(self.para_start, self.number.start - 40) : self.number.start]

    @property
    def after(self) -> str:
        return self.text[self.number.end : min(self.para_end, self.number.end + 40)]

    @property
    def surface(self) -> str:
        return self.text[self.number.start : self.number.end]
