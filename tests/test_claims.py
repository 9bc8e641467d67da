"""Claims: same-claim rule, every status, tolerances, currencies, totals, comparisons, seeds end to end."""

from __future__ import annotations

import math
import re

import pandas as pd
import pytest

from borderdata.claims import (
    CLAIM_COLUMNS,
    STATUSES,
    Decision,
    Tolerances,
    build_claims,
    claim_of_facts,
    claim_rules,
    compare_claims,
    find_anchors,
    normalise_subject,
    prepare_mentions,
    review_queue,
    subject_key,
    summarise_claim,
    target_countries,
    total_commitments,
)
from borderdata.corpus import load_corpus
from borderdata.schema import conform_facts, make_fact_id
from tests.conftest import FIXTURES, SEEDS


def fact(doc: str, start: int, value: float, unit: str, subject: str, category: str, **extra) -> dict:
    """One hand-made fact row; exact point facts get low == high == value."""
    qualifier = extra.pop("qualifier", "exact")
    low = math.nan if qualifier == "upper_bound" else value
    high = math.nan if qualifier == "lower_bound" else value
    return {
        "fact_id": make_fact_id(doc, start),
        "doc_id": doc,
        "source_file": f"{doc}.txt",
        "start": start,
        "end": start + 5,
        "value": value,
        "low": low,
        "high": high,
        "unit": unit,
        "qualifier": qualifier,
        "subject": subject,
        "category": category,
        **extra,
    }


def table(*rows: dict) -> pd.DataFrame:
    return conform_facts(pd.DataFrame(list(rows)))


def only(claims: pd.DataFrame, **where) -> pd.Series:
    """The one claim matching ``where`` (fails when there are none or several)."""
    mask = pd.Series(True, index=claims.index)
    for column, value in where.items():
        mask &= claims[column].eq(value)
    assert mask.sum() == 1, claims.loc[:, ["subject", "location", "value", "unit", "status"]]
    return claims.loc[mask].iloc[0]


# --- subject keys ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("black hawk helicopters", "leased black hawk helicopters"),
        ("black hawk helicopters", "blackhawks"),
        ("new Black Hawk helicopters", "newly acquired Black Hawk helicopters"),
        ("fentanyl seized at northern border", "fentanyl seized at the Canada-US border"),
        ("fentanyl intercepted at u.s.-mexico border", "fentanyl seized at mexico border"),
        ("surveillance towers", "towers"),
    ],
)
def test_subject_keys_match(a, b):
    assert subject_key(a) == subject_key(b)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("black hawk helicopters", "drones"),
        ("tariff on china", "tariff on mexico and canada"),
        ("arrests", ""),
    ],
)
def test_subject_keys_differ(a, b):
    assert subject_key(a) != subject_key(b)


def test_normalised_subject_reads_in_order():
    assert normalise_subject("Fentanyl seized at the northern border") == "fentanyl seized"


# --- statuses -------------------------------------------------------------------------------


def test_single_claim_from_one_document():
    claims = build_claims(table(fact("a", 1, 524, "count", "arrests", "enforcement_result")))
    assert list(claims.columns) == list(CLAIM_COLUMNS)
    row = only(claims)
    assert (row.status, row.n_mentions, row.n_documents, row.value) == ("single", 1, 1, 524.0)
    assert "one document" in row.note


def test_repeated_mentions_in_one_document_stay_single():
    facts = table(
        fact("a", 1, 15, "count", "surveillance towers", "asset"),
        fact("a", 90, 15, "count", "towers", "asset"),
    )
    row = only(build_claims(facts))
    assert (row.status, row.n_mentions, row.n_documents) == ("single", 2, 1)


def test_corroborated_across_documents_and_units():
    facts = table(
        fact("a", 1, 19.5, "kg", "fentanyl seized", "seizure", published="2025-01-29", period="2024"),
        fact("b", 1, 43, "lb", "fentanyl seized", "seizure", published="2025-02-01", period="2024"),
    )
    row = only(build_claims(facts))
    assert (row.status, row.unit, row.n_documents) == ("corroborated", "kg", 2)
    assert row.value == 19.5 and "stated 43 lb" in row.note


def test_updated_when_a_later_document_changes_the_value():
    facts = table(
        fact("a", 1, 2, "count", "leased Black Hawk helicopters", "asset", published="2025-01-29"),
        fact("b", 1, 4, "count", "Black Hawk helicopters", "asset", published="2025-03-04"),
    )
    row = only(build_claims(facts))
    assert (row.status, row.value, row.subject) == ("updated", 4.0, "black hawk helicopter")
    assert (row.first_published, row.last_published) == ("2025-01-29", "2025-03-04")
    assert re.search(r"2 count in a \(2025-01-29\).*→ 4 count in b \(2025-03-04\)", row.note)


# A one-word subject ("officers") needs a stated place, period or event before two different
# figures about it are one claim; these officers are all at the northern border.
NORTH = {"location": "northern border"}


def test_conflicting_on_the_same_day():
    facts = table(
        fact("a", 1, 10_000, "count", "officers", "personnel", published="2025-03-04", **NORTH),
        fact("b", 1, 12_000, "count", "border officers", "personnel", published="2025-03-04", **NORTH),
    )
    row = only(build_claims(facts))
    assert row.status == "conflicting"
    assert "same day" in row.note and "20.0% apart" in row.note
    assert (row.low, row.high) == (10_000, 12_000)


def test_conflicting_when_undated():
    facts = table(
        fact("a", 1, 10_000, "count", "officers", "personnel", published="2025-03-04", **NORTH),
        fact("b", 1, 12_000, "count", "officers", "personnel", **NORTH),
    )
    row = only(build_claims(facts))
    assert row.status == "conflicting" and "undated" in row.note


def test_a_stated_period_is_not_updated_by_a_later_article():
    facts = table(
        fact("a", 1, 9570, "kg", "fentanyl seized", "seizure", published="2025-01-29", period="2024"),
        fact("b", 1, 20600, "lb", "fentanyl seized", "seizure", published="2025-02-01", period="2024"),
    )
    row = only(build_claims(facts))
    assert row.status == "conflicting"
    assert "same period 2024" in row.note and "2.4% apart" in row.note


def test_different_locations_and_periods_are_different_claims():
    facts = table(
        fact("a", 1, 19.5, "kg", "fentanyl seized", "seizure", location="northern border", period="2024"),
        fact("a", 50, 9570, "kg", "fentanyl seized", "seizure", location="southern border", period="2024"),
        fact("b", 1, 30, "kg", "fentanyl seized", "seizure", location="northern border", period="2023"),
    )
    assert len(build_claims(facts)) == 3


def test_an_empty_location_joins_the_only_located_claim_but_never_bridges_two():
    one = table(
        fact("a", 1, 4, "count", "black hawk helicopters", "asset", location="northern border"),
        fact("b", 1, 4, "count", "black hawk helicopters", "asset"),
    )
    assert only(build_claims(one)).location == "northern border"
    two = table(
        fact("a", 1, 20, "kg", "fentanyl seized", "seizure", location="northern border"),
        fact("b", 1, 20, "kg", "fentanyl seized", "seizure"),
        fact("c", 1, 9000, "kg", "fentanyl seized", "seizure", location="southern border"),
    )
    claims = build_claims(two)
    assert len(claims) == 2 and set(claims["location"]) == {"northern border", "southern border"}


def test_a_shorter_subject_joins_its_only_longer_match():
    facts = table(
        fact("a", 1, 19.5, "kg", "fentanyl seized", "seizure", published="2025-01-29"),
        fact("b", 1, 19.5, "kg", "fentanyl", "seizure", published="2025-02-01"),
    )
    assert only(build_claims(facts)).status == "corroborated"


def test_a_nested_subject_needs_the_same_location_and_period():
    facts = table(
        fact("a", 1, 1, "percent", "illegal crossings", "migration", qualifier="upper_bound"),
        fact("a", 90, 90, "percent", "reduction in illegal crossings", "migration", period="since 2024-06"),
    )
    assert build_claims(facts)["status"].tolist() == ["single", "single"]


# --- tolerances -------------------------------------------------------------------------------


def about_50_pounds() -> pd.DataFrame:
    return table(
        fact("a", 1, 19.5, "kg", "fentanyl seized", "seizure", published="2025-01-29", period="2024"),
        fact(
            "b",
            1,
            50,
            "lb",
            "fentanyl seized",
            "seizure",
            published="2025-02-01",
            period="2024",
            qualifier="approx",
        ),
    )


def test_about_50_pounds_disagrees_with_19_5_kg_at_the_default_approx_tolerance():
    row = only(build_claims(about_50_pounds()))
    assert row.status == "conflicting"
    assert "about 22.7 kg (stated 50 lb)" in row.note and "approx ±10%" in row.note


def test_about_50_pounds_agrees_with_19_5_kg_when_approx_allows_20_percent():
    row = only(build_claims(about_50_pounds(), tolerances=Tolerances(approx=0.2)))
    assert row.status == "corroborated" and "approx ±20%" in row.note


# A share of seizures belongs to an event: both mentions name it, so a later figure updates it.
OPERATION = "Operation Blizzard seized less than 1% of the fentanyl."


@pytest.mark.parametrize(
    ("other", "qualifier", "status"),
    [
        (0.5, "exact", "corroborated"),  # inside the bound
        (1.0, "upper_bound", "corroborated"),  # "well under 1%" and "less than 1%"
        (3.0, "exact", "updated"),  # outside it: the later document changes the figure of the same event
    ],
)
def test_a_bound_agrees_with_values_inside_it(other, qualifier, status):
    facts = table(
        fact(
            "a",
            1,
            1,
            "percent",
            "share of fentanyl",
            "seizure",
            published="2025-01-01",
            qualifier="upper_bound",
            sentence=OPERATION,
        ),
        fact(
            "b",
            1,
            other,
            "percent",
            "share of fentanyl",
            "seizure",
            published="2025-02-01",
            qualifier=qualifier,
            sentence=OPERATION,
        ),
    )
    assert only(build_claims(facts)).status == status


def test_exact_tolerance_is_a_parameter():
    facts = table(
        fact("a", 1, 100, "count", "officers", "personnel", published="2025-03-04", **NORTH),
        fact("b", 1, 103, "count", "officers", "personnel", published="2025-03-04", **NORTH),
    )
    assert only(build_claims(facts)).status == "conflicting"
    assert only(build_claims(facts, tolerances=Tolerances(exact=0.02))).status == "corroborated"


# --- money ------------------------------------------------------------------------------------


def border_plan() -> pd.DataFrame:
    return table(
        fact("a", 1, 1.3e9, "CAD", "border security package", "funding", published="2025-01-29"),
        fact("b", 1, 1.3e9, "CAD", "border security and monitoring plan", "funding", published="2025-03-04"),
        fact("b", 90, 2e8, "CAD", "funding to target organized crime", "funding", published="2025-03-04"),
        fact(
            "c",
            1,
            1.3e9,
            "CAD",
            "border surveillance and enforcement funding",
            "funding",
            published="2025-08-27",
        ),
        fact("d", 1, 1.3e9, "CAD", "plan", "funding", published="2025-09-01"),
    )


def test_equal_amounts_with_compatible_subjects_are_one_claim():
    claims = build_claims(border_plan())
    plan = only(claims, value=1.3e9)
    assert (plan.status, plan.n_documents, plan.unit) == ("corroborated", 4, "CAD")
    assert plan.doc_ids == "a;b;c;d"
    assert only(claims, value=2e8).status == "single"


def test_equal_amounts_with_unrelated_subjects_stay_apart():
    facts = table(
        fact("a", 1, 5e7, "CAD", "drones for the border", "funding"),
        fact("b", 1, 5e7, "CAD", "housing", "funding"),
    )
    assert len(build_claims(facts)) == 2


def test_currencies_never_merge():
    facts = table(
        fact("a", 1, 1.3e9, "CAD", "border security package", "funding"),
        fact("b", 1, 1.3e9, "USD", "border security package", "funding"),
    )
    claims = build_claims(facts)
    assert sorted(claims["unit"]) == ["CAD", "USD"] and set(claims["status"]) == {"single"}


def test_total_commitments_counts_each_claim_once():
    claims = build_claims(border_plan())
    assert total_commitments(claims, "CAD").magnitude == pytest.approx(1.5e9)
    assert str(total_commitments(claims, "CAD").units) == "CAD"


def test_total_commitments_needs_a_rate_for_another_currency():
    facts = pd.concat([border_plan(), table(fact("e", 1, 1e8, "USD", "drones", "funding"))])
    claims = build_claims(facts)
    with pytest.raises(ValueError, match="USD"):
        total_commitments(claims, "CAD")
    total = total_commitments(claims, "CAD", rates={"USD": 1.4})
    assert total.magnitude == pytest.approx(1.5e9 + 1.4e8)


def test_total_commitments_reads_claims_from_csv_text():
    claims = build_claims(border_plan()).astype({"value": str})
    assert total_commitments(claims, "CAD").magnitude == pytest.approx(1.5e9)


# --- stability ----------------------------------------------------------------------------------


def test_claim_ids_are_stable_and_unique():
    first = build_claims(border_plan())
    again = build_claims(border_plan().sample(frac=1, random_state=3))
    pd.testing.assert_frame_equal(first, again)
    assert first["claim_id"].is_unique and first["claim_id"].str.fullmatch(r"c[0-9a-f]{12}(-\d+)?").all()


def test_a_claim_keeps_its_id_when_an_unrelated_document_arrives():
    before = build_claims(border_plan())
    after = build_claims(
        pd.concat([border_plan(), table(fact("z", 1, 7, "count", "cartels", "enforcement_result"))])
    )
    assert set(before["claim_id"]) <= set(after["claim_id"])


def held(claims: pd.DataFrame, fact_ids: set[str]) -> pd.DataFrame:
    """The rows of a full claims table that hold one of ``fact_ids``."""
    holds = [not fact_ids.isdisjoint(ids.split(";")) for ids in claims["fact_ids"]]
    return claims.loc[holds].reset_index(drop=True)


@pytest.mark.parametrize("source", ["border_plan", "two_cocaine_seizures", "gold_facts"])
def test_claims_holding_some_facts_are_the_full_tables_rows(source):
    facts = {
        "border_plan": border_plan,
        # Two claims with one identity (no period: the seizures stay apart): ids c... and c...-2.
        "two_cocaine_seizures": lambda: table(
            fact("a", 1, 10, "kg", "cocaine", "seizure"), fact("b", 1, 500, "kg", "cocaine", "seizure")
        ),
        "gold_facts": gold_facts,
    }[source]()
    full = build_claims(facts)
    for doc_id, ids in conform_facts(facts).groupby("doc_id")["fact_id"]:
        pd.testing.assert_frame_equal(build_claims(facts, holding=set(ids)), held(full, set(ids)), obj=doc_id)
    assert build_claims(facts, holding={"no such fact"}).empty


def test_two_claims_of_one_identity_are_numbered():
    facts = table(fact("a", 1, 10, "kg", "cocaine", "seizure"), fact("b", 1, 500, "kg", "cocaine", "seizure"))
    assert build_claims(facts)["claim_id"].str.endswith("-2").sum() == 1


def test_empty_facts_give_an_empty_claims_table():
    claims = build_claims(conform_facts(pd.DataFrame()))
    assert claims.empty and list(claims.columns) == list(CLAIM_COLUMNS)


# --- comparisons --------------------------------------------------------------------------------


def seizures() -> pd.DataFrame:
    seized = {"category": "seizure", "period": "2024"}
    return table(
        fact("a", 1, 19.5, "kg", "fentanyl seized at northern border", location="northern border", **seized),
        fact(
            "a",
            60,
            9570,
            "kg",
            "fentanyl intercepted at u.s.-mexico border",
            location="southern border",
            **seized,
        ),
        fact(
            "b",
            1,
            50,
            "lb",
            "fentanyl seized at canada-us border",
            location="northern border",
            qualifier="approx",
            **seized,
        ),
        fact("b", 60, 20600, "lb", "fentanyl seized at mexico border", location="southern border", **seized),
    )


def test_southern_to_northern_ratio_per_source():
    comparisons = compare_claims(seizures()).set_index("doc_id")
    assert comparisons.loc["a", "ratio"] == pytest.approx(9570 / 19.5)
    assert comparisons.loc["a", "expression"] == "9,570 kg / 19.5 kg ≈ 491"
    assert comparisons.loc["b", "ratio"] == pytest.approx(412)
    assert (comparisons.loc["b", "numerator_unit"], comparisons.loc["b", "qualifier"]) == ("lb", "approx")
    assert comparisons.loc["a", "numerator_claim_id"] != comparisons.loc["a", "denominator_claim_id"]


def test_comparisons_never_pair_across_documents_or_mix_subjects():
    facts = table(
        fact("a", 1, 19.5, "kg", "fentanyl seized", "seizure", location="northern border"),
        fact("b", 1, 9570, "kg", "fentanyl seized", "seizure", location="southern border"),
        fact("c", 1, 10, "kg", "cocaine seized", "seizure", location="northern border"),
        fact("c", 9, 900, "kg", "fentanyl seized", "seizure", location="southern border"),
    )
    assert compare_claims(facts).empty


# --- seeds --------------------------------------------------------------------------------------


def gold_facts() -> pd.DataFrame:
    """The gold facts of the seeds as a facts table: each quote located in its document's text."""
    docs = {d.source_file: d for d in load_corpus([SEEDS])}
    gold = pd.read_csv(FIXTURES / "seed_facts.csv", keep_default_na=False)
    rows = []
    for g in gold.to_dict("records"):
        doc = docs[g["file"]]
        start = doc.text.index(g["quote"])
        line_start = doc.text.rfind("\n", 0, start) + 1
        sentence = doc.text[line_start : doc.text.find("\n", start)]
        last_year = re.search(r"last year", sentence, re.IGNORECASE) and doc.published
        rows.append(
            fact(
                doc.doc_id,
                start,
                float(g["value"]),
                g["unit"],
                g["subject"],
                g["category"],
                qualifier=g["qualifier"],
                location=g["location"],
                published=doc.published.isoformat() if doc.published else "",
                period=str(doc.published.year - 1) if last_year else "",
                sentence=sentence,
            )
        )
    return table(*rows)


def check_seed_acceptance(facts: pd.DataFrame) -> None:
    """Issue 4's acceptance list, on any facts table of the seeds."""
    claims = build_claims(facts)
    funding = claims.loc[claims["category"].eq("funding") & claims["unit"].eq("CAD")]
    plan = only(funding, value=1.3e9)
    assert (plan.status, plan.n_documents) == ("corroborated", 3)
    assert only(funding, value=2e8).n_documents == 1
    assert total_commitments(claims, "CAD").magnitude == pytest.approx(1.5e9)
    hawks = only(claims, subject="black hawk helicopter")
    assert (hawks.status, hawks.value) == ("updated", 4.0)
    assert "2025-01-29" in hawks.note and "2025-03-04" in hawks.note
    for location in ("northern border", "southern border"):
        seized = only(claims, category="seizure", location=location, unit="kg")
        assert seized.n_documents == 2 and seized.status in ("corroborated", "conflicting")
        assert seized.status == "corroborated" or "disagree" in seized.note
    ratios = compare_claims(facts, claims)
    assert ratios["doc_id"].str[:3].tolist() == ["001", "003"]
    assert ratios["ratio"].round().tolist() == [491, 412]


def test_seed_claims_from_gold_facts():
    check_seed_acceptance(gold_facts())


def test_seed_claims_end_to_end(seed_docs):
    from borderdata import extract_facts

    check_seed_acceptance(extract_facts(list(seed_docs.values())))


# --- many claims: the fast paths agree with the plain loops ---------------------------------


def many_claims(n_facts: int, n_claims: int) -> pd.DataFrame:
    """Perturbed copies of a few hand-made facts: a tag word per claim, values that agree or not."""
    base = [
        fact("x", 1, 1.3e9, "CAD", "border security package", "funding", location="northern border"),
        fact("x", 2, 1.3e9, "CAD", "plan", "funding"),
        fact("x", 3, 19.5, "kg", "fentanyl seized", "seizure", location="northern border", period="2024"),
        fact("x", 4, 50, "lb", "fentanyl", "seizure", qualifier="approx", location="northern border"),
        fact("x", 5, 2, "count", "leased black hawk helicopters", "asset"),
        fact("x", 6, 1, "percent", "illegal crossings", "migration", qualifier="upper_bound"),
        fact("x", 7, 1e4, "count", "lives", "casualty", qualifier="lower_bound"),
    ]
    factors = [1.0, 1.0, 1.002, 1.3, 2.0]
    days = ["", "2025-01-29", "2025-02-01", "2025-03-04", "2025-03-04"]
    rows = []
    for i in range(n_facts):
        claim = i % n_claims
        row = dict(base[claim % len(base)])
        tag = claim // len(base)
        doc = f"m{i // 4:05d}"
        factor = factors[(i // n_claims + claim) % len(factors)]
        row.update(
            fact_id=make_fact_id(doc, 10 + i % 4),
            doc_id=doc,
            source_file=f"{doc}.txt",
            start=10 + i % 4,
            end=15 + i % 4,
            published=days[(2 * (i // n_claims) + claim) % len(days)],
            # Each tagged claim is about its own thing: two tag words it shares with no other claim
            # (subjects that share a word may be one claim when their values agree).
            subject=(
                f"zq{tag:x} zq{tag:x}x".translate(str.maketrans("0123456789", "ghijklmnop"))
                if tag
                else row["subject"]
            ),
            value=row["value"] * factor,
            low=row["low"] * factor,
            high=row["high"] * factor,
        )
        rows.append(row)
    return table(*rows)


def test_many_claims_are_deterministic_and_account_for_every_fact():
    facts = many_claims(6000, 3500)
    claims = build_claims(facts)
    assert len(claims) > 2000 and set(claims["status"]) == set(STATUSES)
    pd.testing.assert_frame_equal(build_claims(facts.sample(frac=1, random_state=0)), claims)
    fact_ids = claims["fact_ids"].str.split(";")
    assert sorted(fact_ids.explode()) == sorted(facts["fact_id"])
    assert fact_ids.map(len).tolist() == claims["n_mentions"].tolist()
    assert claims["doc_ids"].str.split(";").map(len).tolist() == claims["n_documents"].tolist()
    assert claims["claim_id"].is_unique


def test_one_claim_summary_matches_its_slice_of_the_table():
    facts = many_claims(6000, 2500)
    claims = build_claims(facts)
    mentions = prepare_mentions(facts)
    for row in claims.loc[claims["n_mentions"].gt(2)].head(20).itertuples():
        rows = mentions.loc[mentions["fact_id"].isin(row.fact_ids.split(";"))]
        summary = summarise_claim(rows)
        assert (summary["status"], summary["note"], summary["value"]) == (row.status, row.note, row.value)


# --- identity: tables of cases --------------------------------------------------------------

CBP_2024 = "CBP data for fiscal 2024 show the seizures at the northern border."
FALKLAND = "The lab in Falkland held the drugs, the RCMP said."
RCMP_SAID = "The RCMP said the bust mattered."
SPRINT = "Authorities seized the drugs during the National Fentanyl Sprint, the RCMP said."


def pair(a: dict, b: dict) -> pd.DataFrame:
    """Two facts in two documents, ``a`` published first."""
    first = {"published": "2025-01-15", "outlet": "CBC News", **a}
    second = {"published": "2025-02-20", "outlet": "Associated Press", **b}
    return table(
        fact(
            "a",
            1,
            first.pop("value"),
            first.pop("unit"),
            first.pop("subject"),
            first.pop("category"),
            **first,
        ),
        fact(
            "b",
            1,
            second.pop("value"),
            second.pop("unit"),
            second.pop("subject"),
            second.pop("category"),
            **second,
        ),
    )


def seized(value: float, unit: str = "kg", subject: str = "fentanyl seized", **extra) -> dict:
    return {"value": value, "unit": unit, "subject": subject, "category": "seizure", **extra}


MUST_MERGE = {
    "a conversion: 43 lb = 19.5 kg": (
        seized(19.5, location="northern border", period="FY2024", sentence=CBP_2024),
        seized(43, "lb", location="northern border", period="FY2024", sentence=CBP_2024),
    ),
    "a rounding: nearly 500 kg with 479 kg": (
        seized(479, subject="cocaine seized", sentence=FALKLAND),
        seized(500, subject="cocaine", qualifier="approx", sentence=FALKLAND),
    ),
    "some 200 officers with 200": (
        {
            "value": 200,
            "unit": "count",
            "subject": "officers",
            "category": "personnel",
            "location": "Ontario",
        },
        {
            "value": 200,
            "unit": "count",
            "subject": "new officers",
            "category": "personnel",
            "location": "Ontario",
            "qualifier": "approx",
        },
    ),
    "money described in other words": (
        {"value": 1.3e9, "unit": "CAD", "subject": "border security plan", "category": "funding"},
        {"value": 1.3e9, "unit": "CAD", "subject": "", "category": "funding"},
    ),
    "a place stated by one outlet only (goes to review)": (
        seized(54, subject="fentanyl", sentence=FALKLAND),
        seized(54, subject="fentanyl", location="British Columbia"),
    ),
    "a country and a place the gazetteer does not list (goes to review)": (
        seized(95e6, "count", subject="potentially lethal doses", location="Falkland"),
        seized(95e6, "count", subject="doses", location="Canada"),
    ),
    "one sum filed as a seizure and as profits prevented (kindred categories, goes to review)": (
        {
            "value": 4.85e8,
            "unit": "CAD",
            "subject": "profits",
            "category": "enforcement_result",
            "sentence": RCMP_SAID,
        },
        {"value": 4.85e8, "unit": "CAD", "subject": "seizure", "category": "seizure", "sentence": RCMP_SAID},
    ),
}

MUST_MERGE |= {
    "one migration count as a drop in apprehensions and in illegal crossings (goes to review)": (
        {
            "value": 40,
            "unit": "percent",
            "subject": "decrease in the number of apprehensions",
            "category": "migration",
            "period": "2024-06..2024-12",
        },
        {
            "value": 40,
            "unit": "percent",
            "subject": "illegal border crossings",
            "category": "migration",
            "location": "northern border",
        },
    ),
    "encounters and crossers": (
        {
            "value": 19222,
            "unit": "count",
            "subject": "encounters",
            "category": "migration",
            "period": "FY2024",
        },
        {
            "value": 19222,
            "unit": "count",
            "subject": "border crossers",
            "category": "migration",
            "period": "FY2024",
        },
    ),
}

SLAPPED = "Trump slapped Canada with 30 per cent tariffs on all goods and 10 per cent on oil."
THREAT = "He backed down from his 30% tariff threat against both Canada and Mexico for a month."


def tariff(subject: str, sentence: str = "", surface: str = "", value: float = 30) -> dict:
    return {"value": value, "unit": "percent", "subject": subject, "category": "tariff",
            "sentence": sentence, "surface": surface}  # fmt: skip


MUST_MERGE |= {
    "a tariff whose country is the object of 'with' (slapped Canada with ...)": (
        tariff("tariff on canadian goods"),
        tariff("tariffs on all goods", SLAPPED, "30 per cent"),
    ),
    "a threat against two countries and the tariff on one of them": (
        tariff("tariff on canadian goods"),
        tariff("tariff threat", THREAT, "30%"),
    ),
    "a class of goods and one of its members (energy, oil)": (
        tariff("energy", "It exempts energy at 12%.", "12%", value=12),
        tariff("tariffs on oil", "Ottawa faces 12 per cent tariffs on oil and gas.", "12 per cent", value=12),
    ),
    "a figure one outlet's words leave in category other": (
        {"value": 60, "unit": "count", "subject": "new surveillance drones", "category": "asset"},
        {"value": 60, "unit": "count", "subject": "drones", "category": "other"},
    ),
    "a pronoun 'us' is not the United States": (
        tariff("tariff on canadian goods"),
        tariff("tariffs", "They slapped us with 30 per cent tariffs.", "30 per cent"),
    ),
}

MUST_NOT_MERGE = {
    "a tariff on the country named before 'with', and another country's": (
        tariff("tariff on canadian goods"),
        tariff(
            "tariffs on all goods", "Trump hit China with 30 per cent tariffs on all goods.", "30 per cent"
        ),
    ),
    "a class of goods and a good outside it (energy, steel)": (
        tariff("energy", "It exempts energy at 12%.", "12%", value=12),
        tariff("tariffs on steel", "Ottawa faces 12 per cent tariffs on steel.", "12 per cent", value=12),
    ),
    "one class, two countries": (
        tariff("tariff on canadian energy", value=12),
        tariff("retaliatory tariffs on U.S. oil", value=12),
    ),
    "a tariff 'on' another country": (
        tariff("tariff on canadian goods"),
        tariff("tariffs", "The 30% tariffs on Mexico start Tuesday.", "30%"),
    ),
    "apprehensions and asylum claims": (
        {"value": 40, "unit": "percent", "subject": "drop in apprehensions", "category": "migration"},
        {"value": 40, "unit": "percent", "subject": "asylum claims", "category": "migration"},
    ),
    "apprehensions and crossings at two borders": (
        {
            "value": 40,
            "unit": "percent",
            "subject": "apprehensions",
            "category": "migration",
            "location": "southern border",
        },
        {
            "value": 40,
            "unit": "percent",
            "subject": "illegal crossings",
            "category": "migration",
            "location": "northern border",
        },
    ),
    "encounters and crossings in two years": (
        {
            "value": 19222,
            "unit": "count",
            "subject": "encounters",
            "category": "migration",
            "period": "FY2023",
        },
        {
            "value": 19222,
            "unit": "count",
            "subject": "crossings",
            "category": "migration",
            "period": "FY2024",
        },
    ),
    "apprehended people and seized drugs (another category)": (
        {"value": 40, "unit": "count", "subject": "apprehensions", "category": "migration"},
        {"value": 40, "unit": "count", "subject": "seizures", "category": "seizure"},
    ),
    "same drug, different event (values differ)": (
        seized(35, subject="cocaine", sentence=FALKLAND),
        seized(5989, subject="cocaine", sentence=SPRINT),
    ),
    "same drug and value, two named events": (
        seized(13, subject="cocaine", sentence="Operation Blizzard seized the drugs."),
        seized(13, subject="cocaine", sentence="Project Pelican seized the drugs."),
    ),
    "same number, different thing": (
        {"value": 60, "unit": "count", "subject": "new drones", "category": "asset"},
        {"value": 60, "unit": "count", "subject": "new officers", "category": "personnel"},
    ),
    "same number, different subject in one category": (
        {"value": 25, "unit": "percent", "subject": "drop in crossings", "category": "migration"},
        {"value": 25, "unit": "percent", "subject": "asylum claims", "category": "migration"},
    ),
    "an empty period never joins a stated one when values differ": (
        seized(19.5, location="northern border", period="FY2024"),
        seized(30, location="northern border"),
    ),
    "same value, different periods": (
        seized(19.5, location="northern border", period="FY2024"),
        seized(19.5, location="northern border", period="FY2023"),
    ),
    "a one-word subject with no place, period or event": (
        {"value": 51, "unit": "count", "subject": "officers", "category": "personnel"},
        {"value": 1000, "unit": "count", "subject": "officers", "category": "personnel"},
    ),
    "one country's tariff and another's": (
        {"value": 25, "unit": "percent", "subject": "tariff on canadian goods", "category": "tariff"},
        {
            "value": 25,
            "unit": "percent",
            "subject": "retaliatory tariffs on U.S. goods",
            "category": "tariff",
        },
    ),
    "a bound far from the figure it allows": (
        seized(1, "lb", subject="fentanyl", location="northern border", qualifier="lower_bound"),
        seized(43, "lb", subject="fentanyl", location="northern border"),
    ),
    "a bound stated in other units, far from the figure in the compared unit": (
        seized(1, "lb", subject="fentanyl", location="northern border", qualifier="lower_bound"),
        seized(1.73, subject="fentanyl intercepted", location="British Columbia"),
    ),
    "a country and a listed place that may lie elsewhere": (
        seized(95e6, "count", subject="doses", location="Texas"),
        seized(95e6, "count", subject="doses", location="Canada"),
    ),
    "two countries": (
        seized(95e6, "count", subject="doses", location="United States"),
        seized(95e6, "count", subject="doses", location="Canada"),
    ),
    "two places the gazetteer does not list": (
        seized(95e6, "count", subject="doses", location="Falkland"),
        seized(95e6, "count", subject="doses", location="Kelowna"),
    ),
    "kindred categories, a figure that is not specific": (
        {
            "value": 12,
            "unit": "count",
            "subject": "arrests",
            "category": "enforcement_result",
            "sentence": RCMP_SAID,
        },
        {"value": 12, "unit": "count", "subject": "seizures", "category": "seizure", "sentence": RCMP_SAID},
    ),
    "kindred categories, a specific sum with nothing else in common": (
        {"value": 4.85e8, "unit": "CAD", "subject": "profits", "category": "enforcement_result"},
        {"value": 4.85e8, "unit": "CAD", "subject": "seizure", "category": "seizure"},
    ),
    "kindred categories, a specific sum about two things": (
        {
            "value": 4.85e8,
            "unit": "CAD",
            "subject": "profits",
            "category": "enforcement_result",
            "sentence": RCMP_SAID,
        },
        {
            "value": 4.85e8,
            "unit": "CAD",
            "subject": "cocaine seized",
            "category": "seizure",
            "sentence": RCMP_SAID,
        },
    ),
    "a category that is not kindred": (
        {
            "value": 4.85e8,
            "unit": "CAD",
            "subject": "profits",
            "category": "enforcement_result",
            "sentence": RCMP_SAID,
        },
        {"value": 4.85e8, "unit": "CAD", "subject": "funding", "category": "funding", "sentence": RCMP_SAID},
    ),
    "a reference amount with nothing but its subject (category other)": (
        {"value": 1, "unit": "lb", "subject": "fentanyl", "category": "other"},
        {"value": 1, "unit": "lb", "subject": "fentanyl", "category": "other"},
    ),
    "a bound and a figure that share only a modifier": (
        {"value": 4, "unit": "count", "subject": "patrol dogs", "category": "asset"},
        {
            "value": 16,
            "unit": "count",
            "subject": "patrol vehicles",
            "category": "asset",
            "qualifier": "upper_bound",
        },
    ),
}


@pytest.mark.parametrize("case", MUST_MERGE)
def test_pairs_that_must_merge(case):
    claims = build_claims(pair(*MUST_MERGE[case]))
    assert len(claims) == 1 and only(claims).status == "corroborated", case


@pytest.mark.parametrize("case", MUST_NOT_MERGE)
def test_pairs_that_must_not_merge(case):
    claims = build_claims(pair(*MUST_NOT_MERGE[case]))
    assert len(claims) == 2 and set(claims["status"]) == {"single"}, case


UPDATES = {
    "two Black Hawks, then four": (
        {"value": 2, "unit": "count", "subject": "leased black hawk helicopters", "category": "asset"},
        {"value": 4, "unit": "count", "subject": "black hawk helicopters", "category": "asset"},
    ),
    "countries of origin in one sector, a later count": (
        {
            "value": 85,
            "unit": "count",
            "subject": "countries of origin",
            "category": "migration",
            "sentence": "Agents in the Swanton Sector met migrants from the countries.",
        },
        {
            "value": 97,
            "unit": "count",
            "subject": "countries of origin",
            "category": "migration",
            "sentence": "The Swanton Sector now counts migrants from the countries.",
        },
    ),
}


@pytest.mark.parametrize("case", UPDATES)
def test_updates_need_the_same_what_where_and_event_at_a_later_date(case):
    row = only(build_claims(pair(*UPDATES[case])))
    assert row.status == "updated" and row.value == UPDATES[case][1]["value"]
    assert "CBC News (2025-01-15)" in row.note and "Associated Press (2025-02-20)" in row.note


CONFLICTS = {
    "two figures for one period": (
        seized(9570, location="southern border", period="FY2024", sentence=CBP_2024),
        seized(20600, "lb", location="southern border", period="FY2024", sentence=CBP_2024),
    ),
    "about 50 pounds against 19.5 kg, approx ±10%": (
        seized(19.5, location="northern border", period="FY2024"),
        seized(50, "lb", subject="fentanyl", qualifier="approx", location="northern border", period="FY2024"),
    ),
}


@pytest.mark.parametrize("case", CONFLICTS)
def test_conflicts_only_when_every_key_agrees(case):
    row = only(build_claims(pair(*CONFLICTS[case])))
    assert row.status == "conflicting" and "same period FY2024" in row.note
    assert "CBC News (2025-01-15)" in row.note and "a (" not in row.note  # outlets, not file ids


def test_the_note_says_what_about_allows():
    row = only(build_claims(pair(*CONFLICTS["about 50 pounds against 19.5 kg, approx ±10%"])))
    assert "allows 20.4–24.9 kg (approx ±10%)" in row.note and "period FY2024 in" in row.note


# --- anchors ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sentence", "events", "places", "agencies"),
    [
        (
            "Operation Blizzard was a month-long campaign by the CBSA.",
            {"Operation Blizzard"},
            set(),
            {"CBSA"},
        ),
        ("Police seized 386 kg during the National Fentanyl Sprint 2.0.", {"Fentanyl Sprint"}, set(), set()),
        ("The lab, located in Falkland, was the largest, the RCMP said.", set(), {"Falkland"}, {"RCMP"}),
        ("Agents of the Swanton Sector apprehended 15,000.", {"Swanton Sector"}, set(), set()),
        ("U.S. Customs and Border Protection (CBP) figures", set(), set(), {"CBP"}),
        ("Trucks wait at the Ambassador Bridge.", {"Ambassador Bridge"}, set(), set()),
        # must not fire: countries, provinces, months, a bare suffix, lower-case words
        ("Seizures in Canada and in Ontario rose in May.", set(), set(), set()),
        ("The Northern Border Sector broke records.", set(), set(), set()),
        ("the operation seized drugs in a project", set(), set(), set()),
    ],
)
def test_event_anchors(sentence, events, places, agencies):
    found = find_anchors(sentence)
    assert (set(found[0]), set(found[1]), set(found[2])) == (events, places, agencies)


# --- review queue and the analysts' answers -------------------------------------------------


def test_an_unknown_key_goes_to_the_review_queue():
    claims = build_claims(pair(*MUST_MERGE["a place stated by one outlet only (goes to review)"]))
    row = only(claims)
    assert "location British Columbia not stated in CBC News (2025-01-15)" in row.review
    assert "same" in row.review and "split" in row.review
    assert review_queue(claims)["claim_id"].tolist() == [row.claim_id]


def test_a_country_and_an_unlisted_place_go_to_the_review_queue():
    claims = build_claims(
        pair(*MUST_MERGE["a country and a place the gazetteer does not list (goes to review)"])
    )
    assert "locations Canada and Falkland: one may lie in the other" in only(claims).review


def test_kindred_categories_go_to_the_review_queue():
    case = "one sum filed as a seizure and as profits prevented (kindred categories, goes to review)"
    assert (
        "categories differ: enforcement_result, seizure" in only(build_claims(pair(*MUST_MERGE[case]))).review
    )


def test_a_merge_of_equal_keys_needs_no_review():
    row = only(build_claims(pair(*MUST_MERGE["a conversion: 43 lb = 19.5 kg"])))
    assert row.review == "" and row.why == "fentanyl seized; northern border; FY2024; CBP"


@pytest.mark.parametrize(
    ("case", "action", "n_claims"),
    [
        ("a place stated by one outlet only (goes to review)", "split", 2),
        ("same drug and value, two named events", "same", 1),
        ("same drug, different event (values differ)", "same", 1),
    ],
)
def test_analysts_answers_are_applied(case, action, n_claims):
    facts = pair(*(MUST_MERGE | MUST_NOT_MERGE)[case])
    claims = build_claims(facts, decisions=[Decision(action, "a:1", "b:1")])
    assert len(claims) == n_claims


def test_answers_come_from_the_overrides_file(tmp_path):
    from borderdata.overrides import apply_overrides

    path = tmp_path / "overrides.csv"
    path.write_text(
        "fact_id,action,field,value,reason,author,date\n"
        "a:1,split,,b:1,two labs,jd,2025-03-01\n"
        "a:1,same,,gone:9,stale,jd,2025-03-01\n"
        "a:1,same,,,no other fact,jd,2025-03-01\n",
        encoding="utf-8",
    )
    facts = pair(*MUST_MERGE["a place stated by one outlet only (goes to review)"])
    report = apply_overrides(facts, path)
    assert [o.status for o in report.outcomes] == ["applied", "stale", "malformed"]
    assert "gone:9" in report.outcomes[1].message
    assert report.decisions == [Decision("split", "a:1", "b:1")]
    assert len(build_claims(report.facts, decisions=report.decisions)) == 2
    pd.testing.assert_frame_equal(report.facts, facts)  # answers never change the facts


# --- receipts and the fact-to-claim mapping -------------------------------------------------


def test_receipts_name_outlets_titles_dates_and_urls():
    facts = pair(*MUST_MERGE["a conversion: 43 lb = 19.5 kg"])
    documents = pd.DataFrame(
        {"doc_id": ["a", "b"], "title": ["Seizures up", "Czar; goal"], "url": ["https://a.example", ""]}
    )
    row = only(build_claims(facts, documents=documents))
    assert row.outlets == "CBC News | Associated Press"
    assert (row.titles, row.urls) == ("Seizures up | Czar; goal", "https://a.example | ")
    assert row.dates == "2025-01-15 | 2025-02-20" and row.sentences == CBP_2024
    assert (
        only(build_claims(facts)).titles == " | "
    )  # no documents table: titles unknown, still one per document


def test_every_fact_maps_to_its_claim_and_status():
    facts = pd.concat(
        [
            pair(*MUST_MERGE["a conversion: 43 lb = 19.5 kg"]),
            table(fact("c", 1, 7, "count", "cartels", "enforcement_result")),
        ]
    )
    claims = build_claims(facts)
    mapping = claim_of_facts(claims).set_index("fact_id")
    assert sorted(mapping.index) == sorted(facts["fact_id"])
    assert mapping.loc["a:1", "claim_id"] == mapping.loc["b:1", "claim_id"] != mapping.loc["c:1", "claim_id"]
    assert (mapping.loc["a:1", "status"], mapping.loc["c:1", "status"]) == ("corroborated", "single")


# --- scale: repeated figures stay linear ----------------------------------------------------


def repeated_plan(n: int) -> pd.DataFrame:
    """``n`` articles citing "$1.3 billion" in forty wordings, on many dates."""
    wordings = [f"border plan {w}" for w in ("", "security", "package", "funding", "measures")] * 8
    rows = [
        fact(f"d{i:06d}", 5, 1.3e9, "CAD", wordings[i % len(wordings)] + f" {'x' * (i % 8)}".rstrip(),
             "funding", published=f"2025-{1 + i % 12:02d}-{1 + i % 28:02d}")
        for i in range(n)
    ]  # fmt: skip
    return table(*rows)


def test_sixteen_thousand_articles_citing_one_figure_are_linear(monkeypatch):
    import borderdata.claims as claims_module

    calls = {"n": 0}
    real = claims_module.evidence

    def counted(a, b, rules=None):
        calls["n"] += 1
        return real(a, b, rules)

    monkeypatch.setattr(claims_module, "evidence", counted)
    counts = {}
    for n in (2_000, 16_000):
        calls["n"] = 0
        claims = build_claims(repeated_plan(n))
        assert len(claims) == 1 and claims.loc[0, "n_documents"] == n
        counts[n] = calls["n"]
    # Each figure is compared with a bounded number of others: comparisons grow with n, not n².
    assert counts[16_000] <= 8 * counts[2_000] + 100
    assert counts[16_000] <= 16_000 * claims_module.claim_rules().max_candidates


def test_a_commitment_is_dated_when_it_was_announced():
    from borderdata import charts

    facts = pair(
        {"value": 1.3e9, "unit": "CAD", "subject": "border plan", "category": "funding", "period": "2024-12",
         "period_start": "2024-12-01", "period_end": "2024-12-31"},
        {"value": 1.3e9, "unit": "CAD", "subject": "border plan", "category": "funding"},
    )  # fmt: skip
    claims = build_claims(facts)
    assert only(claims).period_start == "2024-12-01"
    assert charts.funding_commitments(claims, facts)["date"].tolist() == ["2024-12-01"]


def test_a_figure_its_own_document_gives_two_things_is_left_alone():
    tariff = {"unit": "percent", "category": "tariff", "published": "2025-02-01", "outlet": "CP"}
    facts = table(
        fact("a", 1, 25, subject="retaliatory tariffs on u.s. goods", **tariff),
        fact("a", 50, 25, subject="tariffs", **tariff),  # which of the two? the words do not say
        fact("a", 90, 25, subject="tariffs on all goods", **tariff),
        fact("b", 1, 25, subject="tariff threat", **tariff),
    )
    claims = build_claims(facts)
    mapping = claim_of_facts(claims).set_index("fact_id")["claim_id"]
    assert mapping["a:50"] not in {mapping["a:1"], mapping["a:90"], mapping["b:1"]}


@pytest.mark.parametrize(
    ("sentence", "surface", "countries"),
    [
        (SLAPPED, "30 per cent", ["Canada"]),
        (THREAT, "30%", ["Canada", "Mexico"]),
        ("A 30% tariff on all imports from Canada starts Tuesday.", "30%", ["Canada"]),
        ("They slapped us with 30 per cent tariffs.", "30 per cent", []),  # a pronoun, not the U.S.
        ("Canada faces 30% tariffs from the U.S. next week.", "30%", []),  # who imposes it, not whom it hits
        ("Canada retaliated against the U.S. with 30 per cent tariffs.", "30 per cent", ["United States"]),
        (
            "Canada imposes its own 30% tariffs on $155 billion worth of U.S. goods.",
            "30%",
            [],
        ),  # money between
        ("Ottawa put 30% tariffs on steel, Canada said.", "30%", []),  # a country beyond the clause
        ("The 30% tariffs on U.S. goods start Tuesday.", "30%", ["United States"]),
    ],
)
def test_the_country_a_tariff_is_imposed_on(sentence, surface, countries):
    start = sentence.index(surface)
    words = claim_rules().countries
    assert sorted(target_countries(sentence, start, start + len(surface), words)) == countries


def test_a_bare_rate_beside_two_countries_rates_joins_neither():
    """One article gives 30 per cent for Canada's tariffs, the U.S.'s and bare "tariffs": the bare one
    could be either, so it joins no other document's claim."""
    said = "Canada imposes its own 30 per cent tariffs after Trump slapped Canada with 30 per cent tariffs."
    rows = [
        fact(
            "a", 1, 30, "percent", "retaliatory tariffs on U.S. goods", "tariff", sentence="Canada hits back."
        ),
        fact("a", 40, 30, "percent", "tariffs", "tariff", sentence=said, surface="30 per cent"),
        fact("a", 99, 30, "percent", "tariffs", "tariff", sentence=said, surface="30 per cent"),
        fact("b", 1, 30, "percent", "tariff on canadian goods", "tariff", published="2025-03-05"),
    ]
    claims = build_claims(table(*rows))
    joined = claims.loc[claims["fact_ids"].str.contains("b:")]
    assert joined["fact_ids"].iloc[0].split(";") == ["a:99", "b:1"]


def test_one_document_never_gives_two_values_of_one_claim():
    blizzard = {
        "unit": "count",
        "category": "seizure",
        "sentence": "Operation Blizzard: 89 pills and 82 pills.",
    }
    claims = build_claims(
        table(fact("a", 1, 89, subject="pills", **blizzard), fact("a", 9, 82, subject="pills", **blizzard))
    )
    assert len(claims) == 2 and set(claims["status"]) == {"single"}


def test_a_running_total_is_updated_by_a_later_article():
    so_far = {
        "location": "northern border",
        "period": "FY2025",
        "period_start": "2024-10-01",
        "period_end": "2025-09-30",
    }
    row = only(build_claims(pair(seized(11.5, **so_far), seized(26, **so_far))))
    assert row.status == "updated" and row.value == 26


def test_a_strict_rules_file_keeps_unknown_keys_apart(tmp_path, monkeypatch):
    from borderdata.claims import CLAIMS_ENV, PACKAGE_RULES

    strict = tmp_path / "claims.toml"
    strict.write_text(
        PACKAGE_RULES.read_text(encoding="utf-8").replace(
            "join_across_unknown = true", "join_across_unknown = false"
        ),
        encoding="utf-8",
    )
    facts = pair(*MUST_MERGE["a place stated by one outlet only (goes to review)"])
    assert len(build_claims(facts)) == 1
    monkeypatch.setenv(CLAIMS_ENV, str(strict))
    assert len(build_claims(facts)) == 2
