"""tau-AP of two score arrays with ties: tau_AP,a (the mean over tie orders) and tau_AP,b (true ties)."""

from __future__ import annotations

import numpy as np

TIES = ("a", "b")


def all_tied(scores: np.ndarray) -> bool:
    """True when ``scores`` gives every system the same score (it orders none of them)."""
    return len(scores) > 0 and bool((scores == scores[0]).all())


def tau_ap_a(t: np.ndarray, e: np.ndarray) -> float:
    """tau_AP,a of checked arrays: the untied tau-AP averaged over the orders of tied systems in both lists;
    NaN when either gives every system the same score."""
    n = len(t)
    if all_tied(t) or all_tied(e):
        return np.nan
    order = np.argsort(-e, kind="stable")
    neg, true = -e[order], t[order]
    start = np.searchsorted(neg, neg, side="left")  # first 0-based position of each system's tie group
    stop = np.searchsorted(neg, neg, side="right")
    harmonic = np.concatenate([[0.0], np.cumsum(1.0 / np.arange(1, n + 1))])
    # mean of 1/(position - 1) over the group's positions; the first group has nothing above it
    weight = np.where(start > 0, (harmonic[stop - 1] - harmonic[np.maximum(start - 1, 0)]) / (stop - start), 0.0)
    above = np.arange(n)[None, :] < start[:, None]  # above[i, j]: j is in a group above i's
    agree = np.sign(true[None, :] - true[:, None])  # +1: the truth also puts j above i, 0: tied
    return float(np.sum(weight * np.sum(agree * above, axis=1)) / (n - 1))


def _tau_ap_b_one_way(ref: np.ndarray, walk: np.ndarray) -> float:
    """Urbano & Marrero's tau_AP,b walking down ``walk`` with ``ref`` as the reference.

    ``2/(N - t_1) * sum_i c_i / p_i - 1`` over the systems ``i`` below ``walk``'s top tie group, where
    ``p_i`` counts the systems in groups strictly above ``i``'s and ``c_i`` those of them that ``ref``
    also scores strictly above ``i`` (a pair ``ref`` ties counts as not concordant), and ``t_1`` is the
    size of the top group.
    """
    above = walk[None, :] > walk[:, None]  # above[i, j]: walk puts j strictly above i
    p = above.sum(axis=1)
    c = (above & (ref[None, :] > ref[:, None])).sum(axis=1)
    below_top = p > 0
    return float(2.0 * np.sum(c[below_top] / p[below_top]) / np.count_nonzero(below_top) - 1.0)


def tau_ap_b(t: np.ndarray, e: np.ndarray) -> float:
    """tau_AP,b of checked arrays: the mean of the two one-way measures (symmetric in ``t`` and ``e``); NaN
    when either gives every system the same score."""
    if all_tied(t) or all_tied(e):
        return np.nan
    return 0.5 * (_tau_ap_b_one_way(t, e) + _tau_ap_b_one_way(e, t))
