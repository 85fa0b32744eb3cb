"""A held-out check of the label model's kept fit against majority vote on the votes themselves.

Each group of functions (a function, or a clique of copies) is held out in turn; the items it
votes on are labelled from the other groups' votes only, once by the fitted model (its posterior
with the held-out group's factor left out) and once by majority vote; each labelling is scored by
how well it explains the held-out group's votes: the conditional log-likelihood of the group's
outcome given the label, its outcome-given-label table counted on the same items (the plug-in
``-H(outcome | label)``, nats per held-out vote). A fit whose latent class has become "which
rule fires" or has absorbed other classes predicts the functions' votes worse than majority
vote's labels do; a fit that corrects a noisy majority predicts them as well or better.

References
----------
.. [1] S. Geisser, "The predictive sample reuse method with applications", Journal of the
   American Statistical Association 70(350), 320-328, 1975 (held-out prediction of each
   observation from the others).
.. [2] A. P. Dawid and A. M. Skene, "Maximum Likelihood Estimation of Observer Error-Rates Using
   the EM Algorithm", Applied Statistics 28(1), 20-28, 1979.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np

from ..aggregate._guard import relabelled_classes
from ..errors import LabelwiseWarning
from ._em import EMRun, diagonal_pseudo_counts
from ._posterior import VotedOutcomes, _group_codes, em_m_step_missing, outcome_patterns, posterior, voted_outcomes

__all__ = ["ENABLED", "MIN_Z", "check_votes", "difference_z", "held_out_scores"]

#: The switch (registered off; on only if the registered rule of ``benchmarks/dev_weak_low_coverage_guard.py`` passes).
ENABLED = False
#: The z below which the fit explains the held-out votes worse than majority vote: three standard errors, not tuned.
MIN_Z = -3.0


def _tied_argmax(scores: np.ndarray) -> np.ndarray:
    """Rows of ``scores`` as hard labels, a tie split evenly over the tied classes."""
    top = scores >= scores.max(axis=1, keepdims=True) - 1e-9
    return top / top.sum(axis=1, keepdims=True)


def _explained(h: np.ndarray, outcome: np.ndarray, w: np.ndarray, size: int) -> np.ndarray:
    """Each row's ``Σ_y h[i, y] log(C[y, o_i] / C[y, ·])``, ``C = Σ_i w_i h[i, y] [o_i = o]`` (outcome given label)."""
    table = np.zeros((h.shape[1], size))
    np.add.at(table.T, outcome, w[:, None] * h)
    rows = table.sum(axis=1, keepdims=True)
    with np.errstate(divide="ignore"):
        log_table = np.log(np.where(table > 0, table, 1.0) / np.where(rows > 0, rows, 1.0))
    return (h * log_table.T[outcome]).sum(axis=1)


def held_out_scores(
    matrix: np.ndarray,
    w: np.ndarray,
    k: int,
    groups: Sequence[Sequence[int]],
    mu_g: np.ndarray,
    p: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The fit's and majority vote's held-out log-likelihood of each (row, voting group) pair, and its weight.

    Parameters
    ----------
    matrix : (rows, functions) vote codes 0..K-1, -1 = abstain; row ``i`` stands for ``w[i]`` items
    w : row weights
    k : number of classes
    groups : the fit's groups of functions (cliques)
    mu_g : the fit's outcome table (outcomes x classes), in :func:`._posterior.voted_outcomes`' layout
    p : the fit's class balance

    Returns
    -------
    the fit's and majority vote's score of each pair (nats; higher explains the held-out votes better), the pairs'
    weights: one pair per row and group that votes on it, where some other group votes too
    """
    voted_rows, _ = voted_outcomes(matrix, k, groups)
    codes, sizes = _group_codes(matrix, k, groups)
    offsets = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    outcomes = codes - offsets[None, :]  # 0: the group abstains
    votes = np.stack([(matrix == c).sum(axis=1) for c in range(k)], axis=1).astype(float)
    fit, mv, weight = [], [], []
    for g, members in enumerate(groups):
        others = (outcomes > 0).sum(axis=1) - (outcomes[:, g] > 0)
        rows = np.flatnonzero((outcomes[:, g] > 0) & (others > 0))
        if not len(rows):
            continue
        held = mu_g.copy()
        held[offsets[g] : offsets[g] + sizes[g]] = 1.0  # the group's factor left out
        post = posterior(voted_rows, held, p)[0][rows]
        own = np.stack([(matrix[rows][:, members] == c).sum(axis=1) for c in range(k)], axis=1)
        fit.append(_explained(_tied_argmax(post), outcomes[rows, g], w[rows], int(sizes[g])))
        mv.append(_explained(_tied_argmax(votes[rows] - own), outcomes[rows, g], w[rows], int(sizes[g])))
        weight.append(w[rows])
    if not weight:
        return np.zeros(0), np.zeros(0), np.zeros(0)
    return np.concatenate(fit), np.concatenate(mv), np.concatenate(weight)


def difference_z(fit: np.ndarray, mv: np.ndarray, weight: np.ndarray) -> tuple[float, float]:
    """The weighted mean of ``fit - mv`` per held-out vote and its z (the mean over its standard error)."""
    n = float(weight.sum())
    if n < 2:
        return 0.0, 0.0
    diff = fit - mv
    mean = float(weight @ diff) / n
    var = float(weight @ (diff - mean) ** 2) / (n - 1)
    return mean, mean / np.sqrt(var / n) if var > 0 else 0.0


def majority_run(run: EMRun, em: Any, rows: tuple[Any, np.ndarray, np.ndarray], groups: list[list[int]]) -> EMRun:
    """Majority vote's own model in ``run``'s place, as :func:`._missing_guard.guard_missing` builds it: one accuracy
    (the crowd's, from its agreements), errors uniform, voting independent of the class, a uniform class balance
    unless the fit's is fixed. Its labels are majority vote's."""
    lam_g, n_outcomes, vote = rows
    settings = em.keywords
    k, p_fixed = vote.shape[1], settings["p_fixed"]
    free = p_fixed is None or (isinstance(p_fixed, str) and p_fixed == "votes")
    p = np.full(k, 1.0 / k) if free else run.p
    pattern_of, pattern_group = outcome_patterns(groups, k)
    voted = lam_g if isinstance(lam_g, VotedOutcomes) else VotedOutcomes.build(lam_g, n_outcomes)
    fitted = em_m_step_missing(
        voted.weighted(settings["w"]), vote, float(settings["smoothing"]), pattern_of, pattern_group
    )[0]
    share = np.bincount(pattern_of, weights=fitted[:, 0], minlength=len(pattern_group))[pattern_of]
    cond = diagonal_pseudo_counts(groups, k, 0.0, settings["accuracy"], 1.0)
    cond[cond.sum(axis=1) == 0] = 1.0  # a group's all-abstain outcome, alone in its pattern
    mu = cond * share[:, None]
    post, log_votes = posterior(voted, mu, p)
    return run._replace(post=post, mu=mu, p=p, log_votes=log_votes, lure=None)


def check_votes(
    model: Any,
    em: Any,
    run: EMRun,
    rows: tuple[Any, np.ndarray, np.ndarray],
    groups: list[list[int]],
    matrix: np.ndarray,
    cov: np.ndarray,
) -> EMRun:
    """``run``, or majority vote's model where a missing-abstain fit that relabels a class explains the votes worse.

    Only where :data:`ENABLED`, the kept fit has missing abstains (Dawid-Skene's model [2]_) and
    :func:`~labelwise.aggregate._guard.relabelled_classes` reports a class against majority vote (the
    fit :func:`._missing_guard.guard_missing` lets pass outside mostly one-class votes): then each
    group's votes are predicted from the others' (:func:`held_out_scores`), and when the fit's
    held-out log-likelihood is below majority vote's by more than three standard errors
    (:data:`MIN_Z`) the fit is taken for an emptied or absorbed class, not a corrected one, and
    majority vote's model replaces it (:func:`majority_run`), with a
    :class:`~labelwise.errors.LabelwiseWarning`. ``rows``: the voted rows' outcome indicator, outcome
    counts and vote shares, as for ``guard_missing``; ``matrix[cov]``: those rows' votes (class codes).
    """
    if not ENABLED or model.abstains_ != "missing":
        return run
    w = em.keywords["w"]
    if not len(relabelled_classes(rows[2], run.post, w)):
        return run
    k = rows[2].shape[1]
    mean, z = difference_z(*held_out_scores(matrix[cov], w, k, groups, run.mu, run.p))
    if z >= MIN_Z:
        return run
    warnings.warn(
        LabelwiseWarning(
            f"{type(model).__name__}'s missing-abstain fit relabels classes against majority vote and predicts each "
            f"function's votes from the others' worse than majority vote does ({mean:+.3f} nats per vote, z = "
            f"{z:.1f} < {MIN_Z:g}); falling back to majority vote"
        ),
        stacklevel=4,
    )
    return majority_run(run, em, rows, groups)
