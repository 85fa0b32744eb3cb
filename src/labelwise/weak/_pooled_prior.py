"""A pooled-weight prior on the label model's group tables: shrinkage toward majority vote's equal-weight model.

Where the label model keeps informative abstains on mostly one-class votes (the balance's anchor in force,
:mod:`._one_class_balance`), the likelihood can prefer a point below majority vote (MV) even with the true cliques
(``benchmarks/RESULTS.md``, session 55, trig55: EM from the gold-counted parameters climbs to the default's point).
This step refits the kept run as the MAP estimate under a hierarchical Dirichlet prior on each group's outcome
distribution given the class,

    μ_g(· | y) ~ Dirichlet(S m_g(· | y)),    m_g(o | y) = q_g(o) exp(θ v_y(o)) / Z_g(y),

``q_g`` the group's outcome shares over the voted items (class-free), ``v_y(o)`` the number of votes for ``y`` in
outcome ``o`` and ``Z_g(y)`` the normaliser. Under the prior mean every vote for a class multiplies its odds by the
same ``exp(θ)`` whatever the function: MV's equal-weight model (up to a class constant). The shared weight ``θ`` and
the strength ``S`` are not tuned: they are the type-II maximum-likelihood estimates (the Dirichlet-multinomial
evidence of the groups' posterior outcome counts, Minka 2000) at the kept run's posterior, so the prior is as
strong as the spread of the groups around one pooled weight allows: where the groups' tables agree with a pooled
weight the prior is strong, where the data say they differ it is weak. The MAP fit is then EM from the kept run's
posterior with the pseudo-counts ``S m + smoothing`` (the M-step's mode), the balance under the anchor in force.

Off unless :data:`ENABLED` (default: main's behaviour).

References
----------
S. Paun, B. Carpenter, J. Chamberlain, D. Hovy, U. Kruschwitz and M. Poesio, "Comparing Bayesian models of
annotation", TACL 6, 2018 (hierarchical priors pooling annotators' parameters).
T. Minka, "Estimating a Dirichlet distribution", technical report, 2000 (the Dirichlet-multinomial evidence).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ._em import EMRun
from ._one_class_balance import ANCHOR, anchored_balance, balance_log_prior
from ._posterior import FLOOR, _mass, _outcome_counts, posterior, voted_outcomes
from ._squarem import squarem

__all__ = ["ENABLED", "pooled_run", "prior_mean", "type2_estimate", "outcome_features"]

#: Off: the label model's fit as before this module.
ENABLED = False

#: Rounds of the empirical-Bayes loop (hyperparameters at the posterior, then the MAP fit).
ROUNDS = 1


def outcome_features(groups: list[list[int]], k: int) -> np.ndarray:
    """(outcome columns, K, 1): per outcome column (:func:`~._outcomes.group_indicator` order) and class ``y``, the
    votes for ``y`` it holds (member ``t``'s digit in base ``K + 1`` is its vote plus one, 0 an abstain). (A shared
    abstain weight for one-class functions would add nothing: for a one-class function only the difference of its
    vote's and its abstain's weights is identified, and the strength estimated was the same to 3 digits.)"""
    base = k + 1
    out = []
    for g in groups:
        codes = np.arange(base ** len(g))
        count = np.zeros((len(codes), k, 1))
        for t in range(len(g)):
            digit = (codes // base**t) % base
            voted = digit > 0
            count[np.flatnonzero(voted), digit[voted] - 1, 0] += 1.0
        out.append(count)
    return np.concatenate(out, axis=0)


def prior_mean(shares: np.ndarray, features: np.ndarray, starts: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """(outcome columns, K): ``m_g(o | y) ∝ q_g(o) exp(Σ_f weights_f features[o, y, f])``, normalised within each
    group and class (``starts``: each group's first column; ``shares``: ``q_g``, each group's summing to 1)."""
    score = features @ np.asarray(weights, dtype=np.float64)
    tilt = shares[:, None] * np.exp(score - score.max())
    z = np.add.reduceat(tilt, starts, axis=0)
    sizes = np.diff(np.append(starts, len(shares)))
    return tilt / np.maximum(np.repeat(z, sizes, axis=0), 1e-300)


def _evidence(counts: np.ndarray, mean: np.ndarray, strength: float, starts: np.ndarray) -> float:
    """The Dirichlet-multinomial log evidence of the groups' outcome ``counts`` (columns x K) under
    ``Dirichlet(strength · mean)`` per group and class, up to terms free of the prior."""
    from scipy.special import gammaln

    alpha = strength * mean
    live = alpha > 0
    cells = np.where(live, gammaln(np.where(live, alpha + counts, 1.0)) - gammaln(np.where(live, alpha, 1.0)), 0.0)
    per_group = np.add.reduceat(cells, starts, axis=0)  # (groups, K)
    n = np.add.reduceat(counts, starts, axis=0)
    return float((per_group + gammaln(strength) - gammaln(strength + n)).sum())


def type2_estimate(counts: np.ndarray, features: np.ndarray, starts: np.ndarray) -> tuple[np.ndarray, float]:
    """``(weights, S)`` maximising :func:`_evidence` at the posterior outcome ``counts`` (type-II maximum likelihood)."""
    from scipy.optimize import minimize

    shares = _group_shares(counts, starts)

    n_f = features.shape[2]

    def loss(x: np.ndarray) -> float:
        return -_evidence(counts, prior_mean(shares, features, starts, x[:-1]), float(np.exp(x[-1])), starts)

    bounds = [(-12.0, 12.0)] * n_f + [(-4.0, 16.0)]
    best = min(
        (minimize(loss, np.array([t0] + [0.0] * (n_f - 1) + [s0]), method="L-BFGS-B", bounds=bounds)
         for t0 in (1.0, 3.0) for s0 in (2.0, 6.0)),
        key=lambda r: r.fun,
    )  # fmt: skip
    return best.x[:-1], float(np.exp(best.x[-1]))


def _group_shares(counts: np.ndarray, starts: np.ndarray) -> np.ndarray:
    """``q_g``: each outcome column's share of its group's posterior counts (class-free)."""
    sizes = np.diff(np.append(starts, counts.shape[0]))
    marginal = counts.sum(axis=1)
    return marginal / np.maximum(np.repeat(np.add.reduceat(marginal, starts), sizes), FLOOR)


def _map_em(voted: Any, w: np.ndarray, alpha: np.ndarray, starts: np.ndarray, run: EMRun, anchor: Any, s: Any) -> Any:
    """SQUAREM-accelerated MAP-EM from ``run``'s posterior under the pseudo-counts ``alpha`` (columns x K), the
    balance under ``anchor``; ``s``: the label model's EM settings (``n_iter``, ``tol``)."""
    k, total = alpha.shape[1], float(w.sum())
    sizes = np.diff(np.append(starts, alpha.shape[0]))
    denominator = np.repeat(np.add.reduceat(alpha, starts, axis=0), sizes, axis=0)

    def m_step(post: np.ndarray, p: np.ndarray) -> np.ndarray:
        mass = _mass(voted, post)
        mu = (_outcome_counts(voted, post, mass) + alpha) / (mass[None, :] + denominator)
        return np.concatenate([mu.ravel(), anchored_balance(mass / mass.sum(), total, anchor)])

    def step(th: np.ndarray) -> tuple[float, np.ndarray, tuple[np.ndarray, np.ndarray]]:
        mu, p = th[:-k].reshape(-1, k), th[-k:]
        log_mu = np.log(np.maximum(mu, FLOOR))
        post, log_z = posterior(voted, mu, p, log_mu)
        objective = (float(w @ log_z) + float((alpha * log_mu).sum()) + balance_log_prior(p, anchor)) / total
        return objective, m_step(post, p), (post, log_z)

    return squarem(
        step, m_step(run.post, run.p), max_evals=int(s["n_iter"]), tol=float(s["tol"]), low=FLOOR,
        track=lambda e: float(w @ e[1]) / total,
    )  # fmt: skip


def pooled_run(model: Any, em: Any, run: EMRun, data: Any, groups: list[list[int]], k: int) -> EMRun:
    """``run``, or its MAP refit under the pooled-weight prior (module docstring) where :data:`ENABLED`, the kept
    fit has informative abstains, no lured-item model, and the balance's anchor is in force. ``em``: the label
    model's ``fit_abstain_models`` partial (``w``, ``smoothing``, ``n_iter``, ``tol`` are read); ``data``: what EM
    ran on (:class:`~._fit_tail.EMData`: its vote rows ``matrix`` and the rows with a vote ``cov``, which ``run``
    was fitted on)."""
    anchor = ANCHOR.get()
    if not ENABLED or anchor is None or model.abstains_ != "informative" or run.lure is not None:
        return run
    s = em.keywords
    w = np.asarray(s["w"], dtype=np.float64)
    smoothing = float(s["smoothing"])
    matrix = np.asarray(data.matrix)[data.cov]
    voted = voted_outcomes(matrix, k, groups)[0].weighted(w)
    starts = np.asarray(voted.starts, dtype=np.int64)
    features = outcome_features(groups, k)
    fitted, post = None, run.post
    for _ in range(ROUNDS):  # empirical Bayes: the hyperparameters at the posterior, then the MAP fit under them
        counts = _outcome_counts(voted, post, _mass(voted, post))
        weights, strength = type2_estimate(counts, features, starts)
        alpha = strength * prior_mean(_group_shares(counts, starts), features, starts, weights) + smoothing
        fitted = _map_em(voted, w, alpha, starts, run, anchor, s)
        post = fitted.extra[0]
    assert fitted is not None
    post, log_z = fitted.extra
    mu_g, p = fitted.theta[:-k].reshape(-1, k), fitted.theta[-k:]
    return run._replace(
        post=post, mu=mu_g, p=p, history=fitted.tracked, log_votes=log_z, objective=fitted.history,
        n_evals=run.n_evals + fitted.n_evals, converged=fitted.converged,
    )  # fmt: skip
