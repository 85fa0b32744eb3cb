"""The moments a label model is fitted on: the one-hot vote indicator and the overlap matrix.

For ``m`` labeling functions and ``K`` classes, the indicator ``λ`` of an item has ``m·K`` entries,
``λ[j·K + a] = 1`` when function ``j`` votes ``a`` (all zeros for an abstain). The overlap matrix is
``O = E[λ λᵀ]``, estimated as ``λᵀλ / n``. Ratner et al. (2019) recover the conditional
probabilities ``μ[(j, a), y] = P(λ_j = a | Y = y)`` from it: under conditional independence of
the functions given the label, every block of ``O`` off the block diagonal satisfies
``O = μ P μᵀ`` with ``P = diag(class balance)``, and the diagonal gives ``μ p = diag(O)``.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from functools import cached_property

import numpy as np
import scipy.sparse as sp
from scipy.optimize import linear_sum_assignment

from ._shared_steps import reused_for
from ._simplex import sub_stochastic
from ._votes import ABSTAIN, kept_entries

__all__ = ["align_classes", "fit_mu", "indicator", "overlap_mask", "transposed", "weighted_gram"]


def _clip_ufunc() -> Callable[..., np.ndarray]:
    """The ufunc ``np.clip`` ends in on a float array with two bounds (numpy 2's ``_core``, 1.26's ``core``), or
    ``np.clip`` itself where neither module has it."""
    for name in ("numpy._core.umath", "numpy.core.umath"):
        try:
            return importlib.import_module(name).clip
        except (ImportError, AttributeError):  # pragma: no cover - another numpy
            continue
    return np.clip  # pragma: no cover


_CLIP = _clip_ufunc()
_MAX = np.maximum.reduce  # ``ndarray.max``'s reduction, without its Python layer

#: Largest m·K for which the moment fit uses a dense overlap matrix (small problems, where sparse
#: products cost more in overhead than in arithmetic).
DENSE_MAX = 400


def indicator(matrix: np.ndarray, n_classes: int) -> sp.csr_matrix:
    """The sparse (n, m·K) one-hot vote indicator of a label matrix (-1 = abstain)."""
    n, m = matrix.shape
    codes = (np.arange(m) * n_classes)[None, :] + matrix  # row-major: each row's columns in order
    indices, indptr = kept_entries(codes, matrix != ABSTAIN)
    return sp.csr_matrix((np.ones(len(indices)), indices, indptr), shape=(n, m * n_classes))


def transposed(lam: sp.csr_matrix) -> sp.csr_matrix:
    """``lam.T.tocsr()``, once per indicator where the label model's fits share their steps (:func:`reused_for`)."""
    return reused_for(lam, "transposed", lambda: lam.T.tocsr())


def weighted_gram(lam: sp.csr_matrix, weights: np.ndarray) -> sp.csr_matrix:
    """``λᵀ W λ`` (sparse), ``W = diag(weights)``: per pair of (function, vote), the items where both hold.
    ``W λ`` is formed by scaling ``λ``'s entries by their rows' weights (no diagonal-matrix product). With whole
    weights (row counts) every sum is a whole number held exactly, and the product is taken from ``λ``'s CSR
    transpose (:func:`transposed`, shared), without scipy's conversions of the scaled copy to CSC and of the CSC
    product back."""
    lam = lam if isinstance(lam, sp.csr_matrix) else sp.csr_matrix(lam)
    rows = np.repeat(np.arange(lam.shape[0]), np.diff(lam.indptr))
    w = np.asarray(weights, dtype=np.float64)
    scaled = sp.csr_matrix((lam.data * w[rows], lam.indices, lam.indptr), shape=lam.shape)
    if np.array_equal(w, np.floor(w)) and float(np.abs(w).sum()) < 2.0**53 and lam.data.dtype == np.float64:
        product = transposed(lam) @ scaled
        product.sort_indices()  # (already sorted by scipy's product of CSR matrices; canonical as before)
        return sp.csr_matrix(product)
    return sp.csr_matrix(lam.T @ scaled)


def overlap_mask(n_lfs: int, n_classes: int, dependencies: Iterable[tuple[int, int]] = ()) -> np.ndarray:
    """Dense mask of the entries of ``O`` the independence model must explain (for small problems and tests)."""
    block = np.repeat(np.arange(n_lfs), n_classes)
    mask = block[:, None] != block[None, :]
    for a, b in dependencies:
        ia, ib = block == a, block == b
        mask[np.ix_(ia, ib)] = False
        mask[np.ix_(ib, ia)] = False
    return mask


@dataclass(frozen=True)
class Overlaps:
    """``O`` restricted to the fitted entries (sparse), ``diag(O)``, and the excluded blocks.

    ``excluded[j]`` lists the functions ``b`` whose block ``(j, b)`` is not fitted: ``j`` itself
    and the functions it is declared dependent on.
    """

    fitted: sp.csr_matrix | np.ndarray
    diag: np.ndarray
    excluded: list[list[int]]
    n_lfs: int
    n_classes: int

    @cached_property
    def excluded_matrix(self) -> sp.csr_matrix | np.ndarray:
        """(m, m) indicator of the excluded blocks (the identity plus declared dependencies); built once,
        dense when ``fitted`` is."""
        rows = np.repeat(np.arange(self.n_lfs), [len(ex) for ex in self.excluded])
        cols = np.concatenate([np.asarray(ex, dtype=np.int64) for ex in self.excluded])
        out = sp.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(self.n_lfs, self.n_lfs))
        return out.toarray() if isinstance(self.fitted, np.ndarray) else out

    @cached_property
    def only_self(self) -> bool:
        """Whether each function's only excluded block is its own (no declared dependency)."""
        return all(len(ex) == 1 for ex in self.excluded)

    @classmethod
    def build(
        cls,
        lam: sp.csr_matrix,
        n_lfs: int,
        n_classes: int,
        dependencies: Iterable[tuple[int, int]] = (),
        weights: np.ndarray | None = None,
        gram: sp.spmatrix | None = None,
    ) -> Overlaps:
        """From the (n, m·K) vote indicator: ``O = λᵀλ / n``, kept sparse (pairs that never vote together are zeros).

        With ``weights`` (the number of items sharing each row of ``λ``), ``O = λᵀ W λ / Σ w``;
        ``gram``, if given, is ``λᵀ W λ`` already computed (:func:`weighted_gram`).
        """
        if weights is None:
            o = (lam.T @ lam).tocoo()
            o.data /= lam.shape[0]
        else:
            o = (weighted_gram(lam, weights) if gram is None else gram).tocoo(copy=True)
            o.data /= float(weights.sum())
        excluded = [[j] for j in range(n_lfs)]
        for a, b in dependencies:
            if a != b:
                excluded[a].append(b)
                excluded[b].append(a)
        rb, cb = o.row // n_classes, o.col // n_classes
        drop = rb == cb
        pairs = {a * n_lfs + b for a, ex in enumerate(excluded) for b in ex if a != b}
        if pairs:
            drop |= np.isin(rb * n_lfs + cb, np.fromiter(pairs, dtype=np.int64))
        diag = np.zeros(n_lfs * n_classes)
        on_diag = o.row == o.col
        diag[o.row[on_diag]] = o.data[on_diag]
        keep = ~drop
        fitted = sp.csr_matrix((o.data[keep], (o.row[keep], o.col[keep])), shape=o.shape)
        return cls(fitted, diag, excluded, n_lfs, n_classes)


def _dot(a: np.ndarray, b: np.ndarray) -> float:
    """``Σ a ⊙ b`` over every entry (C-contiguous arrays of one shape): ``np.vdot``, the flattened arrays' BLAS dot
    product that ``a.ravel() @ b.ravel()`` also calls, without the two views."""
    return float(np.vdot(a, b))


def _loss_grad(
    flat: np.ndarray,
    ov: Overlaps,
    p: np.ndarray,
    mu0: np.ndarray,
    l2: float,
    const: float,
    root: np.ndarray | None = None,
) -> tuple[float, np.ndarray]:
    """Loss and gradient without forming the dense ``μPμᵀ``: with ``Q = μ P^½`` (so ``μPμᵀ = QQᵀ``),

    ``‖Ω⊙(O − QQᵀ)‖² = ‖Ω⊙O‖² − 2 tr(Qᵀ (Ω⊙O) Q) + ‖QᵀQ‖² − Σ_{(a,b) excluded} ⟨G_a, G_b⟩``,
    ``G_j = Q_jᵀQ_j`` the K×K Gram matrix of function ``j``'s rows; all K×K work plus one sparse
    product, so thousands of functions (crowd sets: one per annotator) stay cheap. ``root``: ``√p`` where the caller
    made it once for the fit (:func:`fit_mu`).
    """
    m, k = ov.n_lfs, ov.n_classes
    mu = flat.reshape(mu0.shape)
    root = np.sqrt(p) if root is None else root
    q = mu * root
    oq = np.asarray(ov.fitted @ q)
    qq = q.T @ q
    qb = q.reshape(m, k, k)
    gram = np.matmul(qb.transpose(0, 2, 1), qb)  # batched K×K products: faster than einsum here
    # Σ_{b excluded with j} G_b: G_j itself when no dependency is declared (the identity's product, to the bit)
    near = gram if ov.only_self else np.asarray(ov.excluded_matrix @ gram.reshape(m, k * k)).reshape(m, k, k)
    # inner products as dot products of the flattened arrays (numpy's sum costs more on arrays this small)
    loss1 = const - 2.0 * _dot(q, oq) + _dot(qq, qq) - _dot(gram, near)
    grad_q = -4.0 * oq + 4.0 * q @ qq - 4.0 * np.matmul(qb, near).reshape(m * k, k)
    r = mu @ p - ov.diag
    loss = loss1 + float(r @ r)
    grad = grad_q * root + 2.0 * (r[:, None] * p)  # np.outer's product
    if l2:  # else its terms are zeros, whose sum leaves every (nonzero-signed) entry as it is
        diff = mu - mu0
        loss += l2 * _dot(diff, diff)
        grad += 2.0 * l2 * diff
    return loss, grad.ravel()


def _box(x: np.ndarray) -> np.ndarray:
    """``np.clip(x, 0.0, 1.0)``: the ufunc it calls on a float array, without its Python layers (one call per step)."""
    return _CLIP(x, 0.0, 1.0)


def _projected_bb(
    fun, x0: np.ndarray, *, max_iter: int, tol: float, project: Callable[[np.ndarray], np.ndarray] = _box
) -> tuple[np.ndarray, float, int, bool]:
    """Minimise ``fun`` (returning loss, gradient) over a convex set, by default the box ``[0, 1]`` (``project``:
    the Euclidean projection onto it): projected gradient with
    Barzilai-Borwein steps and a non-monotone line search (the spectral projected gradient of
    Birgin, Martínez and Raydan, 2000). Each iteration costs one loss/gradient evaluation and no
    quasi-Newton bookkeeping, which matters with tens of thousands of parameters."""
    x = project(x0)
    f, g = fun(x)
    recent = [f]
    step = 1.0 / max(float(np.abs(g).max()), 1e-12)
    for it in range(1, max_iter + 1):
        while True:
            x_new = project(x - step * g)
            move = x_new - x
            f_new, g_new = fun(x_new)
            if f_new <= max(recent) + 1e-4 * float(g @ move) or step < 1e-20:
                break
            step *= 0.5
        if float(_MAX(np.abs(move), axis=None)) < tol or abs(f - f_new) <= tol * max(abs(f), 1e-12):
            return x_new, f_new, it, True
        dy = g_new - g
        curv = float(move @ dy)
        step = float(move @ move) / curv if curv > 0 else step * 2.0
        x, f, g = x_new, f_new, g_new
        recent = (recent + [f])[-10:]
    return x, f, max_iter, False


def fit_mu(
    ov: Overlaps,
    p: np.ndarray,
    mu0: np.ndarray,
    *,
    l2: float = 0.0,
    max_iter: int = 500,
    tol: float = 1e-9,
    simplex: bool = False,
) -> tuple[np.ndarray, float, int, bool]:
    """Minimise ``‖Ω ⊙ (O − μPμᵀ)‖² + ‖μp − diag(O)‖² + l2‖μ − μ₀‖²`` over ``0 ≤ μ ≤ 1``; with ``simplex``, over
    the ``μ`` whose ``μ[(j, ·), y]`` are sub-probability vectors (:mod:`._simplex`: the abstain ``1 − Σ_a μ ≥ 0``).

    The gradient is analytic (``−4(Ω⊙O)μP + 4(Ω⊙μPμᵀ)μP + 2 r pᵀ``, ``r`` the diagonal residual);
    the box is handled by projected Barzilai-Borwein steps (Snorkel runs Adam for a fixed number
    of epochs).

    Returns
    -------
    mu, final loss, iterations, converged
    """
    if isinstance(ov.fitted, np.ndarray):
        const = float((ov.fitted * ov.fitted).sum())
    else:
        const = float(ov.fitted.multiply(ov.fitted).sum())
        if ov.fitted.shape[0] <= DENSE_MAX:  # small: dense products cost less than the sparse overheads
            ov = replace(ov, fitted=ov.fitted.toarray())
    root = np.sqrt(p)
    x, f, it, ok = _projected_bb(
        lambda z: _loss_grad(z, ov, p, mu0, l2, const, root),
        mu0.ravel(),
        max_iter=max_iter,
        tol=tol,
        project=sub_stochastic(ov.n_lfs, ov.n_classes) if simplex else _box,
    )
    return x.reshape(mu0.shape), float(f), it, ok


def align_classes(mu: np.ndarray, n_lfs: int, n_classes: int) -> np.ndarray:
    """The column order of ``μ`` that makes the functions' votes agree with the latent class most.

    The fit is symmetric under relabelling the latent classes (exactly so for a uniform class
    balance); Snorkel's label model resolves it by the permutation that maximises the votes for
    ``y`` under latent class ``y``. This does the same with an assignment problem:
    ``S[a, c] = Σ_j μ[(j, a), c]``, maximise ``Σ_a S[a, π(a)]``.
    """
    score = mu.reshape(n_lfs, n_classes, n_classes).sum(axis=0)
    rows, cols = linear_sum_assignment(-score)
    return cols[np.argsort(rows)]
