"""A mixture of worker communities as the crowd prior of the label model's missing-abstain fit.

The label model's Dawid-Skene fit (missing abstains) gives every function's confusion rows one
Dirichlet prior, centred on a worker of the crowd's mean accuracy
(:func:`~labelwise.weak._em.diagonal_pseudo_counts`; Kim and Ghahramani 2012). On crowds with
many votes per worker that prior shrinks the few good workers toward the crowd's mean, while on
the hard items those workers should decide. Community-based Bayesian classifier combination
(CBCC, [1]_) puts a mixture above the workers instead: each worker belongs to one of ``C``
communities (``P(community c) = π_c``), and its confusion matrix is drawn around the confusion
matrix of its community; communities and labels are inferred jointly. Bayesian nonparametric
crowdsourcing ([2]_) is the same model with the number of communities learned.

This module is a MAP-EM simplification of CBCC that keeps the present model as its first
community:

* Community ``c``'s confusion rows are Dirichlet with mean the one-coin matrix of accuracy
  ``a_c`` (right with ``a_c``, errors spread evenly) and ``s`` pseudo-votes per row (``s``:
  ``prior_strength``), as the present prior's, rather than CBCC's logistic-normal around a full
  community matrix. Community 0 is the present crowd prior: ``a_0`` is the crowd's mean accuracy
  estimated from the answers' agreement and stays fixed, so ``C = 1`` is the present model
  exactly. Communities ``1 .. C-1`` are learned: their accuracies and the weights ``π``.
* The worker's membership is inferred with its confusion integrated out (CBCC's collapsed form):
  by the Dirichlet aggregation property the share of right votes in row ``y`` is
  ``Beta(s a_c, s (1 - a_c))``, so the evidence of worker ``j`` for community ``c`` is the
  beta-binomial likelihood of its expected right and wrong votes per class,
  ``Π_y B(s a_c + R_jy, s (1 - a_c) + W_jy) / B(s a_c, s (1 - a_c))`` (the split of the errors among
  the wrong classes has no community in a one-coin mean). ``r_jc ∝ π_c · evidence``.
* Given the memberships, ``a_c`` (``c >= 1``) is the pooled accuracy of its members' expected votes,
  ``Σ_j r_jc R_j / Σ_j r_jc N_j``, ``π_c`` the mean membership; a fixed number of these steps from
  a fixed start (``a_c`` evenly between ``a_0`` and 0.99) in every M-step of the label model's EM,
  so the M-step is a function of the posterior (SQUAREM needs a fixed map).
* Each worker's confusion rows are then MAP-estimated under the mixture prior as EM for a mixture
  prior does (the log prior averaged over the membership posterior): pseudo-counts
  ``s Σ_c r_jc M(a_c)``, the one-coin matrix of accuracy ``Σ_c r_jc a_c``. Functions modelled in a
  clique keep the crowd prior (community 0) for their joint votes.

Accuracies are clipped to ``[1/K + 0.1 (1 - 1/K), 0.99]``, as
:func:`~labelwise.aggregate.priors.diagonal_confusion_prior` clips the crowd's.

References
----------
.. [1] M. Venanzi, J. Guiver, G. Kazai, P. Kohli and M. Shokouhi, "Community-based Bayesian
   aggregation models for crowdsourcing", WWW 2014, 155-164.
.. [2] P. G. Moreno, A. Artés-Rodríguez, Y. W. Teh and F. Perez-Cruz, "Bayesian nonparametric
   crowdsourcing", JMLR 16, 1607-1627, 2015.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from scipy.special import betaln

from ._posterior import FLOOR

__all__ = ["COMMUNITY_STEPS", "CommunityPrior", "fit_communities"]

#: Steps of the community fit (memberships, then accuracies and weights) per M-step of EM.
COMMUNITY_STEPS = 10


def _clip(a: np.ndarray | float, k: int) -> np.ndarray:
    chance = 1.0 / k
    return np.clip(a, chance + 0.1 * (1 - chance), 0.99)


def fit_communities(
    right: np.ndarray, wrong: np.ndarray, crowd: float, strength: float, n_communities: int, k: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Community accuracies ``a`` (C,), weights ``π`` (C,) and memberships ``r`` (J, C) of the
    workers whose expected right and wrong votes per class are ``right`` and ``wrong`` (J, K).

    Community 0 keeps accuracy ``crowd``; see the module docstring for the steps.
    """
    c = int(n_communities)
    top = float(_clip(0.99, k))
    acc = np.asarray(_clip(np.array([crowd + (top - crowd) * i / c for i in range(c)]), k), dtype=np.float64)
    log_pi = np.full(c, -np.log(c))
    s = float(strength)
    r = np.full((right.shape[0], c), 1.0 / c)
    right_sum, total_sum = right.sum(axis=1), right.sum(axis=1) + wrong.sum(axis=1)
    for _ in range(COMMUNITY_STEPS):
        alpha, beta = s * acc, s * (1.0 - acc)  # (C,)
        log_ev = (
            betaln(alpha[None, None, :] + right[:, :, None], beta[None, None, :] + wrong[:, :, None]).sum(axis=1)
            - right.shape[1] * betaln(alpha, beta)[None, :]
        )
        log_r = log_ev + log_pi[None, :]
        log_r -= log_r.max(axis=1, keepdims=True)
        r = np.exp(log_r)
        r /= r.sum(axis=1, keepdims=True)
        mass = r.sum(axis=0)
        log_pi = np.log(np.maximum(mass / max(float(mass.sum()), FLOOR), FLOOR))
        pooled = (r[:, 1:].T @ right_sum) / np.maximum(r[:, 1:].T @ total_sum, FLOOR)
        acc[1:] = _clip(np.where(r[:, 1:].sum(axis=0) > FLOOR, pooled, acc[1:]), k)
    return acc, np.exp(log_pi), r


class CommunityPrior:
    """The M-step pseudo-counts (outcome columns x classes) of the community prior, as a function of
    the expected counts ``data`` of EM's M-step (:func:`~labelwise.weak._posterior.em_m_step_missing`
    calls it with them).

    Parameters
    ----------
    base : ndarray
        The crowd prior's pseudo-counts (:func:`~labelwise.weak._em.diagonal_pseudo_counts`): the
        abstain outcomes and cliques keep them.
    groups : list of list of int
        The groups of functions; singletons get the community prior.
    k : int
    crowd : float
        Community 0's accuracy (the crowd prior's, clipped as it is).
    strength : float
        Pseudo-votes per confusion row.
    n_communities : int
        ``C >= 2``.
    """

    def __init__(
        self, base: np.ndarray, groups: Sequence[Sequence[int]], k: int, crowd: float, strength: float, n_communities: int
    ) -> None:
        self.base, self.k, self.strength, self.n_communities = base, k, float(strength), int(n_communities)
        self.crowd = float(_clip(crowd, k))
        cols, offset = [], 0
        for g in groups:
            if len(g) == 1:
                cols.append(offset + 1 + np.arange(k))  # the columns of its votes 0 .. K-1
            offset += (k + 1) ** len(g)
        self.cols = np.asarray(cols, dtype=np.int64).reshape(-1, k)
        self.state: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None

    def __call__(self, data: np.ndarray) -> np.ndarray:
        """Pseudo-counts for the expected counts ``data`` (outcome columns x classes)."""
        k = self.k
        votes = data[self.cols]  # (J, vote a, class y)
        right = votes[:, np.arange(k), np.arange(k)]
        wrong = np.maximum(votes.sum(axis=1) - right, 0.0)
        acc, pi, r = fit_communities(right, wrong, self.crowd, self.strength, self.n_communities, k)
        self.state = (acc, pi, r)
        mixed = r @ acc  # each worker's prior accuracy
        s = self.strength
        block = np.repeat((s * (1.0 - mixed) / (k - 1))[:, None, None], k, axis=1).repeat(k, axis=2)
        block[:, np.arange(k), np.arange(k)] = (s * mixed)[:, None]
        out = self.base.copy()
        out[self.cols] = block
        return out
