"""A Parquet file whose index is a named ``RangeIndex`` (``df.rename_axis("row").to_parquet(...)``):
pandas keeps it in the file's metadata only, and Dask's reader fails on it when the rows are read.
On main ``aggregate FILE --scheduler threads`` (and a folder of such parts) ended in Dask's
``KeyError: '[nan] not in index'``; now one line names the option, the file, the index and the ways out
(session 45, found while checking the Dask Parquet readers for pandas 3.1's ``inplace`` warning)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from labelwise.cli import main


@pytest.fixture
def answers() -> pd.DataFrame:
    rng = np.random.default_rng(45)
    rows = [(f"q{i:02d}", who, str(rng.choice(["cat", "dog"]))) for i in range(12) for who in "abc"]
    return pd.DataFrame(rows, columns=["item", "annotator", "label"]).rename_axis("row")


@pytest.mark.parametrize("how", ["file", "folder"])
def test_a_named_range_index_under_dask_is_one_line_naming_the_file_and_the_index(tmp_path, answers, how):
    if how == "file":
        answers.to_parquet(path := tmp_path / "answers.parquet")
        args = [path, "--scheduler", "threads"]
        shown = path
    else:
        (path := tmp_path / "parts").mkdir()
        answers.iloc[:18].to_parquet(shown := path / "part.0.parquet")
        answers.iloc[18:].to_parquet(path / "part.1.parquet")
        args = [path]
    result = CliRunner().invoke(main, ["aggregate", *map(str, args), "--out", str(tmp_path / "out"), "--quiet"])
    assert result.exit_code != 0
    assert "Traceback" not in result.output and "KeyError" not in result.output
    line = " ".join(result.output.split())
    assert f"PATH '{shown}' has a named RangeIndex 'row'" in line
    assert "reset_index" in line and "index=False" in line
    assert not (tmp_path / "out" / "labels.csv").exists()


def test_the_same_file_without_scheduler_is_read_in_memory(tmp_path, answers):
    """The guard: the in-memory reader reads the file (its named index as a column)."""
    answers.to_parquet(path := tmp_path / "answers.parquet")
    result = CliRunner().invoke(main, ["aggregate", str(path), "--out", str(tmp_path / "out"), "--quiet"])
    assert result.exit_code == 0, result.output
    assert len(pd.read_csv(tmp_path / "out" / "labels.csv")) == 12
