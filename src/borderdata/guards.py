"""Guards: named rules for numbers in text that state no quantity.

Each guard is a function of a :class:`~borderdata.lexicon.Candidate` that returns True
when the number is not a quantity: dates, years, clock times, ordinals, codes such as
COVID-19, section numbers, URLs and tweet counters, phone numbers, the pronoun "one",
idioms, anaphoric "the two X", scores and compound adjectives. :data:`GUARDS` lists
them in the order they are tried; :func:`rejected_by` names the first that fires.
Each has a table of cases that must and must not fire in ``tests/test_extract.py``.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from borderdata.lexicon import (
    CURRENCY_BEFORE,
    DATE_BEFORE,
    MONTHS,
    QUALIFIER_BEFORE,
    QUALIFIER_WORDS,
    UNIT_AFTER,
    UNIT_WORDS,
    Candidate,
)
from borderdata.subject import is_plural
from borderdata.taxonomy import load_taxonomy

DATE_AFTER = re.compile(rf"(?:st|nd|rd|th)?\s*(?:of\s+)?(?:{MONTHS})\b\.?(?!\w)", re.IGNORECASE)
NUMERIC_DATE = re.compile(r"\d{1,4}[-/.]\d{1,2}[-/.]\d{1,4}\b")
TIME_AFTER = re.compile(r"(?::\d{2}|\s*(?:a\.?m\.?|p\.?m\.?)(?!\w)|\s*o[’']clock\b|h\d{2}\b)", re.IGNORECASE)
TIME_ZONE_AFTER = re.compile(r"\s?(?:GMT|UTC|EDT|EST|CDT|CST|MDT|MST|PDT|PST|ET|PT|CT|MT|[AP]ST|h)\b")
TIME_BEFORE = re.compile(r"\d:\Z")
ORDINAL_AFTER = re.compile(r"(?:st|nd|rd|th)\b", re.IGNORECASE)
# A label word right before its number: "Section 33", "Row 21", "Highway 401". Only nouns that
# number things in a series; time words ("over the past week 300 migrants") and names ("In
# Prince George 12 officers", "B.C.") are no labels: capitalised names before digits are the
# name guard's ("Game 7", "Super Bowl 50"), and only when no counted noun follows.
LABEL_BEFORE = re.compile(
    r"\b(?:section|sections|article|chapter|title|rule|bill|highway|route|interstate|flight|row|page|pages|"
    r"room|gate|exit|channel|level|phase|stage|amendment|proposition|question|item|paragraph|clause|part|"
    r"no\.|number|nos\.|episode|act|volume|vol\.|model|version|grade|district|ward|"
    r"precinct|unit|suite|apartment|apt\.|box|lot|pier|terminal|platform|line|bus|lane|track|division|"
    r"category|class|type|tier|step|figure|fig\.|table|appendix|schedule|form|case|file|docket|lane|"
    r"hwy\.?|i-|us-|c-|s-|h\.r\.|s\.|covid|sars-cov|exhibit|count|counts|aged|ages)"
    r"\s*#?\s*\Z",
    re.IGNORECASE,
)
URLISH = re.compile(r"(?:https?://|www\.|pic\.twitter\.com|\w+\.(?:com|ca|org|net|gov)/)\S*", re.IGNORECASE)
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
    r"catch[-\s]22|high[-\s]five|nine[-\s]to[-\s]five|one[-\s]stop|one[-\s]size|zero[-\s]tolerance|"
    r"zero[-\s]sum|at\s+zero\s+hour)\b",
    re.IGNORECASE,
)
# "3-1", "89-89": two small integers joined by a dash, with no unit or per cent after.
SCORE_LINE = re.compile(r"\d{1,3}\s?[-–]\s?\d{1,3}(?![\d.,:]|\s*(?:%|[-–]|per\b|percent))")


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
    if following and is_plural(following.group(1)) and not 1950 <= c.number.value <= 2050:
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
    return not (following and is_plural(following.group(1)))


def guard_label(c: Candidate) -> bool:
    """Section, row, page, bill and route numbers: "Section 33", "Row 21", "Highway 401"."""
    # Labels are short ("Section", "World War", "No."): the last 16 characters are enough to look at.
    window = c.text[max(c.para_start, c.number.start - 16) : c.number.start]
    return not c.number.from_words and bool(LABEL_BEFORE.search(window))


def guard_url(c: Candidate) -> bool:
    """Tweet counters, URLs, handles and hashtags: "/2 pic.twitter.com/...", "@user1", "#G7"."""
    start = c.number.start
    left, low = start, max(c.para_start, start - 200)
    while left > low and not c.text[left - 1].isspace():  # the token's start: usually a few characters back
        left -= 1
    if HANDLE_BEFORE.search(c.text, left, start) or SLASH_AFTER.match(c.after):
        return True
    right = TOKEN_RIGHT.match(c.text, c.number.end, min(c.para_end, c.number.end + 200))
    return bool(URLISH.search(c.text, left, right.end() if right else c.number.end))


def guard_phone(c: Candidate) -> bool:
    """Phone numbers: "613-555-0199", "(613) 555-0199", "1-800-222-1222"."""
    window_start = max(c.para_start, c.number.start - 8)
    window = c.text[window_start : min(c.para_end, c.number.end + 14)]
    offset = c.number.start - window_start
    return any(m.start() <= offset < m.end() for m in PHONE.finditer(window))


# "only one person", "just one officer": "only" counts when a singular noun follows.
COUNTED_AFTER_ONLY = re.compile(r"(?:only|just|exactly)\s+\Z", re.IGNORECASE)
SINGULAR_NOUN_AFTER = re.compile(
    r"\s+(?!(?:of|in|on|to|who|that|which|thing|way|time|day|else)\b)[a-z]+\b(?<!s)"
)


def guard_pronoun_one(c: Candidate) -> bool:
    """The pronoun "one": "One of the key concerns", "no one", "the one who", "one another"."""
    if c.surface.lower() != "one":
        return False
    if COUNTED_AFTER_ONLY.search(c.before) and SINGULAR_NOUN_AFTER.match(c.after):
        return False
    return bool(PRONOUN_ONE_AFTER.match(c.after) or PRONOUN_ONE_BEFORE.search(c.before))


# "the 4 Nations Cup", "1 Canada Place": digits that open a capitalised name ending in a singular
# word. "20 Alberta Sheriffs" (a plural head) and "15 U.S. Army battalions" (a noun after) count.
NAME_AFTER = re.compile(
    r"((?:\s+(?:[A-Z][a-z]+|[A-Z]\.(?:[A-Z]\.)+)){2,5})(?=\s*[,.;:)]|\s+(?:[a-z]+ed|is|was|has|will|in|on|at|"
    r"and|for|of|to|tournament|final|game|match)\b)"
)


def guard_name_after(c: Candidate) -> bool:
    """A numeral that opens a name: "the 4 Nations Cup", "1 Canada Place"."""
    if c.number.from_words or c.number.has_scale or not c.surface.isdigit():
        return False
    m = NAME_AFTER.match(c.text, c.number.end, c.para_end)
    return m is not None and not is_plural(m.group(1).split()[-1]) and not UNIT_AFTER.match(c.after)


# "on day 3 of the trial", "week 12 of the season": a place in a series, not an amount. Without
# "of" after, the same words count ("Over the past week 300 migrants crossed").
SERIES_BEFORE = re.compile(r"\b(?:day|week|month|round|game|stage|lap|inning|period)\s+\Z", re.IGNORECASE)
OF_AFTER = re.compile(r"\s+of\b")


def guard_position(c: Candidate) -> bool:
    """A numbered place in a series: "day 3 of the trial", "Week 12 of the season"."""
    if c.number.from_words or not c.surface.isdigit():
        return False
    return bool(SERIES_BEFORE.search(c.before) and OF_AFTER.match(c.after))


# "$5,000 for a single craft", "$40 per one hundred": "for"/"per" one thing after an amount is
# the basis the amount is stated on, not a second amount.
BASIS_BEFORE = re.compile(r"[\d$€£%][^.;:]{0,30}\b(?:for|per)\s+\Z", re.IGNORECASE)


def guard_basis(c: Candidate) -> bool:
    """The per-unit basis of an amount: "$5,000 for a single craft", "$2 per one pill"."""
    if c.number.value != 1 or not c.number.from_words:
        return False
    return bool(BASIS_BEFORE.search(c.before))


def guard_measure_idiom(c: Candidate) -> bool:
    """ "a ton of warrantless searches", "tons of questions": a ton of anything but a substance."""
    if c.surface.lower() not in ("a", "an"):
        return False
    m = TON_OF.match(c.text, c.number.end, c.para_end)
    if not m:
        return False
    taxonomy = load_taxonomy()
    said = m.group(1).lower()
    return not any(
        p is not None and p.match(said) for p in (taxonomy.substances, taxonomy.generic_substances)
    )


TON_OF = re.compile(r"\s+tons?\s+of\s+(?:the\s+|hard\s+|illegal\s+|illicit\s+)?([a-z]+)", re.IGNORECASE)


def guard_idiom(c: Candidate) -> bool:
    """Idioms that contain a number but state no quantity: "one-on-one", "24/7", "one day"."""
    window_start = max(c.para_start, c.number.start - 12)
    window = c.text[window_start : min(c.para_end, c.number.end + 16)]
    offset = c.number.start - window_start
    return any(m.start() <= offset < m.end() for m in IDIOMS.finditer(window))


def guard_anaphoric(c: Candidate) -> bool:
    """ "The two countries", "the two won": a number word after "the" names no new quantity."""
    n = c.number
    if not (n.from_words and not n.has_scale and n.value <= 3 and ANAPHORIC_BEFORE.search(c.before)):
        return False
    unit = UNIT_AFTER.match(c.text, n.end, c.para_end)
    return not unit


# Compounds of a measure ("a one-month pause", "an 8,891-kilometre border") state a duration or a
# length and stay quantities; compounds of other nouns describe ("a three-bed apartment").
COMPOUND_ADJECTIVE = re.compile(
    r"[-‑](?:page|point|person|member|man|"
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
    ("score", guard_score),
    ("compound", guard_compound),
    ("name_after", guard_name_after),
    ("measure_idiom", guard_measure_idiom),
    ("position", guard_position),
    ("basis", guard_basis),
)


def rejected_by(c: Candidate) -> str:
    """Name of the first guard that rejects the candidate, or "" when it is a quantity."""
    for name, guard in GUARDS:
        if guard(c):
            return name
    return ""
