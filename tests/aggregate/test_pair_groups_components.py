"""The dependent groups of the pair check found by label propagation (speed57): scipy's connected components, the
same labels and count, bit for bit."""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.sparse.csgraph import connected_components

from labelwise.aggregate._pair_groups import _pair_groups


def _scipy_groups(n: int, a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, int]:
    """The groups as the check found them before: scipy's connected components of the pairs' graph."""
    graph = sp.csr_matrix((np.ones(len(a)), (a, b)), shape=(n, n))
    n_comp, comp = connected_components(graph, directed=False)
    size = np.bincount(comp, minlength=n)
    return np.where(size[comp] > 1, comp, -1).astype(np.int64), int(n_comp)


@settings(max_examples=300, deadline=None)
@given(st.integers(1, 60), st.integers(0, 2**32 - 1), st.integers(0, 80))
def test_groups_are_scipys_connected_components(n, seed, n_pairs):
    """Random pairs (repeats, self pairs, chains, pairs in either order): each annotator's group label and the
    number of components equal scipy's."""
    rng = np.random.default_rng(seed)
    a, b = rng.integers(0, n, n_pairs), rng.integers(0, n, n_pairs)
    groups, n_comp = _pair_groups(n, a, b)
    expected, expected_n = _scipy_groups(n, a, b)
    assert n_comp == expected_n and groups.dtype == expected.dtype and np.array_equal(groups, expected)


def test_a_long_chain_in_reverse_order_is_one_group():
    """A chain whose pairs run from the largest annotator down is joined whole, labelled by its smallest member."""
    n = 50
    a, b = np.arange(n - 1, 0, -1), np.arange(n - 2, -1, -1)
    groups, n_comp = _pair_groups(n + 3, a, b)
    assert n_comp == 4 and (groups[:n] == 0).all() and (groups[n:] == -1).all()
