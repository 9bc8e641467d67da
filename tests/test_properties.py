"""Property tests: the number reader and the extractor on hostile Unicode never crash or lie.

Every test here has "property" in its name so that `make fuzz` (``-k property``,
``HYPOTHESIS_PROFILE=fuzz``) runs it with thousands of examples; `make test`
runs the bounded "default" profile registered in ``tests/conftest.py``.
"""

from __future__ import annotations

import math
import time

import pandas as pd
import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from borderdata.extract import extract_text
from borderdata.numbers import find_numbers, int_to_words, words_to_number
from borderdata.taxonomy import CATEGORIES
from borderdata.units import ureg

# Characters that break naive text handling: direction marks and overrides, zero-width
# characters, no-break and thin spaces, full-width digits, emoji with joiners, combining marks.
TRICKY = [
    "\u200f", "\u200e", "\u202e", "\u2066", "\u2069", "\u200b", "\u200c", "\u200d", "\ufeff", "\u00a0",
    "\u2009", "\u202f", "\u3000", "１", "２", "５", "０", "٣", "१", "🚀", "👨\u200d👩\u200d👧", "🇨🇦",
    "\u0301", "\u0000", "\x0b", "\x0c", "\r", "\u2028", "\u2029", "\t", "\n",
]  # fmt: skip
# Pieces of news numbers, so that generated text is full of near-misses.
PIECES = [
    "1", "9", "19.5", "9,570", "10 000", "10\u202f000", "1,1,1,1", "1.1.1.1", "$", "US$", "C$", "€", "£",
    "%", " per cent", "-per-cent", " kilograms", "kg", " lbs", " million", "-billion", "bn", "M", "k",
    "about ", "less than ", "more than ", "between ", " and ", " to ", "-", "–", "—", "about about about ",
    "nearly ", "up to ", "tens of thousands", "a dozen", "half a", "twenty-five", "fifty four", "one",
    "two-thirds of", "one in five", "COVID-19", "2025", "Feb. 1", "11:01", "49th", "Section 33",
    "pic.twitter.com/x1", "613-555-0199", ".", ",", ";", "!!!", "...", "(", ")", "\"", "'", "’", " ", "\n",
    "seized ", "fentanyl", "officers", "northern border", "Ottawa", "<script>", "=1+1", "@", "#",
]  # fmt: skip
HOSTILE_TEXT = st.one_of(
    st.text(max_size=200),
    st.lists(st.sampled_from(TRICKY + PIECES) | st.text(max_size=3), max_size=60).map("".join),
    st.builds(
        lambda unit, n: unit * n,
        st.sampled_from([".", ",", "-", "1,", "1.", "1 ", "$", "about ", "!?"]),
        st.integers(1, 400),
    ),
)


def check_facts(text: str, facts: pd.DataFrame) -> None:
    """The facts-table contract, row by row."""
    for row in facts.itertuples(index=False):
        assert 0 <= row.start < row.end <= len(text)
        assert text[row.start : row.end] == row.surface
        assert math.isfinite(row.value), row
        low, high = row.low, row.high
        slack = 1e-12 * max(1.0, abs(row.value))  # relative, and right for negative values too
        if not math.isnan(low):
            assert math.isfinite(low) and low <= row.value + slack, row
        if not math.isnan(high):
            assert math.isfinite(high) and row.value <= high + slack, row
        ureg.Unit(row.unit)  # parseable by the one registry
        assert row.category in CATEGORIES, row
        assert row.sentence and row.surface.strip() in text


@given(HOSTILE_TEXT)
@example("1 1 1 1 1 1 1 1 1 1")
@example("\u202e$1.3\u200b-billion\u2066 about about about less than 5%")
@example("２５ kilograms and ١٢ tonnes and 10\u00a0000 officers")
@example("----------------------------------------1")
def test_property_extract_text_never_raises_and_keeps_the_contract(text):
    check_facts(text, extract_text(text))


@given(HOSTILE_TEXT, st.integers(0, 20), st.integers(0, 20))
def test_property_find_numbers_spans_are_ordered_and_inside(text, left, right):
    start, end = min(left, len(text)), max(len(text) - right, min(left, len(text)))
    found = find_numbers(text, start, end)
    previous = start
    for number in found:
        assert previous <= number.start < number.end <= end
        assert math.isfinite(number.value) and number.value >= 0
        previous = number.end


@given(st.integers(0, 10**15 - 1))
@example(0)
@example(1_000_001)
@example(999_999_999_999_999)
def test_property_int_words_round_trip(n):
    words = int_to_words(n)
    assert words_to_number(words) == n


@given(st.integers(0, 10**12 - 1))
@example(101)
@example(1_000_000_001)
def test_property_find_numbers_reads_words_back(n):
    words = int_to_words(n)
    found = find_numbers(f"They counted {words} drones.")
    assert [x.value for x in found] == [n], (words, found)
    assert found[0].end - found[0].start == len(words)


@given(st.integers(1000, 10**12), st.sampled_from([",", " ", "\u00a0", "\u2009", "\u202f"]))
def test_property_thousands_separators(n, separator):
    numeral = f"{n:,}".replace(",", separator)
    found = find_numbers(f"Officers seized {numeral} kilograms.")
    assert [x.value for x in found] == [n], numeral


@given(st.integers(0, 10**9))
def test_property_full_width_digits(n):
    numeral = str(n).translate({ord(d): 0xFF10 + int(d) for d in "0123456789"})
    found = find_numbers(f"Officers seized {numeral} kilograms.")
    assert [x.value for x in found] == [n], numeral


@given(st.integers(2, 999_999))
def test_property_extract_text_reads_a_seizure_in_words(n):
    text = f"Officers seized {int_to_words(n)} kilograms of fentanyl."
    facts = extract_text(text)
    check_facts(text, facts)
    assert facts["value"].tolist() == [n] and facts["unit"].tolist() == ["kg"]


SENTENCE = (
    "Officers seized 19.5 kilograms of fentanyl at the northern border, less than 1% of the "
    "9,570 kg seized in the south; Ottawa pledged $1.3-billion and about 60 drones. "
)


@pytest.mark.parametrize(
    "line",
    [
        pytest.param(SENTENCE * (1_000_000 // len(SENTENCE)), id="prose"),
        pytest.param(("word " * 100 + "with 12 towers ") * (1_000_000 // 515), id="one-sentence"),
        pytest.param(("\u200b1\u00a0" + "-" * 200) * (1_000_000 // 203), id="dashes"),
    ],
)
def test_property_one_megabyte_line(line):
    """A 1 MB line without a line break: same contract, and time linear (a quadratic pass takes hours)."""
    assert "\n" not in line and len(line) > 900_000
    began = time.perf_counter()
    facts = extract_text(line)
    elapsed = time.perf_counter() - began
    check_facts(line, facts.iloc[:: max(1, len(facts) // 500)])
    assert len(facts) > 0
    assert elapsed < 120, f"{elapsed:.1f} s for 1 MB"
