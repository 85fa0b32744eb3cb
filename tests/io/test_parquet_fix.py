"""``io.file_kind.parquet_fix``: what a reader by partitions tells a user whose table is not Parquet. A
``.parquet.gz`` is Parquet already: main told the user to "write it as Parquet"; the fix is to remove the
outer compression, which Parquet does not need."""

from __future__ import annotations

import gzip

import pandas as pd
import pytest
from click.testing import CliRunner

from labelwise.cli import main
from labelwise.io.file_kind import parquet_fix


@pytest.mark.parametrize("name", ["answers.parquet.gz", "answers.pq.bz2", "ANSWERS.PARQUET.XZ"])
def test_compressed_parquet_is_told_to_drop_the_outer_compression(name):
    fix = parquet_fix(name)
    assert "Parquet already" in fix and "compresses its columns inside" in fix and "remove the outer ." in fix
    assert "write it as Parquet" not in fix


@pytest.mark.parametrize("name", ["answers.csv", "answers.csv.gz", "answers.gz", "answers.jsonl"])
def test_other_tables_are_told_to_write_parquet(name):
    assert parquet_fix(name) == "write it as Parquet"


@pytest.mark.parametrize("command", ["aggregate", "aggregate-tags", "aggregate-pairs"])
def test_the_scheduler_refusal_of_a_parquet_gz_says_to_remove_the_gz(tmp_path, command):
    """`COMMAND answers.parquet.gz --scheduler threads`: the refusal says it is Parquet already and to remove
    the .gz (main: "write it as Parquet")."""
    pytest.importorskip("dask.dataframe")
    path = tmp_path / "answers.parquet.gz"
    frame = pd.DataFrame({"item": ["a", "b"], "annotator": ["w1", "w2"], "label": ["x", "y"]})
    path.write_bytes(gzip.compress(frame.to_parquet()))
    res = CliRunner().invoke(main, [command, str(path), "--scheduler", "threads", "--out", str(tmp_path / "o")])
    assert res.exit_code == 2, res.output
    output = " ".join(res.output.split())
    assert "as Parquet (a file or a folder of parts)" in output and "remove the outer .gz" in output, output
    assert "write it as Parquet" not in output
