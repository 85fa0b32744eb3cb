"""Posteriors and EM steps shared by the label models, on the outcomes of groups of labeling functions.

The groups' outcomes, their indicator and its :class:`~._outcomes.VotedOutcomes` form are :mod:`._outcomes`'s; each
item's most probable class with ties broken is :mod:`._ties`'. Both are re-exported here, where the label models and
the benchmarks import them from.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from ..aggregate._base import log_normalize
from ..aggregate._columnwise import columnwise
from ._outcomes import VotedOutcomes, column_sums, group_indicator, outcome_patterns, voted_outcomes
from ._shared_steps import reused_for
from ._ties import item_argmax, sorted_positions

__all__ = [
    "FLOOR",
    "VotedOutcomes",
    "column_sums",
    "confusion_from_mu",
    "confusion_given_votes",
    "em_m_step",
    "em_m_step_missing",
    "group_indicator",
    "group_mu_from_lf_mu",
    "item_argmax",
    "lf_mu_from_posterior",
    "n_parameters",
    "outcome_patterns",
    "pattern_sums",
    "posterior",
    "sorted_positions",
    "vote_counts",
    "vote_shares",
    "vote_value_log_likelihood",
    "voted_outcomes",
]

FLOOR = 1e-6


def group_mu_from_lf_mu(mu: np.ndarray, n_classes: int, n_lfs: int) -> np.ndarray:
    """Singleton-group outcome probabilities from ``μ[(j,a),y]``: abstain gets ``1 − Σ_a μ``."""
    k = n_classes
    cond = np.clip(mu.reshape(n_lfs, k, k), FLOOR, 1.0)
    absent = np.clip(1.0 - cond.sum(axis=1, keepdims=True), FLOOR, 1.0)
    return np.concatenate([absent, cond], axis=1).reshape(n_lfs * (k + 1), k)


def posterior(
    lam: sp.csr_matrix | VotedOutcomes, mu: np.ndarray, p: np.ndarray, log_mu: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """``P(Y | votes)`` and per-item ``log P(votes)``: ``log p_y + Σ_groups log μ[outcome, y]``, normalised.

    Computed in log space with the row maximum subtracted: a product of hundreds of probabilities
    underflows in linear space. ``lam``: the outcome indicator, or its :class:`VotedOutcomes` form. ``log_mu``:
    ``log(max(mu, FLOOR))`` where the caller has it (EM's step, which reads it for its prior too).
    """
    log_mu = np.log(np.maximum(mu, FLOOR)) if log_mu is None else log_mu
    log_p = np.log(np.maximum(p, FLOOR))
    if isinstance(lam, VotedOutcomes):
        log_joint = lam.log_joint(log_mu, log_p)
    else:
        log_joint = np.asarray(lam @ log_mu)
        columnwise(np.add, log_joint, log_p)
    return log_normalize(log_joint, overwrite=True)  # column-wise row max/sum: fast on items x classes


def _outcome_counts(lam_t: sp.csr_matrix | VotedOutcomes, post: np.ndarray, mass: np.ndarray) -> np.ndarray:
    return lam_t.counts(post, mass) if isinstance(lam_t, VotedOutcomes) else np.asarray(lam_t @ post)


def _mass(lam_t: sp.csr_matrix | VotedOutcomes, post: np.ndarray) -> np.ndarray:
    return lam_t.mass(post) if isinstance(lam_t, VotedOutcomes) else column_sums(post)


def em_m_step(
    lam_t: sp.csr_matrix | VotedOutcomes, post: np.ndarray, smoothing: float, n_outcomes: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """M-step: ``μ[outcome, y] ∝ Σ_i T[i, y] [item i has outcome] + smoothing``, and ``p = mean T``.

    ``lam_t``: the transposed outcome indicator, or its :class:`VotedOutcomes` form (with weights,
    each row of ``post`` counts ``weights[i]`` times)."""
    mass = _mass(lam_t, post)
    counts = _outcome_counts(lam_t, post, mass)
    mu = (counts + smoothing) / (mass[None, :] + smoothing * n_outcomes[:, None])
    return mu, mass / mass.sum()


def lf_mu_from_posterior(lf_lam_t: sp.csr_matrix, post: np.ndarray) -> np.ndarray:
    """Per-function ``μ[(j,a),y] = Σ_i T[i,y] λ_i[(j,a)] / Σ_i T[i,y]`` (the marginal of any group model)."""
    return np.asarray(lf_lam_t @ post) / np.maximum(column_sums(post), FLOOR)


def vote_counts(lam: sp.csr_matrix, n_lfs: int, n_classes: int) -> np.ndarray:
    """Per-item number of votes for each class, (n, K), from the (n, m·K) indicator."""
    fold = np.tile(np.eye(n_classes), (n_lfs, 1))  # dense: a sparse-times-dense product is the fast one
    return np.asarray(lam @ fold)


def vote_shares(lam: sp.csr_matrix, n_lfs: int, n_classes: int, counts: np.ndarray | None = None) -> np.ndarray:
    """Per-item share of votes for each class (uniform where nobody voted), from the (n, m·K)
    indicator (or from its :func:`vote_counts`, if given)."""
    if counts is None:  # the indicator's, once per indicator where the label model's fits share their steps
        key = ("vote_shares", n_lfs, n_classes)
        return reused_for(lam, key, lambda: _shares(vote_counts(lam, n_lfs, n_classes), n_classes))
    return _shares(counts, n_classes)


def _shares(counts: np.ndarray, n_classes: int) -> np.ndarray:
    """:func:`vote_shares` from the vote counts."""
    total = counts.sum(axis=1, keepdims=True)
    return np.where(total > 0, counts / np.maximum(total, 1), 1.0 / n_classes)


def pattern_sums(values: np.ndarray, patterns: np.ndarray, n_patterns: int) -> np.ndarray:
    """(n_patterns, K): per voting pattern and class, the sum of ``values``' (outcome columns x K) rows of
    that pattern, in column order (one weighted :func:`numpy.bincount` per class: on these few columns
    one bincount over (pattern, class) keys, the same sums, costs more to set up than it saves)."""
    k = values.shape[1]
    return np.stack([np.bincount(patterns, weights=values[:, y], minlength=n_patterns) for y in range(k)], axis=1)


def em_m_step_missing(
    lam_t: sp.csr_matrix | VotedOutcomes,
    post: np.ndarray,
    smoothing: float,
    patterns: np.ndarray,
    pattern_group: np.ndarray,
    prior: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """M-step when abstaining says nothing about the class (Dawid-Skene's missing answers).

    ``P(outcome | y) = P(pattern) · P(votes | pattern, y)``: which functions of a group vote is
    independent of the class (one probability per pattern), the votes given the pattern are not.
    ``prior`` (outcome columns x classes) replaces ``smoothing`` as the pseudo-counts of the votes
    given the pattern (a Dirichlet prior, MAP estimate); the pattern probabilities keep ``smoothing``.
    ``lam_t``: the transposed outcome indicator, or its :class:`VotedOutcomes` form (with weights,
    each row of ``post`` counts ``weights[i]`` times).
    """
    mass = _mass(lam_t, post)
    data = _outcome_counts(lam_t, post, mass)
    counts = data + smoothing
    votes = counts if prior is None else data + prior
    n_pat = len(pattern_group)

    def per_pattern(c: np.ndarray) -> np.ndarray:
        return pattern_sums(c, patterns, n_pat)

    # a pattern never seen with class y (possible with smoothing=0, e.g. the all-abstain pattern of
    # a worker who answered every item) leaves its votes' distribution undefined: take it uniform
    # (its probability is then 0 through ``share`` or the class's mass, so any choice has the same likelihood)
    total = per_pattern(votes)[patterns]
    outcomes = np.bincount(patterns, minlength=n_pat)[patterns].astype(np.float64)
    cond = np.divide(votes, total, out=np.repeat(1.0 / outcomes[:, None], votes.shape[1], axis=1), where=total > 0)
    pattern_total = per_pattern(counts).sum(axis=1)
    group_total = np.bincount(pattern_group, weights=pattern_total)
    share = pattern_total / np.maximum(group_total[pattern_group], FLOOR)
    return cond * share[patterns][:, None], mass / mass.sum()


def n_parameters(patterns: np.ndarray, pattern_group: np.ndarray, n_classes: int, informative: bool) -> int:
    """Free parameters of the group model (class balance excluded: the same in both)."""
    n_groups = int(pattern_group.max()) + 1
    if informative:
        return int((len(patterns) - n_groups) * n_classes)
    per_pattern = np.bincount(patterns, minlength=len(pattern_group))
    return int((len(pattern_group) - n_groups) + ((per_pattern - 1) * n_classes).sum())


def vote_value_log_likelihood(
    lam: sp.csr_matrix | VotedOutcomes,
    mu: np.ndarray,
    p: np.ndarray,
    pattern_of: np.ndarray,
    weights: np.ndarray,
    log_votes: np.ndarray | None = None,
) -> float:
    """``Σ_i w_i log P(votes_i | voting pattern_i)``: the log-likelihood of *what* the functions voted,
    given *which* of them voted.

    ``log P(votes) − log P(pattern)``, where ``P(pattern | y)`` sums the group model's outcome
    probabilities over the outcomes of each pattern (:func:`outcome_patterns`). The full
    likelihood also rewards a model for predicting who votes, which the label does not need to
    explain (crowd workers are assigned to items); this part scores only the votes' values.
    ``lam``: the outcome indicator, or its :class:`VotedOutcomes` form (then the pattern indicator
    is formed from the voted outcomes alone: a group's all-abstain outcome is its first pattern).
    ``log_votes``: each row's ``log P(votes)`` under ``mu`` and ``p``, if already computed (an EM
    run's last E-step).
    """
    n_patterns = int(pattern_of.max()) + 1
    fold = sp.csr_matrix(
        (np.ones(len(pattern_of)), (np.arange(len(pattern_of)), pattern_of)), shape=(len(pattern_of), n_patterns)
    )
    mu_floored = np.maximum(mu, FLOOR)
    if log_votes is None:
        _, log_votes = posterior(lam, mu_floored, p)
    by_pattern: sp.csr_matrix | VotedOutcomes
    if isinstance(lam, VotedOutcomes):
        baseline = np.empty(n_patterns, dtype=np.int64)
        baseline[pattern_of] = pattern_of[lam.baseline]
        # each row has at most one outcome per group and each group its own patterns: the pattern
        # indicator is the outcome indicator with every column renamed to its pattern
        voted = lam.lam
        renamed = sp.csr_matrix(
            (voted.data, pattern_of[voted.indices], voted.indptr), shape=(voted.shape[0], n_patterns)
        )
        by_pattern = VotedOutcomes(renamed, baseline, pattern_of[lam.starts])
    else:
        by_pattern = sp.csr_matrix(lam @ fold)
    _, log_pattern = posterior(by_pattern, np.asarray(fold.T @ mu_floored), p)
    return float(weights @ (log_votes - log_pattern))


def confusion_from_mu(mu: np.ndarray, m: int, k: int) -> np.ndarray:
    """``[j, y, a] = P(λ_j = a | Y = y, λ_j votes)`` from ``μ[(j,a),y]``, the total floored at
    :data:`FLOOR` (the agreement test's form: a row whose ``P(λ_j votes | y)`` is below it sums to
    less than 1); a model's ``confusion_`` is :func:`confusion_given_votes`."""
    cond = mu.reshape(m, k, k)
    return np.transpose(cond, (0, 2, 1)) / np.maximum(cond.sum(axis=1), FLOOR)[:, :, None]


def confusion_given_votes(mu: np.ndarray, m: int, k: int) -> np.ndarray:
    """``[j, y, a] = P(λ_j = a | Y = y, λ_j votes)`` from ``μ[(j,a),y]``: each row a distribution over
    the votes (sum 1) wherever ``P(λ_j votes | y) = Σ_a μ[(j,a),y] > 0``, however small, and NaN where
    it is 0 (the function never votes given ``y``: no distribution to give). Output only: the fit and
    the posterior read ``μ``."""
    cond = np.transpose(mu.reshape(m, k, k), (0, 2, 1))  # [j, y, a]
    total = cond.sum(axis=2, keepdims=True)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(total > 0, cond / np.where(total > 0, total, 1.0), np.nan)
