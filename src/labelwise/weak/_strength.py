"""The crowd prior's strength by type-II maximum likelihood (empirical Bayes), for the missing-abstain fit.

With missing abstains the label model's labels come from a MAP fit of Dawid and Skene's model under a
Dirichlet prior on each function's votes given the class (:func:`._em.diagonal_pseudo_counts`):
row ``y`` of function ``j``'s confusion is ``Dirichlet(1 + s m_y)``, with mean row ``m_y`` (the
crowd's accuracy ``a`` on the diagonal, ``(1 − a)/(K − 1)`` elsewhere) and strength ``s``
pseudo-votes. In the hierarchical (Bayesian) Dawid-Skene model the functions' rows are draws from
this population prior (Kim and Ghahramani 2012; Paun et al. 2018), and ``s`` says how alike the
functions are. Instead of fixing ``s``, empirical Bayes estimates it from the data: the ``s`` that
maximises the marginal (Dirichlet-multinomial) likelihood of every function's vote counts per class
(Minka 2000), here the expected counts under the fit's posterior, alternated with the MAP fit until
``s`` settles (an EM for the hyperparameter, Casella 1985's empirical-Bayes EM). A crowd of alike
functions keeps a strong pull toward the crowd's mean row; a crowd of good workers and spammers,
each with many answers, gets a weak one (their rows are far apart).

References
----------
.. [1] H.-C. Kim and Z. Ghahramani, "Bayesian Classifier Combination", AISTATS 2012.
.. [2] S. Paun, B. Carpenter, J. Chamberlain, D. Hovy, U. Kruschwitz and M. Poesio, "Comparing
   Bayesian Models of Annotation", TACL 6, 571-585, 2018.
.. [3] T. Minka, "Estimating a Dirichlet distribution", technical report, 2000 (2012 revision).
.. [4] G. Casella, "An Introduction to Empirical Bayes Data Analysis", The American Statistician
   39(2), 83-87, 1985.
"""

from __future__ import annotations

import numpy as np
from scipy.optimize import minimize_scalar
from scipy.special import gammaln

__all__ = ["STRENGTH_BOUNDS", "marginal_log_likelihood", "single_counts", "type2_strength"]

#: The range searched for the strength (pseudo-votes per confusion row); 0 would be maximum likelihood.
STRENGTH_BOUNDS = (1e-2, 1e4)


def single_counts(counts: np.ndarray, groups: list[list[int]], n_classes: int) -> np.ndarray:
    """Each single function's expected vote counts per class, ``[g, y, a]``, from the M-step's
    outcome counts (outcome columns x classes, :func:`._posterior.outcome_patterns` order: a single
    function's columns are its abstain, then its votes ``0 .. K-1``). Cliques are left out (their
    joint votes are not rows of one confusion matrix)."""
    k, base = n_classes, n_classes + 1
    offsets = np.concatenate([[0], np.cumsum([base ** len(g) for g in groups])[:-1]]).astype(np.int64)
    own = [int(o) for g, o in zip(groups, offsets, strict=True) if len(g) == 1]
    if not own:
        return np.zeros((0, k, k))
    cols = np.asarray(own, dtype=np.int64)[:, None] + 1 + np.arange(k)[None, :]  # (n_single, K): vote a
    return np.transpose(counts[cols], (0, 2, 1))  # [g, a, y] -> [g, y, a]


def marginal_log_likelihood(strength: float, counts: np.ndarray, mean: np.ndarray) -> float:
    """``Σ_{j,y} log ∫ Mult(n_jy | θ) Dir(θ | 1 + s m_y) dθ`` (without the multinomial coefficient,
    which does not depend on ``s``): Minka (2000)'s Dirichlet-multinomial evidence of the rows
    ``counts[j, y]`` (expected counts may be fractional) under the prior of strength ``s``."""
    alpha = 1.0 + strength * mean  # (K, K): [y, a]
    total = alpha.sum(axis=1)  # K + s for every row
    n_row = counts.sum(axis=2)  # (n_functions, K)
    seen = n_row > 0
    per_row = gammaln(total)[None, :] - gammaln(total[None, :] + n_row)
    per_row += (gammaln(alpha[None] + counts) - gammaln(alpha)[None]).sum(axis=2)
    return float(per_row[seen].sum())


def type2_strength(counts: np.ndarray, mean: np.ndarray) -> float:
    """The strength ``s`` in :data:`STRENGTH_BOUNDS` maximising :func:`marginal_log_likelihood`
    (a bounded search over ``log s``; the evidence of one Dirichlet precision is unimodal in
    practice, Minka 2000). ``mean``: the prior's rows ``m_y`` (K x K, each summing to 1)."""
    if not counts.size or not (counts.sum(axis=2) > 0).any():
        return float(STRENGTH_BOUNDS[0])
    lo, hi = np.log(STRENGTH_BOUNDS[0]), np.log(STRENGTH_BOUNDS[1])
    res = minimize_scalar(
        lambda t: -marginal_log_likelihood(float(np.exp(t)), counts, mean),
        bounds=(lo, hi),
        method="bounded",
        options={"xatol": 1e-3},
    )
    return float(np.exp(res.x))
