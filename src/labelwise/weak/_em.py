"""EM for the label model's group model, and the choice between the two abstain models."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..aggregate.dawid_skene import relabelled_classes
from ..aggregate.priors import diagonal_confusion_prior
from ._posterior import (
    FLOOR,
    VotedOutcomes,
    em_m_step,
    em_m_step_missing,
    n_parameters,
    outcome_patterns,
    posterior,
    vote_value_log_likelihood,
)
from ._squarem import squarem

__all__ = ["COMPARISON_TOL", "choose_abstain_model", "diagonal_pseudo_counts", "fit_abstain_models", "run_em"]

#: Stopping tolerance (mean log-likelihood gain per item over a SQUAREM cycle) of the
#: missing-abstain maximum-likelihood fit when it serves only the abstain-model choice and the
#: reported BIC (with a prior, the labels come from the informative fit or the MAP refit, never
#: from it); the looser of it and ``tol`` is used. Chosen on simulated dev sets
#: (``benchmarks/dev_weak_comparison_fit.py``): the same choices and labels on all of them.
COMPARISON_TOL = 1e-4


def run_em(
    lam_g: Any,
    n_outcomes: np.ndarray,
    post: np.ndarray,
    p: np.ndarray,
    patterns: tuple[np.ndarray, np.ndarray] | None,
    *,
    w: np.ndarray,
    fixed: bool,
    smoothing: float,
    n_iter: int,
    tol: float,
    prior: np.ndarray | None = None,
) -> tuple:
    """EM on the group model from a posterior: M-step first, accelerated by SQUAREM
    (:func:`~labelwise.weak._squarem.squarem`, at most ``n_iter`` EM steps).

    With ``patterns``, abstains are modelled as uninformative (see :func:`em_m_step_missing`),
    and ``prior`` (outcome columns x classes) gives that M-step's pseudo-counts.
    ``lam_g`` is the outcome indicator or its :class:`~labelwise.weak._posterior.VotedOutcomes`
    form (the products then run over the outcomes with a vote only; the same results).
    Row ``i`` of ``lam_g`` stands for ``w[i]`` items with the same votes: the M-step sums are
    weighted (through the weights of a weighted ``VotedOutcomes``, which must then be ``w``).
    ``fixed`` keeps the class balance ``p``.

    Returns
    -------
    post, group μ, p, mean log-likelihoods per item, and each row's ``log P(votes)`` at the
    returned parameters (the last E-step's; ``None`` when ``n_iter`` is 0)
    """
    # the products run over the outcomes with a vote (most of a sparse indicator is abstains)
    voted = lam_g if isinstance(lam_g, VotedOutcomes) else VotedOutcomes.build(lam_g, n_outcomes)
    if voted.weights is None:  # the M-step weights the rows through the indicator: no weighted copy of T
        voted = voted.weighted(w)
    total = float(w.sum())
    k = post.shape[1]

    def m_step(post: np.ndarray, p: np.ndarray) -> np.ndarray:
        if patterns is None:
            mu_g, p_new = em_m_step(voted, post, smoothing, n_outcomes)
        else:
            mu_g, p_new = em_m_step_missing(voted, post, smoothing, *patterns, prior=prior)
        if not fixed:
            p = np.maximum(p_new, FLOOR) / np.maximum(p_new, FLOOR).sum()
        return np.concatenate([mu_g.ravel(), p])

    def step(theta: np.ndarray) -> tuple[float, np.ndarray, tuple[np.ndarray, np.ndarray]]:
        mu_g, p = theta[:-k].reshape(-1, k), theta[-k:]
        post, log_z = posterior(voted, mu_g, p)
        return float(w @ log_z) / total, m_step(post, p), (post, log_z)

    if not n_iter:
        return post, None, p, [], None
    theta, (post, log_z), history = squarem(step, m_step(post, p), max_evals=n_iter, tol=tol, low=FLOOR)
    return post, theta[:-k].reshape(-1, k), theta[-k:], history, log_z


def choose_abstain_model(bic: dict[str, float], vote_ll: dict[str, float], relabels: set[str]) -> str:
    """``"informative"`` when it has the lower BIC *and* predicts the votes' values no worse (within
    ``1e-9`` relative, a tie when every function is unipolar), else ``"missing"``; the one fitted
    when only one was, and the other when only one relabels the classes against majority vote.
    The second condition stops a model whose class is spent on explaining *who* votes (crowd
    workers assigned in batches) at the expense of *what* they vote."""
    if len(bic) == 1:
        return next(iter(bic))
    if len(relabels) == 1:
        return next(iter(set(bic) - relabels))
    gain = vote_ll["informative"] - vote_ll["missing"]
    tie = 1e-9 * max(abs(vote_ll["missing"]), 1.0)
    return "informative" if bic["informative"] < bic["missing"] and gain >= -tie else "missing"


def diagonal_pseudo_counts(
    groups: list[list[int]], k: int, smoothing: float, accuracy: float | None, strength: float
) -> np.ndarray:
    """M-step pseudo-counts (outcome columns x classes) of a diagonal-favouring Dirichlet prior on
    each group's votes given the class.

    A single function's vote ``a`` given class ``y`` gets ``A[y, a]`` of
    :func:`~labelwise.aggregate.priors.diagonal_confusion_prior` (Kim and Ghahramani 2012; Paun et
    al. 2018, via that function): ``strength`` pseudo-votes per class from a function of the
    crowd's mean accuracy. A clique's joint votes given ``y`` (the votes of the members that vote,
    one pattern of :func:`~labelwise.weak._posterior.outcome_patterns`) get the same ``strength``
    pseudo-votes spread as the product of those members' prior vote distributions: the prior's
    mean is the conditionally independent model of the same functions, and the data move the
    clique away from it only as far as the joint votes say (without it the joint outcome, with
    up to K^|clique| cells per class, was the one part of the missing-abstain model left to
    maximum likelihood). Abstain outcomes, alone in their pattern, keep ``smoothing``.
    """
    a = diagonal_confusion_prior(k, strength=strength, accuracy=accuracy)  # [true y, given a]
    mean = a / max(strength, FLOOR)  # each row's prior vote distribution (sums to 1)
    base = k + 1
    sizes = [base ** len(g) for g in groups]
    out = np.full((int(sum(sizes)), k), smoothing)
    offset = 0
    for g, size in zip(groups, sizes, strict=True):
        codes = np.arange(size)
        joint = np.ones((size, k))
        for t in range(len(g)):
            digit = (codes // base**t) % base  # 0: member t abstains, else its vote + 1
            joint[digit > 0] *= mean.T[digit[digit > 0] - 1]
        voted = codes > 0
        out[offset + np.flatnonzero(voted)] = strength * joint[voted]
        offset += size
    return out


def fit_abstain_models(
    lam_g: Any,
    n_outcomes: np.ndarray,
    starts: list[np.ndarray],
    p: np.ndarray,
    p_fixed: Any,
    groups: list[list[int]],
    w: np.ndarray,
    accuracy: float | None,
    *,
    abstains: str,
    prior_strength: float,
    **em: Any,
) -> tuple[tuple, str, dict[str, float], dict[str, float]]:
    """EM with abstains informative and/or missing (``abstains``), and the choice between them.

    Informative abstains: EM from each start posterior, the run with the higher likelihood kept
    (the moment fit can mislead EM on crowd-like data, where who answers is assignment, not
    signal), among the runs whose labels are not a relabelling of majority vote's (the last
    start), as :func:`~labelwise.aggregate.dawid_skene.relabelled_classes` tells. Missing
    abstains: Dawid-Skene's model, fitted as Dawid and Skene do, from majority vote and with the
    class balance estimated (unless one is given: ``"uniform"`` or probabilities; the moment fit
    is a fit of the informative model). :func:`choose_abstain_model` then compares the
    maximum-likelihood fits; when it keeps missing abstains and ``prior_strength > 0``, the
    result is refitted as the MAP estimate under :func:`diagonal_pseudo_counts`, from majority
    vote. With ``prior_strength > 0`` the missing model's maximum-likelihood fit is therefore only
    compared, never returned, and stops at the looser of ``tol`` and :data:`COMPARISON_TOL`
    (EM's likelihood only grows, so the stopped fit's BIC is above the converged one's, by little
    once EM has slowed down; the dev sets' margins were much wider). ``em``: ``smoothing``, ``n_iter``, ``tol`` of
    :func:`run_em`.

    Returns
    -------
    (post, group μ, p, log-likelihoods, rows' log P(votes)) of the kept fit, the abstain model, BIC and
    vote-value log-likelihood per model fitted
    """
    k = starts[-1].shape[1]
    patterns = outcome_patterns(groups, k)
    n = max(float(w.sum()), 2.0)
    # built once for every EM run below, with the rows' weights (its weighted transpose is then reused)
    voted = (lam_g if isinstance(lam_g, VotedOutcomes) else VotedOutcomes.build(lam_g, n_outcomes)).weighted(w)

    def fit(
        start: np.ndarray, p: np.ndarray, pats: Any, *, fixed: bool, prior: np.ndarray | None = None, tol: float = 0.0
    ) -> tuple:
        settings = {**em, "tol": max(float(em["tol"]), tol)}
        return run_em(voted, n_outcomes, start, p, pats, w=w, fixed=fixed, prior=prior, **settings)

    # with a MAP refit to follow, the missing model's maximum-likelihood fit only feeds the choice
    # (and bic_): it stops at the looser COMPARISON_TOL
    comparison_only = prior_strength > 0

    fits, bic, relabels = {}, {}, set()
    for mode in ("informative", "missing") if abstains == "auto" else (abstains,):
        informative = mode == "informative"
        free = p_fixed is None or (not informative and isinstance(p_fixed, str) and p_fixed == "votes")
        pats = None if informative else patterns
        loose = 0.0 if informative or not comparison_only else COMPARISON_TOL
        runs = [fit(start, p, pats, fixed=not free, tol=loose) for start in (starts if informative else starts[-1:])]
        # a run that relabels classes against majority vote (a mirror optimum of weak functions,
        # often of the same likelihood) is kept only when every run does
        sound = [run for run in runs if not len(relabelled_classes(starts[-1], run[0], w))]
        fits[mode] = max(sound or runs, key=lambda run: run[3][-1] if run[3] else -np.inf)
        if not sound:
            relabels.add(mode)
        log_lik = float(n * fits[mode][3][-1]) if fits[mode][3] else -np.inf
        n_par = n_parameters(*patterns, k, informative) + (k - 1) * free
        bic[mode] = -2.0 * log_lik + n_par * float(np.log(n))
    # the votes' log-likelihood at each fit's parameters is its last E-step's (no E-step again)
    vote_ll = {
        mode: vote_value_log_likelihood(voted, run[1], run[2], patterns[0], w, log_votes=run[4])
        for mode, run in fits.items()
    }
    chosen = choose_abstain_model(bic, vote_ll, relabels)
    if chosen == "missing" and prior_strength > 0:
        prior = diagonal_pseudo_counts(groups, k, float(em["smoothing"]), accuracy, prior_strength)
        free = p_fixed is None or (isinstance(p_fixed, str) and p_fixed == "votes")
        fits[chosen] = fit(starts[-1], p, patterns, fixed=not free, prior=prior)
    return fits[chosen], chosen, bic, vote_ll
