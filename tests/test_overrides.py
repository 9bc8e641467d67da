"""Overrides: exclude / set / add, stale and malformed rows, and surviving a re-run of the pipeline."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from borderdata.overrides import OVERRIDE_COLUMNS, apply_overrides, read_overrides
from borderdata.pipeline import OVERRIDES, run_data
from borderdata.schema import conform_facts, make_fact_id
from borderdata.tables import read_table
from tests.conftest import SEEDS

HEADER = ",".join(OVERRIDE_COLUMNS)


def write_overrides(folder: Path, *lines: str) -> Path:
    path = folder / "overrides.csv"
    path.write_text("\n".join([HEADER, *lines]) + "\n", encoding="utf-8")
    return path


def small_facts() -> pd.DataFrame:
    rows = [
        {
            "fact_id": make_fact_id("a", 1),
            "doc_id": "a",
            "start": 1,
            "end": 3,
            "value": 2.0,
            "low": 2.0,
            "high": 2.0,
            "unit": "count",
            "qualifier": "exact",
            "subject": "drones",
            "category": "asset",
        },
        {
            "fact_id": make_fact_id("a", 40),
            "doc_id": "a",
            "start": 40,
            "end": 44,
            "value": 2025.0,
            "low": 2025.0,
            "high": 2025.0,
            "unit": "count",
            "qualifier": "exact",
            "subject": "",
            "category": "other",
        },
    ]
    return conform_facts(pd.DataFrame(rows))


def test_the_committed_file_is_just_the_header():
    assert OVERRIDES.read_text(encoding="utf-8").splitlines() == [HEADER]


def test_no_file_means_no_overrides(tmp_path):
    report = apply_overrides(small_facts(), tmp_path / "missing.csv")
    assert report.outcomes == [] and len(report.facts) == 2 and not report.facts["overridden"].any()


def test_exclude_and_set(tmp_path):
    path = write_overrides(
        tmp_path,
        "a:40,exclude,,,a year not a quantity,ana,2025-03-01",
        "a:1,set,value,4,the article says four,ana,2025-03-01",
        "a:1,set,subject,black hawk helicopters,,ana,",
    )
    report = apply_overrides(small_facts(), path)
    facts = report.facts.set_index("fact_id")
    assert list(facts.index) == ["a:1"]
    assert facts.loc["a:1", ["value", "low", "high"]].tolist() == [4.0, 4.0, 4.0]
    assert facts.loc["a:1", "subject"] == "black hawk helicopters" and facts.loc["a:1", "overridden"]
    assert [o.status for o in report.outcomes] == ["applied"] * 3
    assert report.messages[0].startswith("overrides.csv line 2: exclude a:40: applied")


def test_a_stale_fact_id_is_reported_by_name(tmp_path):
    path = write_overrides(tmp_path, "a:999,set,value,3,,,", "a:1,exclude,,,,,")
    report = apply_overrides(small_facts(), path)
    stale, applied = report.outcomes
    assert (stale.status, stale.line, stale.fact_id) == ("stale", 2, "a:999")
    assert "a:999 no longer exists" in str(stale)
    assert applied.status == "applied" and report.facts["fact_id"].tolist() == ["a:40"]


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        ("a:1,delete,,,,,", "unknown action 'delete'"),
        ("a:1,set,value,four,,,", "value must be a number, got 'four'"),
        ("a:1,set,surface,x,,,", "set needs a field"),
        ("a:1,set,unit,furlongz,,,", "unit 'furlongz' is not a unit"),
        ("a:1,set,qualifier,roughly,,,", "qualifier must be one of"),
        ("a:1,set,category,weather,,,", "category must be one of"),
        (",exclude,,,,,", "fact_id is empty"),
        ("a:1,exclude,,", "expected 7 cells, found 4"),
        ("a,add,two drones,value=2,,,", "add needs unit"),
        ("a,add,two drones,value=2;colour=red,,,", "bad part 'colour=red'"),
        # hostile rows: each one line by number, never a traceback
        ("a:²,add,two drones,value=2;unit=count,,,", "offset after ':' must be a whole number"),
        (f"a:{'9' * 5000},add,two drones,value=2;unit=count,,,", "offset after ':' must be a whole number"),
        ("a:1,set,unit,1/0,,,", "unit '1/0' is not a unit"),
        (f"a:1,set,subject,{'x' * 200_000},,,", "not a CSV row (field larger than field limit"),
        ("a:1,set,value,inf,,,", "value must be a finite number, got 'inf'"),
        ("a:1,set,high,nan,,,", "high must be a finite number, got 'nan'"),
        ("a,add,two drones,value=2;unit=count;low=5;high=1,,,", "low (5) would be above high (1)"),
        ("a:1,set,low,10,,,", "low (10) would be above high (2)"),
    ],
    ids=lambda v: v[:40] if isinstance(v, str) else None,
)
def test_a_malformed_row_gets_its_line_number_and_the_rest_still_applies(tmp_path, line, reason):
    path = write_overrides(tmp_path, "a:40,exclude,,,,,", line, "a:1,set,value,3,,,")
    report = apply_overrides(small_facts(), path)
    bad = [o for o in report.outcomes if o.status == "malformed"]
    assert len(bad) == 1 and bad[0].line == 3 and reason in bad[0].message
    assert str(bad[0]).startswith("overrides.csv line 3")
    assert report.facts["fact_id"].tolist() == ["a:1"] and report.facts["value"].tolist() == [3.0]


@pytest.mark.parametrize("offset", ["²", "9" * 5000], ids=["superscript", "5000-digits"])
def test_a_hostile_offset_with_its_document_present_is_malformed_not_a_traceback(tmp_path, seed_docs, offset):
    doc = seed_docs["003"]
    path = write_overrides(tmp_path, f"{doc.doc_id}:{offset},add,about 50 pounds,value=50;unit=lb,,,")
    report = apply_overrides(small_facts(), path, [doc])
    assert [(o.line, o.status) for o in report.outcomes] == [(2, "malformed")]


def test_line_numbers_count_quoted_newlines(tmp_path):
    path = write_overrides(tmp_path, 'a:40,exclude,,,"two\nlines",ana,', "a:1,oops,,,,,")
    _, errors = read_overrides(path)
    assert [e.line for e in errors] == [4]


def test_a_bad_header_is_one_clear_error(tmp_path):
    path = tmp_path / "overrides.csv"
    path.write_text("id,what\na:1,exclude\n")
    report = apply_overrides(small_facts(), path)
    (error,) = report.outcomes
    assert error.status == "malformed" and "header must name the columns" in error.message
    assert len(report.facts) == 2


def test_add_locates_the_quote_in_the_document(tmp_path, seed_docs):
    doc = seed_docs["003"]
    quote = "about 50 pounds"
    path = write_overrides(
        tmp_path,
        f'{doc.doc_id},add,{quote},"value=50; unit=lb; qualifier=approx; subject=fentanyl seized; '
        'category=seizure; location=northern border; period=2024",missed,ana,2025-03-01',
        f"{doc.doc_id},add,words that are not there,value=1;unit=count,,,",
    )
    report = apply_overrides(small_facts(), path, [doc])
    added = report.facts.loc[report.facts["doc_id"].eq(doc.doc_id)].iloc[0]
    assert doc.text[added["start"] : added["end"]] == quote == added["surface"]
    assert added["fact_id"] == make_fact_id(doc.doc_id, added["start"])
    assert (added["unit"], added["qualifier"], added["period"], added["overridden"]) == (
        "lb",
        "approx",
        "2024",
        True,
    )
    assert added["published"] == "2025-02-01" and quote in added["sentence"]
    assert [o.status for o in report.outcomes] == ["applied", "stale"]
    assert "not found" in report.outcomes[1].message


def test_add_of_a_fact_the_extractor_already_has_is_reported(tmp_path, seed_docs):
    doc = seed_docs["003"]
    start = doc.text.index("about 50 pounds")
    row = {"fact_id": make_fact_id(doc.doc_id, start), "doc_id": doc.doc_id, "start": start}
    facts = conform_facts(pd.DataFrame([{**row, "end": start + 15, "value": 50.0, "unit": "lb"}]))
    path = write_overrides(tmp_path, f"{doc.doc_id},add,about 50 pounds,value=50;unit=lb,,,")
    (outcome,) = apply_overrides(facts, path, [doc]).outcomes
    assert outcome.status == "stale" and "already starts" in outcome.message


def test_an_override_survives_rerunning_the_pipeline(tmp_path, seed_docs):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shutil.copy(SEEDS / "001_84e8000d5bc61ac2.txt", corpus)
    out = tmp_path / "processed"
    first = run_data([corpus], out_dir=out, overrides=tmp_path / "none.csv")
    target = first.facts["fact_id"].iloc[0]
    path = write_overrides(
        tmp_path,
        f"{target},set,subject,checked by hand,verified,ana,2025-03-01",
        "001_84e8000d5bc61ac2:999999,exclude,,,article changed,ana,2025-03-01",
        "001_84e8000d5bc61ac2:1,set,value,not-a-number,,ana,2025-03-01",
    )
    before = path.read_bytes()
    for _ in range(2):
        result = run_data([corpus], out_dir=out, overrides=path)
        facts = read_table(out / "facts.csv").set_index("fact_id")
        assert facts.loc[target, "subject"] == "checked by hand" and facts.loc[target, "overridden"] == "True"
        assert len(facts) == len(first.facts)
        assert (out / "claims.csv").is_file() and result.claims is not None
        assert any("999999 no longer exists" in m for m in result.messages)
        assert any("line 4" in m and "must be a number" in m for m in result.messages)
    assert path.read_bytes() == before
