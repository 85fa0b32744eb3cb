"""The rows EM runs on: the items with a vote (main's), or every item, the items nobody voted on included.

With informative abstains the label model reads each function's firing as independent of the others' given the class
(Ratner et al. 2016). That holds over ALL items, not over the items some function voted on: conditioning on "at least
one function fired" makes the functions' firing dependent given the class (a selection effect; with few votes per
item, one rule firing makes another's firing on the same item unnecessary for it to be selected), so on low-coverage
votes the likelihood over the voted items alone has its maximum away from the true parameters. Snorkel's
``LabelModel`` (Ratner et al. 2019) counts its overlaps over every item, the all-abstain ones included.

Where :data:`ENABLED` and some item has no vote, EM runs on every row, the all-abstain row among them (one compressed
row, weighted by its items); missing abstains (Dawid and Skene 1979) are unchanged by it at the maximum-likelihood
point, as the all-abstain row's likelihood does not depend on the class there. Main's label model leaves those items
out (their posterior is the fitted all-abstain posterior either way).

:data:`ANCHORED` is a second prototype: the class balance of every EM run anchored on the vote shares
(:mod:`._one_class_balance`'s Dirichlet prior, strength :func:`~._one_class_balance.anchor_strength`) in place of
``class_balance="votes"``'s fixed vote shares, which a keyword rule set's uneven coverage biases.

A prototype of session 56 (peer56), explored on seen sets only (``benchmarks/dev_weak_peer_seen56.py --variants``):
both switches off, main's fit; removed from ``src`` after the exploration (``benchmarks/RESULTS.md``, session 56).

References
----------
A. Ratner, C. De Sa, S. Wu, D. Selsam and C. Ré, "Data Programming: Creating Large Training Sets, Quickly",
NeurIPS 2016.
A. Ratner, B. Hancock, J. Dunnmon, F. Sala, S. Pandey and C. Ré, "Training Complex Models with Multi-Task Weak
Supervision", AAAI 2019.
A. P. Dawid and A. M. Skene, "Maximum Likelihood Estimation of Observer Error-Rates Using the EM Algorithm",
Applied Statistics 28(1), 20-28, 1979.
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["ANCHORED", "ENABLED", "em_rows", "fit_rows_anchored"]

#: Whether EM runs on every vote row (True) or only on the rows with a vote (False: main's fit before session 56).
ENABLED = False


#: Whether ``class_balance="votes"`` anchors the balance on the vote shares instead of fixing it there.
ANCHORED = False


def fit_rows_anchored(fit_rows: Any) -> Any:
    """``fit_rows`` (``(model, matrix, w, p_fixed, deps, votes)``, the label model's fit of the vote rows) with the
    balance anchored where :data:`ANCHORED` and ``p_fixed`` is ``"votes"``; ``fit_rows`` itself otherwise."""
    if not ANCHORED:
        return fit_rows

    def run(model: Any, matrix: np.ndarray, w: np.ndarray, p_fixed: Any, deps: Any, votes: Any) -> Any:
        from ._one_class_balance import ANCHOR, anchor_strength, vote_share_balance

        if isinstance(p_fixed, str) and p_fixed == "votes" and model.n_em_iter:
            token = ANCHOR.set((vote_share_balance(matrix, w, len(votes.classes)), anchor_strength(matrix, w)))
            try:
                return fit_rows(model, matrix, w, p_fixed, deps, votes)
            finally:
                ANCHOR.reset(token)
        return fit_rows(model, matrix, w, p_fixed, deps, votes)

    return run


def em_rows(matrix: np.ndarray) -> np.ndarray:
    """The indices of the vote rows ``matrix`` (``-1`` = abstain) that EM runs on: every row where :data:`ENABLED`,
    else the rows with at least one vote."""
    if ENABLED:
        return np.arange(len(matrix))
    return np.flatnonzero((matrix >= 0).any(axis=1))
