"""``weak.slicing_function``, ``weak.apply_slices`` and ``weak.slice_dataframe``: membership, errors."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from labelwise.errors import InvalidParameterError, ShapeMismatchError
from labelwise.weak import (
    LabelingFunctionError,
    SlicingFunction,
    apply,
    apply_slices,
    labeling_function,
    slice_dataframe,
    slicing_function,
)

FRAME = pd.DataFrame({"text": ["hi", "see http://x", "hello there", "ok", None], "n": [1, 5, 3, 0, 2]})


@slicing_function()
def has_link(row):
    return isinstance(row.text, str) and "http" in row.text


@slicing_function(vectorized=True)
def short(df):
    return df.text.str.len().fillna(0).lt(4)


@slicing_function(vectorized=True, name="big")
def many(df):
    return (df.n >= 3).astype(int)


class TestSlicingFunction:
    def test_decorator_makes_a_named_slicing_function(self):
        """The decorator keeps the function's name (or the one given) and its vectorised flag."""
        assert isinstance(has_link, SlicingFunction)
        assert (has_link.name, has_link.vectorized, short.vectorized, many.name) == ("has_link", False, True, "big")

    def test_bad_options_are_refused_naming_them(self):
        """A blank name or a non-boolean vectorized is refused, naming the parameter."""
        with pytest.raises(InvalidParameterError, match="name must be a non-empty string"):
            slicing_function(name="")
        with pytest.raises(InvalidParameterError, match="vectorized must be True or False"):
            slicing_function(vectorized="yes")


class TestApplySlices:
    def test_membership_matches_the_rules_row_by_row(self):
        """Each column is the rule evaluated on each row, counts are the column sums."""
        got = apply_slices([has_link, short, many], FRAME)
        expected = pd.DataFrame(
            {
                "has_link": [False, True, False, False, False],
                "short": [True, False, False, True, True],
                "big": [False, True, True, False, False],
            }
        )
        pd.testing.assert_frame_equal(got.to_frame().reset_index(drop=True), expected)
        assert got.counts.to_dict() == {"has_link": 1, "short": 3, "big": 2}
        assert got.mask("big").tolist() == expected["big"].tolist()

    def test_empty_slice_is_kept(self):
        """A slice with no row is a column of False, not an error (unlike an LF that never votes)."""
        never = slicing_function(lambda row: False, name="never")
        assert apply_slices([never], FRAME).counts.to_dict() == {"never": 0}

    def test_non_boolean_return_names_function_and_row(self):
        """A row function returning text is refused, naming the slice and the row."""
        bad = slicing_function(lambda row: "yes" if row.n == 3 else False, name="bad")
        with pytest.raises(LabelingFunctionError, match=r"slicing function 'bad' returned 'yes' on row 2") as info:
            apply_slices([bad], FRAME)
        assert info.value.row == 2

    def test_missing_value_is_not_a_membership(self):
        """A vectorised function returning NaN on a row is refused, naming that row."""
        nan = slicing_function(lambda df: df.n.where(df.n != 0).gt(2).where(df.n != 0), name="nan", vectorized=True)
        with pytest.raises(LabelingFunctionError, match=r"slicing function 'nan' returned nan on row 3"):
            apply_slices([nan], FRAME)

    def test_raising_function_is_named_as_a_slicing_function(self):
        """An exception inside a slicing function is reported with its kind, name and row."""
        boom = slicing_function(lambda row: 1 / row.n > 0.5, name="boom")
        with pytest.raises(LabelingFunctionError, match=r"slicing function 'boom' raised ZeroDivisionError.* row 3"):
            apply_slices([boom], FRAME)

    def test_labeling_function_in_sfs_is_refused(self):
        """A labeling function among the slices (or a slice among LFs) is refused by position."""
        lf = labeling_function(lambda row: None, name="lf")
        with pytest.raises(InvalidParameterError, match=r"sfs\[1\] must be a slicing function, got the labeling"):
            apply_slices([short, lf], FRAME)
        with pytest.raises(InvalidParameterError, match=r"lfs\[0\] must be a labeling function"):
            apply([short], FRAME)

    def test_bad_inputs_name_the_parameter(self):
        """Duplicate names, no functions, a non-frame, no rows and a repeated index are refused."""
        with pytest.raises(InvalidParameterError, match="sfs must have unique names"):
            apply_slices([short, slicing_function(lambda r: True, name="short")], FRAME)
        with pytest.raises(InvalidParameterError, match="sfs must be a non-empty list of slicing functions"):
            apply_slices([], FRAME)
        with pytest.raises(InvalidParameterError, match="df must be a pandas or dask DataFrame"):
            apply_slices([short], FRAME.to_dict())
        with pytest.raises(InvalidParameterError, match="df must have at least one row"):
            apply_slices([short], FRAME.iloc[:0])
        with pytest.raises(ShapeMismatchError, match="df must have a unique index"):
            apply_slices([short], FRAME.set_axis([0, 1, 1, 2, 3]))

    def test_plain_function_is_a_row_slicing_function(self):
        """A plain callable is wrapped as a row slicing function named after it."""

        def small(row):
            return row.n < 2

        assert apply_slices([small], FRAME).counts.to_dict() == {"small": 2}


class TestSliceDataframe:
    def test_rows_of_the_slice_keep_their_index(self):
        """The slice is the rows where the function is True, in order, with their index."""
        pd.testing.assert_frame_equal(slice_dataframe(FRAME, many), FRAME[FRAME.n >= 3])

    def test_dask_frame_gives_the_same_rows(self):
        """On a Dask frame the slice is lazy and computes to the pandas slice."""
        dd = pytest.importorskip("dask.dataframe")
        lazy = slice_dataframe(dd.from_pandas(FRAME, npartitions=2), has_link)
        pd.testing.assert_frame_equal(lazy.compute(), slice_dataframe(FRAME, has_link), check_dtype=False)

    def test_non_frame_is_refused(self):
        """Anything but a DataFrame is refused naming df."""
        with pytest.raises(InvalidParameterError, match="df must be a pandas or dask DataFrame"):
            slice_dataframe(np.zeros(3), short)


class TestApplySlicesDask:
    def test_partitions_with_their_own_index_are_numbered_through(self):
        """Partitions each indexed 0..len-1 (as dd.read_csv gives) are rows 0..n-1, as pandas numbers them."""
        dd = pytest.importorskip("dask.dataframe")
        frame = pd.DataFrame({"n": np.arange(12) % 5, "text": ["ab"] * 12})
        lazy = dd.from_pandas(frame, npartitions=3).map_partitions(lambda p: p.reset_index(drop=True))
        got = apply_slices([many, short], lazy)
        assert got.items.tolist() == list(range(12))
        assert np.array_equal(got.matrix, apply_slices([many, short], frame).matrix)

    def test_error_names_the_row_through_the_frame(self):
        """A failing row in a later partition is named by its row number through the whole frame."""
        dd = pytest.importorskip("dask.dataframe")
        frame = pd.DataFrame({"n": [1, 2, 3, 4, 0, 5]})
        lazy = dd.from_pandas(frame, npartitions=2).map_partitions(lambda p: p.reset_index(drop=True))
        boom = slicing_function(lambda row: 1 / row.n > 0.5, name="boom")
        with pytest.raises(LabelingFunctionError, match=r"slicing function 'boom' raised ZeroDivisionError.* row 4"):
            apply_slices([boom], lazy)
