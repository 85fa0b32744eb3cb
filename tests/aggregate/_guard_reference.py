"""A reference for the Dawid-Skene guard (``relabelled_classes``): the whole-array version the tests compare with."""

import numpy as np


def relabelled_reference(reference, post, weights=None, min_share=0.01):
    """The Dawid-Skene guard on whole arrays (a boolean array summed by rows, one ``np.bincount``; a class moves
    only to one other class holding strictly more of its rows than it keeps)."""
    k = reference.shape[1]
    top = reference.max(axis=1)
    strict = (reference >= top[:, None] - 1e-12).sum(axis=1) == 1
    w = np.ones(len(reference)) if weights is None else weights
    table = np.bincount(
        reference.argmax(axis=1)[strict] * k + post.argmax(axis=1)[strict], weights=w[strict], minlength=k * k
    ).reshape(k, k)
    row_total = table.sum(axis=1)
    others = [max((table[c, m] for m in range(k) if m != c), default=-np.inf) for c in range(k)]
    best_other = np.array(others, dtype=np.float64)
    moved = (best_other > table.diagonal()) & (best_other >= 0.5 * row_total) & (row_total > 0)
    if best_other[moved].sum() < min_share * table.sum():
        return np.empty(0, dtype=np.int64)
    return np.flatnonzero(moved)
