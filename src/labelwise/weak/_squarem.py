"""SQUAREM: squared extrapolation to speed up a slowly converging EM (Varadhan and Roland, 2008).

EM's map ``θ ↦ F(θ)`` converges linearly, slowly when the fraction of missing information is
large (abstains, weak functions). SQUAREM takes two EM steps ``θ₁ = F(θ₀)``, ``θ₂ = F(θ₁)``,
forms ``r = θ₁ − θ₀`` and ``v = θ₂ − 2θ₁ + θ₀``, and jumps to
``θ' = θ₀ − 2αr + α²v`` with the steplength ``α = −‖r‖/‖v‖`` (their scheme S3), capped at
``α ≤ −1`` (``α = −1`` is the plain ``θ₂``). One more EM step from ``θ'`` maps it back onto
valid parameters. If that point has a lower likelihood than ``θ₁``, the cycle keeps the plain
``θ₂`` instead: the likelihood never decreases from cycle to cycle, as with plain EM, when it is
the objective EM maximises. With a prior's pseudo-counts in the M-step (a MAP estimate) EM raises
the posterior, not the likelihood of the votes that ``step`` reports, and a cycle may lower that a
little: the run stops only when a cycle changes it by less than ``tol`` in either direction, so a
dip is not taken for convergence.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

__all__ = ["squarem"]

#: One EM evaluation: θ -> (mean log-likelihood at θ, F(θ), anything the caller wants of the E-step at θ).
Step = Callable[[np.ndarray], tuple[float, np.ndarray, Any]]


def squarem(
    step: Step, theta0: np.ndarray, *, max_evals: int, tol: float, low: float, high: float = 1.0
) -> tuple[np.ndarray, Any, list[float]]:
    """Iterate EM from ``theta0`` with SQUAREM cycles until a cycle changes the log-likelihood by less than ``tol``.

    Parameters
    ----------
    step : callable
        ``θ -> (log-likelihood(θ), F(θ), extra)``: one E-step at ``θ`` and the M-step after it.
    theta0 : ndarray
        Flat parameter vector (valid, e.g. the output of an M-step).
    max_evals : int
        Budget of ``step`` calls (each costs one plain EM iteration).
    tol : float
        Stop when the log-likelihood changes by less than this over a cycle (up or down).
    low, high : float
        Box the extrapolated point is clipped to before its stabilising EM step.

    Returns
    -------
    theta, extra at theta, log-likelihoods (of ``theta0``, then after each cycle)
        ``theta`` is the last point whose likelihood was evaluated, ``extra`` its E-step output.

    References
    ----------
    .. [1] R. Varadhan and C. Roland, "Simple and Globally Convergent Methods for Accelerating the
       Convergence of Any EM Algorithm", Scandinavian Journal of Statistics 35(2), 335-353, 2008.
    """
    ll0, theta1, extra0 = step(theta0)
    history = [ll0]
    evals = 1
    while evals + 4 <= max_evals:  # a cycle costs 3 steps, 4 when it falls back
        ll1, theta2, extra1 = step(theta1)
        r = theta1 - theta0
        v = theta2 - theta1 - r
        norm_v = float(np.sqrt(v @ v))
        alpha = -max(1.0, float(np.sqrt(r @ r)) / norm_v) if norm_v > 0 else -1.0
        jump = np.clip(theta0 - 2.0 * alpha * r + alpha * alpha * v, low, high)
        _, theta_new, _ = step(jump)
        ll_new, theta_next, extra_new = step(theta_new)
        evals += 3
        if ll_new < ll1:  # the jump overshot: keep the plain EM path (θ₂)
            theta_new = theta2
            ll_new, theta_next, extra_new = step(theta2)
            evals += 1
        gain = ll_new - ll0
        theta0, theta1, ll0, extra0 = theta_new, theta_next, ll_new, extra_new
        history.append(ll0)
        if abs(gain) < tol:  # a dip (the likelihood leaves out a MAP prior) is not convergence
            break
    return theta0, extra0, history
