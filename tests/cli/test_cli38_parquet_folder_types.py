"""``labelwise aggregate FOLDER`` whose Parquet parts hold the label column as text in one part and as
integers in the others: refused before any fit, naming the part, the column and both types (it
aggregated four classes 0, 1, '0', '1')."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from click.testing import CliRunner

from labelwise.cli import main

pytest.importorskip("dask.dataframe")

ANSWERS = pd.DataFrame(
    {"item": [1, 1, 2, 2, 3, 3], "annotator": ["a", "b", "a", "b", "a", "b"], "label": [0, 0, 1, 1, 0, 1]}
)


def test_a_part_with_text_labels_is_named_and_nothing_is_written(tmp_path):
    """Exit 2, one error line naming the part, the column and the types; no --out folder."""
    folder = tmp_path / "answers"
    folder.mkdir()
    ANSWERS.iloc[:4].to_parquet(folder / "part-0.parquet")
    ANSWERS.iloc[4:].astype({"label": str}).to_parquet(folder / "part-1.parquet")
    result = CliRunner().invoke(main, ["aggregate", str(folder), "--out", str(tmp_path / "out")])
    assert result.exit_code == 2, result.output
    said = " ".join(result.output.split())
    assert "column 'label' holds text" in said and "in part 'part-1.parquet'" in said
    assert "but numbers (int64) in part 'part-0.parquet'" in said
    assert "Traceback" not in result.output and not (tmp_path / "out").exists()


def test_integer_and_float_parts_aggregate_to_two_classes(tmp_path):
    """Integers beside floats (pandas' ints with a NaN) are one kind: classes 0 and 1, not four."""
    folder = tmp_path / "answers"
    folder.mkdir()
    ANSWERS.iloc[:4].to_parquet(folder / "part-0.parquet")
    ANSWERS.iloc[4:].astype({"label": float}).to_parquet(folder / "part-1.parquet")
    result = CliRunner().invoke(main, ["aggregate", str(folder), "--out", str(tmp_path / "out"), "--quiet"])
    assert result.exit_code == 0, result.output
    assert len(json.loads((tmp_path / "out" / "summary.json").read_text())["classes"]) == 2
