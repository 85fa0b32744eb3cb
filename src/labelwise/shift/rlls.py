"""Regularized learning under label shift (Azizzadenesheli, Liu, Yang & Anandkumar 2019)."""

from __future__ import annotations

import numpy as np
from scipy.optimize import minimize

from ._common import joint_confusion, predicted_marginal, priors_from_weights

__all__ = ["delta_c", "estimate"]


def _kink_solution(C: np.ndarray, b: np.ndarray, reg: float) -> np.ndarray | None:
    """The minimiser when it sits where the objective is not differentiable, else ``None``.

    ``f(theta) = ||C theta - b|| + reg ||theta||`` is smooth except at ``theta = 0`` and where
    ``C theta = b``; a gradient method crawls into such a kink. By the subgradient optimality
    condition, ``theta = 0`` is optimal iff ``||C^T b|| <= reg ||b||``; for invertible ``C`` the
    exact solution ``theta_b = C^{-1} b`` (feasible: ``theta_b > -1``) is optimal iff
    ``reg ||C^{-T} theta_b|| <= ||theta_b||`` (a subgradient ``g`` of the first norm, ``||g|| <= 1``,
    must cancel ``reg theta_b / ||theta_b||``). Neither kink touches the bound, so the bound adds
    no multiplier there.
    """
    nb = float(np.linalg.norm(b))
    if nb == 0.0 or np.linalg.norm(C.T @ b) <= reg * nb:
        return np.zeros(C.shape[1])
    try:
        theta = np.linalg.solve(C, b)
        g = np.linalg.solve(C.T, theta)
    except np.linalg.LinAlgError:
        return None
    if not np.all(np.isfinite(theta)) or np.any(theta <= -1.0):
        return None
    if reg * np.linalg.norm(g) <= np.linalg.norm(theta):
        return theta
    return None


def delta_c(n_classes: int, n_source: int, delta: float = 0.05) -> float:
    """The paper's concentration bound on ``||C_hat - C||``: ``3 (2 log(2k/delta) / (3n) + sqrt(2 log(2k/delta) / n))``."""
    lg = np.log(2 * n_classes / delta)
    return float(3.0 * (2.0 * lg / (3.0 * n_source) + np.sqrt(2.0 * lg / n_source)))


def estimate(
    val_probs: np.ndarray,
    val_codes: np.ndarray,
    target_probs: np.ndarray,
    *,
    alpha: float = 0.01,
    delta: float = 0.05,
    lam: float = 1.0,
) -> dict:
    """RLLS: ``theta = argmin ||C theta - b||_2 + Delta_C ||theta||_2`` subject to ``theta >= -1``; ``w = 1 + lam theta``.

    ``C`` is the joint confusion matrix of hard predictions on the source (as in BBSE),
    ``b = mu_target - C 1`` is the shift of the predicted-class marginal, and the regulariser
    ``Delta_C = alpha * delta_c(k, n, delta)`` shrinks the correction ``theta = w - 1`` toward
    no shift when the source sample is small. ``alpha`` (0.01) scales the paper's bound as the
    authors' experiments do. Unlike BBSE it never needs ``C`` to be invertible.

    References
    ----------
    .. [1] K. Azizzadenesheli, A. Liu, F. Yang and A. Anandkumar, "Regularized Learning for Domain
       Adaptation under Label Shifts", ICLR 2019.
    """
    k = val_probs.shape[1]
    C = joint_confusion(val_probs, val_codes)
    b = predicted_marginal(target_probs) - C.sum(axis=1)
    reg = alpha * delta_c(k, len(val_codes), delta)

    def objective(theta: np.ndarray) -> tuple[float, np.ndarray]:
        r = C @ theta - b
        nr = np.sqrt(r @ r + 1e-18)
        nt = np.sqrt(theta @ theta + 1e-18)
        return float(nr + reg * nt), C.T @ r / nr + reg * theta / nt

    theta = _kink_solution(C, b, reg)
    n_iter = 0
    if theta is None:
        res = minimize(objective, np.zeros(k), jac=True, method="L-BFGS-B", bounds=[(-1.0, None)] * k)
        theta, n_iter = res.x, int(res.nit)
    w = 1.0 + lam * theta
    p_source = C.sum(axis=0)
    return {
        "priors": priors_from_weights(w, p_source),
        "source_priors": p_source,
        "raw_weights": w,
        "n_iter": n_iter,
    }
