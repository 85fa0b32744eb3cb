"""Loss and gradient of multinomial logistic regression under forward / backward loss correction.

Model: logits ``Z = X W + b`` (for two classes a single column, class 0's logit fixed at 0, as in
scikit-learn's binary logistic regression), ``q = softmax(Z)``. With ``T[i, j] = P(ỹ=j | y=i)``:

forward  ``ℓ(x, ỹ) = -log (Tᵀ q)_ỹ``; with ``r = q T``, ``∂ℓ/∂Z_k = q_k (1 - T[k, ỹ] / r_ỹ)``;
backward ``ℓ(x, ỹ) = Σ_j T⁻¹[ỹ, j] (-log q_j)``; ``∂ℓ/∂Z = q Σ_j T⁻¹[ỹ, j] - T⁻¹[ỹ, :]``.

The objective is ``Σ_n s_n ℓ_n / Σ s + ||W||² / (2 C Σ s)`` (the intercept is not penalised),
scikit-learn's scaling of ``C Σ s_n ℓ_n + ||W||² / 2``: same minimiser.
"""

from __future__ import annotations

import numpy as np
from scipy.special import logsumexp

#: Rows per block of the loss pass (bounds the (rows, K) temporaries).
BLOCK_ROWS = 1 << 15
#: Floor of the corrected probability ``r_ỹ`` inside the log (a T with zeros can make it 0).
_TINY = 1e-300


def logits(X, W: np.ndarray, b: np.ndarray, n_classes: int) -> np.ndarray:
    """``X W + b``, with a zero column prepended for two classes."""
    Z = np.asarray(X @ W) + b
    if n_classes == 2:
        Z = np.hstack([np.zeros((Z.shape[0], 1)), Z])
    return Z


def softmax(Z: np.ndarray) -> np.ndarray:
    return np.exp(Z - logsumexp(Z, axis=1, keepdims=True))


def unpack(theta: np.ndarray, n_features: int, n_out: int, fit_intercept: bool) -> tuple[np.ndarray, np.ndarray]:
    W = theta[: n_features * n_out].reshape(n_features, n_out)
    b = theta[n_features * n_out :] if fit_intercept else np.zeros(n_out)
    return W, b


def objective(
    theta: np.ndarray,
    X,
    codes: np.ndarray,
    weights: np.ndarray,
    matrix: np.ndarray,
    penalty: float,
    fit_intercept: bool,
    correction: str,
) -> tuple[float, np.ndarray]:
    """Objective and gradient (flat, like ``theta``) of the corrected, L2-penalised loss.

    ``matrix`` is ``T`` for ``"forward"`` and ``T⁻¹`` for ``"backward"``; ``weights`` are the sample
    weights divided by their sum and ``penalty`` is ``1 / (C Σ s)``.
    The rows are read in blocks of :data:`BLOCK_ROWS`.
    """
    n_classes = matrix.shape[0]
    n_out = 1 if n_classes == 2 else n_classes
    n_features = X.shape[1]
    W, b = unpack(theta, n_features, n_out, fit_intercept)
    loss = 0.0
    grad_W = np.zeros_like(W)
    grad_b = np.zeros(n_out)
    for start in range(0, codes.size, BLOCK_ROWS):
        rows = slice(start, start + BLOCK_ROWS)
        Xb, yb, sb = X[rows], codes[rows], weights[rows]
        Z = logits(Xb, W, b, n_classes)
        log_q = Z - logsumexp(Z, axis=1, keepdims=True)
        q = np.exp(log_q)
        if correction == "forward":
            r = np.maximum((q @ matrix)[np.arange(yb.size), yb], _TINY)
            loss -= float(sb @ np.log(r))
            dZ = q * (1.0 - matrix[:, yb].T / r[:, None])
        else:
            coef = matrix[yb]  # (rows, K): T⁻¹[ỹ, :]
            loss -= float(sb @ np.einsum("nk,nk->n", coef, log_q))
            dZ = q * coef.sum(axis=1, keepdims=True) - coef
        dZ *= sb[:, None]
        if n_classes == 2:
            dZ = dZ[:, 1:]
        grad_W += np.asarray(Xb.T @ dZ)
        grad_b += dZ.sum(axis=0)
    loss += 0.5 * penalty * float(np.sum(W * W))
    grad_W += penalty * W
    grad = np.concatenate([grad_W.ravel(), grad_b]) if fit_intercept else grad_W.ravel()
    return loss, grad
