"""SQUAREM: squared extrapolation to speed up a slowly converging EM (Varadhan and Roland, 2008).

The one implementation the package's EM fits share (the weak label model, STAPLE, the robust
numeric model). EM's map ``θ ↦ F(θ)`` converges linearly, slowly when the fraction of missing
information is large. A SQUAREM cycle takes two EM steps ``θ₁ = F(θ₀)``, ``θ₂ = F(θ₁)``, forms
``r = θ₁ − θ₀`` and ``v = θ₂ − 2θ₁ + θ₀``, and jumps to ``θ₀ + 2ar + a²v`` with the steplength
``a = max(1, ‖r‖/‖v‖)`` (their scheme S3, written here with ``a = −α > 0``; ``a = 1`` is the plain
``θ₂``), clipped to a box when one is given. The jump is *guarded* by the objective that ``step``
reports, one EM does not lower (a log-likelihood, a log posterior, an ELBO): it is kept when its
objective is at least that of ``θ₁`` (less a relative ``rounding``), else the steplength is halved
toward 1, ``a ← (a + 1)/2`` (the backtracking of their globally convergent scheme), and within
:data:`BACKTRACK_END` of 1 the cycle keeps the plain EM path. So no cycle lowers the objective, and
the fixed points are EM's. Options cover what the callers need:

* ``stabilise``: one EM step from the jump before its objective is read (Varadhan and Roland's
  stabilisation: it maps the jump back onto valid parameters); the plain path is then ``θ₂``
  (one more evaluation), without it ``θ₁`` (none);
* ``groups``: independent problems solved at once (STAPLE on each item), each with its own
  steplength, guard and cap, exactly as SQUAREM run on each;
* ``cap``: after a jump that overshot, the steplength is capped at a quarter of the one that did,
  the cap growing fourfold after each kept cycle that used it (after ``step.max``/``mstep`` of
  their SQUAREM code): on a flat ridge ``‖v‖`` is tiny and an uncapped jump lands far off every cycle;
* ``stop``: the stop rule, called at every accepted point: :func:`gain_stop` (the objective rose
  by less than ``tol``), :func:`residual_stop` (one EM step moves no parameter by more than
  ``tol``) or any ``(history, θ, F(θ)) -> bool``;
* ``plain_tail``: plain EM steps to the end of the budget once a cycle no longer fits it.

The module imports only numpy (a lower layer: ``aggregate`` and ``weak`` both use it).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple

import numpy as np

__all__ = ["BACKTRACK_END", "SquaremRun", "Step", "Stop", "gain_stop", "residual_stop", "squarem"]

#: A steplength within this of 1 (the plain EM path) is not backtracked further: the cycle keeps
#: the plain path.
BACKTRACK_END = 0.1

#: The cap's factor: after an overshoot the steplength is capped at the one that overshot divided by
#: this; the cap is multiplied by this after a kept cycle that used it.
STEP_FACTOR = 4.0

#: One EM evaluation: θ -> (objective of θ, F(θ), anything the caller wants of the E-step at θ). The
#: objective is one number, or one per group with ``groups``.
Step = Callable[[np.ndarray], tuple[Any, np.ndarray, Any]]

#: A stop rule: (objectives of the accepted points so far, the last accepted θ, F(θ)) -> stop?
Stop = Callable[[list[float], np.ndarray, np.ndarray], bool]


class SquaremRun(NamedTuple):
    """What :func:`squarem` returns.

    Attributes
    ----------
    theta : ndarray
        The last accepted point.
    theta_next : ndarray
        ``F(theta)``: one EM step from it (what plain EM would return after its last step).
    extra : Any
        ``step``'s third output at ``theta`` (None with ``groups``: the groups' accepted points can
        come from different evaluations).
    history : list of float
        The objective (summed over groups) at ``theta0``, then at each accepted point: never
        decreasing, up to ``rounding``, when ``step`` reports an objective EM does not lower.
    tracked : list of float
        ``track(extra)`` at the same points (empty without ``track``).
    n_evals : int
        ``step`` calls made (one EM iteration each); never more than ``max_evals``.
    converged : bool
        Whether ``stop`` said so before the budget ran out.
    """

    theta: np.ndarray
    theta_next: np.ndarray
    extra: Any
    history: list[float]
    tracked: list[float]
    n_evals: int
    converged: bool


def gain_stop(tol: float) -> Stop:
    """Stop when the objective of an accepted point exceeds the previous one's by less than ``tol``
    (EM's objective never falls, so a small gain is convergence)."""
    return lambda history, theta, theta_next: len(history) > 1 and history[-1] - history[-2] < tol


def residual_stop(tol: float) -> Stop:
    """Stop when one EM step from the accepted point moves no parameter by more than ``tol`` (the
    plain-EM rule, applied to the accepted point; checked at the start too)."""
    return lambda history, theta, theta_next: float(np.max(np.abs(theta_next - theta))) <= tol


class _Cycle(NamedTuple):
    theta: np.ndarray
    theta_next: np.ndarray
    objective: np.ndarray
    extra: Any
    n_evals: int
    step_max: np.ndarray


def squarem(
    step: Step,
    theta0: np.ndarray,
    *,
    max_evals: int,
    stop: Stop,
    groups: np.ndarray | None = None,
    low: float | None = None,
    high: float | None = None,
    stabilise: bool = True,
    backtrack: bool = True,
    cap: bool = False,
    rounding: float = 0.0,
    plain_tail: bool = False,
    accelerate: bool = True,
    track: Callable[[Any], float] | None = None,
) -> SquaremRun:
    """Iterate EM from ``theta0`` with SQUAREM cycles until ``stop`` says so or the budget runs out.

    Parameters
    ----------
    step : callable
        ``θ -> (objective(θ), F(θ), extra)``: one EM iteration. The objective is any function of
        ``θ`` that EM does not lower (the log-likelihood at ``θ``, plus the log prior for a MAP
        M-step; or the ELBO ``F(θ)`` reaches); one per group with ``groups``.
    theta0 : ndarray
        Flat parameter vector to start from.
    max_evals : int
        Budget of ``step`` calls.
    stop : callable
        The stop rule (:data:`Stop`): :func:`gain_stop`, :func:`residual_stop` or the caller's.
    groups : ndarray of int, optional
        The group of each parameter (``F`` of a group must depend on that group's parameters only);
        each group gets its own steplength, guard and cap. None: one problem.
    low, high : float, optional
        Box the jump is clipped to.
    stabilise : bool
        One EM step from the jump before its objective is read (see the module docstring).
    backtrack : bool
        Halve an overshooting steplength toward 1 (else the plain path at once).
    cap : bool
        Cap the steplength after an overshoot (see the module docstring).
    rounding : float
        A jump whose objective is below ``θ₁``'s by at most this, relative (and at least absolute),
        is not an overshoot: on a ridge flat to 13 digits a strict comparison lets rounding refuse
        every jump. A jump whose objective is NaN or ``+inf`` (an overflow) is never kept.
    plain_tail : bool
        Plain EM steps to the end of the budget once a cycle no longer fits it (else stop there).
    accelerate : bool
        False: plain EM only (with ``plain_tail``), for comparisons.
    track : callable, optional
        ``extra -> float``, recorded at every accepted point (not with ``groups``).

    Returns
    -------
    SquaremRun

    References
    ----------
    .. [1] R. Varadhan and C. Roland, "Simple and Globally Convergent Methods for Accelerating the
       Convergence of Any EM Algorithm", Scandinavian Journal of Statistics 35(2), 335-353, 2008.
    """
    theta0 = np.asarray(theta0, dtype=np.float64)
    group = None if groups is None else np.asarray(groups, dtype=np.intp)
    n_groups = 1 if group is None or not len(group) else int(group.max()) + 1
    obj0, theta1, extra0 = step(theta0)
    evals = 1
    history = [float(np.sum(obj0))]
    tracked = [] if track is None else [track(extra0)]
    step_max = np.full(n_groups, np.inf)
    # a cycle: θ₂, then the jump (and its stabilising step); one more evaluation must fit
    cycle_evals = 3 if stabilise else 2
    converged = bool(stop(history, theta0, theta1))
    while not converged:
        if not accelerate or evals + cycle_evals + 1 > max_evals:
            if not plain_tail or evals >= max_evals:
                break
            theta0 = theta1
            obj0, theta1, extra0 = step(theta0)
            evals += 1
        else:
            obj1, theta2, extra1 = step(theta1)
            cycle = _cycle(
                step, theta0, theta1, theta2, np.atleast_1d(np.asarray(obj1, dtype=np.float64)), extra1,
                group=group, step_max=step_max, evals=evals + 1, max_evals=max_evals, low=low, high=high,
                stabilise=stabilise, backtrack=backtrack, cap=cap, rounding=rounding,
            )  # fmt: skip
            theta0, theta1, obj0, extra0, evals, step_max = cycle
        history.append(float(np.sum(obj0)))
        if track is not None:
            tracked.append(track(extra0))
        converged = bool(stop(history, theta0, theta1))
    return SquaremRun(theta0, theta1, None if group is not None else extra0, history, tracked, evals, converged)


def _steplength(r: np.ndarray, v: np.ndarray, group: np.ndarray | None, step_max: np.ndarray, cap: bool) -> np.ndarray:
    """Scheme S3's ``max(1, ‖r‖/‖v‖)`` (1 where ``v`` is 0), per group, within the cap."""
    if group is None:
        norm_v = float(np.sqrt(v @ v))
        a = max(1.0, float(np.sqrt(r @ r)) / norm_v) if norm_v > 0 else 1.0
        return np.array([min(float(step_max[0]), a) if cap else a])
    n_groups = len(step_max)
    rr = np.bincount(group, r * r, minlength=n_groups)
    vv = np.bincount(group, v * v, minlength=n_groups)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(vv > 0, np.minimum(step_max, np.maximum(1.0, np.sqrt(rr) / np.sqrt(vv))), 1.0)


def _cycle(
    step: Step,
    theta0: np.ndarray,
    theta1: np.ndarray,
    theta2: np.ndarray,
    obj1: np.ndarray,
    extra1: Any,
    *,
    group: np.ndarray | None,
    step_max: np.ndarray,
    evals: int,
    max_evals: int,
    low: float | None,
    high: float | None,
    stabilise: bool,
    backtrack: bool,
    cap: bool,
    rounding: float,
) -> _Cycle:
    """The jump of one cycle (θ₀, θ₁ = F(θ₀), θ₂ = F(θ₁) evaluated), its guard and backtracking,
    per group; the accepted point, ``F`` of it, its objective and E-step output."""
    r = theta1 - theta0
    v = theta2 - theta1 - r
    first = a = _steplength(r, v, group, step_max, cap)
    expand = (lambda x: x[0]) if group is None else (lambda x: x[group])
    ref = obj1 if not rounding else obj1 - rounding * np.maximum(1.0, np.abs(obj1))
    attempt, plain = (2, 1) if stabilise else (1, 0)  # evaluations of a try, of the plain path
    pending = np.ones(len(a), dtype=bool)
    fallback = np.zeros(len(a), dtype=bool)
    # the accepted point per group, F of it, its objective, its E-step (set by the first try)
    theta_new: Any = None
    theta_next: Any = None
    obj_new: Any = None
    extra_new: Any = None
    while pending.any():
        at = expand(a)
        jump = theta0 + 2.0 * at * r + at * at * v
        if low is not None or high is not None:
            jump = np.clip(jump, low, high)
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):  # a wild jump: a NaN objective
            obj, after, extra = step(jump)
        point, evals = jump, evals + 1
        if stabilise:
            point = after
            obj, after, extra = step(point)
            evals += 1
        obj = np.atleast_1d(np.asarray(obj, dtype=np.float64))
        kept = pending & (obj >= ref) & (obj < np.inf)
        if theta_new is None:
            theta_new, theta_next, obj_new, extra_new = point, after, obj, extra
        elif kept.any():
            mask = expand(kept)
            theta_new, theta_next = np.where(mask, point, theta_new), np.where(mask, after, theta_next)
            obj_new, extra_new = np.where(kept, obj, obj_new), extra
        pending &= ~kept
        give_up = pending & ((not backtrack) | (a < 1.0 + BACKTRACK_END) | (evals + attempt + plain > max_evals))
        fallback |= give_up
        pending &= ~give_up
        a = np.where(pending, (a + 1.0) / 2.0, a)  # the jump overshot: halve its distance to the plain step
    if fallback.any():  # the plain EM path: θ₂ and F(θ₂) (stabilised), or θ₁ and θ₂
        if stabilise:
            obj2, after2, extra2 = step(theta2)
            evals += 1
            plain_theta, plain_next, plain_obj, plain_extra = theta2, after2, obj2, extra2
        else:
            plain_theta, plain_next, plain_obj, plain_extra = theta1, theta2, obj1, extra1
        mask = expand(fallback)
        theta_new, theta_next = np.where(mask, plain_theta, theta_new), np.where(mask, plain_next, theta_next)
        obj_new = np.where(fallback, np.atleast_1d(np.asarray(plain_obj, dtype=np.float64)), obj_new)
        extra_new = plain_extra
    if cap:
        grown = np.where(first == step_max, step_max * STEP_FACTOR, step_max)
        step_max = np.where(fallback, np.maximum(1.0, first / STEP_FACTOR), grown)
    return _Cycle(theta_new, theta_next, obj_new, extra_new, evals, step_max)
