"""Quantities the prior-shift estimators share: the confusion matrix of hard predictions and errors."""

from __future__ import annotations

import numpy as np

from ..errors import LabelwiseError

__all__ = ["SingularConfusionError", "joint_confusion", "predicted_marginal"]


class SingularConfusionError(LabelwiseError):
    """The confusion matrix of the black-box predictor cannot be inverted (BBSE needs it)."""


def joint_confusion(probs: np.ndarray, codes: np.ndarray) -> np.ndarray:
    """``C[i, j] = P(prediction = i, label = j)`` on labelled source data, from argmax predictions."""
    k = probs.shape[1]
    pred = probs.argmax(axis=1)
    return np.bincount(pred * k + codes, minlength=k * k).reshape(k, k) / len(codes)


def predicted_marginal(probs: np.ndarray) -> np.ndarray:
    """``mu[i] = P(prediction = i)`` on unlabelled target data, from argmax predictions."""
    return np.bincount(probs.argmax(axis=1), minlength=probs.shape[1]) / len(probs)


def priors_from_weights(weights: np.ndarray, source_priors: np.ndarray) -> np.ndarray:
    """Target priors ``w * p_source`` with negative entries clipped to zero, renormalised."""
    q = np.clip(weights * source_priors, 0.0, None)
    total = q.sum()
    return q / total if total > 0 else source_priors.copy()
