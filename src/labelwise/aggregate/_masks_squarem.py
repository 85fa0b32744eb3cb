"""SQUAREM for STAPLE's EM (Varadhan & Roland, 2008): :func:`labelwise._squarem.squarem` per item
group, with a steplength cap, a rounding margin and a stop on the EM residual.

STAPLE's EM converges linearly, and slowly when much information is missing: with two careful
annotators and a spammer, the pixels the two careful ones disagree on are nearly a coin toss, the
likelihood is flat along the line that trades one's sensitivity for the other's, and EM's rate
there is close to 1 (benchmarks/RESULTS.md, "Crowd masks, session 31 (masks31b)", has the
cases). The shared SQUAREM jumps with scheme S3's steplength, clipped to [0, 1], without
backtracking: once a jump overshoots, the steplength is capped at a quarter of the one that
overshot, the cap growing fourfold after each kept cycle that used it (a flat ridge makes ``|v|``
tiny, and an uncapped jump lands far off, on the boundary, where EM cannot leave a sensitivity of
1, every cycle; while a maximum *on* the boundary, which EM only creeps to, is reached by the
uncapped clipped jump). One EM step from the jump maps it back onto valid parameters, and if that
point's likelihood is below ``t1``'s by more than rounding (a relative 1e-12: on a ridge where
the likelihood is flat to 13 digits, a strict comparison let rounding refuse every jump, leaving
plain EM) the cycle keeps the plain ``t2``. The fixed points are EM's own: the run stops when one
EM step from the accepted point moves no parameter by more than ``tol``, and takes plain EM steps
to the end of the budget once a cycle no longer fits it.
"""

from __future__ import annotations

import numpy as np

from .._squarem import Step, residual_stop
from .._squarem import squarem as _squarem

__all__ = ["squarem"]

#: Relative change of the log-likelihood below which two values are equal (summation rounding).
_ROUNDING = 1e-12


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
    # one group is still a group: its norms are the per-group sums (bincount), as before the port
    group = np.zeros(len(theta0), dtype=np.intp) if groups is None else np.asarray(groups, dtype=np.intp)
    run = _squarem(
        step, theta0, max_evals=max_evals, stop=residual_stop(tol), groups=group, low=low, high=high,
        backtrack=False, cap=True, rounding=_ROUNDING, plain_tail=True,
    )  # fmt: skip
    return run.theta_next, run.history, run.n_evals, run.converged
