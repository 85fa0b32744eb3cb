"""The logistic family's out-of-fold probabilities under ``auto``: a loss-corrected logistic regression.

Confident learning audits with probabilities of the *given* (noisy) label. A plain model fitted
on noisy labels learns them from the flipped rows too; :class:`ForwardLogistic` instead fits the
clean-label posterior ``q(x)`` with Patrini et al.'s *forward* loss correction [1]_, the noise
transition matrix ``T`` estimated on the same training rows by their anchor-point rule, and
returns the noisy-label posterior the correction implies, ``Tᵀ q(x)``. Both stages use only the
rows the model is fitted on, so a fold's test rows stay out of ``T`` as out of the weights.

``labelwise.robust.ForwardCorrection`` is the trainer users call (it returns ``q(x)`` and
estimates ``T`` by cross-validation); ``models`` sits below ``robust`` and cannot import it, so
this module holds the small dense-or-sparse fit the chooser needs.

References
----------
.. [1] Patrini, Rozza, Menon, Nock & Qu, "Making Deep Neural Networks Robust to Label Noise: a
   Loss Correction Approach", CVPR 2017 (Theorem 2: the forward correction; Section 4: ``T`` from
   anchor points, the 97th percentile instead of the arg max for robustness, as in their code).
"""

from __future__ import annotations

import numpy as np
from scipy.optimize import minimize
from scipy.special import logsumexp
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.linear_model import LogisticRegression
from sklearn.utils.validation import check_is_fitted

from .._anchor import anchor_rows, normalise_rows
from .._validate.row_order import RowOrderScore, check_row_order
from ._calibrate import row_max

#: Percentile of the anchor-point rule (Patrini et al.'s code).
ANCHOR_PERCENTILE = 97.0
#: Floor of the corrected probability of the given label inside the log (a ``T`` with zeros).
_TINY = 1e-300


def anchor_transition(probs: np.ndarray, percentile: float = ANCHOR_PERCENTILE) -> np.ndarray:
    """``T[i, j] = P(ỹ=j | y=i)`` from noisy-label probabilities, by anchor points.

    For each class ``i`` the anchor is the row whose ``p(i)`` is the largest strictly below the
    ``percentile``-th percentile of ``p(i)`` (rows tied there averaged, so the result does not
    depend on the row order; where no value lies below the cut, the rows at the cut); ``T[i]``
    is its probability row (Patrini et al. 2017, Section 4).
    """
    cut = np.percentile(probs, percentile, axis=0, method="higher")
    # no value below the cut: the next float up makes the rows at the cut the largest below it
    cut = np.where(probs.min(axis=0) >= cut, np.nextafter(cut, np.inf), cut)
    return normalise_rows(anchor_rows(probs, cut))


def _objective(theta, X, codes, T_given, penalty):
    """Mean forward-corrected log loss plus ``penalty * ||W||² / 2``, and its gradient.

    Logits ``Z = X W + b`` (for two classes one column, class 0's logit fixed at 0, as in
    scikit-learn), ``q = softmax(Z)``, ``r = (q T)_ỹ``; ``∂(-log r)/∂Z_k = q_k (1 - T[k, ỹ] / r)``.
    ``T_given`` is ``T[:, ỹ]`` per row (``n x K``, fixed during the fit): ``r`` is its row-wise dot
    product with ``q``, not a gather from the whole ``q T``. The arithmetic is done in place where
    it can be; each operation is the one it replaced, on the same numbers, so the value and the
    gradient, hence the fit, are unchanged bit for bit.
    """
    k = T_given.shape[1]
    n_out = 1 if k == 2 else k
    d = X.shape[1]
    W, b = theta[: d * n_out].reshape(d, n_out), theta[d * n_out :]
    Z = np.asarray(X @ W) + b
    if k == 2:
        Z = np.hstack([np.zeros((Z.shape[0], 1)), Z])
    Z -= row_max(Z)[:, None]
    q = np.exp(Z, out=Z)
    q /= q.sum(axis=1, keepdims=True)
    r = np.maximum(np.einsum("ij,ij->i", q, T_given), _TINY)
    n = codes.size
    loss = -float(np.log(r).mean()) + 0.5 * penalty * float((W * W).sum())
    dZ = np.divide(T_given, r[:, None])
    np.subtract(1.0, dZ, out=dZ)
    dZ *= q
    dZ /= n
    if k == 2:
        dZ = dZ[:, 1:]
    grad_W = np.asarray(X.T @ dZ) + penalty * W
    return loss, np.concatenate([grad_W.ravel(), dZ.sum(axis=0)])


class ForwardLogistic(RowOrderScore, ClassifierMixin, BaseEstimator):
    """Logistic regression fitted with the forward loss correction; predicts the noisy-label posterior.

    ``fit`` runs Patrini et al.'s two stages [1]_ on the rows it is given: a plain
    :class:`~sklearn.linear_model.LogisticRegression` (same ``C``) on the noisy labels, its
    probabilities on those rows give ``T`` by anchor points (:func:`anchor_transition`), then the
    weights minimise ``mean -log (Tᵀ q(x))_ỹ + ||W||² / (2 C n)`` (scikit-learn's objective
    scaled by ``1 / (C n)``; intercept not penalised) by L-BFGS-B from the plain fit's weights.
    ``predict_proba`` returns ``Tᵀ q(x)``, an estimate of ``P(ỹ | x)``: what the audit needs.

    Parameters
    ----------
    C : float > 0, default 0.1
        Inverse regularisation strength of both stages.
    percentile : float in (0, 100], default 97
        Percentile of the anchor-point rule.
    max_iter : int, default 2000
        Iterations of each stage's solver.
    tol : float, default 1e-4
        Tolerance of each stage (L-BFGS-B's projected-gradient ``gtol`` for the corrected one).

    Attributes
    ----------
    classes_ : ndarray
    transition_ : ndarray of shape (n_classes, n_classes)
    coef_ : ndarray of shape (n_features, n_outputs)
    intercept_ : ndarray of shape (n_outputs,)

    References
    ----------
    .. [1] Patrini, Rozza, Menon, Nock & Qu, "Making Deep Neural Networks Robust to Label Noise:
       a Loss Correction Approach", CVPR 2017.
    """

    def __init__(self, C=0.1, percentile=ANCHOR_PERCENTILE, max_iter=2000, tol=1e-4):
        self.C = C
        self.percentile = percentile
        self.max_iter = max_iter
        self.tol = tol

    def fit(self, X, y):
        """Fit the plain model, estimate ``T`` from its probabilities on ``X``, fit the corrected model."""
        check_row_order(X, "X", f"{type(self).__name__}.fit", y=y)
        plain = LogisticRegression(C=self.C, max_iter=self.max_iter, tol=self.tol).fit(X, y)
        self.classes_ = plain.classes_
        codes = np.searchsorted(self.classes_, np.asarray(y))
        self.transition_ = anchor_transition(plain.predict_proba(X), self.percentile)
        start = np.concatenate([plain.coef_.T.ravel(), plain.intercept_])
        result = minimize(
            _objective,
            start,
            args=(X, codes, np.ascontiguousarray(self.transition_[:, codes].T), 1.0 / (self.C * codes.size)),
            jac=True,
            method="L-BFGS-B",
            options={"maxiter": self.max_iter, "gtol": self.tol},
        )
        n_out = plain.coef_.shape[0]
        self.coef_ = result.x[: X.shape[1] * n_out].reshape(X.shape[1], n_out)
        self.intercept_ = result.x[X.shape[1] * n_out :]
        return self

    def clean_proba(self, X) -> np.ndarray:
        """``q(x)``: the estimated clean-label posterior."""
        check_is_fitted(self, "coef_")
        Z = np.asarray(X @ self.coef_) + self.intercept_
        if self.classes_.size == 2:
            Z = np.hstack([np.zeros((Z.shape[0], 1)), Z])
        return np.exp(Z - logsumexp(Z, axis=1, keepdims=True))

    def predict_proba(self, X) -> np.ndarray:
        """``Tᵀ q(x)``: the noisy-label posterior (rows sum to 1)."""
        return self.clean_proba(X) @ self.transition_

    def predict(self, X) -> np.ndarray:
        """The class of largest noisy-label probability."""
        return self.classes_[self.predict_proba(X).argmax(axis=1)]
