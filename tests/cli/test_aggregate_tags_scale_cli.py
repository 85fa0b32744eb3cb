"""`labelwise aggregate-tags` on a Parquet folder of answers or with --scheduler: the files and
columns of the in-memory command, equal to them; what it cannot read is refused naming the option."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from labelwise.aggregate import simulate_multilabel_crowd
from labelwise.cli import main

pytest.importorskip("dask.dataframe")

FILES = ("labels.csv", "probs.csv", "annotators.csv")


def _write(tmp_path, n_parts: int = 3):
    """The same answers as one CSV file and as a folder of ``n_parts`` Parquet parts."""
    crowd = simulate_multilabel_crowd(40, 4, 8, per_item=3, random_state=5)
    table = crowd.answers.assign(tags=crowd.answers["tags"].map("|".join))
    table = pd.concat([table, table.iloc[::9].assign(tags="")], ignore_index=True)  # repeats, empty sets
    csv = tmp_path / "answers.csv"
    table.to_csv(csv, index=False)
    folder = tmp_path / "parts"
    folder.mkdir()
    for i, rows in enumerate(np.array_split(np.arange(len(table)), n_parts)):
        table.iloc[rows].to_parquet(folder / f"part.{i}.parquet", index=False)
    return csv, folder


def _run(args, code: int = 0):
    result = CliRunner().invoke(main, ["aggregate-tags", *map(str, args)])
    assert result.exit_code == code, result.output
    return result


@pytest.mark.parametrize(
    ("extra", "scale"), [((), ()), (("--duplicates", "last", "--min-tags", "1"), ("--scheduler", "threads"))]
)
def test_a_parquet_folder_writes_the_in_memory_files(tmp_path, extra, scale):
    """labels.csv, probs.csv and annotators.csv are byte for byte the in-memory command's; summary.json
    differs only in its time, the scheduler and partitions in its settings and the input it read."""
    csv, folder = _write(tmp_path)
    _run([csv, "--out", tmp_path / "memory", *extra])
    _run([folder, "--out", tmp_path / "blocks", "--quiet", *extra, *scale])
    for name in FILES:
        assert (tmp_path / "memory" / name).read_bytes() == (tmp_path / "blocks" / name).read_bytes(), name
    memory, blocks = (json.loads((tmp_path / d / "summary.json").read_text()) for d in ("memory", "blocks"))
    assert blocks["settings"].pop("scheduler") == "threads" and blocks["settings"].pop("n_partitions") == 3
    assert [s.pop("input")["format"] for s in (memory, blocks)] == ["table", "parquet-parts"]
    for summary in (memory, blocks):
        summary.pop("seconds")
        summary["settings"].pop("path")
    assert memory == blocks


def test_scheduler_on_a_csv_file_is_refused_naming_it(tmp_path):
    """--scheduler reads Parquet only: a CSV file is refused naming --scheduler and ANSWERS."""
    csv, _ = _write(tmp_path)
    result = _run([csv, "--scheduler", "threads", "--out", tmp_path / "o"], code=2)
    assert "--scheduler needs ANSWERS as Parquet" in result.output
    assert not (tmp_path / "o").exists()


def test_a_missing_column_of_the_folder_names_the_option(tmp_path):
    """A --tags-column the Parquet parts lack is named with the option, before anything is read."""
    _, folder = _write(tmp_path)
    result = _run([folder, "--tags-column", "labels", "--out", tmp_path / "o"], code=2)
    assert "--tags-column 'labels' is not a column of ANSWERS" in result.output


def test_a_null_id_names_the_partition(tmp_path):
    """A null annotator in a Parquet part is named with its partition and the ANSWERS column."""
    _, folder = _write(tmp_path, n_parts=2)
    part = pd.read_parquet(folder / "part.1.parquet")
    part.loc[part.index[4], "annotator"] = None
    part.to_parquet(folder / "part.1.parquet", index=False)
    result = _run([folder, "--out", tmp_path / "o"], code=2)
    assert "ANSWERS column 'annotator' must not be null" in result.output and "partition 1" in result.output
