"""Parquet written by pandas with a two-level index (``df.set_index(["sample", "kind"])``): the Dask reader
(``--scheduler``, a folder of parts) makes each named level a column, as the in-memory readers do
(``io.index_columns``), so ``--id-column sample`` names one, and the audit and its export are those of the
same table stored with the levels as columns."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from labelwise.cli import main
from labelwise.cli._scale import read_parquet_rows
from labelwise.io import read_table
from labelwise.io.parquet_parts import read_parquet_folder


def _table(n: int = 40, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return pd.DataFrame(
        {
            "sample": [f"s{i:03d}" for i in range(n)],
            "kind": rng.choice(["a", "b"], n),
            "x": rng.normal(size=n),
            "y": rng.permutation(n) % 2,  # both classes
        }
    )


def _store(frame: pd.DataFrame, where: Path, levels: list[str] | None, parts: int) -> Path:
    """``frame`` as one Parquet file (``parts == 1``) or a folder of parts, with ``levels`` as its index."""
    stored = frame.set_index(levels) if levels else frame
    if parts == 1:
        stored.to_parquet(where.with_suffix(".parquet"), index=bool(levels))
        return where.with_suffix(".parquet")
    where.mkdir()
    for i, rows in enumerate(np.array_split(np.arange(len(frame)), parts)):
        stored.iloc[rows].to_parquet(where / f"part-{i}.parquet", index=bool(levels))
    return where


def _in_memory(path: Path) -> pd.DataFrame:
    """``path`` as the in-memory readers read it (a file, or a folder of parts)."""
    return read_parquet_folder(path, "DATA") if path.is_dir() else read_table(path)


def _run(*args) -> None:
    result = CliRunner().invoke(main, [*map(str, args)])
    assert result.exit_code == 0, result.output


def _audit(data: Path, probs: Path, out: Path, *extra) -> pd.DataFrame:
    _run("audit", data, "--label", "y", "--id-column", "sample", "--probs", probs, "--out", out, "--quiet", *extra)
    return (
        pd.read_parquet(out / "issues.parquet")
        if (out / "issues.parquet").exists()
        else pd.read_csv(out / "issues.csv")
    )


@pytest.mark.parametrize("parts", [1, 3])
def test_audit_by_a_column_that_is_one_level_of_a_two_level_index(tmp_path, parts):
    """``--id-column sample`` of data indexed by (sample, kind) audits as the data with those as columns."""
    frame = _table()
    probs = tmp_path / "probs.npy"
    np.save(probs, np.random.default_rng(1).dirichlet([1, 1], len(frame)))
    indexed = _store(frame, tmp_path / "indexed", ["sample", "kind"], parts)
    flat = _store(frame, tmp_path / "flat", None, parts)
    got = _audit(indexed, probs, tmp_path / "a", "--scheduler", "synchronous")
    want = _audit(flat, probs, tmp_path / "b", "--scheduler", "synchronous")
    assert got["sample"].tolist() == want["sample"].tolist()
    pd.testing.assert_frame_equal(got, want)


@pytest.mark.parametrize("out_name", ["clean.parquet", "clean.csv"])
def test_export_of_an_audit_of_two_level_index_data_round_trips(tmp_path, out_name):
    """The export of that audit holds every row with its levels as the first columns, as the flat data's does."""
    frame = _table()
    probs = tmp_path / "probs.npy"
    np.save(probs, np.random.default_rng(2).dirichlet([1, 1], len(frame)))
    copies = {}
    for name, levels in {"indexed": ["sample", "kind"], "flat": None}.items():
        data = _store(frame, tmp_path / name, levels, 2)
        _audit(data, probs, tmp_path / f"out-{name}", "--scheduler", "synchronous")
        _run("export", tmp_path / f"out-{name}", "--out", tmp_path / f"{name}-{out_name}")
        copies[name] = read_table(tmp_path / f"{name}-{out_name}")
    pd.testing.assert_frame_equal(copies["indexed"], copies["flat"])
    pd.testing.assert_frame_equal(copies["indexed"], read_table(_store(frame, tmp_path / "again", None, 1)))
    (log,) = tmp_path.glob("indexed-*.changes.csv")
    assert "sample" in pd.read_csv(log).columns  # the reviewed rows are named by the level's ids


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    n=st.integers(4, 30),
    levels=st.sampled_from([["sample", "kind"], ["kind", "sample"], ["sample", "kind", "x"]]),
    parts=st.integers(1, 3),
    seed=st.integers(0, 2**16),
)
def test_audit_rows_are_the_same_with_the_table_stored_by_index_or_by_columns(tmp_path_factory, n, levels, parts, seed):
    """For any levels, any split into parts: the Dask reader's rows equal the in-memory reader's, and the
    audit's issues equal those of the table stored with the levels as columns (first, as the reader puts them)."""
    tmp = tmp_path_factory.mktemp("levels")
    frame = _table(n, seed)
    parts = min(parts, n)
    indexed = _store(frame, tmp / "indexed", levels, parts)
    in_order = frame[levels + [c for c in frame.columns if c not in levels]]
    flat = _store(in_order, tmp / "flat", None, parts)
    lazy = read_parquet_rows(indexed, "DATA")
    read = lazy.compute().reset_index(drop=True)
    assert dict(lazy.dtypes) == dict(read.dtypes)  # Dask's meta is what the partitions hold
    pd.testing.assert_frame_equal(read, read_parquet_rows(flat, "DATA").compute().reset_index(drop=True))
    pd.testing.assert_frame_equal(_in_memory(indexed), _in_memory(flat))
    pd.testing.assert_frame_equal(read, _in_memory(flat), check_dtype=False)  # Dask's texts are string[pyarrow]
    probs = tmp / "probs.npy"
    np.save(probs, np.random.default_rng(seed).dirichlet([1, 1], n))
    got = _audit(indexed, probs, tmp / "a", "--scheduler", "synchronous")
    want = _audit(flat, probs, tmp / "b", "--scheduler", "synchronous")
    pd.testing.assert_frame_equal(got, want)
