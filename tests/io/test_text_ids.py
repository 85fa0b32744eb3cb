"""Id and label columns read as text keep apart the values a number parser would merge."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from labelwise.io._text_ids import numbers_unless_merged


def _texts(values: list[str | None]) -> pd.Series:
    return pd.Series(values, dtype=object)


class TestNumbersUnlessMerged:
    """numbers_unless_merged turns text into numbers only where that loses no distinction."""

    def test_canonical_integers_become_int64(self):
        """Texts "0", "17", "-3" are the integers a CSV parser would give."""
        out = numbers_unless_merged(_texts(["0", "17", "-3"]))
        assert out.dtype == np.int64 and out.tolist() == [0, 17, -3]

    def test_integers_with_a_gap_become_floats_as_the_parser_makes_them(self):
        """A missing cell turns an integer column into float64, as pd.read_csv does."""
        out = numbers_unless_merged(_texts(["1", None, "2"]))
        assert out.dtype == np.float64 and out.iloc[[0, 2]].tolist() == [1.0, 2.0]

    def test_zero_padded_next_to_plain_stays_text(self):
        """Labels "01" and "1" are two classes, not one."""
        out = numbers_unless_merged(_texts(["01", "1", "01"]))
        assert out.tolist() == ["01", "1", "01"]

    def test_zero_padded_ids_keep_their_text(self):
        """An id "007" is written back as 007, not 7."""
        assert numbers_unless_merged(_texts(["007", "008"])).tolist() == ["007", "008"]

    def test_minus_zero_next_to_zero_stays_text(self):
        """Texts "-0" and "0" are the same integer."""
        assert numbers_unless_merged(_texts(["-0", "0"])).tolist() == ["-0", "0"]

    def test_float_spellings_of_one_number_stay_text(self):
        """Texts "1.0" and "1" would both become 1.0."""
        assert numbers_unless_merged(_texts(["1.0", "1", "2.5"])).tolist() == ["1.0", "1", "2.5"]

    def test_distinct_floats_become_float64(self):
        """Floats no two texts share are numbers, the integer among them included."""
        out = numbers_unless_merged(_texts(["0.5", "1", "2.25"]))
        assert out.dtype == np.float64 and out.tolist() == [0.5, 1.0, 2.25]

    def test_words_stay_text_and_booleans_become_bool(self):
        """Text is text; "True"/"False" are the booleans pd.read_csv would read."""
        assert numbers_unless_merged(_texts(["cat dog", "naïve"])).tolist() == ["cat dog", "naïve"]
        out = numbers_unless_merged(_texts(["True", "False"]))
        assert out.dtype == bool and out.tolist() == [True, False]

    def test_values_that_are_not_text_are_typed_as_pandas_would(self):
        """JSON numbers (not strings) become int64; a mix of strings and numbers stays as it is."""
        assert numbers_unless_merged(pd.Series([1, 2], dtype=object)).dtype == np.int64
        assert numbers_unless_merged(pd.Series(["A", 1], dtype=object)).tolist() == ["A", 1]

    @settings(max_examples=60, deadline=None)
    @given(st.lists(st.from_regex(r"-?[0-9]{1,3}(\.[0-9]{0,2})?", fullmatch=True), min_size=1, max_size=12))
    def test_distinct_texts_stay_distinct_values(self, texts):
        """Two different texts in the file are never one value after reading."""
        out = numbers_unless_merged(_texts(texts))
        assert pd.Series(out).nunique() == len(set(texts))
