"""Finding quantity mentions in article text and building fact rows.

For each number that :mod:`borderdata.numbers` finds in the article body, the
extractor:

1. drops it if a named guard says it is not a quantity (:data:`GUARDS`: dates,
   years, clock times, ordinals, codes such as COVID-19, section numbers, URLs
   and tweet counters, phone numbers, the pronoun "one", idioms, anaphoric
   "the two X");
2. reads the unit around it: a currency before (``$``, ``US$``, ``C$``, ``CAD``)
   or after ("dollars", "euros"), a unit word after ("kilograms", "per cent",
   "%"), else a counted noun ("15 surveillance towers") and the unit ``count``;
3. reads the qualifier before it ("about", "less than", "up to", "more than")
   and ranges ("between X and Y", "X to Y", "X-Y");
4. names the subject (the counted noun phrase, or what is measured: "fentanyl
   seized"), the category and location from the taxonomy, and the period the
   sentence anchors ("last year" in a 2025 article is 2024).

Which dollar a bare ``$`` is: explicit ``US$``/``C$``/"U.S. dollars"/"Canadian
dollars" win; else cues in the sentence (Ottawa, Canada's, the federal
government... vs Washington, U.S., Congress...), else the outlet's country,
else the cues of the whole document, else USD (:func:`borderdata.taxonomy.dollar_country`).
"Pounds" is GBP after ``£``, before "sterling" or in a money sentence without
a drug or weight word; otherwise it is mass.
"""

from __future__ import annotations

import bisect
import math
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import date

import pandas as pd

from borderdata.corpus import Document
from borderdata.numbers import SCALES, NumberMatch, find_numbers, read_number
from borderdata.schema import FACT_COLUMNS, conform_facts, make_fact_id
from borderdata.taxonomy import (
    categorize,
    currency_cues,
    dollar_country,
    load_taxonomy,
    locate,
    location_phrases,
)
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
# "more than 100 kilometres (60 miles)", "under 296 hp (224 kW / 300 PS)": a conversion in
# parentheses or after a slash states the same bound as the figure it converts.
CONVERSION_BETWEEN = re.compile(r"\s*[(/]\s*\Z")
OR_SO_AFTER = re.compile(r"\s+or\s+so\b", re.IGNORECASE)
PLUS_AFTER = re.compile(r"\+|\s+or\s+more\b|\s+plus\b", re.IGNORECASE)

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

# --- guards: numbers that are not quantities ---------------------------------------------------

DATE_BEFORE = re.compile(rf"\b(?:{MONTHS})\.?\s*\Z", re.IGNORECASE)
DATE_AFTER = re.compile(rf"(?:st|nd|rd|th)?\s*(?:of\s+)?(?:{MONTHS})\b\.?(?!\w)", re.IGNORECASE)
NUMERIC_DATE = re.compile(r"\d{1,4}[-/.]\d{1,2}[-/.]\d{1,4}\b")
TIME_AFTER = re.compile(r"(?::\d{2}|\s*(?:a\.?m\.?|p\.?m\.?)(?!\w)|\s*o[’']clock\b|h\d{2}\b)", re.IGNORECASE)
TIME_ZONE_AFTER = re.compile(r"\s?(?:GMT|UTC|EDT|EST|CDT|CST|MDT|MST|PDT|PST|ET|PT|CT|MT|[AP]ST|h)\b")
TIME_BEFORE = re.compile(r"\d:\Z")
ORDINAL_AFTER = re.compile(r"(?:st|nd|rd|th)\b", re.IGNORECASE)
LABEL_BEFORE = re.compile(
    r"\b(?:section|sections|article|chapter|title|rule|bill|highway|route|interstate|flight|row|page|pages|"
    r"room|gate|exit|channel|level|phase|stage|amendment|proposition|question|item|paragraph|clause|part|"
    r"no\.|number|nos\.|episode|season|game|week|day|act|volume|vol\.|model|version|grade|district|ward|"
    r"precinct|unit|suite|apartment|apt\.|box|lot|pier|terminal|platform|line|bus|lane|track|division|"
    r"category|class|type|tier|step|figure|fig\.|table|appendix|schedule|form|case|file|docket|lane|"
    r"hwy\.?|i-|us-|c-|s-|h\.r\.|s\.|covid|sars-cov|mk|mark|air force|ward|exhibit|count|counts|"
    r"world war|super bowl|pope|king|queen|louis|henry|charles|elizabeth|george|edward|john paul|benedict|"
    r"aged|ages|a\.d\.|b\.c\.)"
    r"\s*#?\s*\Z",
    re.IGNORECASE,
)
URLISH = re.compile(r"(?:https?://|www\.|pic\.twitter\.com|\w+\.(?:com|ca|org|net|gov)/)\S*", re.IGNORECASE)
TOKEN_LEFT = re.compile(r"\S*\Z")
TOKEN_RIGHT = re.compile(r"\S*")
PHONE = re.compile(r"(?:\+?1[-.\s])?\(?\d{3}\)?[-.\s]\d{3}[-.]\d{4}\b")
HANDLE_BEFORE = re.compile(r"[@#/\\]\w*\Z")
SLASH_AFTER = re.compile(r"/\d")
PRONOUN_ONE_AFTER = re.compile(
    r"(?:\s+of\b|\s+(?:another|who|whom|which|that|thing|day|way|time|side|another|hand|point)\b|'s\b|’s\b|"
    r"\s*[-‑–](?:on|off|time|way|stop|size|two|sided|third|quarter|half)\b|\s*[,.;:!?)”\"]|\s*\Z)",
    re.IGNORECASE,
)
PRONOUN_ONE_BEFORE = re.compile(
    r"\b(?:no|any|every|each|some|this|that|which|the|the only|only|one|little|loved|no\s+one|such|"
    r"another|someone|anyone|everyone|its|his|her|their|our|your|my|last|big|new|good|right|wrong|"
    r"favourite|favorite|first|same|better)\s+\Z|[-‑]\Z",
    re.IGNORECASE,
)
ANAPHORIC_BEFORE = re.compile(
    r"\b(?:the|these|those|both|all|its|their|our|his|her|your|my)\s+\Z", re.IGNORECASE
)
IDIOMS = re.compile(
    r"\b(?:one[-\s]on[-\s]one|one[-\s]off|one[-\s]time|one[-\s]way|one[-\s]sided|one another|one by one|"
    r"one or two|one or another|one day|at one point|in one|all in one|one of a kind|number one|no\. 1|"
    r"twenty[-\s]four[-\s]seven|24/7|9/11|a couple of (?:days|weeks|months|years) ago|"
    r"a (?:single|couple|pair) (?:of )?(?:words?|times?)|once or twice|two[-\s]way|two[-\s]faced|"
    r"catch[-\s]22|high[-\s]five|nine[-\s]to[-\s]five|one[-\s]stop|one[-\s]size)\b",
    re.IGNORECASE,
)
# "3-1", "89-89": two small integers joined by a dash, with no unit or per cent after.
SCORE_LINE = re.compile(r"\d{1,3}\s?[-–]\s?\d{1,3}(?![\d.,:]|\s*(?:%|[-–]|per\b|percent))")


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


def guard_date(c: Candidate) -> bool:
    """ "February 1", "Nov. 1", "1 February", "August 27, 2025", "2025-02-01"."""
    if c.number.from_words:
        return False
    if DATE_BEFORE.search(c.before) or DATE_AFTER.match(c.after):
        return True
    return bool(NUMERIC_DATE.match(c.text, c.number.start, c.para_end))


def guard_year(c: Candidate) -> bool:
    """A four-digit year (1800-2100), "2019", "2024-25", unless money, a unit or a counted plural follows."""
    raw = c.surface
    if c.number.from_words or not re.fullmatch(r"\d{4}", raw) or not 1000 <= c.number.value <= 2999:
        return False
    if not 1500 <= c.number.value <= 2100 and not re.search(
        r"\b(?:in|by|since|until|from|before|after)\s+\Z", c.before, re.IGNORECASE
    ):
        return False
    if QUALIFIER_BEFORE.search(c.before):
        return False
    following = re.match(r"\s+([a-z][\w'-]*)", c.text[c.number.end : c.para_end])
    # Counts of 1,000 and more are written with a comma in news style; "2018 sales" is a year.
    if following and _is_plural(following.group(1)) and not 1950 <= c.number.value <= 2050:
        return False
    if CURRENCY_BEFORE.search(c.before):
        return False
    unit = UNIT_AFTER.match(c.after)
    if (
        re.search(
            r"\b(?:in|by|since|until|from|before|after|of|early|late|mid)\s+\Z", c.before, re.IGNORECASE
        )
        and not unit
    ):
        return True
    return not (unit and UNIT_WORDS.get(unit.group("unit").lower(), ("", ""))[1] != "time")


def guard_time(c: Candidate) -> bool:
    """Clock times: "11:01", "3 p.m.", "at 5 o'clock", "0401 GMT"."""
    if TIME_AFTER.match(c.after) or TIME_BEFORE.search(c.before):
        return True
    return bool(re.fullmatch(r"\d{3,4}", c.surface) and TIME_ZONE_AFTER.match(c.after))


def guard_ordinal(c: Candidate) -> bool:
    """Ordinals and names: "49th parallel", "51st State", "22nd amendment"."""
    return bool(ORDINAL_AFTER.match(c.after))


def guard_code(c: Candidate) -> bool:
    """Names with digits: "COVID-19", "AR-15", "F-35", "G7", "H1N1", "5G" networks."""
    if c.number.from_words:
        return False
    before = c.text[max(c.para_start, c.number.start - 12) : c.number.start]
    glued_before = bool(re.search(r"[A-Za-z][-‑]?\Z", before)) and not CURRENCY_BEFORE.search(before)
    glued_before = glued_before and not re.search(r"(?<![A-Za-z])(?:minus|sub)-\Z", before, re.IGNORECASE)
    glued_before = glued_before or bool(
        re.search(r"\d[-‑]\Z|\b(?:COVID|Covid|SARS|MERS|H\dN\d)\s?[-‑]\Z", before)
    )
    unit = UNIT_AFTER.match(c.after)
    glued_after = bool(re.match(r"[A-Za-z]{1,3}\d|[A-Z]\b(?![.,])|[a-z]+\b", c.after)) and not (
        unit and unit.start("unit") == 0
    )
    glued_after = glued_after and not re.match(r"(?:s|k|m|bn|b|mn|mln|bln|tn|st|nd|rd|th)\b", c.after)
    return glued_before or glued_after


NAME_BEFORE = re.compile(r"(?<![\w.&-])([A-Za-z&]*[A-Z][\w&/]*)\s+\Z")
ADDRESS_AFTER = re.compile(
    r"\s+(?:ZIP|zip|postal|area)\s+code\b|\s+(?:[NSEW]\.?\s+)?(?:[A-Z][\w'-]*\s+){1,3}(?:Road|Rd|Street|St|Avenue|Ave|Way|Boulevard|Blvd|Drive|Dr|"
    r"Lane|Ln|Place|Pl|Court|Ct|Crescent|Cres|Terrace|Highway|Hwy)\b\.?"
)
NOT_NAMES = {"about", "nearly", "over", "under", "some", "only", "just", "around", "almost", "roughly",
             "with",
             "in", "by", "of", "at", "for", "to", "from", "and", "or", "but", "than", "after", "before",
             "since",
             "as", "on", "between", "up", "down", "more", "less", "fewer", "least", "most", "all",
             "approximately", "another", "those", "these", "the", "a", "an", "are", "were", "was", "is",
             "be", "has", "have", "had", "said", "says", "says:", "total", "totalling", "totaling",
             "estimated", "i", "we", "they", "he", "she", "it", "there", "here"}  # fmt: skip


def guard_name(c: Candidate) -> bool:
    """Numbers in names: "S&P 500", "Big 12", "iPhone 11", "Game 7", "FTSE 100", street addresses."""
    n = c.number
    if n.from_words:
        return False
    if ADDRESS_AFTER.match(c.text, n.end, c.para_end):
        return True
    m = NAME_BEFORE.search(c.before)
    if not m or m.group(1).lower() in NOT_NAMES or m.group(1).lower() in QUALIFIER_WORDS:
        return False
    if re.fullmatch(rf"(?:{MONTHS})\.?", m.group(1), re.IGNORECASE):
        return False
    # A unit, currency or counted plural after the number makes it a quantity after all.
    unit = UNIT_AFTER.match(c.text, n.end, c.para_end)
    if unit or CURRENCY_BEFORE.search(c.before) or n.has_scale:
        return False
    following = re.match(r"\s+([a-z][\w'-]*)", c.text[n.end : c.para_end])
    return not (following and _is_plural(following.group(1)))


def guard_label(c: Candidate) -> bool:
    """Section, row, page, bill and route numbers: "Section 33", "Row 21", "Highway 401"."""
    # Labels are short ("Section", "World War", "No."): the last 16 characters are enough to look at.
    window = c.text[max(c.para_start, c.number.start - 16) : c.number.start]
    return not c.number.from_words and bool(LABEL_BEFORE.search(window))


def guard_url(c: Candidate) -> bool:
    """Tweet counters, URLs, handles and hashtags: "/2 pic.twitter.com/...", "@user1", "#G7"."""
    if HANDLE_BEFORE.search(c.before) or SLASH_AFTER.match(c.after):
        return True
    left = TOKEN_LEFT.search(c.text, max(c.para_start, c.number.start - 200), c.number.start)
    right = TOKEN_RIGHT.match(c.text, c.number.end, min(c.para_end, c.number.end + 200))
    token = c.text[left.start() if left else c.number.start : right.end() if right else c.number.end]
    return bool(URLISH.search(token))


def guard_phone(c: Candidate) -> bool:
    """Phone numbers: "613-555-0199", "(613) 555-0199", "1-800-222-1222"."""
    window_start = max(c.para_start, c.number.start - 8)
    window = c.text[window_start : min(c.para_end, c.number.end + 14)]
    offset = c.number.start - window_start
    return any(m.start() <= offset < m.end() for m in PHONE.finditer(window))


def guard_pronoun_one(c: Candidate) -> bool:
    """The pronoun "one": "One of the key concerns", "no one", "the one who", "one another"."""
    if c.surface.lower() != "one":
        return False
    return bool(PRONOUN_ONE_AFTER.match(c.after) or PRONOUN_ONE_BEFORE.search(c.before))


def guard_idiom(c: Candidate) -> bool:
    """Idioms that contain a number but state no quantity: "one-on-one", "24/7", "one day"."""
    window_start = max(c.para_start, c.number.start - 12)
    window = c.text[window_start : min(c.para_end, c.number.end + 16)]
    offset = c.number.start - window_start
    return any(m.start() <= offset < m.end() for m in IDIOMS.finditer(window))


def guard_parenthesised(c: Candidate) -> bool:
    """A lone number in parentheses after a name: "Dak Prescott (4)" (a jersey or list number)."""
    return (
        not c.number.from_words
        and c.before.endswith("(")
        and c.after.startswith(")")
        and bool(re.search(r"[A-Z][a-z]+\s*\(\Z", c.before))
    )


def guard_anaphoric(c: Candidate) -> bool:
    """ "The two countries", "the two won": a number word after "the" names no new quantity."""
    n = c.number
    if not (n.from_words and not n.has_scale and n.value <= 3 and ANAPHORIC_BEFORE.search(c.before)):
        return False
    unit = UNIT_AFTER.match(c.text, n.end, c.para_end)
    return not unit


COMPOUND_ADJECTIVE = re.compile(
    r"[-‑](?:year|month|week|day|hour|minute|second|mile|metre|meter|foot|inch|page|point|person|member|man|"
    r"storey|story|game|bed|bedroom|door|seat|speed|star|time|way|part|step|stage|term|round|"
    r"lane|party|nation|country)s?[-‑]?(?!old)"
    r"(?=\s+[A-Za-z$]|[-‑])",
    re.IGNORECASE,
)


def guard_compound(c: Candidate) -> bool:
    """Hyphenated adjectives that describe rather than count: "a five-year plan", "a three-bed apartment"."""
    if not c.number.from_words:
        return False
    return bool(
        COMPOUND_ADJECTIVE.match(c.text, c.number.end, c.para_end) or re.search(r"[A-Za-z][-‑]\Z", c.before)
    )


def guard_score(c: Candidate) -> bool:
    """Sports scores and votes: "a 9-2 lead", "won 3-1", "tied at 89-89" (no unit after the second number)."""
    m = SCORE_LINE.match(c.text, c.number.start, c.para_end)
    if not m or c.number.from_words or CURRENCY_BEFORE.search(c.before):
        return False
    if re.search(r"\bbetween\s*\Z|\bfrom\s*\Z|\baged?\s*\Z", c.before, re.IGNORECASE):
        return False
    return not UNIT_AFTER.match(c.text, m.end(), c.para_end) and not re.match(
        r"\s+[a-z]+s\b", c.text[m.end() : c.para_end]
    )


GUARDS: tuple[tuple[str, Callable[[Candidate], bool]], ...] = (
    ("idiom", guard_idiom),
    ("url", guard_url),
    ("phone", guard_phone),
    ("date", guard_date),
    ("time", guard_time),
    ("ordinal", guard_ordinal),
    ("year", guard_year),
    ("code", guard_code),
    ("label", guard_label),
    ("name", guard_name),
    ("pronoun_one", guard_pronoun_one),
    ("anaphoric", guard_anaphoric),
    ("parenthesised", guard_parenthesised),
    ("score", guard_score),
    ("compound", guard_compound),
)


def rejected_by(c: Candidate) -> str:
    """Name of the first guard that rejects the candidate, or "" when it is a quantity."""
    for name, guard in GUARDS:
        if guard(c):
            return name
    return ""


# --- sentences ---------------------------------------------------------------------------------

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


# --- subjects ----------------------------------------------------------------------------------

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


def _is_plural(word: str) -> bool:
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
        if _is_plural(word) or len(words) == 5:
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


# --- periods -----------------------------------------------------------------------------------

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


# --- one mention -------------------------------------------------------------------------------


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
    u: u for u in ("g", "m", "t", "l", "mg", "kg", "km", "mm", "cm", "W", "V", "Hz", "mi")
}


def _read_unit(c: Candidate, end: int) -> tuple[str, str, int]:
    """Unit, kind and new end from the words right after the number (``"", "", end`` when none)."""
    m = UNIT_AFTER.match(c.text, end, c.para_end)
    if not m:
        return "", "", end
    surface = m.group("unit")
    word = re.sub(r"[\s-]+", " ", surface.lower())
    unit, kind = UNIT_WORDS.get(word, ("", ""))
    if not unit or (surface in CASE_SENSITIVE_UNITS and surface != CASE_SENSITIVE_UNITS[surface]):
        return "", "", end
    if surface.lower() in CASE_SENSITIVE_UNITS.values() and surface not in CASE_SENSITIVE_UNITS.values():
        return "", "", end
    # One-letter and ambiguous abbreviations only when glued to the number or clearly a unit.
    spaced_symbol = word in ("m", "g", "t", "mi", "ft", "oz") and m.start("unit") != end
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


SIGN_BEFORE = re.compile(r"(?:(?<=\s)|(?<=^)|(?<=\$)|(?<=\())[-−]\Z|\bminus[\s-]\Z", re.IGNORECASE)
# "-?" before "to"/"or": a suspended hyphen, "10- to 15-year terms", "a 7- or 8-inch screen".
RANGE_JOINER = re.compile(r"(-?\s+to\s+|\s*[-–—]\s*|\s+and\s+)((?:US|C|A|HK)?\$(?:US|A|C)?|€|£)?\s?")
OR_NEXT = re.compile(r"-?\s+or\s+(?:(?:US|C|A|HK)?\$|€|£)?")


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
    c: Candidate, unit: str, kind: str, sentence: str, resolve_dollar: Callable[[str], str]
) -> tuple[str, str]:
    """Turn surface units into registry units: which dollar, pounds as money or mass, cents."""
    if unit == "lb" and _pounds_are_money(c, sentence):
        return "GBP", "money"
    if unit == "$":
        return resolve_dollar(sentence), kind
    if unit == "cent":
        return f"{resolve_dollar(sentence)}_cent", kind
    return unit, kind


def read_unit_around(c: Candidate, r: Reading, sentence: str, resolve_dollar: Callable[[str], str]) -> None:
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
    if second is None or second.lower_bound or second.value <= 0:
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


def read_range(c: Candidate, r: Reading, sentence: str, resolve_dollar: Callable[[str], str]) -> None:
    """ "between 750,000 and 800,000", "15 to 22 miles", "15-22 mph", "from $3 billion to $5 billion"."""
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


def read_counted(c: Candidate, r: Reading) -> str | None:
    """The counted noun phrase of a bare number ("15 surveillance towers"); None when words count nothing."""
    n = c.number
    phrase_start = r.end
    of = OF_PHRASE.match(c.text, r.end, c.para_end)
    if of and (
        n.lower_bound or n.fraction or re.fullmatch(r"(?:a |an )?(?:dozen|couple|hundred)", c.surface.lower())
    ):
        phrase_start = of.end()
    if phrase_start != r.end:
        money = UNIT_AFTER.match(c.text, phrase_start - 1, c.para_end)
        unit, kind = (
            UNIT_WORDS.get(re.sub(r"[\s-]+", " ", money.group("unit").lower()), ("", ""))
            if money
            else ("", "")
        )
        if kind == "money":
            # "tens of millions of dollars": money, not a count of dollars.
            r.unit, r.kind, r.end = unit, kind, money.end()
            return ""
    subject, phrase_end = noun_phrase_after(c.text, phrase_start, c.para_end)
    if subject:
        r.end = phrase_end
        head = subject.rsplit(" ", 1)[-1]
        unit, kind = UNIT_WORDS.get(head, ("", ""))
        if kind and kind not in ("money", "percent") and len(head) > 3 and " " in subject:
            # "517 rushing yards": the unit is the head of the phrase.
            r.unit, r.kind = unit, kind
    if n.from_words and not subject and not n.has_scale and not n.lower_bound and not n.fraction:
        return None
    return subject


def read_mention(c: Candidate, sentence: str, resolve_dollar: Callable[[str], str]) -> Mention | None:
    """Value, unit, qualifier and subject of an accepted number; None when it is no quantity."""
    n = c.number
    r = Reading(n.start, n.end, n.value, qualifier="lower_bound" if n.lower_bound else "exact")
    read_unit_around(c, r, sentence, resolve_dollar)
    read_sign(c, r)
    read_range(c, r, sentence, resolve_dollar)
    read_qualifier(c, r)
    if n.fraction and not r.kind:
        r.unit, r.kind = "dimensionless", "fraction"
    if r.kind in ("", "fraction"):
        subject = read_counted(c, r)
        if subject is None:
            return None
        r.unit, r.kind = _resolve_unit(c, r.unit or "count", r.kind or "count", sentence, resolve_dollar)
    else:
        subject = measured_thing(c.text, r.start, r.end, r.kind, c.para_start, c.para_end)
    low, high = _interval(r)
    return Mention(r.start, r.end, r.value, low, high, r.unit, r.kind, r.qualifier, subject)


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


TOKEN_REST = re.compile(r"(?:[-–/:.T]?\d+)*(?:\s*(?:to|through|-|–)\s*\d+\b(?![.,]\d))?")
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


# --- rows --------------------------------------------------------------------------------------


def _unit_kind(mention: Mention) -> str:
    return mention.kind or "count"


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


def fact_rows(
    text: str,
    published: date | None = None,
    *,
    spans: Iterable[tuple[int, int]] | None = None,
    doc_id: str = "",
    source_file: str = "",
    outlet: str = "",
) -> list[dict]:
    """Fact rows (dicts with the facts-table columns) of ``text``'s body spans, in text order."""
    taxonomy = load_taxonomy()
    rows: list[dict] = []
    spans = list(spans) if spans is not None else [(0, len(text))]
    document_cues: list[tuple[int, int]] = []

    def resolve_dollar(sentence: str) -> str:
        if not document_cues:  # counted once per document, and only when a bare "$" needs it
            document_cues.append(currency_cues(" ".join(text[s:e] for s, e in spans), taxonomy))
        return dollar_country(sentence, outlet, document_cues[0], taxonomy)

    published_text = published.isoformat() if published else ""
    for para_start, para_end in spans:
        numbers = find_numbers(text, para_start, para_end)
        if not numbers:
            continue
        sentences = sentence_spans(text, para_start, para_end)
        starts = [a for a, _ in sentences]
        last_end = para_start
        previous_subject: dict[tuple[int, str], str] = {}
        periods: dict[int, str] = {}  # by sentence start: a sentence anchors one period
        places: dict[int, list[tuple[str, int, int]]] = {}  # and has one set of location phrases
        for number in numbers:
            if number.start < last_end:
                continue
            candidate = Candidate(text, number, para_start, para_end)
            if rejected_by(candidate):
                # The rest of a rejected token ("20-24" after "Sept.", "2019-09-01T10:38") is no quantity.
                last_end = TOKEN_REST.match(text, number.end, para_end).end()
                continue
            s_start, s_end = sentence_of(sentences, starts, number, (para_start, para_end))
            sentence = text[s_start:s_end]
            mention = read_mention(candidate, sentence, resolve_dollar)
            if mention is None:
                continue
            if rows and mention.qualifier == "exact" and _converts(text, rows[-1], mention):
                mention = _with_qualifier(mention, rows[-1]["qualifier"])
            key = (s_start, mention.kind)
            if mention.subject:
                previous_subject[key] = mention.subject
            subject = measured_subject(mention, sentence, s_start, previous_subject.get(key, ""))
            rel_start, rel_end = mention.start - s_start, min(mention.end, s_end) - s_start
            if s_start not in periods:
                periods[s_start] = find_period(sentence, published)
                places[s_start] = location_phrases(sentence, taxonomy)
            kind = _unit_kind(mention)
            rows.append({
                "fact_id": make_fact_id(doc_id, mention.start),
                "doc_id": doc_id,
                "source_file": source_file,
                "published": published_text,
                "outlet": outlet,
                "start": mention.start,
                "end": mention.end,
                "surface": text[mention.start : mention.end],
                "value": float(mention.value),
                "low": float(mention.low),
                "high": float(mention.high),
                "unit": mention.unit,
                "qualifier": mention.qualifier,
                "subject": subject,
                "category": categorize(kind, subject, sentence, max(rel_start, 0), max(rel_end, 0), taxonomy),
                "location": locate(sentence, max(rel_start, 0), max(rel_end, 0), taxonomy, places[s_start]),
                "period": periods[s_start],
                "sentence": sentence,
                "overridden": False,
            })  # fmt: skip
            last_end = max(mention.end, number.end)
    return rows


def _converts(text: str, previous: dict, mention: Mention) -> bool:
    """Whether ``mention`` restates ``previous`` in other units: "100 km (60 miles)", "296 hp (224 kW"."""
    between = text[previous["end"] : mention.start]
    return previous["qualifier"] in ("approx", "upper_bound", "lower_bound") and bool(
        CONVERSION_BETWEEN.fullmatch(between) or re.fullmatch(r"\s*\(\s*[^()]{0,30}/\s*", between)
    )


def _with_qualifier(mention: Mention, qualifier: str) -> Mention:
    """The same mention with the bound another wording of it states."""
    low = math.nan if qualifier == "upper_bound" else mention.value
    high = math.nan if qualifier == "lower_bound" else mention.value
    return replace(mention, qualifier=qualifier, low=low, high=high)


def _frame(rows: list[dict]) -> pd.DataFrame:
    return conform_facts(pd.DataFrame(rows, columns=list(FACT_COLUMNS)))


def extract_text(
    text: str,
    published: date | None = None,
    *,
    spans: Iterable[tuple[int, int]] | None = None,
    doc_id: str = "",
    source_file: str = "",
    outlet: str = "",
) -> pd.DataFrame:
    """The facts of one string, as a facts table (same columns as :func:`extract_facts`).

    >>> facts = extract_text("Officers seized 19.5 kilograms of fentanyl.")
    >>> row = facts.iloc[0]
    >>> row["surface"], float(row["value"]), row["unit"], row["subject"]
    ('19.5 kilograms', 19.5, 'kg', 'fentanyl')
    """
    return _frame(
        fact_rows(text, published, spans=spans, doc_id=doc_id, source_file=source_file, outlet=outlet)
    )


def document_rows(doc: Document) -> list[dict]:
    """Fact rows of one document's body (what parallel engines call per document)."""
    return fact_rows(doc.text, doc.published, spans=doc.body_spans, doc_id=doc.doc_id,
                     source_file=doc.source_file, outlet=doc.outlet)  # fmt: skip


def extract_facts(documents: Iterable[Document]) -> pd.DataFrame:
    """The facts table of every document's body, sorted by ``doc_id`` and ``start``.

    >>> from borderdata.corpus import load_corpus, PROJECT_ROOT
    >>> facts = extract_facts(load_corpus([PROJECT_ROOT / "seeds"]))
    >>> bool((facts["surface"] == facts.apply(lambda r: "", axis=1)).any())
    False
    """
    rows: list[dict] = []
    for doc in documents:
        rows.extend(document_rows(doc))
    return _frame(rows)
