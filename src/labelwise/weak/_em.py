"""EM for the label model's group model, and the choice between the two abstain models."""

from __future__ import annotations

from functools import partial
from typing import Any, NamedTuple

import numpy as np

from .._caller import warn_at_caller
from ..aggregate._guard import relabelled_given, strict_classes
from ..aggregate.priors import diagonal_confusion_prior
from ..errors import LabelwiseWarning
from . import _map_keep
from ._iwmv_start import keep_iwmv_start
from ._lure import lure_applies, refit_lured
from ._one_class_balance import ANCHOR, anchored_balance, balance_log_prior
from ._posterior import (
    FLOOR,
    VotedOutcomes,
    em_m_step,
    em_m_step_missing,
    lf_mu_from_posterior,
    n_parameters,
    outcome_patterns,
    pattern_sums,
    posterior,
    vote_value_log_likelihood,
)
from ._shared_steps import deferred, reused_for
from ._spectral import keep_higher_map
from ._squarem import squarem

__all__ = [
    "COMPARISON_TOL",
    "EMRun",
    "choose_abstain_model",
    "diagonal_pseudo_counts",
    "em_outputs",
    "fit_abstain_models",
    "log_prior",
    "record_convergence",
    "run_em",
    "second_starts",
]

#: missalg54's candidate (session 54, ``benchmarks/dev_weak_missing_speed.py``), adopted by its rule; False: the
#: behaviour before it. True: on the missing-abstain path the first MAP fit stops at :data:`COMPARISON_TOL`
#: (``EMRun.loose``) and is taken on to ``tol`` only where no refit replaces it
#: (:func:`labelwise.weak._fit_check.guard_missing`), the check is told the model's cliques, and the refit's two
#: starts run short, the better one on (:func:`._fit_check.refit_best`).
LEAN_MISSING = True

#: Stopping tolerance (mean objective gain per item over a SQUAREM cycle) of the
#: missing-abstain maximum-likelihood fit when it serves only the abstain-model choice and the
#: reported BIC (with a prior, the labels come from the informative fit or the MAP refit, never
#: from it); the looser of it and ``tol`` is used. Chosen on simulated dev sets
#: (``benchmarks/dev_weak_comparison_fit.py``): the same choices and labels on all of them.
COMPARISON_TOL = 1e-4


class EMRun(NamedTuple):
    """One EM run of :func:`run_em`.

    ``post``: the posterior of the last E-step; ``mu`` (group μ) and ``p``: the parameters it was
    computed at; ``history``: the mean log-likelihood per item of the votes at the start and after
    each SQUAREM cycle; ``log_votes``: each row's ``log P(votes)`` at ``mu`` and ``p``;
    ``objective``: the objective EM raises (:func:`log_prior` added to ``history``'s
    log-likelihood, per item) at the same points, which never decreases; ``n_evals``: EM steps
    taken; ``converged``: whether a cycle raised the objective by less than ``tol`` within the
    budget. With ``n_iter`` 0, ``mu`` is empty (no rows), ``log_votes`` None and the lists empty.
    """

    post: np.ndarray
    mu: np.ndarray
    p: np.ndarray
    history: list[float]
    log_votes: np.ndarray | None
    objective: list[float]
    n_evals: int
    converged: bool
    lure: np.ndarray | None = None  # the lured-item model's parameters when it replaced the fit (``_lure``)
    spectral: str | None = None  # the MAP fit's spectral start (``_spectral.keep_higher_map``), else None
    iwmv: str | None = None  # the MAP fit's IWMV start (``_iwmv_start.keep_iwmv_start``), else None
    loose: bool = False  # stopped at COMPARISON_TOL, to be taken on to ``tol`` if kept (LEAN_MISSING)


def log_prior(
    mu_g: np.ndarray,
    smoothing: float,
    patterns: tuple[np.ndarray, np.ndarray] | None,
    prior: np.ndarray | None = None,
    log_mu: np.ndarray | None = None,
) -> float:
    """The log density, up to a constant, of the Dirichlet prior whose mode the M-step returns (``log_mu``:
    ``log(max(mu_g, FLOOR))`` where the caller has it).

    Informative abstains (:func:`~labelwise.weak._posterior.em_m_step`): each group's outcome
    distribution given a class has a Dirichlet prior of ``smoothing`` pseudo-counts per outcome,
    ``Σ smoothing · log μ``. Missing abstains (``patterns``,
    :func:`~labelwise.weak._posterior.em_m_step_missing`): ``μ[o, y] = share[π(o)] · cond[o, y]``,
    the pattern shares with ``smoothing`` per outcome and class (``Σ smoothing · log share``) and
    the votes given the pattern with ``prior`` (or ``smoothing``): ``Σ prior · log cond``. The
    class balance has none (it is maximum likelihood or fixed). With ``smoothing=0`` and no
    ``prior`` it is 0: EM is then maximum likelihood. At an M-step's output, this plus the
    log-likelihood is the log posterior that MAP-EM raises (Dempster, Laird and Rubin 1977, §3).
    """
    log_mu = np.log(np.maximum(mu_g, FLOOR)) if log_mu is None else log_mu
    if patterns is None:
        return float(smoothing * log_mu.sum()) if smoothing else 0.0
    pattern_of, pattern_group = patterns
    share = pattern_sums(mu_g, pattern_of, len(pattern_group))[pattern_of]
    log_share = np.log(np.maximum(share, FLOOR))
    log_cond = log_mu - log_share
    votes = smoothing if prior is None else prior
    return float(smoothing * log_share.sum() + (votes * log_cond).sum())


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
) -> EMRun:
    """EM on the group model from a posterior: M-step first, accelerated by SQUAREM
    (:func:`~labelwise.weak._squarem.squarem`, at most ``n_iter`` EM steps), stopped when a cycle
    raises the objective EM maximises (mean log-likelihood plus :func:`log_prior` per item: the
    log posterior of a MAP fit) by less than ``tol``.

    With ``patterns``, abstains are modelled as uninformative (see :func:`em_m_step_missing`),
    and ``prior`` (outcome columns x classes) gives that M-step's pseudo-counts.
    ``lam_g`` is the outcome indicator or its :class:`~labelwise.weak._posterior.VotedOutcomes`
    form (the products then run over the outcomes with a vote only; the same results).
    Row ``i`` of ``lam_g`` stands for ``w[i]`` items with the same votes: the M-step sums are
    weighted (through the weights of a weighted ``VotedOutcomes``, which must then be ``w``).
    ``fixed`` keeps the class balance ``p``.
    """
    # the products run over the outcomes with a vote (most of a sparse indicator is abstains)
    voted = lam_g if isinstance(lam_g, VotedOutcomes) else VotedOutcomes.build(lam_g, n_outcomes)
    if voted.weights is None:  # the M-step weights the rows through the indicator: no weighted copy of T
        voted = voted.weighted(w)
    total = float(w.sum())
    k = post.shape[1]
    anchor = ANCHOR.get()  # mostly one-class votes: the balance's MAP under a prior on the vote shares

    def m_step(post: np.ndarray, p: np.ndarray) -> np.ndarray:
        if patterns is None:
            mu_g, p_new = em_m_step(voted, post, smoothing, n_outcomes)
        else:
            mu_g, p_new = em_m_step_missing(voted, post, smoothing, *patterns, prior=prior)
        if anchor is not None:
            p = anchored_balance(p_new, total, anchor)
        elif not fixed:
            p = np.maximum(p_new, FLOOR) / np.maximum(p_new, FLOOR).sum()
        return np.concatenate([mu_g.ravel(), p])

    def step(theta: np.ndarray) -> tuple[float, np.ndarray, tuple[np.ndarray, np.ndarray]]:
        mu_g, p = theta[:-k].reshape(-1, k), theta[-k:]
        log_mu = np.log(np.maximum(mu_g, FLOOR))  # read by the E-step and the prior
        post, log_z = posterior(voted, mu_g, p, log_mu)
        objective = (
            float(w @ log_z) + log_prior(mu_g, smoothing, patterns, prior, log_mu) + balance_log_prior(p, anchor)
        ) / total
        return objective, m_step(post, p), (post, log_z)

    if not n_iter:
        return EMRun(post, np.empty((0, k)), p, [], None, [], 0, False)
    run = squarem(step, m_step(post, p), max_evals=n_iter, tol=tol, low=FLOOR, track=lambda e: float(w @ e[1]) / total)
    post, log_z = run.extra
    theta = run.theta
    return EMRun(
        post, theta[:-k].reshape(-1, k), theta[-k:], run.tracked, log_z, run.history, run.n_evals, run.converged
    )


def em_outputs(
    run: EMRun, lam_c: Any, weights: np.ndarray, lam_g: Any, cov: np.ndarray, every: bool
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The label model's ``μ``, class balance and posterior of every vote row from its kept EM ``run`` on the rows
    ``cov`` (``lam_c``: their one-hot vote indicator, ``weights``: their items): ``μ`` per function from the run's
    posterior, and every row's posterior from ``lam_g`` (every row's group outcomes; the run's own where ``every``
    row is covered, and the lured-item model's on the covered rows)."""
    mu = lf_mu_from_posterior(lam_c.T.tocsr(), run.post * weights[:, None])
    post = run.post if every else posterior(lam_g, run.mu, run.p)[0]  # every row: the run's last E-step
    if run.lure is not None and not every:
        post[cov] = run.post  # the lured-item model's posterior of the rows with a vote
    return mu, run.p, post


def record_convergence(model: Any, run: EMRun | None, n_iter: int, tol: float) -> None:
    """Set ``model``'s ``em_converged_``, ``n_em_evals_`` and ``em_objective_history_`` from the
    kept ``run`` (None: no EM, converged in 0 steps); a :class:`~labelwise.errors.LabelwiseWarning`
    when the run stopped at its budget of ``n_iter`` EM steps."""
    if run is None:
        model.em_converged_, model.n_em_evals_, model.em_objective_history_ = True, 0, []
        model.spectral_start_ = model.iwmv_start_ = "not run: no EM"
        return
    model.spectral_start_ = run.spectral or "not run: no Dawid-Skene MAP fit"
    model.iwmv_start_ = run.iwmv or "not run: no Dawid-Skene MAP fit"
    model.em_converged_, model.n_em_evals_, model.em_objective_history_ = run.converged, run.n_evals, run.objective
    if run.converged:
        return
    gain = run.objective[-1] - run.objective[-2] if len(run.objective) > 1 else float("nan")
    warn_at_caller(
        LabelwiseWarning(
            f"{type(model).__name__}'s EM did not converge in n_em_iter={n_iter} EM steps (last objective gain "
            f"per item {gain:.3g} >= tol={tol}); raise n_em_iter"
        )
    )


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
    starts = np.cumsum([0, *sizes], dtype=np.int64)[:-1]  # each group's first outcome column
    single = np.flatnonzero(np.asarray([len(g) == 1 for g in groups], dtype=bool))
    # a single function's outcome 1 + a given y gets strength · mean[y, a]: all of them in one assignment
    out[(starts[single, None] + np.arange(1, base)[None, :]).ravel()] = np.tile(strength * mean.T, (len(single), 1))
    for g, size, offset in zip(groups, sizes, starts.tolist(), strict=True):
        if len(g) == 1:
            continue
        codes = np.arange(size)
        joint = np.ones((size, k))
        for t in range(len(g)):
            digit = (codes // base**t) % base  # 0: member t abstains, else its vote + 1
            joint[digit > 0] *= mean.T[digit[digit > 0] - 1]
        voted = codes > 0
        out[offset + np.flatnonzero(voted)] = strength * joint[voted]
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
    lured_items: bool = False,
    spectral_start: bool | str = False,
    iwmv_start: bool = False,
    compare: bool = True,
    **em: Any,
) -> tuple[EMRun, str, dict[str, float], dict[str, float]]:
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
    :func:`run_em`. The MAP refit, its further starts (``iwmv_start``, ``spectral_start``) and lured-item
    refinement (``lured_items``): :func:`_missing_map`. ``compare=False`` (a caller that reads the run alone:
    :func:`~._fit_check.refit_best`): with ``abstains="missing"`` and ``prior_strength > 0`` the
    maximum-likelihood fit, which would only feed the BIC and vote-value log-likelihood, is skipped and both come
    back empty; the run is the same.

    Returns
    -------
    the kept fit's :class:`EMRun`, the abstain model, BIC and vote-value log-likelihood per model fitted
    """
    k = starts[-1].shape[1]
    patterns = outcome_patterns(groups, k)
    n = max(float(w.sum()), 2.0)
    # built once for every EM run below, with the rows' weights (its weighted transpose is then reused)
    voted = (lam_g if isinstance(lam_g, VotedOutcomes) else VotedOutcomes.build(lam_g, n_outcomes)).weighted(w)

    def fit(
        start: np.ndarray, p: np.ndarray, pats: Any, *, fixed: bool, prior: np.ndarray | None = None, tol: float = 0.0
    ) -> EMRun:
        settings = {**em, "tol": max(float(em["tol"]), tol)}
        return run_em(voted, n_outcomes, start, p, pats, w=w, fixed=fixed, prior=prior, **settings)

    # with a MAP refit to follow, the missing model's maximum-likelihood fit only feeds the choice
    # (and bic_): it stops at the looser COMPARISON_TOL
    comparison_only = prior_strength > 0
    options = (spectral_start, iwmv_start, lured_items)
    rows = (voted, w, k, groups, starts[-1])
    map_fit = partial(
        _missing_map, partial(fit, p=p, pats=patterns), rows, p_fixed, accuracy, prior_strength, options, em
    )
    if not compare and abstains == "missing" and comparison_only:  # its maximum-likelihood fit would feed bic alone
        return map_fit(), "missing", {}, {}

    reference = reused_for(starts[-1], "strict_classes", lambda: strict_classes(starts[-1]))  # majority vote's, once
    fits, bic, relabels = {}, {}, set()
    for mode in ("informative", "missing") if abstains == "auto" else (abstains,):
        informative = mode == "informative"
        free = p_fixed is None or (not informative and isinstance(p_fixed, str) and p_fixed == "votes")
        pats = None if informative else patterns
        loose = 0.0 if informative or not comparison_only else COMPARISON_TOL
        runs = [fit(start, p, pats, fixed=not free, tol=loose) for start in (starts if informative else starts[-1:])]
        # a run that relabels classes against majority vote (a mirror optimum of weak functions,
        # often of the same likelihood) is kept only when every run does
        sound = [run for run in runs if not len(relabelled_given(reference, run.post, w))]
        fits[mode] = max(sound or runs, key=lambda run: run.history[-1] if run.history else -np.inf)
        if not sound:
            relabels.add(mode)
        log_lik = float(n * fits[mode].history[-1]) if fits[mode].history else -np.inf
        n_par = n_parameters(*patterns, k, informative) + (k - 1) * free
        bic[mode] = -2.0 * log_lik + n_par * float(np.log(n))
    # with one abstain model its vote-value log-likelihood is only reported: made only if this fit is kept
    values = partial(_vote_values, voted, dict(fits), patterns[0], w)
    vote_ll = values() if len(fits) > 1 else deferred(values)
    chosen = choose_abstain_model(bic, vote_ll, relabels)
    if chosen == "missing" and comparison_only:
        fits[chosen] = _first_map(map_fit)
    return fits[chosen], chosen, bic, vote_ll


def lean_applies(k: int) -> bool:
    """Whether :data:`LEAN_MISSING`'s loose runs apply to a fit of ``k`` classes: at K = 2 only, as at K >= 3
    :mod:`._map_keep` may refit a run with its class balance held (lowmap54), which a free continuation would undo."""
    return LEAN_MISSING and k < 3


def _first_map(map_fit: partial) -> EMRun:
    """The first MAP fit of :func:`fit_abstain_models` (``map_fit``: :func:`_missing_map` with its arguments); where
    :func:`lean_applies`, unless the lured-item refinement reads its end, stopped at the looser of ``tol`` and
    :data:`COMPARISON_TOL` (its further starts too, compared there) and marked ``loose`` when that is looser."""
    fit, rows, p_fixed, accuracy, prior_strength, options, em = map_fit.args
    if not lean_applies(rows[2]) or (options[2] and lure_applies(*rows[:4])):
        return map_fit()
    loose = max(float(em["tol"]), COMPARISON_TOL)
    run = _missing_map(partial(fit, tol=loose), rows, p_fixed, accuracy, prior_strength, options, {**em, "tol": loose})
    return run._replace(loose=loose > float(em["tol"]))


def _missing_map(
    fit: Any,
    rows: tuple[VotedOutcomes, np.ndarray, int, list[list[int]], np.ndarray],
    p_fixed: Any,
    accuracy: float | None,
    prior_strength: float,
    options: tuple[bool | str, bool, bool],
    em: dict[str, Any],
) -> EMRun:
    """The missing-abstain MAP fit of :func:`fit_abstain_models`: EM (``fit``: its ``run_em`` with the missing
    model's patterns) under :func:`diagonal_pseudo_counts` from majority vote. :func:`second_starts` runs it also
    from IWMV's labels (``iwmv_start``, :mod:`._iwmv_start`) and from Zhang et al.'s spectral estimate or Ibrahim
    et al.'s MultiSPA (``spectral_start``), keeping the fit of higher MAP objective; with ``lured_items`` that fit
    is refined by the lured-item mixture (:mod:`._lure`) where :func:`~._lure.lure_applies` (single labelers, at
    least 3 classes, 10 votes per item on average). Before that, :func:`._map_keep.keep_classes` may refit it with
    the class balance of the maximum-likelihood fit where it relabels a class that fit keeps. ``rows``: the fit's
    ``VotedOutcomes``, row weights, K, groups and majority vote's shares; ``options``: ``spectral_start``,
    ``iwmv_start``, ``lured_items``."""
    voted, w, k, groups, vote = rows
    spectral_start, iwmv_start, lured_items = options
    prior = diagonal_pseudo_counts(groups, k, float(em["smoothing"]), accuracy, prior_strength)
    free = p_fixed is None or (isinstance(p_fixed, str) and p_fixed == "votes")
    refit = partial(fit, fixed=not free, prior=prior)
    run = second_starts(refit(vote), refit, rows, float(em["tol"]), iwmv_start, spectral_start)
    run = _map_keep.keep_classes(run, fit, rows, free, prior, max(float(em["tol"]), COMPARISON_TOL))
    if lured_items and lure_applies(voted, w, k, groups):  # the MAP fit's lured-item refinement
        run = refit_lured(voted, run, groups, k, prior, free=free, **em)
    return run


def _vote_values(voted: VotedOutcomes, fits: dict[str, EMRun], pattern_of: np.ndarray, w: np.ndarray) -> dict:
    """Each fitted abstain model's :func:`~._posterior.vote_value_log_likelihood` at its parameters, from its last
    E-step (no E-step again)."""
    return {
        mode: vote_value_log_likelihood(voted, run.mu, run.p, pattern_of, w, log_votes=run.log_votes)
        for mode, run in fits.items()
    }


def second_starts(
    run: EMRun,
    refit: Any,
    rows: tuple[VotedOutcomes, np.ndarray, int, list[list[int]], np.ndarray],
    tol: float,
    iwmv_start: bool,
    spectral_start: bool | str,
) -> EMRun:
    """The MAP fit ``run`` (from majority vote), or the same fit from IWMV's labels (``iwmv_start``,
    :func:`._iwmv_start.keep_iwmv_start`), then from the spectral estimate (``spectral_start``,
    :func:`._spectral.keep_higher_map`), whichever has the higher MAP objective. ``rows``: the fit's
    ``VotedOutcomes``, row weights, K, groups and majority vote's shares."""
    if iwmv_start:
        run = keep_iwmv_start(run, *rows, refit, tol)
    else:
        run = run._replace(iwmv="not run: iwmv_start=False")
    if spectral_start:
        return keep_higher_map(run, *rows, refit, tol, spectral_start)
    return run._replace(spectral="not run: spectral_start=False")
