"""A warning when a multi-label audit is given a softmax (rows summing to 1) instead of one probability per tag.

The multi-label audit reads column ``k`` of ``probs`` as the probability that tag ``k`` applies, independently of
the other tags (a sigmoid per tag, a one-vs-rest model). A multiclass model's softmax spreads one unit of
probability over the tags, so an example with two true tags gets about 0.5 on each, and the audit's per-tag
thresholds see every multi-tag example as half-sure. The flags are still computed as asked; the warning says what
was seen and what to pass instead.

The rule (chosen on simulated data before the deciding run, see ``benchmarks/RESULTS.md``, session 47): warn when
there are at least 3 tags, every row of ``probs`` sums to 1 (within :func:`sum_tolerance`), and some example has
more than one given tag. With one tag per example the data are multiclass and a softmax is what they call for; with
2 tags ``[p, 1 - p]`` is a legitimate pair of complementary tags.
"""

from __future__ import annotations

import warnings

import numpy as np

from ..errors import LabelwiseWarning
from ._blocks import row_blocks

__all__ = ["SoftmaxProbsWarning", "softmax_rows", "sum_tolerance", "warn_if_softmax"]

#: Fewer tags than this are never warned about (two complementary tags may sum to 1 by design).
MIN_TAGS = 3


class SoftmaxProbsWarning(LabelwiseWarning):
    """Multi-label ``probs`` look like a softmax (every row sums to 1) while some example has several tags."""


def sum_tolerance(dtype: np.dtype, n_tags: int) -> float:
    """How far from 1 a softmax row's sum may be: 1e-6, or rounding of ``n_tags`` terms in ``dtype`` if larger."""
    eps = float(np.finfo(dtype).eps) if np.issubdtype(dtype, np.floating) else 0.0
    return max(1e-6, 8.0 * n_tags * eps)


def softmax_rows(probs: np.ndarray) -> bool:
    """True when every row of the 2-D ``probs`` sums to 1 within :func:`sum_tolerance` (one pass, in row blocks)."""
    n, k = probs.shape
    if n == 0:
        return False
    tol = sum_tolerance(probs.dtype, k)
    for b in row_blocks(n, k):
        sums = probs[b].sum(axis=1, dtype=np.float64)
        if not (np.abs(sums - 1.0) <= tol).all():
            return False  # the first row off 1 settles it: most sigmoid outputs stop in the first block
    return True


def warn_if_softmax(probs: np.ndarray, given: np.ndarray) -> bool:
    """Warn (:class:`SoftmaxProbsWarning`) when ``probs`` look like a softmax over tags that co-occur in ``given``.

    Parameters
    ----------
    probs : ndarray of float, shape (n, K)
        The checked probabilities, columns in the order of ``given``'s.
    given : ndarray of bool, shape (n, K)
        The given tags.

    Returns
    -------
    bool
        Whether the warning was given. The audit's flags are never changed by it.
    """
    n_tags = probs.shape[1]
    if n_tags < MIN_TAGS:
        return False
    per_row = given.sum(axis=1)
    multi = np.flatnonzero(per_row > 1)
    if multi.size == 0 or not softmax_rows(probs):
        return False
    row = int(multi[0])
    warnings.warn(
        f"probs sum to 1 in every row (a softmax?) while {multi.size} of {len(per_row)} examples have more than one "
        f"tag (row {row} has {int(per_row[row])}): the multi-label audit reads each column as that tag's own "
        "probability, so a softmax, which splits one unit among an example's tags, makes the flags unreliable; "
        "pass one sigmoid per tag (a one-vs-rest model's probabilities, or the sigmoid of each logit)",
        SoftmaxProbsWarning,
        stacklevel=3,
    )
    return True
