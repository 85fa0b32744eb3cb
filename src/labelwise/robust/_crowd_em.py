"""The crowd side of :class:`~labelwise.robust.CrowdClassifier`: answers matched to rows of X, and
the confusion-matrix M-step and the E-step of Raykar et al. (2010)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp

from .._validate.arguments import show
from ..aggregate._answers import encode_answers
from ..aggregate._base import log_normalize
from ..aggregate.priors import agreement_accuracy, diagonal_confusion_prior
from ..errors import AnnotationError, InvalidParameterError

__all__ = ["CrowdAnswers", "FLOOR", "check_smoothing", "encode_crowd_answers", "pseudo_counts"]

#: Probabilities are floored here before a log (as in ``aggregate.DawidSkene``): an answer never
#: seen for a class, or a class the classifier rules out, must not zero a posterior.
FLOOR = 1e-10
#: Rows per block of the E-step's sparse product (bounds the temporary ``rows x K`` arrays).
BLOCK_ROWS = 1 << 16


@dataclass(frozen=True, eq=False)
class CrowdAnswers:
    """Answers matched to rows of ``X``.

    Attributes
    ----------
    answered : ndarray of int64, shape (n_answered,)
        Positions (in ``X``) of the rows with at least one answer, ascending.
    counts : scipy.sparse.csr_matrix of shape (n_answered, n_annotators * K)
        ``[r, j * K + l]`` = how many times annotator ``j`` answered ``l`` on answered row ``r``.
    vote_counts : ndarray of shape (n_answered, K)
        Answers of each class per answered row.
    n_answers_per_row : ndarray of int64, shape (n_rows,)
    classes : ndarray of shape (K,)
    annotators : pandas.Index
    n_answers : int
    """

    answered: np.ndarray
    counts: sp.csr_matrix
    vote_counts: np.ndarray
    n_answers_per_row: np.ndarray
    classes: np.ndarray
    annotators: pd.Index
    n_answers: int

    @property
    def n_classes(self) -> int:
        return len(self.classes)

    @property
    def n_annotators(self) -> int:
        return len(self.annotators)

    def vote_shares(self) -> np.ndarray:
        """Majority vote's posterior: each answered row's share of answers per class."""
        return self.vote_counts / self.vote_counts.sum(axis=1, keepdims=True)


def encode_crowd_answers(
    answers: Any,
    row_ids: pd.Index,
    *,
    labels: Sequence[Any] | None = None,
    duplicates: str = "keep",
    item_col: str = "item",
    annotator_col: str = "annotator",
    label_col: str = "label",
) -> CrowdAnswers:
    """Validate the long answer table and match each answer's item to a row of ``X``.

    ``row_ids`` names the rows of ``X`` (its index for a DataFrame, ``0..n-1`` otherwise); an item
    that names no row is an :class:`~labelwise.errors.AnnotationError` naming it.
    """
    enc = encode_answers(
        answers,
        labels=labels,
        duplicates=duplicates,
        item_col=item_col,
        annotator_col=annotator_col,
        label_col=label_col,
        name="answers",
    )
    items = enc.item_index()
    try:
        position = np.asarray(row_ids.get_indexer(items), dtype=np.int64)
    except (TypeError, ValueError):  # items of a kind the row ids cannot be compared with
        position = np.full(len(items), -1, dtype=np.int64)
    unknown = np.flatnonzero(position < 0)
    if unknown.size:
        kind = "the index of X" if not isinstance(row_ids, pd.RangeIndex) else f"row positions 0..{len(row_ids) - 1}"
        raise AnnotationError(
            f"answers column {item_col!r} must name rows of X ({kind}), item {show(items[unknown[0]])} names "
            f"none ({unknown.size} such item(s) of {len(items)}); give X with those rows, or an X whose index "
            "holds the items' ids"
        )
    n_rows, k = len(row_ids), enc.n_classes
    rows = position[np.asarray(enc.item_idx, dtype=np.int64)]
    per_row = np.bincount(rows, minlength=n_rows).astype(np.int64)
    answered = np.flatnonzero(per_row)
    answered_of = np.full(n_rows, -1, dtype=np.int64)
    answered_of[answered] = np.arange(answered.size)
    r = answered_of[rows]
    cols = np.asarray(enc.annotator_idx, dtype=np.int64) * k + np.asarray(enc.label_idx, dtype=np.int64)
    counts = sp.csr_matrix(
        (np.ones(r.size), (r, cols)), shape=(answered.size, enc.n_annotators * k)
    )  # duplicate (row, column) pairs are summed
    counts.sum_duplicates()
    vote = np.zeros((answered.size, k))
    np.add.at(vote, (r, np.asarray(enc.label_idx, dtype=np.int64)), 1.0)
    return CrowdAnswers(
        answered=answered,
        counts=counts,
        vote_counts=vote,
        n_answers_per_row=per_row,
        classes=np.asarray(enc.classes),
        annotators=enc.annotator_index(),
        n_answers=int(r.size),
    )


def check_smoothing(smoothing: Any, prior_strength: Any) -> None:
    """``smoothing`` is ``"auto"`` or a number >= 0; ``prior_strength`` a finite number >= 0."""
    number = isinstance(smoothing, (int, float)) and not isinstance(smoothing, bool)
    auto = isinstance(smoothing, str) and smoothing == "auto"
    if not (auto or (number and np.isfinite(smoothing) and smoothing >= 0)):
        raise InvalidParameterError(f"smoothing must be 'auto' or a finite number >= 0, got {smoothing!r}")
    s = prior_strength
    if not (isinstance(s, (int, float)) and not isinstance(s, bool) and np.isfinite(s) and s >= 0):
        raise InvalidParameterError(f"prior_strength must be a finite number >= 0, got {s!r}")


def pseudo_counts(crowd: CrowdAnswers, smoothing: Any, prior_strength: float) -> np.ndarray:
    """The (K x K, [true, given]) Dirichlet pseudo-counts added to every annotator's counts, as
    :class:`~labelwise.aggregate.DawidSkene` makes them (``"auto"``: the diagonal prior)."""
    k = crowd.n_classes
    if isinstance(smoothing, str):
        accuracy = agreement_accuracy(crowd.vote_counts)
        return diagonal_confusion_prior(k, strength=float(prior_strength), accuracy=accuracy)
    return np.full((k, k), float(smoothing))


def confusion_m_step(crowd: CrowdAnswers, post: np.ndarray, pseudo: np.ndarray) -> np.ndarray:
    """Confusion matrices ``π[j, k, l] ∝ Σ_{answers l of j on row i} T[i, k] + A[k, l]``, shape (J, K, K).

    One sparse product ``counts.T @ T`` over the answered rows; cells are floored at
    :data:`FLOOR` before the rows (true class) are normalised.
    """
    k, j = crowd.n_classes, crowd.n_annotators
    expected = np.asarray(crowd.counts.T @ post).reshape(j, k, k)  # [j, given l, true k]
    conf = expected.transpose(0, 2, 1) + pseudo[None, :, :]
    np.maximum(conf, FLOOR, out=conf)
    conf /= conf.sum(axis=2, keepdims=True)
    return conf


def e_step(crowd: CrowdAnswers, log_model: np.ndarray, conf: np.ndarray) -> tuple[np.ndarray, float]:
    """Posterior ``T[i, k] ∝ P(k | x_i) Π_{(j, l) on i} π_j[k, l]`` of the answered rows, and the
    mean log-likelihood per answer ``Σ_i log Σ_k P(k | x_i) Π π_j[k, l] / n_answers``.

    Computed in log space (a product of many probabilities underflows), in blocks of
    :data:`BLOCK_ROWS` rows: ``log T = log P + counts @ log Π`` with ``log Π[(j, l), k] =
    log π_j[k, l]``, then each row normalised with its maximum subtracted.
    """
    k = crowd.n_classes
    log_pi = np.log(conf).transpose(0, 2, 1).reshape(-1, k)  # [(j, l), k]
    post = np.empty_like(log_model)
    total = 0.0
    for start in range(0, log_model.shape[0], BLOCK_ROWS):
        stop = min(start + BLOCK_ROWS, log_model.shape[0])
        joint = np.asarray(crowd.counts[start:stop] @ log_pi) + log_model[start:stop]
        post[start:stop], log_z = log_normalize(joint, overwrite=True)
        total += float(log_z.sum())
    return post, total / crowd.n_answers
