"""``labels_as_written`` reads a compressed or UTF-16 table's label column as the plain file's (main
took its suffix, ``.gz``, for JSON and failed)."""

from __future__ import annotations

import gzip

import pandas as pd
import pytest

from labelwise.review._label_dtype import labels_as_written

TEXT = "x,label\n1,01\n2,1\n3,\n"


@pytest.mark.parametrize("form", ["gzip", "utf16"])
def test_labels_as_written_of_a_compressed_or_utf16_csv(tmp_path, form):
    """01 and 1 stay two texts, the empty cell missing, as from t.csv."""
    plain = tmp_path / "t.csv"
    plain.write_text(TEXT)
    other = tmp_path / ("t.csv.gz" if form == "gzip" else "u.csv")
    other.write_bytes(gzip.compress(TEXT.encode()) if form == "gzip" else TEXT.encode("utf-16"))
    data = pd.DataFrame({"x": [1, 2, 3]})
    got, want = labels_as_written(other, data, "label"), labels_as_written(plain, data, "label")
    pd.testing.assert_series_equal(got, want)
    assert got.tolist()[:2] == ["01", "1"] and pd.isna(got.iloc[2])
