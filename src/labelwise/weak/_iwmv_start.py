"""A second start for the label model's Dawid-Skene MAP refit: the labels of Li and Yu's iterative weighted
majority voting (IWMV, :mod:`labelwise.weak.iwmv`).

Li and Yu (2014) note that EM's MAP rule can end far from the oracle MAP rule when EM starts badly, and show that
IWMV's weighted vote approximates the oracle MAP rule of the homogeneous Dawid-Skene model. Where the label model's
missing-abstain MAP refit runs (from majority vote's shares), it is also run from IWMV's labels (one-hot) on the
same rows, and the run of higher MAP objective is kept by the rule of the spectral start
(:func:`._spectral.higher_map`). IWMV runs on the fit's distinct vote rows, each counted for the items it stands
for, over the model's groups: a clique the model joined is one labeler of IWMV, its weight multiplying its members'
votes for each class. It passed the registered rule of ``benchmarks/dev_weak_iwmv.py`` (session 50, is15z)
but moved no label of the benchmark's sets and costs CPU, so it is opt-in (``LabelModel(iwmv_start=True)``).

References
----------
.. [1] H. Li and B. Yu, "Error Rate Bounds and Iterative Weighted Majority Voting for Crowdsourcing",
   arXiv:1411.4086, 2014.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import scipy.sparse as sp

from ._posterior import VotedOutcomes
from ._spectral import higher_map
from .iwmv import iterative_weighted_vote

__all__ = ["group_vote_counts", "iwmv_start", "keep_iwmv_start"]


def group_vote_counts(voted: VotedOutcomes, groups: Sequence[Sequence[int]], k: int) -> sp.csr_matrix:
    """Vote counts (rows, groups·K) of the outcome indicator: ``[r, g·K + c]`` = members of group ``g`` voting ``c``
    on row ``r`` (an outcome's code holds member ``t``'s vote + 1 as its ``t``-th base-``K+1`` digit)."""
    base = k + 1
    cols, targets = [], []
    for g, (members, start) in enumerate(zip(groups, np.asarray(voted.starts).tolist(), strict=True)):
        codes = np.arange(base ** len(members))
        for t in range(len(members)):
            digit = (codes // base**t) % base
            has = np.flatnonzero(digit > 0)
            cols.append(start + has)
            targets.append(g * k + digit[has] - 1)
    col, target = np.concatenate(cols), np.concatenate(targets)
    spread = sp.csr_matrix((np.ones(len(col)), (col, target)), shape=(voted.lam.shape[1], len(groups) * k))
    return sp.csr_matrix(voted.lam @ spread)


def iwmv_start(voted: VotedOutcomes, w: np.ndarray, k: int, groups: Sequence[Sequence[int]]) -> np.ndarray:
    """IWMV's labels (one-hot, rows x K) on the weighted rows (ties drawn per row, seed 0)."""
    run = iterative_weighted_vote(group_vote_counts(voted, groups, k), k, row_weights=w, random_state=0)
    return np.eye(k)[run.labels]


def keep_iwmv_start(
    run: Any,
    voted: VotedOutcomes,
    w: np.ndarray,
    k: int,
    groups: Sequence[Sequence[int]],
    majority: np.ndarray,
    refit: Callable[[np.ndarray], Any],
    tol: float,
) -> Any:
    """The MAP fit ``run`` (from majority vote's shares ``majority``) or ``refit`` from IWMV's labels, whichever
    :func:`._spectral.higher_map` prefers; ``iwmv`` of the returned run says which (``"kept"``, ``"not kept"``)."""
    alt = refit(iwmv_start(voted, w, k, groups))
    if higher_map(run, alt, majority, w, tol):
        return alt._replace(iwmv="kept")
    return run._replace(iwmv="not kept")
