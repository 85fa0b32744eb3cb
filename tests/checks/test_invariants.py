"""Invariants of find_data_issues beyond its fixed-seed tests: class renaming and row
permutation on random small data with tied feature values and duplicated rows."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from labelwise.checks import find_data_issues

SETTINGS = settings(max_examples=10, deadline=None)
ORDER_FREE = ("label", "outlier", "exact_duplicate", "near_duplicate", "class_imbalance")


def _data(seed: int, n: int, k: int):
    """Blobs on a coarse grid (tied distances), a few exact duplicate rows, and integer labels."""
    rng = np.random.default_rng(seed)
    y = rng.integers(0, k, n)
    X = np.round(rng.normal(size=(n, 3)) + 2.0 * y[:, None], 1)
    twins = rng.choice(n, 4, replace=False)
    X[twins[:2]] = X[twins[2:]]
    return rng, X, y


@SETTINGS
@given(seed=st.integers(0, 1000), n=st.integers(40, 90), k=st.integers(2, 4))
def test_renaming_classes_keeps_every_column(seed, n, k):
    """Labels renamed by a bijection to strings (whose sorted order is not the integers'), with
    ``classes`` listed in that renamed order, give the same issue table, column for column, with
    the label columns renamed; the features have tied distances and exact twins."""
    rng, X, y = _data(seed, n, k)
    names = np.array([f"c{v}" for v in rng.permutation(k)], dtype=object)
    a = find_data_issues(X, y, k=5, random_state=0)
    b = find_data_issues(X, names[y], k=5, random_state=0, classes=names)
    assert list(a.issues.columns) == list(b.issues.columns)
    for column in a.issues.columns:
        left, right = a.issues[column].to_numpy(), b.issues[column].to_numpy()
        if right.dtype == object and left.dtype.kind in "iu":  # a label column, renamed
            np.testing.assert_array_equal(right, names[left], err_msg=column)
        elif left.dtype.kind == "f":
            np.testing.assert_allclose(right, left, rtol=0, atol=1e-12, err_msg=column)
        else:
            np.testing.assert_array_equal(right, left, err_msg=column)


@SETTINGS
@given(seed=st.integers(0, 1000), n=st.integers(40, 90), k=st.integers(2, 4))
def test_permuting_rows_permutes_the_order_free_scores(seed, n, k):
    """On continuous features (no tied distances), permuting the rows permutes the scores of the
    order-free checks (``non_iid`` is about order; ``data_valuation`` needs no exact twins). With
    tied distances the graph takes the lower row index (documented), so that case is not
    order-free."""
    rng = np.random.default_rng(seed)
    y = rng.integers(0, k, n)
    X = rng.normal(size=(n, 3)) + 2.0 * y[:, None]
    perm = rng.permutation(n)
    a = find_data_issues(X, y, k=5, random_state=0)
    b = find_data_issues(X[perm], y[perm], k=5, random_state=0)
    for name in (*ORDER_FREE, "data_valuation"):
        np.testing.assert_allclose(
            b.issues[f"{name}_score"], a.issues[f"{name}_score"].to_numpy()[perm], atol=1e-9, err_msg=name
        )


@settings(max_examples=25, deadline=None)
@given(
    n=st.integers(20, 40),
    start=st.integers(-50, 50),
    steps=st.lists(st.integers(0, 3), min_size=39, max_size=39),
    strict=st.booleans(),
    as_float=st.booleans(),
    seed=st.integers(0, 1000),
)
def test_identifier_columns_follow_the_rule_under_reversal_and_column_moves(n, start, steps, strict, as_float, seed):
    """A column of integers (integral floats too) is an identifier exactly when its values are at
    least 20, all distinct and in monotone row order (a step of 0 is a repeat, never an id), and a
    constant exactly when it has one value. Reversing the rows keeps both lists (decreasing is
    monotone too); moving the columns moves the indices with them."""
    rng = np.random.default_rng(seed)
    steps = [step + strict for step in steps[: n - 1]]  # strict: every step >= 1, an id
    candidate = start + np.concatenate([[0], np.cumsum(steps)])
    X = pd.DataFrame(
        {
            "x": rng.normal(size=n),
            "candidate": candidate.astype(np.float64) if as_float else candidate,
            "seven": np.full(n, 7.0),
            "code": rng.integers(0, 3, n),
        }
    )
    is_id = len(np.unique(candidate)) == n  # steps >= 0: monotone, so distinct means strictly
    is_constant = len(np.unique(candidate)) == 1

    def found(features: pd.DataFrame) -> dict:
        return find_data_issues(features, checks="identifier_column").info["identifier_column"]

    info = found(X)
    assert info["identifier_columns"] == ([1] if is_id else [])
    assert info["constant_columns"] == ([1, 2] if is_constant else [2])
    assert found(X.iloc[::-1]) == info
    move = rng.permutation(4)  # new column j holds old column move[j]
    moved = found(X.iloc[:, move])
    where = np.argsort(move)  # old column c is now at where[c]
    assert moved["identifier_columns"] == sorted(where[info["identifier_columns"]].tolist())
    assert moved["constant_columns"] == sorted(where[info["constant_columns"]].tolist())
