"""`labelwise aggregate-pairs` on a Parquet folder of comparisons or with --scheduler: the files and
columns of the in-memory command, equal to them; what it cannot read is refused naming the option."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from labelwise.cli import main

pytest.importorskip("dask.dataframe")


def _write(tmp_path, n_parts: int = 3):
    """The same comparisons as one CSV file and as a folder of ``n_parts`` Parquet parts."""
    rng = np.random.default_rng(3)
    n, n_items = 240, 12
    left = rng.integers(0, n_items, n)
    right = (left + rng.integers(1, n_items, n)) % n_items
    names = np.array([f"item{v:02d}" for v in range(n_items)], dtype=object)
    won = rng.random(n) < 1 / (1 + np.exp((right - left) / 4))
    table = pd.DataFrame(
        {
            "left": names[left],
            "right": names[right],
            "winner": np.where(won, names[left], names[right]),
            "annotator": [f"w{v}" for v in rng.integers(0, 5, n)],
        }
    )
    csv = tmp_path / "pairs.csv"
    table.to_csv(csv, index=False)
    folder = tmp_path / "parts"
    folder.mkdir()
    for i, rows in enumerate(np.array_split(np.arange(n), n_parts)):
        table.iloc[rows].to_parquet(folder / f"part.{i}.parquet", index=False)
    return csv, folder


def _run(args, code: int = 0):
    result = CliRunner().invoke(main, ["aggregate-pairs", *map(str, args)])
    assert result.exit_code == code, result.output
    return result


@pytest.mark.parametrize(("method", "scale"), [("bt", ()), ("noisy-bt", ("--scheduler", "threads"))])
def test_a_parquet_folder_writes_the_in_memory_files(tmp_path, method, scale):
    """scores.csv (and noisy-bt's annotators.csv) are byte for byte the in-memory command's; summary.json
    adds the scheduler and the partitions."""
    csv, folder = _write(tmp_path)
    _run([csv, "--method", method, "--out", tmp_path / "memory"])
    _run([folder, "--method", method, "--out", tmp_path / "blocks", "--quiet", *scale])
    names = ["scores.csv"] + (["annotators.csv"] if method == "noisy-bt" else [])
    for name in names:
        assert (tmp_path / "memory" / name).read_bytes() == (tmp_path / "blocks" / name).read_bytes(), name
    memory, blocks = (json.loads((tmp_path / d / "summary.json").read_text()) for d in ("memory", "blocks"))
    assert blocks.pop("scheduler") == "threads" and blocks.pop("n_partitions") == 3
    memory.pop("pairs"), blocks.pop("pairs")
    assert memory == blocks


def test_scheduler_on_a_csv_file_is_refused_naming_it(tmp_path):
    """--scheduler reads Parquet only: a CSV file is refused naming --scheduler and PAIRS."""
    csv, _ = _write(tmp_path)
    result = _run([csv, "--scheduler", "threads", "--out", tmp_path / "o"], code=2)
    assert "--scheduler needs PAIRS as Parquet" in result.output


def test_a_bad_row_names_the_option_and_partition(tmp_path):
    """A winner that is neither item of its row is named with --winner-column and its partition."""
    _, folder = _write(tmp_path, n_parts=2)
    part = pd.read_parquet(folder / "part.1.parquet")
    part.loc[part.index[2], "winner"] = "nobody"
    part.to_parquet(folder / "part.1.parquet", index=False)
    result = _run([folder, "--out", tmp_path / "o"], code=2)
    assert "--winner-column 'winner' must be the left or the right item of its row, row 2 " in result.output
    assert "(in partition 1, its rows counted from 0)" in result.output
