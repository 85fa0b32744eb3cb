"""A row function that fails on a missing value is told so (weakwalk50).

A blank text cell is NaN (pandas) or ``<NA>`` (Dask's pyarrow strings): ``"http" in row.text`` raised
``argument of type 'float' is not iterable`` and ``row.text.lower()`` ``'float' object has no attribute
'lower'`` (with the row's fields listed), which say nothing of the blank cell.
"""

from __future__ import annotations

import pandas as pd
import pytest

from labelwise import weak
from labelwise.weak.apply import LabelingFunctionError


@weak.labeling_function()
def has_link(row):
    return "spam" if "http" in row.text else None


@weak.labeling_function()
def starts_win(row):
    return "spam" if row.text.lower().startswith("win") else None


@pytest.fixture
def blank_second() -> pd.DataFrame:
    return pd.DataFrame({"text": ["win http://a", None, "ok"], "n": [1, 2, 3]})


class TestMissingValueHint:
    def test_type_error_on_a_nan_text_names_the_field_and_the_fix(self, blank_second):
        """`in` on a NaN text names row.text as missing and pd.isna."""
        with pytest.raises(
            LabelingFunctionError,
            match=r"on row 1 \(row\.text is (nan|None): a missing value; test pd\.isna\(row\.text\)",
        ):
            weak.apply([has_link], blank_second)

    def test_attribute_error_of_the_missing_value_names_it_instead_of_the_fields(self, blank_second):
        """`.lower()` of a NaN text names the missing value, not the list of fields."""
        with pytest.raises(LabelingFunctionError, match=r"'lower' on row 1 \(row\.text is .*a missing value") as info:
            weak.apply([starts_win], blank_second)
        assert "a row's fields are" not in str(info.value)

    def test_attribute_error_of_another_value_keeps_the_fields_list(self, blank_second):
        """A misspelt field on a row that also has a missing value is still told the row's fields."""

        @weak.labeling_function()
        def misspelt(row):
            return row.txt

        with pytest.raises(LabelingFunctionError, match=r"a row's fields are \['text', 'n'\]") as info:
            weak.apply([misspelt], blank_second)
        assert "missing value" not in str(info.value)

    def test_an_error_on_a_row_without_missing_values_is_unchanged(self):
        """A TypeError on a full row gets no missing-value hint."""

        @weak.labeling_function()
        def adds(row):
            return row.text + 1

        with pytest.raises(LabelingFunctionError, match=r"on row 0$"):
            weak.apply([adds], pd.DataFrame({"text": ["a", "b"]}))

    def test_dask_pyarrow_na_is_named(self, blank_second, tmp_path):
        """On a Dask frame of pyarrow strings the <NA> is named, with the row through the file."""
        dd = pytest.importorskip("dask.dataframe")
        blank_second.to_csv(tmp_path / "d.csv", index=False)
        frame = dd.read_csv(tmp_path / "d.csv", dtype={"text": "string[pyarrow]"})
        with pytest.raises(LabelingFunctionError, match=r"on row 1 \(row\.text is <NA>: a missing value"):
            weak.apply([has_link], frame)
