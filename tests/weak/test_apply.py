"""Tests of weak.apply: row and vectorised functions, errors, Dask partitions."""

from __future__ import annotations

import io
import re

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rich.console import Console

from labelwise._stage_progress import stages
from labelwise.errors import (
    AnnotationError,
    InvalidLabelsError,
    InvalidParameterError,
    LabelwiseError,
    ShapeMismatchError,
)
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

    def test_vectorized_function_that_raises_names_the_first_row_it_raises_on(self, frame):
        """A vectorised function failing on one row's value is re-raised naming that row (it named none)."""
        picky = labeling_function(
            lambda df: df.text.map(lambda t: 1 / (len(t) - 2)).gt(0).map({True: "ham", False: None}),
            vectorized=True,
            name="picky",
        )
        with pytest.raises(LabelingFunctionError, match=r"'picky' \(vectorized\) raised ZeroDivisionError.*on row 11"):
            apply([picky], frame)

    def test_vectorized_error_about_the_frame_names_no_row(self, frame):
        """A function that fails on any frame (a missing column) is not pinned on a row it has nothing to do with."""
        nocol = labeling_function(lambda df: df.nope, vectorized=True, name="nocol")
        with pytest.raises(LabelingFunctionError, match="'nocol' \\(vectorized\\) raised AttributeError") as info:
            apply([nocol], frame)
        assert "on row" not in str(info.value)

    @settings(max_examples=30, deadline=None)
    @given(st.integers(2, 40).flatmap(lambda n: st.tuples(st.just(n), st.sets(st.integers(0, n - 1), min_size=1))))
    def test_the_row_named_is_the_first_bad_row_for_any_bad_rows(self, case):
        """Whichever rows make a vectorised function fail, the error names the first of them."""
        n, bad = case
        data = pd.DataFrame({"x": np.arange(n)}, index=np.arange(n) * 10)

        def fails_on_bad(df):
            if df.x.isin(list(bad)).any():
                raise ValueError("bad value")
            return np.full(len(df), "a", dtype=object)

        lf = labeling_function(fails_on_bad, vectorized=True)
        with pytest.raises(LabelingFunctionError, match=rf"on row {min(bad) * 10} "):
            apply([lf], data)

    @pytest.mark.parametrize("vectorized", [False, True])
    def test_a_missing_value_from_a_function_abstaining_with_minus_one_is_an_error(self, vectorized):
        """With abstain=-1 a NaN became a class (classes [1.0, nan]); it is an error naming the function and row."""
        data = pd.DataFrame({"x": [1.0, np.nan, 3.0]}, index=[7, 8, 9])
        if vectorized:
            lf = labeling_function(
                lambda df: np.where(df.x > 2, 1, np.where(df.x.isna(), np.nan, -1)), vectorized=True, abstain=-1
            )
        else:
            lf = labeling_function(lambda r: 1 if r.x > 2 else (np.nan if np.isnan(r.x) else -1), abstain=-1)
        with pytest.raises(LabelingFunctionError, match=r"returned nan on row 8: a missing value is not a class"):
            apply([lf], data)

    def test_missing_attribute_lists_the_row_fields_and_renamed_columns(self):
        """row.my_text on a column 'my text' says what a row holds and that the column is row._0."""
        data = pd.DataFrame({"my text": ["a", "b"], "text": ["x", "y"]})
        lf = labeling_function(lambda r: "spam" if r.my_text else None, name="lf")
        with pytest.raises(
            LabelingFunctionError,
            match=r"on row 0 \(a row's fields are \['_0', 'text'\]; columns that are not Python names come by "
            r"position: 'my text' is row._0\)",
        ):
            apply([lf], data)

    def test_a_row_is_read_by_column_name_as_a_snorkel_row(self):
        """row["my text"] (Snorkel's rows are Series) reads the column, a name that is not a Python
        identifier included; attributes and positions still work; an unknown name names the columns."""
        data = pd.DataFrame({"my text": ["hi", "hello"], "n": [1, 2]})
        lf = labeling_function(lambda r: "short" if len(r["my text"]) < 3 and r.n == r[1] else None, name="lf")
        assert apply([lf], data, classes=["short"]).to_frame()[["item", "label"]].values.tolist() == [[0, "short"]]
        with pytest.raises(LabelingFunctionError, match=r"KeyError: \"'txt' is not a column of the row; its columns"):
            apply([labeling_function(lambda r: r["txt"], name="bad")], data, classes=["short"])

    @pytest.mark.parametrize(
        ("classes", "message"),
        [
            ("spam", "classes must be a list of labels"),
            ([], "classes must name at least one class"),
            (["ham", "spam", "ham"], "classes must be distinct, 'ham' is given twice"),
            ([["ham"], "spam"], r"classes must hold single labels \(strings or numbers\), got \['ham'\]"),
        ],
    )
    def test_classes_must_be_a_list_of_distinct_labels(self, frame, classes, message):
        """A string, an empty list, a repeated class or a nested list is an error naming classes (a string raised TypeError)."""
        with pytest.raises(InvalidParameterError, match=message):
            apply([has_link], frame, classes=classes)

    def test_a_set_of_classes_is_accepted(self, frame):
        """classes={'ham', 'spam'} checks the votes as a list does (it raised TypeError)."""
        votes = apply([has_link, is_short], frame, classes={"ham", "spam"})
        assert sorted(votes.classes.tolist()) == ["ham", "spam"]

    def test_verbose_must_be_a_bool_or_none(self, frame):
        """verbose='yes' is an error naming the parameter (it was taken as true)."""
        with pytest.raises(InvalidParameterError, match="verbose must be True, False or None, got 'yes'"):
            apply([has_link], frame, verbose="yes")

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

    def test_a_repeated_index_is_an_error_as_for_pandas(self, frame):
        """Items repeated across partitions are rejected (they gave every vote twice, silently)."""
        dd = pytest.importorskip("dask.dataframe")
        twice = dd.from_pandas(pd.concat([frame, frame]), npartitions=2)
        with pytest.raises(ShapeMismatchError, match="df must have a unique index.*got 10 more than once"):
            apply([has_link], twice)

    def test_progress_is_drawn_over_the_partitions(self, frame):
        """verbose=True draws a 'labeling partitions' stage ending at its total (a Dask frame drew nothing)."""
        dd = pytest.importorskip("dask.dataframe")
        dask = pytest.importorskip("dask")
        buf = io.StringIO()
        console = Console(file=buf, force_terminal=True, width=120, color_system=None)
        with dask.config.set(scheduler="threads"), stages(True, console=console):
            apply([has_link, is_short], dd.from_pandas(frame, npartitions=3))
        last = [line for line in re.split(r"[\r\n]", buf.getvalue()) if "labeling partitions" in line][-1]
        done, total = re.search(r"(\d+)/(\d+)", last).groups()
        assert done == total and int(total) > 0

    def test_a_vectorized_error_names_the_row_within_its_partition(self, frame):
        """The row a vectorised function fails on is named by its index, as in pandas."""
        dd = pytest.importorskip("dask.dataframe")
        picky = labeling_function(
            lambda df: df.text.map(lambda t: 1 / (len(t) - 2)).gt(0).map({True: "ham", False: None}),
            vectorized=True,
            name="picky",
        )
        with pytest.raises(LabelingFunctionError, match=r"'picky' \(vectorized\) raised ZeroDivisionError.*on row 11"):
            apply([picky], dd.from_pandas(frame, npartitions=2))

    @pytest.mark.parametrize("blocksize", [1_000, 4_000, 100_000])
    def test_read_csv_partitions_are_numbered_through_the_file(self, tmp_path, blocksize):
        """dd.read_csv restarts the index at 0 in each partition: the items are the file's row numbers, as
        pandas.read_csv gives (the repeated index made votes.matrix() fail with pandas' InvalidIndexError)."""
        dd = pytest.importorskip("dask.dataframe")
        path = tmp_path / "rows.csv"
        texts = ["win $ http://a", "hi", "http://b", "see you at noon", "$$$", "ok", "http://c $", "fine thanks"]
        pd.DataFrame({"text": texts * 200}).to_csv(path, index=False)
        lazy = dd.read_csv(path, blocksize=blocksize)  # 14, 3 and 1 partitions
        expected = apply([has_link, is_short, has_dollar], pd.read_csv(path))
        got = apply([has_link, is_short, has_dollar], lazy)
        assert got.items.equals(expected.items)
        np.testing.assert_array_equal(got.matrix(), expected.matrix())
