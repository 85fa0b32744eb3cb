"""labelwise._month_dates: the shape of month-name dates and the formats built from them."""

from __future__ import annotations

import doctest

import pandas as pd
import pytest

import labelwise._month_dates
from labelwise._month_dates import format_of, month_date_formats, month_date_shaped


@pytest.mark.parametrize(
    "value, fmt",
    [
        ("March 4, 2021", "%B %d, %Y"),
        ("Mar 4 2021", "%b %d %Y"),
        ("mar. 4, 2021", "%b. %d, %Y"),
        ("4 March 2021", "%d %B %Y"),
        ("04-MAR-2021", "%d-%b-%Y"),
        ("04/mar/21", "%d/%b/%y"),
        ("2021-Mar-04", "%Y-%b-%d"),
        ("Thu, 04 Mar 2021 10:00:00", "%a, %d %b %Y %H:%M:%S"),
        ("Thu, 04 Mar 2021 10:00:00 +0000", "%a, %d %b %Y %H:%M:%S %z"),
        ("Thu, 04 Mar 2021 10:00:00 GMT", "%a, %d %b %Y %H:%M:%S %Z"),
        ("Thursday, March 4, 2021 1:05 pm", "%A, %B %d, %Y %I:%M %p"),
        ("March 4, 2021 10:00:00.250Z", "%B %d, %Y %H:%M:%S.%f%z"),
    ],
)
def test_each_written_form_gets_the_format_it_is_written_in(value, fmt):
    """Every part becomes its directive and the separators stay; pandas then reads the value with it."""
    assert format_of(value) == fmt
    assert pd.notna(pd.to_datetime(value, format=fmt))


@pytest.mark.parametrize(
    "value",
    [
        "meeting in March about budgets",
        "March",
        "Mar 2021",
        "May 5",
        "2021-03-04",
        "4 March 2021 and 5 March 2021",
        "Marching 4, 2021",
        "March 4, 2021 was rainy",
    ],
)
def test_strings_that_are_not_wholly_a_month_name_date_have_no_format(value):
    """The shape covers the whole string: a month word in a sentence, a month without day or year, numeric dates."""
    assert format_of(value) is None
    assert not month_date_shaped(pd.Series([value])).iloc[0]


def test_candidates_swap_full_and_abbreviated_names():
    """'May 04, 2021' reads as %b; the candidates also hold %B (the rest of the column may say 'March')."""
    candidates = month_date_formats(pd.Series(["May 04, 2021", "not a date", "May 05, 2021"]))
    assert candidates[0] == "%b %d, %Y" and "%B %d, %Y" in candidates
    assert len(candidates) == len(set(candidates))


def test_docstring_examples_run():
    result = doctest.testmod(labelwise._month_dates)
    assert result.failed == 0 and result.attempted > 0
