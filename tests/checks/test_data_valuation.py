"""data_valuation: the vectorised recursion equals Shapley values computed from their definition."""

from __future__ import annotations

import itertools
import math

import numpy as np

from labelwise.checks import NeighborGraph, find_data_issues
from labelwise.checks.data_valuation import knn_shapley

from ._data import blobs_with_issues


def _brute_force_shapley(match: np.ndarray, K: int) -> np.ndarray:
    """Shapley values of the K-NN utility over N points (nearest first), by enumerating subsets."""
    N = len(match)

    def utility(subset):
        nearest = sorted(subset)[:K]
        return sum(match[i] for i in nearest) / K

    values = np.zeros(N)
    for i in range(N):
        others = [j for j in range(N) if j != i]
        for size in range(N):
            for subset in itertools.combinations(others, size):
                weight = math.factorial(size) * math.factorial(N - size - 1) / math.factorial(N)
                values[i] += weight * (utility(subset + (i,)) - utility(subset))
    return values


def test_recursion_equals_the_shapley_definition():
    """For random labels and K < N, the summed values equal each row's game solved by enumeration."""
    rng = np.random.default_rng(0)
    n = 6
    for K in (1, 2, 3, 5):
        labels = rng.integers(0, 2, n)
        indices = np.array([rng.permutation(np.r_[:i, i + 1 : n]) for i in range(n)])
        expected = np.zeros(n)
        for t in range(n):
            expected[indices[t]] += _brute_force_shapley((labels[indices[t]] == labels[t]).astype(float), K)
        np.testing.assert_allclose(knn_shapley(indices, labels, K), expected, atol=1e-12)


def test_flipped_labels_get_low_values():
    """Rows whose label was flipped score below the others and are mostly flagged as negative value."""
    data = blobs_with_issues()
    found = find_data_issues(data.X, data.y, checks="data_valuation")
    score = found.issues["data_valuation_score"].to_numpy()
    clean = np.setdiff1d(np.arange(len(score)), np.r_[data.flipped, data.outliers])
    assert score[data.flipped].mean() < score[clean].mean() - 0.3
    assert found.issues["is_data_valuation_issue"].to_numpy()[data.flipped].mean() >= 0.8


def test_values_do_not_depend_on_the_row_block(monkeypatch):
    """Blocks of validation rows (bounded memory) give the values of one pass over all rows, bit for bit."""
    from labelwise.checks import data_valuation

    rng = np.random.default_rng(4)
    X = rng.normal(size=(300, 3))
    y = rng.integers(0, 3, 300)
    g = NeighborGraph.build(X, k=8, method="exact")
    whole = data_valuation.knn_shapley(g.indices, y, 4, g.distances)
    monkeypatch.setattr(data_valuation, "ROW_BLOCK", 7)
    np.testing.assert_array_equal(data_valuation.knn_shapley(g.indices, y, 4, g.distances), whole)  # bit for bit
    monkeypatch.setattr(data_valuation, "SUM_BLOCK", 50)  # another order of the sums: equal up to rounding
    np.testing.assert_allclose(data_valuation.knn_shapley(g.indices, y, 4, g.distances), whole, rtol=1e-12, atol=1e-12)
