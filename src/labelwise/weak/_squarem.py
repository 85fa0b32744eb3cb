"""SQUAREM for the label model's EM: :func:`labelwise._squarem.squarem` stopped on the objective's gain.

The label model's ``step`` reports the objective EM raises: the log-likelihood for a
maximum-likelihood M-step, plus the log prior density for a MAP M-step (pseudo-counts). The
shared SQUAREM (Varadhan and Roland 2008, scheme S3) stabilises each jump by one EM step, clips it
to ``[low, high]``, backtracks an overshooting steplength toward the plain step and keeps the plain
``θ₂`` within 0.1 of it: no cycle lowers the objective (EM's monotonicity, and the guard), and the
run stops at the first cycle that raises it by less than ``tol`` (no plain steps after the last
cycle that fits the budget).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from .._squarem import SquaremRun, Step, gain_stop
from .._squarem import squarem as _squarem

__all__ = ["SquaremRun", "squarem"]


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
        Stop when a cycle raises the objective by less than this; ``0`` stops at the first cycle that
        does not raise it.
    low, high : float
        Box the extrapolated point is clipped to before its stabilising EM step.
    track : callable, optional
        ``extra -> float``, recorded at every accepted point (e.g. the likelihood alone, when the
        objective has a prior term).

    Returns
    -------
    SquaremRun
        ``theta`` is the last accepted point, ``extra`` its E-step.

    References
    ----------
    .. [1] R. Varadhan and C. Roland, "Simple and Globally Convergent Methods for Accelerating the
       Convergence of Any EM Algorithm", Scandinavian Journal of Statistics 35(2), 335-353, 2008.
    """
    # "gain < max(tol, least float)": "gain < tol" for tol > 0; for tol=0, a cycle that does not raise the
    # objective (EM's fixed point) ends the run, which "gain < 0" never did (the guard keeps gains >= 0)
    stop_tol = max(tol, float(np.nextafter(0.0, 1.0)))
    return _squarem(step, theta0, max_evals=max_evals, stop=gain_stop(stop_tol), low=low, high=high, track=track)
