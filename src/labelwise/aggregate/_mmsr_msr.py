"""M-MSR's trimmed means per group, with the sort by group done once and the sort by value kept
from one iteration to the next.

Each half step of M-MSR (:func:`~labelwise.aggregate.mmsr.msr_rank_one_pairs`) needs, for every
annotator, its observed values in increasing order. :func:`trimmed_means` sorts all pairs by
(group, value) each time. :class:`GroupedTrimmedMeans` keeps the pairs grouped (a fixed order,
made once) and each group in the value order of the last step; a step re-sorts only the groups
whose values are no longer in increasing order (late in the iteration, few or none). The values
then reach the sums in the same increasing order as after a full sort (equal values may swap
places, which changes no sum), so the means are the same bit for bit.
"""

from __future__ import annotations

import numpy as np

__all__ = ["GroupedTrimmedMeans", "trimmed_means"]


def _means_of_sorted(g: np.ndarray, v: np.ndarray, current: np.ndarray, f: int, n: int) -> np.ndarray:
    """The MSR means from ``g`` (groups, non-decreasing) and ``v`` (increasing within each group)."""
    size = np.bincount(g, minlength=current.shape[0])
    start = np.cumsum(size) - size
    rank = np.arange(g.shape[0]) - start[g]
    below = np.bincount(g, weights=v < current[g], minlength=current.shape[0]).astype(np.int64)
    above = np.bincount(g, weights=v > current[g], minlength=current.shape[0]).astype(np.int64)
    lo, hi = np.minimum(below, f), size - np.minimum(above, f)
    keep = (rank >= lo[g]) & (rank < hi[g])
    kept = np.bincount(g[keep], minlength=current.shape[0])
    total = np.bincount(g[keep], weights=v[keep], minlength=current.shape[0])
    out = np.divide(total, kept, out=current.copy(), where=kept > 0)
    out[(kept == 1) & (total == 0)] = 1.0 / np.sqrt(n)
    return out


def trimmed_means(group: np.ndarray, values: np.ndarray, current: np.ndarray, f: int, n: int) -> np.ndarray:
    """MSR per group: drop the ``f`` smallest values below the group's current value (all of them
    when fewer) and the ``f`` largest above it, and average the rest; a group left empty keeps its
    current value, and one left with a single 0 takes ``1 / sqrt(n)`` (crowd-kit's guard). NaN
    values (a divisor of 0) are left out."""
    usable = ~np.isnan(values)
    if not usable.all():
        group, values = group[usable], values[usable]
    order = np.lexsort((values, group))
    return _means_of_sorted(group[order], values[order], current, f, n)


class GroupedTrimmedMeans:
    """:func:`trimmed_means` for a fixed ``group`` array, called again and again with new values.

    Parameters
    ----------
    group : ndarray of int64, shape (n_pairs,)
        The group (annotator) of each pair, the same at every call.
    """

    def __init__(self, group: np.ndarray) -> None:
        self.group = group
        self.order = np.argsort(group, kind="stable")
        self.sorted_group = group[self.order]
        self.same_group = self.sorted_group[1:] == self.sorted_group[:-1]

    def __call__(self, values: np.ndarray, current: np.ndarray, f: int, n: int) -> np.ndarray:
        """The means of :func:`trimmed_means` (bit for bit) for this step's ``values``."""
        if np.isnan(values).any():  # rare (a factor entry of 0): the full sort, order kept for later
            return trimmed_means(self.group, values, current, f, n)
        g = self.sorted_group
        v = values[self.order]
        falls = (v[1:] < v[:-1]) & self.same_group
        if falls.any():
            stale = np.zeros(current.shape[0], dtype=bool)
            stale[g[1:][falls]] = True
            at = np.flatnonzero(stale[g])  # whole groups, each contiguous
            resort = at[np.lexsort((v[at], g[at]))]
            self.order[at] = self.order[resort]
            v[at] = v[resort]
        return _means_of_sorted(g, v, current, f, n)
