"""Finding quantity mentions in article text and building fact rows (work in progress)."""

from __future__ import annotations

import re
from collections.abc import Iterable

import pandas as pd

from borderdata.corpus import Document
from borderdata.schema import conform_facts, make_fact_id

_NUMBER = re.compile(r"\d[\d,]*(?:\.\d+)?")


def extract_text(
    text: str, published=None, *, spans=None, doc_id: str = "", source_file: str = "", outlet: str = ""
) -> pd.DataFrame:
    """Facts of one string (same columns as :func:`extract_facts`)."""
    rows = []
    for s, e in spans or [(0, len(text))]:
        for m in _NUMBER.finditer(text, s, e):
            rows.append(
                {
                    "fact_id": make_fact_id(doc_id, m.start()),
                    "doc_id": doc_id,
                    "source_file": source_file,
                    "outlet": outlet,
                    "published": published.isoformat() if published else "",
                    "start": m.start(),
                    "end": m.end(),
                    "surface": m.group(),
                    "value": float(m.group().replace(",", "")),
                    "unit": "count",
                    "qualifier": "exact",
                    "category": "other",
                }
            )
    return conform_facts(pd.DataFrame(rows))


def extract_facts(documents: Iterable[Document]) -> pd.DataFrame:
    """Facts of every document's body, sorted by doc_id and start."""
    tables = [
        extract_text(
            d.text,
            d.published,
            spans=d.body_spans,
            doc_id=d.doc_id,
            source_file=d.source_file,
            outlet=d.outlet,
        )
        for d in documents
    ]
    return conform_facts(pd.concat(tables, ignore_index=True)) if tables else conform_facts(pd.DataFrame())
