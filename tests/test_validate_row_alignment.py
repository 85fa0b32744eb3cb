"""The one index-matching rule (``_validate.row_alignment.unmatched``) shared by align_rows and weak's per_row."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from labelwise._validate.row_alignment import align_rows, unmatched
from labelwise.errors import ShapeMismatchError
from labelwise.weak import LabelingFunctionError
from labelwise.weak._per_row import per_row


class TestUnmatched:
    @settings(max_examples=60, deadline=None)
    @given(st.lists(st.integers(-50, 50), unique=True, min_size=1, max_size=20), st.randoms(use_true_random=False))
    def test_a_permutation_of_unique_keys_is_matched(self, keys, rnd):
        """Unique keys in any order can be matched key by key; align_rows then restores the reference's order."""
        shuffled = list(keys)
        rnd.shuffle(shuffled)
        assert unmatched(pd.Index(keys), pd.Index(shuffled)) is None
        ref = pd.Series(np.arange(len(keys)), index=keys)
        got = align_rows(ref, "ref", pd.Series(np.arange(len(keys)), index=keys).loc[shuffled], "value")
        pd.testing.assert_series_equal(got, ref)

    def test_a_repeated_key_is_named_with_its_side(self):
        """A repeated key is reported first, with whose index repeats it."""
        got = unmatched(pd.Index([1, 2, 3]), pd.Index([3, 3, 1]))
        assert (got.repeated_in, got.repeated) == ("value", 3)
        assert unmatched(pd.Index([1, 1, 2]), pd.Index([2, 1, 5])).repeated_in == "reference"

    def test_missing_and_extra_keys_are_listed(self):
        """Keys one side lacks are listed, each in its index's order."""
        got = unmatched(pd.Index(["a", "b", "c"]), pd.Index(["c", "x", "a"]))
        assert (got.repeated_in, list(got.missing), list(got.extra)) == ("", ["b"], ["x"])


class TestPerRow:
    def _error(self, message: str) -> Exception:
        return LabelingFunctionError(message)

    def test_a_frame_with_a_repeated_key_is_named_as_the_frame(self):
        """A reordered Series beside a frame whose index repeats a key names the frame's index, not the Series'
        (main said "its index repeats", blaming the function's Series)."""
        index = pd.Index([5, 5, 6])
        with pytest.raises(LabelingFunctionError, match=r"the frame's index repeats 5"):
            per_row(pd.Series([1, 2, 3], index=[6, 5, 5]), index, "labeling function 'f' (vectorized)", self._error)

    def test_a_series_on_0_to_n_minus_1_is_read_by_position(self):
        """The one documented difference from align_rows: a RangeIndex 0..n-1 is read by position."""
        got = per_row(pd.Series([7, 8, 9]), pd.Index([10, 20, 30]), "f", self._error)
        np.testing.assert_array_equal(got, [7, 8, 9])
        with pytest.raises(ShapeMismatchError):
            align_rows(pd.Series([0, 0, 0], index=[10, 20, 30]), "frame", pd.Series([7, 8, 9]), "values")

    def test_a_reordered_series_is_matched_as_align_rows_matches_it(self):
        """Both read a Series of the frame's keys in another order by key."""
        index = pd.Index(["a", "b", "c"])
        values = pd.Series([3, 1, 2], index=["c", "a", "b"])
        np.testing.assert_array_equal(per_row(values, index, "f", self._error), [1, 2, 3])
        ref = pd.Series(0, index=index)
        np.testing.assert_array_equal(align_rows(ref, "frame", values, "values").to_numpy(), [1, 2, 3])
