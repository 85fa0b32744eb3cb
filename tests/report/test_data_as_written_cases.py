"""``report._data_as_written.columns_as_written`` reads the id columns' texts with Arrow's parser and makes
``Int64`` with Arrow's cast (session 48, a speed change): the frames it returns, case by case, are the ones
the earlier pandas read and Python loop gave."""

from __future__ import annotations

import pandas as pd
import pytest

from labelwise.io import read_table
from labelwise.report._data_as_written import columns_as_written


def _as_written(tmp_path, text: str, **options):
    path = tmp_path / "data.csv"
    path.write_text(text)
    data = read_table(path, text_columns=["label"], **options)
    return data, columns_as_written(data, path, exclude=("label",), **options)


def test_integers_with_a_gap_become_int64(tmp_path):
    """'7', '', '-0', '12': Int64 [7, NA, 0, 12], not floats."""
    _, out = _as_written(tmp_path, "id,label\n7,a\n,b\n-0,a\n12,b\n")
    assert str(out["id"].dtype) == "Int64" and out["id"].tolist() == [7, pd.NA, 0, 12]


def test_padded_or_signed_ids_keep_their_text(tmp_path):
    """'007' and '+5' (beside '12' and a gap): the texts, the gap NaN, as read_table's text columns."""
    _, out = _as_written(tmp_path, "id,n,label\n007,+5,a\n12,6,b\n,7,a\n")
    assert out["id"].tolist()[:2] == ["007", "12"] and pd.isna(out["id"].iloc[2])
    assert out["n"].tolist() == ["+5", "6", "7"]


def test_an_integer_past_int64_with_a_gap_is_left_as_read(tmp_path):
    """'99999999999999999999' cannot be an Int64 (pandas reads the column as text): left as read."""
    data, out = _as_written(tmp_path, "id,label\n99999999999999999999,a\n,b\n3,a\n")
    pd.testing.assert_series_equal(out["id"], data["id"])


def test_a_table_without_such_columns_is_returned_as_it_is(tmp_path):
    """Floats with decimals and whole integers without a gap or padding: the same object back."""
    data, out = _as_written(tmp_path, "id,x,label\n1,0.5,a\n2,1.5,b\n")
    assert out is data


@pytest.mark.parametrize("na_values", [None, "", ["missing"]])
def test_the_na_markers_are_the_audits(tmp_path, na_values):
    """A cell 'missing' is a gap only when --na-values names it; 'NA' is one under pandas' markers only."""
    text = "id,label\n7,a\nmissing,b\nNA,a\n012,b\n"
    data, out = _as_written(tmp_path, text, na_values=na_values)
    column = out["id"].tolist()
    if na_values == ["missing"]:
        assert column[0] == "7" and pd.isna(column[1]) and column[2:] == ["NA", "012"]
    else:
        assert column[:2] == list(data["id"].iloc[:2])  # a text column: not integer-looking, left as read
