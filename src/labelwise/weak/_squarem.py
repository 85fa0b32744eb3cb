"""SQUAREM: squared extrapolation to speed up a slowly converging EM (Varadhan and Roland, 2008).

EM's map ``θ ↦ F(θ)`` converges linearly, slowly when the fraction of missing information is
large (abstains, weak functions). SQUAREM takes two EM steps ``θ₁ = F(θ₀)``, ``θ₂ = F(θ₁)``,
forms ``r = θ₁ − θ₀`` and ``v = θ₂ − 2θ₁ + θ₀``, and jumps to
``θ' = θ₀ − 2αr + α²v`` with the steplength ``α = −‖r‖/‖v‖`` (their scheme S3), capped at
``α ≤ −1`` (``α = −1`` is the plain ``θ₂``). One more EM step from ``θ'`` maps it back onto
valid parameters. If that point has a lower objective than ``θ₁``, the jump overshot: the
steplength is halved toward ``−1``, ``α ← (α − 1)/2`` (the backtracking of Varadhan and Roland's
global-convergence scheme), and once it is within :data:`_BACKTRACK_END` of ``−1`` the cycle keeps
the plain ``θ₂`` (on a ridge where EM crawls, a jump that overshoots at the first steplength but
not at a shorter one keeps the acceleration). ``step`` must report the objective EM raises: the log-likelihood for a
maximum-likelihood M-step, the log-likelihood plus the log prior density for a MAP M-step
(pseudo-counts). Then no cycle lowers it (EM's monotonicity, and the guard), and the run stops at
the first cycle that raises it by less than ``tol``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple

import numpy as np

__all__ = ["SquaremRun", "squarem"]

#: A steplength within this of -1 (the plain EM path) is not backtracked further: the cycle keeps θ₂.
_BACKTRACK_END = 0.1

#: One EM evaluation: θ -> (objective at θ, F(θ), anything the caller wants of the E-step at θ).
Step = Callable[[np.ndarray], tuple[float, np.ndarray, Any]]


class SquaremRun(NamedTuple):
    """What :func:`squarem` returns.

    Attributes
    ----------
    theta : ndarray
        The last point whose objective was evaluated (an M-step's output).
    extra : Any
        ``step``'s third output at ``theta`` (its E-step).
    history : list of float
        The objective at ``theta0``, then at each cycle's accepted point (never decreasing, up to
        rounding, when ``step`` reports EM's objective).
    tracked : list of float
        ``track(extra)`` at the same points (empty without ``track``).
    n_evals : int
        ``step`` calls made (one EM iteration each).
    converged : bool
        Whether a cycle raised the objective by less than ``tol`` before the budget ran out.
    """

    theta: np.ndarray
    extra: Any
    history: list[float]
    tracked: list[float]
    n_evals: int
    converged: bool


def squarem(
    step: Step,
    theta0: np.ndarray,
    *,
    max_evals: int,
    tol: float,
    low: float,
    high: float = 1.0,
    track: Callable[[Any], float] | None = None,
) -> SquaremRun:
    """Iterate EM from ``theta0`` with SQUAREM cycles until a cycle raises the objective by less than ``tol``.

    Parameters
    ----------
    step : callable
        ``θ -> (objective(θ), F(θ), extra)``: one E-step at ``θ`` and the M-step after it; the
        objective is the one the M-step raises (log-likelihood, plus the log prior for MAP).
    theta0 : ndarray
        Flat parameter vector (valid, e.g. the output of an M-step).
    max_evals : int
        Budget of ``step`` calls (each costs one plain EM iteration).
    tol : float
        Stop when a cycle raises the objective by less than this.
    low, high : float
        Box the extrapolated point is clipped to before its stabilising EM step.
    track : callable, optional
        ``extra -> float``, recorded at every accepted point (e.g. the likelihood alone, when the
        objective has a prior term).

    Returns
    -------
    SquaremRun

    References
    ----------
    .. [1] R. Varadhan and C. Roland, "Simple and Globally Convergent Methods for Accelerating the
       Convergence of Any EM Algorithm", Scandinavian Journal of Statistics 35(2), 335-353, 2008.
    """
    ll0, theta1, extra0 = step(theta0)
    history = [ll0]
    tracked = [] if track is None else [track(extra0)]
    evals, converged = 1, False
    while evals + 4 <= max_evals:  # a cycle costs 3 steps, 4 when it falls back, 2 more per backtrack
        ll1, theta2, extra1 = step(theta1)
        r = theta1 - theta0
        v = theta2 - theta1 - r
        norm_v = float(np.sqrt(v @ v))
        alpha = -max(1.0, float(np.sqrt(r @ r)) / norm_v) if norm_v > 0 else -1.0
        evals += 1
        while True:
            jump = np.clip(theta0 - 2.0 * alpha * r + alpha * alpha * v, low, high)
            _, theta_new, _ = step(jump)
            ll_new, theta_next, extra_new = step(theta_new)
            evals += 2
            if ll_new >= ll1:
                break
            if alpha > -1.0 - _BACKTRACK_END or evals + 3 > max_evals:  # keep the plain EM path (θ₂)
                theta_new = theta2
                ll_new, theta_next, extra_new = step(theta2)
                evals += 1
                break
            alpha = (alpha - 1.0) / 2.0  # the jump overshot: halve its distance to the plain step
        gain = ll_new - ll0
        theta0, theta1, ll0, extra0 = theta_new, theta_next, ll_new, extra_new
        history.append(ll0)
        if track is not None:
            tracked.append(track(extra0))
        if gain < tol:  # the objective never falls: a small gain is convergence
            converged = True
            break
    return SquaremRun(theta0, extra0, history, tracked, evals, converged)
