"""A vectorised function's Series is matched to the frame's rows by its index, not by position."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from labelwise.weak import LabelingFunctionError, apply, labeling_function, preprocessor

FRAME = pd.DataFrame({"text": ["WIN http://x", "see you", "ok", "FREE prize", "lunch?"]}, index=[10, 13, 16, 19, 22])


def _short(df: pd.DataFrame) -> pd.Series:
    return df.text.str.len().lt(9).map({True: "ham", False: None})


@labeling_function(vectorized=True)
def short(df):
    return _short(df)


@labeling_function(vectorized=True)
def short_voted_first(df):
    s = _short(df)
    return pd.concat([s[s.notna()], s[s.isna()]])  # the frame's rows, in another order


@labeling_function(vectorized=True)
def short_from_array(df):
    return pd.Series(_short(df).to_numpy())  # indexed 0..n-1: meant by position


@labeling_function(vectorized=True)
def short_shifted(df):
    s = _short(df)
    return s.set_axis(s.index + 1000)


class TestSeriesIndex:
    def test_reordered_series_gives_each_row_its_own_vote(self):
        """A Series of the frame's rows in another order votes as the same Series in the frame's order."""
        got = apply([short_voted_first, short], FRAME).matrix()
        np.testing.assert_array_equal(got[:, 0], got[:, 1])

    def test_reordered_series_on_a_default_index(self):
        """On a frame indexed 0..n-1 a reordered Series is matched by its labels too."""
        frame = FRAME.reset_index(drop=True)
        got = apply([short_voted_first, short], frame).matrix()
        np.testing.assert_array_equal(got[:, 0], got[:, 1])

    def test_series_built_from_an_array_is_read_by_position(self):
        """A Series indexed 0..n-1 beside a frame with another index is read in the frame's order."""
        got = apply([short_from_array, short], FRAME).matrix()
        np.testing.assert_array_equal(got[:, 0], got[:, 1])

    def test_series_of_other_keys_is_refused_naming_the_function_and_a_key(self):
        """A Series whose index names rows the frame does not have is an error naming one such key."""
        with pytest.raises(LabelingFunctionError, match=r"'short_shifted' \(vectorized\).*first: 1010"):
            apply([short_shifted], FRAME)

    def test_reordered_preprocessor_column_reaches_its_own_row(self):
        """A vectorised preprocessor's reordered Series is matched to the rows by index too."""

        @preprocessor(vectorized=True)
        def n_chars(df):
            n = df.text.str.len()
            return {"n": n.iloc[::-1]}

        @labeling_function(pre=[n_chars])
        def long(row):
            return "spam" if row.n > 8 else None

        got = apply([long], FRAME).matrix()[:, 0]
        np.testing.assert_array_equal(got == 0, FRAME.text.str.len().gt(8).to_numpy())
