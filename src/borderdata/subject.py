"""What a number counts or measures: the noun phrase after it, or what an amount is of.

"15 surveillance towers" counts towers; "19.5 kilograms of fentanyl" measures fentanyl;
"$1.3 billion to bolster border security" is for border security. The subject is a short
lower-case noun phrase; a measure seized in the same clause carries the verb
("fentanyl seized").
"""

from __future__ import annotations

import re

from borderdata.lexicon import UNIT_WORDS
from borderdata.sentences import ABBREVIATIONS
from borderdata.taxonomy import Taxonomy

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
LEADING_OK = {"more", "other", "additional", "new", "extra", "further", "fewer", "total"}
# Leading words a subject drops: "95 total officers" counts officers.
LEADING_DROPPED = {"total"}
IRREGULAR_PLURALS = {"children", "people", "men", "women", "police", "personnel", "staff", "aircraft", "feet",
                     "mice", "geese", "teeth", "sheep", "fish", "deer", "cattle", "data", "media", "lives",
                     "equipment", "troops", "crew", "military", "livestock"}  # fmt: skip
WORD = re.compile(r"(?:[A-Za-z]\.){2,}|[A-Za-z][\w'’.-]*[A-Za-z0-9]|[A-Za-z]|[,;:!?()\[\]\"“”—–]|\.(?=\s|\Z)")
OPENING_QUOTE = re.compile(r"\s*[\"“‘]")
CLOSING_QUOTE = '"”’'


def is_plural(word: str) -> bool:
    w = word.lower()
    return w in IRREGULAR_PLURALS or (
        len(w) > 3 and w.endswith("s") and not w.endswith(("ss", "us", "is", "'s", "’s"))
    )


def _is_participle(lower: str) -> bool:
    return lower.endswith(("ed", "ing")) and lower not in IRREGULAR_PLURALS


def _continues(text: str, end: int, limit: int) -> bool:
    """Whether a content word follows directly: "unauthorized border", "trading partners"."""
    m = WORD.match(text, end + 1, limit) if end < limit and text[end] == " " else None
    return bool(m and m.group()[0].isalpha() and m.group().lower().rstrip(".") not in STOP_WORDS)


def _capitalised_next(text: str, end: int, limit: int) -> bool:
    """Whether a capitalised word follows: "Border Services Agency" is one name, not a plural."""
    m = WORD.match(text, end + 1, limit) if end < limit and text[end] == " " else None
    return bool(m and m.group()[0].isupper())


def _plural_next(text: str, end: int, limit: int) -> bool:
    """Whether a plural noun follows a plural: "narcotics analyzers", "arms dealers"."""
    m = WORD.match(text, end + 1, limit) if end < limit and text[end] == " " else None
    word = m.group().lower() if m else ""
    return bool(word) and word not in STOP_WORDS and is_plural(word) and not word.endswith("ed")


def noun_phrase_after(text: str, pos: int, limit: int) -> tuple[str, int]:
    """The counted noun phrase starting at ``pos`` ("leased Black Hawk helicopters") and its end.

    A participle inside a compound continues it ("unauthorized border crossings"); a plural
    inside a capitalised name does not end it ("Canada Border Services Agency officers");
    a quoted noun is read inside its quotes ('seven "seizure events"').
    """
    words: list[tuple[str, int]] = []
    limit = min(limit, pos + 120)
    quote = OPENING_QUOTE.match(text, pos, limit)
    expected = quote.end() if quote else pos
    for m in WORD.finditer(text, expected, limit):
        if text[expected : m.start()].strip(" \t-‑"):
            break
        expected = m.end()
        word = m.group()
        lower = word.lower().rstrip(".")
        if quote and word in CLOSING_QUOTE:
            break
        if not word[0].isalpha() or (lower in STOP_WORDS and not (not words and lower in LEADING_OK)):
            break
        if words and _is_participle(lower) and not word[0].isupper() and not _continues(text, m.end(), limit):
            break
        if word.endswith(".") and lower not in ABBREVIATIONS:
            words.append((word[:-1], m.end() - 1))
            break
        if not (not words and lower in LEADING_DROPPED):
            words.append((word, m.end()))
        elif not _continues(text, m.end(), limit):
            break
        if len(words) == 7 or (
            words
            and is_plural(word)
            and not (word[0].isupper() and _capitalised_next(text, m.end(), limit))
            and not _plural_next(text, m.end(), limit)
        ):
            break
    if not words:
        return "", pos
    phrase = " ".join(w for w, _ in words).lower()
    if all(w.lower().endswith("ed") for w, _ in words):
        return "", pos  # "35 involved in the export": an ellipsis, no noun
    return phrase, words[-1][1]


def noun_before_of(text: str, start: int, para_start: int) -> str:
    """The noun that a quantity qualifies from before: "tariffs of up to 25 percent" -> "tariffs"."""
    m = re.search(r"([A-Za-z][\w-]*)\s+of\s+(?:[\w\s]{0,20})?\Z", text[max(para_start, start - 40) : start])
    if m and m.group(1).lower() not in STOP_WORDS:
        return m.group(1).lower()
    return ""


OF_PHRASE = re.compile(r"\s+of\s+(?:the\s+|its\s+|their\s+)?")
# "19.5 kilograms (43 pounds) of fentanyl", "43 pounds) of fentanyl": a conversion in parentheses
# between an amount and its "of" phrase.
OF_AFTER_CONVERSION = re.compile(r"(?:\s*\([^()]{1,40}\)|\))\s+of\s+(?:the\s+|its\s+|their\s+)?")
# "$1.3 billion in spending", "$500,000 in cash", "$155 billion worth of U.S. goods".
MONEY_NOUN_AFTER = re.compile(r"\s+(?:in|worth\s+of|in\s+the\s+form\s+of)\s+(?:new\s+)?", re.IGNORECASE)
PREPOSITION_AFTER = re.compile(
    r"\s+(in|of|on|for|into)\s+(?:the\s+|its\s+|their\s+|all\s+|a\s+|an\s+)?"
    r"(?:(?:number|amount|volume|quantity)\s+of\s+)?",
    re.IGNORECASE,
)
PURPOSE_AFTER = re.compile(
    r"[^.;:]{0,40}?\b(?:to\s+(?!be\b)[a-z]+|for|toward|towards|on)\s+(?:the\s+|its\s+|their\s+|new\s+|a\s+|an\s+)?",
    re.IGNORECASE,
)
# "8,891-kilometre border", "a two-kilometre red zone": a measure used as an adjective.
COMPOUND_MEASURE = re.compile(r"[-‑][A-Za-z]+\Z")


def _of_phrase(text: str, end: int, para_end: int) -> str:
    of = OF_PHRASE.match(text, end, para_end) or OF_AFTER_CONVERSION.match(text, end, para_end)
    return noun_phrase_after(text, of.end(), para_end)[0] if of else ""


# "83 per cent or 224 kg of what was seized": the participle names what is measured.
OF_WHAT_WAS = re.compile(
    r"(?:\s+or\s+[\d.,]+\s*[a-z%]+)?\s+of\s+what\s+(?:was|were|has\s+been|had\s+been|is|are)\s+([a-z]+ed)\b",
    re.IGNORECASE,
)
GERUND_OBJECT = re.compile(r"[a-z]+ing\s+(?:the\s+|a\s+|an\s+|new\s+|its\s+|their\s+)*", re.IGNORECASE)
# "10% on energy", "25 per cent on steel": a rate on what it taxes.
RATE_ON = re.compile(r"\s+on\s+(?:all\s+)?", re.IGNORECASE)


def measured_thing(text: str, start: int, end: int, kind: str, para_start: int, para_end: int) -> str:
    """What a measure or amount is of: "of fentanyl", "25% tariffs", "$1.3 billion to bolster X"."""
    subject = _of_phrase(text, end, para_end)
    if subject:
        return subject
    what = OF_WHAT_WAS.match(text, end, para_end)
    if what:
        return what.group(1).lower()
    rate = RATE_ON.match(text, end, para_end) if kind == "percent" else None
    if rate and noun_phrase_after(text, rate.end(), para_end)[0]:
        return noun_phrase_after(text, rate.end(), para_end)[0]
    if kind not in ("percent", "money") and COMPOUND_MEASURE.search(text[start:end]):
        return noun_phrase_after(text, end, para_end)[0]
    if kind == "money":
        noun = MONEY_NOUN_AFTER.match(text, end, para_end)
        subject = noun_phrase_after(text, noun.end(), para_end)[0] if noun else ""
        if subject:
            return subject
    if kind in ("percent", "money"):
        subject, phrase_end = noun_phrase_after(text, end, para_end)
        if subject:
            prep = PREPOSITION_AFTER.match(text, phrase_end, para_end)
            tail = noun_phrase_after(text, prep.end(), para_end)[0] if prep else ""
            if prep and _is_participle(tail):  # "an investment into creating the team": what is created
                gerund = GERUND_OBJECT.match(text, prep.end(), para_end)
                tail = noun_phrase_after(text, gerund.end(), para_end)[0] if gerund else ""
            return f"{subject} {prep.group(1).lower()} {tail}" if prep and tail else subject
    if kind == "money":
        purpose = PURPOSE_AFTER.match(text, end, para_end)
        if purpose:
            subject, _ = noun_phrase_after(text, purpose.end(), para_end)
            if subject:
                return subject
    # "tariffs of up to 25 percent": only shares and amounts take their subject from before.
    return noun_before_of(text, start, para_start) if kind in ("percent", "money") else ""


# --- a subject from the rest of the sentence -----------------------------------------------------

# "apprehensions rose to 19,222", "crossings ... are down 89 per cent", "has increased by 42 percent".
CHANGE_BEFORE = re.compile(
    r"\b(?:(?:has|have|had|was|were|is|are)\s+)?(?:been\s+)?"
    r"(?:rose|risen|increased|grew|grown|fell|fallen|dropped|declined|decreased|climbed|jumped|surged|"
    r"soared|plunged|reached|hit|totalled|totaled|topped|down|up|stood\s+at|stands\s+at)"
    r"\s+(?:by\s+|to\s+|at\s+)?\Z",
    re.IGNORECASE,
)
CLAUSE_OPENER = re.compile(
    r"[,;:—–(“\"]|\b(?:says|said|say|that|which|and|but|while|as|when|where|after|before|because|so|"
    r"then)\b",
    re.IGNORECASE,
)
DETERMINERS = re.compile(
    r"\s*(?:(?:the|a|an|this|that|these|those|its|their|our|his|her)\s+)*", re.IGNORECASE
)
# "Of those, 67.5 per cent were illegal narcotics": a share and what it is.
COPULA_AFTER = re.compile(r"\s+(?:were|was|are|is)\s+(?:the\s+|an?\s+)?", re.IGNORECASE)
# "Most of the methamphetamine (51 per cent)", "17 meth seizures (5.38 kilograms": the noun before.
PARENTHESIS_BEFORE = re.compile(r"((?:[A-Za-z][\w'’-]*\s+){0,3}[A-Za-z][\w'’-]*)\s*\(\s*\Z")
SEIZURE_NOUN = re.compile(r"\bseizures?\Z")


def subject_before(text: str, start: int, sentence_start: int) -> str:
    """The subject of a change stated after it: "apprehensions rose to 19,222" -> "apprehensions"."""
    # The change words are short ("has been increased by"): look for them in the last few words only.
    near = max(sentence_start, start - 40)
    change = CHANGE_BEFORE.search(text, near, start)
    if not change:
        return ""
    clause = text[max(sentence_start, start - 200) : change.start()]
    pos = max((m.end() for m in CLAUSE_OPENER.finditer(clause)), default=0)
    determiner = DETERMINERS.match(clause, pos)  # optional words: it always matches, if only ""
    pos = determiner.end() if determiner else pos
    head, end = noun_phrase_after(clause + " ", pos, len(clause))
    if not head:
        return _phrase_ending_at(clause)
    of = OF_PHRASE.match(clause, end)
    tail = noun_phrase_after(clause + " ", of.end(), len(clause))[0] if of else ""
    return f"{head} of {tail}" if tail else head


def _phrase_ending_at(clause: str) -> str:
    """The noun phrase that ends a clause: "In one year countries of origin" -> "countries of origin"."""
    words: list[str] = []
    for word in reversed(clause.split()):
        lower = word.lower().strip(",;:")
        if lower != word.lower() or (lower in STOP_WORDS and lower != "of") or not lower[:1].isalpha():
            break
        words.insert(0, lower)
        if len(words) == 6:
            break
    while words and words[0] == "of":
        words.pop(0)
    return " ".join(words)


def copula_subject(text: str, end: int, limit: int) -> str:
    """What a share is: "67.5 per cent were illegal narcotics" -> "illegal narcotics"."""
    copula = COPULA_AFTER.match(text, end, limit)
    phrase = noun_phrase_after(text, copula.end(), limit)[0] if copula else ""
    return "" if _is_participle(phrase) else phrase  # "17.5 per cent were going to": no noun


def parenthesised_antecedent(text: str, start: int, sentence_start: int) -> str:
    """The noun phrase a number in parentheses belongs to: "the methamphetamine (51 per cent)"."""
    if "(" not in text[max(sentence_start, start - 3) : start]:
        return ""
    m = PARENTHESIS_BEFORE.search(text, max(sentence_start, start - 60), start)
    if not m:
        return ""
    words = m.group(1).split()
    while words and (words[0].lower() in STOP_WORDS or not words[0][0].isalpha()):
        words.pop(0)
    kept: list[str] = []
    for word in reversed(words):  # the phrase right before "(", up to a word that is not part of it
        if word.lower() in STOP_WORDS:
            break
        kept.insert(0, word)
    phrase = " ".join(kept).lower()
    if not phrase or re.sub(r"[\s-]+", " ", phrase.rsplit(" ", 1)[-1]) in UNIT_WORDS:
        return ""  # "9,570 kilograms (21,098 pounds)": a conversion, not a part of a whole
    return SEIZURE_NOUN.sub("seized", phrase)


def _last_match(pattern: re.Pattern | None, folded: str) -> re.Match | None:
    matches = list(pattern.finditer(folded)) if pattern is not None else []
    return matches[-1] if matches else None


def substance_before(text: str, start: int, sentence_start: int, taxonomy: Taxonomy) -> str:
    """The substance an amount without its own noun is of: the nearest specific one named before it,
    else a generic word ("drugs") in its own sentence."""
    window = text[max(0, start - SUBSTANCE_REACH) : start].lower()
    specific = _last_match(taxonomy.substances, window)
    if specific:
        return specific.group()
    generic = _last_match(taxonomy.generic_substances, text[sentence_start:start].lower())
    return generic.group() if generic else ""


SUBSTANCE_REACH = 1500  # characters: about the previous five sentences of news prose


def money_noun_before(text: str, start: int, sentence_start: int, taxonomy: Taxonomy) -> str:
    """The money noun an amount restates: "the stipend ... lifting it from $125" -> "stipend"."""
    noun = _last_match(taxonomy.money_nouns, text[sentence_start:start].lower())
    return noun.group() if noun else ""


def verb_after(subject: str, sentence_rest: str) -> str:
    """ "fentanyl" + " seized at the border" -> "fentanyl seized": the verb that says what happened."""
    verb = SEIZURE_VERBS.search(sentence_rest[:60])
    if verb and verb.group(1).lower() not in subject:
        return f"{subject} {verb.group(1).lower()}"
    return subject


SEIZURE_VERBS = re.compile(
    r"\b(seized|intercepted|confiscated|captured|recovered|found|stopped|caught)\b", re.IGNORECASE
)


def resolve_subject(
    text: str,
    span: tuple[int, int],
    kind: str,
    own: str,
    sentence: tuple[int, int],
    earlier: list[tuple[str, str]],
    taxonomy: Taxonomy,
) -> str:
    """The subject of the amount at ``span``: its own noun phrase, else what the sentence says it is.

    In order: its own noun ("54 kg of fentanyl"); the noun phrase it is in parentheses after
    ("the methamphetamine (51 per cent)"); the subject of a change stated before it
    ("apprehensions rose to 19,222"); what a share is ("67.5 per cent were narcotics"); a
    span of time is a period; a mass is of the substance named last before it; money
    restates the money noun before it ("the stipend ... from $125"); else the subject of
    the amount before it in the sentence ("45 handguns, 21 rifles and five in May").
    ``earlier`` holds ``(kind, subject)`` of the sentence's earlier amounts.
    """
    start, end = span
    s_start, s_end = sentence
    subject = own or parenthesised_antecedent(text, start, s_start) or subject_before(text, start, s_start)
    if not subject and kind in ("percent", "dimensionless"):
        subject = copula_subject(text, end, s_end)
    if not subject and kind == "time":
        subject = "period"
    if not subject and kind == "mass":
        subject = substance_before(text, start, s_start, taxonomy)
    if not subject and kind == "money":
        subject = money_noun_before(text, start, s_start, taxonomy)
    if not subject:
        subject = _earlier_subject(earlier, kind)
    if kind == "mass" and subject:
        subject = verb_after(SEIZURE_NOUN.sub("seized", subject), text[end:s_end])
    event = EVENT_PARTICIPLE.match(text, end, s_end) if kind == "count" and own else None
    if event:
        subject = f"{subject} {event.group(1).lower()}"
    return subject


# "217 individuals arrested for trafficking", "15 people were charged": what happened to those counted.
EVENT_PARTICIPLE = re.compile(
    r"\s+(?:(?:were|have\s+been|had\s+been|has\s+been|was)\s+)?(arrested|charged|apprehended|detained|"
    r"deported|removed|convicted|indicted|hired|deployed|killed|injured|encountered|intercepted)\b",
    re.IGNORECASE,
)


def _earlier_subject(earlier: list[tuple[str, str]], kind: str) -> str:
    """The subject of the last amount before in the sentence that an amount of ``kind`` can share."""
    return next((s for k, s in reversed(earlier) if s and (k == kind or k not in ("money", "time"))), "")
