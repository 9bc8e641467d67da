"""Issue 14's quality goal on the development set: each dev article checked against the other 17.

For every dev article, ``borderdata check`` runs with the article left out of the corpus
(the other dev articles are the corpus). Its labelled figures are then sorted:

- *grouped*: the figure belongs to a claim group of ``claim_groups.csv`` with another
  article (another outlet reported it). The goal is that at least 80% of them come back
  ``corroborated`` or ``updated`` (``review`` is an unsure match and does not count);
- *ungrouped*: every other labelled figure (no other dev article states it). They should
  come back ``new``; none may be called ``conflicting`` (a figure of a different event).

A grouped figure that cites an article outside its group is a *wrong source*. Measured,
never tuned to: the dev set is read in place and nothing here knows its numbers.

    .venv/bin/python benchmarks/check_recall.py [--dev ../shared/dev] [--show]
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from borderdata import check, extract_facts, load_corpus
from borderdata.corpus import PROJECT_ROOT

DEV = PROJECT_ROOT.parent / "shared" / "dev"
GOAL = 0.8


@dataclass
class Outcome:
    """One labelled figure of a left-out article and what the check said of it."""

    file: str
    quote: str
    group: str  # "" for an ungrouped figure
    verdict: str
    cited: frozenset[str]  # doc ids the check names as sources
    expected: frozenset[str]  # doc ids of the group's other articles


@dataclass
class Tally:
    """Verdict counts of the grouped and ungrouped figures, and the figures behind them."""

    outcomes: list[Outcome] = field(default_factory=list)

    def grouped(self) -> Counter:
        return Counter(o.verdict for o in self.outcomes if o.group)

    def ungrouped(self) -> Counter:
        return Counter(o.verdict for o in self.outcomes if not o.group)

    def share_matched(self) -> float:
        """Corroborated or updated, as a share of the grouped figures."""
        counts = self.grouped()
        total = sum(counts.values())
        return (counts["corroborated"] + counts["updated"]) / total if total else 0.0

    def wrong_sources(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.group and o.cited - o.expected]

    def conflicting_apart(self) -> list[Outcome]:
        """Figures called conflicting with an article that does not state the same claim."""
        return [
            o for o in self.outcomes if o.verdict == "conflicting" and (not o.group or o.cited - o.expected)
        ]


def _span(text: str, quote: str) -> tuple[int, int]:
    at = text.find(quote)
    return at, at + len(quote)


def leave_one_out(dev: Path = DEV) -> Tally:
    """Check each dev article against the others and sort its labelled figures (see the module)."""
    docs = load_corpus([dev / "articles"])
    index = check.CorpusIndex.of(extract_facts(docs))
    groups = pd.read_csv(dev / "claim_groups.csv")
    gold = pd.read_csv(dev / "gold_facts.csv")
    tally = Tally()
    for doc in docs:
        name = doc.path.name
        mine = groups.loc[groups["file"] == name]
        group_of = dict(zip(mine["quote"], mine["group"], strict=True))
        result = check.check_document(doc, facts=index)
        table, receipts = result.table, result.receipts
        for quote in dict.fromkeys(gold.loc[gold["file"] == name, "quote"]):
            start, end = _span(doc.text, quote)
            hit = table.loc[(table["start"] < end) & (table["end"] > start)]
            group = group_of.get(quote, "")
            expected = set(groups.loc[(groups["group"] == group) & (groups["file"] != name), "file"].str[:-4])
            if hit.empty or (group and not expected):
                continue
            row = hit.iloc[0]
            cited = set(receipts.loc[receipts["fact_id"] == row["fact_id"], "doc_id"])
            tally.outcomes.append(
                Outcome(name, quote, group, row["verdict"], frozenset(cited), frozenset(expected))
            )
    return tally


def report(tally: Tally, show: bool = False) -> str:
    """The counts as text (and, with ``show``, every grouped figure not corroborated or updated)."""
    grouped, ungrouped = tally.grouped(), tally.ungrouped()
    n_grouped, n_ungrouped = sum(grouped.values()), sum(ungrouped.values())
    lines = [
        f"grouped figures: {n_grouped}: "
        + ", ".join(f"{v} {grouped[v]}" for v in ("corroborated", "updated", "review", "conflicting", "new")),
        f"  corroborated+updated: {tally.share_matched():.1%} (goal {GOAL:.0%})",
        f"ungrouped figures: {n_ungrouped}: new {ungrouped['new']}, other {n_ungrouped - ungrouped['new']} ("
        + ", ".join(f"{v} {n}" for v, n in sorted(ungrouped.items()) if v != "new")
        + ")",
        f"wrong sources: {len(tally.wrong_sources())}; "
        f"conflicting across events: {len(tally.conflicting_apart())}",
    ]
    if show:
        for o in tally.outcomes:
            if o.group and o.verdict not in ("corroborated", "updated"):
                lines.append(f"  {o.verdict:12} {o.group:24} {o.file[:3]} {o.quote!r}")
        for o in tally.wrong_sources() + [o for o in tally.outcomes if not o.group and o.verdict != "new"]:
            lines.append(
                f"  {o.verdict:12} {'(ungrouped)' if not o.group else o.group:24} {o.file[:3]} "
                f"{o.quote!r} cites {sorted(o.cited - o.expected)}"
            )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dev", type=Path, default=DEV)
    parser.add_argument("--show", action="store_true", help="list the grouped figures not matched")
    args = parser.parse_args(argv)
    if not (args.dev / "articles").is_dir():
        print(f"{args.dev}: no development set here", file=sys.stderr)
        return 1
    print(report(leave_one_out(args.dev), args.show))
    return 0


if __name__ == "__main__":
    sys.exit(main())
