"""The dependency structure of labeling functions from their votes' covariance: sparse plus low rank.

Varma, Sala, He, Ratner and Ré (ICML 2019), Algorithm 1. Let ``λ`` be the observed outputs of the functions and
``Σ_O`` their covariance. When the true label ``Y`` is marginalised out of a graphical model over ``(λ, Y)``, the
inverse covariance of the observed part is ``Σ_O⁻¹ = S − L``: ``S`` is sparse, its off-diagonal support the
dependencies among the functions given ``Y``, and ``L`` is positive semidefinite of low rank (``Y``'s share). The
algorithm solves the convex program

.. math:: (\\hat S, \\hat L) = \\arg\\min_{S, L}\\ \\mathcal L(S − L, \\hat Σ_O) + λ_n (γ \\lVert S \\rVert_1
          + \\lVert L \\rVert_*) \\quad \\text{s.t. } S − L ≻ 0,\\ L ⪰ 0,

with the paper's loss ``L(R, Σ) = ½ tr(R Σ R) − tr(R)`` (minimised at ``R = Σ⁻¹``), and returns the pairs whose
``|Ŝ_ij|`` exceeds a threshold ``T``.

What labelwise implements (and where it chooses):

* the observed variables: one indicator per (function, class it votes), abstain = 0, so that two one-class
  rules reading one trigger show as two correlated indicators (the paper's sources are binary, ``±1``); an
  indicator that never varies is left out;
* ``Σ̂_O`` is the weighted correlation matrix of the indicators (the covariance rescaled by its diagonal ``D``:
  ``(DΣD)⁻¹ = D⁻¹SD⁻¹ − D⁻¹LD⁻¹`` has the same sparse support and rank, and ``λ_n``, ``T`` become free of the
  indicators' scale);
* the program is solved by accelerated proximal gradient (FISTA, Beck and Teboulle 2009) on ``(S, L)``: soft
  thresholding of ``S``'s off-diagonal entries (the diagonal is not penalised: it is not a dependency), and
  eigenvalue shrinkage with projection on the PSD cone for ``L`` (``‖L‖_* = tr L`` there). ``S − L ≻ 0`` is
  checked at the end: where it fails the solution is not the program's and no pair is returned;
* the threshold is on the partial correlation ``|Ŝ_ij| / sqrt(Ŝ_ii Ŝ_jj)`` (the scale-free form of ``|Ŝ_ij|``),
  and two functions are dependent when any pair of their indicators is (a function's own indicators, which
  exclude each other, are not a dependency).

In :class:`~labelwise.weak.LabelModel` (:func:`search_plan`, :func:`abstain_mode`) the learner runs where more than
half of the votes come from one-class functions (keyword rules, whose copies and shared triggers the agreement
screen of ``_dependencies.clique_search`` cannot see) and there are at most :data:`MAX_INDICATORS` indicators. There
its pairs join the given ``dependencies`` (cliques of up to :data:`LEARNED_MAX_CLIQUE` functions: the closure the
paper's singleton separators ask for) and replace the clique search and the fitted model's one-class co-vote check,
and ``abstains="auto"`` is ``"informative"``. The weights and ``T`` were chosen on simulated keyword rules
(``benchmarks/dev_weak_structure_learner.py``).

References
----------
P. Varma, F. Sala, A. He, A. Ratner and C. Ré, "Learning Dependency Structures for Weak Supervision Models",
ICML 2019. https://arxiv.org/abs/1903.05844
V. Chandrasekaran, P. A. Parrilo and A. S. Willsky, "Latent variable graphical model selection via convex
optimization", Annals of Statistics 40(4), 2012.
A. Beck and M. Teboulle, "A Fast Iterative Shrinkage-Thresholding Algorithm for Linear Inverse Problems", SIAM
Journal on Imaging Sciences 2(1), 2009.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from ..errors import InvalidParameterError
from ._one_class import one_class_functions

__all__ = [
    "LEARN",
    "SparseLowRank",
    "dependency_pairs",
    "indicator_correlation",
    "learned_pairs",
    "search_plan",
    "sparse_low_rank",
]

#: Whether ``LabelModel`` adds the learned pairs to its ``dependencies`` (False: main before session 50).
LEARN = True

#: The program's weights: ``λ_n = LAM_SCALE · sqrt(log d / n)`` and ``γ``; the partial-correlation threshold ``T``.
LAM_SCALE, GAMMA, THRESHOLD = 5.0, 0.6, 0.05

#: Whether the learned pairs replace the label model's clique search, and the largest clique they may form.
SEARCH_OFF, LEARNED_MAX_CLIQUE, PAIR_CHECK_OFF = True, 6, True

#: The learner runs on votes of which more than this share come from one-class functions (keyword rules), with at
#: most :data:`MAX_INDICATORS` indicators; there ``abstains="auto"`` is ``"informative"`` (INFORMATIVE).
ONE_CLASS_VOTES, MAX_INDICATORS, INFORMATIVE = 0.5, 100, True


@dataclass(frozen=True)
class SparseLowRank:
    """The solution of the program: ``sparse`` (``Ŝ``), ``low_rank`` (``L̂``), iterations, whether it converged
    and whether ``Ŝ − L̂`` is positive definite."""

    sparse: np.ndarray
    low_rank: np.ndarray
    n_iter: int
    converged: bool
    positive_definite: bool


def indicator_correlation(
    matrix: np.ndarray, n_classes: int, weights: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """The weighted correlation matrix of the vote indicators and each indicator's function.

    ``matrix`` (rows x functions, ``-1`` = abstain), row ``i`` standing for ``weights[i]`` items. Indicator
    ``(j, a)`` is 1 where function ``j`` votes ``a``; indicators that are constant over the rows are left out.
    Returns ``(corr, owner)``: the ``(d, d)`` correlation matrix and the ``(d,)`` function of each indicator.
    """
    matrix = np.asarray(matrix)
    w = np.ones(len(matrix)) if weights is None else np.asarray(weights, dtype=np.float64)
    cols, owner = [], []
    for j in range(matrix.shape[1]):
        for a in range(n_classes):
            col = (matrix[:, j] == a).astype(np.float64)
            mean = float(w @ col) / float(w.sum())
            if 0.0 < mean < 1.0:
                cols.append(col)
                owner.append(j)
    if not cols:
        return np.zeros((0, 0)), np.zeros(0, dtype=int)
    x = np.stack(cols, axis=1)
    mean = w @ x / w.sum()
    centred = x - mean
    cov = (centred * w[:, None]).T @ centred / w.sum()
    sd = np.sqrt(np.diag(cov))
    return cov / np.outer(sd, sd), np.asarray(owner, dtype=int)


def sparse_low_rank(
    sigma: np.ndarray, lam: float, gamma: float, *, max_iter: int = 2000, tol: float = 1e-7
) -> SparseLowRank:
    """Solve ``min ½tr(RΣR) − tr(R) + lam(gamma·Σ_{i≠j}|S_ij| + tr L)``, ``R = S − L``, ``L ⪰ 0`` (FISTA).

    Parameters
    ----------
    sigma : ndarray (d, d)
        Symmetric positive semidefinite (the indicators' correlation matrix).
    lam, gamma : float
        The paper's ``λ_n`` and ``γ`` (positive).
    max_iter : int
    tol : float
        Stop when the largest change of ``S`` or ``L`` in a step is below it.
    """
    sigma = np.asarray(sigma, dtype=np.float64)
    if sigma.ndim != 2 or sigma.shape[0] != sigma.shape[1]:
        raise InvalidParameterError(f"sigma must be a square matrix, got shape {sigma.shape}")
    if not (lam > 0 and gamma > 0):
        raise InvalidParameterError(f"lam and gamma must be positive, got lam={lam!r}, gamma={gamma!r}")
    d = sigma.shape[0]
    step = 1.0 / (2.0 * max(float(np.linalg.eigvalsh(sigma)[-1]), 1e-12))  # 1 / Lipschitz constant in (S, L)
    off = ~np.eye(d, dtype=bool)
    s = np.diag(1.0 / np.maximum(np.diag(sigma), 1e-12))
    low = np.zeros((d, d))
    s_prev, low_prev, y_s, y_l, t = s, low, s, low, 1.0
    converged, it = False, 0
    while it < max_iter:
        it += 1
        r = y_s - y_l
        grad = 0.5 * (sigma @ r + r @ sigma) - np.eye(d)
        s = y_s - step * grad
        s[off] = np.sign(s[off]) * np.maximum(np.abs(s[off]) - step * lam * gamma, 0.0)
        vals, vecs = np.linalg.eigh(y_l + step * grad)
        low = (vecs * np.maximum(vals - step * lam, 0.0)) @ vecs.T
        low = 0.5 * (low + low.T)
        change = max(float(np.abs(s - s_prev).max()), float(np.abs(low - low_prev).max()))
        t_next = 0.5 * (1.0 + np.sqrt(1.0 + 4.0 * t * t))
        y_s = s + (t - 1.0) / t_next * (s - s_prev)
        y_l = low + (t - 1.0) / t_next * (low - low_prev)
        s_prev, low_prev, t = s, low, t_next
        if change < tol:
            converged = True
            break
    pd_ok = bool(np.linalg.eigvalsh(0.5 * ((s - low) + (s - low).T))[0] > 0) if d else True
    return SparseLowRank(s, low, it, converged, pd_ok)


def dependency_pairs(
    matrix: np.ndarray,
    n_classes: int,
    weights: np.ndarray | None = None,
    *,
    lam_scale: float | None = None,
    gamma: float | None = None,
    threshold: float | None = None,
    max_indicators: int | None = None,
) -> list[tuple[int, int, float]] | None:
    """The dependent pairs of functions ``(j, j', partial correlation)``, strongest first.

    ``matrix``: votes (rows x functions, ``-1`` = abstain), row ``i`` standing for ``weights[i]`` items.
    ``λ_n = lam_scale · sqrt(log d / n)`` (``d`` indicators, ``n`` items: the rate of the ℓ1 penalty in
    high-dimensional covariance selection); ``lam_scale``, ``gamma`` and ``threshold`` default to :data:`LAM_SCALE`,
    :data:`GAMMA` and :data:`THRESHOLD`. Returns no pair when the program's solution is not positive definite, and
    ``None`` when there are more than ``max_indicators`` indicators.
    """
    corr, owner = indicator_correlation(matrix, n_classes, weights)
    d = len(owner)
    if max_indicators is not None and d > max_indicators:
        return None
    if d < 2:
        return []
    n = float(len(matrix) if weights is None else np.asarray(weights, dtype=np.float64).sum())
    lam = (LAM_SCALE if lam_scale is None else float(lam_scale)) * float(np.sqrt(np.log(d) / n))
    fit = sparse_low_rank(corr, lam, GAMMA if gamma is None else float(gamma))
    if not fit.positive_definite:
        return []
    diag = np.sqrt(np.maximum(np.diag(fit.sparse), 1e-12))
    partial = np.abs(fit.sparse) / np.outer(diag, diag)
    best: dict[tuple[int, int], float] = {}
    rows, cols = np.nonzero(np.triu(partial > (THRESHOLD if threshold is None else threshold), 1))
    for a, b in zip(rows.tolist(), cols.tolist(), strict=True):
        j, jj = sorted((int(owner[a]), int(owner[b])))
        if j != jj:
            best[(j, jj)] = max(best.get((j, jj), 0.0), float(partial[a, b]))
    return sorted(((j, jj, v) for (j, jj), v in best.items()), key=lambda x: -x[2])


def learned_pairs(matrix: np.ndarray, weights: np.ndarray, n_classes: int) -> list[tuple[int, int]] | None:
    """The pairs :class:`~labelwise.weak.LabelModel` models jointly besides its ``dependencies``, strongest first;
    ``None`` where the learner does not run (:data:`LEARN` off, half of the votes or fewer from one-class functions,
    more than :data:`MAX_INDICATORS` indicators)."""
    if not LEARN or one_class_share(matrix, weights) <= ONE_CLASS_VOTES:
        return None
    pairs = dependency_pairs(matrix, n_classes, weights, max_indicators=MAX_INDICATORS)
    return None if pairs is None else [(j, jj) for j, jj, _ in pairs]


def search_plan(
    model: Any, matrix: np.ndarray, weights: np.ndarray, n_classes: int, deps: list[tuple[int, int]]
) -> tuple[list[tuple[int, int]], float, int]:
    """The label model's dependent pairs (``deps`` and the learned ones), its clique search's z threshold and the
    largest clique. Where the learner runs, its pairs replace the search (threshold ``inf``: only the given and
    learned pairs are joined), its cliques may hold up to :data:`LEARNED_MAX_CLIQUE` functions, and
    ``model._structure_learned`` tells the fitted model's check to leave one-class pairs alone."""
    threshold = model.dependency_threshold
    thr = np.inf if threshold is None else float(threshold)
    learned = learned_pairs(matrix, weights, n_classes)
    model._structure_learned = learned is not None and PAIR_CHECK_OFF
    model._learner_ran = learned is not None
    if learned is None:
        return deps, thr, int(model.max_clique)
    return deps + learned, (np.inf if SEARCH_OFF else thr), max(int(model.max_clique), LEARNED_MAX_CLIQUE)


def one_class_share(matrix: np.ndarray, weights: np.ndarray) -> float:
    """Share of the votes of the vote rows ``matrix`` (``-1`` = abstain; row ``i`` standing for ``weights[i]``
    items) cast by functions that only ever vote one class."""
    voted = np.asarray(matrix) >= 0
    per_function = np.asarray(weights, dtype=np.float64) @ voted
    total = float(per_function.sum())
    return float(per_function[one_class_functions(matrix)].sum()) / total if total > 0 else 0.0


def abstain_mode(model: Any) -> str:
    """The abstain model EM fits: ``model.abstains``, except ``"auto"`` is ``"informative"`` where the learner ran
    (one-class functions say something of the other classes only by abstaining)."""
    learned = getattr(model, "_learner_ran", False)
    return "informative" if model.abstains == "auto" and learned and INFORMATIVE else str(model.abstains)
