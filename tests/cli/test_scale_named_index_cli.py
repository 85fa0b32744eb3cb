"""A Parquet file written by pandas with a named index (``df.set_index("item")``) holds the item ids as
its index: the Dask readers (``--scheduler``, a folder of Parquet parts) read it as a column, as the
in-memory readers do (``io.index_columns``), so the same answers give the same outputs either way."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from labelwise.cli import main


def _answers(column: str, values: list[str]) -> pd.DataFrame:
    rng = np.random.default_rng(5)
    rows = [(f"q{i:02d}", who, values[int(rng.integers(0, len(values)))]) for i in range(12) for who in "abc"]
    return pd.DataFrame(rows, columns=["item", "annotator", column])


def _run(*args) -> None:
    result = CliRunner().invoke(main, [*map(str, args), "--quiet"])
    assert result.exit_code == 0, result.output


def _write(frame: pd.DataFrame, base, how: str):
    """The answers with ``item`` as the frame's index: one Parquet file, or a folder of two parts."""
    indexed = frame.set_index("item")
    if how == "file":
        indexed.to_parquet(base / "answers.parquet")
        return base / "answers.parquet"
    (base / "parts").mkdir()
    indexed.iloc[: len(frame) // 2].to_parquet(base / "parts" / "part-0.parquet")
    indexed.iloc[len(frame) // 2 :].to_parquet(base / "parts" / "part-1.parquet")
    return base / "parts"


@pytest.mark.parametrize(
    ("command", "column", "values"),
    [("aggregate", "label", ["cat", "dog"]), ("aggregate-tags", "tags", ["cat", "dog", "cat|dog", ""])],
)
def test_a_named_index_is_the_item_column_with_and_without_dask(tmp_path, command, column, values):
    frame = _answers(column, values)
    frame.to_csv(tmp_path / "answers.csv", index=False)
    _run(command, tmp_path / "answers.csv", "--out", tmp_path / "csv")
    expected = pd.read_csv(tmp_path / "csv" / "labels.csv", keep_default_na=False)
    path = _write(frame, tmp_path, "file")
    parts = _write(frame, tmp_path, "parts")
    for name, args in {
        "file": [path],
        "scheduler": [path, "--scheduler", "threads"],
        "parts": [parts],
    }.items():
        _run(command, *args, "--out", tmp_path / name)
        got = pd.read_csv(tmp_path / name / "labels.csv", keep_default_na=False)
        assert got["item"].tolist() == expected["item"].tolist(), name
        pd.testing.assert_frame_equal(got, expected, check_exact=False, atol=1e-9, obj=name)
