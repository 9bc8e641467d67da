"""When a figure is about: phrases of time in a sentence, as a label and the dates they cover.

Every phrase becomes a :class:`Period`: a ``label`` a chart can show and the interval
``start``..``end`` it covers, resolved against the publication date where the words are
relative ("last year", "so far this fiscal year", "the past week"). A relative phrase in an
article with no known date keeps no label and no dates: nothing is guessed.

Labels:

- ``2024``: calendar year; ``2024-10``: a month; ``2024-10..2025-05``: months from .. to;
- ``FY2024``: U.S. federal fiscal year, named by the year it ends (2023-10-01..2024-09-30);
- ``FY2024-25``: Canadian federal fiscal year (2024-04-01..2025-03-31);
- ``FY2011..FY2023``: a run of fiscal years; ``2024-07-06..2025-07-05``: days;
- ``since 2024-06``: from then until the publication date (end empty when it is unknown);
- ``FY2025 to 2025-07-05``: a period still running at publication, counted "so far".

Which fiscal year: "fiscal 2024" and "FY2024" are the U.S. convention (one year, the one it
ends in). A split year ("the 2024-25 fiscal year", "fiscal 2024-25") and "this fiscal year" take
the side the sentence names (CBP, U.S., Border Patrol... vs CBSA, Ottawa, a province...), else
the side the document names more often; with no side named the label stays ("fiscal 2024-25")
and the dates are left empty. The cue words are ``taxonomy.toml [currency]``'s (which side of
the border a sentence speaks of).
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta

import pandas as pd

from borderdata.clauses import nearest_in_part

MONTH_NAMES = (
    "jan(?:uary|\\.)?", "feb(?:ruary|\\.)?", "mar(?:ch|\\.)?", "apr(?:il|\\.)?", "may", "june?",
    "july?", "aug(?:ust|\\.)?", "sep(?:t(?:ember|\\.)?|\\.)?", "oct(?:ober|\\.)?", "nov(?:ember|\\.)?",
    "dec(?:ember|\\.)?",
)  # fmt: skip
MONTH = "(?:" + "|".join(MONTH_NAMES) + ")"
MONTH_START = re.compile(r"(?i)" + "|".join(f"({m})" for m in MONTH_NAMES))
YEAR = r"(?:19|20)\d{2}"
SEASONS = {"winter": (12, 2), "spring": (3, 5), "summer": (6, 8), "fall": (9, 11), "autumn": (9, 11)}
NUMBER_WORDS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
                "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "a": 1, "an": 1}  # fmt: skip
COUNT = r"(?:\d{1,3}|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve)"
UNIT_DAYS = {"day": 1, "week": 7}
# A period still running at publication is counted only up to it when the words say so.
SO_FAR = re.compile(
    r"\b(?:so\s+far|to\s+date|thus\s+far|year[-\s]to[-\s]date|as\s+of\s+now|earlier\s+this)\b", re.IGNORECASE
)

# One pattern per shape of phrase; the group names say what each one reads.
SHAPES: tuple[tuple[str, re.Pattern], ...] = tuple(
    (name, re.compile(pattern, re.IGNORECASE))
    for name, pattern in (
        (
            "day_range",
            rf"\b(?:from|between)\s+(?P<m1>{MONTH})\s+(?P<d1>\d{{1,2}})(?:,?\s+(?P<y1>{YEAR}))?\s*"
            rf"(?:to|through|until|and|[-–])\s*(?:(?P<m2>{MONTH})\s+)?(?P<d2>\d{{1,2}})\b(?:,?\s+(?P<y2>{YEAR}))?",
        ),
        (
            "fiscal_split",
            rf"\b(?:the\s+)?(?P<y1>{YEAR})\s*[-–/]\s*(?P<y2>\d{{2}}|{YEAR})\s+fiscal(?:\s+year)?\b",
        ),
        ("fiscal_split", rf"\bfiscal(?:\s+year)?\s+(?P<y1>{YEAR})\s*[-–/]\s*(?P<y2>\d{{2}}|{YEAR})\b"),
        ("fiscal", rf"\b(?:fiscal(?:\s+year)?|FY)\s?'?(?P<y>{YEAR}|\d{{2}})\b(?![-–/]\d)"),
        (
            "fiscal_relative",
            r"\b(?P<which>this|the\s+current|current|last|the\s+last|the\s+previous|the\s+past|"
            r"previous|next|the\s+next|the\s+coming)\s+fiscal(?:\s+year)?\b",
        ),
        ("half", rf"\b(?:the\s+)?(?P<which>first|second)\s+half\s+of\s+(?P<y>{YEAR})\b"),
        ("quarter", rf"\b(?:the\s+)?(?P<which>first|second|third|fourth)\s+quarter\s+of\s+(?P<y>{YEAR})\b"),
        ("season", r"\b(?P<which>last|this)\s+(?P<season>winter|spring|summer|fall|autumn)\b"),
        ("season", rf"\b(?P<season>winter|spring|summer|fall|autumn)\s+(?:of\s+)?(?P<y>{YEAR})\b"),
        ("month_year", rf"\b(?P<m>{MONTH})\s+(?:of\s+)?(?P<y>{YEAR})\b"),
        (
            "year",
            rf"(?:\b(?:in|during|for|of|throughout|since|from|between|through|until|to|and|all\s+of)\s+"
            rf"(?:the\s+(?:calendar\s+)?year\s+)?|\bcalendar\s+(?:year\s+)?)(?P<y>{YEAR})\b(?![-–/]\d|,\d)",
        ),
        (
            "month",
            rf"\b(?:in|during|since|from|between|through|until|to|and|of)\s+(?P<m>{MONTH})(?![\w.]*\s*\d)",
        ),
        (
            "relative_year",
            r"\b(?P<which>last|this|next|earlier\s+this|so\s+far\s+this|the\s+past|the\s+last)\s+"
            r"(?:calendar\s+)?year\b(?!\s*[-–]\s*to)",
        ),
        ("relative_month", r"\b(?P<which>last|this|next|earlier\s+this|so\s+far\s+this)\s+month\b"),
        ("relative_week", r"\b(?P<which>last|this|next|the\s+past|the\s+last)\s+week\b"),
        (
            "span",
            rf"\b(?:the|over|in|during|within)\s+(?:the\s+)?(?:(?P<rel1>past|last|previous|preceding)\s+"
            rf"(?P<n1>{COUNT})|(?P<n2>{COUNT})\s+(?P<rel2>previous|preceding|past|last))\s+"
            r"(?P<unit>days?|weeks?|months?|years?)\b",
        ),
    )
)
MONTH_STEMS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
SHAPE_WORDS: dict[str, tuple[str, ...]] = {
    "day_range": MONTH_STEMS, "month_year": MONTH_STEMS, "month": MONTH_STEMS,
    "fiscal_split": ("fiscal",), "fiscal": ("fiscal", "fy"), "fiscal_relative": ("fiscal",),
    "half": ("half",), "quarter": ("quarter",), "season": tuple(SEASONS), "year": ("19", "20"),
    "relative_year": ("year",), "relative_month": ("month",), "relative_week": ("week",),
    "span": ("day", "week", "month", "year"),
}  # fmt: skip
# A sentence with none of these words has no phrase of time (one search instead of sixteen).
TIME_WORD = re.compile(
    r"(?i)\b(?:(?:19|20)\d\d|fiscal|fy|year|month|week|days?|winter|spring|summer|fall|autumn|"
    r"jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)"
)
PREVIOUS = re.compile(r"\b(?:previous|preceding)\b", re.IGNORECASE)
AS_OF_BEFORE = re.compile(r"\bas\s+(?:of|at)\s+\Z", re.IGNORECASE)
SINCE_BEFORE = re.compile(r"\bsince\s+(?:last\s+|the\s+)?\Z", re.IGNORECASE)
RANGE_START_BEFORE = re.compile(r"\b(?:from|between)\s+(?:the\s+)?\Z", re.IGNORECASE)
RANGE_JOIN = re.compile(r"\s*(?:to|through|thru|until|till|and|[-–])\s*", re.IGNORECASE)
THROUGH = re.compile(r"\s*(?:through|thru|until|till)\s*", re.IGNORECASE)
RANGE_KINDS = frozenset({"month", "year", "fiscal"})


@dataclass(frozen=True)
class Period:
    """A phrase of time in a sentence: its label and the dates it covers (None when unknown)."""

    label: str
    start: date | None
    end: date | None
    span: tuple[int, int]
    kind: str = ""
    month: int | None = None  # a month named without its year, resolved later
    months_back: int = 0  # "the 12 previous months": counts back from an earlier phrase
    days_back: int = 0

    @property
    def start_text(self) -> str:
        return self.start.isoformat() if self.start else ""

    @property
    def end_text(self) -> str:
        return self.end.isoformat() if self.end else ""


NO_PERIOD = Period("", None, None, (0, 0))


def as_date(value: object) -> date | None:
    """A publication date from str, date, datetime or pandas Timestamp; None for empty or NaT.

    >>> as_date("2025-07-05"), as_date(pd.Timestamp("2025-07-05 10:00")), as_date("")
    (datetime.date(2025, 7, 5), datetime.date(2025, 7, 5), None)
    """
    if value is None or value is pd.NaT or (isinstance(value, float) and value != value):
        return None
    if isinstance(value, datetime):  # pandas Timestamp is a datetime
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        text = value.strip()
        if not text:
            return None
        try:
            return date.fromisoformat(text[:10])
        except ValueError:
            stamp = pd.to_datetime(text, errors="coerce")
            return None if stamp is pd.NaT else stamp.date()
    raise TypeError(
        f"published must be a date, datetime, Timestamp or ISO string, not {type(value).__name__}"
    )


# --- calendar arithmetic ---------------------------------------------------------------------------


def month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later (earlier when negative), kept within the month."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    return date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


def month_period(year: int, month: int, span: tuple[int, int]) -> Period:
    return Period(f"{year}-{month:02d}", date(year, month, 1), month_end(year, month), span, "month")


def year_period(year: int, span: tuple[int, int]) -> Period:
    return Period(str(year), date(year, 1, 1), date(year, 12, 31), span, "year")


def us_fiscal(year: int, span: tuple[int, int]) -> Period:
    """U.S. federal fiscal ``year``: October 1 of the year before to September 30."""
    return Period(f"FY{year}", date(year - 1, 10, 1), date(year, 9, 30), span, "fiscal")


def canadian_fiscal(first_year: int, span: tuple[int, int]) -> Period:
    """Canadian federal fiscal year starting April 1 of ``first_year``."""
    label = f"FY{first_year}-{(first_year + 1) % 100:02d}"
    return Period(label, date(first_year, 4, 1), date(first_year + 1, 3, 31), span, "fiscal")


def fiscal_year_of(day: date, side: str) -> int:
    """The fiscal year a day falls in: the U.S. year it ends in, or the Canadian year it starts in."""
    if side == "US":
        return day.year + 1 if day.month >= 10 else day.year
    return day.year if day.month >= 4 else day.year - 1


def fiscal_period(year: int, side: str, span: tuple[int, int]) -> Period:
    return us_fiscal(year, span) if side == "US" else canadian_fiscal(year, span)


def _year(raw: str) -> int:
    return int(raw) + 2000 if len(raw) == 2 else int(raw)


def _month(raw: str) -> int:
    m = MONTH_START.match(raw)
    return next(i for i, g in enumerate(m.groups(), start=1) if g) if m else 0


def _count(raw: str) -> int:
    return int(raw) if raw.isdigit() else NUMBER_WORDS[raw.lower()]


def latest_month(month: int, published: date) -> tuple[int, int]:
    """``(year, month)`` of the last such month that began by ``published`` (news reports the past)."""
    year = published.year if month <= published.month else published.year - 1
    return year, month


# --- reading one phrase ----------------------------------------------------------------------------


def read_phrase(name: str, m: re.Match, published: date | None, side: str) -> Period:
    """The period of one matched phrase (no label and no dates when it cannot be resolved)."""
    span = (m.start(), m.end())
    if name == "fiscal":
        return us_fiscal(_year(m.group("y")), span)
    if name == "fiscal_split":
        first, second = int(m.group("y1")), _year(m.group("y2")[-2:])
        if second != first + 1:
            return Period("", None, None, span)
        if side == "US":
            return us_fiscal(second, span)
        if side == "CA":
            return canadian_fiscal(first, span)
        return Period(f"fiscal {first}-{second % 100:02d}", None, None, span, "fiscal")
    if name == "half":
        year, first = int(m.group("y")), m.group("which").lower() == "first"
        start = date(year, 1 if first else 7, 1)
        return Period(f"{year}-{start.month:02d}..{year}-{start.month + 5:02d}", start,
                      month_end(year, start.month + 5), span, "months")  # fmt: skip
    if name == "quarter":
        year, q = int(m.group("y")), ("first", "second", "third", "fourth").index(m.group("which").lower())
        start = date(year, 3 * q + 1, 1)
        return Period(f"{year}-Q{q + 1}", start, month_end(year, 3 * q + 3), span, "months")
    if name == "month_year":
        return month_period(int(m.group("y")), _month(m.group("m")), span)
    if name == "year":
        return year_period(int(m.group("y")), span)
    if name == "month":
        month = _month(m.group("m"))
        if published is None:
            return Period("", None, None, span, "month", month=month)
        return replace(month_period(*latest_month(month, published), span), month=month)
    if name == "season":
        return read_season(m, published, span)
    if name == "day_range":
        return read_day_range(m, published, span)
    if name == "span":
        return read_span(m, published, span)
    return read_relative(name, m, published, side, span)


def read_day_range(m: re.Match, published: date | None, span: tuple[int, int]) -> Period:
    """ "from May 20 to Oct. 31, 2025", "between Jan. 1 and March 31": the days from .. to."""
    m1, d1, d2 = _month(m.group("m1")), int(m.group("d1")), int(m.group("d2"))
    m2 = _month(m.group("m2")) if m.group("m2") else m1
    year = int(m.group("y2") or m.group("y1") or 0)
    if not year:
        if published is None:
            return Period("", None, None, span)
        year = published.year if (m2, d2) <= (published.month, published.day) else published.year - 1
    first_year = int(m.group("y1")) if m.group("y1") else year - (1 if (m1, d1) > (m2, d2) else 0)
    try:
        start, end = date(first_year, m1, d1), date(year, m2, d2)
    except ValueError:
        return Period("", None, None, span)
    if end < start:
        return Period("", None, None, span)
    return Period(f"{start.isoformat()}..{end.isoformat()}", start, end, span, "days")


def read_season(m: re.Match, published: date | None, span: tuple[int, int]) -> Period:
    """ "last summer", "spring 2025": meteorological seasons (summer = June to August)."""
    season = m.group("season").lower()
    first, last = SEASONS[season]

    def bounds(year: int) -> tuple[date, date]:
        return date(year, first, 1), month_end(year + (1 if first > last else 0), last)

    if m.groupdict().get("y"):
        year = int(m.group("y"))
    elif published is None:
        return Period("", None, None, span)
    else:
        year = published.year
        ended = m.group("which").lower() == "last"  # "last summer" is over; "this summer" has begun
        while (bounds(year)[1] >= published) if ended else (bounds(year)[0] > published):
            year -= 1
    start, end = bounds(year)
    return Period(f"{'fall' if season == 'autumn' else season} {year}", start, end, span, "season")


def read_span(m: re.Match, published: date | None, span: tuple[int, int]) -> Period:
    """ "the past 12 months", "the 12 previous months", "over the past week"."""
    n = _count(m.group("n1") or m.group("n2"))
    unit = m.group("unit").lower().rstrip("s")
    months = n * 12 if unit == "year" else n if unit == "month" else 0
    back = Period("", None, None, span, "back", months_back=months, days_back=n * UNIT_DAYS.get(unit, 0))
    # "previous"/"preceding" count back from a period stated before them (see resolve); until
    # one is found, and for "past"/"last", they count back from publication.
    return back if published is None else count_back(back, published, from_period=False)


def count_back(p: Period, anchor: date, *, from_period: bool) -> Period:
    """``p``'s months or days before ``anchor``: the first day of a stated period, or publication day."""
    if from_period:
        start = add_months(anchor, -p.months_back) if p.months_back else anchor - timedelta(days=p.days_back)
        end = anchor - timedelta(days=1)
    else:
        end = anchor
        start = add_months(end, -p.months_back) if p.months_back else end - timedelta(days=p.days_back - 1)
        start += timedelta(days=1) if p.months_back else timedelta(0)
    whole_months = start.day == 1 and end == month_end(end.year, end.month)
    label = f"{start:%Y-%m}..{end:%Y-%m}" if whole_months else f"{start.isoformat()}..{end.isoformat()}"
    return replace(p, label=label, start=start, end=end, kind="months" if whole_months else "days")


def read_relative(name: str, m: re.Match, published: date | None, side: str, span: tuple[int, int]) -> Period:
    """ "last year", "this fiscal year", "last month", "this week" against the publication date."""
    if published is None:
        return Period("", None, None, span)
    which = re.sub(r"\s+", " ", m.group("which").lower()).removeprefix("the ")
    step = {"last": -1, "previous": -1, "past": -1, "next": 1, "coming": 1}.get(which, 0)
    if name == "fiscal_relative":
        if not side:
            return Period("", None, None, span)
        return fiscal_period(fiscal_year_of(published, side) + step, side, span)
    if name == "relative_year":
        if which in ("past", "last") and m.group(0).lower().startswith("the"):
            return count_back(
                Period("", None, None, span, "back", months_back=12), published, from_period=False
            )
        return year_period(published.year + step, span)
    if name == "relative_month":
        first = add_months(published.replace(day=1), step)
        return month_period(first.year, first.month, span)
    # relative_week: the seven days before publication ("over the past week", "last week")
    if step == 1:
        return Period("", None, None, span)
    monday = published - timedelta(days=published.weekday())
    if which == "this":
        start, end = monday, monday + timedelta(days=6)
    elif m.group(0).lower().startswith("the"):
        start, end = published - timedelta(days=6), published
    else:
        start, end = monday - timedelta(days=7), monday - timedelta(days=1)
    return Period(f"{start.isoformat()}..{end.isoformat()}", start, end, span, "days")


# --- a sentence's phrases --------------------------------------------------------------------------


def raw_phrases(sentence: str, published: date | None, side: str) -> list[Period]:
    """Every phrase of time in a sentence, longest first where two overlap, in text order."""
    found: list[Period] = []
    taken: list[tuple[int, int]] = []
    lower = sentence.lower()
    for name, pattern in SHAPES:
        if not any(word in lower for word in SHAPE_WORDS[name]):
            continue  # a shape's pattern runs only on a sentence holding one of its words
        for m in pattern.finditer(sentence):
            start = m.start("y") if name == "year" else m.start("m") if name == "month" else m.start()
            span = (start, m.end())
            if any(a < span[1] and span[0] < b for a, b in taken):
                continue
            if any(m.groupdict().get(g) and m.group(g)[0].islower() for g in ("m", "m1", "m2")):
                continue  # month names are capitalised; "and may", "to march" are verbs
            if AS_OF_BEFORE.search(sentence, 0, span[0]):
                continue  # "as of spring 2025": when the figures were counted, not what they cover
            period = read_phrase(name, m, published, side)
            taken.append(span)
            found.append(replace(period, span=span))
    return sorted(found, key=lambda p: p.span)


def join_ranges(sentence: str, phrases: list[Period], published: date | None) -> list[Period]:
    """ "between October 2024 and May", "from June to December 2024", "fiscal 2011 through fiscal 2023"."""
    out: list[Period] = []
    for p in phrases:
        first = out[-1] if out else None
        if first is not None and first.kind in RANGE_KINDS and p.kind in RANGE_KINDS:
            between = sentence[first.span[1] : p.span[0]]
            opened = RANGE_START_BEFORE.search(sentence[: first.span[0]])
            if (opened and RANGE_JOIN.fullmatch(between)) or THROUGH.fullmatch(between):
                out[-1] = range_of(first, p, published)
                continue
        out.append(p)
    return out


def range_of(first: Period, second: Period, published: date | None) -> Period:
    """One period from the start of ``first`` to the end of ``second``, borrowing a missing year."""
    span = (first.span[0], second.span[1])
    if first.month and second.start and not second.month:  # "from June to December 2024"
        year = second.start.year - (1 if first.month > second.start.month else 0)
        first = month_period(year, first.month, first.span)
    if second.month and first.start:  # "between October 2024 and May": the first May after
        year = first.start.year + (1 if second.month < first.start.month else 0)
        second = month_period(year, second.month, second.span)
    if first.start is None or second.start is None or second.end is None or second.end < first.start:
        return Period("", None, None, span)
    if first.kind == second.kind and first.kind in ("fiscal", "year"):
        label = f"{first.label}..{second.label}"
    else:
        label = f"{first.start:%Y-%m}..{second.end:%Y-%m}"
    return Period(label, first.start, second.end, span, "months")


def resolve(phrases: list[Period], sentence: str, published: date | None) -> list[Period]:
    """Counted-back spans anchored on the phrase before them; "since X" and "so far" cut at publication."""
    out: list[Period] = []
    for p in phrases:
        if (p.months_back or p.days_back) and PREVIOUS.search(sentence, p.span[0], p.span[1]):
            anchor = next(
                (q.start for q in reversed(out) if q.start and not (q.months_back or q.days_back)), None
            )
            if anchor is not None:
                p = count_back(p, anchor, from_period=True)
        if p.label and p.start and SINCE_BEFORE.search(sentence[: p.span[0]]):
            p = replace(p, label=f"since {p.label}", end=published, kind="since")
        out.append(p)
    if published and SO_FAR.search(sentence):
        out = [
            replace(p, label=f"{p.label} to {published.isoformat()}", end=published)
            if p.start and p.end and p.start <= published < p.end
            else p
            for p in out
        ]
    return out


def find_periods(sentence: str, published: object = None, side: str = "") -> list[Period]:
    """Every phrase of time in ``sentence``, resolved against ``published``.

    ``side`` is ``"US"`` or ``"CA"`` when the sentence or its document says whose fiscal
    years these are (see :func:`fiscal_side`), else ``""``.

    >>> [p.label for p in find_periods("seized at the northern border last year", "2025-01-29")]
    ['2024']
    >>> p = find_periods("Between October 2024 and May, it seized 26 kg", "2025-07-05")[0]
    >>> p.label, p.start_text, p.end_text
    ('2024-10..2025-05', '2024-10-01', '2025-05-31')
    """
    day = as_date(published)
    if not TIME_WORD.search(sentence):
        return []
    return resolve(join_ranges(sentence, raw_phrases(sentence, day, side), day), sentence, day)


def period_for(sentence: str, start: int, end: int, periods: list[Period]) -> Period:
    """The period of the number at ``[start, end)``: the phrase of its own part of the sentence.

    >>> s = "Last year 50 pounds were seized at the Canada-US border, compared to 20,600 pounds"
    >>> period_for(s, 68, 74, find_periods(s, "2025-02-01")).label
    '2024'
    """
    return nearest_in_part(sentence, periods, start, end) or NO_PERIOD


def fiscal_side(sentence_cues: tuple[int, int], document_cues: tuple[int, int]) -> str:
    """Whose fiscal years: ``"CA"``/``"US"`` from the sentence's side cues, else the document's, else ``""``.

    Each argument is ``(canadian, american)``: counts of side words
    (:func:`borderdata.taxonomy.currency_cues`).
    """
    for cad, usd in (sentence_cues, document_cues):
        if cad != usd and (cad or usd):
            return "CA" if cad > usd else "US"
    return ""
