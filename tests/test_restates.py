"""Mentions that state a quantity already stated: conversions and headlines (borderdata.restates)."""

from __future__ import annotations

import pytest

from borderdata import extract_text
from borderdata.restates import headline_end, same_quantity


def restated(text: str) -> list[tuple[str, str]]:
    """(surface, surface of the mention it restates) for every restating row of ``text``."""
    facts = extract_text(text, doc_id="d")
    surface = dict(zip(facts["fact_id"], facts["surface"], strict=True))
    return [(s, surface[r]) for s, r in zip(facts["surface"], facts["restates"], strict=True) if r]


MUST_RESTATE = [
    ("The agency seized 19.5 kilograms (43 pounds) of fentanyl at the northern border last year.",
     [("43 pounds", "19.5 kilograms")]),
    ("That compares to 9,570 kilograms (21,098 pounds) at the southwestern border.",
     [("21,098 pounds", "9,570 kilograms")]),
    ("One pound of fentanyl, or 0.45 kilograms, is enough to kill more than 200,000 people.",
     [("0.45 kilograms", "One pound")]),
    ("Police seized nearly 500 kilograms (1,102 pounds) of drugs.",
     [("1,102 pounds", "nearly 500 kilograms")]),
    ("The wall runs 100 kilometres (62 miles) along the river.", [("62 miles", "100 kilometres")]),
    ("Budget to fund 1,000 new CBSA officers\nOttawa will hire 1,000 more Canada Border Services Agency "
     "officers, the minister said.",
     [("1,000 more Canada Border Services Agency officers", "1,000 new CBSA officers")]),
]  # fmt: skip


@pytest.mark.parametrize("text,expected", MUST_RESTATE)
def test_a_restatement_points_at_the_first_mention(text, expected):
    got = restated(text)
    assert [(a.split()[0], b.split()[0]) for a, b in got] == [
        (a.split()[0], b.split()[0]) for a, b in expected
    ]


MUST_NOT_RESTATE = [
    "Agents seized 19.5 kilograms (about 20 pounds of cocaine) at the border.",  # 19.5 kg is 43 lb
    "It seized six or seven kilograms of fentanyl.",  # alternatives, same unit
    "The plan costs $1.3 billion (US$900 million).",  # two currencies: no rate, no restatement
    "It seized 45 handguns, 21 rifles and 45 kilograms of cocaine.",
    # the headline's figure is about something else in the body
    "Budget to fund 1,000 new CBSA officers\nThe RCMP will also hire 150 staffers and 1,000 cadets "
    "next year.",
    # a body with no headline: repeats in the body are left to claims
    "Ottawa will hire 1,000 officers. The 1,000 officers start in May.",
]


@pytest.mark.parametrize("text", MUST_NOT_RESTATE)
def test_figures_that_are_not_restatements(text):
    assert restated(text) == []


def test_headline_ends_at_the_first_line_with_a_full_stop():
    text = "Canada\nTrudeau announces 25 per cent tariffs\nCanada is imposing 25 per cent tariffs.\nMore."
    assert text[: headline_end(text, [(0, len(text))])] == "Canada\nTrudeau announces 25 per cent tariffs\n"
    assert headline_end("No headline here.\nBody.", [(0, 23)]) == 0


@pytest.mark.parametrize(
    "a,b,same",
    [((19.5, "kg"), (43, "lb"), True), ((9570, "kg"), (21098, "lb"), True), ((1, "lb"), (0.45, "kg"), True),
     ((19.5, "kg"), (20, "lb"), False), ((1.3e9, "CAD"), (9e8, "USD"), False),
     ((25, "percent"), (25, "kg"), False)],
)  # fmt: skip
def test_same_quantity_through_pint_within_rounding(a, b, same):
    row = lambda v: {"value": v[0], "unit": v[1], "qualifier": "exact"}  # noqa: E731
    assert same_quantity(row(a), row(b)) is same
