"""find_data_issues on a table of k rows or fewer: k is lowered to n - 1 with a warning, as audit --k is."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from labelwise.checks import find_data_issues
from labelwise.errors import LabelwiseWarning


def _rows(n: int = 8, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    return rng.normal(size=(n, 3)), np.arange(n) % 2


class TestSmallTables:
    def test_default_k_on_eight_rows_is_lowered_to_seven_with_a_warning(self):
        """At the default k=10 on 8 rows the checks run with k=7, and a warning names the value used."""
        X, y = _rows()
        with pytest.warns(
            LabelwiseWarning, match=r"k 10 is not below the number of rows \(8\); the data checks use k=7"
        ):
            found = find_data_issues(X, y)
        assert found.graph.k == 7
        assert (found.summary.set_index("check").loc["near_duplicate", "status"]) == "ran"

    def test_the_lowered_run_is_the_run_at_n_minus_one(self):
        """Lowering changes nothing else: the result equals an explicit k = n - 1, which warns nothing."""
        X, y = _rows(10, seed=3)
        with pytest.warns(LabelwiseWarning):
            lowered = find_data_issues(X, y, k=50)
        with warnings.catch_warnings():
            warnings.simplefilter("error", LabelwiseWarning)
            explicit = find_data_issues(X, y, k=9)
        pd.testing.assert_frame_equal(lowered.issues, explicit.issues)
        np.testing.assert_array_equal(lowered.graph.indices, explicit.graph.indices)

    def test_dask_features_are_lowered_by_the_same_rule(self):
        """Features on dask: the same warning and the same k as in memory."""
        da = pytest.importorskip("dask.array")
        X, y = _rows(8, seed=1)
        with pytest.warns(
            LabelwiseWarning, match=r"k 10 is not below the number of rows \(8\); the data checks use k=7"
        ):
            found = find_data_issues(da.from_array(X, chunks=4), y, checks=["outlier"], method="exact")
        memory = find_data_issues(X, y, checks=["outlier"], method="exact", k=7)
        np.testing.assert_allclose(
            np.asarray(found.issues["outlier_score"].compute()), memory.issues["outlier_score"].to_numpy()
        )
