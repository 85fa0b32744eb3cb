"""Which classes overlap, and the label health of a dataset (confident learning, dataset level).

From the estimated joint distribution ``Q̂[i, j] = P(given = i, true = j)`` of an audit (the
calibrated confident joint, normalised to sum to 1: Northcutt, Jiang & Chuang, JAIR 2021, Eq. 3
and Section 4), three dataset-level views follow:

- **overlapping classes**: the pairs whose labels are most often swapped, ranked by
  ``Q̂[i, j] + Q̂[j, i]`` (the paper's finding of ontological issues: classes that overlap may be
  one class, or need a clearer definition for the annotators);
- **per-class quality**: the label noise ``P(true != k | given = k)``, the inverse noise
  ``P(given != k | true = k)`` and the label quality ``1 - noise`` of every class;
- **overall health**: one minus the estimated share of wrong labels.

:meth:`labelwise.LabelIssues.class_overlap` and :meth:`labelwise.LabelIssues.health` give them for
an audit (in memory or on Dask: only the K x K joint and two counts are read);
:func:`class_overlap` audits ``(labels, probs)`` first; :meth:`ClassOverlap.from_joint` starts from
a joint the user already has.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from .._validate.arguments import check_positive_int, plain, show
from .._validate.labels import checked_classes
from ..errors import InvalidParameterError, ShapeMismatchError

__all__ = ["MIN_OVERLAP_JOINT", "OVERLAP_RATIO", "ClassOverlap", "class_overlap"]

#: The floor of a pair worth reporting is ``OVERLAP_RATIO`` times a pair's share of the estimated
#: noise, ``noise_rate / (K (K - 1) / 2)``, and at least ``MIN_OVERLAP_JOINT`` of the examples: the
#: pairs shown on screen and in the ``health`` summary (every pair stays in :meth:`ClassOverlap.pairs`).
#: Chosen on simulated data (``benchmarks/bench_class_overlap.py --floor``, not the real sets): with
#: labels flipped uniformly at random (2 to 20% among 3 to 20 classes, 20,000 rows, five seeds) the
#: largest pair held at most 2.34 times the mean pair's joint, so diffuse noise stays under 3 times;
#: with many classes and few rows per pair the largest of many small counts can pass that ratio,
#: and the 0.1% floor (20 of 20,000 examples) keeps such pairs of a handful of examples out. The
#: ratio is capped so that a pair holding half the estimated noise is always reported (two or three
#: classes: three times the mean pair would ask for more than the whole noise).
OVERLAP_RATIO = 3.0
MIN_OVERLAP_JOINT = 0.001
#: At most this many overlapping pairs go to the screen and the ``health`` summary.
MAX_SHOWN_PAIRS = 5

_PAIR_COLUMNS = ["class_a", "class_b", "n_overlapping", "joint_probability"]
_CLASS_COLUMNS = [
    "class",
    "n_label_issues",
    "n_inverse_label_issues",
    "label_noise",
    "inverse_label_noise",
    "label_quality",
]


@dataclass(frozen=True, eq=False)
class ClassOverlap:
    """The dataset-level estimates of confident learning: overlapping classes and label health.

    Attributes
    ----------
    classes : ndarray, shape (K,)
        The class of each row and column of ``joint``, in the user's label values.
    joint : ndarray of float, shape (K, K)
        Estimated ``P(given = i, true = j)``; sums to 1.
    n_examples : int
        Number of examples the joint was estimated on.
    n_label_issues : int or None
        Examples counted off the diagonal of the confident joint whose given label is not the
        model's top class (the ``confident_learning`` filter's count); None when only the joint is
        known (:meth:`from_joint`).

    References
    ----------
    .. [1] Northcutt, C., Jiang, L., & Chuang, I. (2021). Confident Learning: Estimating
       Uncertainty in Dataset Labels. Journal of Artificial Intelligence Research, 70, 1373-1411.

    Examples
    --------
    >>> import numpy as np, labelwise as lw
    >>> joint = np.array([[0.4, 0.1, 0.0], [0.05, 0.25, 0.0], [0.0, 0.0, 0.2]])
    >>> overlap = lw.audit.ClassOverlap.from_joint(joint, 200, classes=["cat", "dog", "owl"])
    >>> overlap.summary()["overlapping_pairs"]
    [{'class_a': 'cat', 'class_b': 'dog', 'n_overlapping': 30, 'joint_probability': 0.15000000000000002}]
    >>> round(overlap.health_score, 2)
    0.85
    """

    classes: np.ndarray
    joint: np.ndarray
    n_examples: int
    n_label_issues: int | None = None

    @classmethod
    def from_joint(cls, joint: Any, n_examples: Any, *, classes: Any = None) -> ClassOverlap:
        """The estimates from a joint ``P(given = i, true = j)`` of ``n_examples`` examples.

        Parameters
        ----------
        joint : array-like of shape (K, K)
            Non-negative, finite, summing to 1 (within 1e-6); rows are given labels.
        n_examples : int
            Number of examples behind the joint (turns probabilities into counts).
        classes : array-like of shape (K,), optional
            The class of each row and column; default ``0..K-1``.

        Raises
        ------
        ShapeMismatchError
            ``joint`` is not square with K >= 2, or ``classes`` has not K entries.
        InvalidParameterError
            ``joint`` has negative or non-finite values or does not sum to 1; ``n_examples`` is
            not a positive integer; ``classes`` repeat a value.
        """
        try:
            arr = np.asarray(joint, dtype=np.float64) if not isinstance(joint, str) else np.array([])
        except (TypeError, ValueError):
            raise InvalidParameterError(f"joint must be a K x K matrix of numbers, got {show(joint)}") from None
        if arr.ndim != 2 or arr.shape[0] != arr.shape[1] or arr.shape[0] < 2:
            raise ShapeMismatchError(f"joint must be a square K x K matrix with K >= 2, got shape {arr.shape}")
        if not np.isfinite(arr).all() or (arr < 0).any():
            raise InvalidParameterError("joint must hold finite, non-negative probabilities, got a negative or NaN/inf")
        if abs(arr.sum() - 1.0) > 1e-6:
            raise InvalidParameterError(f"joint must sum to 1, got a sum of {show(float(arr.sum()))}")
        n = check_positive_int("n_examples", n_examples)
        k = arr.shape[0]
        if classes is not None and len(np.atleast_1d(np.asarray(classes, dtype=object))) != k:
            raise ShapeMismatchError(f"classes must have one entry per row of joint ({k}), got {show(classes)}")
        names = np.arange(k) if classes is None else checked_classes(classes, k)
        return cls(classes=names, joint=arr, n_examples=n)

    @property
    def health_score(self) -> float:
        """Estimated share of correct labels: ``1 - n_label_issues / n_examples``, or ``trace(joint)``.

        With ``n_label_issues`` known (an audit), the count of confidently wrong labels, as
        cleanlab's ``overall_label_health_score(labels, pred_probs)``; from a joint alone, its trace.
        """
        if self.n_label_issues is None:
            return math.fsum(np.diag(self.joint))
        return 1.0 - self.n_label_issues / self.n_examples

    @property
    def noise_rate(self) -> float:
        """``1 - trace(joint)``: the joint's estimate of the share of wrong labels."""
        return 1.0 - math.fsum(np.diag(self.joint))

    @property
    def overlap_floor(self) -> float:
        """The joint a pair needs to be reported as overlapping (screen, ``health`` summary).

        Three times the pair's share were the estimated noise spread evenly over the ``P = K (K-1) / 2``
        pairs, ``OVERLAP_RATIO * noise_rate / P``, but never more than half the noise (so with two or
        three classes a pair holding half the wrong labels is reported), and at least
        ``MIN_OVERLAP_JOINT`` (0.1%) of the examples (see :data:`OVERLAP_RATIO`).
        """
        k = self.joint.shape[0]
        n_pairs = k * (k - 1) / 2
        ratio = min(OVERLAP_RATIO, n_pairs / 2)
        return min(1.0, max(MIN_OVERLAP_JOINT, ratio * max(self.noise_rate, 0.0) / n_pairs))

    def pairs(self, *, asymmetric: bool = False, min_joint: float = 0.0) -> pd.DataFrame:
        """Pairs of classes whose labels overlap, largest joint probability first.

        Parameters
        ----------
        asymmetric : bool, default False
            False: one row per unordered pair ``{a, b}`` (``a`` before ``b`` in class order) with
            ``joint_probability = Q̂[a, b] + Q̂[b, a]``. True: one row per ordered pair, ``class_a``
            the given label and ``class_b`` the true one, ``joint_probability = Q̂[a, b]`` (for
            "is a" relations: trucks labelled as cars more often than the reverse).
        min_joint : float, default 0.0
            Keep the pairs whose joint probability is at least this (pairs of joint 0 are always
            left out: with K classes there are K(K-1)/2 pairs).

        Returns
        -------
        pandas.DataFrame
            ``class_a``, ``class_b``, ``n_overlapping`` (``joint_probability * n_examples``,
            rounded half to even) and ``joint_probability``; ties in class order.
        """
        if not isinstance(asymmetric, (bool, np.bool_)):
            raise InvalidParameterError(f"asymmetric must be True or False, got {show(asymmetric)}")
        floor = _check_min_joint(min_joint)
        k = self.joint.shape[0]
        if asymmetric:
            values = np.where(np.eye(k, dtype=bool), 0.0, self.joint)
        else:
            values = np.triu(self.joint, 1) + np.tril(self.joint, -1).T
        a, b = np.nonzero(values)  # row-major: class order
        value = values[a, b]
        keep = value >= floor
        a, b, value = a[keep], b[keep], value[keep]
        order = np.argsort(-value, kind="stable")
        a, b, value = a[order], b[order], value[order]
        counts = np.rint(value * self.n_examples).astype(np.int64)
        return pd.DataFrame(dict(zip(_PAIR_COLUMNS, (self.classes[a], self.classes[b], counts, value), strict=True)))

    def classes_by_quality(self) -> pd.DataFrame:
        """One row per class, lowest label quality first (ties in class order).

        ``n_label_issues``: estimated examples given class ``k`` whose true class is another
        (``sum_{j != k} Q̂[k, j] * n``, rounded); ``n_inverse_label_issues``: estimated examples of
        true class ``k`` given another label; ``label_noise = P(true != k | given = k)``;
        ``inverse_label_noise = P(given != k | true = k)``; ``label_quality = 1 - label_noise``.
        A class of which no example is given (or estimated true) has noise 0. The joint's row and
        column sums are correctly rounded, so reordering the classes reorders the rows exactly.
        """
        diag = np.diag(self.joint)
        given, true = _exact_sums(self.joint), _exact_sums(self.joint.T)
        off_given, off_true = given - diag, true - diag
        noise = np.divide(off_given, given, out=np.zeros_like(given), where=given > 0)
        inverse = np.divide(off_true, true, out=np.zeros_like(true), where=true > 0)
        frame = pd.DataFrame(
            dict(
                zip(
                    _CLASS_COLUMNS,
                    (
                        self.classes,
                        np.rint(off_given * self.n_examples).astype(np.int64),
                        np.rint(off_true * self.n_examples).astype(np.int64),
                        noise,
                        inverse,
                        1.0 - noise,
                    ),
                    strict=True,
                )
            )
        )
        order = np.argsort(frame["label_quality"].to_numpy(), kind="stable")
        return frame.iloc[order].reset_index(drop=True)

    def to_frame(self) -> pd.DataFrame:
        """:meth:`pairs` (symmetric, every pair of non-zero joint): the table of ``class_overlap.csv``."""
        return self.pairs()

    def summary(self, *, max_pairs: int = MAX_SHOWN_PAIRS, min_joint: float | None = None) -> dict[str, Any]:
        """A JSON-ready dictionary: health score, noise rate, the top overlapping pairs, classes by quality.

        Parameters
        ----------
        max_pairs : int, default 5
            At most this many pairs, largest joint first.
        min_joint : float, optional
            Only pairs whose joint probability is at least this; default :attr:`overlap_floor`.
        """
        max_pairs = check_positive_int("max_pairs", max_pairs, minimum=0)
        if min_joint is None:
            min_joint = self.overlap_floor
        pairs = self.pairs(min_joint=min_joint).head(max_pairs)
        by_quality = self.classes_by_quality()
        return {
            "health_score": self.health_score,
            "noise_rate": self.noise_rate,
            "n_examples": int(self.n_examples),
            "n_label_issues": None if self.n_label_issues is None else int(self.n_label_issues),
            "overlap_floor": float(min_joint),
            "overlapping_pairs": _records(pairs, ("class_a", "class_b")),
            "classes_by_quality": _records(by_quality, ("class",)),
        }


def _exact_sums(matrix: np.ndarray) -> np.ndarray:
    """Row sums correctly rounded (``math.fsum``): the same in any column order, so renaming the
    classes permutes the per-class table exactly."""
    return np.array([math.fsum(row) for row in matrix], dtype=np.float64)


def _records(frame: pd.DataFrame, class_columns: tuple[str, ...]) -> list[dict[str, Any]]:
    """Rows as dictionaries of plain Python values (class names as the user gave them)."""
    out = frame.astype(object)
    for column in class_columns:
        out[column] = [plain(c) for c in frame[column]]
    return [{key: plain(value) for key, value in row.items()} for row in out.to_dict(orient="records")]


def _check_min_joint(value: Any) -> float:
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise InvalidParameterError(f"min_joint must be a number in [0, 1], got {show(value)}")
    if not 0.0 <= float(value) <= 1.0:
        raise InvalidParameterError(f"min_joint must be a number in [0, 1], got {show(value)}")
    return float(value)


def class_overlap(
    labels: Any,
    probs: Any,
    *,
    classes: Any = None,
    confident_class_rule: str = "among_confident",
    n_jobs: int | None = None,
    chunk_rows: int | None = None,
) -> ClassOverlap:
    """Overlapping classes and label health of ``(labels, probs)``: audit, then the joint's views.

    Runs confident learning (:func:`labelwise.find_label_issues`, whose validation and chunking
    it shares; numpy, memory-mapped, zarr or Dask inputs) and returns
    :meth:`labelwise.LabelIssues.class_overlap`. With an audit already at hand, call that method.

    Parameters
    ----------
    labels, probs, classes, confident_class_rule, n_jobs, chunk_rows
        As in :func:`labelwise.find_label_issues`; ``confident_class_rule="argmax"`` gives
        cleanlab 2.9's numbers.

    Returns
    -------
    ClassOverlap

    References
    ----------
    .. [1] Northcutt, C., Jiang, L., & Chuang, I. (2021). Confident Learning: Estimating
       Uncertainty in Dataset Labels. Journal of Artificial Intelligence Research, 70, 1373-1411.

    Examples
    --------
    >>> import numpy as np, labelwise as lw
    >>> probs = np.array([[0.9, 0.1], [0.8, 0.2], [0.1, 0.9], [0.95, 0.05], [0.2, 0.8]])
    >>> overlap = lw.audit.class_overlap(["cat", "cat", "dog", "dog", "dog"], probs)
    >>> overlap.pairs()[["class_a", "class_b", "n_overlapping"]].values.tolist()
    [['cat', 'dog', 1]]
    >>> overlap.health_score
    0.8
    """
    from .find import find_label_issues  # find imports result, which imports this module

    result = find_label_issues(
        labels,
        probs,
        filter_by="confident_learning",
        classes=classes,
        confident_class_rule=confident_class_rule,
        n_jobs=n_jobs,
        chunk_rows=chunk_rows,
        verbose=False,
    )
    return result.class_overlap()
