"""Phrases of time: labels and intervals, resolved against the publication date (borderdata.periods)."""

from __future__ import annotations

from datetime import date, datetime

import pandas as pd
import pytest

from borderdata.periods import as_date, find_periods, fiscal_side, period_for

# (sentence, published, side, the phrase's words, label, start, end)
MUST_RESOLVE = [
    ("only 19.5 kilograms were seized at the northern border last year", "2025-01-29", "",
     "last year", "2024", "2024-01-01", "2024-12-31"),
    ("CBP data for fiscal 2024 indicates that 43 pounds was intercepted", None, "",
     "fiscal 2024", "FY2024", "2023-10-01", "2024-09-30"),
    ("apprehensions in FY23 rose", None, "", "FY23", "FY2023", "2022-10-01", "2023-09-30"),
    ("in the first few months of the 2024-25 fiscal year", "2025-07-05", "US",
     "the 2024-25 fiscal year", "FY2025", "2024-10-01", "2025-09-30"),
    ("the CBSA seized 300 kg in fiscal 2024-25", None, "CA",
     "fiscal 2024-25", "FY2024-25", "2024-04-01", "2025-03-31"),
    ("officials have so far seized some 3,700 kilograms of fentanyl this fiscal year", "2025-07-05", "US",
     "this fiscal year", "FY2025 to 2025-07-05", "2024-10-01", "2025-07-05"),
    ("The total number apprehended this fiscal year, which ends Sept. 30", "2024-09-03", "US",
     "this fiscal year", "FY2024", "2023-10-01", "2024-09-30"),
    ("Between October 2024 and May, the U.S. has captured 26 kilograms", "2025-07-05", "",
     "October 2024 and May", "2024-10..2025-05", "2024-10-01", "2025-05-31"),
    ("a decrease in apprehensions from June to December 2024", None, "",
     "June to December 2024", "2024-06..2024-12", "2024-06-01", "2024-12-31"),
    ("more than in 13 fiscal years combined (fiscal 2011 through fiscal 2023)", None, "",
     "fiscal 2011 through fiscal 2023", "FY2011..FY2023", "2010-10-01", "2023-09-30"),
    ("seized 286 pounds of fentanyl nationwide between January and June", "2024-07-09", "",
     "January and June", "2024-01..2024-06", "2024-01-01", "2024-06-30"),
    ("Figures for the first half of 2024 show", None, "",
     "the first half of 2024", "2024-01..2024-06", "2024-01-01", "2024-06-30"),
    ("In January, 12 officers were hired", "2025-07-05", "",
     "January", "2025-01", "2025-01-01", "2025-01-31"),
    ("In December, 12 officers were hired", "2025-07-05", "",
     "December", "2024-12", "2024-12-01", "2024-12-31"),
    ("In October 2024, the RCMP took down the lab", None, "",
     "October 2024", "2024-10", "2024-10-01", "2024-10-31"),
    ("a 90 per cent reduction in illegal crossings since June 2024", "2025-03-04", "",
     "June 2024", "since 2024-06", "2024-06-01", "2025-03-04"),
    ("a 90 per cent reduction in illegal crossings since June 2024", None, "",
     "June 2024", "since 2024-06", "2024-06-01", ""),
    ("increased by 42 percent since 2019", "2025-02-12", "",
     "2019", "since 2019", "2019-01-01", "2025-02-12"),
    ("crossings are down 89 per cent since last summer", "2025-02-04", "",
     "last summer", "since summer 2024", "2024-06-01", "2025-02-04"),
    ("Over the past week 300 migrants crossed", "2025-07-05", "",
     "the past week", "2025-06-29..2025-07-05", "2025-06-29", "2025-07-05"),
    ("300 migrants crossed in the past 12 months", "2025-07-05", "",
     "in the past 12 months", "2024-07-06..2025-07-05", "2024-07-06", "2025-07-05"),
    ("so far this year 40 people were charged", "2025-07-05", "",
     "so far this year", "2025 to 2025-07-05", "2025-01-01", "2025-07-05"),
    ("the RCMP made 80 arrests last month", "2025-01-15", "",
     "last month", "2024-12", "2024-12-01", "2024-12-31"),
    ("The initiative ran from May 20 to Oct. 31, 2025, and included 21 agencies", None, "",
     "from May 20 to Oct. 31, 2025", "2025-05-20..2025-10-31", "2025-05-20", "2025-10-31"),
    ("crossings fell between Dec. 1 and Jan. 15", "2025-02-04", "",
     "between Dec. 1 and Jan. 15", "2024-12-01..2025-01-15", "2024-12-01", "2025-01-15"),
    ("Mexico seized over 400 tons of meth in 2023", None, "", "2023", "2023", "2023-01-01", "2023-12-31"),
    ("22.7 kilograms were seized at the U.S.-Canada border in 2024", None, "", "2024", "2024",
     "2024-01-01", "2024-12-31"),
]  # fmt: skip


@pytest.mark.parametrize("sentence,published,side,words,label,start,end", MUST_RESOLVE)
def test_a_phrase_of_time_resolves_to_its_label_and_interval(
    sentence, published, side, words, label, start, end
):
    found = find_periods(sentence, published, side)
    assert [(sentence[p.span[0] : p.span[1]], p.label, p.start_text, p.end_text) for p in found] == [
        (words, label, start, end)
    ]


# Words that name no period (or one that cannot be resolved): no label, no dates.
MUST_NOT_RESOLVE = [
    ("only 19.5 kilograms were seized at the northern border last year", None, ""),  # no date: never guessed
    ("in the 2024-25 fiscal year", None, ""),  # whose fiscal year is not said
    ("officials seized 12 kg this fiscal year", "2025-07-05", ""),
    ("It was seized Oct. 25, alongside 54 kg of fentanyl", "2024-11-01", ""),  # one day: an event's date
    ("from May 20 to Oct. 31 the agency hired 12", None, ""),  # days with no year and no date
    ("Canada and Mexico may 5 times more", "2025-07-05", ""),  # the verb "may"
    ("As of Spring 2025, the report counted 22.7 kilograms", None, ""),  # when counted, not what is covered
    ("an 11th-hour move by 2030", None, ""),
    ("the 2023-24 season", None, ""),
]


@pytest.mark.parametrize("sentence,published,side", MUST_NOT_RESOLVE)
def test_words_that_give_no_resolved_period(sentence, published, side):
    assert all(not p.start and not p.end for p in find_periods(sentence, published, side))
    assert all(not p.label or p.label.startswith("fiscal ") for p in find_periods(sentence, published, side))


# (sentence, published, number, expected label): each number takes the period of its own clause.
COMPARISONS = [
    ("Between October 2024 and May, the U.S. has captured 26 kilograms compared to the 19.5 kilograms "
     "taken over the 12 previous months.", "2025-07-05", "26", "2024-10..2025-05"),
    ("Between October 2024 and May, the U.S. has captured 26 kilograms compared to the 19.5 kilograms "
     "taken over the 12 previous months.", "2025-07-05", "19.5", "2023-10..2024-09"),
    ("Last year, US authorities seized about 50 pounds of fentanyl at the Canada-US border, compared to "
     "20,600 pounds seized at the Mexico border.", "2025-02-01", "20,600", "2024"),
    ("CBP data for fiscal 2024 indicates that 43 pounds of fentanyl was intercepted at the northern border, "
     "compared to 21,000 pounds coming from Mexico.", None, "21,000", "FY2024"),
    ("As of Spring 2025, 22.7 kilograms of Canada-sourced fentanyl were seized at the U.S.-Canada border in "
     "2024, compared to 9,354 kilograms seized at the U.S.-Mexico border.", None, "22.7", "2024"),
    ("Mexican federal forces seized only 286 pounds of fentanyl nationwide between January and June, down "
     "94% from the 5,135 pounds seized in 2023.", "2024-07-09", "286", "2024-01..2024-06"),
    ("Mexican federal forces seized only 286 pounds of fentanyl nationwide between January and June, down "
     "94% from the 5,135 pounds seized in 2023.", "2024-07-09", "5,135", "2023"),
    ("Last year 50 pounds were seized; in 2023 the figure was 20 pounds.", "2025-02-01", "20", "2023"),
    # "respectively" pairs the listed numbers with the listed periods, in order
    ("before a jump in April and May, when officials captured six and 14 kilograms, respectively.",
     "2025-07-05", "six", "2025-04"),
    ("before a jump in April and May, when officials captured six and 14 kilograms, respectively.",
     "2025-07-05", "14", "2025-05"),
    ("before a jump in April and May, when officials captured six and 14 kilograms.",
     "2025-07-05", "six", "2025-05"),  # without "respectively", the nearest
    # a phrase deep in an aside dates the aside's own words; an aside opening with it speaks of the clause
    ("Trump, following his re-election in November, has reiterated tariffs of up to 25 percent.",
     "2025-01-29", "25", ""),
    ("The RCMP, in 2024, seized 12 kilograms.", None, "12", "2024"),
    # an unresolved phrase of the number's own clause still keeps another clause's period away
    ("Last year 50 pounds were seized, compared to 30 pounds in 2023.", None, "50", ""),
]  # fmt: skip


@pytest.mark.parametrize("sentence,published,number,label", COMPARISONS)
def test_each_number_takes_the_period_of_its_own_clause(sentence, published, number, label):
    start = sentence.index(number)
    chosen = period_for(sentence, start, start + len(number), find_periods(sentence, published, "US"))
    assert chosen.label == label


def test_a_sentence_without_time_gives_no_period():
    assert period_for("It seized 12 kg.", 10, 12, find_periods("It seized 12 kg.", "2025-01-01")).label == ""


@pytest.mark.parametrize(
    "value",
    ["2025-07-05", date(2025, 7, 5), datetime(2025, 7, 5, 13, 30), pd.Timestamp("2025-07-05 13:30"),
     "2025-07-05T13:30:00Z"],
)  # fmt: skip
def test_published_accepts_str_date_datetime_and_timestamp(value):
    assert as_date(value) == date(2025, 7, 5)


@pytest.mark.parametrize("value", [None, "", "  ", pd.NaT, float("nan"), "not a date"])
def test_an_empty_or_unreadable_published_is_no_date(value):
    assert as_date(value) is None


def test_published_of_another_type_is_refused_with_its_type():
    with pytest.raises(TypeError, match="int"):
        as_date(20250705)


@pytest.mark.parametrize(
    "sentence_cues,document_cues,side",
    [((0, 2), (5, 1), "US"), ((1, 0), (0, 3), "CA"), ((0, 0), (1, 4), "US"), ((1, 1), (2, 2), ""),
     ((0, 0), (0, 0), "")],
)  # fmt: skip
def test_fiscal_side_from_the_sentence_then_the_document(sentence_cues, document_cues, side):
    assert fiscal_side(sentence_cues, document_cues) == side
