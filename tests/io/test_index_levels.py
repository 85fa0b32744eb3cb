"""``io.index_columns.holds_levels``: which Parquet files hold a two-level (or deeper) pandas index as columns."""

from __future__ import annotations

import pandas as pd
import pyarrow.parquet as pq
import pytest

from labelwise.io.index_columns import holds_levels


def _meta(frame: pd.DataFrame, tmp_path, **kw) -> dict:
    frame.to_parquet(tmp_path / "t.parquet", **kw)
    return pq.read_schema(tmp_path / "t.parquet").pandas_metadata


FRAME = pd.DataFrame({"sample": ["a", "b", "c"], "kind": ["x", "y", "x"], "v": [1.0, 2.0, 3.0]})


class TestHoldsLevels:
    @pytest.mark.parametrize("levels", [["sample", "kind"], ["kind", "sample", "v"]])
    def test_a_multi_index_is_held_as_levels(self, tmp_path, levels):
        """``df.set_index([...])`` of two or three columns: its levels are stored columns."""
        assert holds_levels(_meta(FRAME.set_index(levels), tmp_path))

    @pytest.mark.parametrize(
        "frame",
        [FRAME, FRAME.set_index("sample"), FRAME.rename_axis("row"), FRAME.iloc[[2, 0]]],
        ids=["range", "named", "named-range", "unnamed-kept-rows"],
    )
    def test_one_level_or_none_is_not(self, tmp_path, frame):
        """A one-level index (a column, metadata only, or unnamed rows kept by a filter) is read as before."""
        assert not holds_levels(_meta(frame, tmp_path))

    def test_no_metadata_is_not(self, tmp_path):
        """A file without pandas' metadata (``index=False``; another writer) holds no levels."""
        assert not holds_levels(None) and not holds_levels({})
        assert not holds_levels(_meta(FRAME, tmp_path, index=False))
