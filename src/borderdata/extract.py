"""Finding quantity mentions in article text and building fact rows.

For each number that :mod:`borderdata.numbers` finds in the article body, the
extractor:

1. drops it if a named guard says it is not a quantity (:mod:`borderdata.guards`);
2. reads its value, unit, qualifier and range (:mod:`borderdata.readings`);
3. names the subject (:mod:`borderdata.subject`) and the category from the taxonomy
   (:func:`borderdata.taxonomy.categorize`);
4. finds where and when (:mod:`borderdata.where_when`): the place and the period of the
   number's own clause, the period resolved against the publication date;
5. marks mentions that restate an earlier one (:mod:`borderdata.restates`).

Which dollar a bare ``$`` is, is decided per sentence from cues in the sentence, the
outlet and the whole document (:func:`borderdata.taxonomy.dollar_country`).
"""

from __future__ import annotations

import bisect
import math
import re
from collections.abc import Iterable
from dataclasses import replace
from datetime import date

import pandas as pd

from borderdata.corpus import Document
from borderdata.guards import GUARDS, rejected_by
from borderdata.lexicon import Candidate
from borderdata.numbers import find_numbers
from borderdata.periods import as_date, fiscal_side
from borderdata.readings import Mention, read_mention
from borderdata.restates import mark_restatements
from borderdata.schema import FACT_COLUMNS, conform_facts, make_fact_id
from borderdata.sentences import sentence_of, sentence_spans
from borderdata.subject import resolve_subject
from borderdata.taxonomy import categorize, currency_cues, dateline_side, dollar_country, load_taxonomy
from borderdata.where_when import Setting, sentence_setting, where_when

__all__ = ["GUARDS", "Candidate", "extract_facts", "extract_text", "fact_rows", "rejected_by"]

# "nearly 500 kilograms (1,102 pounds)", "more than 100 kilometres (60 miles / 97 km)": a
# conversion in parentheses or after a slash states the same bound as the figure it converts.
CONVERSION_BETWEEN = re.compile(r"\s*[(/]\s*\Z")
TOKEN_REST = re.compile(r"(?:[-–/:.T]?\d+)*(?:\s*(?:to|through|-|–)\s*\d+\b(?![.,]\d))?")


# --- rows --------------------------------------------------------------------------------------


def _unit_kind(mention: Mention) -> str:
    return mention.kind or "count"


def fact_rows(
    text: str,
    published: date | str | None = None,
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
    document_cues: list = []

    current = {"sentence_start": 0}

    def document_side() -> tuple[int, int]:
        if not document_cues:  # counted once per document, and only when a sentence needs it
            body = " ".join(text[s:e] for s, e in spans)
            document_cues.append(currency_cues(body, taxonomy))
            document_cues.append(dateline_side(body, taxonomy))
        return document_cues[0]

    def resolve_dollar(sentence: str, at: int) -> str:
        """Which dollar a bare "$" at ``at`` is (:func:`borderdata.taxonomy.dollar_country`)."""
        side = document_side()
        before = text[current["sentence_start"] : at]
        return dollar_country(sentence, outlet, side, taxonomy, before=before,
                              dateline=document_cues[1])  # fmt: skip

    published = as_date(published)
    published_text = published.isoformat() if published else ""
    for para_start, para_end in spans:
        numbers = find_numbers(text, para_start, para_end)
        if not numbers:
            continue
        sentences = sentence_spans(text, para_start, para_end)
        starts = [a for a, _ in sentences]
        last_end = para_start
        earlier: dict[int, list[tuple[str, str]]] = {}  # by sentence start: (kind, subject) of its amounts
        settings: dict[int, Setting] = {}  # by sentence start: its place and time phrases

        def previous_sentence(start: int, sentences: list = sentences, starts: list = starts) -> str:
            """The paragraph's sentence before the one at ``start`` ("" for the first)."""
            i = bisect.bisect_left(starts, start) - 1
            return text[sentences[i][0] : sentences[i][1]] if i >= 0 and sentences[i][1] <= start else ""

        for number in numbers:
            if number.start < last_end:
                continue
            candidate = Candidate(text, number, para_start, para_end)
            if rejected_by(candidate):
                # The rest of a rejected token ("20-24" after "Sept.", "2019-09-01T10:38") is no quantity.
                rest = TOKEN_REST.match(text, number.end, para_end)
                last_end = rest.end() if rest else number.end  # (the pattern also matches "")
                continue
            s_start, s_end = sentence_of(sentences, starts, number, (para_start, para_end))
            sentence = text[s_start:s_end]
            current["sentence_start"] = s_start
            before = earlier.setdefault(s_start, [])
            antecedent = next((s for k, s in reversed(before) if k == "count" and s), "")
            mention = read_mention(candidate, sentence, resolve_dollar, antecedent)
            if mention is None:
                continue
            if rows and mention.qualifier == "exact" and _converts(text, rows[-1], mention):
                mention = _with_qualifier(mention, rows[-1]["qualifier"])
            kind = _unit_kind(mention)
            subject = resolve_subject(
                text, (mention.start, mention.end), kind, mention.subject, (s_start, s_end), before, taxonomy
            )
            before.append((kind, subject))
            rel_start, rel_end = mention.start - s_start, min(mention.end, s_end) - s_start
            if s_start not in settings:
                fiscal = "fiscal" in sentence.lower()  # whose fiscal years matters only then
                side = fiscal_side(currency_cues(sentence, taxonomy), document_side()) if fiscal else ""
                settings[s_start] = sentence_setting(sentence, published, side, previous_sentence(s_start))
            place, period = where_when(sentence, max(rel_start, 0), max(rel_end, 0), settings[s_start])
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
                "location": place,
                "period": period.label,
                "period_start": period.start_text,
                "period_end": period.end_text,
                "sentence": sentence,
                "overridden": False,
            })  # fmt: skip
            last_end = max(mention.end, number.end)
    return mark_restatements(rows, text, spans)


def _converts(text: str, previous: dict, mention: Mention) -> bool:
    """Whether ``mention`` restates ``previous`` in other units: "500 kg (1,102 pounds)"."""
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
    published: date | str | None = None,
    *,
    spans: Iterable[tuple[int, int]] | None = None,
    doc_id: str = "",
    source_file: str = "",
    outlet: str = "",
) -> pd.DataFrame:
    """The facts of one string, as a facts table (same columns as :func:`extract_facts`).

    ``published`` (a date, datetime, pandas Timestamp or ISO string) resolves relative
    periods ("last year"); without it they stay empty.

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
