"""``labelwise.checks._inputs``: the features the checks read, checked with messages that say what to pass."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import sparse

from labelwise.checks import find_data_issues
from labelwise.checks._inputs import check_features
from labelwise.errors import InvalidParameterError


class TestSparseFeatures:
    @pytest.mark.parametrize("kind", [sparse.csr_matrix, sparse.csc_array, sparse.coo_matrix])
    def test_sparse_features_are_refused_naming_toarray(self, kind):
        """A sparse matrix (TF-IDF) was refused as "a numeric matrix ..., got <Compressed Sparse Row sparse
        matrix ...> at index () of an object array; encode strings first": it is not a text to encode."""
        X = kind(np.eye(6))
        with pytest.raises(
            InvalidParameterError, match=r"features must be a dense array, got a sparse \w+ of shape \(6, 6\)"
        ) as e:
            check_features(X, impute=False)
        assert "toarray()" in str(e.value) and "index ()" not in str(e.value)

    def test_find_data_issues_says_so_before_any_work(self):
        rng = np.random.default_rng(0)
        X = sparse.random(30, 8, density=0.3, random_state=0, format="csr")
        with pytest.raises(InvalidParameterError, match="dense array"):
            find_data_issues(X, rng.integers(0, 2, 30), checks=["outlier"])

    def test_the_dense_copy_gives_the_checks(self):
        """The remedy the message names works."""
        X = sparse.random(30, 8, density=0.5, random_state=1, format="csr")
        found = find_data_issues(X.toarray(), checks=["outlier", "exact_duplicate"])
        assert found.summary.set_index("check").loc["outlier", "status"] == "ran"
