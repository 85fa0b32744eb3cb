"""Per-slice metrics of predicted probabilities: ROC AUC, log loss and the Brier score.

These need the probabilities, not the predicted labels (``roc_auc`` on hard labels is the AUC of a
single threshold). Log loss and the Brier score are means of per-row losses, so each slice's value
is one matrix product over the rows, computed in row blocks, and its interval is the normal one of
a mean, ``mean ± z · sd / sqrt(n)`` (the central limit theorem; the rows are the sample), cut to
the loss's range (from 0; the Brier score to 1 for two classes, else 2). ROC AUC
is not a mean of rows: scikit-learn's ``roc_auc_score`` (one-vs-rest, macro-averaged, for more
than two classes) on each slice, with a percentile bootstrap over the slice's rows [1]_. The values
are scikit-learn's: ``log_loss`` clips probabilities to ``[eps, 1 - eps]``; ``brier_score_loss``
sums the squared error over the classes and halves it for two classes.

References
----------
.. [1] Efron, B., & Tibshirani, R. J. (1993). An Introduction to the Bootstrap. Chapman & Hall.
.. [2] Brier, G. W. (1950). Verification of forecasts expressed in terms of probability. Monthly
   Weather Review, 78(1), 1-3.
"""

from __future__ import annotations

import warnings

import numpy as np
from scipy.stats import norm

from .._chunks import row_blocks

#: Metric names that need ``probs``, by their canonical name.
PROBA_METRICS = {
    "roc_auc": "roc_auc",
    "roc_auc_score": "roc_auc",
    "log_loss": "log_loss",
    "brier": "brier",
    "brier_score": "brier",
    "brier_score_loss": "brier",
}


def row_losses(name: str, probs: np.ndarray, true: np.ndarray) -> np.ndarray:
    """Each row's log loss or Brier score (as scikit-learn averages them)."""
    rows = np.arange(len(true))
    if name == "log_loss":
        eps = np.finfo(probs.dtype if probs.dtype.kind == "f" else np.float64).eps
        p = np.clip(probs, eps, 1 - eps)
        return -np.log(p[rows, true] / p.sum(axis=1))
    sq = np.square(probs).sum(axis=1) - 2 * probs[rows, true] + 1
    return sq * (0.5 if probs.shape[1] == 2 else 1.0)


def proba_columns(
    name: str,
    probs: np.ndarray,
    true: np.ndarray,
    matrix: np.ndarray,
    n_bootstrap: int,
    seed: int,
    confidence: float,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, str]:
    """The metric's value, interval and how it was made, overall then on each slice of ``matrix``."""
    if name == "roc_auc":
        return (*_auc_columns(probs, true, matrix, n_bootstrap, seed, confidence), "bootstrap")
    m = matrix.shape[1]
    sums, squares = np.zeros(1 + m), np.zeros(1 + m)
    for block in row_blocks(len(true), 1 + m):
        loss = row_losses(name, probs[block], true[block])
        inside = np.column_stack([np.ones(len(loss)), matrix[block]])
        sums += loss @ inside
        squares += np.square(loss) @ inside
    n = np.concatenate([[len(true)], matrix.sum(axis=0)]).astype(float)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = sums / n
        sd = np.sqrt(np.maximum(squares / n - mean**2, 0) * n / np.maximum(n - 1, 1))
        half = float(norm.ppf(0.5 + confidence / 2)) * sd / np.sqrt(n)
    # a loss lies in [0, worst]: the normal interval is cut to it (a small slice's would cross 0)
    worst = np.inf if name == "log_loss" else (1.0 if probs.shape[1] == 2 else 2.0)
    return mean, np.maximum(mean - half, 0.0), np.minimum(mean + half, worst), "normal"


def _auc(true: np.ndarray, probs: np.ndarray, k: int) -> float:
    from sklearn.metrics import roc_auc_score

    if len(np.unique(true)) < 2:
        return float("nan")  # one class in the slice: the AUC is not defined
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if k == 2:
            return float(roc_auc_score(true, probs[:, 1]))
        present = np.unique(true)
        if len(present) < k:  # one-vs-rest over the classes the slice holds, on their renormalised columns
            sub = probs[:, present] / np.maximum(probs[:, present].sum(axis=1, keepdims=True), 1e-300)
            codes = np.searchsorted(present, true)
            return float(_auc(codes, sub, len(present)))
        return float(roc_auc_score(true, probs, multi_class="ovr", labels=np.arange(k)))


def _auc_columns(
    probs: np.ndarray, true: np.ndarray, matrix: np.ndarray, n_bootstrap: int, seed: int, confidence: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    k = probs.shape[1]
    masks = [np.ones(len(true), dtype=bool), *matrix.T]
    value, low, high = (np.full(len(masks), np.nan) for _ in range(3))
    alpha = (1 - confidence) / 2
    for s, mask in enumerate(masks):
        rows = np.flatnonzero(mask)
        if len(rows) == 0:
            continue
        value[s] = _auc(true[rows], probs[rows], k)
        if n_bootstrap > 0 and np.isfinite(value[s]):
            rng = np.random.default_rng([seed, s])
            draws = [rows[rng.integers(0, len(rows), len(rows))] for _ in range(n_bootstrap)]
            values = np.array([_auc(true[d], probs[d], k) for d in draws])
            if np.isfinite(values).any():
                low[s], high[s] = np.nanquantile(values, [alpha, 1 - alpha])
    return value, low, high
