"""Tests of transformation_function(memoize=True): one call per distinct row within an augmentation."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from labelwise.errors import InvalidParameterError
from labelwise.weak import (
    ApplyAllPolicy,
    MeanFieldPolicy,
    RandomPolicy,
    augment,
    preprocessor,
    transformation_function,
)


def counting(memoize: bool, calls: list):
    @transformation_function(memoize=memoize)
    def shout(row):
        calls.append((row.text, row.num))
        if row.num < 0:
            return None
        row.text = row.text.upper()
        return row

    return shout


DF = pd.DataFrame({"text": list("abacabca"), "num": [1, 2, 1, -1, 1, 2, -1, 1]})


class TestMemoize:
    def test_a_memoized_tf_is_called_once_per_distinct_row(self):
        """Each distinct row once (None results included), over every copy; the table is the
        unmemoised one."""
        memo_calls, plain_calls = [], []
        policy = ApplyAllPolicy(n_per_original=3)
        memoized = augment([counting(True, memo_calls)], DF, policy=policy)
        plain = augment([counting(False, plain_calls)], DF, policy=policy)
        assert sorted(memo_calls) == [("a", 1), ("b", 2), ("c", -1)]
        assert len(plain_calls) == 3 * len(DF)
        pd.testing.assert_frame_equal(memoized.frame, plain.frame)
        assert memoized.applied == plain.applied

    def test_later_steps_share_outputs_with_equal_rows(self):
        """In a sequence, a copy equal to a row already seen (in the same columns) is not computed again."""
        calls = []

        @transformation_function(memoize=True)
        def cap(row):
            calls.append(row.text)
            row.text = row.text[:1]
            return row

        df = pd.DataFrame({"text": ["aa", "a", "ab"]})
        twice = MeanFieldPolicy(1, sequence_length=2, random_state=0)  # the one TF at steps 1 and 2
        out = augment([cap], df, policy=twice)
        assert out.frame.text.tolist() == ["aa", "a", "a", "a", "ab", "a"]
        assert sorted(calls) == ["a", "aa", "ab"]  # step 2 sees only "a", already computed at step 1

    def test_a_random_tf_gives_equal_rows_one_output(self):
        """A memoised random TF gives every copy of equal rows the same output (Snorkel's use of memoize)."""
        rng = np.random.default_rng(0)

        @transformation_function(memoize=True)
        def jitter(row):
            row.num = row.num + rng.normal()
            return row

        df = pd.DataFrame({"num": [1.0, 1.0, 2.0, 1.0]})
        out = augment([jitter], df, policy=RandomPolicy(n_per_original=3, keep_original=False, random_state=0))
        assert out.frame.groupby(level=0).num.nunique().tolist() == [1, 1, 1, 1]
        assert out.frame.num.nunique() == 2

    def test_the_cache_goes_with_the_call(self):
        """A second augment calls the TF again (Snorkel keeps it until reset_cache; labelwise per call)."""
        calls = []
        tf = counting(True, calls)
        augment([tf], DF, policy=ApplyAllPolicy())
        augment([tf], DF, policy=ApplyAllPolicy())
        assert len(calls) == 6

    def test_rows_with_unhashable_cells_are_each_computed_and_never_shared(self):
        """A list cell makes a row unhashable: each computed; a shared output's list is each row's own."""
        calls = []

        @transformation_function(memoize=True)
        def push(row):
            calls.append(1)
            row.tags = [*row.tags, "x"]
            return row

        df = pd.DataFrame({"tags": [["a"], ["a"]]})
        out = augment([push], df, policy=ApplyAllPolicy())
        assert len(calls) == 2 and out.frame.tags.tolist() == [["a"], ["a", "x"], ["a"], ["a", "x"]]

        @transformation_function(memoize=True)
        def listify(row):
            row.tags = [row.text]
            return row

        out = augment([listify], pd.DataFrame({"text": ["a", "a"]}), policy=ApplyAllPolicy(keep_original=False))
        first, second = out.frame.tags.tolist()
        assert first == second == ["a"] and first is not second

    def test_preprocessor_fields_are_part_of_the_row(self):
        """Rows are equal when every field, the preprocessors' included, is."""
        calls = []

        @preprocessor()
        def length(row):
            return {"size": len(row.text)}

        @transformation_function(pre=[length], memoize=True)
        def grow(row):
            calls.append(row.text)
            row.text = row.text * row.size
            return row

        out = augment([grow], pd.DataFrame({"text": ["ab", "ab", "c"]}), policy=ApplyAllPolicy(keep_original=False))
        assert out.frame.text.tolist() == ["abab", "abab", "c"] and sorted(calls) == ["ab", "c"]


class TestBadMemoize:
    @pytest.mark.parametrize("value", ["yes", 1, None])
    def test_memoize_must_be_a_flag(self, value):
        with pytest.raises(InvalidParameterError, match="memoize must be True or False"):
            transformation_function(lambda row: row, memoize=value)

    def test_a_vectorized_tf_cannot_be_memoized(self):
        with pytest.raises(InvalidParameterError, match="memoize must be False for a vectorized transformation"):
            transformation_function(lambda df: df, vectorized=True, memoize=True)


@settings(max_examples=15, deadline=None)
@given(
    values=st.lists(st.tuples(st.sampled_from("abc"), st.integers(-2, 3)), min_size=1, max_size=20),
    copies=st.integers(1, 3),
)
def test_memoizing_changes_no_table_and_calls_once_per_distinct_row(values, copies):
    """Property: for any rows (repeats included), the memoised TF's table is the unmemoised one, and
    it is called once per distinct row it sees (the originals' distinct rows, under ApplyAllPolicy)."""
    df = pd.DataFrame(values, columns=["text", "num"])
    memo_calls: list = []
    plain_calls: list = []
    policy = ApplyAllPolicy(n_per_original=copies)
    memoized = augment([counting(True, memo_calls)], df, policy=policy)
    plain = augment([counting(False, plain_calls)], df, policy=policy)
    pd.testing.assert_frame_equal(memoized.frame, plain.frame)
    assert sorted(memo_calls) == sorted(set(values)) and len(plain_calls) == copies * len(df)
