"""labelwise.models._subbag: each tree grown on its subsample's rows alone, the same trees bit for bit.

Session 36 grew every tree on all rows with weight zero outside its subsample; scikit-learn's
builder skips rows of zero weight and takes the others in row order, so the subsample's rows alone
give the same tree. These tests hold the two ways equal and check that the cheaper one is used.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.tree import ExtraTreeClassifier

from labelwise.models import _subbag
from labelwise.models._subbag import SubsampledExtraTrees, _grow

_TREE_ARRAYS = (
    "children_left",
    "children_right",
    "feature",
    "threshold",
    "value",
    "impurity",
    "n_node_samples",
    "weighted_n_node_samples",
)


def _same_tree(a, b) -> bool:
    return all(np.array_equal(getattr(a.tree_, name), getattr(b.tree_, name)) for name in _TREE_ARRAYS)


def _data(n, k, d, seed):
    rng = np.random.default_rng(seed)
    codes = rng.integers(0, k, n)
    codes[:k] = np.arange(k)
    X = (rng.normal(size=(n, d)) + np.eye(k, d)[codes]).astype(np.float32)
    return X, codes


@settings(max_examples=30, deadline=None)
@given(
    seed=st.integers(0, 2**31 - 1),
    n=st.integers(8, 300),
    k=st.integers(2, 5),
    weights=st.sampled_from(["ones", "integers", "fractions"]),
    leaf=st.integers(1, 4),
)
def test_a_tree_on_the_subsample_alone_is_the_zero_weight_tree(seed, n, k, weights, leaf):
    """Split for split, values and impurities included, whatever the row weights (zeros among them)."""
    X, codes = _data(n, k, 4, seed)
    rng = np.random.default_rng(seed + 1)
    row_weight = {
        "ones": np.ones(n),
        "integers": rng.integers(0, 4, n).astype(float),
        "fractions": rng.random(n) * (rng.random(n) > 0.2),
    }[weights]
    inside = np.zeros(n, dtype=bool)
    inside[rng.permutation(n)[: max(n // 2, 1)]] = True
    row_weight[np.flatnonzero(inside)[0]] = 1.0  # some weight to grow on
    trees = []
    for compact in (True, False):
        tree = ExtraTreeClassifier(min_samples_leaf=leaf, max_features="sqrt", random_state=seed % 1000)
        _grow(tree, X, codes, codes.astype(np.float64), row_weight, inside, k, compact)
        trees.append(tree)
    assert _same_tree(*trees)
    assert np.array_equal(trees[0].predict_proba(X), trees[1].predict_proba(X))


@pytest.mark.parametrize("k", [2, 3, 6])
def test_out_of_bag_probabilities_are_session_36s(k, monkeypatch):
    """The whole model: trees and out-of-bag probabilities bit for bit as when grown on all rows."""
    X, codes = _data(400, k, 6, seed=k)
    fast = SubsampledExtraTrees(20, oob_score=True, random_state=k).fit(X, codes)
    monkeypatch.setattr(_subbag, "_grow", lambda *args: _grow(*args[:-1], False))
    slow = SubsampledExtraTrees(20, oob_score=True, random_state=k).fit(X, codes)
    assert all(_same_tree(a, b) for a, b in zip(fast.estimators_, slow.estimators_, strict=True))
    assert np.array_equal(fast.oob_decision_function_, slow.oob_decision_function_)
    assert fast.oob_score_ == slow.oob_score_


def _rows_given_to_trees(monkeypatch, model, X, y):
    seen = []
    original = ExtraTreeClassifier.fit

    def recording(self, X, y, sample_weight=None, check_input=True):
        seen.append(X.shape[0])
        return original(self, X, y, sample_weight=sample_weight, check_input=check_input)

    monkeypatch.setattr(ExtraTreeClassifier, "fit", recording)
    model.fit(X, y)
    return seen


def test_trees_are_grown_on_their_subsample_rows_only(monkeypatch):
    """A leaf size given as a count: each tree gets its subsample's rows; as a share (of the rows the
    tree is given), all rows with zero weights, as before."""
    X, codes = _data(400, 3, 5, seed=0)
    seen = _rows_given_to_trees(monkeypatch, SubsampledExtraTrees(10, max_samples=0.3, random_state=0), X, codes)
    assert seen == [120] * 10
    share = SubsampledExtraTrees(4, min_samples_leaf=0.02, random_state=0)
    assert _rows_given_to_trees(monkeypatch, share, X, codes) == [400] * 4


def test_a_subsample_missing_a_class_is_grown_on_all_rows(monkeypatch):
    """The tree's classes come from its labels: without every class it takes all rows (zero weights)."""
    X, codes = _data(200, 3, 4, seed=1)
    codes[3:] = np.where(codes[3:] == 2, 0, codes[3:])  # class 2 on row 2 only
    model = SubsampledExtraTrees(8, oob_score=True, random_state=0)
    seen = _rows_given_to_trees(monkeypatch, model, X, codes)
    with_rare = [2 in rows for rows in model.samples_]
    assert seen == [100 if rare else 200 for rare in with_rare]
    assert all(tree.n_classes_ == 3 for tree in model.estimators_)
