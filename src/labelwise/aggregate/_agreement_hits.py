"""Each annotator's misses and hits against the aggregated labels, counted a block of answers at a time
(the two readings of :func:`~labelwise.aggregate._base.agreement_skill`)."""

from __future__ import annotations

import numpy as np

from ._answers import EncodedAnswers

__all__ = ["_agreement_from_codes", "_agreement_from_keys"]


def _agreement_from_codes(enc: EncodedAnswers, table: np.ndarray, block: int) -> np.ndarray:
    """Misses ``[2 j]`` and hits ``[2 j + 1]`` of each annotator ``j`` from the answers' codes.

    Each block's item codes are copied into one ``intp`` buffer before the gather (numpy casts
    int32 index arrays in small chunks inside the gather, about twice as slow).
    """
    n_ann = enc.n_annotators
    hits = np.zeros(2 * n_ann, dtype=np.int64)
    size = max(1, min(block, enc.n_answers))
    rows, keys = np.empty(size, dtype=np.intp), np.empty(size, dtype=np.intp)
    for start in range(0, enc.n_answers, block):
        part = slice(start, start + block)
        item = rows[: min(block, enc.n_answers - start)]
        np.copyto(item, enc.item_idx[part], casting="safe")
        key = keys[: item.shape[0]]
        np.multiply(enc.annotator_idx[part], 2, out=key, dtype=np.intp)
        key += enc.label_idx[part] == table[item]
        hits += np.bincount(key, minlength=2 * n_ann)
    return hits


def _agreement_from_keys(sorted_keys: np.ndarray, table: np.ndarray, n_ann: int, k: int, block: int) -> np.ndarray:
    """:func:`_agreement_from_codes` from the encoding's keys ``(item * n_ann + annotator) * k + label``
    (any order), decoded a block at a time in three buffers: no item codes needed."""
    hits = np.zeros(2 * n_ann, dtype=np.int64)
    n = sorted_keys.shape[0]
    size = max(1, min(block, n))
    pairs, labels, items = (np.empty(size, dtype=np.int64) for _ in range(3))
    for start in range(0, n, block):
        part = sorted_keys[start : start + block]
        pair, label, item = pairs[: part.shape[0]], labels[: part.shape[0]], items[: part.shape[0]]
        np.floor_divide(part, k, out=pair)  # item * n_ann + annotator
        np.multiply(pair, k, out=label)
        np.subtract(part, label, out=label)
        np.floor_divide(pair, n_ann, out=item)
        hit = label == table[item]
        np.multiply(item, n_ann, out=item)
        np.subtract(pair, item, out=pair)  # the annotator
        pair *= 2
        pair += hit
        hits += np.bincount(pair, minlength=2 * n_ann)
    return hits
