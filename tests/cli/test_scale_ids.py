"""``cli._scale_ids``' check of the ids at scale: each partition read, hashed and counted in one task; the hashes
counted in the command's process on Dask's local schedulers and by Dask's ``value_counts`` on ``distributed``, with
the same answer; DATA's Parquet parts read once for the ids and the labels."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from labelwise import _chunk_floor
from labelwise.cli import _scale, _scale_ids


@pytest.fixture(autouse=True)
def _partitions_kept(monkeypatch):
    """Partitions of a few KB are not merged into one (the chunk floor), so 3 parts run as 3 partitions."""
    monkeypatch.setattr(_chunk_floor, "ROW_CHUNK_FLOOR_BYTES", 0)
    monkeypatch.setattr(_chunk_floor, "MIN_CHUNK_BYTES", 0)


def _column(tmp_path, ids):
    folder = tmp_path / "data"
    folder.mkdir()
    frame = pd.DataFrame({"sample": ids, "y": np.arange(len(ids)) % 2})
    for i, block in enumerate(np.array_split(np.arange(len(ids)), 3)):
        frame.iloc[block].to_parquet(folder / f"part.{i}.parquet", index=False)
    return _scale.read_parquet_rows(folder, "DATA")["sample"].optimize()


@pytest.mark.parametrize("where", ["local", "distributed"])
def test_the_local_and_the_distributed_count_find_the_same_repeats(tmp_path, monkeypatch, where):
    """An id on two parts, another twice in one part, a missing id: the same counts either way."""
    if where == "distributed":  # the value_counts path, run here on the synchronous scheduler
        monkeypatch.setattr(_chunk_floor, "active_client", lambda: object())
    ids = [f"s{i:03d}" for i in range(30)]
    ids[25] = "s002"  # across parts
    ids[12] = ids[13]  # inside a part
    ids[7] = None
    import dask

    with dask.config.set(scheduler="synchronous"):
        n_missing, repeats, lengths = _scale_ids._checked(_column(tmp_path, ids))
    expected = pd.util.hash_pandas_object(pd.Series(["s002", ids[13]]), index=False).to_numpy()
    assert n_missing == 1
    assert sorted(repeats.tolist()) == sorted(expected.tolist())
    assert lengths == [10, 10, 10]


def test_data_is_read_once_for_the_ids_and_the_labels(tmp_path, monkeypatch):
    """``--id-column`` on a Parquet DATA at scale: DATA's parts are read (schemas checked) once, not once for
    the ids and again for the labels."""
    from click.testing import CliRunner

    from labelwise.cli import main

    folder = tmp_path / "data"
    folder.mkdir()
    y = np.arange(30) % 3
    frame = pd.DataFrame({"sample": [f"s{i}" for i in range(30)], "y": np.array(list("abc"))[y]})
    for i, block in enumerate(np.array_split(np.arange(30), 3)):
        frame.iloc[block].to_parquet(folder / f"part.{i}.parquet", index=False)
    probs = np.full((30, 3), 0.1)
    probs[np.arange(30), y] = 0.8
    np.save(tmp_path / "p.npy", probs)
    reads: list[str] = []
    real = _scale.read_parquet_rows
    monkeypatch.setattr(_scale, "read_parquet_rows", lambda path, what: reads.append(what) or real(path, what))
    args = ["audit", folder, "--label", "y", "--probs", tmp_path / "p.npy", "--id-column", "sample"]
    res = CliRunner().invoke(main, [*map(str, args), "--scheduler", "synchronous", "--out", str(tmp_path / "o")])
    assert res.exit_code == 0, res.output
    assert len(reads) == 1
    assert pd.read_parquet(tmp_path / "o" / "issues.parquet")["sample"].tolist() == frame["sample"].tolist()
