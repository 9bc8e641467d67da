"""views.py: the tidy tables behind charts and pages, on the hand-made sample of ``test_charts``."""

from __future__ import annotations

import pandas as pd
import pytest

from borderdata import views
from borderdata.claims import normalise_subject
from tests.test_charts import sample_documents, sample_facts


def test_mass_seizures_convert_and_count_a_restated_figure_once():
    kg = views.mass_seizures(sample_facts(), "kg")
    lb = views.mass_seizures(sample_facts(), "lb")
    assert "amount (kg)" in kg and "amount (lb)" in lb
    assert len(kg) == 4  # "26 pounds" restates "12 kilograms": one bar, not two
    assert "26 pounds" not in set(kg["stated"])
    assert lb["amount (lb)"].iloc[0] == pytest.approx(12 * 2.20462, rel=1e-4)
    assert kg.loc[lambda d: d["stated"].eq("about 30 pounds"), "amount (kg)"].item() == pytest.approx(
        13.6078, 1e-4
    )
    assert set(kg["period"]) == {"FY2024", "FY2025"}


def test_seizure_series_has_one_point_per_period_and_border():
    series = views.seizure_series(views.mass_seizures(sample_facts(), "kg"))
    assert list(zip(series["period"], series["location"], strict=True)) == [
        ("FY2024", views.NORTH),
        ("FY2024", views.SOUTH),
        ("FY2025", views.NORTH),
        ("FY2025", views.SOUTH),
    ]
    assert views.has_time_series(series)
    assert not views.has_time_series(series.loc[series["period"].eq("FY2024")])


def test_period_label_says_when_it_is_missing():
    assert views.period_label("FY2024", "2023-10-01", "2024-09-30") == "FY2024 (2023-10-01 to 2024-09-30)"
    assert views.period_label("", "", "") == views.NO_PERIOD


def test_share_claims_keep_bounded_northern_percentages():
    assert views.share_claims(sample_facts())["bound"].tolist() == ["< 2%"]


def test_asset_types_use_the_claims_normaliser_and_the_articles_case():
    assets = views.asset_counts(sample_facts())
    assert set(assets["type"]) == {"drone", "RCMP officer", "tower", "Black Hawk helicopter"}
    assert views.asset_type("RCMP officers") == normalise_subject("RCMP officers")
    kinds = assets.set_index("stated")["kind"]
    assert kinds["2,500 officers"] == "total" and kinds["six new drones"] == "new"
    assert kinds["two Black Hawk helicopters"] == "new" and kinds["40 surveillance towers"] == "stated"


@pytest.mark.parametrize(
    ("sentence", "surface", "kind"),
    [
        ("Ottawa boosted the force to 10,000 officers.", "10,000 officers", "total"),
        ("The fleet now has 4 helicopters.", "4 helicopters", "total"),
        ("There are a total of 12 towers.", "12 towers", "total"),
        ("They will deploy 60 officers.", "60 officers", "new"),
        ("It bought 2 new helicopters.", "2 new helicopters", "new"),
        ("Ottawa has two leased Black Hawk helicopters.", "two leased Black Hawk helicopters", "new"),
        ("Up to 500 officers could go.", "500 officers", "stated"),
        ("They sent up to 500 officers.", "500 officers", "stated"),
        ("The border has 40 towers.", "40 towers", "stated"),
    ],
)
def test_count_kind(sentence, surface, kind):
    assert views.count_kind(sentence, surface) == kind


def test_count_changes_collapse_unchanged_restatements():
    assets = pd.DataFrame(
        {
            "type": ["drone"] * 3,
            "kind": ["new"] * 3,
            "published": ["2025-01-01", "2025-02-01", "2025-03-01"],
            "count": [2.0, 2.0, 4.0],
        }
    )
    assert views.count_changes(assets)["counts"].tolist() == ["2 → 4"]
    changes = views.count_changes(views.asset_counts(sample_facts()))
    assert changes.set_index("type").loc["drone", "counts"] == "3 → 6"


def test_sources_fall_back_to_domain_then_title():
    assert views.source_name("CBC", "https://x.org") == "CBC"
    assert views.source_name("", "https://www.x.org/a") == "x.org"
    assert views.source_name("", "", "A title") == '"A title"'
    assert views.source_name("", "", "") == views.NO_SOURCE
    facts = views.attach_sources(sample_facts(), sample_documents())
    note = views.sources_note(facts)
    assert "news.example.org, 2025-04-01" in note and "Gazette, 2025-02-10" in note


def test_sources_used_lists_every_article_with_its_link():
    used = views.sources_used(sample_documents(), sample_facts())
    assert used["url"].tolist() == [
        "https://www.gazette.example/seizures",
        "",
        "https://news.example.org/money?a=1&b=2",
    ]
    assert used["source"].tolist() == ["Gazette", "Courier", "news.example.org"]


def test_claim_notes_name_sources_not_file_ids():
    claims = pd.DataFrame({"note": ["a1 and b2 agree"], "status": ["corroborated"]})
    named = views.claim_notes_named(claims, sample_documents())
    assert named["note"].item() == "Gazette, 2025-02-10 and Courier, 2025-03-15 agree"


def test_period_filter_keeps_undated_rows():
    facts = sample_facts().assign(published=lambda d: d["published"].where(d["doc_id"].ne("c3"), ""))
    kept = views.in_period(facts, "2025-03-01", "2025-12-31")
    assert set(kept["doc_id"]) == {"b2", "c3"}


def test_validate_facts_counts_failures():
    facts = sample_facts()
    facts.loc[0, "low"] = 99
    checks = views.validate_facts(facts).set_index("check")["rows failing"]
    assert checks["low <= value <= high"] == 1
    assert checks.drop("low <= value <= high").eq(0).all()


def test_money_only_through_the_given_rate():
    assert views.money_in(100, "CAD", "USD", 0.7) == pytest.approx(70)
    assert views.money_in(70, "USD", "CAD", 0.7) == pytest.approx(100)
    assert views.money_in(5, "CAD", "CAD", 0.7) == 5
    assert views.rates_for("CAD", 0.5) == {"USD": 2.0}


def test_conversion_note_prints_the_rate_date_given():
    assert "(2024-11-01)" in views.conversion_note("USD", 0.72, "2024-11-01")


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"mass_unit": "stone"}, "mass_unit"),
        ({"currency": "EUR"}, "currency"),
        ({"usd_per_cad": 0}, "usd_per_cad"),
    ],
)
def test_bad_parameters_are_named(kwargs, message):
    with pytest.raises(ValueError, match=message):
        views.check_parameters(**kwargs)


def test_tables_folder_follows_the_environment(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv(views.TABLES_ENV, raising=False)
    assert views.tables_folder("") == views.PROJECT_ROOT / "data" / "processed"
    monkeypatch.setenv(views.TABLES_ENV, str(tmp_path))
    assert views.tables_folder("") == tmp_path.resolve()
    assert views.tables_folder("data/x") == views.PROJECT_ROOT / "data" / "x"


def test_report_tables_never_starts_an_extraction(tmp_path, monkeypatch):
    from borderdata import pipeline

    def refuse(*args, **kwargs):
        raise AssertionError("a view started the data step")

    monkeypatch.setattr(pipeline, "run_data", refuse)
    tables = views.report_tables(str(tmp_path))  # an empty folder: nothing to read, nothing run
    assert tables["facts"].empty


def test_ratio_table_names_sources_like_the_charts():
    from borderdata.claims import compare_claims

    facts = views.attach_sources(sample_facts(), sample_documents())
    table = views.ratio_table(compare_claims(views.counted_once(facts)), facts)
    assert table["source"].tolist() == ["Gazette, 2025-02-10", "Courier, 2025-03-15"]
    assert table["ratio"].round().tolist() == [700, 600]
