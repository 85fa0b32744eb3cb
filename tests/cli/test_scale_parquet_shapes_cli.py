"""Parquet files that Dask's own reader could not read as the in-memory readers do, read at scale.

``--scheduler`` and folders of parts read DATA with :func:`labelwise.cli._scale.read_parquet_rows`. Before
session 56 it failed on a ``MultiIndex`` with an unnamed level (``KeyError: None of [None]``) or a level
named as a data column (``cannot insert x, already exists``), refused a hive-partitioned folder
(``df.to_parquet(folder, partition_cols=[...])``: its parts lack the partition column), and every compute
of a file that stores no index made pandas 3.1's ``Pandas4Warning`` (Dask's ``reset_index(inplace=True)``).
Each shape here gives the in-memory reader's columns, and the audit at scale gives the in-memory audit's
rows.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from labelwise.cli import main
from labelwise.cli._scale import read_parquet_rows
from labelwise.io import read_table
from labelwise.io.parquet_parts import read_parquet_folder

#: The audit's own columns, written by the in-memory audit (issues.csv) and at scale (issues.parquet).
AUDIT_COLUMNS = ["row", "sample", "given_label", "suggested_label", "label_quality", "is_issue"]


def _table(n: int = 24, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return pd.DataFrame(
        {
            "sample": [f"s{i:03d}" for i in range(n)],
            "kind": rng.choice(["a", "b", "c"], n),
            "x": rng.normal(size=n),
            "y": rng.permutation(n) % 2,  # both classes
        }
    )


def _indexed(frame: pd.DataFrame, shape: str) -> pd.DataFrame:
    """``frame`` with the index ``shape`` names, as a user would store it."""
    if shape == "unnamed level":  # (sample, None): kind is a level without a name
        stored = frame.set_index(["sample", "kind"])
        stored.index = stored.index.set_names(["sample", None])
        return stored
    if shape == "level named as a column":  # (sample, x): the level 'x' holds kind, the column 'x' the numbers
        stored = frame.set_index(["sample", "kind"])
        stored.index = stored.index.set_names(["sample", "x"])
        return stored
    if shape == "one level named as a column":
        return frame.set_index("kind").rename_axis("x")
    return frame


#: What the in-memory reader reads from each shape: the named levels first, the others dropped.
READ_AS = {
    "unnamed level": ["sample", "x", "y"],
    "level named as a column": ["sample", "x", "y"],
    "one level named as a column": ["sample", "x", "y"],
}


def _store(stored: pd.DataFrame, where: Path, parts: int, index: bool | None = None) -> Path:
    """``stored`` as one Parquet file (``parts == 1``) or a folder of ``parts`` parts."""
    if parts == 1:
        stored.to_parquet(where.with_suffix(".parquet"), index=index)
        return where.with_suffix(".parquet")
    where.mkdir()
    for i, rows in enumerate(np.array_split(np.arange(len(stored)), parts)):
        stored.iloc[rows].to_parquet(where / f"part.{i}.parquet", index=index)
    return where


def _in_memory(path: Path) -> pd.DataFrame:
    return read_parquet_folder(path, "DATA") if path.is_dir() else read_table(path)


def _at_scale(path: Path) -> pd.DataFrame:
    lazy = read_parquet_rows(path, "DATA")
    read = lazy.compute(scheduler="synchronous").reset_index(drop=True)
    assert dict(lazy.dtypes) == dict(read.dtypes)  # Dask's meta is what the partitions hold
    return read


def _audit(data: Path, probs: Path, out: Path, *extra: str) -> pd.DataFrame:
    """The audit's own columns of ``labelwise audit DATA --probs``, rows in row order."""
    args = ["audit", str(data), "--label", "y", "--id-column", "sample", "--probs", str(probs), "--out", str(out)]
    result = CliRunner().invoke(main, [*args, "--quiet", *extra])
    assert result.exit_code == 0, result.output
    issues = out / "issues.parquet"
    read = pd.read_parquet(issues) if issues.exists() else pd.read_csv(out / "issues.csv", dtype={"sample": str})
    read = read[AUDIT_COLUMNS].sort_values("row").reset_index(drop=True)
    return read.astype({"sample": object})


def _probs(n: int, path: Path, seed: int = 1) -> Path:
    np.save(path, np.random.default_rng(seed).dirichlet([1, 1], n))
    return path


def _equal_audits(data: Path, probs: Path, out: Path) -> pd.DataFrame:
    """The in-memory audit of ``data`` and its audit at scale (synchronous) give the same rows; returned."""
    in_memory = _audit(data, probs, out / "memory")
    at_scale = _audit(data, probs, out / "scale", "--scheduler", "synchronous")
    pd.testing.assert_frame_equal(at_scale, in_memory)
    return at_scale


class TestIndexLevelsDaskCouldNotRead:
    """A ``MultiIndex`` with an unnamed level, or a level named as a column, is read as in memory."""

    @pytest.mark.parametrize("shape", sorted(READ_AS))
    @pytest.mark.parametrize("parts", [1, 3])
    def test_reads_the_in_memory_columns(self, tmp_path, shape, parts):
        """The scale reader gives the in-memory reader's columns, names and values (Dask's texts aside)."""
        data = _store(_indexed(_table(), shape), tmp_path / "data", parts)
        read = _at_scale(data)
        assert list(read.columns) == READ_AS[shape]
        pd.testing.assert_frame_equal(read, _in_memory(data), check_dtype=False)

    @pytest.mark.parametrize("shape", sorted(READ_AS))
    def test_audit_at_scale_equals_the_in_memory_audit_and_the_flat_table(self, tmp_path, shape):
        """``--scheduler`` audits the data as the in-memory audit does, and as the table stored without an index."""
        frame = _table()
        probs = _probs(len(frame), tmp_path / "probs.npy")
        data = _store(_indexed(frame, shape), tmp_path / "data", 2)
        flat = _store(frame[READ_AS[shape]], tmp_path / "flat", 2, index=False)
        got = _equal_audits(data, probs, tmp_path / "a")
        pd.testing.assert_frame_equal(got, _audit(flat, probs, tmp_path / "b", "--scheduler", "synchronous"))


class TestNoInplaceWarning:
    """Reading Parquet at scale makes no ``reset_index(inplace=True)`` (pandas 3.1's ``Pandas4Warning``)."""

    @pytest.mark.parametrize(
        "writer",
        ["index=False", "pyarrow, no pandas metadata", "named index", "two levels", "range index", "hive folder"],
    )
    def test_read_and_compute_give_no_inplace_warning(self, tmp_path, writer):
        """Building the frame and computing it issue no deprecation of ``inplace=``, for each way of writing."""
        frame = _table()
        if writer == "index=False":
            data = _store(frame, tmp_path / "data", 1, index=False)
        elif writer == "pyarrow, no pandas metadata":
            data = tmp_path / "data.parquet"
            pq.write_table(pa.Table.from_pandas(frame, preserve_index=False).replace_schema_metadata(None), data)
        elif writer == "named index":
            data = _store(frame.set_index("sample"), tmp_path / "data", 2)
        elif writer == "two levels":
            data = _store(frame.set_index(["sample", "kind"]), tmp_path / "data", 2)
        elif writer == "range index":
            data = _store(frame, tmp_path / "data", 3)
        else:
            data = tmp_path / "data"
            frame.to_parquet(data, partition_cols=["kind"], index=False)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            lazy = read_parquet_rows(data, "DATA")
            lazy.compute(scheduler="synchronous")
            lazy[["y"]].compute(scheduler="synchronous")  # a projected read, as the labels' column is read
        assert [str(w.message) for w in caught if "inplace" in str(w.message)] == []

    @pytest.mark.filterwarnings("error:The inplace keyword")
    def test_audit_at_scale_of_a_file_without_index_runs_with_the_warning_as_an_error(self, tmp_path):
        """The audit at scale of ``to_parquet(index=False)`` data runs where that warning is an error."""
        frame = _table()
        data = _store(frame, tmp_path / "data", 1, index=False)
        _equal_audits(data, _probs(len(frame), tmp_path / "probs.npy"), tmp_path)


class TestHiveFolder:
    """A folder written with ``partition_cols`` reads at scale with the partition columns restored."""

    @pytest.mark.parametrize("columns", [["kind"], ["kind", "y"]])
    def test_reads_the_in_memory_columns_and_types(self, tmp_path, columns):
        """The partition columns are where and what the in-memory reader has (text, or int32 for integers)."""
        data = tmp_path / "data"
        _table().to_parquet(data, partition_cols=columns)
        read, in_memory = _at_scale(data), _in_memory(data)
        assert list(read.columns) == list(in_memory.columns)
        assert read["kind"].dtype == "string" and not isinstance(read["kind"].dtype, pd.CategoricalDtype)
        if "y" in columns:
            assert read["y"].dtype == in_memory["y"].dtype == np.int32
        pd.testing.assert_frame_equal(read, in_memory, check_dtype=False)

    @pytest.mark.parametrize("columns", [["kind"], ["kind", "y"]])
    def test_audit_at_scale_equals_the_in_memory_audit_and_the_flat_table(self, tmp_path, columns):
        """The audit (the label may be a partition column) is the in-memory one, and the flat file's of the rows."""
        data = tmp_path / "data"
        _table(30).to_parquet(data, partition_cols=columns, index=False)
        rows = _in_memory(data)  # the folder's rows, in the order both readers read them
        probs = _probs(len(rows), tmp_path / "probs.npy")
        flat = _store(rows.astype({"y": np.int64}), tmp_path / "flat", 1, index=False)
        got = _equal_audits(data, probs, tmp_path / "a")
        want = _audit(flat, probs, tmp_path / "b", "--scheduler", "synchronous")
        pd.testing.assert_frame_equal(got, want, check_dtype=False)  # a partition label is read as int32

    def test_a_null_partition_reads_as_missing_values_as_in_memory(self, tmp_path):
        """A partition of missing values (``kind=__HIVE_DEFAULT_PARTITION__/``, listed first), which Dask's own
        type discovery refused, reads as the in-memory reader's missing values, and the audit is the in-memory one."""
        frame = _table()
        frame.loc[::3, "kind"] = None
        frame.to_parquet(tmp_path / "data", partition_cols=["kind"])
        read, in_memory = _at_scale(tmp_path / "data"), _in_memory(tmp_path / "data")
        pd.testing.assert_frame_equal(read, in_memory, check_dtype=False)
        assert read["kind"].isna().sum() == in_memory["kind"].isna().sum() == 8
        _equal_audits(tmp_path / "data", _probs(len(frame), tmp_path / "probs.npy"), tmp_path)

    def test_aggregate_of_a_crowd_partitioned_by_annotator_equals_the_flat_file(self, tmp_path):
        """``labelwise aggregate`` of answers written with ``partition_cols=["annotator"]`` writes the flat
        file's labels and annotators (the flat file holds the folder's rows in its order)."""
        rng = np.random.default_rng(3)
        items = np.repeat(np.arange(30), 3)
        truth = rng.integers(0, 3, 30)
        answers = pd.DataFrame(
            {
                "item": items,
                "annotator": np.tile(["a1", "a2", "a3"], 30),
                "label": np.where(rng.random(90) < 0.8, truth[items], rng.integers(0, 3, 90)),
            }
        )
        answers.to_parquet(tmp_path / "crowd", partition_cols=["annotator"])
        _store(_in_memory(tmp_path / "crowd"), tmp_path / "flat", 1, index=False)
        for data, out in [("crowd", "by_folder"), ("flat.parquet", "by_file")]:
            args = ["aggregate", str(tmp_path / data), "--out", str(tmp_path / out), "--quiet"]
            result = CliRunner().invoke(main, [*args, "--scheduler", "synchronous"])
            assert result.exit_code == 0, result.output
        for name in ["labels.csv", "annotators.csv"]:  # the EM's sums run per partition: equal to rounding
            got, want = (pd.read_csv(tmp_path / out / name) for out in ["by_folder", "by_file"])
            pd.testing.assert_frame_equal(got, want, check_exact=False, rtol=1e-12)

    def test_a_part_outside_the_partition_folders_is_still_refused(self, tmp_path):
        """A part whose path names no partition column lacks it, and the message names that part."""
        data = tmp_path / "data"
        frame = _table()
        frame.to_parquet(data, partition_cols=["kind"])
        frame.drop(columns="kind").to_parquet(data / "stray.parquet")
        result = CliRunner().invoke(
            main,
            ["audit", str(data), "--label", "y", "--probs", str(_probs(2 * len(frame), tmp_path / "p.npy"))]
            + ["--out", str(tmp_path / "out"), "--scheduler", "synchronous", "--quiet"],
        )
        assert result.exit_code != 0
        assert "'stray.parquet' has no ['kind']" in result.output


SHAPES = ["no index", "index=False", *sorted(READ_AS), "named index", "two levels", "hive", "hive by label"]


def _written(frame: pd.DataFrame, shape: str, where: Path, parts: int) -> Path:
    if shape.startswith("hive"):
        frame.to_parquet(where, partition_cols=["kind", "y"] if shape == "hive by label" else ["kind"])
        return where
    stored = {
        "named index": lambda: frame.set_index("sample"),
        "two levels": lambda: frame.set_index(["sample", "kind"]),
    }
    return _store(
        stored.get(shape, lambda: _indexed(frame, shape))(), where, parts, False if shape == "index=False" else None
    )


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(shape=st.sampled_from(SHAPES), n=st.integers(6, 40), parts=st.integers(1, 3), seed=st.integers(0, 2**16))
def test_any_shape_audits_at_scale_as_in_memory(tmp_path_factory, shape, n, parts, seed):
    """For any of these shapes, sizes and splits: the scale reader's rows are the in-memory reader's, and the
    audit at scale equals the in-memory audit."""
    tmp = tmp_path_factory.mktemp("shape")
    data = _written(_table(n, seed), shape, tmp / "data", parts)
    pd.testing.assert_frame_equal(_at_scale(data), _in_memory(data), check_dtype=False)
    _equal_audits(data, _probs(n, tmp / "probs.npy", seed), tmp)
