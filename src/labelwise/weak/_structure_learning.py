"""The dependency structure of labeling functions from their votes' covariance: sparse plus low rank (opt-in).

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
  indicators' scale); ``λ_n = lam_scale · sqrt(log d / n)`` (``d`` indicators, ``n`` items);
* the program is solved by accelerated proximal gradient (FISTA, Beck and Teboulle 2009) on ``(S, L)``: soft
  thresholding of ``S``'s off-diagonal entries (the diagonal is not penalised: it is not a dependency), and
  eigenvalue shrinkage with projection on the PSD cone for ``L`` (``‖L‖_* = tr L`` there), its momentum restarted
  whenever it points against the step (O'Donoghue and Candès's gradient restart: without it FISTA oscillates and
  often ran out of its 2,000 steps short of the tolerance; same pairs on every set it was judged on,
  ``benchmarks/dev_weak_one_class_fast.py``). ``S − L ≻ 0`` is checked at the end: where it fails the solution is
  not the program's and no pair is returned;
* the label model's use (:func:`learned_pairs`) solves the same program by ADMM (Ma, Xue and Zou 2013,
  :func:`sparse_low_rank_admm`; FISTA where it does not stop): on the sets the one-class fit was judged on it
  stops in fewer steps than FISTA at :data:`LABEL_MODEL_TOL`, nearer the program's solution, with the same pairs
  (``benchmarks/dev_weak_one_class_fast.py``; the numbers in ``benchmarks/RESULTS.md``), and it reads the
  indicators' correlation from the fit's own gram (:func:`gram_correlation`);
* the threshold is on the partial correlation ``|Ŝ_ij| / sqrt(Ŝ_ii Ŝ_jj)`` (the scale-free form of ``|Ŝ_ij|``),
  and two functions are dependent when any pair of their indicators is (a function's own indicators, which
  exclude each other, are not a dependency).

The label model can use it on mostly one-class votes (:func:`learned_pairs`, :mod:`._one_class_fit`, switched off
by default for its cost: the learned pairs kept where BIC pays for them; ``benchmarks/dev_weak_one_class_cliques5.py``); alone as that structure it had
failed its judging rule (``benchmarks/dev_weak_structure_learner.py``). The defaults of :func:`learn_dependencies`
are that candidate's, chosen on simulated keyword rules that share triggers.

References
----------
P. Varma, F. Sala, A. He, A. Ratner and C. Ré, "Learning Dependency Structures for Weak Supervision Models",
ICML 2019. https://arxiv.org/abs/1903.05844
S. Ma, L. Xue and H. Zou, "Alternating Direction Methods for Latent Variable Gaussian Graphical Model Selection",
Neural Computation 25(8), 2013.
S. Boyd, N. Parikh, E. Chu, B. Peleato and J. Eckstein, "Distributed Optimization and Statistical Learning via the
Alternating Direction Method of Multipliers", Foundations and Trends in Machine Learning 3(1), 2011.
V. Chandrasekaran, P. A. Parrilo and A. S. Willsky, "Latent variable graphical model selection via convex
optimization", Annals of Statistics 40(4), 2012.
A. Beck and M. Teboulle, "A Fast Iterative Shrinkage-Thresholding Algorithm for Linear Inverse Problems", SIAM
Journal on Imaging Sciences 2(1), 2009.
B. O'Donoghue and E. Candès, "Adaptive Restart for Accelerated Gradient Schemes", Foundations of Computational
Mathematics 15(3), 2015.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from .._validate.arguments import check_fraction, check_positive, check_positive_int
from ..errors import InvalidParameterError
from . import _contracted_pairs, _signed_pairs
from ._compress import compress_rows
from ._params import fit_votes, n_classes

__all__ = [
    "LearnedDependencies",
    "SparseLowRank",
    "indicator_correlation",
    "learn_dependencies",
    "gram_correlation",
    "learned_pairs",
    "learner_pairs",
    "solve_learner",
    "sparse_low_rank",
    "sparse_low_rank_admm",
]

#: The label model's use of the learner (:func:`learned_pairs`, on mostly one-class votes: :mod:`._one_class_fit`):
#: the defaults of :func:`learn_dependencies` (``λ_n``'s scale, ``γ``, the partial-correlation threshold ``T``), and at
#: most this many indicators (each step decomposes a d x d matrix).
LAM_SCALE, GAMMA, THRESHOLD, LABEL_MODEL_MAX_INDICATORS = 5.0, 0.6, 0.05, 100

#: FISTA's tolerance there (:func:`sparse_low_rank`'s ``tol``, where ADMM does not stop): looser than its default, the
#: same pairs in the same order on every set the one-class fit was judged on (``benchmarks/dev_weak_one_class_fast.py``).
LABEL_MODEL_TOL = 1e-5


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
    owner, cls = _kept_indicators(matrix, n_classes, w)
    if not len(owner):
        return np.zeros((0, 0)), np.zeros(0, dtype=int)
    x = (matrix[:, owner] == cls).astype(np.float64, order="C")  # C order: the BLAS products of the stacked columns
    mean = w @ x / w.sum()
    centred = x - mean
    cov = (centred * w[:, None]).T @ centred / w.sum()
    sd = np.sqrt(np.diag(cov))
    return cov / np.outer(sd, sd), owner


def _kept_indicators(matrix: np.ndarray, n_classes: int, w: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The function and class of each indicator of :func:`indicator_correlation` that is kept, function by function:
    those whose weighted mean ``float(w @ col) / float(w.sum())`` lies strictly between 0 and 1.

    With weights that are whole numbers of at least 1 summing to at most ``2**52`` (row counts), every sum of them is
    exact in any order, so that mean is in ``(0, 1)`` exactly where the indicator is 1 on some row and 0 on another:
    counted for all indicators at once. Other weights take that expression column by column."""
    total = float(w.sum())
    exact = bool(np.all(w >= 1.0)) and bool(np.all(w == np.floor(w))) and total <= 2.0**52
    if exact:
        ones = np.stack([(matrix == a).sum(axis=0) for a in range(n_classes)], axis=1)
        kept = (ones > 0) & (ones < len(matrix))
    else:
        kept = np.zeros((matrix.shape[1], n_classes), dtype=bool)
        for j in range(matrix.shape[1]):
            for a in range(n_classes):
                mean = float(w @ (matrix[:, j] == a).astype(np.float64)) / total
                kept[j, a] = 0.0 < mean < 1.0
    owner, cls = np.nonzero(kept)
    return owner.astype(int), cls


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
    check_positive("lam", lam)
    check_positive("gamma", gamma)
    d = sigma.shape[0]
    step = 1.0 / (2.0 * max(float(np.linalg.eigvalsh(sigma)[-1]), 1e-12))  # 1 / Lipschitz constant in (S, L)
    s = np.diag(1.0 / np.maximum(np.diag(sigma), 1e-12))
    low, eye = np.zeros((d, d)), np.eye(d)
    s_prev, low_prev, y_s, y_l, t = s, low, s, low, 1.0
    converged, it = False, 0
    while it < max_iter:
        it += 1
        r = y_s - y_l
        grad = 0.5 * (sigma @ r + r @ sigma) - eye
        s = _shrink_off_diagonal(y_s - step * grad, step * lam * gamma)
        vals, vecs = np.linalg.eigh(y_l + step * grad)
        low = (vecs * np.maximum(vals - step * lam, 0.0)) @ vecs.T
        low = 0.5 * (low + low.T)
        change = max(float(np.abs(s - s_prev).max()), float(np.abs(low - low_prev).max()))
        if np.vdot(y_s - s, s - s_prev) + np.vdot(y_l - low, low - low_prev) > 0:  # momentum against the step
            y_s, y_l, t = s, low, 1.0  # adaptive restart (O'Donoghue and Candès 2015)
        else:
            t_next = 0.5 * (1.0 + np.sqrt(1.0 + 4.0 * t * t))
            y_s = s + (t - 1.0) / t_next * (s - s_prev)
            y_l = low + (t - 1.0) / t_next * (low - low_prev)
            t = t_next
        s_prev, low_prev = s, low
        if change < tol:
            converged = True
            break
    pd_ok = bool(np.linalg.eigvalsh(0.5 * ((s - low) + (s - low).T))[0] > 0) if d else True
    return SparseLowRank(s, low, it, converged, pd_ok)


def _shrink_off_diagonal(s: np.ndarray, threshold: float) -> np.ndarray:
    """``S``'s proximal step: its off-diagonal entries soft thresholded by ``threshold`` (the ℓ1 penalty), its
    diagonal kept (not penalised)."""
    out = np.sign(s) * np.maximum(np.abs(s) - threshold, 0.0)
    np.fill_diagonal(out, s.diagonal())
    return out


def sparse_low_rank_admm(
    sigma: np.ndarray, lam: float, gamma: float, *, rho: float = 1.0, max_iter: int = 2000, tol: float = 1e-6
) -> SparseLowRank:
    """:func:`sparse_low_rank`'s program by the alternating direction method of multipliers on ``R = S − L``.

    Ma, Xue and Zou's (2013) three-block ADMM for this sparse plus low-rank split, with the paper's quadratic loss:
    the ``R`` step solves ``½(ΣR + RΣ) + ρR = I + ρ(S − L − U)`` in ``Σ``'s eigenbasis (one decomposition of ``Σ``
    for all steps), then ``S`` is soft thresholded (the diagonal is not penalised) and ``L`` shrunk on the PSD cone
    (one eigendecomposition a step), and the scaled dual ``U`` moves by the residual ``R − S + L``. ``ρ`` starts at
    1 (``Σ`` is a correlation matrix: the ``R`` step's mean curvature) and is balanced at every step as Boyd et al.
    (2011, section 3.4.1) do: doubled or halved when one residual is more than 10 times the other.

    Stops when the residual and ``ρ`` times the largest change of ``S`` or ``L`` are both below ``tol``; three-block
    ADMM has no general convergence proof, so the caller falls back to FISTA where it has not stopped.
    """
    sigma = np.asarray(sigma, dtype=np.float64)
    d = sigma.shape[0]
    ev, q = np.linalg.eigh(sigma)
    curvature = 0.5 * (ev[:, None] + ev[None, :])
    eye = np.eye(d)
    s, low, u = np.diag(1.0 / np.maximum(np.diag(sigma), 1e-12)), np.zeros((d, d)), np.zeros((d, d))
    converged, it, shifted = False, 0, curvature + rho  # the R step's denominator, made again when ρ changes
    while it < max_iter:
        it += 1
        r = q @ ((q.T @ (eye + rho * (s - low - u)) @ q) / shifted) @ q.T
        r = 0.5 * (r + r.T)
        s_prev, low_prev = s, low
        s = _shrink_off_diagonal(r + low + u, lam * gamma / rho)
        vals, vecs = np.linalg.eigh(s - r - u)
        keep = vals > lam / rho
        kept = vecs[:, keep]
        low = (kept * (vals[keep] - lam / rho)) @ kept.T
        low = 0.5 * (low + low.T)
        residual = r - s + low
        u = u + residual
        primal = float(np.abs(residual).max())
        dual = rho * max(float(np.abs(s - s_prev).max()), float(np.abs(low - low_prev).max()))
        if primal < tol and dual < tol:
            converged = True
            break
        if max(primal, dual) > 10.0 * min(primal, dual):  # residual balancing
            factor = 2.0 if primal > dual else 0.5
            rho, u = rho * factor, u / factor
            shifted = curvature + rho
    pd_ok = bool(np.linalg.eigvalsh(0.5 * ((s - low) + (s - low).T))[0] > 0) if d else True
    return SparseLowRank(s, low, it, converged, pd_ok)


@dataclass(frozen=True)
class LearnedDependencies:
    """The result of :func:`learn_dependencies`.

    Attributes
    ----------
    pairs : tuple of (labeler, labeler)
        The dependent pairs, strongest first: pass them as ``LabelModel(dependencies=...)``.
    partial_correlation : tuple of float
        Each pair's largest partial correlation given the latent class, ``|Ŝ_ij| / sqrt(Ŝ_ii Ŝ_jj)``.
    labelers : tuple
        The labelers, in the votes' order.
    n_indicators : int
        The (labeler, class) indicators the program ran on (constant ones left out).
    rank : int
        The rank of ``L̂`` (the latent class's share; ``K − 1`` where the model fits).
    converged, positive_definite : bool
        Whether FISTA stopped on its tolerance, and whether ``Ŝ − L̂ ≻ 0`` (else no pair is returned).
    """

    pairs: tuple[tuple[Any, Any], ...]
    partial_correlation: tuple[float, ...]
    labelers: tuple[Any, ...]
    n_indicators: int
    rank: int
    converged: bool
    positive_definite: bool

    def to_frame(self) -> pd.DataFrame:
        """One row per pair: ``labeler_a``, ``labeler_b``, ``partial_correlation``, strongest first."""
        return pd.DataFrame(
            {
                "labeler_a": [a for a, _ in self.pairs],
                "labeler_b": [b for _, b in self.pairs],
                "partial_correlation": list(self.partial_correlation),
            }
        )


def learn_dependencies(
    votes: Any,
    *,
    lam_scale: float = LAM_SCALE,
    gamma: float = GAMMA,
    threshold: float = THRESHOLD,
    max_indicators: int = 200,
    labels: Any = None,
) -> LearnedDependencies:
    """Dependent labeling functions from their votes alone (Varma et al. 2019; see the module's docstring).

    Parameters
    ----------
    votes : Votes, long table (item, labeler, label) or matrix (items x labelers, ``-1`` = abstain)
    lam_scale : float, default 5.0
        ``λ_n = lam_scale · sqrt(log d / n)``: the weight of ``‖L‖_*``, and with ``gamma`` of ``‖S‖₁``.
    gamma : float, default 0.6
        The paper's ``γ``: ``S``'s ℓ1 weight relative to ``L``'s trace.
    threshold : float in [0, 1), default 0.05
        The partial correlation above which a pair is dependent.
    max_indicators : int, default 200
        The most (labeler, class) indicators accepted: each FISTA step decomposes a ``d x d`` matrix.
    labels : sequence, optional
        The classes (default: those voted).

    Returns
    -------
    LearnedDependencies

    Raises
    ------
    InvalidParameterError
        A weight that is not positive, a threshold outside [0, 1), or more indicators than ``max_indicators``.

    Examples
    --------
    >>> import numpy as np
    >>> from labelwise import weak
    >>> rng = np.random.default_rng(0)
    >>> y = rng.random(4000) < 0.5
    >>> trigger = rng.random(4000) < np.where(y, 0.7, 0.15)
    >>> rule = np.where(trigger & (rng.random(4000) < 0.9), 1, -1)
    >>> copy = np.where(rng.random(4000) < 0.02, -1, rule)
    >>> other = np.where(rng.random(4000) < np.where(y, 0.03, 0.3), 0, -1)
    >>> weak.learn_dependencies(np.column_stack([rule, copy, other])).pairs
    (('lf_0', 'lf_1'),)
    """
    check_positive("lam_scale", lam_scale)
    check_positive("gamma", gamma)
    check_fraction("threshold", threshold)
    check_positive_int("max_indicators", max_indicators, minimum=2)
    v = fit_votes(votes, labels)
    k = n_classes(v.classes, labels)
    rows = compress_rows(v.matrix(), k)
    corr, owner = indicator_correlation(rows.matrix, k, rows.weights)
    d = len(owner)
    if d > max_indicators:
        raise InvalidParameterError(
            f"max_indicators is {max_indicators}, got votes with {d} (labeler, class) indicators: raise "
            "max_indicators (each step decomposes a d x d matrix) or learn the structure of fewer labelers"
        )
    if d < 2:
        return LearnedDependencies((), (), tuple(v.labelers), d, 0, True, True)
    lam = float(lam_scale) * float(np.sqrt(np.log(d) / float(rows.weights.sum())))
    fit = sparse_low_rank(corr, lam, float(gamma))
    vals = np.linalg.eigvalsh(fit.low_rank)
    rank = int((vals > 1e-6 * max(float(vals[-1]), 1e-12)).sum()) if vals[-1] > 1e-12 else 0
    found = _pairs(fit, owner, float(threshold)) if fit.positive_definite else []
    pairs = tuple((v.labelers[j], v.labelers[jj]) for j, jj, _ in found)
    strength = tuple(value for _, _, value in found)
    return LearnedDependencies(pairs, strength, tuple(v.labelers), d, rank, fit.converged, fit.positive_definite)


def gram_correlation(gram: Any, n_classes: int, total: float) -> tuple[np.ndarray, np.ndarray]:
    """:func:`indicator_correlation` from the indicators' weighted gram ``λᵀWλ`` (``(m·K, m·K)``, column
    ``j·K + a`` for function ``j`` voting ``a``; ``total``: the weights' sum): the indicators are 0 or 1, so their
    means are the gram's diagonal over ``total`` and their covariance ``gram / total − mean meanᵀ``."""
    g = gram.toarray() if hasattr(gram, "toarray") else np.asarray(gram, dtype=np.float64)
    mean = np.diag(g) / total
    kept = np.flatnonzero((mean > 0.0) & (mean < 1.0))
    cov = g[np.ix_(kept, kept)] / total - np.outer(mean[kept], mean[kept])
    sd = np.sqrt(np.diag(cov))
    return cov / np.outer(sd, sd), kept // n_classes


def learned_pairs(
    matrix: np.ndarray, weights: np.ndarray, n_classes: int, gram: Any = None
) -> list[tuple[int, int]] | None:
    """The dependent pairs of the vote rows ``matrix`` (row ``i`` standing for ``weights[i]`` items) by
    :func:`learn_dependencies`'s defaults, strongest first; ``None`` with more than
    :data:`LABEL_MODEL_MAX_INDICATORS` indicators (the learner does not run). ``gram``: the vote indicators'
    weighted gram where the caller has it (:func:`gram_correlation`). Where :data:`._contracted_pairs.ENABLED`, the
    joins of :func:`~._contracted_pairs.joins` follow the pairs.

    The program is solved by ADMM (:func:`sparse_low_rank_admm`), and by FISTA (:func:`sparse_low_rank`, at
    :data:`LABEL_MODEL_TOL`) where ADMM has not stopped within its steps (:func:`solve_learner`)."""
    solved = solve_learner(matrix, weights, n_classes, gram)
    if solved is None:
        return None
    pairs = [(j, jj) for j, jj, _ in learner_pairs(solved, THRESHOLD)]
    if _signed_pairs.ENABLED:  # only positively dependent pairs (:mod:`._signed_pairs`)
        pairs = _signed_pairs.positive_pairs(pairs, solved, THRESHOLD)
    if _contracted_pairs.ENABLED and pairs:
        pairs += _contracted_pairs.joins(matrix, weights, n_classes, pairs, solved, gram)
    return pairs


def solve_learner(
    matrix: np.ndarray, weights: np.ndarray, n_classes: int, gram: Any = None
) -> tuple[SparseLowRank | None, np.ndarray] | None:
    """The program of :func:`learned_pairs` solved on the vote rows ``matrix``: the solution (``None`` with fewer
    than two indicators) and each indicator's function; ``None`` with more than :data:`LABEL_MODEL_MAX_INDICATORS`
    indicators."""
    total = float(np.asarray(weights, dtype=np.float64).sum())
    if gram is None:
        corr, owner = indicator_correlation(matrix, n_classes, weights)
    else:
        corr, owner = gram_correlation(gram, n_classes, total)
    d = len(owner)
    if d > LABEL_MODEL_MAX_INDICATORS:
        return None
    if d < 2:
        return None, owner
    lam = LAM_SCALE * float(np.sqrt(np.log(d) / total))
    fit = sparse_low_rank_admm(corr, lam, GAMMA)
    if not fit.converged:
        fit = sparse_low_rank(corr, lam, GAMMA, tol=LABEL_MODEL_TOL)
    return fit, owner


def learner_pairs(
    solved: tuple[SparseLowRank | None, np.ndarray] | None, threshold: float
) -> list[tuple[int, int, float]]:
    """The pairs of functions of a solve of :func:`solve_learner` above ``threshold`` with their partial correlation,
    strongest first (:func:`_pairs`); none without a positive definite solution."""
    if solved is None or solved[0] is None or not solved[0].positive_definite:
        return []
    return _pairs(solved[0], solved[1], threshold)


def _pairs(fit: SparseLowRank, owner: np.ndarray, threshold: float) -> list[tuple[int, int, float]]:
    """Pairs of functions ``(j, j', partial correlation)`` with an indicator pair above ``threshold``, strongest
    first (a function's own indicators are not a pair)."""
    diag = np.sqrt(np.maximum(np.diag(fit.sparse), 1e-12))
    partial = np.abs(fit.sparse) / np.outer(diag, diag)
    best: dict[tuple[int, int], float] = {}
    rows, cols = np.nonzero(np.triu(partial > threshold, 1))
    for a, b in zip(rows.tolist(), cols.tolist(), strict=True):
        j, jj = sorted((int(owner[a]), int(owner[b])))
        if j != jj:
            best[(j, jj)] = max(best.get((j, jj), 0.0), float(partial[a, b]))
    return sorted(((j, jj, value) for (j, jj), value in best.items()), key=lambda x: (-x[2], x[0], x[1]))
