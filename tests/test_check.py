"""borderdata.check: verdicts from real sentences, the dev set left out one article at a time, bad input.

Articles are built from sentences of the seeds (found by a phrase, never typed in) and
checked against the other seeds; ``../shared/dev/`` is read in place when it is beside
the checkout, each article taken out of the corpus and checked against the rest.
"""

from __future__ import annotations

import gc
import io
import json
import math
import re
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from borderdata import check, cli
from borderdata.check import (
    CHECK_COLUMNS,
    VERDICTS,
    as_document,
    check_document,
    representatives,
    run_command,
    summary_line,
    verdict,
)
from borderdata.corpus import PROJECT_ROOT, load_corpus
from borderdata.extract import extract_facts
from borderdata.pipeline import OVERRIDES, PROCESSED

SEEDS = PROJECT_ROOT / "seeds"
DEV = PROJECT_ROOT.parent / "shared" / "dev"
NO_DEV = "../shared/dev/ is not beside this checkout (the development set is read in place, never copied)"


@pytest.fixture(scope="module")
def seed_docs() -> dict[str, object]:
    return {d.doc_id[:3]: d for d in load_corpus([SEEDS])}


@pytest.fixture(scope="module")
def seed_facts(seed_docs) -> pd.DataFrame:
    return extract_facts(seed_docs.values())


def sentence_with(facts: pd.DataFrame, doc: str, phrase: str) -> str:
    """The sentence of seed ``doc`` (its 3-digit prefix) that contains ``phrase``."""
    rows = facts.loc[
        facts["doc_id"].str.startswith(doc) & facts["sentence"].str.contains(phrase, regex=False)
    ]
    assert len(rows), f"no sentence of seed {doc} contains {phrase!r}"
    return rows["sentence"].iloc[0]


def without(facts: pd.DataFrame, *docs: str) -> pd.DataFrame:
    return facts.loc[~facts["doc_id"].str[:3].isin(docs)]


def figure(table: pd.DataFrame, phrase: str) -> dict:
    rows = table.loc[table["surface"].str.contains(phrase, regex=False)]
    assert len(rows) == 1, (phrase, table[["surface", "verdict"]].to_dict("records"))
    return rows.iloc[0].to_dict()


# --- the verdict table ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "others", "review", "certain", "expected"),
    [
        ("corroborated", 2, "", True, "corroborated"),
        ("updated", 1, "", True, "updated"),
        ("conflicting", 1, "", True, "conflicting"),
        ("single", 0, "", True, "new"),
        ("corroborated", 0, "", True, "new"),  # only the article's own mentions agree
        ("corroborated", 0, "location not stated", False, "new"),  # no other outlet: nothing to review
        ("corroborated", 2, "location not stated in CTV News", True, "corroborated"),  # about the others
        ("corroborated", 2, "location not stated in the article", False, "review"),
        ("updated", 1, "period not stated", False, "review"),
        ("corroborated", 1, "", False, "corroborated"),  # the claims logic was sure
        ("some-new-status", 1, "", True, "review"),  # a status this module does not know is never a verdict
    ],
)
def test_verdict_table(status, others, review, certain, expected):
    assert verdict(status, others, review, certain) == expected


@pytest.mark.parametrize(
    ("verdicts", "line"),
    [
        ([], "0 figures"),
        (["new"], "1 figure: 1 new"),
        (["new", "corroborated", "updated", "corroborated", "conflicting"],
         "5 figures: 2 corroborated, 1 updated, 1 conflicting, 1 new"),
    ],
)  # fmt: skip
def test_summary_line(verdicts, line):
    assert summary_line(pd.DataFrame({"verdict": verdicts})) == line


# --- each verdict from real sentences ---------------------------------------------------------------

# (seed whose sentence the article is, a phrase of that sentence, the article's date, seeds left out
#  of the corpus, the figure, expected verdict, expected other value, seeds expected as sources)
CASES = [
    ("002", "$1.3-billion plan", "2025-03-04", ("002",), "$1.3", "corroborated", 1.3e9, {"000", "001"}),
    ("002", "four Black Hawk", "2025-03-04", ("002",), "four", "updated", 2.0, {"001"}),
    # The corpus has a later figure: the article's earlier one is updated by it.
    ("001", "two leased Black Hawk", "2025-01-29", ("001",), "two", "updated", 4.0, {"002"}),
    ("002", "Seven cartels", "2025-03-04", ("002",), "Seven cartels", "new", math.nan, set()),
    ("002", "15 surveillance towers", "2025-03-04", ("002",), "surveillance towers", "new", math.nan, set()),
]  # fmt: skip


@pytest.mark.parametrize(
    ("doc", "phrase", "published", "left_out", "surface", "expected", "other", "sources"), CASES
)
def test_verdict_of_a_real_sentence(
    seed_facts, doc, phrase, published, left_out, surface, expected, other, sources
):
    text = sentence_with(seed_facts, doc, phrase)
    result = check_document(text, facts=without(seed_facts, *left_out), published=published)
    row = figure(result.table, surface)
    assert row["verdict"] == expected, row["why"]
    assert (math.isnan(row["other_value"]) and math.isnan(other)) or row["other_value"] == pytest.approx(
        other
    )
    cited = set(result.receipts.loc[result.receipts["fact_id"] == row["fact_id"], "doc_id"].str[:3])
    assert cited == sources
    assert (row["claim_id"] == "") == (expected == "new")


def test_a_changed_number_for_the_same_period_conflicts(seed_facts):
    """The 2024 northern-border seizure sentence with another figure, the same day: a conflict."""
    sentence = sentence_with(seed_facts, "001", "kilograms of fentanyl were seized at the northern border")
    number = seed_facts.loc[seed_facts["sentence"].eq(sentence), "surface"].iloc[0].split()[0]
    changed = sentence.replace(number, str(float(number) * 3), 1)
    result = check_document(changed, facts=seed_facts, published="2025-01-29")
    row = figure(result.table, str(float(number) * 3))
    assert row["verdict"] == "conflicting", row["why"]
    cited = result.receipts.loc[result.receipts["fact_id"] == row["fact_id"]]
    assert "001" in set(cited["doc_id"].str[:3])
    stated = [check.converted(v, u, "kg") for v, u in zip(cited["value"], cited["unit"], strict=True)]
    assert row["other_value"] in stated and row["other_value"] != row["value"]


@pytest.mark.parametrize(
    ("corpus_location", "expected"),
    [
        ("", "corroborated"),  # the other outlet's mention has the figure's place (none)
        ("northern border", "corroborated"),  # the figure names no place: unknown, not contradicting
    ],
)
def test_review_from_the_claims_review_column(seed_facts, monkeypatch, corpus_location, expected):
    """A claim flagged for review: the figure is ``review`` when its own link to the claim is unsure."""
    real = check.build_claims

    def flagged(facts, **options):
        claims = real(facts, **options)
        return claims.assign(
            review=["merged an unplaced mention" if s != "single" else "" for s in claims["status"]]
        )

    monkeypatch.setattr(check, "build_claims", flagged)
    corpus = without(seed_facts, "002")
    hawks = corpus["surface"].str.contains("Black Hawk")
    corpus = corpus.assign(location=corpus["location"].where(~hawks, corpus_location))
    text = sentence_with(seed_facts, "001", "two leased Black Hawk")
    row = figure(check_document(text, facts=corpus, published="2025-01-29").table, "two")
    assert row["verdict"] == expected
    assert "merged an unplaced mention" in row["why"]


@pytest.mark.parametrize(
    ("other", "mine", "compatible"),
    [
        (("northern border", "FY2024"), ("northern border", "FY2024"), True),
        (("northern border", ""), ("", "2024-12"), True),  # unknown on one side: the review queue's case
        (("southern border", ""), ("northern border", ""), False),
        (("", "2024"), ("", "2025"), False),
        # The claims' own relation of places: a country and a place the gazetteer does not list may be
        # one place (the claim is queued, the figure keeps its status); a listed place elsewhere is not.
        (("Canada", ""), ("Falkland", ""), True),
        (("Canada", ""), ("Texas", ""), False),
        (("United States", ""), ("Canada", ""), False),
    ],
)
def test_a_figure_is_certain_unless_every_other_mention_contradicts_it(other, mine, compatible):
    keys = ("location", "period")
    assert (
        check._compatible(dict(zip(keys, other, strict=True)), dict(zip(keys, mine, strict=True)))
        is compatible
    )


@pytest.mark.parametrize(
    ("status", "review", "says"),
    [
        ("corroborated", "", "every other outlet states another place or period (here Canada; "
         "AP (2025-03-04): "
         "United States)"),
        ("updated", "locations Canada and United States", "in the claims review queue: locations Canada and"),
        ("single", "", "the claim's status is single, not corroborated, updated or conflicting"),
        ("", "", "the claim's status is unknown"),
    ],
)  # fmt: skip
def test_a_review_verdict_says_why(status, review, says):
    here = {"location": "Canada", "period": ""}
    there = {"location": "United States", "period": "", "outlet": "AP", "published": "2025-03-04"}
    assert says in check.unsure_because(status, review, here, [there])


def test_the_seed_article_itself(seed_docs, seed_facts):
    """Seed 002 against all seeds: compared with the others, never itself; $1.3 billion by two outlets."""
    result = check_document(seed_docs["002"], facts=seed_facts)
    assert list(result.table.columns) == list(CHECK_COLUMNS)
    assert not result.receipts["doc_id"].str.startswith("002").any()
    billion = figure(result.table, "$1.3")
    assert billion["verdict"] == "corroborated"
    cited = result.receipts.loc[result.receipts["fact_id"] == billion["fact_id"], "doc_id"].str[:3]
    assert set(cited) == {"000", "001"}
    hawks = figure(result.table, "Black Hawk")
    assert (hawks["verdict"], hawks["other_value"]) == ("updated", 2.0)
    same = check_document(seed_docs["002"], facts=without(seed_facts, "002")).table
    pd.testing.assert_frame_equal(result.table, same)


def test_a_copy_of_a_corpus_article_is_not_its_own_source(seed_docs, seed_facts, tmp_path):
    copy = tmp_path / "copied.txt"
    copy.write_text(seed_docs["002"].text, encoding="utf-8")
    result = check_document(copy, facts=seed_facts)
    assert not result.receipts["doc_id"].str.startswith("002").any()
    assert figure(result.table, "$1.3")["verdict"] == "corroborated"


def test_representatives_give_the_same_verdicts(seed_docs, seed_facts):
    """Cutting the corpus to a few mentions per repeated statement changes no verdict and no source,
    whichever outlets published the copies."""
    copies = pd.concat(
        [seed_facts.assign(doc_id=seed_facts["doc_id"] + f"-{i}",
                           fact_id=seed_facts["doc_id"] + f"-{i}:" + seed_facts["start"].astype(str),
                           outlet=f"Outlet {i % 3}",
                           published=pd.Timestamp("2025-01-01") + pd.Timedelta(days=i))
         for i in range(6)]
    ).assign(published=lambda d: d["published"].astype(str).str[:10])  # fmt: skip
    kept, stands_for = representatives(copies)
    assert len(kept) == 2 * len(seed_facts) and set(stands_for.index) == set(copies["fact_id"])
    for doc in ("001", "002"):
        exact = check_document(seed_docs[doc], facts=copies, reduce_above=10**9)
        reduced = check_document(seed_docs[doc], facts=copies, reduce_above=0)
        pd.testing.assert_frame_equal(
            exact.table.drop(columns=["claim_id", "why"]), reduced.table.drop(columns=["claim_id", "why"])
        )


def test_same_inputs_same_table(seed_docs, seed_facts):
    first = check_document(seed_docs["001"], facts=seed_facts).table
    second = check_document(seed_docs["001"], facts=seed_facts.sample(frac=1, random_state=1)).table
    assert first.to_csv(index=False) == second.to_csv(index=False)


def test_text_without_figures(seed_facts):
    table = check.check_article("Nothing here is counted or measured.", facts=seed_facts)
    assert table.empty and list(table.columns) == list(CHECK_COLUMNS)


def test_claims_table_gives_the_corpus_claim_ids(seed_docs, seed_facts):
    from borderdata import build_claims

    claims = build_claims(without(seed_facts, "002"))
    table = check.check_article(seed_docs["002"], claims=claims, facts=seed_facts)
    matched = table.loc[table["verdict"] != "new", "claim_id"]
    assert len(matched) and matched.isin(claims["claim_id"]).all()


# --- the development set, one article left out at a time -------------------------------------------


# Issue 14's goal: at least 0.8 of the figures another dev article reports come back corroborated
# or updated (``review``, an unsure match, does not count), and no figure of a different event is
# conflicting. The measurement is benchmarks/check_recall.py (run it with --show to see the misses).
# The floor is what the check reaches on the dev set (44 of 48, 0.917), just under it.
GROUPED_FLOOR = 0.9
OLD_CLAIMS = "review" not in check.build_claims(pd.DataFrame()).columns


def _check_recall():
    """benchmarks/check_recall.py as a module (the one measurement of the goal, shared with the test)."""
    import importlib.util

    spec = importlib.util.spec_from_file_location(
        "check_recall", PROJECT_ROOT / "benchmarks" / "check_recall.py"
    )
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("check_recall", module)  # its dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


@pytest.mark.skipif(not DEV.is_dir(), reason=NO_DEV)
@pytest.mark.xfail(OLD_CLAIMS, reason="claims without the review queue merge different events", strict=True)
def test_dev_articles_left_out_one_at_a_time():
    """Each dev article checked against the others: figures of a claim group come back corroborated
    or updated citing only the group's other articles; the other labelled figures come back new and
    never conflicting."""
    recall = _check_recall()
    tally = recall.leave_one_out(DEV)
    print(recall.report(tally))
    ungrouped = tally.ungrouped()
    assert not tally.wrong_sources(), tally.wrong_sources()
    assert not tally.conflicting_apart(), tally.conflicting_apart()
    assert ungrouped["new"] >= 0.9 * sum(ungrouped.values()), ungrouped
    assert tally.share_matched() >= GROUPED_FLOOR, recall.report(tally, show=True)


# --- the command ------------------------------------------------------------------------------------


def run(articles, corpus=None, out=None, cache=None) -> tuple[int, str, str]:
    stdout, stderr = io.StringIO(), io.StringIO()
    code = run_command(articles, corpus, out, cache=cache, stdout=stdout, stderr=stderr)
    return code, stdout.getvalue(), stderr.getvalue()


@pytest.fixture
def cache(tmp_path) -> Path:
    return tmp_path / "cache"


def test_command_prints_table_and_summary(cache, tmp_path):
    code, out, err = run([SEEDS / "002_6b0f9d32bb2bd3fb.txt"], [SEEDS], tmp_path / "c.csv", cache)
    assert code == 0, err
    assert "corroborated" in out and "updated" in out
    table = pd.read_csv(tmp_path / "c.csv", keep_default_na=False)
    assert list(table.columns) == list(CHECK_COLUMNS) and set(table["verdict"]) <= set(VERDICTS)
    assert summary_line(table) in out


@pytest.mark.parametrize("suffix", [".csv", ".json", ".html"])
def test_command_writes_each_format(cache, tmp_path, suffix):
    out = tmp_path / f"check{suffix}"
    code, _, err = run([SEEDS / "001_84e8000d5bc61ac2.txt"], [SEEDS], out, cache)
    assert code == 0, err
    text = out.read_text(encoding="utf-8")
    if suffix == ".json":
        assert {r["verdict"] for r in json.loads(text)} <= set(VERDICTS)
    elif suffix == ".html":
        assert text.startswith("<!DOCTYPE html>") and "<script" not in text.lower()
    else:
        assert text.startswith(",".join(CHECK_COLUMNS))


def test_command_through_the_cli(cache, tmp_path, capsys):
    code = cli.main(
        ["check", str(SEEDS / "002_6b0f9d32bb2bd3fb.txt"), "--corpus", str(SEEDS), "--cache", str(cache)]
    )
    assert code == 0
    assert "Black Hawk" in capsys.readouterr().out


def test_console_script_flushes_everything_before_its_quick_exit(cache, tmp_path, monkeypatch):
    # Through a pipe, stdout is block-buffered: the quick exit after a check must not lose its tail.
    monkeypatch.setenv("COLUMNS", "120")  # the same table width in this process and the script
    article = SEEDS / "002_6b0f9d32bb2bd3fb.txt"
    code, expected, _ = run([article], [SEEDS], None, cache)
    script = Path(sys.executable).parent / "borderdata"
    corpus = ["--corpus", str(SEEDS), "--cache", str(cache)]
    done = subprocess.run([script, "check", article, *corpus], capture_output=True, text=True, check=False)
    assert (done.returncode, done.stdout) == (code, expected) and "Black Hawk" in expected
    gone = subprocess.run([script, "check", tmp_path / "gone.txt", *corpus], capture_output=True, text=True)
    assert gone.returncode == 1 and "gone.txt" in gone.stderr


def test_the_command_leaves_the_collector_as_it_found_it(cache):
    before = gc.get_threshold(), gc.get_freeze_count()
    cli.main(
        ["check", str(SEEDS / "001_84e8000d5bc61ac2.txt"), "--corpus", str(SEEDS), "--cache", str(cache)]
    )
    assert (gc.get_threshold(), gc.get_freeze_count()) == before


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "no such file or folder"),
        (b"", "file is empty"),
        (b"\x00\x01binary\x00", "binary file"),
    ],
)
def test_unreadable_article_is_one_line_error(cache, tmp_path, content, message):
    article = tmp_path / "bad.txt"
    if content is not None:
        article.write_bytes(content)
    code, out, err = run([article, SEEDS / "001_84e8000d5bc61ac2.txt"], [SEEDS], None, cache)
    assert code == 1
    lines = [line for line in err.splitlines() if "bad.txt" in line]
    assert len(lines) == 1 and message in lines[0] and lines[0].startswith("error:")
    assert "figures:" in out  # the readable article was still checked


def test_article_without_figures_says_so(cache, tmp_path):
    article = tmp_path / "quiet.txt"
    article.write_text("Officials met on Tuesday.\n\nThey talked about the border.\n", encoding="utf-8")
    code, _, err = run([article], [SEEDS], None, cache)
    assert code == 0
    assert "no figures found" in err and "quiet.txt" in err


@pytest.mark.parametrize("corpus", ["missing", "empty", "only-itself"])
def test_missing_or_empty_corpus_is_an_error_naming_it(cache, tmp_path, corpus):
    article = SEEDS / "002_6b0f9d32bb2bd3fb.txt"
    folder = tmp_path / corpus
    if corpus == "empty":
        folder.mkdir()
    elif corpus == "only-itself":
        folder.mkdir()
        (folder / article.name).write_bytes(article.read_bytes())
    code, out, err = run([article], [folder], None, cache)
    assert code == 2 and out == ""
    assert str(folder) in err and err.startswith("error:")


@pytest.mark.parametrize(
    ("out", "message"),
    [
        ("check.txt", "unsupported output"),
        (str(PROCESSED / "check.csv"), "never writes"),
        (str(OVERRIDES.with_suffix(".csv")), "never writes"),
    ],
)
def test_bad_out_is_refused_before_any_work(cache, out, message):
    code, stdout, err = run([SEEDS / "002_6b0f9d32bb2bd3fb.txt"], [SEEDS], Path(out), cache)
    assert code == 2 and message in err and stdout == ""


def test_check_writes_nothing_to_the_project_tables(cache, tmp_path):
    watched = [*PROCESSED.glob("*.csv"), OVERRIDES]
    before = {p: p.stat().st_mtime_ns for p in watched if p.exists()}
    listing = sorted(p.name for p in PROCESSED.iterdir())
    run([SEEDS / "002_6b0f9d32bb2bd3fb.txt"], [SEEDS], tmp_path / "c.html", cache)
    assert {p: p.stat().st_mtime_ns for p in watched if p.exists()} == before
    assert sorted(p.name for p in PROCESSED.iterdir()) == listing


def test_article_from_jsonl_and_html(cache, tmp_path, seed_docs):
    text = seed_docs["002"].body
    archive = tmp_path / "wire.jsonl"
    archive.write_text(json.dumps({"id": "wire-1", "text": text, "published": "2025-03-04"}) + "\n")
    page = tmp_path / "page.html"
    page.write_text(f"<html><body><article><p>{text}</p></article></body></html>", encoding="utf-8")
    code, out, err = run([archive, page], [SEEDS], None, cache)
    assert code == 0, err
    assert out.count("figures:") == 2 and "corroborated" in out


def test_terminal_output_is_escaped(seed_facts):
    result = check_document("Officers seized 19.5 kilograms of \x1b[31mfentanyl\x1b[0m.", facts=seed_facts)
    assert "\x1b" not in check.terminal_table(result)


def test_as_document_sets_the_date():
    assert as_document("Seized 2 kg.", published="2025-03-04").published.isoformat() == "2025-03-04"


# --- the corpus snapshot beside the cache -----------------------------------------------------------


def test_snapshot_is_used_until_a_corpus_file_changes(tmp_path, monkeypatch):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for path in sorted(SEEDS.glob("00[0-2]_*.txt")):
        (corpus / path.name).write_bytes(path.read_bytes())
    first = check.corpus_index([corpus], cache=tmp_path / "cache")
    calls = []
    real = check.corpus_tables
    monkeypatch.setattr(check, "corpus_tables", lambda *a, **k: calls.append(1) or real(*a, **k))
    again = check.corpus_index([corpus], cache=tmp_path / "cache")
    assert calls == [] and again.full.equals(first.full)
    (corpus / "000_aa62385b73de1dec.txt").write_text(
        "Officials seized 7 kilograms of cocaine.\n", encoding="utf-8"
    )
    changed = check.corpus_index([corpus], cache=tmp_path / "cache")
    assert calls == [1] and not changed.full.equals(first.full)


def test_index_checks_like_the_facts_table(seed_docs, seed_facts):
    index = check.CorpusIndex.of(seed_facts)
    for doc in ("001", "002"):
        by_index = check_document(seed_docs[doc], facts=index).table
        by_facts = check_document(seed_docs[doc], facts=seed_facts).table
        pd.testing.assert_frame_equal(by_index, by_facts)


def test_analysts_corrections_apply_to_corpus_and_article(tmp_path, seed_docs):
    """An excluded fact is neither a figure of the article nor a source in the corpus."""
    facts = extract_facts(seed_docs.values())
    hawks = facts.loc[facts["surface"].str.contains("Black Hawk")]
    corpus_hawk = hawks.loc[hawks["doc_id"].str.startswith("001"), "fact_id"].iloc[0]
    article_hawk = hawks.loc[hawks["doc_id"].str.startswith("002"), "fact_id"].iloc[0]
    overrides = tmp_path / "overrides.csv"
    overrides.write_text(
        f"fact_id,action,field,value,reason,author,date\n{corpus_hawk},exclude,,,test,me,2025-01-01\n",
        encoding="utf-8",
    )
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for doc in ("000", "001"):
        (corpus / seed_docs[doc].path.name).write_bytes(seed_docs[doc].path.read_bytes())
    (corpus / "manifest.csv").write_bytes((SEEDS / "manifest.csv").read_bytes())
    index = check.corpus_index([corpus], cache=tmp_path / "cache", overrides=overrides)
    assert corpus_hawk not in set(index.full["fact_id"])
    assert figure(check_document(seed_docs["002"], facts=index).table, "Black Hawk")["verdict"] == "new"
    overrides.write_text(
        f"fact_id,action,field,value,reason,author,date\n{article_hawk},exclude,,,test,me,2025-01-01\n",
        encoding="utf-8",
    )
    table = check_document(seed_docs["002"], facts=index, overrides=overrides).table
    assert not table["surface"].str.contains("Black Hawk").any()


# --- where the check keeps its state; one record of an archive ----------------------------------


def tree(folder: Path) -> dict[str, int]:
    """Every file and folder below ``folder`` with its mtime (ns)."""
    return {str(p.relative_to(folder)): p.stat().st_mtime_ns for p in sorted(folder.rglob("*"))}


def test_default_cache_is_outside_data_processed(tmp_path, monkeypatch):
    """With no --cache, a first check leaves the project's data/processed/ and overrides as they were."""
    project = tmp_path / "project"
    corpus = project / "seeds"
    corpus.mkdir(parents=True)
    for path in sorted(SEEDS.glob("00[0-2]_*.txt")):
        (corpus / path.name).write_bytes(path.read_bytes())
    processed = project / "data" / "processed"
    (processed / ".cache").mkdir(parents=True)
    (processed / "facts.csv").write_text("fact_id\n", encoding="utf-8")
    (processed / ".cache" / "facts.sqlite3").write_bytes(b"")
    (project / "data" / "overrides.csv").write_text("fact_id,action,field,value,reason,author,date\n")
    monkeypatch.setenv("BORDERDATA_PROJECT", str(project))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "user-cache"))
    before = tree(project / "data")
    code, out, err = run([corpus / "002_6b0f9d32bb2bd3fb.txt"], [corpus], tmp_path / "c.csv")
    assert code == 0, err
    assert "figures:" in out
    assert tree(project / "data") == before
    snapshots = list((tmp_path / "user-cache").rglob("check/corpus-*.pkl"))
    assert len(snapshots) == 1 and check.default_cache() in snapshots[0].parents


def test_cache_in_data_processed_is_refused(tmp_path, monkeypatch):
    project = tmp_path / "project"
    (project / "data" / "processed").mkdir(parents=True)
    monkeypatch.setenv("BORDERDATA_PROJECT", str(project))
    cache = project / "data" / "processed" / ".cache"
    code, out, err = run([SEEDS / "002_6b0f9d32bb2bd3fb.txt"], [SEEDS], None, cache)
    assert code == 2 and out == "" and err.startswith("error:") and "never writes into" in err
    assert not cache.exists()


@pytest.fixture
def archive(tmp_path, seed_docs) -> Path:
    """A news archive: line 1 the 001 seed, line 2 blank, line 3 the 002 seed."""
    path = tmp_path / "wire.jsonl"
    records = [
        json.dumps({"id": "wire-1", "text": seed_docs["001"].body, "published": "2025-01-29"}),
        "",
        json.dumps({"id": "wire-3", "text": seed_docs["002"].body, "published": "2025-03-04"}),
    ]
    path.write_text("\n".join(records) + "\n", encoding="utf-8")
    return path


@pytest.mark.parametrize(("line", "doc_id"), [("1", "wire-1"), ("3", "wire-3")])
def test_one_record_of_an_archive(cache, archive, line, doc_id):
    code, out, err = run([Path(f"{archive}:{line}")], [SEEDS], None, cache)
    assert code == 0, err
    assert out.count("figures:") == 1
    path, record = check.split_record(Path(f"{archive}:{line}"))
    assert (path, record) == (archive, line)
    assert [d.doc_id for d in check.read_articles([Path(f"{archive}:{line}")], [])] == [doc_id]


@pytest.mark.parametrize(
    ("record", "message"),
    [
        ("2", "no record on line 2 (the line is blank)"),
        ("9", "no record on line 9 (its last record is on line 3)"),
        ("0", "record '0' is not a line number"),
        ("first", "record 'first' is not a line number"),
        ("", "record '' is not a line number"),
    ],
)
def test_bad_record_number_is_one_line_error(cache, archive, record, message):
    code, out, err = run([Path(f"{archive}:{record}")], [SEEDS], None, cache)
    assert code == 1 and out == ""
    assert len(err.splitlines()) == 1 and err.startswith(f"error: {archive}: {message}")


def test_record_of_a_missing_archive_names_it(cache, tmp_path):
    code, _, err = run([tmp_path / "gone.jsonl:1"], [SEEDS], None, cache)
    assert code == 1 and err.splitlines() == [f"error: {tmp_path / 'gone.jsonl'}: no such file or folder"]


def test_a_file_whose_name_looks_like_a_record_is_that_file(tmp_path, seed_docs):
    named = tmp_path / "odd.jsonl:1"
    named.write_text(json.dumps({"id": "odd", "text": seed_docs["002"].body}) + "\n", encoding="utf-8")
    assert check.split_record(named) == (named, None)


# --- the candidates the claims logic sees --------------------------------------------------------


def test_candidates_keep_every_pair_the_claims_merge():
    """The check cuts the corpus to the facts that can share a claim with the article: never one the
    claims would merge with it (kindred categories, such as a seizure and profits prevented, included)."""
    from tests.test_claims import MUST_MERGE, pair

    for case, (a, b) in MUST_MERGE.items():
        facts = pair(a, b)
        index = check.CorpusIndex.of(facts.loc[facts["doc_id"].eq("a")])
        found = index.candidates(facts.loc[facts["doc_id"].eq("b")])
        assert found["fact_id"].tolist() == ["a:1"], case


@pytest.mark.parametrize(
    ("outlet", "url", "source"),
    [
        ("", "", "2025-03-01: Border plan"),  # the title stands for the outlet: shown once
        ("CBC News", "", "CBC News, 2025-03-01: Border plan"),
        ("", "https://www.cbc.ca/news/x", "cbc.ca, 2025-03-01: Border plan"),
    ],
)
def test_a_receipt_on_the_page_names_its_source_once(outlet, url, source):
    from borderdata import checkpage

    row = {"verdict": "corroborated", "fact_id": "a:1", "surface": "2", "subject": "helicopters", "why": ""}
    receipt = {"fact_id": "a:1", "doc_id": "b", "source_file": "b.txt", "outlet": outlet, "url": url,
               "title": "Border plan", "published": "2025-03-01", "sentence": "It has 2.",
               "surface": "2"}  # fmt: skip
    text = checkpage._receipt(1, row, pd.DataFrame([receipt]))
    shown = re.search(r'<span class="src">(.*?)</span><blockquote>', text).group(1)
    assert re.sub(r"<[^>]+>", "", shown) == source


def test_a_source_without_an_outlet_is_named_by_its_title_in_every_text(cache):
    # Seed 001 states no outlet and no URL: its title names it in sources, why and the claims' review text.
    index = check.corpus_index([SEEDS], cache=cache)
    result = check_document(SEEDS / "002_6b0f9d32bb2bd3fb.txt", facts=index, documents=index.documents_of)
    cites = result.table.loc[result.table["sources"].str.contains("Canadian Officials Intensify")]
    assert len(cites) >= 2  # the $1.3 billion and the Black Hawks at least
    for row in cites.to_dict("records"):
        assert "001_84e8000d5bc61ac2" not in row["sources"] + row["why"], row
        assert (
            row["sources"].count("Canadian Officials Intensify") == 1 and "Canadian Officials" in row["why"]
        )
