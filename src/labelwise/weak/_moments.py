"""The moments a label model is fitted on: the one-hot vote indicator and the overlap matrix.

For ``m`` labeling functions and ``K`` classes, the indicator ``λ`` of an item has ``m·K`` entries,
``λ[j·K + a] = 1`` when function ``j`` votes ``a`` (all zeros for an abstain). The overlap matrix is
``O = E[λ λᵀ]``, estimated as ``λᵀλ / n``. Ratner et al. (2019) recover the conditional
probabilities ``μ[(j, a), y] = P(λ_j = a | Y = y)`` from it: under conditional independence of
the functions given the label, every block of ``O`` off the block diagonal satisfies
``O = μ P μᵀ`` with ``P = diag(class balance)``, and the diagonal gives ``μ p = diag(O)``.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import scipy.sparse as sp
from scipy.optimize import linear_sum_assignment, minimize

from ._votes import ABSTAIN

__all__ = ["align_classes", "fit_mu", "indicator", "overlap_mask"]


def indicator(matrix: np.ndarray, n_classes: int) -> sp.csr_matrix:
    """The sparse (n, m·K) one-hot vote indicator of a label matrix (-1 = abstain)."""
    n, m = matrix.shape
    rows, cols = np.nonzero(matrix != ABSTAIN)
    data = np.ones(len(rows), dtype=np.float64)
    return sp.csr_matrix((data, (rows, cols * n_classes + matrix[rows, cols])), shape=(n, m * n_classes))


def overlap_mask(n_lfs: int, n_classes: int, dependencies: Iterable[tuple[int, int]] = ()) -> np.ndarray:
    """Which entries of ``O`` the independence model must explain: pairs of different, independent functions."""
    block = np.repeat(np.arange(n_lfs), n_classes)
    mask = block[:, None] != block[None, :]
    for a, b in dependencies:
        ia, ib = block == a, block == b
        mask[np.ix_(ia, ib)] = False
        mask[np.ix_(ib, ia)] = False
    return mask


def _loss_grad(flat: np.ndarray, o: np.ndarray, d: np.ndarray, p: np.ndarray, mask: np.ndarray,
               mu0: np.ndarray, l2: float) -> tuple[float, np.ndarray]:
    mu = flat.reshape(mu0.shape)
    mp = mu * p  # μ P
    resid = (mp @ mu.T - o) * mask
    r = mp.sum(axis=1) - d
    diff = mu - mu0
    loss = float((resid * resid).sum() + r @ r + l2 * (diff * diff).sum())
    grad = 4.0 * (resid @ mp) + 2.0 * np.outer(r, p) + 2.0 * l2 * diff
    return loss, grad.ravel()


def fit_mu(o: np.ndarray, p: np.ndarray, mask: np.ndarray, mu0: np.ndarray, *, l2: float = 0.0,
           max_iter: int = 500, tol: float = 1e-10) -> tuple[np.ndarray, float, int, bool]:
    """Minimise ``‖mask ⊙ (O − μPμᵀ)‖² + ‖μp − diag(O)‖² + l2‖μ − μ₀‖²`` over ``0 ≤ μ ≤ 1``.

    The gradient is analytic (``4 R μ P + 2 r pᵀ``, ``R`` the masked residual, ``r`` the diagonal
    one); L-BFGS-B handles the box constraints.

    Returns
    -------
    mu, final loss, iterations, converged
    """
    d = np.diag(o).copy()
    res = minimize(
        _loss_grad, mu0.ravel(), args=(o, d, p, mask, mu0, l2), jac=True, method="L-BFGS-B",
        bounds=[(0.0, 1.0)] * mu0.size, options={"maxiter": max_iter, "ftol": tol, "gtol": 1e-12},
    )
    return res.x.reshape(mu0.shape), float(res.fun), int(res.nit), bool(res.success)


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
