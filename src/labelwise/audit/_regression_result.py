"""The regression audit's result: which targets are probably wrong, with the residuals behind it
(:func:`labelwise.audit.regression.find_label_issues` returns it)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ..columns import ColumnRoles

__all__ = ["RegressionIssues"]


@dataclass(frozen=True, eq=False)
class RegressionIssues:
    """Which targets are probably wrong, with the residuals and scales behind the decision.

    Attributes
    ----------
    is_issue : ndarray of bool, shape (n,)
    label_quality : ndarray of float, shape (n,)
        ``exp(-z)``; low = likely wrong.
    score : ndarray of float, shape (n,)
        ``z = |u|``: the residual minus its local location, in units of its local scale (clean
        Gaussian residuals give ``|N(0, 1)|``).
    given, predicted : ndarray of float, shape (n,)
        The given target and the out-of-fold prediction (the suggested fix).
    scale : ndarray of float, shape (n,)
        Robust local standard deviation of clean residuals at each point.
    threshold : float
        The rule's cut: posterior probability (``mixture``) or ``z`` (``zscore``).
    ranked_indices : ndarray of int
        Flagged rows, worst first.
    rule : str
        The flagging rule, a key of :data:`FLAG_RULES`.
    error_probability : ndarray of float, shape (n,), or None
        Posterior probability that the target is wrong (``mixture`` only).
    location : ndarray of float, shape (n,), or None
        Local median residual (the model's local bias) removed before scaling.
    mixture_fit : {"ml", "map"} or None
        ``mixture`` only: which fit decided, maximum likelihood or the MAP fit with the prior on
        the clean t's tails (with ``mixture_prior="auto"``, the MAP fit where maximum likelihood's
        error weight collapsed below one row:
        :func:`~labelwise.audit._residual_mixture.fit_guarded_mixture`).
    mixture_prior : {"auto", "none", "tail"} or None
        ``mixture`` only: the ``mixture_prior`` asked for (see
        :func:`~labelwise.audit.regression.find_label_issues`).
    column_roles : ColumnRoles or None
        The roles by which the default model read a DataFrame ``X`` (:func:`~labelwise.audit.regression.default_model`; its
        ``notices`` name the columns left out); None when a model, or no table, was given.
    """

    is_issue: np.ndarray
    label_quality: np.ndarray
    score: np.ndarray
    given: np.ndarray
    predicted: np.ndarray
    scale: np.ndarray
    threshold: float
    ranked_indices: np.ndarray
    rule: str = "zscore"
    error_probability: np.ndarray | None = None
    location: np.ndarray | None = None
    mixture_fit: str | None = None
    mixture_prior: str | None = None
    column_roles: ColumnRoles | None = None

    @property
    def n_issues(self) -> int:
        """Number of flagged rows."""
        return int(self.is_issue.sum())

    @property
    def residual(self) -> np.ndarray:
        """``given - predicted``."""
        return self.given - self.predicted

    def to_frame(self) -> pd.DataFrame:
        """One row per example, flagged first (worst first), then the rest by score."""
        rest = np.flatnonzero(~self.is_issue)
        order = np.concatenate([self.ranked_indices, rest[np.argsort(-self.score[rest], kind="stable")]])
        frame = pd.DataFrame(
            {
                "row": order,
                "given_label": self.given[order],
                "suggested_label": self.predicted[order],
                "residual": self.residual[order],
                "scale": self.scale[order],
                "score": self.score[order],
                "label_quality": self.label_quality[order],
                "is_issue": self.is_issue[order],
            }
        )
        if self.error_probability is not None:
            frame.insert(len(frame.columns) - 1, "error_probability", self.error_probability[order])
        return frame

    def summary(self) -> dict[str, Any]:
        """A JSON-ready dictionary of counts and residual statistics (and the ``column_roles``, when the
        default model read a table)."""
        r = self.residual
        roles = {} if self.column_roles is None else {"column_roles": self.column_roles.to_dict()}
        return {
            "task": "regression",
            "n_examples": int(r.size),
            "n_issues": self.n_issues,
            "flagged_rate": self.n_issues / r.size,
            "rule": self.rule,
            "threshold": self.threshold,
            "mixture_fit": self.mixture_fit,
            "mixture_prior": self.mixture_prior,
            "median_abs_residual": float(np.median(np.abs(r))),
            "median_scale": float(np.median(self.scale)),
            **roles,
        }
