"""labelwise.review._label_dtype: reviewed labels keep the label column's dtype."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from labelwise.errors import LabelwiseWarning
from labelwise.review._label_dtype import relabelled_column

ROWS = np.array([1, 3])


class TestRelabelledColumn:
    @pytest.mark.parametrize(
        ("column", "labels", "expected"),
        [
            (pd.Series([0, 1, 2, 1], dtype="int32"), [2, 0], [0, 2, 2, 0]),
            (pd.Series([0, 1, 2, 1], dtype="Int64"), [2, 0.0], [0, 2, 2, 0]),
            (pd.Series([0, 1, 2, 1], dtype="int64"), [2, 0], [0, 2, 2, 0]),
            (pd.Series([0.5, 1.0, 2.0, 1.0]), [2, 0.5], [0.5, 2.0, 2.0, 0.5]),
            (pd.Series([True, False, True, False]), [True, True], [True, True, True, True]),
            (pd.Series(["a", "b", "c", "b"], dtype="string"), ["c", "a"], ["a", "c", "c", "a"]),
            (pd.Series(["a", "b", "c", "b"]), ["c", "a"], ["a", "c", "c", "a"]),
        ],
    )
    def test_labels_of_the_column_type_keep_its_dtype(self, column, labels, expected):
        """Integers of any width, nullable integers, floats, booleans and strings keep their dtype."""
        out = relabelled_column(column, ROWS, np.array(labels, dtype=object))
        assert out.dtype == column.dtype
        assert out.tolist() == expected

    def test_a_categorical_keeps_its_categories_in_their_order(self):
        """A relabel to one of the categories keeps the dtype: same categories, same order, ordered or not."""
        dtype = pd.CategoricalDtype(["low", "mid", "high", "unused"], ordered=True)
        column = pd.Series(["low", "mid", "high", "mid"], dtype=dtype, name="y")
        out = relabelled_column(column, ROWS, np.array(["high", "low"], dtype=object))
        assert out.dtype == dtype
        assert out.tolist() == ["low", "high", "high", "low"]

    def test_a_categorical_of_integers_takes_labels_that_came_back_as_text(self):
        """Integer categories match a label given as their text ('2'), not a new category."""
        column = pd.Series(pd.Categorical([0, 1, 2, 1]))
        out = relabelled_column(column, ROWS, np.array(["2", 0], dtype=object))
        assert out.dtype == column.dtype and out.tolist() == [0, 2, 2, 0]

    def test_a_label_outside_the_categories_is_added_and_said(self):
        """A new class is appended as a category (the others keep their order), with a warning naming it."""
        column = pd.Series(pd.Categorical(["a", "b", "a", "b"], categories=["b", "a"]), name="y")
        with pytest.warns(LabelwiseWarning, match=r"\['owl'\], which is not among its categories"):
            out = relabelled_column(column, ROWS, np.array(["owl", "a"], dtype=object))
        assert list(out.cat.categories) == ["b", "a", "owl"]
        assert out.tolist() == ["a", "owl", "a", "a"]

    @pytest.mark.parametrize(
        ("column", "label"),
        [
            (pd.Series([0, 1, 2, 1], dtype="int64"), "cat"),
            (pd.Series([0, 1, 2, 1], dtype="int8"), 2.5),
            (pd.Series([0, 1, 2, 1], dtype="int8"), 1000),
            (pd.Series([True, False, True, False]), 1),
        ],
    )
    def test_a_label_of_another_type_changes_the_dtype_and_says_so(self, column, label):
        """A text in an integer column, 2.5 or an out-of-range number among int8, 1 among booleans: a warning."""
        with pytest.warns(LabelwiseWarning, match="not a value of that type"):
            out = relabelled_column(column, ROWS, np.array([label, column[3]], dtype=object))
        assert out[1] == label
