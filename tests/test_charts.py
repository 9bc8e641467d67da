"""charts.py: every chart drawn from a small hand-made facts table, and an image baseline per chart.

nbval never compares images, so every chart function is drawn here from fixed
frames and compared pixel by pixel (with a small tolerance) with a PNG under
``tests/baseline_images/``. After a deliberate change to a chart, refresh the
baselines with ``BORDERDATA_UPDATE_BASELINES=1 pytest tests/test_charts.py`` (or
``make baseline``) and look at the new images before committing them. The sample
tables here are shared by ``test_views``, ``test_display``, ``test_report`` and
``test_browser``.
"""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd
import pytest
from matplotlib.testing.compare import compare_images

from borderdata import charts, display, views
from borderdata.claims import compare_claims
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
    fy24 = {"period": "FY2024", "period_start": "2023-10-01", "period_end": "2024-09-30"}
    fy25 = {"period": "FY2025", "period_start": "2024-10-01", "period_end": "2025-02-28"}
    seizure = {"category": "seizure", "subject": "fentanyl seized"}
    rows = [
        fact(
            "a1", "Gazette", "2025-02-10", "12 kilograms", 12, "kg", location=views.NORTH, **seizure, **fy24
        ),
        fact(
            "a1",
            "Gazette",
            "2025-02-10",
            "26 pounds",
            26,
            "lb",
            location=views.NORTH,
            restates="a1:100",
            **seizure,
            **fy24,
        ),
        fact(
            "a1",
            "Gazette",
            "2025-02-10",
            "8,400 kilograms",
            8400,
            "kg",
            location=views.SOUTH,
            **seizure,
            **fy24,
        ),
        fact(
            "b2",
            "Courier",
            "2025-03-15",
            "about 30 pounds",
            30,
            "lb",
            location=views.NORTH,
            qualifier="approx",
            **seizure,
            **fy25,
        ),
        fact(
            "b2",
            "Courier",
            "2025-03-15",
            "18,000 pounds",
            18000,
            "lb",
            location=views.SOUTH,
            **seizure,
            **fy25,
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
            location=views.NORTH,
            qualifier="upper_bound",
            low=float("nan"),
        ),
        fact(
            "a1",
            "Gazette",
            "2025-02-10",
            "three new drones",
            3,
            "count",
            category="asset",
            subject="new drones",
            sentence="Ottawa will fly three new drones this year.",
        ),
        fact(
            "b2",
            "Courier",
            "2025-03-15",
            "six new drones",
            6,
            "count",
            category="asset",
            subject="new drones",
            sentence="Ottawa will fly six new drones this year.",
        ),
        fact(
            "b2",
            "Courier",
            "2025-03-15",
            "2,500 officers",
            2500,
            "count",
            category="personnel",
            subject="RCMP officers",
            sentence="The RCMP boosted its border force to 2,500 officers.",
        ),
        fact(
            "b2",
            "Courier",
            "2025-03-15",
            "two Black Hawk helicopters",
            2,
            "count",
            category="asset",
            subject="leased Black Hawk helicopters",
            sentence="Ottawa leased two Black Hawk helicopters for the border.",
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
            "url": ["https://www.gazette.example/seizures", "", "https://news.example.org/money?a=1&b=2"],
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


# --------------------------------------------------------------------------- what the charts say


def seizures(unit: str = "kg") -> pd.DataFrame:
    return views.mass_seizures(sample_facts(), unit)


def comparisons() -> pd.DataFrame:
    facts = sample_facts()
    return views.seizure_comparisons(
        compare_claims(views.counted_once(facts)), views.mass_seizures(facts, "kg")
    )


def tick_labels(fig) -> list[str]:
    return [t.get_text() for ax in fig.axes for t in ax.get_yticklabels()]


def test_every_seizure_bar_names_its_period():
    labels = tick_labels(charts.border_seizures_chart(seizures(), "kg", comparisons()))
    assert len(labels) == 4
    assert all(
        "FY2024" in label.replace("\n", " ") or "FY2025" in label.replace("\n", " ") for label in labels
    )


def test_seizure_chart_annotates_the_library_ratio():
    fig = charts.border_seizures_chart(seizures(), "kg", comparisons())
    texts = [t.get_text() for t in fig.axes[0].texts]
    assert "southern ÷ northern ≈ 700×" in texts


def test_time_series_only_with_more_than_one_period():
    series = views.seizure_series(seizures())
    fig = charts.seizure_series_chart(series, "kg")
    assert [line.get_label() for line in fig.axes[0].get_lines()] == [views.NORTH, views.SOUTH]
    one = views.seizure_series(seizures().loc[lambda d: d["period"].eq("FY2024")])
    assert not charts.seizure_series_chart(one, "kg").axes[0].get_lines()


def test_asset_chart_keeps_totals_apart_from_new_deployments():
    latest = views.latest_counts(views.asset_counts(sample_facts()))
    fig = charts.asset_counts_chart(latest)
    titles = [ax.get_title(loc="left").replace("\n", " ") for ax in fig.axes]
    assert titles[0].startswith("Totals") and titles[1].startswith("New deployments")
    assert not any(ax.get_xscale() == "log" for ax in fig.axes)
    total_labels = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    assert total_labels == ["RCMP officer"]
    assert "Black Hawk helicopter" in [t.get_text().replace("\n", " ") for t in fig.axes[1].get_yticklabels()]
    assert "went" not in fig.get_suptitle()


def test_labels_are_wrapped_never_cut():
    label = charts.wrap_label("handheld chemical analysis detection devices at ports of entry", 20)
    assert (
        "…" not in label
        and label.replace("\n", " ") == "handheld chemical analysis detection devices at ports of entry"
    )


def test_chart_notes_name_domain_or_title_when_the_outlet_is_unknown():
    facts = views.attach_sources(sample_facts(), sample_documents())
    per_document = views.facts_per_document(facts, sample_documents())
    note = charts.facts_by_category_chart(per_document).texts[-1].get_text()
    assert "news.example.org, 2025-04-01" in note and "not stated" not in note


def test_dollar_signs_in_labels_are_text_not_mathtext():
    commitments = sample_commitments().assign(program=["$1 and $2", "a $ b", "$x^2$"])
    fig = charts.funding_timeline_chart(commitments, "CAD")
    assert display.to_png(fig).startswith(b"\x89PNG")


def test_png_and_svg_bytes_are_stable():
    draw = lambda: charts.border_seizures_chart(seizures(), "kg", comparisons())  # noqa: E731
    assert display.to_png(draw()) == display.to_png(draw())
    assert display.to_svg(draw()) == display.to_svg(draw())
    assert b"<dc:date>" not in display.to_svg(draw())


def test_axis_labels_follow_the_units():
    kg = charts.border_seizures_chart(seizures("kg"), "kg")
    lb = charts.border_seizures_chart(seizures("lb"), "lb")
    assert "kg" in display.figure_labels(kg)["xlabel"] and "lb" in display.figure_labels(lb)["xlabel"]
    usd = sample_commitments().rename(columns={"amount (CAD)": "amount (USD)"})
    assert "USD" in display.figure_labels(charts.funding_timeline_chart(usd, "USD"))["ylabel"]


# --------------------------------------------------------------------------- image baselines


def chart_cases() -> dict[str, object]:
    facts = sample_facts()
    documents = sample_documents()
    return {
        "facts_by_category_chart": lambda: charts.facts_by_category_chart(
            views.facts_per_document(views.attach_sources(facts, documents), documents)
        ),
        "border_seizures_chart": lambda: charts.border_seizures_chart(seizures("kg"), "kg", comparisons()),
        "border_seizures_chart_lb": lambda: charts.border_seizures_chart(seizures("lb"), "lb", comparisons()),
        "seizure_series_chart": lambda: charts.seizure_series_chart(views.seizure_series(seizures()), "kg"),
        "funding_timeline_chart": lambda: charts.funding_timeline_chart(sample_commitments(), "CAD"),
        "asset_counts_chart": lambda: charts.asset_counts_chart(
            views.latest_counts(views.asset_counts(facts))
        ),
        "claims_status_chart": lambda: charts.claims_status_chart(sample_status()),
        "empty_chart": lambda: charts.border_seizures_chart(views.mass_seizures(facts.iloc[:0], "kg"), "kg"),
    }


def test_every_chart_function_has_a_baseline():
    drawn = {name.removesuffix("_lb") for name in chart_cases()}
    assert {f.__name__ for f in charts.CHARTS} <= drawn


@pytest.mark.parametrize("name", list(chart_cases()))
def test_chart_matches_baseline(name, tmp_path):
    png = display.to_png(chart_cases()[name]())
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
