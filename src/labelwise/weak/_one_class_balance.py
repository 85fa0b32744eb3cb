"""The class balance on mostly one-class votes: a MAP estimate anchored on the vote shares.

On keyword rules (functions that vote one class only) the vote shares are each class's rules' coverage, not the
class's prevalence, so the balance fixed at them (``class_balance="votes"``) can cost a fit that holds the right
cliques; fitted free (maximum likelihood) it lets the latent classes drift where the rules are weak
(``benchmarks/dev_weak_one_class_cliques2.py``). Between the two, EM's M-step here returns the mode of the balance
under a Dirichlet prior centred on the vote shares ``s``,

    p_y = (N_y + A s_y) / (N + A),

``N_y`` the posterior mass of class ``y`` over the ``N`` items with a vote, and EM's objective gains the prior's
log density ``A Σ_y s_y log p_y`` (per item, as the rest of the objective). The strength ``A`` is stated by a
principle, not tuned: :func:`anchor_strength`.

Applies only where :func:`~._one_class_fit.choose_structure` sets :data:`ANCHOR` (``one_class_rules=True``, mostly
one-class votes, the default ``class_balance="votes"``, EM on, the one-class cliques kept by BIC); elsewhere the
balance is as before.

References
----------
A. Gelman, J. B. Carlin, H. S. Stern, D. B. Dunson, A. Vehtari and D. B. Rubin, "Bayesian Data Analysis", 3rd ed.,
CRC Press, 2013 (the Dirichlet-multinomial posterior mode).
"""

from __future__ import annotations

from contextvars import ContextVar

import numpy as np

from ._posterior import FLOOR
from ._votes import ABSTAIN

__all__ = ["ANCHOR", "anchor_strength", "anchored_balance", "balance_log_prior", "vote_share_balance"]

#: ``(s, A)``: the centre (vote shares) and strength of the balance's prior in this context; ``None``: no anchor.
ANCHOR: ContextVar[tuple[np.ndarray, float] | None] = ContextVar("one_class_balance", default=None)


def anchor_strength(matrix: np.ndarray, w: np.ndarray) -> float:
    """The prior's strength ``A``: the number of items whose votes name more than one class.

    An item voted by rules of one class only is that class under the vote shares and under any fit that holds
    one-class rules as accurate; the items whose votes name two or more classes are the ones on which a fitted
    balance and the vote shares can disagree. The vote shares are given the weight of those items: the anchor is
    as strong as the evidence that could move the balance away from it. Chosen before the exploration runs as the
    first of two stated principles (the other, the number of items with a vote, anchors harder; both were run on
    the exploration seeds, ``benchmarks/dev_weak_one_class_cliques3.py``).
    """
    matrix = np.asarray(matrix)
    if matrix.dtype.kind == "i" and ABSTAIN == -1:  # the abstain is below every class, and above it read unsigned
        hi = matrix.max(axis=1, initial=-1)
        unsigned = np.dtype(matrix.dtype.str.replace("i", "u"))
        lo = matrix.view(unsigned).min(axis=1, initial=np.iinfo(unsigned).max)
        named = (hi >= 0) & (hi.astype(unsigned) > lo)
    else:
        voted = matrix != ABSTAIN
        lo = np.where(voted, matrix, np.iinfo(np.int64).max).min(axis=1)
        hi = np.where(voted, matrix, -1).max(axis=1)
        named = voted.any(axis=1) & (hi > lo)
    return float(np.asarray(w, dtype=np.float64)[named].sum())


def anchored_balance(p_new: np.ndarray, total: float, anchor: tuple[np.ndarray, float]) -> np.ndarray:
    """The M-step's balance under the prior ``anchor = (s, A)``: ``(N p_new + A s) / (N + A)``, ``N = total``."""
    shares, strength = anchor
    p = (total * np.asarray(p_new) + strength * shares) / max(total + strength, FLOOR)
    p = np.maximum(p, FLOOR)
    return p / p.sum()


def balance_log_prior(p: np.ndarray, anchor: tuple[np.ndarray, float] | None) -> float:
    """The prior's log density at ``p`` up to a constant, ``A Σ s log p`` (0 without an anchor)."""
    if anchor is None:
        return 0.0
    shares, strength = anchor
    return float(strength * (shares @ np.log(np.maximum(p, FLOOR))))


def vote_share_balance(matrix: np.ndarray, w: np.ndarray, k: int) -> np.ndarray:
    """(K,) the prior's centre: the mean vote shares of the rows with a vote, rows weighted by ``w`` (the balance
    ``class_balance="votes"`` fixes)."""
    matrix = np.asarray(matrix)
    n = matrix.shape[0]  # each row's votes per class: one count of the (row, outcome) cells, the abstain's dropped
    cells = (matrix - ABSTAIN).astype(np.int64) + (k + 1) * np.arange(n, dtype=np.int64)[:, None]
    counts = np.bincount(cells.ravel(), minlength=n * (k + 1)).reshape(n, k + 1)[:, 1:].astype(np.float64)
    total = counts.sum(axis=1)
    covered = total > 0
    shares = counts[covered] / total[covered, None]
    p = np.maximum(
        np.asarray(w, dtype=np.float64)[covered] @ shares / max(float(np.asarray(w)[covered].sum()), FLOOR), FLOOR
    )
    return p / p.sum()
