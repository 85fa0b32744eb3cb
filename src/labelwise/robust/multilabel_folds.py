"""Folds for multi-label data: iterative stratification and the label-distribution measures of its paper."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np

from .._validate.arguments import check_positive_int, check_random_state, show
from ..errors import InvalidLabelsError, TooFewExamplesError

__all__ = ["IterativeStratifiedKFold", "label_distribution", "labelset_distribution"]


def _tag_matrix(y: Any, name: str = "y") -> np.ndarray:
    """``y`` as an (n_rows, n_tags) boolean matrix; errors name ``name``."""
    if hasattr(y, "toarray"):
        y = y.toarray()
    try:
        arr = np.asarray(y.to_numpy() if hasattr(y, "to_numpy") else y)
    except ValueError:  # ragged rows: lists of tags
        raise InvalidLabelsError(
            f"{name} must be a 2-D 0/1 tag matrix (n_rows, n_tags), got rows of different lengths (lists of tags? "
            "encode them as a 0/1 matrix first, e.g. with sklearn's MultiLabelBinarizer)"
        ) from None
    if arr.ndim != 2 or arr.dtype.kind not in "biuf":
        raise InvalidLabelsError(
            f"{name} must be a 2-D 0/1 tag matrix (n_rows, n_tags), got shape {arr.shape} and dtype {arr.dtype}"
        )
    bad = ~np.isin(arr, (0, 1))
    if bad.any():
        r, c = np.argwhere(bad)[0]
        raise InvalidLabelsError(f"{name} must hold only 0 and 1, row {r} column {c} is {show(arr[r, c])}")
    return arr.astype(bool)


def _pick(candidates: list[int], rng: np.random.Generator) -> int:
    """One of ``candidates``, at random when there are several (the paper's random tie-break)."""
    return candidates[0] if len(candidates) == 1 else candidates[int(rng.integers(len(candidates)))]


def _hand_out(n_rows: int, want_tag: list[int], want: list[int], k: int, rng: np.random.Generator) -> list[int]:
    """The folds of ``n_rows`` rows of one tag, one after the other: each to the fold that wants the tag
    most (``want_tag``), ties to the one that wants most rows (``want``), then at random; both lists
    are decreased by ``k`` at the chosen fold (in place). Plain Python: ``k`` is small, and a NumPy
    call per row costs more than the loop over the folds."""
    out = []
    folds = range(k)
    for _ in range(n_rows):
        top = max(want_tag)
        best = [j for j in folds if want_tag[j] == top]
        if len(best) > 1:
            most = max(want[j] for j in best)
            best = [j for j in best if want[j] == most]
        j = _pick(best, rng)
        want_tag[j] -= k
        want[j] -= k
        out.append(j)
    return out


def iterative_stratification(y: np.ndarray, n_splits: int, rng: np.random.Generator) -> np.ndarray:
    """The test fold (0..n_splits-1) of every row of the boolean tag matrix ``y``: Algorithm 1 of [1]_.

    With equal fold shares ``r_j = 1 / k``: the desired number of rows of fold ``j`` is
    ``c_j = n r_j`` and of tag ``i`` in fold ``j`` is ``c_j^i = |D^i| r_j``. While rows remain,
    take the tag with the fewest (but at least one) remaining rows; give each of its remaining
    rows to the fold with the largest ``c_j^i``, ties to the largest ``c_j``, then at random;
    decrease ``c_j`` and ``c_j^i`` of every tag of the row. Rows without any tag are given, as the
    paper's text says, to the folds so as to fill their desired sizes (largest ``c_j``).

    The rows are visited in a random order drawn from ``rng`` (a tag's rows in that order), and
    the paper's random tie between tags with equally few rows goes to the tag whose remaining rows
    come first in it, then (the same remaining rows) to the tag whose rows, all of them, come first:
    tags tied on both have the same column, hence the same ``c_j^i``, and either gives the same
    folds. Every choice then depends on the tags' rows, never on the tags' names or column order,
    so reordering the columns of ``y`` gives the same folds. The desired counts are kept times
    ``k`` as integers, so ties are exact.

    While one tag's rows are handed out only its own ``c_j^i`` and the ``c_j`` steer the choice,
    so the row loop updates those two alone (:func:`_hand_out`); the other tags' ``c_j^i`` and
    remaining counts are decreased once per tag, by the rows each fold got (a matrix product).

    References
    ----------
    .. [1] Sechidis, K., Tsoumakas, G. and Vlahavas, I. (2011). "On the Stratification of
       Multi-Label Data". Machine Learning and Knowledge Discovery in Databases (ECML PKDD 2011),
       LNCS 6913, 145-158.
    """
    n, q = y.shape
    k = n_splits
    order = rng.permutation(n)  # the drawn row order; rank[order] = 0..n-1
    rank = np.empty(n, dtype=np.int64)
    rank[order] = np.arange(n)
    ordered = y[order]
    rows_of = [order[ordered[:, i]] for i in range(q)]
    want = [n] * k  # k * c_j
    want_tag = np.tile(y.sum(axis=0).astype(np.int64), (k, 1))  # k * c_j^i
    left = y.sum(axis=0).astype(np.int64)
    fold = np.full(n, -1, dtype=np.int64)
    while left.any():
        tied = np.flatnonzero(left == left[left > 0].min()).tolist()
        tag = min(tied, key=lambda i: (rank[rows_of[i][fold[rows_of[i]] < 0]].tolist(), rank[rows_of[i]].tolist()))
        rows = rows_of[tag][fold[rows_of[tag]] < 0]
        fold[rows] = _hand_out(rows.size, want_tag[:, tag].tolist(), want, k, rng)
        given = np.zeros((k, rows.size), dtype=np.int64)
        given[fold[rows], np.arange(rows.size)] = 1
        got = given @ y[rows].astype(np.int64)  # per fold and tag, the rows it got
        want_tag -= k * got
        left -= got.sum(axis=0)
    for r in order[fold[order] < 0].tolist():  # rows without tags, in the drawn order
        top = max(want)
        j = _pick([f for f in range(k) if want[f] == top], rng)
        fold[r] = j
        want[j] -= k
    return fold


class IterativeStratifiedKFold:
    """K folds of multi-label data in which every tag keeps its share of rows: iterative stratification [1]_.

    A scikit-learn cross-validation splitter (``split`` / ``get_n_splits``) for a 0/1 tag matrix.
    Plain K-fold (or stratifying on one tag) can leave a rare tag out of a fold's test part, or
    all of it inside one; iterative stratification hands out the rows of the rarest tags first,
    each to the fold that still wants that tag most (Algorithm 1 of Sechidis et al. [1]_, see
    :func:`iterative_stratification`), so every fold gets its share of each tag and of rows.

    Parameters
    ----------
    n_splits : int >= 2, default 5
    random_state : int, Generator or None
        Seeds the order in which a tag's rows are handed out and the paper's random tie-breaks.

    References
    ----------
    .. [1] Sechidis, K., Tsoumakas, G. and Vlahavas, I. (2011). "On the Stratification of
       Multi-Label Data". Machine Learning and Knowledge Discovery in Databases (ECML PKDD 2011),
       LNCS 6913, 145-158.

    Examples
    --------
    >>> import numpy as np
    >>> from labelwise.robust.multilabel_folds import IterativeStratifiedKFold
    >>> y = np.array([[1, 0], [1, 0], [0, 1], [0, 1], [1, 1], [1, 1], [0, 0], [0, 0]])
    >>> [y[test].sum(axis=0).tolist() for _, test in IterativeStratifiedKFold(2, random_state=0).split(y, y)]
    [[2, 2], [2, 2]]
    """

    def __init__(self, n_splits: int = 5, random_state: Any = None) -> None:
        self.n_splits = n_splits
        self.random_state = random_state

    def __repr__(self) -> str:
        return f"IterativeStratifiedKFold(n_splits={self.n_splits!r}, random_state={self.random_state!r})"

    def get_n_splits(self, X: Any = None, y: Any = None, groups: Any = None) -> int:
        """The number of folds."""
        return check_positive_int("n_splits", self.n_splits, minimum=2)

    def test_folds(self, y: Any) -> np.ndarray:
        """The test fold (0..n_splits-1) of every row of the 0/1 tag matrix ``y``."""
        k = self.get_n_splits()
        tags = _tag_matrix(y)
        if tags.shape[0] < k:
            raise TooFewExamplesError(f"y must have at least n_splits={k} rows, got {tags.shape[0]}")
        return iterative_stratification(tags, k, check_random_state(self.random_state))

    def split(self, X: Any, y: Any, groups: Any = None) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        """``(train, test)`` row indices of each fold; ``X`` is ignored (only its rows matter, as ``y``'s)."""
        fold = self.test_folds(y)
        rows = np.arange(fold.size)
        for j in range(self.get_n_splits()):
            yield rows[fold != j], rows[fold == j]


def _from_splits(splits: list | tuple, n: int) -> np.ndarray | None:
    """The fold of every row from ``split()``'s ``(train, test)`` pairs (None: not such pairs, or a row
    in no test part or in several)."""
    if not splits or not all(isinstance(s, tuple) and len(s) == 2 for s in splits):
        return None
    folds = np.full(n, -1, dtype=np.int64)
    seen = np.zeros(n, dtype=np.int64)
    for j, (_, test) in enumerate(splits):
        test = np.asarray(test)
        if test.dtype.kind not in "iu" or (test.size and (test.min() < 0 or test.max() >= n)):
            return None
        folds[test] = j
        np.add.at(seen, test, 1)
    return folds if (seen == 1).all() else None


def _fold_rows(test_folds: Any, n: int) -> tuple[np.ndarray, int]:
    """One fold number per row: ``test_folds`` as given, or from the ``(train, test)`` pairs of ``split()``."""
    pairs = _from_splits(test_folds, n) if isinstance(test_folds, (list, tuple)) else None
    try:
        folds = np.asarray(test_folds) if pairs is None else pairs
    except ValueError:
        folds = np.asarray(None)
    if folds.shape != (n,) or folds.dtype.kind not in "iu" or (folds < 0).any():
        raise InvalidLabelsError(
            f"test_folds must hold one fold number >= 0 per row of y ({n}) or be split()'s (train, test) pairs "
            f"with every row in one test part, got shape {folds.shape}, dtype {folds.dtype}"
        )
    return folds, int(folds.max()) + 1 if n else 0


def label_distribution(y: Any, test_folds: Any) -> float:
    """The paper's Label Distribution (LD) of folds: how far each tag's positive/negative ratio in a
    fold is from the whole data's, averaged over folds and tags (0 = every fold like the data) [1]_.

    ``LD = 1/q sum_i 1/k sum_j | |S_j^i| / (|S_j| - |S_j^i|) - |D^i| / (|D| - |D^i|) |`` over the
    ``q`` tags and ``k`` folds (``S_j`` the rows of fold ``j``, ``D^i`` the rows with tag ``i``).
    A fold or data set in which every row has a tag gives that term ``inf``.
    ``test_folds``: each row's fold (:meth:`IterativeStratifiedKFold.test_folds`) or a splitter's
    ``list(split(X, y))``, its ``(train, test)`` pairs.

    References
    ----------
    .. [1] Sechidis, K., Tsoumakas, G. and Vlahavas, I. (2011). "On the Stratification of
       Multi-Label Data". ECML PKDD 2011, LNCS 6913, 145-158 (section 5.1).
    """
    tags = _tag_matrix(y)
    folds, k = _fold_rows(test_folds, tags.shape[0])
    with np.errstate(divide="ignore", invalid="ignore"):
        pos = np.stack([tags[folds == j].sum(axis=0) for j in range(k)]).astype(np.float64)
        size = np.bincount(folds, minlength=k).astype(np.float64)[:, None]
        whole = tags.sum(axis=0) / (tags.shape[0] - tags.sum(axis=0))
        return float(np.mean(np.abs(pos / (size - pos) - whole)))


def labelset_distribution(y: Any, test_folds: Any) -> float:
    """The paper's Labelset Distribution (LPD): how far each distinct tag set's share of rows in a
    fold is from its share in the whole data, averaged over folds and tag sets [1]_.

    ``LPD = 1/p sum_i 1/k sum_j | |S_j^i| / |S_j| - |D^i| / |D| |`` over the ``p`` distinct tag sets.
    ``test_folds`` as for :func:`label_distribution`.

    References
    ----------
    .. [1] Sechidis, K., Tsoumakas, G. and Vlahavas, I. (2011). "On the Stratification of
       Multi-Label Data". ECML PKDD 2011, LNCS 6913, 145-158 (section 5.1).
    """
    tags = _tag_matrix(y)
    folds, k = _fold_rows(test_folds, tags.shape[0])
    _, which = np.unique(tags, axis=0, return_inverse=True)
    which = which.ravel()
    p = int(which.max()) + 1
    counts = np.zeros((k, p))
    np.add.at(counts, (folds, which), 1.0)
    size = counts.sum(axis=1, keepdims=True)
    with np.errstate(divide="ignore", invalid="ignore"):
        return float(np.mean(np.abs(counts / size - counts.sum(axis=0) / tags.shape[0])))
