"""The label model's missing-abstain fit that collapses: every voted item in one class where majority vote names more.

:func:`~._missing_guard.guard_missing` checks a missing-abstain fit (Dawid-Skene's model [1]_: abstains say nothing of
the class) for a relabelled class only where most votes come from functions that vote one class only
(:data:`~._missing_guard.ONE_CLASS_VOTES`): on a crowd, a relabelled small class can be the prior's fair correction of
a noisy majority. On few multi-class functions of low coverage (most items with one to three votes) the same model,
its class balance estimated, can also end with every class but one emptied: its labels of the voted items name a
single class while majority vote's labels of those items name two or more (``benchmarks/dev_weak_low_coverage.py``).
That is no correction of a noisy majority (a fit that names one class has no class left to correct towards) but EM's
degenerate optimum of a non-identified model; with :data:`COLLAPSED_FIT` such a fit gets the guard's fallback to
majority vote whatever its votes' one-class share.

References
----------
.. [1] A. P. Dawid and A. M. Skene, "Maximum Likelihood Estimation of Observer Error-Rates Using
   the EM Algorithm", Applied Statistics 28(1), 20-28, 1979.
"""

from __future__ import annotations

import numpy as np

from ..aggregate._guard import strict_classes

__all__ = ["COLLAPSED_FIT", "collapsed", "one_label"]

#: Registered candidate (session 51, lowcov2, ``benchmarks/dev_weak_low_coverage.py``): True, a collapsed
#: missing-abstain fit falls back to majority vote; False, main's guard.
COLLAPSED_FIT = True


def one_label(vote: np.ndarray, post: np.ndarray, weights: np.ndarray) -> bool:
    """Whether ``post`` (voted rows x K) labels every row of positive weight with one class while majority vote's
    strict labels of those rows (``vote``: the rows' vote shares; tied rows left out) name two or more classes."""
    rows = np.asarray(weights) > 0
    if not rows.any():
        return False
    if np.unique(np.argmax(post[rows], axis=1)).size != 1:
        return False
    majority = strict_classes(vote[rows])
    return np.unique(majority[majority >= 0]).size >= 2


def collapsed(abstains: str, vote: np.ndarray, post: np.ndarray, weights: np.ndarray) -> bool:
    """Whether the guard falls back on a fit with ``abstains`` (``"missing"`` or ``"informative"``) whatever the
    one-class share: a missing-abstain fit that collapses (:func:`one_label`), with :data:`COLLAPSED_FIT` on."""
    return COLLAPSED_FIT and abstains == "missing" and one_label(vote, post, weights)
