"""The weights that make a group of dependent annotators' answers on an item count as one answer.

Dependent pairs of annotators (:mod:`._dependent`) are joined into groups, the connected components of the
graph of the pairs; on an item that ``m`` members of a group answered, each of their answers weighs ``1 / m``,
so that the group counts once in the M-step, as Dawid and Skene's model counts one annotator [1]_.

References
----------
.. [1] A. P. Dawid and A. M. Skene, "Maximum Likelihood Estimation of Observer Error-Rates Using
   the EM Algorithm", Applied Statistics 28(1), 20-28, 1979.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from ._base import csr_entry_rows

__all__ = ["DENSE_KEYS", "group_answer_weights"]

#: :func:`group_answer_weights` counts the members per (row, group) in a table of up to 4 cells per answer plus this
#: many; beyond, by sorting the keys (the same counts).
DENSE_KEYS = 1 << 16


def group_answer_weights(
    m: sp.csr_matrix, annotator_of: np.ndarray, n_annotators: int, a: np.ndarray, b: np.ndarray
) -> np.ndarray:
    """Weight of each entry of ``m`` (in CSR order): ``1 / m`` for the answers of a group of
    annotators joined by the pairs ``(a, b)`` when ``m`` of its members answered the item, 1 for
    every other answer."""
    data = np.ones(m.nnz)
    if len(a) == 0:
        return data
    group, n_groups = _pair_groups(n_annotators, a, b)
    entry_group = group[annotator_of[m.indices]]
    member = entry_group >= 0
    if not member.any():
        return data
    row = csr_entry_rows(m)
    key = row[member] * n_groups + entry_group[member]
    if m.shape[0] * n_groups <= 4 * len(key) + DENSE_KEYS:  # members per (row, group): counted in place
        data[member] = 1.0 / np.bincount(key)[key]
    else:  # the same counts, by sorting the keys
        _, inverse, counts = np.unique(key, return_inverse=True, return_counts=True)
        data[member] = 1.0 / counts[inverse]
    return data


def _pair_groups(n_annotators: int, a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, int]:
    """The groups the pairs ``(a, b)`` join (the connected components of two or more annotators): each annotator's
    group (-1: in no pair of two annotators) and the number of component labels.

    Each component is labelled by the rank of its smallest annotator, as scipy's ``connected_components`` labels
    them (in the order it first meets their annotators), found by label propagation with pointer jumping (each
    pair's two annotators take the smaller of their labels, then each label its own label's, until nothing moves;
    Shiloach and Vishkin's hooking and shortcutting): a few array passes over a few pairs, not a sparse graph."""
    a, b = np.asarray(a, dtype=np.intp).ravel(), np.asarray(b, dtype=np.intp).ravel()
    comp = np.arange(n_annotators)
    while True:
        low = np.minimum(comp[a], comp[b])
        new = comp.copy()
        np.minimum.at(new, a, low)
        np.minimum.at(new, b, low)
        new = new[new]
        if np.array_equal(new, comp):
            break
        comp = new
    roots, label = np.unique(comp, return_inverse=True)  # comp: each component's smallest annotator
    size = np.bincount(label, minlength=len(roots))
    return np.where(size[label] > 1, label, -1).astype(np.int64), len(roots)
