"""The ``--classes`` helpers shared by ``audit`` and ``evaluate`` (``labelwise.cli._classes_option``)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from labelwise.cli._classes_option import (
    check_class_count,
    check_labels_named,
    classes_like_labels,
    parse_classes,
)
from labelwise.errors import InvalidLabelsError, InvalidParameterError


class TestParseClasses:
    def test_not_given_is_none(self):
        """No option: None (the default classes)."""
        assert parse_classes(None) is None

    def test_names_are_stripped_and_kept_in_order(self):
        """' owl, cat ,dog' -> ['owl', 'cat', 'dog']: the column order is the order given."""
        assert parse_classes(" owl, cat ,dog") == ["owl", "cat", "dog"]

    def test_empty_names_what_and_whose_columns(self):
        """An empty list says what a column is and whose columns they are."""
        with pytest.raises(InvalidParameterError, match="the class of each probability column"):
            parse_classes(",", what="class", columns="probability")

    def test_a_repeated_name_is_named(self):
        """A name given twice is named."""
        with pytest.raises(InvalidParameterError, match="'a' is given more than once"):
            parse_classes("a,b,a")


class TestCheckClassCount:
    def test_one_name_per_column_passes(self):
        """Three names for three columns: no error."""
        check_class_count(["a", "b", "c"], 3, what="class")

    def test_another_count_names_both(self):
        """Two names for three columns: the error gives both counts."""
        with pytest.raises(InvalidParameterError, match="names 2 classes but --probs has 3 columns"):
            check_class_count(["a", "b"], 3, what="class")


class TestClassesLikeLabels:
    def test_text_labels_stay_text(self):
        """Text labels: the names as they are, a name no label has included."""
        assert classes_like_labels(["dog", "owl"], np.array(["dog", "cat"], dtype=object)) == ["dog", "owl"]

    def test_integer_labels_give_integers(self):
        """Integer labels: '7' (no row) and '0' are the integers 7 and 0, of Python's type."""
        out = classes_like_labels(["7", "0"], pd.Series([0, 1]))
        assert out == [7, 0] and all(type(v) is int for v in out)

    def test_float_labels_give_floats(self):
        """Whole float labels (a column pandas read as float): '2' is 2.0."""
        assert classes_like_labels(["2", "1.0"], np.array([1.0, 0.0])) == [2.0, 1.0]

    def test_a_name_spelling_an_object_label_is_that_label(self):
        """Mixed labels (JSON Lines): '3' beside the integer 3 in an object column is 3, 'x' stays text."""
        assert classes_like_labels(["3", "x"], np.array([3, "y"], dtype=object)) == [3, "x"]

    @given(st.lists(st.integers(-50, 50), min_size=1, max_size=20))
    def test_integer_names_round_trip(self, values):
        """Property: the text of any integer labels, read back, equals the labels."""
        labels = np.asarray(values, dtype=np.int64)
        assert classes_like_labels([str(v) for v in values], labels) == values


class TestCheckLabelsNamed:
    def test_all_named_passes(self):
        """Every label named (missing values skipped): no error."""
        check_labels_named(["a", None, "b"], ["b", "a", "c"], source="--labels")

    def test_labels_compare_as_text(self):
        """The integer 1 is named by '1' (a CSV read beside a .npy)."""
        check_labels_named(np.array([0, 1]), ["0", "1"], source="--labels")

    def test_a_label_left_out_is_named(self):
        """A label --classes leaves out is named with the source."""
        with pytest.raises(InvalidLabelsError, match=r"--labels has labels that --classes does not name: \['z'\]"):
            check_labels_named(["a", "z"], ["a", "b"], source="--labels")
