"""Row order and class names for :func:`labelwise.weak.expand_soft_labels`.

The expanded set is one weighted copy of each row per class. Permuting the rows (``X`` and the
probabilities together) permutes the copies; a probabilities frame whose index holds ``X``'s rows
in another order is matched by index and gives the same set as the aligned one; and the labels of
the copies are the probability frame's column names, whatever they are.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from labelwise.weak import expand_soft_labels

SETTINGS = settings(max_examples=25, deadline=None)


def case(seed: int, n: int, k: int):
    """Features with an index of text keys, and probabilities on a coarse grid with some zeros."""
    rng = np.random.default_rng(seed)
    index = pd.Index([f"row{i}" for i in rng.permutation(n)])
    X = pd.DataFrame(rng.normal(size=(n, 2)), index=index, columns=["a", "b"])
    p = rng.integers(0, 3, (n, k)).astype(float)
    p[p.sum(axis=1) == 0, 0] = 1.0
    probas = pd.DataFrame(p / p.sum(axis=1, keepdims=True), index=index, columns=[f"c{j}" for j in range(k)])
    return rng, X, probas


def as_set(X_exp, y, w) -> pd.DataFrame:
    """The expanded set as a frame sorted by (row key, label): order-free for comparison."""
    frame = pd.DataFrame({"key": np.asarray(X_exp.index), "label": np.asarray(y), "weight": np.asarray(w)})
    frame = pd.concat([frame, X_exp.reset_index(drop=True)], axis=1)
    return frame.sort_values(["key", "label"]).reset_index(drop=True)


@given(
    seed=st.integers(0, 2**32 - 1), n=st.integers(1, 20), k=st.integers(2, 4), min_weight=st.sampled_from([0.0, 0.4])
)
@SETTINGS
def test_permuting_rows_gives_the_same_weighted_copies(seed, n, k, min_weight):
    """X and probabilities permuted together give the same (row, label, weight) copies."""
    rng, X, probas = case(seed, n, k)
    perm = rng.permutation(n)
    a = as_set(*expand_soft_labels(X, probas, min_weight=min_weight))
    b = as_set(*expand_soft_labels(X.iloc[perm], probas.iloc[perm], min_weight=min_weight))
    pd.testing.assert_frame_equal(a, b)


@given(seed=st.integers(0, 2**32 - 1), n=st.integers(1, 20), k=st.integers(2, 4))
@SETTINGS
def test_probabilities_in_another_row_order_are_matched_by_index(seed, n, k):
    """A probabilities frame whose index is X's in another order gives exactly the aligned result."""
    rng, X, probas = case(seed, n, k)
    aligned = expand_soft_labels(X, probas)
    shuffled = expand_soft_labels(X, probas.iloc[rng.permutation(n)])
    pd.testing.assert_frame_equal(shuffled[0], aligned[0])
    np.testing.assert_array_equal(shuffled[1], aligned[1])
    np.testing.assert_array_equal(shuffled[2], aligned[2])


@given(seed=st.integers(0, 2**32 - 1), n=st.integers(1, 20), k=st.integers(2, 4))
@SETTINGS
def test_renaming_the_columns_renames_the_labels(seed, n, k):
    """Class columns renamed (to ints in another sorted order) give the same copies, relabelled."""
    rng, X, probas = case(seed, n, k)
    sigma = rng.permutation(k)
    renamed = probas.set_axis([int(10 + sigma[j]) for j in range(k)], axis=1)
    a = expand_soft_labels(X, probas)
    b = expand_soft_labels(X, renamed)
    name = dict(zip(probas.columns, renamed.columns, strict=True))
    pd.testing.assert_frame_equal(b[0], a[0])
    np.testing.assert_array_equal(np.asarray(b[1]), np.array([name[v] for v in a[1]]))
    np.testing.assert_array_equal(b[2], a[2])
