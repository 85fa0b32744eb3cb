"""Deterministic annealing EM for the label model's Dawid-Skene MAP fit (Ueda and Nakano 1998).

EM climbs from its start to the first local optimum of its objective. Deterministic annealing
tempers the E-step, ``T_i ∝ (p_y Π_g μ_g[o_ig, y])^β``, and raises the inverse temperature ``β``
from ``β0 < 1`` to 1, running EM to convergence at each ``β``. At ``β < 1`` EM raises the negative
free energy ``(1/β) Σ_i w_i log Σ_y (p_y Π_g μ_g[o_ig, y])^β`` plus the same log prior (the
tempered E-step and the ordinary M-step never lower it), a smoother function whose optimum moves
continuously to EM's as ``β → 1``; the last stage, at ``β = 1``, is the ordinary EM run and
maximises the ordinary objective, from a start less tied to the optimum nearest the first one.

The label model runs it as a second start of its MAP fit and keeps, of the ordinary run and the
annealed one, the fit whose final objective (the log posterior EM raises) is higher: a choice
between two local optima of one objective, as :func:`~._fit_check.refit_best` and the spectral
start (:mod:`._spectral`) choose.

References
----------
.. [1] N. Ueda and R. Nakano, "Deterministic annealing EM algorithm", Neural Networks 11(2),
   271-282, 1998.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

__all__ = ["N_STEPS", "annealed_run", "keep_higher_objective", "schedule"]

#: Tempered stages below ``β = 1``: ``β0^(1 − t / N_STEPS)`` for ``t = 0 .. N_STEPS − 1`` (geometric).
N_STEPS = 3


def schedule(beta0: float, n_steps: int = N_STEPS) -> list[float]:
    """The inverse temperatures of the tempered stages, ``β0^(1 − t/n)``, ``t = 0 .. n − 1``, rising
    geometrically toward 1 (the final ``β = 1`` stage is not listed); none when ``β0 >= 1``."""
    if beta0 >= 1.0:
        return []
    return [float(beta0 ** (1.0 - t / n_steps)) for t in range(n_steps)]


def annealed_run(run: Callable[..., Any], start: np.ndarray, p: np.ndarray, beta0: float, *, fixed: bool) -> Any:
    """EM annealed from ``β0``: ``run(post, p, beta=β)`` (:func:`~._em.run_em` with the rest of its
    arguments bound) at each stage of :func:`schedule`, each from the last stage's tempered
    posterior and class balance (the given ``p`` when ``fixed``), then at ``β = 1``. Returns the
    last run, its ``n_evals`` counting every stage's EM steps."""
    post, balance, evals = start, p, 0
    for beta in schedule(beta0):
        stage = run(post, balance, beta=beta)
        post, balance, evals = stage.post, p if fixed else stage.p, evals + stage.n_evals
    final = run(post, balance)
    return final._replace(n_evals=final.n_evals + evals)


def keep_higher_objective(plain: Any, annealed: Any) -> Any:
    """Of two EM runs of one objective, the annealed one when its final objective is higher (the
    ordinary one on a tie), with ``annealed`` set to ``"kept"`` or ``"not kept"``."""
    if annealed.objective and plain.objective and annealed.objective[-1] > plain.objective[-1]:
        return annealed._replace(annealed="kept")
    return plain._replace(annealed="not kept")
