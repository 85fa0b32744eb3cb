"""``safeguard="cv"`` of :class:`~labelwise.semi.SelfTrainer`: keep self-training only when it helps.

References
----------
.. [1] Li, Y.-F. and Zhou, Z.-H. (2015). "Towards Making Unlabeled Data Never Hurt".
   IEEE Transactions on Pattern Analysis and Machine Intelligence 37(1), 175-188.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import clone
from sklearn.model_selection import StratifiedKFold
from sklearn.utils import _safe_indexing

from .._caller import warn_at_caller
from .._meta import checked_proba, fit_clone
from .._validate.arguments import seed_from
from ..errors import LabelwiseWarning

__all__ = ["SafeguardResult", "cv_safeguard"]


def _log_loss(proba: np.ndarray, codes: np.ndarray, weights: np.ndarray | None = None) -> float:
    """Mean (weighted) negative log-probability of the true class (probabilities clipped at 1e-15)."""
    return float(np.average(-np.log(np.clip(proba[np.arange(codes.size), codes], 1e-15, 1.0)), weights=weights))


@dataclass(frozen=True)
class SafeguardResult:
    """What ``safeguard="cv"`` measured on the labeled part, and what it decided.

    Attributes
    ----------
    decision : {"self_training", "labeled_only", "unchecked"}
        ``"labeled_only"``: pseudo-labelling did not beat the labeled-only estimator in
        cross-validation, so the final model is the estimator fitted on the given labels alone.
        ``"unchecked"``: some class had fewer than 2 labeled examples, so no check was possible.
    n_splits : int
        Number of stratified folds over the labeled examples (0 when unchecked).
    accuracy_self_training, accuracy_labeled_only : float
        Out-of-fold accuracy on the held-out labeled examples.
    log_loss_self_training, log_loss_labeled_only : float
        Out-of-fold log loss on the same examples (the tie-breaker when accuracies are equal).
    """

    decision: str
    n_splits: int
    accuracy_self_training: float
    accuracy_labeled_only: float
    log_loss_self_training: float
    log_loss_labeled_only: float

    def to_frame(self) -> pd.DataFrame:
        """One row per candidate model: its out-of-fold accuracy and log loss, and whether it was chosen."""
        chosen = {"self_training": "self_training", "labeled_only": "labeled_only"}.get(self.decision, "self_training")
        return pd.DataFrame(
            {
                "model": ["self_training", "labeled_only"],
                "accuracy": [self.accuracy_self_training, self.accuracy_labeled_only],
                "log_loss": [self.log_loss_self_training, self.log_loss_labeled_only],
                "chosen": [chosen == "self_training", chosen == "labeled_only"],
            }
        )


def cv_safeguard(
    trainer: Any,
    X: Any,
    codes: np.ndarray,
    labeled_rows: np.ndarray,
    n_classes: int,
    params: dict,
    sample_weight: np.ndarray | None = None,
) -> SafeguardResult:
    """Cross-validate self-training against the labeled-only estimator on the labeled part (``safeguard="cv"``).

    ``trainer`` is the :class:`~labelwise.semi.SelfTrainer` being fitted; ``codes`` its class codes
    (``-1`` = unlabeled) and ``params`` its checked parameters; ``sample_weight`` (given to its
    ``fit``) weighs both sides' fits and the held-out accuracy and log loss.
    """
    given = codes[labeled_rows]
    n_splits = min(params["cv"], int(np.bincount(given, minlength=n_classes).min()))
    if n_splits < 2:
        warn_at_caller(
            LabelwiseWarning(
                f"safeguard='cv' needs at least 2 labeled examples in every class, got "
                f"{int(np.bincount(given, minlength=n_classes).min())} in the smallest; self-training "
                "is kept without the check"
            )
        )
        return SafeguardResult("unchecked", 0, np.nan, np.nan, np.nan, np.nan)
    seed = seed_from(trainer.random_state)
    folds = StratifiedKFold(n_splits, shuffle=seed is not None, random_state=seed)
    inner = clone(trainer).set_params(safeguard=None, unlabeled_value=-1, verbose=False)
    proba_st = np.zeros((given.size, n_classes))
    proba_lo = np.zeros((given.size, n_classes))
    for train, test in folds.split(np.zeros((given.size, 1)), given):
        held_out = labeled_rows[test]
        y_fold = codes.copy()
        y_fold[held_out] = -1  # the held-out labels join the unlabeled pool, unseen
        X_test = _safe_indexing(X, held_out)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", LabelwiseWarning)
            student = clone(inner).fit(X, y_fold, sample_weight=sample_weight)
        proba_st[test] = checked_proba(student, X_test, n_classes, "estimator")
        plain = fit_clone(params["estimator"], X, codes, labeled_rows[train], sample_weight)
        proba_lo[test] = checked_proba(plain, X_test, n_classes, "estimator")
    w = None if sample_weight is None else sample_weight[labeled_rows]
    acc_st = float(np.average(proba_st.argmax(axis=1) == given, weights=w))
    acc_lo = float(np.average(proba_lo.argmax(axis=1) == given, weights=w))
    loss_st = _log_loss(proba_st, given, w)
    loss_lo = _log_loss(proba_lo, given, w)
    keep = acc_st > acc_lo  # strictly better: a tie keeps the labeled-only estimator
    return SafeguardResult("self_training" if keep else "labeled_only", n_splits, acc_st, acc_lo, loss_st, loss_lo)
