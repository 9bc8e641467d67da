"""charts.py: the shapers on a small hand-made facts table, escaping, and an image baseline per chart.

nbval never compares images, so every chart function is drawn here from fixed
frames and compared pixel by pixel (with a small tolerance) with a PNG under
``tests/baseline_images/``. After a deliberate change to a chart, refresh the
baselines with ``BORDERDATA_UPDATE_BASELINES=1 pytest tests/test_charts.py`` and
look at the new images before committing them.
"""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd
import pytest
from matplotlib.testing.compare import compare_images

from borderdata import charts
from borderdata.schema import conform_facts, make_fact_id

BASELINES = Path(__file__).parent / "baseline_images"
UPDATE = os.environ.get("BORDERDATA_UPDATE_BASELINES") == "1"
TOLERANCE = 2.0  # RMS difference on 0-255 pixels: font hinting noise, not a changed chart

HOSTILE = '<script>document.title="pwned"</script><img src=x onerror="document.title=\'pwned\'">'


def fact(doc: str, outlet: str, published: str, surface: str, value: float, unit: str, **extra) -> dict:
    """One facts-table row; the sentence contains the surface so it can be highlighted."""
    sentence = extra.pop("sentence", f"Officials said {surface} this year.")
    start = 100 + len(surface)
    return {
        "doc_id": doc,
        "source_file": f"{doc}.txt",
        "outlet": outlet,
        "published": published,
        "start": start,
        "end": start + len(surface),
        "surface": surface,
        "value": value,
        "low": value,
        "high": value,
        "unit": unit,
        "qualifier": "exact",
        "sentence": sentence,
        **extra,
    }


def sample_facts() -> pd.DataFrame:
    """Made-up facts from three made-up outlets, shaped like the extractor's output."""
    rows = [
        fact(
            "a1",
            "Gazette",
            "2025-02-10",
            "12 kilograms",
            12,
            "kg",
            category="seizure",
            subject="fentanyl seized",
            location=charts.NORTH,
        ),
        fact(
            "a1",
            "Gazette",
            "2025-02-10",
            "8,400 kilograms",
            8400,
            "kg",
            category="seizure",
            subject="fentanyl seized",
            location=charts.SOUTH,
        ),
        fact(
            "b2",
            "Courier",
            "2025-03-15",
            "about 30 pounds",
            30,
            "lb",
            category="seizure",
            subject="fentanyl",
            location=charts.NORTH,
            qualifier="approx",
        ),
        fact(
            "b2",
            "Courier",
            "2025-03-15",
            "18,000 pounds",
            18000,
            "lb",
            category="seizure",
            subject="fentanyl",
            location=charts.SOUTH,
        ),
        fact(
            "b2",
            "Courier",
            "2025-03-15",
            "less than 2%",
            2,
            "percent",
            category="seizure",
            subject="fentanyl",
            location=charts.NORTH,
            qualifier="upper_bound",
            low=float("nan"),
        ),
        fact("a1", "Gazette", "2025-02-10", "three drones", 3, "count", category="asset", subject="drones"),
        fact(
            "b2",
            "Courier",
            "2025-03-15",
            "six new drones",
            6,
            "count",
            category="asset",
            subject="new drones",
        ),
        fact(
            "b2",
            "Courier",
            "2025-03-15",
            "2,500 officers",
            2500,
            "count",
            category="personnel",
            subject="officers",
        ),
        fact(
            "c3",
            "",
            "2025-04-01",
            "40 surveillance towers",
            40,
            "count",
            category="asset",
            subject="surveillance towers",
        ),
        fact(
            "c3",
            "",
            "2025-04-01",
            "$2 billion",
            2e9,
            "CAD",
            category="funding",
            subject="border plan",
            sentence=f"A $2 billion plan and a $5 fund. {HOSTILE}",
        ),
    ]
    return conform_facts(
        pd.DataFrame(rows).assign(
            start=lambda d: [100 * (i + 1) for i in range(len(d))],
            end=lambda d: d["start"] + d["surface"].str.len(),
            fact_id=lambda d: [make_fact_id(doc, s) for doc, s in zip(d["doc_id"], d["start"], strict=True)],
        )
    )


def sample_documents() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "doc_id": ["a1", "b2", "c3"],
            "outlet": ["Gazette", "Courier", ""],
            "published": ["2025-02-10", "2025-03-15", "2025-04-01"],
            "title": ["Seizures up", HOSTILE, "Money for the border"],
            "n_chars": ["1200", "3400", "800"],
        }
    )


def sample_commitments() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "date": ["2024-12-17", "2025-02-03", "2025-03-04"],
            "program": ["border plan", "fentanyl czar office", "$ for organized crime"],
            "amount (CAD)": [1.3e9, 2e8, 5e8],
            "outlet": ["Gazette", "Courier", ""],
            "published": ["2024-12-17", "2025-02-03", "2025-03-04"],
        }
    )


def sample_status() -> pd.DataFrame:
    return pd.DataFrame(
        {"status": ["corroborated", "updated", "conflicting", "single"], "claims": [4, 2, 1, 9]}
    )


# --------------------------------------------------------------------------- shapers


def test_mass_seizures_converts_to_the_chosen_unit():
    kg = charts.mass_seizures(sample_facts(), "kg")
    lb = charts.mass_seizures(sample_facts(), "lb")
    assert "amount (kg)" in kg and "amount (lb)" in lb
    assert len(kg) == 4
    assert lb["amount (lb)"].iloc[0] == pytest.approx(12 * 2.20462, rel=1e-4)
    assert kg.loc[lambda d: d["stated"].eq("about 30 pounds"), "amount (kg)"].item() == pytest.approx(
        13.6078, 1e-4
    )


def test_border_ratios_per_source():
    ratios = charts.border_ratios(charts.mass_seizures(sample_facts(), "kg"))
    assert list(ratios["source"]) == ["Gazette, 2025-02-10", "Courier, 2025-03-15"]
    assert ratios["ratio"].tolist() == pytest.approx([700, 600])


def test_share_claims_keep_bounded_northern_percentages():
    shares = charts.share_claims(sample_facts())
    assert shares["bound"].tolist() == ["< 2%"]


def test_asset_types_merge_synonyms_and_show_changes():
    assets = charts.asset_counts(sample_facts())
    assert set(assets["subject"]) == {"drone", "officer", "tower"}
    changes = charts.count_changes(assets)
    assert changes.set_index("subject").loc["drone", "counts"] == "3 → 6"
    latest = charts.latest_counts(assets)
    assert latest["subject"].tolist() == ["officer", "tower", "drone"]


def test_period_filter_keeps_undated_rows():
    facts = sample_facts().assign(published=lambda d: d["published"].where(d["doc_id"].ne("c3"), ""))
    kept = charts.in_period(facts, "2025-03-01", "2025-12-31")
    assert set(kept["doc_id"]) == {"b2", "c3"}


def test_validate_facts_counts_failures():
    facts = sample_facts()
    facts.loc[0, "low"] = 99
    checks = charts.validate_facts(facts).set_index("check")["rows failing"]
    assert checks["low <= value <= high"] == 1
    assert checks.drop("low <= value <= high").eq(0).all()


def test_money_only_through_the_given_rate():
    assert charts.money_in(100, "CAD", "USD", 0.7) == pytest.approx(70)
    assert charts.money_in(70, "USD", "CAD", 0.7) == pytest.approx(100)
    assert charts.money_in(5, "CAD", "CAD", 0.7) == 5


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
        charts.check_parameters(**kwargs)


def test_sources_note_names_outlets_and_dates():
    note = charts.sources_note(charts.mass_seizures(sample_facts(), "kg"))
    assert note == "Sources: Gazette, 2025-02-10; Courier, 2025-03-15"


def test_project_path_ignores_the_working_directory(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert charts.project_path("data/processed") == charts.PROJECT_ROOT / "data" / "processed"
    assert charts.project_path(tmp_path) == tmp_path.resolve()


# --------------------------------------------------------------------------- untrusted text


def test_tables_escape_article_text_and_shield_dollars_from_mathjax():
    page = charts.highlighted_facts(sample_facts())._repr_html_()
    assert "<script>" not in page and "<img" not in page
    assert "&lt;script&gt;" in page and "onerror=&quot;" in page
    assert "<mark>$2 billion</mark>" in page
    assert page.startswith('<div class="borderdata-table tex2jax_ignore mathjax_ignore">')


def test_safe_table_plain_repr_has_no_addresses():
    table = charts.show_table(sample_documents())
    assert " at 0x" not in repr(table)
    assert "&lt;script&gt;" in table._repr_html_()


def test_dollar_signs_in_labels_are_text_not_mathtext():
    commitments = sample_commitments().assign(program=["$1 and $2", "a $ b", "$x^2$"])
    fig = charts.funding_timeline_chart(commitments, "CAD")
    assert charts.to_png(fig).startswith(b"\x89PNG")


def test_png_bytes_are_stable():
    seizures = charts.mass_seizures(sample_facts(), "kg")
    first = charts.to_png(charts.border_seizures_chart(seizures, "kg"))
    second = charts.to_png(charts.border_seizures_chart(seizures, "kg"))
    assert first == second


def test_axis_labels_follow_the_units():
    kg = charts.border_seizures_chart(charts.mass_seizures(sample_facts(), "kg"), "kg")
    lb = charts.border_seizures_chart(charts.mass_seizures(sample_facts(), "lb"), "lb")
    assert "kg" in charts.figure_labels(kg)["xlabel"] and "lb" in charts.figure_labels(lb)["xlabel"]
    usd = sample_commitments().rename(columns={"amount (CAD)": "amount (USD)"})
    assert "USD" in charts.figure_labels(charts.funding_timeline_chart(usd, "USD"))["ylabel"]


# --------------------------------------------------------------------------- image baselines


def chart_cases() -> dict[str, object]:
    facts = sample_facts()
    return {
        "facts_by_category_chart": lambda: charts.facts_by_category_chart(
            charts.facts_per_document(facts, sample_documents())
        ),
        "border_seizures_chart": lambda: charts.border_seizures_chart(
            charts.mass_seizures(facts, "kg"), "kg"
        ),
        "border_seizures_chart_lb": lambda: charts.border_seizures_chart(
            charts.mass_seizures(facts, "lb"), "lb"
        ),
        "funding_timeline_chart": lambda: charts.funding_timeline_chart(sample_commitments(), "CAD"),
        "asset_counts_chart": lambda: charts.asset_counts_chart(
            charts.latest_counts(charts.asset_counts(facts))
        ),
        "claims_status_chart": lambda: charts.claims_status_chart(sample_status()),
        "verdicts_chart": lambda: charts.verdicts_chart(
            pd.DataFrame(
                {
                    "verdict": ["corroborated", "updated", "conflicting", "new", "review"],
                    "figures": [5, 1, 1, 8, 0],
                }
            ),
            "Sources: CBC News, 2025-01-15",
        ),
        "empty_chart": lambda: charts.border_seizures_chart(charts.mass_seizures(facts.iloc[:0], "kg"), "kg"),
    }


def test_every_chart_function_has_a_baseline():
    drawn = {name.removesuffix("_lb") for name in chart_cases()}
    assert {f.__name__ for f in charts.CHARTS} <= drawn


@pytest.mark.parametrize("name", list(chart_cases()))
def test_chart_matches_baseline(name, tmp_path):
    png = charts.to_png(chart_cases()[name]())
    baseline = BASELINES / f"{name}.png"
    if UPDATE or not baseline.is_file():
        BASELINES.mkdir(exist_ok=True)
        baseline.write_bytes(png)
        if not UPDATE:
            pytest.fail(f"no baseline for {name}: wrote {baseline}; look at it and commit it")
    actual = tmp_path / f"{name}.png"
    actual.write_bytes(png)
    result = compare_images(str(baseline), str(actual), tol=TOLERANCE, in_decorator=True)
    assert result is None, f"{name} differs from {baseline}: {result}"
