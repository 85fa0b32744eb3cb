"""``label_as_one_type``: a label column mixing numbers and texts, as written to a Parquet copy (every value its
text, a missing cell missing); a column of one type left alone."""

from __future__ import annotations

import warnings
from pathlib import Path

import pandas as pd
import pytest

from labelwise.errors import LabelwiseWarning
from labelwise.review._label_text import label_as_one_type


class TestLabelAsOneType:
    def test_every_value_becomes_its_text_and_a_missing_cell_stays_missing(self):
        """Integers, a float, a boolean and a text beside a missing cell: each value's ``str``, the gap kept."""
        frame = pd.DataFrame({"y": pd.Series([3, None, "owl", 2.5, True], dtype=object), "x": range(5)})
        with pytest.warns(LabelwiseWarning, match=r"'y' holds values of 4 types .*'out.parquet' has it as text"):
            got = label_as_one_type(frame, "y", Path("out.parquet"))
        assert list(got["y"].iloc[[0, 2, 3, 4]]) == ["3", "owl", "2.5", "True"] and pd.isna(got["y"].iloc[1])
        assert list(got["x"]) == list(range(5)) and frame["y"].iloc[0] == 3  # the given frame is left as it was

    @pytest.mark.parametrize("values", [[1, 2, None], ["a", "b", None], [1, 2.5, None], [True, False, None]], ids=str)
    def test_a_column_of_one_type_is_left_alone(self, values):
        """One type (or integers beside floats, which Parquet writes as floats), even as objects: no change."""
        frame = pd.DataFrame({"y": pd.Series(values, dtype=object)})
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            assert label_as_one_type(frame, "y", Path("out.parquet")) is frame
