"""A mixture of worker communities as the crowd prior of the label model's missing-abstain fit.

The label model's Dawid-Skene fit (missing abstains) gives every function's confusion rows one
Dirichlet prior, centred on a worker of the crowd's mean accuracy
(:func:`~labelwise.weak._em.diagonal_pseudo_counts`; Kim and Ghahramani 2012). On crowds with
many votes per worker that prior shrinks the few good workers toward the crowd's mean (and every
worker's errors toward an even spread), while on the hard items those workers should decide.
Community-based Bayesian classifier combination (CBCC, [1]_) puts a mixture above the workers
instead: each worker belongs to one of ``C`` communities (``P(community c) = π_c``), and its
confusion matrix is drawn around the confusion matrix of its community; communities and labels
are inferred jointly. Bayesian nonparametric crowdsourcing ([2]_) is the same model with the
number of communities learned.

This module is a MAP-EM simplification of CBCC that keeps the present model as its first
community:

* Community ``c`` has a confusion matrix ``M_c`` (K x K, rows summing to 1); a worker of community
  ``c`` has Dirichlet confusion rows with mean ``M_c[y]`` and ``s`` pseudo-votes per row (``s``:
  ``prior_strength``, as in the present prior), rather than CBCC's softmax of a Gaussian around
  the community's scores. Community 0 is the present crowd prior: ``M_0`` is the one-coin matrix
  of the crowd's mean accuracy estimated from the answers' agreement and stays fixed, so ``C = 1``
  is the present model exactly. Communities ``1 .. C-1`` are learned (their matrices and the
  weights ``π``), started as one-coin matrices of accuracies evenly spaced between the lowest
  accuracy the crowd prior allows and 0.99 (with ``C = 3``: a weak and a strong type).
* The worker's membership is inferred with its confusion integrated out (CBCC's collapsed form):
  the evidence of worker ``j``'s expected vote counts ``n_j[y, a]`` for community ``c`` is the
  Dirichlet-multinomial ``Π_y B(s M_c[y] + n_j[y]) / B(s M_c[y])``, and ``r_jc ∝ π_c · evidence``.
* Given the memberships, ``M_c`` (``c >= 1``) is the pooled confusion of its members' expected
  votes, ``Σ_j r_jc n_j[y, a]`` normalised per row (with ``0.01`` per cell and a floor of ``0.005``
  on each entry, so that no error is forbidden), and ``π_c`` the mean membership.
* Each worker's confusion rows are MAP-estimated under the mixture as EM for a mixture prior does
  (the log prior averaged over the membership posterior): pseudo-counts ``s Σ_c r_jc M_c``.
  Functions modelled in a clique keep the crowd prior (community 0) for their joint votes.

The community step (memberships, then matrices and weights) runs once in every M-step of the label
model's EM, from the previous M-step's communities (interleaved EM over the labels, the
confusions and the communities; the first M-step starts them as above), so its cost is one
evidence per worker and community per EM step.

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
from scipy.special import gammaln

from ._posterior import FLOOR

__all__ = ["CommunityPrior", "community_step", "one_coin", "start_communities"]

#: Pseudo-count per cell and floor of each entry of a learned community's confusion matrix.
CELL_COUNT, CELL_FLOOR = 0.01, 0.005


def one_coin(accuracy: float, k: int) -> np.ndarray:
    """The K x K confusion matrix right with ``accuracy`` and with errors spread evenly."""
    out = np.full((k, k), (1.0 - accuracy) / (k - 1))
    np.fill_diagonal(out, accuracy)
    return out


def _clip(a: float, k: int) -> float:
    chance = 1.0 / k
    return float(min(0.99, max(chance + 0.1 * (1 - chance), a)))


def start_communities(crowd: float, n_communities: int, k: int) -> tuple[np.ndarray, np.ndarray]:
    """The communities' first matrices (C, K, K) and log weights: the crowd's one-coin matrix (of
    accuracy ``crowd``, clipped as the crowd prior clips it), then one-coin matrices of accuracies
    evenly spaced between the lowest the clip allows and 0.99."""
    low, c = _clip(0.0, k), int(n_communities)
    accs = [_clip(crowd, k), *np.linspace(low, 0.99, c + 1)[1:c].tolist()] if c > 1 else [_clip(crowd, k)]
    return np.stack([one_coin(a, k) for a in accs]), np.full(c, -np.log(c))


def community_step(
    counts: np.ndarray, matrices: np.ndarray, log_pi: np.ndarray, strength: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """One step of the community fit of workers with expected vote counts ``counts`` (J, K true, K
    given): memberships ``r`` (J, C) from ``matrices`` (C, K, K) and ``log_pi``, then the learned
    communities' matrices (all but the first) and the weights. Returns ``(r, matrices, log_pi)``."""
    alpha = strength * matrices
    log_ev = (gammaln(alpha[None] + counts[:, None]) - gammaln(alpha)[None]).sum(axis=(2, 3))
    log_r = log_ev + log_pi[None, :]
    log_r -= log_r.max(axis=1, keepdims=True)
    r = np.exp(log_r)
    r /= r.sum(axis=1, keepdims=True)
    mass = r.sum(axis=0)
    log_pi = np.log(np.maximum(mass / max(float(mass.sum()), FLOOR), FLOOR))
    learned = np.einsum("jc,jya->cya", r[:, 1:], counts) + CELL_COUNT
    learned = np.maximum(learned / learned.sum(axis=2, keepdims=True), CELL_FLOOR)
    matrices = np.concatenate([matrices[:1], learned / learned.sum(axis=2, keepdims=True)])
    return r, matrices, log_pi


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
        Community 0's accuracy (the crowd prior's; clipped as it clips it).
    strength : float
        Pseudo-votes per confusion row.
    n_communities : int
        ``C >= 1``.

    Attributes
    ----------
    matrices, log_pi, memberships : ndarray
        The communities after the last call (``None`` before the first).
    """

    def __init__(
        self, base: np.ndarray, groups: Sequence[Sequence[int]], k: int, crowd: float, strength: float, n_communities: int
    ) -> None:
        self.base, self.k, self.strength = base, k, float(strength)
        self.matrices, self.log_pi = start_communities(crowd, n_communities, k)
        cols, offset = [], 0
        for g in groups:
            if len(g) == 1:
                cols.append(offset + 1 + np.arange(k))  # the columns of its votes 0 .. K-1
            offset += (k + 1) ** len(g)
        self.cols = np.asarray(cols, dtype=np.int64).reshape(-1, k)
        self.memberships: np.ndarray | None = None

    def __call__(self, data: np.ndarray) -> np.ndarray:
        """Pseudo-counts for the expected counts ``data`` (outcome columns x classes); one community step."""
        counts = np.transpose(data[self.cols], (0, 2, 1))  # (J, true y, given a)
        self.memberships, self.matrices, self.log_pi = community_step(
            counts, self.matrices, self.log_pi, self.strength
        )
        mean = np.einsum("jc,cya->jay", self.memberships, self.matrices)  # each worker's prior mean, [j, a, y]
        out = self.base.copy()
        out[self.cols] = self.strength * mean
        return out
