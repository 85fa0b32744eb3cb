"""A row function written for the whole DataFrame (`vectorized=True` forgotten) is told so by its error."""

from __future__ import annotations

import pandas as pd
import pytest

from labelwise import weak
from labelwise.weak import LabelingFunctionError

DF = pd.DataFrame({"text": ["win http://x", "hi mom"]})


class TestForgotVectorized:
    def test_a_pandas_accessor_on_a_row_value_names_vectorized(self):
        """`df.text.str.contains` on a row: the error names the function, row 0, the fields and vectorized=True."""

        @weak.labeling_function()
        def link(df):
            return df.text.str.contains("http").map({True: "spam", False: None})

        with pytest.raises(LabelingFunctionError) as info:
            weak.apply([link], DF)
        message = str(info.value)
        assert "'link' raised AttributeError" in message and "on row 0" in message
        assert "a row's fields are ['text']" in message
        assert (
            ".str is a pandas frame's or column's: a function of the whole DataFrame needs vectorized=True" in message
        )

    def test_a_missing_field_gets_no_vectorized_hint(self):
        """`row.body` on a row without it: the fields are listed, vectorized is not suggested."""

        @weak.labeling_function()
        def body(row):
            return "spam" if "http" in row.body else None

        with pytest.raises(LabelingFunctionError) as info:
            weak.apply([body], DF)
        assert "a row's fields are ['text']" in str(info.value)
        assert "vectorized" not in str(info.value)
