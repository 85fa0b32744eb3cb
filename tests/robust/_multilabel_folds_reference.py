"""Session 35's iterative stratification (labelwise.robust.multilabel_folds at commit a840cc78), kept
as the reference of the faster implementation: the same folds, bit for bit, and the same random
draws, for the same tag matrix and generator. One change since (session 36, props36, in both): tags
tied on the same remaining rows go to the one whose rows, all of them, come first in the drawn
order; session 35 took the first column, so reordering the columns could change the folds."""

from __future__ import annotations

import numpy as np


def _pick(candidates: np.ndarray, rng: np.random.Generator) -> int:
    """One of ``candidates``, at random when there are several (the paper's random tie-break)."""
    return int(candidates[0] if candidates.size == 1 else candidates[rng.integers(candidates.size)])


def _most_wanted(want_tag: np.ndarray, want: np.ndarray, rng: np.random.Generator) -> int:
    """The fold that wants the tag most; ties: the one that wants most examples; then at random."""
    folds = np.flatnonzero(want_tag == want_tag.max())
    if folds.size > 1:
        folds = folds[want[folds] == want[folds].max()]
    return _pick(folds, rng)


def reference_iterative_stratification(y: np.ndarray, n_splits: int, rng: np.random.Generator) -> np.ndarray:
    """The test fold (0..n_splits-1) of every row of the boolean tag matrix ``y``: Algorithm 1 of [1]_.

    With equal fold shares ``r_j = 1 / k``: the desired number of rows of fold ``j`` is
    ``c_j = n r_j`` and of tag ``i`` in fold ``j`` is ``c_j^i = |D^i| r_j``. While rows remain,
    take the tag with the fewest (but at least one) remaining rows; give each of its remaining
    rows to the fold with the largest ``c_j^i``, ties to the largest ``c_j``, then at random;
    decrease ``c_j`` and ``c_j^i`` of every tag of the row. Rows without any tag are given, as the
    paper's text says, to the folds so as to fill their desired sizes (largest ``c_j``).

    The rows are visited in a random order drawn from ``rng`` (a tag's rows in that order), and
    the paper's random tie between tags with equally few rows goes to the tag whose remaining rows
    come first in it, then to the tag whose rows, all of them, come first: every choice then depends on the tags' rows, never on the tags' names or
    column order, so reordering the columns of ``y`` gives the same folds. The desired counts are
    kept times ``k`` as integers, so ties are exact.

    References
    ----------
    .. [1] Sechidis, K., Tsoumakas, G. and Vlahavas, I. (2011). "On the Stratification of
       Multi-Label Data". Machine Learning and Knowledge Discovery in Databases (ECML PKDD 2011),
       LNCS 6913, 145-158.
    """
    n, q = y.shape
    k = n_splits
    rank = np.empty(n, dtype=np.int64)
    rank[rng.permutation(n)] = np.arange(n)
    rows_of = [np.flatnonzero(y[:, i])[np.argsort(rank[y[:, i]])] for i in range(q)]
    tags_of = [np.flatnonzero(row) for row in y]
    want = np.full(k, n, dtype=np.int64)  # k * c_j
    want_tag = np.tile(y.sum(axis=0).astype(np.int64), (k, 1))  # k * c_j^i
    left = y.sum(axis=0).astype(np.int64)
    fold = np.full(n, -1, dtype=np.int64)
    while left.any():
        tied = np.flatnonzero(left == left[left > 0].min()).tolist()
        tag = min(tied, key=lambda i: (rank[rows_of[i][fold[rows_of[i]] < 0]].tolist(), rank[rows_of[i]].tolist()))
        for r in rows_of[tag][fold[rows_of[tag]] < 0].tolist():
            j = _most_wanted(want_tag[:, tag], want, rng)
            fold[r] = j
            want[j] -= k
            want_tag[j, tags_of[r]] -= k
            left[tags_of[r]] -= 1
    for r in np.argsort(rank)[fold[np.argsort(rank)] < 0].tolist():  # rows without tags, in the drawn order
        j = _pick(np.flatnonzero(want == want.max()), rng)
        fold[r] = j
        want[j] -= k
    return fold
