"""Black-box shift estimation (Lipton, Wang & Smola 2018)."""

from __future__ import annotations

import numpy as np

from ._common import (
    SingularConfusionError,
    joint_confusion,
    predicted_marginal,
    priors_from_weights,
)

__all__ = ["estimate"]


def estimate(
    val_probs: np.ndarray,
    val_codes: np.ndarray,
    target_probs: np.ndarray,
    *,
    rcond: float = 1e-10,
) -> dict:
    """BBSE with hard predictions: solve ``C w = mu`` for the importance weights ``w = q(y) / p(y)``.

    ``C[i, j] = P_source(f(x) = i, y = j)`` is estimated on labelled validation data and
    ``mu[i] = P_target(f(x) = i)`` on the unlabelled target data; under label shift
    ``mu = C w``. Target priors are ``w * p_source(y)``; negative estimates are clipped to zero
    and the priors renormalised (the paper's ``w`` itself is returned unclipped in ``raw_weights``).

    Raises
    ------
    SingularConfusionError
        If ``C`` is singular or nearly so (a class is never predicted, or two classes are
        predicted identically); RLLS (regularised) or MLLS (EM) still work there.

    References
    ----------
    .. [1] Z. C. Lipton, Y.-X. Wang and A. J. Smola, "Detecting and Correcting for Label Shift
       with Black Box Predictors", ICML 2018.
    """
    C = joint_confusion(val_probs, val_codes)
    mu = predicted_marginal(target_probs)
    s = np.linalg.svd(C, compute_uv=False)
    if s[-1] <= rcond * max(s[0], 1e-300):
        never = np.flatnonzero(C.sum(axis=1) == 0).tolist()
        hint = f" (class(es) {never} are never predicted on the validation data)" if never else ""
        raise SingularConfusionError(
            f"the validation confusion matrix of the predictor is singular (smallest singular value {s[-1]:.2e})"
            f"{hint}, so BBSE cannot invert it; use method='rlls' (regularised) or method='mlls' (EM) instead"
        )
    w = np.linalg.solve(C, mu)
    p_source = C.sum(axis=0)
    priors = priors_from_weights(w, p_source)
    return {"priors": priors, "source_priors": p_source, "raw_weights": w, "n_iter": 0}
