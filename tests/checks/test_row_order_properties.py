"""Row order and class names for the checks that tests/checks/test_invariants.py leaves out:
``leakage``, ``null`` and ``underperforming_group`` (with the user's groups and with its own
clusters), on small continuous data with missing values and a train/test split.

Permuting the rows (features, labels, probabilities, split and groups together) permutes every
score and flag; renaming the classes by a bijection to text in another sorted order changes none.
"""

from __future__ import annotations

import warnings

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from labelwise.checks import find_data_issues

SETTINGS = settings(max_examples=8, deadline=None)
CHECKS = ["leakage", "null", "underperforming_group"]


def data(seed: int, n: int, k: int):
    """Blobs per class (continuous: no tied distances), a few missing values, a split, noisy
    probabilities and three user groups (one with worse probabilities)."""
    rng = np.random.default_rng(seed)
    y = rng.integers(0, k, n)
    X = rng.normal(size=(n, 3)) + 1.5 * y[:, None]
    X[rng.random((n, 3)) < 0.05] = np.nan
    split = np.where(rng.random(n) < 0.3, "test", "train")
    groups = rng.integers(0, 3, n)
    logits = rng.normal(size=(n, k)) + np.eye(k)[y] * np.where(groups == 2, 0.2, 3.0)[:, None]
    probs = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    return rng, X, y, split, groups, probs


def run(X, y, split, groups, probs, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # small data: "few rows per class" notices
        return find_data_issues(X, y, probs=probs, checks=CHECKS, split=split, groups=groups, impute=True, k=5, **kw)


@given(seed=st.integers(0, 2**32 - 1), n=st.integers(40, 80), k=st.integers(2, 3), user_groups=st.booleans())
@SETTINGS
def test_permuting_rows_permutes_scores_and_flags(seed, n, k, user_groups):
    """Every row's scores and flags follow it to its new place; the summary is unchanged."""
    rng, X, y, split, groups, probs = data(seed, n, k)
    groups = groups if user_groups else None
    perm = rng.permutation(n)
    a = run(X, y, split, groups, probs)
    b = run(X[perm], y[perm], split[perm], None if groups is None else groups[perm], probs[perm])
    for column in a.issues.columns:
        left, right = a.issues[column].to_numpy()[perm], b.issues[column].to_numpy()
        if left.dtype.kind == "f":
            np.testing.assert_allclose(right, left, rtol=1e-9, atol=1e-12, err_msg=column)
        else:
            np.testing.assert_array_equal(right, left, err_msg=column)
    np.testing.assert_array_equal(a.summary["n_issues"].to_numpy(), b.summary["n_issues"].to_numpy())


@given(seed=st.integers(0, 2**32 - 1), n=st.integers(40, 80), k=st.integers(2, 3), user_groups=st.booleans())
@SETTINGS
def test_renaming_classes_keeps_scores_and_flags(seed, n, k, user_groups):
    """Labels renamed to text in another sorted order (the probabilities' columns listed in that
    order through ``classes``) give the same scores and flags."""
    rng, X, y, split, groups, probs = data(seed, n, k)
    groups = groups if user_groups else None
    names = np.array([f"c{v}" for v in rng.permutation(k)[::-1]], dtype=object)
    a = run(X, y, split, groups, probs)
    b = run(X, names[y], split, groups, probs, classes=names)
    for column in a.issues.columns:
        left, right = a.issues[column].to_numpy(), b.issues[column].to_numpy()
        if left.dtype.kind == "f":
            np.testing.assert_allclose(right, left, rtol=1e-9, atol=1e-12, err_msg=column)
        else:
            np.testing.assert_array_equal(right, left, err_msg=column)
