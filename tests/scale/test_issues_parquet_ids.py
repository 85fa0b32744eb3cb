"""``labelwise.cli._issues_parquet.write_issues(..., ids=)``: ``--id-column``'s values written right after
``row`` in every part of issues.parquet, whichever path writes it (in memory, the command's process on Dask's
local schedulers, the workers on ``distributed``), from ids held in memory or as a dask array chunked unlike the
audit; strings stay strings (``007``), integers integers. Main had no ``ids`` (the audit at scale refused
``--id-column``)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import labelwise as lw
from labelwise.cli._scale import write_issues  # re-exported from cli._issues_parquet

from ._data import noisy_probs

dask = pytest.importorskip("dask")
da = pytest.importorskip("dask.array")

N = 1000


@pytest.fixture(scope="module")
def noisy():
    return noisy_probs(N, 3, noise=0.2, seed=50)


def _audit(labels, probs, rows=300):
    with dask.config.set(scheduler="synchronous"):
        return lw.find_label_issues(da.from_array(labels, chunks=(rows,)), da.from_array(probs, chunks=(rows, -1)))


def _ids(kind: str):
    """Zero-padded text ids or integers, in memory or as a dask array of 7 chunks (not the audit's 300 rows)."""
    values = np.array([f"{i:05d}" for i in range(N)], dtype=object) if "text" in kind else np.arange(N) * 3 + 7
    return da.from_array(values, chunks=(N // 7 + 1,)) if "dask" in kind else values


@pytest.mark.parametrize("kind", ["text", "text dask", "int", "int dask"])
@pytest.mark.parametrize("scheduler", ["synchronous", "processes"])
def test_every_part_has_each_rows_id_after_row(noisy, tmp_path, kind, scheduler):
    """On a local scheduler each part holds its rows' ids as written, after ``row``, before the audit's columns
    and the checks' ``extra``."""
    result = _audit(*noisy)
    extra = {"outlier_score": np.linspace(0, 1, N)}
    with dask.config.set(scheduler=scheduler):
        path = write_issues(result, tmp_path, extra, ids=("sample", _ids(kind)))
    table = pd.read_parquet(path)
    assert list(table.columns[:3]) == ["row", "sample", "given_label"] and table.columns[-1] == "outlier_score"
    want = np.asarray(_ids(kind.split()[0]))
    assert table["sample"].tolist() == want.tolist() and table["row"].tolist() == list(range(N))
    if "text" in kind:
        assert isinstance(table["sample"].dtype, pd.StringDtype) and table["sample"][0] == "00000"
    else:
        assert table["sample"].dtype == np.int64
    first = pd.read_parquet(path / "part.1.parquet")  # rows 300..599: the ids of those rows
    assert first["sample"].tolist() == want[300:600].tolist()


def test_a_name_the_table_has_is_written_as_id(noisy, tmp_path):
    """An id column named like one of the table's (``row``, ``label_quality``, a check's) is written as ``id``."""
    result = _audit(*noisy)
    for name in ("row", "label_quality", "outlier_score"):
        with dask.config.set(scheduler="synchronous"):
            path = write_issues(result, tmp_path / name, {"outlier_score": np.zeros(N)}, ids=(name, _ids("int")))
        table = pd.read_parquet(path)
        assert list(table.columns[:2]) == ["row", "id"] and table["id"].tolist() == _ids("int").tolist()


def test_an_in_memory_result_gets_its_ids_in_its_one_part(noisy, tmp_path):
    """A memory-mapped audit (labelwise's threads) writes one part, with the ids after ``row``."""
    labels, probs = noisy
    path = write_issues(lw.find_label_issues(labels, probs), tmp_path, ids=("sample", _ids("text dask")))
    table = pd.read_parquet(path)
    assert list(table.columns[:2]) == ["row", "sample"] and table["sample"].tolist() == _ids("text").tolist()


def test_on_distributed_the_workers_write_the_ids(noisy, tmp_path, client):
    """With a client the workers build the parts, ids included: the local path's tables."""
    result = _audit(*noisy)
    with dask.config.set(scheduler="synchronous"):
        local = pd.read_parquet(write_issues(result, tmp_path / "local", ids=("sample", _ids("text"))))
    for kind in ("text", "text dask"):
        cluster = pd.read_parquet(write_issues(result, tmp_path / kind, ids=("sample", _ids(kind))))
        pd.testing.assert_frame_equal(cluster, local)
