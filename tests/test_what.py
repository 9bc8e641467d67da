"""What a number counts: subjects and categories from the grammar around it, each rule a table.

Every row is a sentence the rule must handle (border sentences first); the rows marked "must
not" show where the rule has to stay silent.
"""

from __future__ import annotations

import pytest

from borderdata import extract_text
from borderdata.subject import noun_phrase_after
from borderdata.taxonomy import head_noun, lemma


def facts_of(text: str) -> list[tuple[str, float, str, str]]:
    facts = extract_text(text)
    return list(zip(facts["surface"], facts["value"], facts["subject"], facts["category"], strict=True))


def fact_at(text: str, surface: str) -> tuple[str, str]:
    """(subject, category) of the fact whose surface starts with ``surface``."""
    facts = extract_text(text)
    row = facts.loc[facts["surface"].str.startswith(surface)].iloc[0]
    return row["subject"], row["category"]


# --- noun phrases: the head noun, not a fragment -------------------------------------------------

NOUN_PHRASES = [
    (" more Canada Border Services Agency officers to", "more canada border services agency officers"),
    (" U.S. Army battalions.", "u.s. army battalions"),
    (" total officers to be deployed", "officers"),
    (" Northbound unauthorized border crossings and", "northbound unauthorized border crossings"),
    (" largest trading partners in", "largest trading partners"),
    (" “seizure events” in April", "seizure events"),
    (" narcotics analyzers.", "narcotics analyzers"),
    # must not: a participle after the noun ends the phrase; a participle alone is no noun
    (" officers patrolling the border", "officers"),
    (" migrants crossed the border", "migrants"),
    (" involved in the export", ""),
]


@pytest.mark.parametrize(("text", "phrase"), NOUN_PHRASES)
def test_noun_phrase_after(text, phrase):
    assert noun_phrase_after(text, 0, len(text))[0] == phrase


# --- subjects from the sentence --------------------------------------------------------------------

SUBJECTS = [
    # of-phrase, also past a conversion in parentheses
    ("Police seized 54 kg of fentanyl.", "54 kg", "fentanyl"),
    ("CBP seized 19.5 kilograms (43 pounds) of fentanyl.", "43 pounds", "fentanyl"),
    # a mass with no noun takes the substance named before it, in this sentence or an earlier one
    (
        "Agents seized 19.5 kilograms of fentanyl. That compares to 9,570 kilograms at the southern border.",
        "9,570",
        "fentanyl",
    ),
    (
        "A total of 116 fentanyl shipments were seized, including 1.73 kilograms intercepted in B.C.",
        "1.73",
        "fentanyl intercepted",
    ),
    # quoted nouns, partitives, ellipsis and lists
    ('There were seven "seizure events" in April and five in May.', "five", "seizure events"),
    ("To date, nine of these guns have been identified as stolen.", "nine", "guns"),
    ("Police seized 45 handguns, 21 rifles and ammunition.", "21", "rifles"),
    # a subject before the number
    ("Apprehensions rose to 19,222 last year.", "19,222", "apprehensions"),
    ("Illegal crossings from Canada are down 89 per cent since last summer.", "89", "illegal crossings"),
    ("In one year countries of origin increased to 85.", "85", "countries of origin"),
    # parentheses after a noun, shares and multiples
    ("Most of the methamphetamine (51 per cent) was seized in B.C.", "51", "methamphetamine"),
    ("17 meth seizures (5.38 kilograms and 89 pills) were made.", "5.38", "meth seized"),
    ("Of those, 67.5 per cent were illegal narcotics.", "67.5", "illegal narcotics"),
    ("Mexico seized 400 tons of meth, about 12 times what it seized before.", "about 12", "meth"),
    # money: what it is in, for or worth
    ("Ottawa introduced $1.3 billion in spending.", "$1.3", "spending"),
    ("Police found $500,000 in cash.", "$500,000", "cash"),
    ("Canada imposes tariffs on $155 billion worth of U.S. goods.", "$155", "u.s. goods"),
    ("Ottawa will boost the stipend for recruits, lifting it from $125 to $525 a week.", "$125", "stipend"),
    # people and what happened to them
    ("Police reported 217 individuals arrested for trafficking.", "217", "individuals arrested"),
    # spans of time are periods; a measure used as an adjective measures the noun after it
    ("The U.S. captured 19.5 kilograms over the 12 previous months.", "12 previous months", "period"),
    ("It patrols the 8,891-kilometre border.", "8,891-kilometre", "border"),
    # must not: a conversion is no antecedent; a number in an unrelated clause keeps its own noun
    ("That compares to 9,570 kilograms (21,098 pounds) at the border.", "21,098", ""),
]


@pytest.mark.parametrize(("text", "surface", "subject"), SUBJECTS)
def test_subject(text, surface, subject):
    found, _ = fact_at(text, surface)
    assert found.startswith(subject) if subject else found == "", found


# --- categories from the head noun, the verb and what is said of the amount -----------------------

CATEGORIES = [
    ("Agents apprehended 15,000 foreign nationals from 85 countries.", "15,000", "migration"),
    ("Agents apprehended 15,000 foreign nationals from 85 countries.", "85", "migration"),
    ("Only one person has been arrested and charged.", "one", "enforcement_result"),
    ("Police reported 217 individuals arrested for trafficking.", "217", "enforcement_result"),
    ("The province assigned 20 Alberta Sheriffs to the team.", "20", "personnel"),
    ("Ottawa will hire 1,000 more Canada Border Services Agency officers.", "1,000", "personnel"),
    ("It will buy four narcotics analyzers and one mobile command unit.", "four", "asset"),
    ("It will buy four narcotics analyzers and one mobile command unit.", "one", "asset"),
    ("The government has deployed 60 new drones.", "60", "asset"),
    ("Canada is imposing 25 per cent tariffs on $155 billion worth of U.S. goods.", "$155", "tariff"),
    ("The bust prevented an estimated $485 million in profits.", "an estimated", "enforcement_result"),
    ("The lab could produce 95 million potentially lethal doses of fentanyl.", "95 million", "seizure"),
    ("Of those, 67.5 per cent were illegal narcotics.", "67.5", "seizure"),
    # must not: reference and hypothetical amounts are no seizures; the head noun decides
    ("Fentanyl is a powerful opioid, with two milligrams being sufficient to kill a person.", "two", "other"),
    ("One pound of fentanyl, or 0.45 kilograms, is enough to kill 200,000 people.", "0.45", "other"),
    ("If it's one pound, 10 pounds, we all know the deaths that could represent.", "10", "other"),
    ("Officials seized 3,700 kilograms of fentanyl — enough product to kill thousands.", "3,700", "seizure"),
    ("They seized fentanyl, enough to kill hundreds of thousands of drug users.", "hundreds", "other"),
    ("The province has 32 sheriffs and 12 drug users were seized upon.", "32", "personnel"),
]


@pytest.mark.parametrize(("text", "surface", "category"), CATEGORIES)
def test_category(text, surface, category):
    assert fact_at(text, surface)[1] == category


@pytest.mark.parametrize(
    ("subject", "head"),
    [
        ("fentanyl seized", "fentanyl"),
        ("drug users", "users"),
        ("countries of origin", "countries"),
        ("", ""),
    ],
)
def test_head_noun(subject, head):
    assert head_noun(subject) == head


@pytest.mark.parametrize(
    ("word", "form"), [("apprehended", "apprehend"), ("officers", "officer"), ("charged", "charge")]
)
def test_lemma_works_offline(word, form):
    assert lemma(word) == form


# --- shapes of number seen on real text: each must give its value (or nothing) ------------------

SHAPES = [
    ("CBP intercepted more than a pound of fentanyl.", [(1.0, "lb", "lower_bound")]),
    ("Mounties seized over half a ton of drugs.", [(0.5, "short_ton", "lower_bound")]),
    ("They seized three ninety kilograms of methamphetamine.", [(390.0, "kg", "exact")]),
    ("It is two one-thousandths of the total.", [(0.002, "dimensionless", "exact")]),
    ("Two-thirds of the migrants were adults.", [(2 / 3, "dimensionless", "exact")]),
    ("One in five migrants was a child.", [(0.2, "dimensionless", "exact")]),
    ("Police seized several million pills.", [(3e6, "count", "lower_bound")]),
    ("A family of four crossed at Emerson.", [(4.0, "count", "exact")]),
    ("It was –30 C at the crossing.", [(-30.0, "degC", "exact")]),
    ("The field holds 1.7 trillion cubic feet of gas.", [(1.7e12, "ft**3", "exact")]),
    ("It was the first raise in two decades.", [(20.0, "year", "exact")]),
    ("It took a quarter of a century.", [(25.0, "year", "exact")]),
    ("The rate went from 25% to 35%.", [(25.0, "percent", "exact"), (35.0, "percent", "exact")]),
    ("Officials captured six and 14 kilograms, respectively.", [(6.0, "kg", "exact"), (14.0, "kg", "exact")]),
    ("It was seized over the 12 previous months.", [(12.0, "month", "exact")]),
    ("Apprehensions exceed those of 13 fiscal years combined.", [(13.0, "year", "exact")]),
    # must not: idioms, names with digits, a ton of anything but a substance
    ("There is zero tolerance for smuggling.", []),
    ("He played in the 4 Nations Cup final.", []),
    ("Agents conducted a ton of warrantless searches.", []),
]


@pytest.mark.parametrize(("text", "expected"), SHAPES)
def test_shapes_of_number(text, expected):
    facts = extract_text(text)
    got = [
        (round(v, 6), u, q) for v, u, q in zip(facts["value"], facts["unit"], facts["qualifier"], strict=True)
    ]
    assert got == [(round(v, 6), u, q) for v, u, q in expected]
