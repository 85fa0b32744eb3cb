"""A reference for the Dawid-Skene guard (``relabelled_classes``): the whole-array version the tests compare with."""

import numpy as np


def relabelled_reference(reference, post, weights=None, min_share=0.01):
    """The Dawid-Skene guard on whole arrays, as first written (a boolean array summed by rows, one ``np.bincount``)."""
    k = reference.shape[1]
    top = reference.max(axis=1)
    strict = (reference >= top[:, None] - 1e-12).sum(axis=1) == 1
    w = np.ones(len(reference)) if weights is None else weights
    table = np.bincount(
        reference.argmax(axis=1)[strict] * k + post.argmax(axis=1)[strict], weights=w[strict], minlength=k * k
    ).reshape(k, k)
    best, row_total = table.argmax(axis=1), table.sum(axis=1)
    moved = (best != np.arange(k)) & (table.max(axis=1) >= 0.5 * row_total) & (row_total > 0)
    if table.max(axis=1)[moved].sum() < min_share * table.sum():
        return np.empty(0, dtype=np.int64)
    return np.flatnonzero(moved)
