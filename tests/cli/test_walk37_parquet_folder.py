"""`labelwise aggregate FOLDER` where one Parquet file of the folder is another table (session 37's walk)."""

from __future__ import annotations

import pandas as pd
import pytest
from click.testing import CliRunner

from labelwise.cli import main

pytest.importorskip("dask.dataframe")
pytest.importorskip("pyarrow")

ANSWERS = pd.DataFrame(
    {"item": [1, 1, 2, 2, 3, 3], "annotator": ["a", "b", "a", "b", "a", "b"], "label": [0, 0, 1, 1, 0, 1]}
)


def test_a_gold_table_saved_beside_the_answers_parts_is_named_not_a_traceback(tmp_path):
    """The folder's gold.parquet (item, label) made Dask's task fail with a raw KeyError traceback
    ("['annotator'] not in index"); now one error line names the part and the columns it lacks."""
    folder = tmp_path / "answers"
    folder.mkdir()
    ANSWERS.to_parquet(folder / "part-0.parquet")
    ANSWERS[["item", "label"]].drop_duplicates("item").to_parquet(folder / "zz-gold.parquet")
    result = CliRunner().invoke(main, ["aggregate", str(folder), "--out", str(tmp_path / "out")])
    assert result.exit_code == 2, result.output
    said = " ".join(result.output.split())
    assert "must be a folder of Parquet parts with the same columns ['item', 'annotator', 'label']" in said
    assert "its part 'zz-gold.parquet' has no ['annotator'] (it holds ['item', 'label'])" in said
    assert "Traceback" not in result.output and not (tmp_path / "out").exists()


def test_parts_with_the_same_columns_are_aggregated(tmp_path):
    """Two parts of one table still aggregate (the check reads footers, it refuses nothing else)."""
    folder = tmp_path / "answers"
    folder.mkdir()
    ANSWERS.iloc[:4].to_parquet(folder / "part-0.parquet")
    ANSWERS.iloc[4:].to_parquet(folder / "part-1.parquet")
    result = CliRunner().invoke(main, ["aggregate", str(folder), "--out", str(tmp_path / "out"), "--quiet"])
    assert result.exit_code == 0, result.output
    assert len(pd.read_csv(tmp_path / "out" / "labels.csv")) == 3
