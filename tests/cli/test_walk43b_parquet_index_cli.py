"""A Parquet DATA written from a frame with a named index (``df.set_index("wine_id")``): ``corrupt`` and
``augment`` keep that column in their copy of DATA, and ``augment`` counts ``source_row`` in rows."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from labelwise.cli import main

TFS = """
from labelwise.weak import transformation_function

@transformation_function()
def bump(row):
    row.x = row.x + 1.0
    return row
"""


def _data(tmp_path, index: pd.Index) -> pd.DataFrame:
    rng = np.random.default_rng(0)
    frame = pd.DataFrame(
        {"x": rng.normal(size=12), "y": rng.normal(size=12), "label": ["cat", "dog", "owl"] * 4}, index=index
    )
    frame.to_parquet(tmp_path / "data.parquet")
    return frame


INDEXES = {
    "range": pd.RangeIndex(11, 11 + 3 * 12, 3, name="item_id"),  # stored by pandas as metadata only
    "texts": pd.Index([f"w{i:02d}" for i in range(12)], name="item_id"),  # stored as a column
}


def _augment(tmp_path, *options):
    (tmp_path / "tfs.py").write_text(TFS)
    out = tmp_path / "out"
    argv = ["augment", str(tmp_path / "tfs.py"), str(tmp_path / "data.parquet"), "--out", str(out), "--quiet"]
    return CliRunner().invoke(main, [*argv, *options]), out / "augmented.parquet"


class TestAugmentKeepsANamedIndex:
    @pytest.mark.parametrize("kind", list(INDEXES))
    def test_augment_writes_the_index_as_a_column_and_counts_rows(self, tmp_path, kind):
        """No IndexError: the index is DATA's first column, ``source_row`` the row number (0..n-1)."""
        frame = _data(tmp_path, INDEXES[kind])
        result, table_path = _augment(tmp_path, "--policy", "all")
        assert result.exit_code == 0, result.output
        table = pd.read_parquet(table_path)
        assert list(table.columns) == ["item_id", "x", "y", "label", "source_row", "tfs"]
        assert table["source_row"].tolist() == [i for i in range(12) for _ in (0, 1)]
        originals = table[table["tfs"] == ""]
        assert originals["item_id"].tolist() == frame.index.tolist()
        copies = table[table["tfs"] != ""].reset_index(drop=True)
        assert copies["item_id"].tolist() == frame.index.tolist()
        np.testing.assert_allclose(copies["x"], frame["x"].to_numpy() + 1.0)

    @pytest.mark.parametrize("kind", list(INDEXES))
    def test_augment_in_batches_writes_the_same_table(self, tmp_path, kind):
        """``--batch-size 5`` keeps the index column too (a RangeIndex continues from batch to batch)."""
        _data(tmp_path, INDEXES[kind])
        _, whole_path = _augment(tmp_path, "--policy", "all")
        whole = pd.read_parquet(whole_path)
        result, streamed_path = _augment(tmp_path, "--policy", "all", "--batch-size", "5", "--force")
        assert result.exit_code == 0, result.output
        pd.testing.assert_frame_equal(pd.read_parquet(streamed_path), whole)


class TestCorruptKeepsANamedIndex:
    @pytest.mark.parametrize("suffix", [".parquet", ".csv"])
    def test_corrupt_copies_the_index_column(self, tmp_path, suffix):
        """The corrupted copy holds DATA's ``item_id`` column, row for row, beside the other columns."""
        frame = _data(tmp_path, INDEXES["range"])
        out = tmp_path / f"noisy{suffix}"
        argv = ["corrupt", str(tmp_path / "data.parquet"), "--label", "label", "--rate", "0.3", "--out", str(out)]
        result = CliRunner().invoke(main, [*argv, "--quiet"])
        assert result.exit_code == 0, result.output
        table = pd.read_parquet(out) if suffix == ".parquet" else pd.read_csv(out)
        assert list(table.columns) == ["item_id", "x", "y", "label"]
        assert table["item_id"].tolist() == frame.index.tolist()
        np.testing.assert_allclose(table["x"], frame["x"])
