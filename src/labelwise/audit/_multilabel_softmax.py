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

Rows that all sum to one constant other than 1 (a softmax times 2, or times 100 and so out of [0, 1]) are no
per-tag probabilities either, whatever the tags (rule written before the run that judged it, session 48): with at
least 3 tags and two rows that differ, every row summing to one constant ``c`` (within :func:`sum_tolerance`
times ``max(1, c)``) other than 1 is warned about, naming ``c`` and the fix; values past 1 are refused by the
audit's range check, whose message names the percentages (:func:`scale_hint`).
"""

from __future__ import annotations

import numpy as np

from .._caller import warn_at_caller
from ..errors import LabelwiseWarning
from ._blocks import row_blocks

__all__ = ["SoftmaxProbsWarning", "constant_row_sum", "scale_hint", "softmax_rows", "sum_tolerance", "warn_if_softmax"]

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


def constant_row_sum(probs: np.ndarray) -> float | None:
    """The sum every row of the 2-D ``probs`` has (within :func:`sum_tolerance` times ``max(1, sum)``), or None
    when two rows sum differently or no two rows differ (a constant model's rows sum alike by themselves)."""
    n, k = probs.shape
    if n < 2:
        return None
    first = probs[0].astype(np.float64)
    target = float(first.sum())
    tol = sum_tolerance(probs.dtype, k) * max(1.0, abs(target))
    differ = False
    for b in row_blocks(n, k):
        part = probs[b].astype(np.float64, copy=False)
        if not (np.abs(part.sum(axis=1) - target) <= tol).all():
            return None
        differ = differ or bool((np.abs(part - first) > tol).any())  # settled in the first block, mostly
    return target if differ else None


def scale_hint(probs: np.ndarray, name: str = "probs") -> str:
    """What ``probs`` with values past 1 look like, for the range error: a softmax in percent (rows summing to
    100), rows summing to another constant, percentages (every value in [0, 100]), or nothing said (``""``);
    ``name`` is what the fix divides."""
    if probs.size == 0 or not np.isfinite(probs).all() or probs.min() < 0:
        return ""
    total = constant_row_sum(probs) if probs.ndim == 2 else None
    if total is not None:
        scaled = "in percent" if abs(total - 100.0) <= 1e-4 else f"scaled by {total:.6g}"
        return (
            f"; every row sums to {total:.6g} (a softmax {scaled}?): dividing by {total:.6g} gives a softmax, which "
            "splits one unit among an example's tags, so pass one sigmoid per tag instead"
        )
    return f"; every value is in [0, 100] (percentages?): divide {name} by 100" if probs.max() <= 100 else ""


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
    total = constant_row_sum(probs)  # one pass for a softmax, the first block for per-tag sigmoids
    near_one = total is not None and abs(total - 1.0) <= sum_tolerance(probs.dtype, n_tags)
    if total is not None and not near_one:
        return _warn_scaled(total)
    per_row = given.sum(axis=1)
    multi = np.flatnonzero(per_row > 1)
    if multi.size == 0 or not (near_one or softmax_rows(probs)):  # identical rows (one row) checked here
        return False
    row = int(multi[0])
    warn_at_caller(
        SoftmaxProbsWarning(
            f"probs sum to 1 in every row (a softmax?) while {multi.size} of {len(per_row)} examples have more than one "
            f"tag (row {row} has {int(per_row[row])}): the multi-label audit reads each column as that tag's own "
            "probability, so a softmax, which splits one unit among an example's tags, makes the flags unreliable; "
            "pass one sigmoid per tag (a one-vs-rest model's probabilities, or the sigmoid of each logit)"
        )
    )
    return True


def _warn_scaled(total: float) -> bool:
    """Warn that every row sums to ``total``, a constant other than 1 (a scaled softmax): the module's rule."""
    warn_at_caller(
        SoftmaxProbsWarning(
            f"probs sum to {total:.6g} in every row, not to 1 (a softmax scaled by {total:.6g}?): the multi-label "
            f"audit reads each column as that tag's own probability in [0, 1]; dividing by {total:.6g} would give "
            "a softmax, which splits one unit among an example's tags, so pass one sigmoid per tag (a one-vs-rest "
            "model's probabilities, or the sigmoid of each logit)"
        )
    )
    return True
