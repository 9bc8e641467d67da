"""Claims throughput: facts, claims and seconds of ``build_claims`` at 1x, 4x and 16x and on many claims.

The 1x/4x/16x corpora are the generated ones of ``benchmarks/run.py`` (made here when
missing); their facts are extracted first and only ``build_claims`` is timed. Those
corpora recombine a few articles, so they hold few distinct claims; the "many claims"
table perturbs the seed facts (subjects get a tag word, values a factor, mentions
spread over documents and dates) into 20,000 would-be claims from 50,000 facts (fewer once
mentions whose values agree and whose subjects share a word merge), which is what a newsroom
archive looks like to ``build_claims``. Timings are measured, never asserted.

    .venv/bin/python benchmarks/claims.py [--sizes 1 4 16] [--facts 50000] [--claims 20000]
"""

from __future__ import annotations

import argparse
import string
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

from borderdata import build_claims, extract_facts, load_corpus
from borderdata.corpus import PROJECT_ROOT
from borderdata.schema import conform_facts, make_fact_id

HERE = Path(__file__).resolve().parent
CORPORA = HERE / "corpus"
BASE_MB = 1.3
SEED = 0
FACTORS = (1.0, 1.0, 1.0, 1.002, 1.3, 2.0)  # agree, agree, agree, within tolerance, differ, differ
DAYS = pd.date_range("2024-01-01", periods=730, freq="D").strftime("%Y-%m-%d")


def _tag(n: int) -> str:
    """A made-up word per number (``zqa``, ``zqb``, ...): letters only, so it survives subject keys."""
    letters = string.ascii_lowercase
    word = ""
    while True:
        n, r = divmod(n, len(letters))
        word = letters[r] + word
        if n == 0:
            return "zq" + word


def many_claims(
    base: pd.DataFrame, n_facts: int = 50_000, n_claims: int = 20_000, seed: int = SEED
) -> pd.DataFrame:
    """A facts table of ``n_facts`` mentions of about ``n_claims`` claims, perturbed from ``base``.

    Claim ``c`` takes base fact ``c % len(base)`` and, except for the first claim of each
    base fact, a tag word in its subject; mention ``i`` belongs to claim ``i % n_claims``,
    sits in document ``i // 5`` and multiplies the value by one of :data:`FACTORS`. A few
    mentions lose their location, period or date, or become ``approx``.
    """
    rng = np.random.default_rng(seed)
    base = base.reset_index(drop=True)
    i = np.arange(n_facts)
    claim = i % n_claims
    rows = base.iloc[claim % len(base)].reset_index(drop=True)
    tag_no = claim // len(base)
    tags = np.array([_tag(int(t)) for t in range(int(tag_no.max()) + 1)], dtype=object)
    factor = np.array(FACTORS)[rng.integers(0, len(FACTORS), n_facts)]
    doc = i // 5
    docs = np.array([f"m{d:06d}" for d in range(int(doc.max()) + 1)], dtype=object)[doc]
    published = np.asarray(DAYS, dtype=object)[rng.integers(0, len(DAYS), int(doc.max()) + 1)][doc]
    published = np.where(rng.random(n_facts) < 0.03, "", published)
    qualifier = np.where(rng.random(n_facts) < 0.05, "approx", rows["qualifier"].to_numpy(dtype=object))
    value = rows["value"].to_numpy() * factor
    start = (i % 5) * 100 + 10
    return conform_facts(
        rows.assign(
            fact_id=[make_fact_id(d, s) for d, s in zip(docs, start, strict=True)],
            doc_id=docs,
            source_file=[f"{d}.txt" for d in docs],
            published=published,
            start=start,
            end=start + 5,
            value=value,
            low=rows["low"].to_numpy() * factor,
            high=rows["high"].to_numpy() * factor,
            qualifier=qualifier,
            subject=np.where(tag_no == 0, rows["subject"], rows["subject"] + " " + tags[tag_no]),
            location=np.where(rng.random(n_facts) < 0.1, "", rows["location"]),
            period=np.where(rng.random(n_facts) < 0.1, "", rows["period"]),
        )
    )


def corpus(size: int) -> Path:
    """The generated ``size``x corpus, made with ``borderdata.synth`` when missing."""
    folder = CORPORA / f"{size}x"
    if not folder.exists():
        subprocess.run(
            [
                sys.executable,
                "-m",
                "borderdata.synth",
                str(folder),
                "--mb",
                str(BASE_MB * size),
                "--seed",
                str(SEED),
            ],
            check=True,
        )
    return folder


def timed(name: str, facts: pd.DataFrame) -> None:
    """Print facts, claims and seconds of one ``build_claims`` run."""
    start = time.perf_counter()
    claims = build_claims(facts)
    seconds = time.perf_counter() - start
    print(f"{name:<12} {len(facts):>8,} facts {len(claims):>8,} claims {seconds:>8.2f} s", flush=True)


def main(argv: list[str] | None = None) -> int:
    """Time ``build_claims`` on each corpus size and on the many-claims table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="*", default=[1, 4, 16])
    parser.add_argument("--facts", type=int, default=50_000)
    parser.add_argument("--claims", type=int, default=20_000)
    args = parser.parse_args(argv)
    for size in args.sizes:
        timed(f"{size}x", extract_facts(load_corpus([corpus(size)])))
    seeds = extract_facts(load_corpus([PROJECT_ROOT / "seeds"]))
    timed("many claims", many_claims(seeds, args.facts, args.claims))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
