"""The result object of :func:`labelwise.find_label_issues`."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from .._validate.arguments import plain
from ..io.outputs import ISSUE_COLUMNS
from .overlap import MAX_SHOWN_PAIRS, ClassOverlap


@dataclass(frozen=True, eq=False)
class LabelIssues:
    """Which examples are probably mislabeled, and the noise estimates behind the decision.

    Attributes
    ----------
    is_issue : ndarray of bool, shape (n,)
        True for examples flagged as label issues.
    ranked_indices : ndarray of int, shape (n_issues,)
        Indices of the flagged examples, worst (lowest label quality) first.
    label_quality : ndarray of float, shape (n,)
        Label quality score of every example (method ``rank_by``); low = likely wrong.
    given_label, suggested_label : ndarray, shape (n,)
        The given label and the model's most probable class, in the user's label values
        (computed on access from ``label_codes`` and ``suggested_codes``).
    classes : ndarray, shape (K,)
        The class of each column of ``probs``.
    thresholds : ndarray of float, shape (K,)
        Per-class confidence thresholds ``t_j`` (mean self-confidence of class ``j``).
    confident_joint : ndarray of int, shape (K, K)
        Counts ``C[i, j]`` of examples labelled ``i`` confidently counted as class ``j``.
    calibrated_confident_joint : ndarray of int, shape (K, K)
        ``C`` calibrated so row ``i`` sums to the number of examples labelled ``i``.
    joint : ndarray of float, shape (K, K)
        Estimated joint ``P(given=i, true=j)``; sums to 1.
    noise_matrix : ndarray of float, shape (K, K)
        ``P(given=i | true=j)``; columns sum to 1.
    inverse_noise_matrix : ndarray of float, shape (K, K)
        ``P(true=i | given=j)``; columns sum to 1.
    filter_by, rank_by, confident_class_rule : str
        The settings that produced this result.
    n_confident_issues : int
        Examples counted off the diagonal of the confident joint whose given label is not the
        model's top class (what the ``confident_learning`` filter flags, whatever ``filter_by``);
        -1 when unknown.
    """

    is_issue: np.ndarray
    ranked_indices: np.ndarray
    label_quality: np.ndarray
    classes: np.ndarray
    thresholds: np.ndarray
    confident_joint: np.ndarray
    calibrated_confident_joint: np.ndarray
    joint: np.ndarray
    noise_matrix: np.ndarray
    inverse_noise_matrix: np.ndarray
    filter_by: str
    rank_by: str
    confident_class_rule: str
    label_codes: np.ndarray = field(repr=False)
    suggested_codes: np.ndarray = field(repr=False)
    label_counts: np.ndarray = field(repr=False)
    n_confident_issues: int = field(default=-1, repr=False)

    @property
    def given_label(self) -> np.ndarray:
        """The given label of every example, in the user's label values."""
        return self.classes[self.label_codes]

    @property
    def suggested_label(self) -> np.ndarray:
        """The model's most probable class for every example, in the user's label values."""
        return self.classes[self.suggested_codes]

    @property
    def n_examples(self) -> int:
        """Number of examples audited."""
        return int(self.is_issue.shape[0])

    @property
    def n_issues(self) -> int:
        """Number of flagged examples."""
        return int(self.is_issue.sum())

    @property
    def noise_rate(self) -> float:
        """Estimated share of examples whose given label is wrong: ``1 - trace(joint)``."""
        return float(1.0 - np.trace(self.joint))

    def _flagged_per_given_class(self) -> np.ndarray:
        """Flagged examples per given class (``class_summary``'s ``n_flagged``)."""
        return np.bincount(self.label_codes[self.is_issue], minlength=len(self.classes))

    @property
    def class_summary(self) -> pd.DataFrame:
        """One row per class: examples given it, flagged, estimated issues and noise rates.

        ``noise_rate`` is ``P(true != k | given = k)`` (share of the class's labels that are
        wrong); ``inverse_noise_rate`` is ``P(given != k | true = k)`` (share of the true class
        labelled as something else); ``label_quality = 1 - noise_rate``.
        """
        codes_flagged = self._flagged_per_given_class()
        off_diag_share = self.joint.sum(axis=1) - np.diag(self.joint)
        noise = 1.0 - np.diag(self.inverse_noise_matrix)
        return pd.DataFrame(
            {
                "class": self.classes,
                "n_given": self.label_counts,
                "n_flagged": codes_flagged,
                "estimated_issues": np.rint(off_diag_share * self.n_examples).astype(np.int64),
                "noise_rate": noise,
                "inverse_noise_rate": 1.0 - np.diag(self.noise_matrix),
                "label_quality": 1.0 - noise,
            }
        )

    def class_overlap(self) -> ClassOverlap:
        """Overlapping classes, per-class quality and overall label health from this audit's joint.

        See :class:`labelwise.audit.overlap.ClassOverlap`; only K x K estimates and counts are
        read, so a chunked (Dask) result answers without computing anything.
        """
        known = self.n_confident_issues >= 0
        return ClassOverlap(
            classes=self.classes,
            joint=self.joint,
            n_examples=self.n_examples,
            n_label_issues=int(self.n_confident_issues) if known else None,
        )

    def health(self, *, max_pairs: int = MAX_SHOWN_PAIRS, min_joint: float | None = None) -> dict[str, Any]:
        """JSON-ready label health: score, noise rate, top overlapping class pairs, classes by quality.

        :meth:`ClassOverlap.summary <labelwise.audit.overlap.ClassOverlap.summary>` of
        :meth:`class_overlap`: at most ``max_pairs`` pairs of joint probability ``>= min_joint`` (default:
        the :attr:`~labelwise.audit.overlap.ClassOverlap.overlap_floor`).
        """
        return self.class_overlap().summary(max_pairs=max_pairs, min_joint=min_joint)

    def rank(self) -> np.ndarray:
        """Rank of every example (1 = worst): flagged ones first by quality, then the rest."""
        unflagged = np.flatnonzero(~self.is_issue)
        rest = unflagged[np.argsort(self.label_quality[unflagged], kind="stable")]
        order = np.concatenate([self.ranked_indices, rest])
        ranks = np.empty(self.n_examples, dtype=np.int64)
        ranks[order] = np.arange(1, self.n_examples + 1)
        return ranks

    def to_frame(self) -> pd.DataFrame:
        """One row per example, worst first: row, given/suggested label, quality, is_issue, rank."""
        ranks = self.rank()
        order = np.argsort(ranks)
        values = (
            order,
            self.given_label[order],
            self.suggested_label[order],
            self.label_quality[order],
            self.is_issue[order],
            ranks[order],
        )
        return pd.DataFrame(dict(zip(ISSUE_COLUMNS, values, strict=True))).reset_index(drop=True)

    def summary(self) -> dict[str, Any]:
        """A JSON-ready dictionary of counts, noise estimates and per-class statistics."""
        per_class = self.class_summary.copy()
        per_class["class"] = [plain(c) for c in per_class["class"]]
        return {
            "n_examples": self.n_examples,
            "n_issues": self.n_issues,
            "flagged_rate": self.n_issues / self.n_examples,
            "noise_rate": self.noise_rate,
            "classes": [plain(c) for c in self.classes],
            "per_class": per_class.to_dict(orient="records"),
            "noise_matrix": self.noise_matrix.tolist(),
            "inverse_noise_matrix": self.inverse_noise_matrix.tolist(),
            "joint": self.joint.tolist(),
            "confident_joint": self.confident_joint.tolist(),
            "calibrated_confident_joint": self.calibrated_confident_joint.tolist(),
            "thresholds": self.thresholds.tolist(),
            "filter_by": self.filter_by,
            "rank_by": self.rank_by,
            "confident_class_rule": self.confident_class_rule,
        }
