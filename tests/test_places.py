"""Where a number is about: place phrases and the one each number takes (borderdata.places)."""

from __future__ import annotations

import pytest

from borderdata.places import border_of, load_places, mentions, place_for
from borderdata.where_when import sentence_setting


def located(sentence: str, number: str) -> str:
    start = sentence.index(number)
    return place_for(sentence, start, start + len(number), mentions(sentence))


# (sentence, number, expected location)
MUST_LOCATE = [
    # each number of a comparison takes the place of its own clause
    ("The agency seized 19.5 kilograms of fentanyl at the northern border last year. That compares",
     "19.5", "northern border"),
    ("only 19.5 kilograms of fentanyl were seized at the northern border last year—significantly less than "
     "the 9,570 kilograms intercepted at the U.S.-Mexico border.", "9,570", "southern border"),
    ("only 19.5 kilograms of fentanyl were seized at the northern border last year—significantly less than "
     "the 9,570 kilograms intercepted at the U.S.-Mexico border.", "19.5", "northern border"),
    ("That compares to 9,570 kilograms (21,098 pounds) at the southwestern border.", "9,570",
     "southern border"),
    ("CBP data for fiscal 2024 indicates that 43 pounds of fentanyl was intercepted at the northern border, "
     "compared to 21,000 pounds coming from Mexico.", "21,000", "southern border"),
    ("CBP data for fiscal 2024 indicates that 43 pounds of fentanyl was intercepted at the northern border, "
     "compared to 21,000 pounds coming from Mexico.", "43", "northern border"),
    # a place where it happened beats where it came from
    ("At the U.S. southwestern border with Mexico, by comparison, officials have so far seized some 3,700 "
     "kilograms of fentanyl this fiscal year — enough to dwarf what officials uncovered coming from Canada.",
     "3,700", "southern border"),
    ("Less than one per cent of fentanyl entering the United States comes from Canada.", "one",
     "northern border"),
    ("Last year, US authorities seized about 50 pounds of fentanyl at the Canada-US border, compared to "
     "20,600 pounds seized at the Mexico border", "20,600", "southern border"),
    # sectors, crossings, cities, provinces
    ("In less than 10 months, Swanton Sector Border Patrol agents apprehended 15,000 foreign nationals",
     "15,000", "Swanton Sector"),
    ("Officers at the Ambassador Bridge seized 30 kilograms of cocaine", "30", "Ambassador Bridge"),
    ("In Prince George 12 officers were deployed", "12", "Prince George"),
    ("1.73 kilograms intercepted in British Columbia, Quebec and Alberta.", "1.73",
     "British Columbia, Quebec, Alberta"),
    ("The Alberta government will deploy a new patrol team of 51 officers", "51", "Alberta"),
    ("Most of the methamphetamine (51 per cent) was seized in B.C.", "51", "British Columbia"),
    ("the lab was capable of producing 95 million doses, the largest in Canada", "95", "Canada"),
    ("RCMP seized 20 kg at the Coutts crossing in Alberta", "20", "Coutts"),
    # names no list holds, from how English writes a place
    ("The lab, located in Falkland, could make 95 million doses", "95", "Falkland"),
    ("officers at a port of entry in Lansdowne, Ontario, seized 12 kg", "12", "Lansdowne, Ontario"),
    ("officers from the Area Port of Seattle seized 2 kg", "2", "Port of Seattle"),
    ("Officers seized 12 and 30 kilograms in Ontario and Quebec, respectively.", "12", "Ontario"),
    ("Officers seized 12 and 30 kilograms in Ontario and Quebec, respectively.", "30", "Quebec"),
]  # fmt: skip


@pytest.mark.parametrize("sentence,number,location", MUST_LOCATE)
def test_a_number_takes_the_place_of_its_clause(sentence, number, location):
    assert located(sentence, number) == location


# Places that are not where a figure is: no location.
MUST_NOT_LOCATE = [
    ("Canada announced 60 new drones.", "60"),  # a country as the actor
    ("Trump imposed 25% tariffs on Canada and Mexico", "25"),  # tariffs on a country
    ("Our plan will ensure that Alberta's southern border is secure, with 3 new stations", "3"),
    ("the sum was $1.3 billion in U.S. dollars", "1.3"),  # a currency, not a place
    ("15,000 foreign nationals who all illegally entered the U.S. through Canada", "15,000"),  # a route
    ("The federal government will hire 1,000 officers.", "1,000"),
    ("The Canada Border Services Agency made 2,600 seizures.", "2,600"),  # a name, not a place
    ("said Danielle Smith, Alberta's premier, of 30 new officers", "30"),  # a person, not a town
]


@pytest.mark.parametrize("sentence,number", MUST_NOT_LOCATE)
def test_words_that_say_no_place(sentence, number):
    assert located(sentence, number) == ""


def test_a_sentence_without_a_place_continues_the_one_place_of_the_sentence_before():
    previous = "Those busts mean more fentanyl has been seized along the northern border so far this year."
    sentence = "Between October 2024 and May, the U.S. has captured 26 kilograms."
    start = sentence.index("26")
    assert place_for(sentence, start, start + 2, sentence_setting(sentence, None, "", previous).places) == (
        "northern border"
    )
    two = "It seized 5 kg at the northern border and 9 kg at the Mexico border."
    assert sentence_setting(sentence, None, "", two).places == []  # two places: which one is not said
    here = "In Ontario, police seized 12 kg."
    assert [p.label for p in sentence_setting(here, None, "", previous).places] == ["Ontario"]


def test_southwestern_border_is_charted_as_the_southern_border():
    assert {p.label for p in mentions("at the southwest border and the southwestern border")} == {
        "southern border"
    }


@pytest.mark.parametrize(
    "location,border",
    [("Swanton Sector", "northern border"), ("Rio Grande Valley Sector", "southern border"),
     ("Coutts", "northern border"), ("northern border", "northern border"), ("Ontario", ""), ("", "")],
)  # fmt: skip
def test_border_of_a_sector_or_crossing(location, border):
    assert border_of(location) == border


def test_places_are_data_a_user_can_extend(tmp_path, monkeypatch):
    extra = tmp_path / "places.toml"
    extra.write_text(
        '[crossings]\n"Ogdensburg Bridge" = ["ogdensburg bridge"]\n'
        '[on_border]\n"northern border" = ["Ogdensburg Bridge"]\n',
        encoding="utf-8",
    )
    monkeypatch.setenv("BORDERDATA_PLACES", str(extra))
    load_places.cache_clear()
    try:
        gazetteer = load_places()
        sentence = "CBSA officers at the Ogdensburg Bridge seized 4 kg"
        start = sentence.index("4")
        assert place_for(sentence, start, start + 1, mentions(sentence, gazetteer)) == "Ogdensburg Bridge"
        assert border_of("Ogdensburg Bridge", gazetteer) == "northern border"
    finally:
        monkeypatch.delenv("BORDERDATA_PLACES")
        load_places.cache_clear()
