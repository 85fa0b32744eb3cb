"""The missing-abstain pair check made once for the one-class fit's structures that reach the same fit, and its
shared-item counts from the dense vote indicator (speed57): the same rows, bit for bit."""

from __future__ import annotations

import warnings

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from labelwise.aggregate._dependent import MIN_SHARED_ITEMS, MemoryPairs
from labelwise.aggregate.dawid_skene import DawidSkene
from labelwise.weak import LabelModel, _fit_check, simulate_lfs
from labelwise.weak._crowd_pairs import own_fit_pairs, row_pairs
from labelwise.weak._shared_steps import SHARED


def _counted(monkeypatch) -> list[int]:
    """Count the calls of the own-fit check the label model makes."""
    calls: list[int] = []
    real = _fit_check.own_fit_pairs
    monkeypatch.setattr(_fit_check, "own_fit_pairs", lambda *a, **kw: calls.append(1) or real(*a, **kw))
    return calls


def test_both_structures_of_the_one_class_fit_run_the_missing_abstain_check_once(monkeypatch):
    """The benchmark generator's sim15701 (first seed 15700): the one-class fit fits two structures, both reach the
    same missing-abstain fit and cliques, and the pair check on it runs once, not once a structure."""
    from labelwise.weak import label_model

    votes = simulate_lfs(10_000, 10, 2, n_correlated=3, coverage=(0.05, 0.6), imbalance=2.0, random_state=15701).votes
    calls = _counted(monkeypatch)
    fits: list[int] = []
    real_rows = label_model.LabelModel._fit_rows
    monkeypatch.setattr(label_model.LabelModel, "_fit_rows", lambda self, *a: fits.append(1) or real_rows(self, *a))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = LabelModel().fit(votes)
    assert model.abstains_ == "missing" and len(fits) >= 2  # the case is exercised: two structures
    assert len(calls) == 1


def _check_inputs() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Vote rows with a dependent pair (functions 0 and 1 copy each other), their weights and a posterior."""
    rng = np.random.default_rng(7)
    truth = rng.integers(0, 2, 600)
    matrix = np.where(rng.random((600, 6)) < 0.8, truth[:, None], 1 - truth[:, None])
    matrix[:, 1] = np.where(rng.random(600) < 0.95, matrix[:, 0], matrix[:, 1])
    matrix[rng.random((600, 6)) < 0.2] = -1
    matrix[:, 2] = np.where((matrix == -1).all(axis=1), truth, matrix[:, 2])  # every row has a vote
    weights = rng.integers(1, 4, 600).astype(np.float64)
    shares = np.stack([(matrix == c).sum(axis=1) for c in range(2)], axis=1) + 0.5
    return matrix, weights, shares / shares.sum(axis=1, keepdims=True)


class _Run:
    def __init__(self, post: np.ndarray) -> None:
        self.post = post


def test_a_repeated_check_in_a_shared_context_returns_the_first_checks_rows(monkeypatch):
    """In one shared context the check of the same rows, settings and an equal posterior runs once, its rows equal
    to a check made alone, each caller with its own array; a posterior that differs runs the check again."""
    matrix, weights, post = _check_inputs()
    args = (2, 5.0, 8.0, True, None)
    alone = own_fit_pairs(matrix, weights, post, 2, threshold=5.0, prior_strength=8.0, triad=True)
    calls = _counted(monkeypatch)
    token = SHARED.set({})
    try:
        first = _fit_check._own_fit_pairs(matrix, weights, _Run(post), *args)
        again = _fit_check._own_fit_pairs(matrix, weights, _Run(post.copy()), *args)
        assert len(calls) == 1
        other = post.copy()
        other[0] = other[0][::-1]
        _fit_check._own_fit_pairs(matrix, weights, _Run(other), *args)
    finally:
        SHARED.reset(token)
    assert len(alone) and first.tobytes() == alone.tobytes() and again.tobytes() == alone.tobytes()
    assert again is not first
    assert len(calls) == 2


def _shared_both(matrix: np.ndarray, weights: np.ndarray, k: int, min_shared: float) -> tuple[tuple, tuple]:
    data = row_pairs(DawidSkene(), matrix, weights, k, None)
    return data.shared(min_shared), MemoryPairs.shared(data, min_shared)


def _same(x: tuple, y: tuple) -> bool:
    return all(
        a.dtype == b.dtype and a.shape == b.shape and a.tobytes() == b.tobytes() for a, b in zip(x, y, strict=True)
    )


def test_shared_items_of_the_rows_are_the_sparse_grams_bit_for_bit():
    """The pairs sharing items, and their counts, from the rows' dense indicator equal aggregate's sparse gram's."""
    matrix, weights, _ = _check_inputs()
    for min_shared in (0.0, 1.0, float(MIN_SHARED_ITEMS), 400.0):
        dense, sparse = _shared_both(matrix, weights, 2, min_shared)
        assert _same(dense, sparse)
    assert len(_shared_both(matrix, weights, 2, float(MIN_SHARED_ITEMS))[0][0]) == 15


@settings(max_examples=40, deadline=None)
@given(
    st.integers(2, 40),
    st.integers(2, 7),
    st.integers(2, 4),
    st.integers(0, 2**31 - 1),
    st.sampled_from([0.0, 1.0, 3.0, 10.0]),
    st.booleans(),
)
def test_shared_items_equal_the_sparse_grams_for_any_rows(n, m, k, seed, min_shared, whole):
    """For any vote rows, whole or fractional weights and bar: the same pairs, order and counts as the sparse gram
    (fractional weights take the sparse gram itself)."""
    rng = np.random.default_rng(seed)
    matrix = rng.integers(-1, k, (n, m))
    matrix[:, 0] = np.where((matrix == -1).all(axis=1), rng.integers(0, k, n), matrix[:, 0])
    weights = rng.integers(1, 6, n).astype(np.float64) if whole else rng.random(n) * 3 + 0.1
    dense, sparse = _shared_both(matrix, weights, k, min_shared)
    assert _same(dense, sparse)


def _z_both(matrix: np.ndarray, weights: np.ndarray, k: int, post: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
    """Every pair's agreement ``z`` under the check's gate model, on the check's count rows and on the rows' own."""
    from labelwise.aggregate._pair_check import Entries
    from labelwise.aggregate._pair_triad import MatrixRows, model_z

    est = DawidSkene(prior_strength=8.0)
    data = row_pairs(est, matrix, weights, k, post)
    pseudo = est._pseudo_counts(data.pat)
    a, b = np.array([0]), np.array([1])
    prior, conf = data.fit_without((a, b), -1, -1, pseudo, int(est.max_iter), float(est.tol))
    rows = MatrixRows.build(matrix, k, weights)
    own = model_z(data.obs, data.ent, prior, conf)
    rebuilt = model_z(rows, Entries.build(rows, matrix.shape[1]), prior, conf)
    m = matrix.shape[1]
    pairs = [(x, y) for x in range(m) for y in range(x + 1, m)]
    return np.array([own(*p) for p in pairs]), np.array([rebuilt(*p) for p in pairs])


def test_the_triad_gate_on_the_checks_count_rows_is_the_rows_gate_bit_for_bit():
    """The gate's ``z`` on the check's own count rows equal those on the rows' count rows built again, and so do
    the pairs it keeps."""
    from labelwise.aggregate._pair_triad import matrix_triad_keep

    matrix, weights, post = _check_inputs()
    own, rebuilt = _z_both(matrix, weights, 2, post)
    assert own.tobytes() == rebuilt.tobytes() and np.isfinite(own).any()
    est = DawidSkene(prior_strength=8.0)
    data = row_pairs(est, matrix, weights, 2, post)
    pseudo = est._pseudo_counts(data.pat)
    found = np.array([[0.0, 1.0, 500.0, 480.0, 300.0, 20.0], [2.0, 3.0, 500.0, 400.0, 380.0, 6.0]])
    prior, conf = data.fit_without((np.array([0, 2]), np.array([1, 3])), -1, -1, pseudo, 50, 1e-6)
    keep = data.triad_keep(prior, conf, found, 5.0)
    assert keep.tolist() == matrix_triad_keep(matrix, prior, conf, found, 5.0, MIN_SHARED_ITEMS, weights).tolist()


@settings(max_examples=25, deadline=None)
@given(st.integers(5, 40), st.integers(3, 6), st.integers(2, 3), st.integers(0, 2**31 - 1))
def test_agreement_z_on_the_checks_count_rows_equal_the_rows_own_for_any_rows(n, m, k, seed):
    """For any vote rows and weights, each pair's ``z`` is the same float on both count rows (unused columns of
    the rows' own hold no entry)."""
    rng = np.random.default_rng(seed)
    matrix = rng.integers(-1, k, (n, m))
    matrix[:, 0] = np.where((matrix == -1).all(axis=1), rng.integers(0, k, n), matrix[:, 0])
    weights = rng.integers(1, 6, n).astype(np.float64)
    own, rebuilt = _z_both(matrix, weights, k, None)
    assert own.tobytes() == rebuilt.tobytes()
