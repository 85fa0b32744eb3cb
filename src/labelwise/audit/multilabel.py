"""Multi-label audit: one-vs-rest confident learning, with missing and spurious tags told apart.

Every (example, class) pair is a binary label: "tag present" or "tag absent". Confident learning
(Northcutt et al., 2021) is run on each class's binary problem, vectorised over all classes at
once and in blocks of rows. In the positive-unlabeled view of multi-label data (Kanehira &
Harada, 2016; Cole et al., 2021) most noise hides in the negatives: a tag the annotator forgot
(``missing``) is far more common than a tag that does not apply (``spurious``), so the two are
counted, estimated and reported separately.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from .._tag_cells import DEFAULT_SEPARATOR, check_separator, check_writable_tags, join_tags, split_tags
from .._validate.arguments import check_fraction, check_positive_int, show
from ..errors import (
    InvalidLabelsError,
    InvalidParameterError,
    ShapeMismatchError,
)
from ._blocks import row_blocks
from ._multilabel_inputs import check_tag_probs, frame_matrix, probs_in_tag_order
from ._multilabel_softmax import SoftmaxProbsWarning, warn_if_softmax
from .confident_joint import FUZZ, calibrate_confident_joint
from .filters import keep_at_least

__all__ = [
    "MultilabelIssues",
    "SoftmaxProbsWarning",
    "encode_multilabel",
    "exponential_moving_average",
    "find_label_issues",
]

_MIN_THRESHOLD = 2 * FUZZ
_ABSENT_THRESHOLD = 2.0


def encode_multilabel(
    labels: Any,
    *,
    classes: Sequence[Any] | None = None,
    n_classes: int | None = None,
    tag_separator: str = DEFAULT_SEPARATOR,
) -> tuple[np.ndarray, np.ndarray]:
    """Turn multi-label annotations into an ``(n, K)`` boolean matrix and the class of each column.

    Parameters
    ----------
    labels : (n, K) 0/1 array or DataFrame, or a sequence of n lists of tags
        A 0/1 (or boolean) matrix (a DataFrame's column names are its tags), or per example a list of tags (column indices when ``classes``
        is omitted and the tags are integers, or all strings of digits such as ``"3|10"``; any
        hashable values otherwise). A string ``"a|b"`` is read as the tags ``["a", "b"]`` (split at
        ``tag_separator``, each stripped); an empty or missing entry is an example without tags.
    classes : sequence, optional
        The tag of each column. Tags not in ``classes`` are an error.
    n_classes : int, optional
        Number of columns expected (that of ``probs``).
    tag_separator : str, default "|"
        The separator of the tags in a string entry (``";"``: ``"a|b;c"`` is the tags ``a|b`` and ``c``).
    """
    check_separator(tag_separator)
    if isinstance(classes, (str, bytes)):  # list("abc") would name three columns a, b, c without a word
        raise InvalidParameterError(
            f"classes must be a list of tag names (one per column of probs), got the single string {show(classes)}"
        )
    if isinstance(labels, pd.DataFrame):  # a 0/1 table; iterating it would give its column names
        labels, classes = frame_matrix(labels, classes)
    if isinstance(labels, np.ndarray) and labels.ndim == 2:
        arr = labels
        if arr.dtype.kind == "f" and np.isnan(arr).any():
            raise InvalidLabelsError("labels must not contain NaN in a 0/1 matrix")
        if not np.isin(arr, (0, 1)).all():
            row = int(np.flatnonzero(~np.isin(arr, (0, 1)).all(axis=1))[0])
            raise InvalidLabelsError(
                f"labels as a matrix must hold only 0 and 1, row {row} is {arr[row].tolist()[:10]}"
            )
        if n_classes is not None and arr.shape[1] != n_classes:
            raise ShapeMismatchError(f"labels has {arr.shape[1]} columns but probs has {n_classes}")
        cls = np.arange(arr.shape[1]) if classes is None else np.asarray(list(classes), dtype=object)
        if len(cls) != arr.shape[1]:  # a shorter list left the last columns without a tag (an IndexError later)
            raise ShapeMismatchError(f"classes must name each of the {arr.shape[1]} columns of labels, got {len(cls)}")
        return arr.astype(bool), cls
    rows: list[list[Any]] = [_tags(row, i, tag_separator) for i, row in enumerate(labels)]
    if not rows:
        raise InvalidLabelsError("labels must not be empty")
    if classes is None:
        found = sorted({t for r in rows for t in r}, key=lambda t: (str(type(t)), t))
        if found and all(isinstance(t, str) and t.isdecimal() for t in found):
            # "3|10" read from a text file: column numbers, not names (as names '10' would sort before '2')
            rows = [[int(t) for t in r] for r in rows]
            found = sorted({t for r in rows for t in r})
        if all(isinstance(t, (int, np.integer)) for t in found) and n_classes is not None:
            found = list(range(n_classes))
        cls = np.asarray(found, dtype=object)
    else:
        cls = np.asarray(list(classes), dtype=object)
        names = cls.tolist()
        if len(set(names)) != len(names):
            repeated = next(c for c, n in Counter(names).items() if n > 1)
            raise InvalidLabelsError(f"classes must name each column once, got {show(repeated)} more than once")
    if n_classes is not None and len(cls) != n_classes:
        raise ShapeMismatchError(
            f"labels use {len(cls)} tags but probs has {n_classes} columns; pass classes= (--classes on the "
            "command line) to name each column"
        )
    index = {c: j for j, c in enumerate(cls.tolist())}
    out = np.zeros((len(rows), len(cls)), dtype=bool)
    for i, tag_list in enumerate(rows):
        for tag in tag_list:
            j = index.get(tag.item() if isinstance(tag, np.generic) else tag)
            if j is None:
                raise InvalidLabelsError(
                    f"labels row {i} has the unknown tag {show(tag)}; known tags are {cls.tolist()[:20]}"
                )
            out[i, j] = True
    return out, cls


def _tags(row: Any, i: int, separator: str) -> list[Any]:
    if row is None or (isinstance(row, float) and np.isnan(row)):
        return []
    if isinstance(row, str):
        return split_tags(row, separator)
    try:
        return list(row)
    except TypeError:
        raise InvalidLabelsError(f"labels row {i} must be a list of tags, got {row!r}") from None


def exponential_moving_average(scores: np.ndarray, alpha: float = 0.8) -> np.ndarray:
    """Pool per-class scores into one per example, the lowest weighted most (Thyagarajan et al., 2023).

    Each row is sorted from highest to lowest, ``EMA_1 = s_(1)`` and ``EMA_t = alpha * s_(t) +
    (1 - alpha) * EMA_{t-1}``, so the lowest score gets weight ``alpha``.
    """
    ordered = -np.sort(-scores, axis=1)
    ema = ordered[:, 0].astype(np.float64)
    for t in range(1, ordered.shape[1]):
        ema = alpha * ordered[:, t] + (1.0 - alpha) * ema
    return ema


@dataclass(frozen=True, eq=False)
class MultilabelIssues:
    """Per (example, tag) flags, per-example scores, and per-class missing/spurious estimates.

    Attributes
    ----------
    is_issue : ndarray of bool, shape (n, K)
        True where the presence/absence of tag ``k`` on example ``i`` is probably wrong.
    label_quality : ndarray of float, shape (n, K)
        ``p`` where the tag is given, ``1 - p`` where it is not (self-confidence); low = suspect.
    example_quality : ndarray of float, shape (n,)
        Per-example score, :func:`exponential_moving_average` of the row of ``label_quality``.
    is_example_issue : ndarray of bool, shape (n,)
        Some tag of the example is flagged.
    ranked_indices : ndarray of int
        Flagged examples, worst (lowest ``example_quality``) first.
    given, suggested : ndarray of bool, shape (n, K)
        The given tags, and the suggested fix (given tags with every flagged one toggled).
    classes : ndarray, shape (K,)
        The tag of each column.
    joints : ndarray of float, shape (K, 2, 2)
        Per class, the estimated joint ``P(given=a, true=b)`` of the binary problem.
    thresholds : ndarray of float, shape (K, 2)
        Per class, the confident-learning thresholds of "absent" and "present".
    tag_separator : str
        Joins the tags of one example in :meth:`to_frame` (that of the labels read, ``"|"`` by default).
    """

    is_issue: np.ndarray
    label_quality: np.ndarray
    example_quality: np.ndarray
    ranked_indices: np.ndarray
    classes: np.ndarray
    joints: np.ndarray
    thresholds: np.ndarray
    given: np.ndarray = field(repr=False)
    tag_separator: str = DEFAULT_SEPARATOR

    @property
    def is_example_issue(self) -> np.ndarray:
        """True for examples with at least one flagged tag."""
        return np.asarray(self.is_issue.any(axis=1))

    @property
    def suggested(self) -> np.ndarray:
        """The given tags with every flagged (example, tag) toggled."""
        return self.given ^ self.is_issue

    @property
    def is_missing(self) -> np.ndarray:
        """Flagged tags that are absent but probably apply (``(n, K)`` bool)."""
        return self.is_issue & ~self.given

    @property
    def is_spurious(self) -> np.ndarray:
        """Flagged tags that are given but probably do not apply (``(n, K)`` bool)."""
        return self.is_issue & self.given

    @property
    def n_issues(self) -> int:
        """Number of flagged examples."""
        return int(self.is_example_issue.sum())

    @property
    def missing_rate(self) -> np.ndarray:
        """Per class, estimated ``P(true present | given absent)``."""
        return self.joints[:, 0, 1] / np.maximum(self.joints[:, 0].sum(axis=1), 1e-300)

    @property
    def spurious_rate(self) -> np.ndarray:
        """Per class, estimated ``P(true absent | given present)``."""
        return self.joints[:, 1, 0] / np.maximum(self.joints[:, 1].sum(axis=1), 1e-300)

    @property
    def class_summary(self) -> pd.DataFrame:
        """One row per tag: given count, flagged missing/spurious counts and estimated rates."""
        return pd.DataFrame(
            {
                "class": self.classes,
                "n_given": self.given.sum(axis=0),
                "n_missing_flagged": self.is_missing.sum(axis=0),
                "n_spurious_flagged": self.is_spurious.sum(axis=0),
                "missing_rate": self.missing_rate,
                "spurious_rate": self.spurious_rate,
            }
        )

    def confused_pairs(self, top: int = 20) -> pd.DataFrame:
        """Tag pairs ``(given, missing)`` where, on one example, ``given`` is flagged spurious and
        ``missing`` flagged missing: the tags most often swapped, most frequent first."""
        swaps = self.is_spurious.T.astype(np.int64) @ self.is_missing.astype(np.int64)
        given_idx, missing_idx = np.nonzero(swaps)
        counts = swaps[given_idx, missing_idx]
        order = np.argsort(-counts, kind="stable")[:top]
        return pd.DataFrame(
            {
                "given": self.classes[given_idx[order]],
                "missing": self.classes[missing_idx[order]],
                "count": counts[order],
            }
        )

    def _tag_lists(self, mask: np.ndarray, rows: np.ndarray) -> list[str]:
        return [join_tags(self.classes[np.flatnonzero(mask[r])], self.tag_separator) for r in rows]

    def to_frame(self) -> pd.DataFrame:
        """One row per example, flagged first (worst first), then the rest by quality."""
        flagged = self.is_example_issue
        rest = np.flatnonzero(~flagged)
        order = np.concatenate([self.ranked_indices, rest[np.argsort(self.example_quality[rest], kind="stable")]])
        return pd.DataFrame(
            {
                "row": order,
                "given_tags": self._tag_lists(self.given, order),
                "suggested_tags": self._tag_lists(self.suggested, order),
                "missing_tags": self._tag_lists(self.is_missing, order),
                "spurious_tags": self._tag_lists(self.is_spurious, order),
                "label_quality": self.example_quality[order],
                "is_issue": flagged[order],
            }
        )

    def summary(self) -> dict[str, Any]:
        """A JSON-ready dictionary of counts, per-class rates and confused pairs."""
        return {
            "task": "multilabel",
            "n_examples": int(self.given.shape[0]),
            "n_issues": self.n_issues,
            "n_missing": int(self.is_missing.sum()),
            "n_spurious": int(self.is_spurious.sum()),
            "per_class": self.class_summary.astype({"class": str}).to_dict(orient="records"),
            "confused_pairs": self.confused_pairs().astype({"given": str, "missing": str}).to_dict(orient="records"),
        }


def binary_confident_learning(
    given: np.ndarray, probs: np.ndarray, *, min_examples_per_class: int = 1
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Confident learning (prune by noise rate) on K independent binary problems at once.

    Column ``k`` is the problem "tag k present" with predicted probability ``probs[:, k]``. This
    gives exactly what :func:`labelwise.find_label_issues` gives on ``[1 - p, p]`` per column
    (tested), in two passes over row blocks and with work on the mispredicted cells only.

    Returns the ``(n, K)`` issue mask, the ``(K, 2, 2)`` calibrated joints and ``(K, 2)`` thresholds.
    """
    n, k = probs.shape
    n_pos = given.sum(axis=0).astype(np.int64)
    counts = np.stack([n - n_pos, n_pos], axis=1)
    sums = np.zeros((k, 2))
    for b in row_blocks(n, k):
        p, g = probs[b].astype(np.float64), given[b]
        sums[:, 1] += np.where(g, p, 0.0).sum(axis=0)
        sums[:, 0] += np.where(g, 0.0, 1.0 - p).sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        thresholds = np.where(counts > 0, sums / np.maximum(counts, 1), _ABSENT_THRESHOLD)
    thresholds = np.clip(thresholds, _MIN_THRESHOLD, None)
    cut0, cut1 = thresholds[:, 0] - FUZZ, thresholds[:, 1] - FUZZ
    confident = np.zeros((k, 2, 2), dtype=np.int64)
    cand_rows, cand_cols = [], []
    for b in row_blocks(n, k):
        p, g = probs[b].astype(np.float64), given[b]
        q = 1.0 - p
        pred1 = p > q
        pass1, pass0 = p >= cut1, q >= cut0
        top_pass = np.where(pred1, pass1, pass0)
        other_pass = np.where(pred1, pass0, pass1)
        conf1 = np.where(top_pass, pred1, ~pred1)
        counted = top_pass | other_pass
        for a in (0, 1):
            for c in (0, 1):
                confident[:, a, c] += ((g == bool(a)) & (conf1 == bool(c)) & counted).sum(axis=0)
        rr, cc = np.nonzero(pred1 != g)
        cand_rows.append(rr + b.start)
        cand_cols.append(cc)
    for j in range(k):
        np.fill_diagonal(confident[j], np.maximum(confident[j].diagonal(), 1))
    rows = np.concatenate(cand_rows) if cand_rows else np.zeros(0, np.int64)
    cols = np.concatenate(cand_cols) if cand_cols else np.zeros(0, np.int64)
    mask = np.zeros((n, k), dtype=bool)
    calibrated = np.empty((k, 2, 2), dtype=np.int64)
    by_col = np.argsort(cols, kind="stable")
    bounds = np.searchsorted(cols[by_col], np.arange(k + 1))
    for j in range(k):
        calibrated[j] = calibrate_confident_joint(confident[j], counts[j])
        prune = keep_at_least(calibrated[j], min_examples_per_class)
        idx = rows[by_col[bounds[j] : bounds[j + 1]]]
        if idx.size == 0:
            continue
        pj = probs[idx, j].astype(np.float64)
        gj = given[idx, j]
        for label, sign in ((0, -1.0), (1, 1.0)):
            if counts[j, label] <= min_examples_per_class:
                continue
            members = np.flatnonzero(gj == bool(label))
            want = int(prune[label, 1 - label])
            if want <= 0 or members.size == 0:
                continue
            order = members[np.argsort(sign * pj[members], kind="stable")[:want]]
            # As in every confident-learning filter: never flag a label the model agrees with.
            self_conf = np.where(gj[order], pj[order], 1.0 - pj[order])
            keep = ~(self_conf + FUZZ >= np.maximum(pj[order], 1.0 - pj[order]))
            mask[idx[order[keep]], j] = True
    return mask, calibrated, thresholds


def find_label_issues(
    labels: Any,
    probs: Any,
    *,
    classes: Sequence[Any] | None = None,
    min_examples_per_class: int = 1,
    alpha: float = 0.8,
    tag_separator: str = DEFAULT_SEPARATOR,
) -> MultilabelIssues:
    """Find the (example, tag) pairs whose presence or absence is probably wrong.

    Each tag ``k`` is a binary problem with out-of-fold probability ``probs[:, k]``. Per tag,
    confident learning counts the examples confidently present/absent, calibrates the 2 x 2
    confident joint and, by pruning by noise rate, flags the ``C[absent, present]`` absent tags
    with the highest ``p`` (missing tags) and the ``C[present, absent]`` given tags with the lowest
    ``p`` (spurious tags); tags where the model agrees with the annotation are never flagged.
    Example scores pool the per-tag self-confidences with an exponential moving average that
    weights the worst tag most.

    Parameters
    ----------
    labels : (n, K) 0/1 array, or sequence of n lists of tags
        Given tags; ``"a|b"`` strings are split at ``tag_separator``. See :func:`encode_multilabel`.
    probs : array-like of shape (n, K)
        Out-of-fold per-tag probabilities (rows need not sum to 1; a softmax is warned about:
        :class:`SoftmaxProbsWarning`), paired with ``labels`` by position.
    classes : sequence of length K, optional
        The tag of each column of ``probs``.
    min_examples_per_class : int, default 1
        Never flag so many of a tag's present (or absent) labels that fewer than this remain.
    alpha : float, default 0.8
        Weight of the lowest per-tag score in the example score.
    tag_separator : str, default "|"
        Splits a string of tags, and joins them in :meth:`MultilabelIssues.to_frame`.

    Returns
    -------
    MultilabelIssues

    Raises
    ------
    InvalidLabelsError
        An unknown tag, a matrix with values other than 0/1, no examples; a tag that a cell joined by
        ``tag_separator`` would not give back (one holding it, or with surrounding spaces).
    InvalidProbabilitiesError
        ``probs`` not 2-D or values outside [0, 1].
    ShapeMismatchError
        ``labels`` and ``probs`` of different shapes.

    References
    ----------
    .. [1] Northcutt, C., Jiang, L., & Chuang, I. (2021). Confident Learning: Estimating
       Uncertainty in Dataset Labels. JAIR 70, 1373-1411.
    .. [2] Thyagarajan, A., Snorrason, E., Northcutt, C., & Mueller, J. (2023). Identifying
       Incorrect Annotations in Multi-Label Classification Data. ICLR Workshop on Trustworthy ML.
    .. [3] Cole, E., Mac Aodha, O., Lorieul, T., Perona, P., Morris, D., & Jojic, N. (2021).
       Multi-Label Learning from Single Positive Labels. CVPR. (The positive-unlabeled view.)

    Examples
    --------
    >>> import numpy as np
    >>> from labelwise.audit import multilabel
    >>> rng = np.random.default_rng(0)
    >>> truth = rng.random((200, 3)) < 0.4
    >>> probs = np.where(truth, 0.9, 0.1)
    >>> given = truth.copy(); given[0, 0] = ~given[0, 0]
    >>> res = multilabel.find_label_issues(given, probs)
    >>> bool(res.is_issue[0, 0]), int(res.is_issue.sum())
    (True, 1)
    """
    check_positive_int("min_examples_per_class", min_examples_per_class, minimum=0)
    check_fraction("alpha", alpha, closed_high=True)
    arr = check_tag_probs(probs, labels)
    given, cls = encode_multilabel(labels, classes=classes, n_classes=arr.shape[1], tag_separator=tag_separator)
    arr = probs_in_tag_order(probs, arr, cls)  # a header naming the tags, in another order: matched by name
    check_writable_tags(cls, tag_separator, "labels use" if classes is None else "classes name")  # as to_frame joins
    if given.shape[0] != arr.shape[0]:
        raise ShapeMismatchError(
            f"labels and probs must have the same number of rows, got {given.shape[0]} and {arr.shape[0]}"
        )
    if arr.shape[1] < 1:
        raise InvalidParameterError("probs must have at least one column")
    warn_if_softmax(arr, given)  # a multiclass model's softmax: said, the flags computed as asked
    mask, calibrated, thresholds = binary_confident_learning(given, arr, min_examples_per_class=min_examples_per_class)
    quality = np.where(given, arr, 1.0 - arr).astype(arr.dtype, copy=False)
    example_quality = _pooled_quality(quality, alpha)
    flagged = np.flatnonzero(mask.any(axis=1))
    ranked = flagged[np.argsort(example_quality[flagged], kind="stable")]
    joints = calibrated / np.maximum(calibrated.sum(axis=(1, 2), keepdims=True), 1)
    return MultilabelIssues(mask, quality, example_quality, ranked, cls, joints, thresholds, given, tag_separator)


def _pooled_quality(quality: np.ndarray, alpha: float) -> np.ndarray:
    """:func:`exponential_moving_average` of each row of ``quality``, in row blocks."""
    example_quality = np.empty(quality.shape[0])
    for b in row_blocks(*quality.shape):
        example_quality[b] = exponential_moving_average(quality[b], alpha)
    return example_quality
