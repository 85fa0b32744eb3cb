"""Tests of ``weak.preprocessor`` and of ``pre=`` / ``resources=`` on labeling and slicing functions."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from labelwise.errors import InvalidParameterError
from labelwise.weak import (
    LabelingFunctionError,
    Preprocessor,
    apply,
    apply_slices,
    labeling_function,
    preprocessor,
    slicing_function,
)

DF = pd.DataFrame({"text": ["WIN cash NOW", "hello mom", "win a prize", "lunch?"]}, index=[10, 11, 12, 13])


def counting(calls, *, vectorized=True, name="lower"):
    """A preprocessor adding ``lower`` that records each call in ``calls``."""

    def lower(x):
        calls.append(len(x) if vectorized else 1)
        return {"lower": x.text.str.lower()} if vectorized else {"lower": x.text.lower()}

    return preprocessor(lower, name=name, vectorized=vectorized)


class TestPreprocessor:
    def test_row_preprocessor_adds_a_field_the_row_function_reads(self):
        """A row preprocessor's dict becomes fields of the rows the labeling function gets."""
        lower = counting([], vectorized=False)
        lf = labeling_function(lambda row: "spam" if "win" in row.lower else None, name="win", pre=[lower])
        assert apply([lf], DF).answers["item"].tolist() == [10, 12]

    def test_vectorised_preprocessor_adds_a_column_the_vectorised_function_reads(self):
        """A vectorised preprocessor's columns are in the frame a vectorised function gets."""
        lower = counting([])
        lf = labeling_function(
            lambda df: np.where(df.lower.str.contains("win"), 1, -1),
            name="win",
            abstain=-1,
            vectorized=True,
            pre=[lower],
        )
        assert apply([lf], DF).answers["item"].tolist() == [10, 12]

    def test_each_preprocessor_runs_once_per_frame_however_many_functions_use_it(self):
        """Three functions listing one preprocessor (two also through another) run it once."""
        calls = []
        lower = counting(calls)
        words = preprocessor(lambda row: {"n": len(row.lower.split())}, name="words", pre=[lower])
        lfs = [
            labeling_function(lambda r: "a" if "win" in r.lower else None, name="a", pre=[lower]),
            labeling_function(lambda r: "b" if r.n > 2 else None, name="b", pre=[lower, words]),
            labeling_function(lambda r: "c" if r.n == 2 else None, name="c", pre=[words]),
        ]
        apply(lfs, DF)
        assert calls == [len(DF)]

    def test_a_function_also_gets_the_fields_of_its_preprocessors_own_preprocessors(self):
        """Listing only ``words`` (whose ``pre`` is ``lower``) gives ``lower``'s field too, as in Snorkel."""
        lower = counting([])
        words = preprocessor(lambda df: {"n": df.lower.str.count(" ") + 1}, name="words", vectorized=True, pre=[lower])
        lf = labeling_function(
            lambda r: "x" if r.n == 2 and r.lower.startswith("hello") else None, name="f", pre=[words]
        )
        assert apply([lf], DF).answers["item"].tolist() == [11]

    def test_a_field_replaces_the_column_of_its_name(self):
        """A preprocessor may rewrite a column (Snorkel's ``x.text = x.text.lower()``)."""
        lower = preprocessor(lambda df: {"text": df.text.str.lower()}, name="lower", vectorized=True)
        lf = labeling_function(lambda r: "spam" if "win" in r.text else None, name="win", pre=[lower])
        assert apply([lf], DF).answers["item"].tolist() == [10, 12]
        assert DF.text.iloc[0] == "WIN cash NOW"  # the caller's frame is not changed

    def test_a_named_series_is_one_column(self):
        """A vectorised preprocessor may return a named Series."""
        lower = preprocessor(lambda df: df.text.str.lower().rename("lower"), name="lower", vectorized=True)
        sf = slicing_function(lambda r: "win" in r.lower, name="win", pre=[lower])
        assert apply_slices([sf], DF).counts.to_dict() == {"win": 2}

    def test_calling_a_function_runs_its_preprocessors_and_passes_resources(self):
        """``lf(row)`` runs its preprocessors first, and passes its resources, as the applier does."""
        lower = counting([], vectorized=False)
        lf = labeling_function(
            lambda row, words: "spam" if row.lower in words else None,
            name="w",
            pre=[lower],
            resources={"words": {"hi"}},
        )
        row = next(pd.DataFrame({"text": ["HI"]}).itertuples(index=False))
        assert lf(row) == "spam" and lf(pd.Series({"text": "no"})) is None

    def test_decorator_without_parentheses_names_it_after_the_function(self):
        """``@preprocessor`` alone makes a row preprocessor named after the function."""

        @preprocessor
        def lower(row):
            return {"lower": row.text.lower()}

        assert isinstance(lower, Preprocessor) and lower.name == "lower" and not lower.vectorized


class TestResources:
    def test_resources_are_keyword_arguments_of_every_call(self):
        """``resources={"words": ...}`` reaches the function as ``words=``, row and vectorised alike."""
        words = {"win", "cash"}
        row_lf = labeling_function(
            lambda row, words: "spam" if set(row.text.lower().split()) & words else None,
            name="row",
            resources={"words": words},
        )
        vec_lf = labeling_function(
            lambda df, words: np.where(df.text.str.lower().str.contains("|".join(words)), "spam", None),
            name="vec",
            vectorized=True,
            resources={"words": words},
        )
        votes = apply([row_lf, vec_lf], DF)
        assert votes.matrix()[:, 0].tolist() == votes.matrix()[:, 1].tolist() == [0, -1, 0, -1]

    def test_a_resource_named_as_the_row_argument_is_refused(self):
        """A resource named as the function's row argument would clash with it."""
        with pytest.raises(InvalidParameterError, match="resources must not name the function's row argument 'row'"):
            labeling_function(lambda row, k=1: None, name="f", resources={"row": 1})

    def test_a_resource_the_function_does_not_take_is_refused(self):
        """A resource the function has no parameter for is named."""
        with pytest.raises(InvalidParameterError, match="no parameter 'kb'"):
            slicing_function(lambda row: True, name="f", resources={"kb": 1})

    def test_resources_must_be_a_dict_of_names(self):
        """``resources`` other than a dict of identifiers is refused, naming it."""
        with pytest.raises(InvalidParameterError, match="resources must be a dict of keyword arguments"):
            labeling_function(lambda row, **kw: None, name="f", resources=[1])

    def test_a_function_with_keyword_arguments_takes_any_resource(self):
        """A function with ``**kwargs`` accepts any resource name."""
        lf = labeling_function(lambda row, **kw: kw["label"], name="f", resources={"label": "x"})
        assert apply([lf], DF).answers["label"].unique().tolist() == ["x"]


class TestPreprocessorErrors:
    def test_a_row_preprocessor_returning_none_is_named_with_the_row(self):
        """None is not a dict of fields: the error names the preprocessor and the row."""
        pre = preprocessor(lambda row: None if row.text == "hello mom" else {"a": 1}, name="parse")
        lf = labeling_function(lambda r: None, name="f", pre=[pre])
        with pytest.raises(LabelingFunctionError, match=r"preprocessor 'parse' returned None on row 11") as info:
            apply([lf], DF)
        assert info.value.row == 11 and info.value.position == 1

    def test_a_row_preprocessor_returning_other_fields_is_named_with_the_row(self):
        """Every row must get the same fields."""
        pre = preprocessor(lambda row: {"a": 1} if row.text != "lunch?" else {"b": 1}, name="parse")
        with pytest.raises(LabelingFunctionError, match=r"'parse' returned the fields \['b'\] on row 13"):
            apply([labeling_function(lambda r: None, name="f", pre=[pre])], DF)

    def test_a_raising_row_preprocessor_is_named_with_the_row(self):
        """An exception in a row preprocessor names it and the row."""
        pre = preprocessor(lambda row: {"n": int(row.text)}, name="number")
        with pytest.raises(LabelingFunctionError, match=r"preprocessor 'number' raised ValueError: .* on row 10"):
            apply([labeling_function(lambda r: None, name="f", pre=[pre])], DF)

    def test_a_vectorised_preprocessor_of_the_wrong_length_is_refused(self):
        """A column without one value per row is named with its shape."""
        pre = preprocessor(lambda df: {"short": df.text.iloc[:2]}, name="cut", vectorized=True)
        with pytest.raises(LabelingFunctionError, match=r"'cut' \(vectorized\) must return one value per row.*\(2,\)"):
            apply([labeling_function(lambda r: None, name="f", pre=[pre])], DF)

    def test_a_vectorised_preprocessor_returning_none_is_refused(self):
        """A vectorised preprocessor must return columns, not None."""
        pre = preprocessor(lambda df: None, name="nothing", vectorized=True)
        with pytest.raises(
            LabelingFunctionError, match=r"'nothing' \(vectorized\) must return its new columns.*NoneType"
        ):
            apply_slices([slicing_function(lambda r: True, name="s", pre=[pre])], DF)

    def test_a_raising_vectorised_preprocessor_names_the_first_row_it_raises_on(self):
        """The failing row of a vectorised preprocessor is found by bisection, as for functions."""
        pre = preprocessor(
            lambda df: {"n": df.text.map(lambda t: 1 / (t != "win a prize"))}, name="inv", vectorized=True
        )
        with pytest.raises(LabelingFunctionError, match=r"'inv' \(vectorized\) raised ZeroDivisionError.* on row 12"):
            apply([labeling_function(lambda r: None, name="f", pre=[pre])], DF)

    def test_two_preprocessors_of_one_name_are_refused(self):
        """Preprocessors are kept by name: two different ones may not share it."""
        a = preprocessor(lambda row: {"a": 1}, name="p")
        b = preprocessor(lambda row: {"b": 1}, name="p")
        lfs = [
            labeling_function(lambda r: None, name="f", pre=[a]),
            labeling_function(lambda r: None, name="g", pre=[b]),
        ]
        with pytest.raises(
            InvalidParameterError, match=r"'p' names two different preprocessors \(used by 'f' and 'g'\)"
        ):
            apply(lfs, DF)

    def test_pre_must_hold_preprocessors(self):
        """A plain function in ``pre`` is refused, naming its position."""
        with pytest.raises(InvalidParameterError, match=r"pre\[0\] must be a preprocessor"):
            labeling_function(lambda r: None, pre=[lambda row: {"a": 1}])
        with pytest.raises(InvalidParameterError, match="pre must be a list of preprocessors"):
            preprocessor(lambda r: {}, pre="lower")

    def test_preprocessor_options_are_checked(self):
        """``name`` and ``vectorized`` are checked as for labeling functions."""
        with pytest.raises(InvalidParameterError, match="name must be a non-empty string"):
            preprocessor(lambda r: {}, name="")
        with pytest.raises(InvalidParameterError, match="vectorized must be True or False"):
            preprocessor(lambda r: {}, vectorized=1)
        with pytest.raises(InvalidParameterError, match="preprocessor needs a callable"):
            preprocessor(name="x")(3)


class TestMemoize:
    def test_a_memoized_row_preprocessor_runs_once_per_distinct_row(self):
        """Equal rows share the result of ``memoize=True``; without it each row is computed."""
        df = pd.DataFrame({"text": ["a", "b", "a", "a", ["x"]]})
        counts = {}
        for memoize in (True, False):
            calls = []
            pre = preprocessor(lambda r, calls=calls: calls.append(1) or {"n": len(r.text)}, name="n", memoize=memoize)
            votes = apply([labeling_function(lambda r: r.n, name="f", pre=[pre])], df)
            assert votes.answers["label"].tolist() == [1, 1, 1, 1, 1]
            counts[memoize] = len(calls)
        assert counts == {True: 3, False: 5}  # "a", "b" and the unhashable list row

    def test_memoize_is_checked(self):
        """``memoize`` must be a bool, and False for a vectorised preprocessor."""
        with pytest.raises(InvalidParameterError, match="memoize must be True or False"):
            preprocessor(lambda r: {}, memoize="yes")
        with pytest.raises(InvalidParameterError, match="memoize must be False for a vectorized preprocessor"):
            preprocessor(lambda df: {}, vectorized=True, memoize=True)


class TestFunctionsThatChangeTheirFrame:
    def test_a_preprocessor_that_changes_its_frame_changes_neither_the_data_nor_other_functions(self):
        """A vectorised preprocessor assigning ``df["text"] = ...`` (as Snorkel's row preprocessors
        may, on their own copy) leaves the user's frame and a function without it unchanged."""

        @preprocessor(vectorized=True)
        def lower(df):
            df["text"] = df.text.str.lower()
            return {"lower": df.text}

        @labeling_function(pre=[lower])
        def says_win(row):
            return "spam" if "win" in row.lower else None

        @labeling_function()
        def shouts(row):
            return "spam" if row.text.split()[0].isupper() else None

        data = DF.copy()
        votes = apply([says_win, shouts], data).matrix()
        assert votes[:, 1].tolist() == [0, -1, -1, -1]
        pd.testing.assert_frame_equal(data, DF)

    def test_a_vectorised_function_that_changes_its_frame_changes_no_other_function(self):
        """A vectorised labeling function that overwrites a column: the next function and the user's
        frame still see the column as given."""

        @labeling_function(vectorized=True)
        def blanks(df):
            df["text"] = ""
            return np.full(len(df), None, dtype=object)

        @labeling_function()
        def says_win(row):
            return "spam" if "win" in row.text.lower() else None

        data = DF.copy()
        assert apply([blanks, says_win], data).matrix()[:, 1].tolist() == [0, -1, 0, -1]
        pd.testing.assert_frame_equal(data, DF)
