"""A dependent group's answer weights (missfast53): counts per (row, group) by ``bincount`` give the weights of
the sorted keys (``np.unique``), bit for bit."""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.sparse.csgraph import connected_components

from labelwise.aggregate import _pair_groups
from labelwise.aggregate._base import csr_entry_rows
from labelwise.aggregate._pair_groups import group_answer_weights


def _reference(m: sp.csr_matrix, annotator_of: np.ndarray, n_ann: int, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """The weights as the check computed them before: scipy's connected components, counts by ``np.unique``."""
    data = np.ones(m.nnz)
    if len(a) == 0:
        return data
    graph = sp.csr_matrix((np.ones(len(a)), (a, b)), shape=(n_ann, n_ann))
    _, comp = connected_components(graph, directed=False)
    size = np.bincount(comp, minlength=n_ann)
    group = np.where(size[comp] > 1, comp, -1)
    entry_group = group[annotator_of[m.indices]]
    member = entry_group >= 0
    if not member.any():
        return data
    key = csr_entry_rows(m)[member] * (int(comp.max()) + 1) + entry_group[member]
    _, inverse, counts = np.unique(key, return_inverse=True, return_counts=True)
    data[member] = 1.0 / counts[inverse]
    return data


@settings(max_examples=150, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), dense=st.booleans())
def test_weights_equal_the_components_and_sorted_counts(seed: int, dense: bool) -> None:
    """Random count rows (an annotator's several columns, repeated answers on a row), random pairs (repeats,
    self pairs, chains): the weights of both ways of counting equal the reference's bit for bit."""
    rng = np.random.default_rng(seed)
    n_rows, n_ann, k = int(rng.integers(1, 60)), int(rng.integers(1, 9)), int(rng.integers(1, 4))
    counts = rng.integers(0, 3, (n_rows, n_ann * k)) * (rng.random((n_rows, n_ann * k)) < 0.4)
    m = sp.csr_matrix(counts.astype(np.float64))
    annotator_of = np.repeat(np.arange(n_ann), k)
    n_pairs = int(rng.integers(0, 6))
    a, b = rng.integers(0, n_ann, n_pairs), rng.integers(0, n_ann, n_pairs)
    dense_keys = _pair_groups.DENSE_KEYS
    try:
        _pair_groups.DENSE_KEYS = dense_keys if dense else -(10**9)  # -10**9: always the sorted keys
        got = group_answer_weights(m, annotator_of, n_ann, a, b)
    finally:
        _pair_groups.DENSE_KEYS = dense_keys
    assert got.tobytes() == _reference(m, annotator_of, n_ann, a, b).tobytes()
