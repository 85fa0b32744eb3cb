"""data_valuation on values that cancel exactly: the same flags and score bits in memory and on dask
for any chunking, and a value that is 0 in exact arithmetic is not negative."""

from __future__ import annotations

import numpy as np
import pytest

import labelwise as lw
from labelwise.checks.graph import NeighborGraph

da = pytest.importorskip("dask.array")
dask = pytest.importorskip("dask")

#: With ``k = 3`` neighbours and Shapley ``K = 1``, a validation row gives its first neighbour the value
#: ``m1 - m2 / 2 - m3 / 6`` (``m``: whether each neighbour's label matches its own). Rows (own label,
#: second neighbour, third neighbour) whose values for the hub (row 0, label 0) add up to 0 exactly:
#: ``5/6 - 1/2 - 1/6 - 1/6`` and ``1/3 - 1/6 - 1/6``. Rows 1 and 2 are anchors labelled 0 and 1.
_CANCELLING = ([(0, 1, 1), (1, 1, 2), (1, 1, 2)], [(0, 2, 1), (1, 2, 1), (1, 1, 2), (1, 1, 2)])


def _hub_graph(n_rows: int, seed: int) -> tuple[np.ndarray, np.ndarray, NeighborGraph]:
    """Row 0 is the first neighbour of every row from 3 on (about ``n_rows // 2`` of them, in random
    order); its value is 0 in exact arithmetic."""
    rng = np.random.default_rng(seed)
    rows = np.array([r for _ in range(n_rows // 7) for r in _CANCELLING[int(rng.random() < 0.5)]])
    rows = rows[rng.permutation(rows.shape[0])]
    n = 3 + rows.shape[0]
    y = np.r_[0, 0, 1, rows[:, 0]]
    indices = np.zeros((n, 3), dtype=np.int64)
    indices[3:, 1:] = rows[:, 1:]
    indices[:3] = [[1, 2, 3], [2, 3, 4], [1, 3, 4]]  # the anchors give the hub nothing
    distances = np.tile(np.array([1.0, 2.0, 3.0], dtype=np.float32), (n, 1))
    X = np.c_[np.arange(n, dtype=np.float64), np.zeros(n)]
    return X, y, NeighborGraph(indices, distances, standardized=False)


OPTIONS = {"data_valuation": {"k": 1}}


def test_a_hub_whose_values_cancel_exactly_is_not_negative_in_memory():
    """A hub's 100 000 values add up to 0 in exact arithmetic; their float sum in row order came out
    -2e-12 (flagged as harmful). Summed exactly, it is within rounding of 0: not flagged."""
    X, y, graph = _hub_graph(200_000, seed=3)
    result = lw.checks.find_data_issues(X, y, graph=graph, checks=["data_valuation"], check_options=OPTIONS)
    assert not result.issues["is_data_valuation_issue"].iloc[0]
    assert abs(result.issues["data_valuation_score"].iloc[0] - 0.5) < 1e-12


@pytest.mark.parametrize("seed", [3, 5])
def test_the_hub_s_flag_and_score_are_the_same_for_any_chunking(seed):
    """Dask sums a row's values per partition, then across partitions: with float sums the hub was
    flagged in memory and not in 1000-row chunks (seed 3), or the other way round (seed 5). Its
    flag and score bits now never depend on the chunking."""
    X, y, graph = _hub_graph(200_000, seed=seed)
    theirs = lw.checks.find_data_issues(X, y, graph=graph, checks=["data_valuation"], check_options=OPTIONS).issues
    n = X.shape[0]
    for chunks in (1000, n // 3, (1, n - 1)):
        with dask.config.set(scheduler="sync"):
            ours = lw.checks.find_data_issues(
                da.from_array(X, chunks=(chunks, 2)), y, graph=graph, checks=["data_valuation"], check_options=OPTIONS
            ).issues.compute()
        np.testing.assert_array_equal(ours["is_data_valuation_issue"], theirs["is_data_valuation_issue"])
        np.testing.assert_array_equal(ours["data_valuation_score"].iloc[:1], theirs["data_valuation_score"].iloc[:1])
