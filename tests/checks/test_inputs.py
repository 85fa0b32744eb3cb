"""``labelwise.checks._inputs``: the features the checks read, checked with messages that say what to pass."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
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


class TestRowOrder:
    @staticmethod
    def _table(n: int = 40) -> tuple[pd.DataFrame, pd.Series]:
        rng = np.random.default_rng(0)
        X = pd.DataFrame(rng.normal(size=(n, 3)), columns=list("abc"), index=np.arange(100, 100 + n))
        return X, pd.Series((X["a"] > 0).astype(int), index=X.index)

    def test_labels_shuffled_against_the_features_are_refused(self):
        """A Series holding the features' rows in another order was read by position: every row got another
        row's label, without a word (half the rows flagged as label issues)."""
        X, y = self._table()
        shuffled = y.sample(frac=1.0, random_state=1)
        with pytest.raises(InvalidParameterError, match=r"labels must list the rows in the order of features' index"):
            find_data_issues(X, shuffled, checks=["label"])
        found = find_data_issues(X, shuffled.reindex(X.index), checks=["label"])  # the remedy named
        assert found.summary.set_index("check").loc["label", "status"] == "ran"

    @pytest.mark.parametrize("name", ["split", "groups", "texts"])
    def test_other_row_inputs_are_checked_too(self, name):
        X, _ = self._table()
        value = pd.Series(np.where(np.arange(len(X)) < 30, "train", "test"), index=X.index[::-1])
        with pytest.raises(InvalidParameterError, match=rf"{name} must list the rows in the order"):
            find_data_issues(X, checks=["exact_duplicate"], **{name: value})

    def test_an_index_of_other_values_is_read_by_position(self):
        """One side reset (RangeIndex beside 100..139) is not the same rows: read by position, as
        scikit-learn reads it."""
        X, y = self._table()
        found = find_data_issues(X, y.reset_index(drop=True), checks=["label"])
        same = find_data_issues(X, y, checks=["label"])
        pd.testing.assert_frame_equal(found.issues, same.issues)

    @settings(max_examples=25, deadline=None)
    @given(st.permutations(list(range(12))))
    def test_only_the_identity_order_passes(self, order):
        """Any permutation of the features' own index other than the identity is refused."""
        X = pd.DataFrame({"a": np.arange(12.0)}, index=[f"r{i}" for i in range(12)])
        labels = pd.Series(np.arange(12) % 2, index=X.index[list(order)])
        if order == sorted(order):
            find_data_issues(X, labels, checks=["class_imbalance"])
        else:
            with pytest.raises(InvalidParameterError, match="labels must list the rows"):
                find_data_issues(X, labels, checks=["class_imbalance"])
