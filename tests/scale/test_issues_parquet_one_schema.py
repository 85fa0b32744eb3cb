"""``issues.parquet`` has one schema whichever path writes it: the in-memory audit's one part, the
parts written in the command's process on Dask's local schedulers and the parts the workers write
on ``distributed``. On main, string labels written in memory read back as pandas 3's ``str`` (NaN
missing value, ``numpy_type`` "str" in the pandas metadata) and Dask's as ``string[pyarrow]`` (NA,
"string"): the Arrow types matched, the metadata and the pandas frames did not."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

import labelwise as lw
from labelwise.cli import main
from labelwise.cli._scale import write_issues

from ._data import noisy_probs

dask = pytest.importorskip("dask")
da = pytest.importorskip("dask.array")
pq = pytest.importorskip("pyarrow.parquet")


def _assert_one_schema(ours: Path, reference: Path) -> None:
    """Both folders read back with pyarrow give equal schemas (pandas metadata included) and with
    pandas equal frames (dtypes included)."""
    mine, theirs = pq.read_table(ours), pq.read_table(reference)
    assert mine.schema.equals(theirs.schema, check_metadata=True), (mine.schema, theirs.schema)
    for part in ours.glob("part.*.parquet"):
        assert pq.read_schema(part).equals(theirs.schema, check_metadata=True), part.name
    left, right = pd.read_parquet(ours), pd.read_parquet(reference)
    assert left.dtypes.to_dict() == right.dtypes.to_dict()
    pd.testing.assert_frame_equal(left, right)
    assert left.equals(right)


@pytest.fixture(scope="module")
def noisy():
    return noisy_probs(1200, 4, noise=0.2, seed=47)


def _labels(noisy, kind):
    labels, probs = noisy
    if kind == "str":
        labels = np.array(["cat", "dog", "owl", "yak"], dtype=object)[labels]
    return labels, probs


def _extra(n, texts=True):
    """A text check's two columns and (``texts``) a column of texts, as ``write_issues`` takes them."""
    extra = {"near_duplicate_text": np.arange(n) % 7 == 0, "near_duplicate_text_score": np.linspace(0, 1, n)}
    if texts:
        extra["note"] = np.array(["a", "bb", "ccc"], dtype=object)[np.arange(n) % 3]
    return extra


def _in_memory_and_dask(labels, probs):
    memory = lw.find_label_issues(labels, probs)
    with dask.config.set(scheduler="synchronous"):
        lazy = lw.find_label_issues(da.from_array(labels, chunks=(300,)), da.from_array(probs, chunks=(300, -1)))
    return memory, lazy


class TestLocalSchedulers:
    @pytest.mark.parametrize("kind", ["str", "int"])
    @pytest.mark.parametrize("scheduler", ["synchronous", "threads", "processes"])
    def test_the_in_memory_and_the_dask_table_have_one_schema(self, noisy, tmp_path, kind, scheduler):
        """String labels with a column of texts among the extra ones, and integer labels without
        (a guard: those already matched): the in-memory audit's issues.parquet and the Dask audit's
        have equal pyarrow schemas and equal pandas frames."""
        labels, probs = _labels(noisy, kind)
        memory, lazy = _in_memory_and_dask(labels, probs)
        extra = _extra(len(labels), texts=kind == "str")
        here = write_issues(memory, tmp_path / "memory", extra)
        with dask.config.set(scheduler=scheduler):
            there = write_issues(lazy, tmp_path / "dask", extra)
        assert len(list(there.glob("part.*.parquet"))) == 4
        _assert_one_schema(here, there)

    def test_string_labels_read_back_as_one_string_dtype(self, noisy, tmp_path):
        """The text columns are ``string[pyarrow]`` in every file (Dask's own dtype for texts)."""
        labels, probs = _labels(noisy, "str")
        memory, _ = _in_memory_and_dask(labels, probs)
        table = pd.read_parquet(write_issues(memory, tmp_path, _extra(len(labels))))
        for name in ("given_label", "suggested_label", "note"):
            assert table[name].dtype == pd.StringDtype("pyarrow"), name
        assert table["label_quality"].dtype == probs.dtype and table["is_issue"].dtype == bool


def test_on_distributed_the_workers_parts_have_the_in_memory_schema(noisy, tmp_path, client):
    """With a client the workers write the parts: the same schema and frame as in memory."""
    labels, probs = _labels(noisy, "str")
    memory = lw.find_label_issues(labels, probs)
    lazy = lw.find_label_issues(da.from_array(labels, chunks=(300,)), da.from_array(probs, chunks=(300, -1)))
    extra = _extra(len(labels))
    _assert_one_schema(
        write_issues(memory, tmp_path / "memory", extra), write_issues(lazy, tmp_path / "cluster", extra)
    )


@pytest.mark.parametrize("suffix", [".csv", ".npy"])
def test_the_audit_command_writes_one_schema_in_memory_and_on_dask(tmp_path, suffix):
    """``labelwise audit --probs --labels`` with string labels: without ``--scheduler`` (in memory)
    and with ``--scheduler synchronous`` the issues.parquet folders read back alike."""
    labels, probs = noisy_probs(900, 3, noise=0.2, seed=46)
    names = np.array(["cat", "dog", "fox"])[labels]
    np.save(tmp_path / "probs.npy", probs)
    if suffix == ".csv":
        pd.DataFrame({"label": names}).to_csv(tmp_path / "labels.csv", index=False)
    else:
        np.save(tmp_path / "labels.npy", names)
    common = ["audit", "--probs", str(tmp_path / "probs.npy"), "--labels", str(tmp_path / f"labels{suffix}"), "--quiet"]
    for args in ([], ["--scheduler", "synchronous", "--chunk-rows", "300"]):
        out = tmp_path / (args[1] if args else "memory")
        result = CliRunner().invoke(main, [*common, *args, "--out", str(out)])
        assert result.exit_code == 0, result.output
    _assert_one_schema(tmp_path / "memory" / "issues.parquet", tmp_path / "synchronous" / "issues.parquet")
