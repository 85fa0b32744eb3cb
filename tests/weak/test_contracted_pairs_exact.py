"""The vectorised steps of the contracted-clique joins (contract56) give main's answers to the bit: the indicators'
correlation, each group's one class and the contracted columns, against the per-column loops they replace."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from labelwise.weak._contracted_pairs import ABSTAIN, _one_class_groups, contracted, learned_groups
from labelwise.weak._structure_learning import indicator_correlation


def _loop_correlation(matrix: np.ndarray, n_classes: int, weights: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
    """``indicator_correlation`` as it was before contract56: one indicator column at a time."""
    w = np.ones(len(matrix)) if weights is None else np.asarray(weights, dtype=np.float64)
    cols, owner = [], []
    for j in range(matrix.shape[1]):
        for a in range(n_classes):
            col = (matrix[:, j] == a).astype(np.float64)
            mean = float(w @ col) / float(w.sum())
            if 0.0 < mean < 1.0:
                cols.append(col)
                owner.append(j)
    if not cols:
        return np.zeros((0, 0)), np.zeros(0, dtype=int)
    x = np.stack(cols, axis=1)
    mean = w @ x / w.sum()
    centred = x - mean
    cov = (centred * w[:, None]).T @ centred / w.sum()
    sd = np.sqrt(np.diag(cov))
    return cov / np.outer(sd, sd), np.asarray(owner, dtype=int)


def _votes(seed: int, n_rows: int, n_functions: int, n_classes: int) -> np.ndarray:
    """Random votes, some functions constant (always abstaining or always one class), some one-class."""
    rng = np.random.default_rng(seed)
    matrix = rng.integers(-1, n_classes, size=(n_rows, n_functions))
    kind = rng.integers(0, 4, size=n_functions)
    matrix[:, kind == 0] = ABSTAIN
    matrix[:, kind == 1] = np.where(rng.random((n_rows, int((kind == 1).sum()))) < 0.4, 0, ABSTAIN)
    if n_functions > 2:
        matrix[:, 2] = n_classes - 1
    return matrix


WEIGHTS = st.sampled_from(["none", "counts", "fractions", "huge"])


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 10_000), st.integers(1, 40), st.integers(1, 8), st.integers(2, 4), WEIGHTS)
def test_indicator_correlation_equals_the_per_column_loop_to_the_bit(seed, n_rows, n_functions, n_classes, kind):
    matrix = _votes(seed, n_rows, n_functions, n_classes)
    rng = np.random.default_rng(seed + 1)
    weights = {
        "none": None,
        "counts": rng.integers(1, 50, size=n_rows).astype(np.float64),
        "fractions": rng.uniform(0.01, 3.0, size=n_rows),
        "huge": np.r_[1e16, np.ones(n_rows - 1)],  # a float sum that drops the ones: the loop's own expression
    }[kind]
    with np.errstate(invalid="ignore", divide="ignore"):  # a kept indicator of zero weighted variance: nan, both ways
        corr, owner = indicator_correlation(matrix, n_classes, weights)
        expected_corr, expected_owner = _loop_correlation(matrix, n_classes, weights)
    assert owner.dtype == expected_owner.dtype and np.array_equal(owner, expected_owner)
    assert corr.shape == expected_corr.shape and corr.tobytes() == expected_corr.tobytes()


def test_indicator_correlation_keeps_the_loop_decision_where_float_sums_round():
    """Weights 1e16, 1, 1: the float total is 1e16, so the loop drops the heavy row's indicator (its mean rounds to
    1) though it is 0 on two rows; only the light rows' indicator is kept, as before."""
    matrix = np.array([[0], [1], [1]])
    weights = np.array([1e16, 1.0, 1.0])
    corr, owner = indicator_correlation(matrix, 2, weights)
    expected_corr, expected_owner = _loop_correlation(matrix, 2, weights)
    assert np.array_equal(owner, expected_owner) and len(owner) == 1
    assert corr.tobytes() == expected_corr.tobytes()


def _loop_classes(matrix: np.ndarray, groups: list[list[int]]) -> list[set[int]]:
    return [set(np.unique(matrix[:, g][matrix[:, g] != ABSTAIN]).tolist()) for g in groups]


def _loop_contracted(matrix: np.ndarray, groups: list[list[int]]) -> np.ndarray:
    columns = []
    for g in groups:
        sub = matrix[:, g]
        fired = sub != ABSTAIN
        columns.append(np.where(fired.any(axis=1), sub[np.arange(len(sub)), fired.argmax(axis=1)], ABSTAIN))
    return np.stack(columns, axis=1)


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 10_000), st.integers(1, 30), st.integers(1, 9), st.integers(2, 5))
def test_group_classes_and_contracted_columns_equal_the_per_group_loops(seed, n_rows, n_functions, n_classes):
    matrix = _votes(seed, n_rows, n_functions, n_classes)
    rng = np.random.default_rng(seed + 2)
    pairs = [tuple(sorted(rng.choice(n_functions, 2, replace=False).tolist())) for _ in range(n_functions // 2)]
    groups = learned_groups(n_functions, pairs if n_functions > 1 else [])
    classes = _loop_classes(matrix, groups)
    expected = [next(iter(c)) if len(c) == 1 else None for c in classes]
    assert _one_class_groups(matrix, groups) == expected
    out = contracted(matrix, groups)
    reference = _loop_contracted(matrix, groups)
    assert out.dtype == reference.dtype and np.array_equal(out, reference)


def test_one_class_groups_of_votes_that_never_abstain_or_always_abstain():
    matrix = np.array([[2, -1, 0], [2, -1, 1]])
    assert _one_class_groups(matrix, [[0], [1], [2]]) == [2, None, None]
    assert _one_class_groups(np.zeros((0, 2), dtype=int), [[0], [1]]) == [None, None]


@settings(max_examples=20, deadline=None)
@given(st.integers(0, 10_000), st.integers(17, 40))
def test_group_classes_of_votes_spanning_many_values_equal_the_per_group_loop(seed, high):
    rng = np.random.default_rng(seed)
    matrix = np.where(rng.random((25, 6)) < 0.5, ABSTAIN, rng.integers(0, high + 1, size=(25, 6)))
    matrix[:, 1] = np.where(rng.random(25) < 0.5, high, ABSTAIN)
    matrix[:, 4] = np.where(rng.random(25) < 0.5, high, ABSTAIN)
    groups = learned_groups(6, [(1, 4), (0, 2)])
    expected = [next(iter(c)) if len(c) == 1 else None for c in _loop_classes(matrix, groups)]
    assert _one_class_groups(matrix, groups) == expected
