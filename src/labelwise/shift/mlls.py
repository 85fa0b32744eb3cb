"""Maximum-likelihood label shift by EM (Saerens, Latinne & Decaestecker 2002)."""

from __future__ import annotations

import numpy as np

from ._names import SOURCE_PRIORS

__all__ = ["SOURCE_PRIORS", "em_priors", "estimate"]


def em_priors(
    target_probs: np.ndarray,
    source_priors: np.ndarray,
    *,
    max_iter: int = 1000,
    tol: float = 1e-8,
) -> tuple[np.ndarray, int]:
    """EM for the target priors given calibrated source posteriors ``p_s(y | x)`` on target data.

    E-step: ``p_t(y | x) ∝ p_s(y | x) q(y) / p_s(y)``; M-step: ``q(y) = mean_x p_t(y | x)``;
    from ``q = p_s`` until the largest change is below ``tol``.
    """
    ratio_base = target_probs / source_priors[None, :]
    q = source_priors.copy()
    for it in range(1, max_iter + 1):
        post = ratio_base * q[None, :]
        post /= post.sum(axis=1, keepdims=True)
        new = post.mean(axis=0)
        if np.max(np.abs(new - q)) < tol:
            return new, it
        q = new
    return q, max_iter


def estimate(
    val_probs: np.ndarray,
    val_codes: np.ndarray,
    target_probs: np.ndarray,
    *,
    max_iter: int = 1000,
    tol: float = 1e-8,
    source_prior: str = "posterior",
) -> dict:
    """MLLS: EM on (calibrated) target posteriors, from the source priors the posteriors were made under.

    ``source_prior="posterior"`` (the default, Alexandari et al. [2]_): the mean (calibrated) validation
    posterior, the prior the model's posteriors actually encode. ``"labels"``: the validation label
    frequencies, Saerens et al.'s [1]_ formula as written (the training priors). The two agree when the
    posteriors are calibrated: with bias-corrected calibration (BCTS, the default of
    :func:`~labelwise.shift.estimate_priors` for this method) the mean calibrated posterior equals
    the label frequencies at the optimum. With ``calibration="none"`` and a miscalibrated model
    they differ, and so do the estimates; E-step priors that the posteriors do not encode make the EM
    start from a shift that is not there. ``source_priors`` (and ``weights``) of the result are the
    ones the EM used.

    References
    ----------
    .. [1] M. Saerens, P. Latinne and C. Decaestecker, "Adjusting the Outputs of a Classifier to New
       a Priori Probabilities: A Simple Procedure", Neural Computation 14(1), 2002.
    .. [2] A. Alexandari, A. Kundaje and A. Shrikumar, "Maximum Likelihood with Bias-Corrected
       Calibration is Hard-To-Beat at Label Shift Adaptation", ICML 2020.
    """
    if source_prior == "labels":
        p_source = np.bincount(val_codes, minlength=val_probs.shape[1]) / len(val_codes)
    else:
        p_source = val_probs.mean(axis=0)
    q, it = em_priors(target_probs, p_source, max_iter=max_iter, tol=tol)
    return {
        "priors": q,
        "source_priors": p_source,
        "raw_weights": q / p_source,
        "n_iter": it,
    }
