"""Each labeler's own prior strength: the concentration of a hierarchical Dirichlet prior, by
its marginal likelihood (empirical Bayes per labeler, under a hyperprior).

The crowd prior of the missing-abstain model gives every labeler's confusion row ``y`` a
Dirichlet(1 + s m_y) prior, with ``m_y`` the crowd's one-coin vote distribution and ``s`` one
strength for all. In a hierarchical model of annotation the concentration is a labeler's own
parameter ([1]_, [2]_): how closely that labeler follows the crowd's mean. Here labeler ``j``'s
strength ``s_j`` is the MAP of

``log p(s_j | n_j) = Σ_y [log Γ(K + s_j) − log Γ(K + s_j + N_jy)
+ Σ_a (log Γ(1 + s_j m_ya + n_jya) − log Γ(1 + s_j m_ya))] + log p(s_j) + const``,

the Dirichlet-multinomial evidence ([3]_) of its expected vote counts ``n_jya`` (votes ``a`` on
items of class ``y``, from the current posterior) times a log-normal hyperprior centred on the
common strength, ``log s_j ~ N(log s, σ²)``. A labeler with few votes has a flat evidence and
keeps ``s``; a labeler with many votes that follow the crowd's mean gets a stronger pull, one
whose votes do not (a good worker, a spammer) a weaker one, so that its confusion comes nearer
its own maximum-likelihood estimate. ``s_j`` is taken on a log grid (a factor ``√2`` apart, from
``s/64`` to ``8s``). Cliques keep ``s``.

References
----------
.. [1] S. Paun, B. Carpenter, J. Chamberlain, D. Hovy, U. Kruschwitz and M. Poesio, "Comparing
   Bayesian Models of Annotation", TACL 6, 571-585, 2018 (the hierarchical Dawid-Skene model).
.. [2] B. Carpenter, "Multilevel Bayesian Models of Categorical Data Annotation", 2008
   (hierarchical priors with hyperpriors on their concentration).
.. [3] T. Minka, "Estimating a Dirichlet distribution", 2000 (the Dirichlet-multinomial evidence).
"""

from __future__ import annotations

import numpy as np
from scipy.special import gammaln

__all__ = ["GRID_STEPS", "HYPER_SIGMA", "labeler_strengths"]

#: Standard deviation of ``log s_j`` around ``log s`` (natural log): a factor 4 is one sd.
HYPER_SIGMA = float(np.log(4.0))
#: The grid of strengths, ``s · 2^(t/2)`` for these ``t``.
GRID_STEPS = np.arange(-12, 7)


def labeler_strengths(counts: np.ndarray, groups: list[list[int]], mean: np.ndarray, strength: float) -> np.ndarray:
    """Each group's prior strength: a single labeler's by its evidence and the hyperprior, a clique's ``strength``.

    Parameters
    ----------
    counts : ndarray of shape (n_outcome_columns, K)
        Expected counts of each outcome column per class (the M-step's data, before pseudo-counts),
        columns in :func:`~labelwise.weak._posterior.outcome_patterns` order.
    groups : list of list of int
        The groups (single functions and cliques).
    mean : ndarray of shape (K, K)
        The prior's vote distribution of each class, ``[true y, given a]`` (rows sum to 1).
    strength : float
        The common strength ``s > 0``.

    Returns
    -------
    ndarray of shape (n_groups,)
    """
    k = mean.shape[0]
    grid = strength * 2.0 ** (GRID_STEPS / 2.0)
    log_hyper = -0.5 * ((np.log(grid) - np.log(strength)) / HYPER_SIGMA) ** 2
    alpha = 1.0 + grid[:, None, None] * mean[None]  # (G, K true, K given)
    out = np.full(len(groups), float(strength))
    offset = 0
    for g, members in enumerate(groups):
        size = (k + 1) ** len(members)
        if len(members) == 1:
            n = np.clip(counts[offset + 1 : offset + size].T, 0.0, None)  # (K true, K given): votes only
            n_y = n.sum(axis=1)
            evidence = (gammaln(alpha.sum(axis=2)) - gammaln(alpha.sum(axis=2) + n_y[None])).sum(axis=1) + (
                gammaln(alpha + n[None]) - gammaln(alpha)
            ).sum(axis=(1, 2))
            out[g] = grid[int(np.argmax(evidence + log_hyper))]
        offset += size
    return out
