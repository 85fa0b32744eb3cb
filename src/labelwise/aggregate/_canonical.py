"""The answers in one canonical order, for the EM loops that sum over answers in their order.

A float sum rounds after every addition, so ``np.bincount`` or ``np.sum`` over the answers gives
other last bits for another row order of the same table. In an EM loop those bits reach its
decisions: which restart has the higher likelihood (MACE), whether a line-search step is accepted
or the loop has converged (GLAD), and the result could then differ by more than rounding. Sorted
by (item, annotator, label), the answers of any row order are the same arrays, so every sum is.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from ._answers import EncodedAnswers

__all__ = ["canonical_answers"]


def canonical_answers(enc: EncodedAnswers) -> EncodedAnswers:
    """``enc`` with its answers sorted by (item, annotator, label) (int64 codes).

    Answers with the same three codes are interchangeable, so the result does not depend on the
    input's row order. Read from the encoding's sorted keys ``(item * n_annotators + annotator) * K
    + label`` when it has them (no sort), else from those keys sorted here (one integer sort; a
    ``lexsort`` of the codes when the keys would overflow int64).
    """
    n_ann, k = max(enc.n_annotators, 1), max(enc.n_classes, 1)
    keys = enc.row_keys
    if keys is None and enc.n_items * n_ann * k >= 2**62:
        order = np.lexsort((enc.label_idx, enc.annotator_idx, enc.item_idx))
        item, ann, label = (
            np.asarray(a, dtype=np.int64)[order] for a in (enc.item_idx, enc.annotator_idx, enc.label_idx)
        )
    else:
        if keys is None:
            keys = np.multiply(enc.item_idx, n_ann, dtype=np.int64)
            keys += enc.annotator_idx
            keys *= k
            keys += enc.label_idx
            keys.sort()
        pair, label = np.divmod(keys, k)
        item, ann = np.divmod(pair, n_ann)
    return dataclasses.replace(enc, item_idx=item, annotator_idx=ann, label_idx=label, owns_item_idx=True)
