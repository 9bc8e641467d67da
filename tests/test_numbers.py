"""numbers.py: each shape of number, valid and invalid cases side by side."""

from __future__ import annotations

import itertools
import math

import pytest

from borderdata.numbers import find_numbers, int_to_words, parse_numeral, read_number, words_to_number

VALID = [
    ("19.5", 19.5),
    ("9,570", 9570),
    ("10,000", 10_000),
    ("0.45", 0.45),
    (".45", 0.45),
    ("10 000", 10_000),
    ("10\u202f000", 10_000),
    ("1.3 billion", 1.3e9),
    ("1.3-billion", 1.3e9),
    ("200 million", 2e8),
    ("5bn", 5e9),
    ("5M", 5e6),
    ("20k", 2e4),
    ("4 hundred", 400),
    ("２５", 25),
    ("nine", 9),
    ("Seven", 7),
    ("twenty-five", 25),
    ("fifty four", 54),
    ("one hundred", 100),
    ("one hundred and five", 105),
    ("two thousand three hundred", 2300),
    ("one million three hundred thousand", 1_300_000),
    ("a dozen", 12),
    ("a single", 1),
    ("a couple", 2),
    ("half a million", 500_000),
    ("a million", 1e6),
    ("one and a half", 1.5),
    ("two-thirds of", 2 / 3),
    ("a quarter of", 0.25),
    ("half of", 0.5),
    ("one in five", 0.2),
]
LOWER_BOUNDS = [
    ("tens of thousands", 10_000), ("hundreds of", 100), ("thousands of", 1000), ("dozens of", 12),
    ("millions of", 1e6), ("hundreds of thousands", 100_000), ("scores of", 20), ("dozens", 12),
]  # fmt: skip
NOT_NUMBERS = [
    "someone",
    "none",
    "tens",
    "alone",
    "phone",
    "often",
    "lonely",
    "Scores were high",
    "test scores",
]


@pytest.mark.parametrize(("text", "value"), VALID)
def test_valid(text, value):
    found = read_number(text, 0)
    assert found is not None and math.isclose(found.value, value), found
    assert not found.lower_bound


@pytest.mark.parametrize(("text", "value"), LOWER_BOUNDS)
def test_vague_plurals_are_floors(text, value):
    found = read_number(text, 0)
    assert found is not None and found.value == value and found.lower_bound


@pytest.mark.parametrize("text", NOT_NUMBERS)
def test_not_numbers(text):
    assert find_numbers(text) == []


def test_one_and_two_are_two_numbers():
    assert [n.value for n in find_numbers("one and two")] == [1, 2]


def test_metres_are_not_millions():
    assert [n.value for n in find_numbers("5 m of fence")] == [5]


def test_find_numbers_does_not_overlap():
    found = find_numbers("Seven cartels, 9,570 kg, $1.3-billion and twenty-five drones")
    assert [n.value for n in found] == [7, 9570, 1.3e9, 25]
    assert all(a.end <= b.start for a, b in itertools.pairwise(found))


def test_parse_numeral():
    assert parse_numeral("1,234.5") == 1234.5
    with pytest.raises(ValueError):
        parse_numeral("12a")


@pytest.mark.parametrize(
    "n", [0, 7, 19, 20, 25, 99, 100, 105, 999, 1000, 1300, 10_000, 524_000, 1_300_000_000]
)
def test_words_round_trip(n):
    assert words_to_number(int_to_words(n)) == n


def test_int_to_words_refuses_negatives():
    with pytest.raises(ValueError):
        int_to_words(-1)
