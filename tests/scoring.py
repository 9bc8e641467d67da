"""Score a facts table against the hand-labelled seed gold (the rules of ../shared/tools/score_facts.py).

A gold row is found when a fact of the same file overlaps the quote's characters
and states the same quantity (values within 0.5 % after converting the fact's
unit to the gold unit); each fact finds at most one gold row. Kept here so the
project's tests stand alone.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from borderdata.units import convert, dimension_of


@dataclass
class Score:
    gold: int
    facts: int
    found: int
    category_ok: int
    misses: list[str] = field(default_factory=list)
    extras: list[str] = field(default_factory=list)
    nonfacts: list[str] = field(default_factory=list)

    @property
    def recall(self) -> float:
        return self.found / self.gold if self.gold else 0.0

    @property
    def precision(self) -> float:
        return self.found / self.facts if self.facts else 0.0

    @property
    def category_accuracy(self) -> float:
        return self.category_ok / self.found if self.found else 0.0


def _same_quantity(value: float, unit: str, gold_value: float, gold_unit: str) -> bool:
    if dimension_of(unit) != dimension_of(gold_unit):
        return False
    converted = convert(value, unit, gold_unit)
    return math.isclose(converted, gold_value, rel_tol=0.005, abs_tol=1e-9)


def _spans(text: str, quote: str) -> list[tuple[int, int]]:
    out, i = [], text.find(quote)
    while i >= 0:
        out.append((i, i + len(quote)))
        i = text.find(quote, i + 1)
    return out


def score(
    facts: pd.DataFrame, gold: pd.DataFrame, articles: Path, nonfacts: pd.DataFrame | None = None
) -> Score:
    texts = {p.stem: p.read_text(encoding="utf-8") for p in articles.glob("*.txt")}
    gold_files = {Path(f).stem for f in gold["file"]}
    facts = facts.loc[facts["doc_id"].isin(gold_files)].reset_index(drop=True)
    used: set[int] = set()
    result = Score(gold=len(gold), facts=len(facts), found=0, category_ok=0)
    for g in gold.itertuples():
        key = Path(g.file).stem
        spans = _spans(texts[key], g.quote)
        hit = next(
            (
                i
                for i, f in facts.iterrows()
                if i not in used
                and f.doc_id == key
                and any(f.start < e and s < f.end for s, e in spans)
                and _same_quantity(f.value, f.unit, float(g.value), g.unit)
            ),
            None,
        )
        if hit is None:
            result.misses.append(f"{key}: {g.quote!r}")
            continue
        used.add(hit)
        result.found += 1
        result.category_ok += facts.loc[hit, "category"] == g.category
    result.extras = [f"{f.doc_id}: {f.surface!r}" for i, f in facts.iterrows() if i not in used]
    for n in nonfacts.itertuples() if nonfacts is not None else []:
        key = Path(n.file).stem
        spans = _spans(texts[key], n.quote)
        result.nonfacts += [
            f"{key}: {n.quote!r} -> {f.surface!r}"
            for f in facts.itertuples()
            if f.doc_id == key and any(f.start < e and s < f.end for s, e in spans)
        ]
    return result
