"""Tests of weak.apply: row and vectorised functions, errors, Dask partitions."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from labelwise.errors import AnnotationError, InvalidLabelsError, InvalidParameterError, LabelwiseError
from labelwise.weak import LabelingFunctionError, apply, labeling_function


@labeling_function()
def has_link(row):
    return "spam" if "http" in row.text else None


@labeling_function(vectorized=True)
def is_short(df):
    return np.where(df.text.str.len() < 8, "ham", None)


@labeling_function(abstain=-1, name="money")
def has_dollar(row):
    return "spam" if "$" in row.text else -1


@pytest.fixture
def frame():
    return pd.DataFrame(
        {"text": ["win $ http://a", "hi", "http://b", "see you at noon", "$$$"]}, index=[10, 11, 12, 13, 14]
    )


class TestApply:
    def test_answers_table_drops_abstains_and_keeps_item_ids(self, frame):
        """Votes hold one row per non-abstain vote, items being the DataFrame index."""
        votes = apply([has_link, is_short, has_dollar], frame)
        got = set(map(tuple, votes.answers[["item", "labeler", "label"]].to_numpy().tolist()))
        assert got == {
            (10, "has_link", "spam"),
            (12, "has_link", "spam"),
            (11, "is_short", "ham"),
            (14, "is_short", "ham"),
            (10, "money", "spam"),
            (14, "money", "spam"),
        }
        assert votes.items.tolist() == [10, 11, 12, 13, 14]
        assert votes.classes.tolist() == ["ham", "spam"]

    def test_matrix_view_codes_classes_and_marks_abstain(self, frame):
        """The dense matrix has one column per function, class positions, and -1 for abstain."""
        votes = apply([has_link, is_short, has_dollar], frame)
        expected = np.array([[1, -1, 1], [-1, 0, -1], [1, -1, -1], [-1, -1, -1], [-1, 0, 1]])
        np.testing.assert_array_equal(votes.matrix(), expected)

    def test_row_and_vectorized_forms_give_the_same_votes(self, frame):
        """A rule written per row or vectorised gives the same answers table."""
        row_form = labeling_function(lambda r: "ham" if len(r.text) < 8 else None, name="is_short")
        a = apply([row_form], frame).answers
        b = apply([is_short], frame).answers
        pd.testing.assert_frame_equal(a, b)

    def test_value_outside_classes_names_function_row_and_value(self, frame):
        """A returned value outside classes= is an error naming the LF, the row and the value."""
        bad = labeling_function(lambda r: "eggs" if r.text == "hi" else None, name="bad")
        with pytest.raises(LabelingFunctionError, match=r"'bad' returned 'eggs' on row 11"):
            apply([bad], frame, classes=["ham", "spam"])

    def test_function_that_raises_names_function_and_row(self, frame):
        """An exception inside a row function is re-raised naming the function and the row."""
        boom = labeling_function(lambda r: 1 / (len(r.text) - 2), name="boom")
        with pytest.raises(LabelingFunctionError, match=r"'boom' raised ZeroDivisionError.*row 11"):
            apply([boom], frame)
        assert issubclass(LabelingFunctionError, LabelwiseError)

    def test_duplicate_names_are_an_error(self, frame):
        """Two functions with one name are rejected, naming it."""
        twin = labeling_function(lambda r: None, name="has_link")
        with pytest.raises(InvalidParameterError, match="unique names; 'has_link'"):
            apply([has_link, twin], frame)

    def test_every_function_abstaining_everywhere_is_an_error(self, frame):
        """No vote at all is a clear error, not an empty result."""
        never = labeling_function(lambda r: None, name="never")
        with pytest.raises(AnnotationError, match="every labeling function abstained on every row"):
            apply([never], frame)

    def test_vectorized_wrong_length_is_an_error(self, frame):
        """A vectorised function must return one value per row."""
        short = labeling_function(lambda df: np.zeros(2), vectorized=True, name="short")
        with pytest.raises(LabelingFunctionError, match=r"one value per row, shape \(5,\)"):
            apply([short], frame)

    def test_a_value_that_is_not_a_label_names_function_and_row(self, frame):
        """A list returned as a label names the function, the row and the value (it said 'mixed types ['list']')."""
        listy = labeling_function(lambda r: ["spam"] if "http" in r.text else None, name="listy")
        with pytest.raises(LabelingFunctionError, match=r"'listy' returned \['spam'\] \(a list\) on row 10"):
            apply([has_link, listy], frame)

    def test_mixed_label_types_name_a_function_and_row_per_type(self, frame):
        """Strings from one function and integers from another: each type named with where it came from."""
        numeric = labeling_function(lambda r: 1 if r.text == "hi" else None, name="numeric")
        with pytest.raises(
            InvalidLabelsError,
            match=r"str from 'has_link' \(e.g. 'spam' on row 10\); int from 'numeric' \(e.g. 1 on row 11\)",
        ):
            apply([has_link, numeric], frame)

    def test_a_frame_without_rows_is_named(self, frame):
        """An empty frame says it has no rows (not that every function abstained)."""
        with pytest.raises(InvalidParameterError, match="df must have at least one row"):
            apply([has_link], frame.iloc[:0])

    @settings(max_examples=25, deadline=None)
    @given(st.permutations(list(range(5))))
    def test_permuting_rows_permutes_votes(self, order):
        """Reordering the rows gives the same set of votes."""
        base = pd.DataFrame(
            {"text": ["win $ http://a", "hi", "http://b", "see you at noon", "$$$"]}, index=[10, 11, 12, 13, 14]
        )
        a = apply([has_link, is_short, has_dollar], base).answers
        b = apply([has_link, is_short, has_dollar], base.iloc[list(order)]).answers
        key = ["labeler", "item"]
        pd.testing.assert_frame_equal(
            a.sort_values(key).reset_index(drop=True), b.sort_values(key).reset_index(drop=True)
        )


class TestApplyDask:
    @pytest.mark.parametrize("npartitions", [1, 2, 3])
    def test_dask_partitions_give_the_pandas_votes(self, frame, npartitions):
        """Any partitioning of a Dask frame gives the votes of the pandas frame."""
        dd = pytest.importorskip("dask.dataframe")
        expected = apply([has_link, is_short, has_dollar], frame)
        got = apply([has_link, is_short, has_dollar], dd.from_pandas(frame, npartitions=npartitions))
        key = ["labeler", "item"]
        pd.testing.assert_frame_equal(
            expected.answers.sort_values(key).reset_index(drop=True),
            got.answers.sort_values(key).reset_index(drop=True),
            check_dtype=False,
        )
        np.testing.assert_array_equal(expected.matrix(), got.matrix())
