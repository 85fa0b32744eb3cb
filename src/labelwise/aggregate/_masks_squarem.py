"""SQUAREM for STAPLE's EM (Varadhan & Roland, 2008), stopping on the EM residual.

STAPLE's EM converges linearly, and slowly when much information is missing: with two careful
annotators and a spammer, the pixels the two careful ones disagree on are nearly a coin toss, the
likelihood is flat along the line that trades one's sensitivity for the other's, and EM's rate
there is close to 1 (benchmarks/RESULTS.md, "Crowd masks, session 31 (masks31b)", has the
cases). SQUAREM takes two EM steps
``t1 = F(t0)``, ``t2 = F(t1)``, forms ``r = t1 - t0``, ``v = t2 - 2 t1 + t0`` and jumps to
``t0 + 2 a r + a^2 v`` with ``a = max(1, |r| / |v|)`` (their scheme S3), clipped to [0, 1]. Once
a jump overshoots, ``a`` is capped at a quarter of the steplength that overshot, the cap growing
fourfold after each kept cycle that used it: a flat ridge makes ``|v|`` tiny, and an uncapped jump
lands far off, on the boundary, where EM cannot leave a sensitivity of 1, every cycle; while a
maximum *on* the boundary (a sensitivity of 1, which EM only creeps to) is reached by the
uncapped clipped jump. One EM step from the (clipped) jump maps it
back onto valid parameters, and if that point's likelihood is below ``t1``'s the cycle keeps the
plain ``t2``: the likelihood (which STAPLE's EM, with its prior held fixed, maximises) never
decreases by more than rounding (a relative 1e-12: on a ridge where the likelihood is flat to 13
digits, a strict comparison let rounding refuse every jump, leaving plain EM). The fixed points are EM's own: the run stops when one EM step from the accepted point
moves no parameter by more than ``tol`` (the plain-EM rule, applied to the point kept).

This is a local copy of the scheme of ``labelwise.weak._squarem`` (aggregate does not import weak),
with the residual stop rule and the EM-step count returned.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

__all__ = ["squarem"]

#: Relative change of the log-likelihood below which two values are equal (summation rounding).
_ROUNDING = 1e-12

#: The largest steplength: none at first; after a cycle that overshot, the steplength it used divided
#: by this; multiplied by this after a kept cycle that used it (after Varadhan & Roland's
#: ``step.max``/``mstep`` in their SQUAREM code).
_STEP_FACTOR = 4.0

#: One EM evaluation: theta -> (log-likelihood of each group at theta, F(theta), what the caller wants).
Step = Callable[[np.ndarray], tuple[np.ndarray, np.ndarray, Any]]


def squarem(
    step: Step,
    theta0: np.ndarray,
    *,
    max_evals: int,
    tol: float,
    low: float = 0.0,
    high: float = 1.0,
    groups: np.ndarray | None = None,
) -> tuple[np.ndarray, list[float], int, bool]:
    """Iterate ``step`` with SQUAREM cycles until an EM step moves no parameter by more than ``tol``.

    Parameters
    ----------
    step : callable
        ``theta -> (log-likelihoods(theta), F(theta), extra)``: one log-likelihood per group.
    theta0 : ndarray
        Starting parameters.
    max_evals : int
        Budget of ``step`` calls (one EM iteration each).
    tol : float
        Stop when ``max |F(theta) - theta| <= tol`` at the accepted point.
    low, high : float
        Box the jump is clipped to before its stabilising EM step.
    groups : ndarray of int, optional
        The group of each parameter, for independent problems solved at once (STAPLE on each item):
        each group gets its own steplength, cap and likelihood check, as SQUAREM run on each (``F``
        of a group must depend on that group's parameters only). None: one group.

    Returns
    -------
    theta, log-likelihoods (summed over groups) of the accepted points, EM steps taken, converged
        ``theta`` is ``F`` of the last accepted point (as plain EM returns its last step).

    References
    ----------
    R. Varadhan and C. Roland. Simple and globally convergent methods for accelerating the
    convergence of any EM algorithm. Scandinavian Journal of Statistics 35(2): 335-353 (2008).
    """
    group = np.zeros(len(theta0), dtype=np.intp) if groups is None else np.asarray(groups, dtype=np.intp)
    n_groups = int(group.max()) + 1 if len(group) else 1
    ll0, theta1, _ = step(theta0)
    history, evals = [float(np.sum(ll0))], 1
    step_max = np.full(n_groups, np.inf)
    while True:
        if float(np.max(np.abs(theta1 - theta0))) <= tol:
            return theta1, history, evals, True
        if evals + 4 > max_evals:  # a cycle takes 3 steps, 4 when it falls back: plain EM steps to the end
            if evals >= max_evals:
                return theta1, history, evals, False
            theta0 = theta1
            ll0, theta1, _ = step(theta0)
            history.append(float(np.sum(ll0)))
            evals += 1
            continue
        ll1, theta2, _ = step(theta1)
        r = theta1 - theta0
        v = theta2 - theta1 - r
        rr = np.bincount(group, r * r, minlength=n_groups)
        vv = np.bincount(group, v * v, minlength=n_groups)
        with np.errstate(invalid="ignore", divide="ignore"):
            a = np.where(vv > 0, np.minimum(step_max, np.maximum(1.0, np.sqrt(rr) / np.sqrt(vv))), 1.0)
        at = a[group]
        jump = np.clip(theta0 + 2.0 * at * r + at * at * v, low, high)
        _, theta_new, _ = step(jump)
        evals += 2
        ll_new, theta_next, _ = step(theta_new)
        evals += 1
        # a group whose jump overshot (or reached a NaN) keeps the plain EM path and caps its steplength.
        # A loss within rounding of the plain step's is not an overshoot
        bad = ~(ll_new >= ll1 - _ROUNDING * np.maximum(1.0, np.abs(ll1)))
        if bad.any():
            ll2, theta2_next, _ = step(theta2)
            evals += 1
            back = bad[group]
            theta_new = np.where(back, theta2, theta_new)
            theta_next = np.where(back, theta2_next, theta_next)
            ll_new = np.where(bad, ll2, ll_new)
        step_max = np.where(
            bad, np.maximum(1.0, a / _STEP_FACTOR), np.where(a == step_max, step_max * _STEP_FACTOR, step_max)
        )
        theta0, theta1, ll0 = theta_new, theta_next, ll_new
        history.append(float(np.sum(ll0)))
